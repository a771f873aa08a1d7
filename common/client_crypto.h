/*
 * Cryptography of Nym's client <-> gateway WebSocket channel
 * (doc/spec/client-protocol.md sections 2, 3, 4.3): the registration
 * handshake's byte layouts and key derivation, the AES-256-GCM-SIV binary
 * frames, and the authenticateV2 checks.  The state machine, JSON and
 * storage belong to clientd; these are its building blocks.
 *
 * Keys: identities are Ed25519 (libsodium 64-byte secret keys, seed ||
 * public), ephemerals X25519.  The shared key is
 *	HKDF(HMAC-BLAKE3, salt = client salt, IKM = X25519(eph, peer eph),
 *	     info = "", L = 32)
 * and is the AES-256-GCM-SIV key for everything after the handshake.
 */
#ifndef GW_CLIENT_CRYPTO_H
#define GW_CLIENT_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

struct gwcrypto_aead;

#define CLIENT_KEY_LEN		32	/* shared key, X25519 and Ed25519 pub */
#define CLIENT_SIGN_SK_LEN	64	/* libsodium Ed25519 secret key */
#define CLIENT_SIG_LEN		64
#define CLIENT_SALT_LEN		16
#define CLIENT_NONCE_LEN	12
#define CLIENT_TAG_LEN		16
#define CLIENT_HS_INIT_LEN	80	/* id || G^x || salt */
#define CLIENT_HS_REPLY_LEN	124	/* G^y || AEAD(sig) || nonce */
#define CLIENT_HS_FINAL_LEN	92	/* AEAD(sig) || nonce */
#define CLIENT_HS_FINALIZE_OK	0x01	/* the gateway's last handshake byte */

/* Binary frames: kind || enc_flag || nonce || payload. */
#define CLIENT_FRAME_HDR_LEN	14
#define CLIENT_FRAME_OVERHEAD	(CLIENT_FRAME_HDR_LEN + CLIENT_TAG_LEN)
#define CLIENT_KIND_FORWARD_V1	1	/* client -> gateway, MixPacket v1 */
#define CLIENT_KIND_FORWARD_V2	2	/* client -> gateway, MixPacket v2 */
#define CLIENT_KIND_PUSHED	1	/* gateway -> client, final-hop message */

/* authenticateV2: version || identity || address ct || nonce || ts BE. */
#define CLIENT_AUTH_CT_LEN	(CLIENT_KEY_LEN + CLIENT_TAG_LEN)	/* 48 */
#define CLIENT_AUTH_MSG_LEN	(1 + CLIENT_KEY_LEN + CLIENT_AUTH_CT_LEN + \
				    CLIENT_NONCE_LEN + 8)		/* 101 */

enum client_crypto_err {
	CLIENT_OK = 0,
	CLIENT_ERR_LENGTH = -50,	/* handshake message of the wrong size */
	CLIENT_ERR_DH = -51,		/* degenerate X25519 result */
	CLIENT_ERR_DECRYPT = -52,	/* GCM-SIV tag did not verify */
	CLIENT_ERR_SIGNATURE = -53,	/* Ed25519 signature invalid */
	CLIENT_ERR_FRAME_SHORT = -54,	/* binary frame too short */
	CLIENT_ERR_ENC_FLAG = -55,	/* encryption flag not 0 or 1 */
	CLIENT_ERR_NONCE_LEN = -56,	/* nonce not 12 bytes */
	CLIENT_ERR_ADDRESS_CT = -57,	/* authenticateV2 ciphertext mismatch */
	CLIENT_ERR_CRYPTO = -58,	/* library failure */
	CLIENT_ERR_ARG = -59,		/* output buffer too small */
};

/* Handshake message 1, as the gateway reads it. */
struct client_hs_init {
	uint8_t		 identity[CLIENT_KEY_LEN];	/* client Ed25519 */
	uint8_t		 eph_pub[CLIENT_KEY_LEN];	/* G^x */
	uint8_t		 salt[CLIENT_SALT_LEN];
};

/* Parse message 1 (exactly 80 bytes).  CLIENT_OK or CLIENT_ERR_LENGTH. */
int	client_hs_parse_init(const uint8_t *data, size_t len,
	    struct client_hs_init *);
/* key = HKDF-BLAKE3(salt, X25519(own_sk, peer_pub)).  CLIENT_OK or error. */
int	client_hs_derive_key(const uint8_t own_eph_sk[CLIENT_KEY_LEN],
	    const uint8_t peer_eph_pub[CLIENT_KEY_LEN],
	    const uint8_t salt[CLIENT_SALT_LEN], uint8_t key[CLIENT_KEY_LEN]);
/*
 * Gateway side, message 2: derive key from the gateway's ephemeral secret
 * and write G^y || AEAD(key, nonce, Ed25519_sign(gw, G^y || G^x)) || nonce
 * into reply.  nonce: 12 fresh random bytes (fixed only in tests).
 */
int	client_hs_gateway_reply(const struct client_hs_init *,
	    const uint8_t gw_sign_sk[CLIENT_SIGN_SK_LEN],
	    const uint8_t gw_eph_sk[CLIENT_KEY_LEN],
	    const uint8_t nonce[CLIENT_NONCE_LEN], uint8_t key[CLIENT_KEY_LEN],
	    uint8_t reply[CLIENT_HS_REPLY_LEN]);
/*
 * Gateway side, message 3: decrypt and check the client's signature over
 * G^x || G^y with its identity key.  CLIENT_OK, CLIENT_ERR_LENGTH,
 * CLIENT_ERR_DECRYPT or CLIENT_ERR_SIGNATURE.
 */
int	client_hs_gateway_verify_final(const struct client_hs_init *,
	    const uint8_t key[CLIENT_KEY_LEN],
	    const uint8_t gw_eph_pub[CLIENT_KEY_LEN], const uint8_t *data,
	    size_t len);
/*
 * Client side (tests and test tools): message 1, then from message 2
 * (checked against the gateway identity) the key and message 3.
 */
int	client_hs_client_init(const uint8_t identity[CLIENT_KEY_LEN],
	    const uint8_t eph_sk[CLIENT_KEY_LEN],
	    const uint8_t salt[CLIENT_SALT_LEN],
	    uint8_t out[CLIENT_HS_INIT_LEN]);
int	client_hs_client_finish(const uint8_t client_sign_sk[CLIENT_SIGN_SK_LEN],
	    const uint8_t gw_identity[CLIENT_KEY_LEN],
	    const uint8_t eph_sk[CLIENT_KEY_LEN],
	    const uint8_t salt[CLIENT_SALT_LEN], const uint8_t *reply,
	    size_t replylen, const uint8_t nonce[CLIENT_NONCE_LEN],
	    uint8_t key[CLIENT_KEY_LEN], uint8_t out[CLIENT_HS_FINAL_LEN]);

/*
 * Binary frame: kind || 0x01 || nonce || GCM-SIV(pt), into out (len + 30
 * bytes).  Returns the frame length or a negative error.
 */
int	client_frame_seal(struct gwcrypto_aead *, uint8_t kind,
	    const uint8_t nonce[CLIENT_NONCE_LEN], const uint8_t *pt,
	    size_t len, uint8_t *out, size_t outlen);
/*
 * Open a binary frame: *kind and the plaintext in out (at most len - 14
 * bytes; *outlen set).  Flag 0 (plaintext after the 12 unused nonce bytes)
 * is accepted as Nym's parser does.  CLIENT_OK, CLIENT_ERR_FRAME_SHORT,
 * CLIENT_ERR_ENC_FLAG or CLIENT_ERR_DECRYPT.
 */
int	client_frame_open(struct gwcrypto_aead *, const uint8_t *frame,
	    size_t len, uint8_t *kind, uint8_t *out, size_t *outlen);

/* The 101 signed bytes of an authenticateV2 request (48-byte ct). */
int	client_auth_v2_message(uint8_t version,
	    const uint8_t identity[CLIENT_KEY_LEN],
	    const uint8_t addr_ct[CLIENT_AUTH_CT_LEN],
	    const uint8_t nonce[CLIENT_NONCE_LEN], uint64_t timestamp,
	    uint8_t out[CLIENT_AUTH_MSG_LEN]);
/*
 * Check 3 of authenticateV2: the signature over those bytes with the
 * client's identity.  CLIENT_OK, CLIENT_ERR_LENGTH (ct not 48 bytes),
 * CLIENT_ERR_NONCE_LEN or CLIENT_ERR_SIGNATURE.
 */
int	client_auth_v2_verify_signature(uint8_t version,
	    const uint8_t identity[CLIENT_KEY_LEN], const uint8_t *addr_ct,
	    size_t ctlen, const uint8_t *nonce, size_t noncelen,
	    uint64_t timestamp, const uint8_t sig[CLIENT_SIG_LEN]);
/*
 * Check 5: GCM-SIV(stored key, nonce, identity) equals addr_ct (constant
 * time; GCM-SIV is deterministic).  CLIENT_OK, CLIENT_ERR_NONCE_LEN or
 * CLIENT_ERR_ADDRESS_CT.
 */
int	client_auth_v2_verify_ciphertext(struct gwcrypto_aead *,
	    const uint8_t identity[CLIENT_KEY_LEN], const uint8_t *addr_ct,
	    size_t ctlen, const uint8_t *nonce, size_t noncelen);
const char *client_crypto_strerror(int);

#endif
