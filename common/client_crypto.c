/*
 * Client channel cryptography: see client_crypto.h.
 */
#include <string.h>

#include <sodium.h>

#include "client_crypto.h"
#include "gwcrypto.h"

/* Where the pieces sit in handshake messages 2 and 3. */
#define REPLY_CT_OFF	CLIENT_KEY_LEN
#define SIG_CT_LEN	(CLIENT_SIG_LEN + CLIENT_TAG_LEN)	/* 80 */
#define REPLY_NONCE_OFF	(REPLY_CT_OFF + SIG_CT_LEN)		/* 112 */
#define FINAL_NONCE_OFF	SIG_CT_LEN				/* 80 */

int
client_hs_parse_init(const uint8_t *data, size_t len,
    struct client_hs_init *in)
{
	if (len != CLIENT_HS_INIT_LEN)
		return CLIENT_ERR_LENGTH;
	memcpy(in->identity, data, CLIENT_KEY_LEN);
	memcpy(in->eph_pub, data + CLIENT_KEY_LEN, CLIENT_KEY_LEN);
	memcpy(in->salt, data + 2 * CLIENT_KEY_LEN, CLIENT_SALT_LEN);
	return CLIENT_OK;
}

int
client_hs_derive_key(const uint8_t own_eph_sk[CLIENT_KEY_LEN],
    const uint8_t peer_eph_pub[CLIENT_KEY_LEN],
    const uint8_t salt[CLIENT_SALT_LEN], uint8_t key[CLIENT_KEY_LEN])
{
	uint8_t	 dh[CLIENT_KEY_LEN];
	int	 rc = CLIENT_OK;

	if (gwcrypto_init() == -1)
		return CLIENT_ERR_CRYPTO;
	/* libsodium refuses an all-zero result; no honest peer makes one. */
	if (crypto_scalarmult(dh, own_eph_sk, peer_eph_pub) != 0)
		rc = CLIENT_ERR_DH;
	else if (gwcrypto_hkdf_blake3(salt, CLIENT_SALT_LEN, dh, sizeof(dh),
	    NULL, 0, key, CLIENT_KEY_LEN) == -1)
		rc = CLIENT_ERR_CRYPTO;
	sodium_memzero(dh, sizeof(dh));
	return rc;
}

/* Encrypt a signature of own || peer ephemerals: sig_ct (80 bytes). */
static int
hs_seal_signature(const uint8_t sign_sk[CLIENT_SIGN_SK_LEN],
    const uint8_t own[CLIENT_KEY_LEN], const uint8_t peer[CLIENT_KEY_LEN],
    const uint8_t key[CLIENT_KEY_LEN], const uint8_t nonce[CLIENT_NONCE_LEN],
    uint8_t sig_ct[SIG_CT_LEN])
{
	struct gwcrypto_aead	*a;
	uint8_t			 msg[2 * CLIENT_KEY_LEN], sig[CLIENT_SIG_LEN];
	int			 rc = CLIENT_ERR_CRYPTO;

	memcpy(msg, own, CLIENT_KEY_LEN);
	memcpy(msg + CLIENT_KEY_LEN, peer, CLIENT_KEY_LEN);
	if (crypto_sign_detached(sig, NULL, msg, sizeof(msg), sign_sk) != 0)
		return CLIENT_ERR_CRYPTO;
	if ((a = gwcrypto_aead_new(key)) == NULL)
		return CLIENT_ERR_CRYPTO;
	if (gwcrypto_aead_seal(a, nonce, sig, sizeof(sig), sig_ct) == 0)
		rc = CLIENT_OK;
	gwcrypto_aead_free(a);
	return rc;
}

/* Decrypt sig_ct and check it signs signer_eph || other_eph. */
static int
hs_open_signature(const uint8_t signer_id[CLIENT_KEY_LEN],
    const uint8_t signer_eph[CLIENT_KEY_LEN],
    const uint8_t other_eph[CLIENT_KEY_LEN], const uint8_t key[CLIENT_KEY_LEN],
    const uint8_t nonce[CLIENT_NONCE_LEN], const uint8_t sig_ct[SIG_CT_LEN])
{
	struct gwcrypto_aead	*a;
	uint8_t			 msg[2 * CLIENT_KEY_LEN], sig[CLIENT_SIG_LEN];
	int			 rc;

	if ((a = gwcrypto_aead_new(key)) == NULL)
		return CLIENT_ERR_CRYPTO;
	rc = gwcrypto_aead_open(a, nonce, sig_ct, SIG_CT_LEN, sig);
	gwcrypto_aead_free(a);
	if (rc == -1)
		return CLIENT_ERR_DECRYPT;
	memcpy(msg, signer_eph, CLIENT_KEY_LEN);
	memcpy(msg + CLIENT_KEY_LEN, other_eph, CLIENT_KEY_LEN);
	if (crypto_sign_verify_detached(sig, msg, sizeof(msg),
	    signer_id) != 0)
		return CLIENT_ERR_SIGNATURE;
	return CLIENT_OK;
}

int
client_hs_gateway_reply(const struct client_hs_init *in,
    const uint8_t gw_sign_sk[CLIENT_SIGN_SK_LEN],
    const uint8_t gw_eph_sk[CLIENT_KEY_LEN],
    const uint8_t nonce[CLIENT_NONCE_LEN], uint8_t key[CLIENT_KEY_LEN],
    uint8_t reply[CLIENT_HS_REPLY_LEN])
{
	int	 rc;

	if ((rc = client_hs_derive_key(gw_eph_sk, in->eph_pub, in->salt,
	    key)) != CLIENT_OK)
		return rc;
	if (crypto_scalarmult_base(reply, gw_eph_sk) != 0)
		return CLIENT_ERR_DH;
	if ((rc = hs_seal_signature(gw_sign_sk, reply, in->eph_pub, key,
	    nonce, reply + REPLY_CT_OFF)) != CLIENT_OK)
		return rc;
	memcpy(reply + REPLY_NONCE_OFF, nonce, CLIENT_NONCE_LEN);
	return CLIENT_OK;
}

int
client_hs_gateway_verify_final(const struct client_hs_init *in,
    const uint8_t key[CLIENT_KEY_LEN], const uint8_t gw_eph_pub[CLIENT_KEY_LEN],
    const uint8_t *data, size_t len)
{
	if (len != CLIENT_HS_FINAL_LEN)
		return CLIENT_ERR_LENGTH;
	return hs_open_signature(in->identity, in->eph_pub, gw_eph_pub, key,
	    data + FINAL_NONCE_OFF, data);
}

int
client_hs_client_init(const uint8_t identity[CLIENT_KEY_LEN],
    const uint8_t eph_sk[CLIENT_KEY_LEN], const uint8_t salt[CLIENT_SALT_LEN],
    uint8_t out[CLIENT_HS_INIT_LEN])
{
	memcpy(out, identity, CLIENT_KEY_LEN);
	if (crypto_scalarmult_base(out + CLIENT_KEY_LEN, eph_sk) != 0)
		return CLIENT_ERR_DH;
	memcpy(out + 2 * CLIENT_KEY_LEN, salt, CLIENT_SALT_LEN);
	return CLIENT_OK;
}

int
client_hs_client_finish(const uint8_t client_sign_sk[CLIENT_SIGN_SK_LEN],
    const uint8_t gw_identity[CLIENT_KEY_LEN],
    const uint8_t eph_sk[CLIENT_KEY_LEN], const uint8_t salt[CLIENT_SALT_LEN],
    const uint8_t *reply, size_t replylen,
    const uint8_t nonce[CLIENT_NONCE_LEN], uint8_t key[CLIENT_KEY_LEN],
    uint8_t out[CLIENT_HS_FINAL_LEN])
{
	uint8_t	 own[CLIENT_KEY_LEN];
	int	 rc;

	if (replylen != CLIENT_HS_REPLY_LEN)
		return CLIENT_ERR_LENGTH;
	if (crypto_scalarmult_base(own, eph_sk) != 0)
		return CLIENT_ERR_DH;
	if ((rc = client_hs_derive_key(eph_sk, reply, salt, key)) != CLIENT_OK)
		return rc;
	if ((rc = hs_open_signature(gw_identity, reply, own, key,
	    reply + REPLY_NONCE_OFF, reply + REPLY_CT_OFF)) != CLIENT_OK)
		goto fail;
	if ((rc = hs_seal_signature(client_sign_sk, own, reply, key, nonce,
	    out)) != CLIENT_OK)
		goto fail;
	memcpy(out + FINAL_NONCE_OFF, nonce, CLIENT_NONCE_LEN);
	return CLIENT_OK;
 fail:
	sodium_memzero(key, CLIENT_KEY_LEN);
	return rc;
}

int
client_frame_seal(struct gwcrypto_aead *a, uint8_t kind,
    const uint8_t nonce[CLIENT_NONCE_LEN], const uint8_t *pt, size_t len,
    uint8_t *out, size_t outlen)
{
	if (outlen < len + CLIENT_FRAME_OVERHEAD || len > INT32_MAX)
		return CLIENT_ERR_ARG;
	out[0] = kind;
	out[1] = 1;
	memcpy(out + 2, nonce, CLIENT_NONCE_LEN);
	if (gwcrypto_aead_seal(a, nonce, pt, len,
	    out + CLIENT_FRAME_HDR_LEN) == -1)
		return CLIENT_ERR_CRYPTO;
	return (int)(len + CLIENT_FRAME_OVERHEAD);
}

int
client_frame_open(struct gwcrypto_aead *a, const uint8_t *frame, size_t len,
    uint8_t *kind, uint8_t *out, size_t *outlen)
{
	*outlen = 0;
	if (len < 2)
		return CLIENT_ERR_FRAME_SHORT;
	if (frame[1] != 0 && frame[1] != 1)
		return CLIENT_ERR_ENC_FLAG;
	/* Both forms carry the 12 nonce bytes (unused when plain). */
	if (len < CLIENT_FRAME_HDR_LEN ||
	    (frame[1] == 1 && len < CLIENT_FRAME_OVERHEAD))
		return CLIENT_ERR_FRAME_SHORT;
	*kind = frame[0];
	if (frame[1] == 0) {
		*outlen = len - CLIENT_FRAME_HDR_LEN;
		memmove(out, frame + CLIENT_FRAME_HDR_LEN, *outlen);
		return CLIENT_OK;
	}
	if (gwcrypto_aead_open(a, frame + 2, frame + CLIENT_FRAME_HDR_LEN,
	    len - CLIENT_FRAME_HDR_LEN, out) == -1)
		return CLIENT_ERR_DECRYPT;
	*outlen = len - CLIENT_FRAME_OVERHEAD;
	return CLIENT_OK;
}

int
client_auth_v2_message(uint8_t version,
    const uint8_t identity[CLIENT_KEY_LEN],
    const uint8_t addr_ct[CLIENT_AUTH_CT_LEN],
    const uint8_t nonce[CLIENT_NONCE_LEN], uint64_t ts,
    uint8_t out[CLIENT_AUTH_MSG_LEN])
{
	size_t	 off = 0;
	int	 i;

	out[off++] = version;
	memcpy(out + off, identity, CLIENT_KEY_LEN);
	off += CLIENT_KEY_LEN;
	memcpy(out + off, addr_ct, CLIENT_AUTH_CT_LEN);
	off += CLIENT_AUTH_CT_LEN;
	memcpy(out + off, nonce, CLIENT_NONCE_LEN);
	off += CLIENT_NONCE_LEN;
	for (i = 0; i < 8; i++)
		out[off++] = (uint8_t)(ts >> (56 - 8 * i));
	return CLIENT_OK;
}

int
client_auth_v2_verify_signature(uint8_t version,
    const uint8_t identity[CLIENT_KEY_LEN], const uint8_t *addr_ct,
    size_t ctlen, const uint8_t *nonce, size_t noncelen, uint64_t ts,
    const uint8_t sig[CLIENT_SIG_LEN])
{
	uint8_t	 msg[CLIENT_AUTH_MSG_LEN];

	if (ctlen != CLIENT_AUTH_CT_LEN)
		return CLIENT_ERR_LENGTH;
	if (noncelen != CLIENT_NONCE_LEN)
		return CLIENT_ERR_NONCE_LEN;
	client_auth_v2_message(version, identity, addr_ct, nonce, ts, msg);
	if (crypto_sign_verify_detached(sig, msg, sizeof(msg), identity) != 0)
		return CLIENT_ERR_SIGNATURE;
	return CLIENT_OK;
}

int
client_auth_v2_verify_ciphertext(struct gwcrypto_aead *a,
    const uint8_t identity[CLIENT_KEY_LEN], const uint8_t *addr_ct,
    size_t ctlen, const uint8_t *nonce, size_t noncelen)
{
	uint8_t	 expect[CLIENT_AUTH_CT_LEN];

	if (noncelen != CLIENT_NONCE_LEN)
		return CLIENT_ERR_NONCE_LEN;
	if (ctlen != CLIENT_AUTH_CT_LEN)
		return CLIENT_ERR_ADDRESS_CT;
	if (gwcrypto_aead_seal(a, nonce, identity, CLIENT_KEY_LEN,
	    expect) == -1)
		return CLIENT_ERR_CRYPTO;
	if (sodium_memcmp(expect, addr_ct, sizeof(expect)) != 0)
		return CLIENT_ERR_ADDRESS_CT;
	return CLIENT_OK;
}

const char *
client_crypto_strerror(int err)
{
	switch (err) {
	case CLIENT_OK:
		return "ok";
	case CLIENT_ERR_LENGTH:
		return "handshake message has the wrong length";
	case CLIENT_ERR_DH:
		return "degenerate key exchange";
	case CLIENT_ERR_DECRYPT:
		return "failed to either encrypt or decrypt provided message";
	case CLIENT_ERR_SIGNATURE:
		return "received invalid signature";
	case CLIENT_ERR_FRAME_SHORT:
		return "the request is too short";
	case CLIENT_ERR_ENC_FLAG:
		return "the encryption flag had an unexpected value";
	case CLIENT_ERR_NONCE_LEN:
		return "the provided nonce did not have the expected length";
	case CLIENT_ERR_ADDRESS_CT:
		return "failed to verify provided address ciphertext";
	case CLIENT_ERR_CRYPTO:
		return "crypto library failure";
	case CLIENT_ERR_ARG:
		return "invalid argument";
	default:
		return "unknown error";
	}
}
