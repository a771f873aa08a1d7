/*
 * Noise_XKpsk3_25519_AESGCM_SHA256: HandshakeState, SymmetricState and
 * CipherState as the Noise specification (revision 34) defines them,
 * over library primitives only.  See noise.h for the pattern.
 */
#include <string.h>

#include <gcrypt.h>
#include <sodium.h>

#include "gwcrypto.h"
#include "noise.h"

#define NONCE_LEN	12

/* --- CipherState ------------------------------------------------------ */

static int
cs_open(struct noise_cs *cs)
{
	gcry_cipher_hd_t	 h;

	if (cs->gcm != NULL)
		return NOISE_OK;
	if (gcry_cipher_open(&h, GCRY_CIPHER_AES256, GCRY_CIPHER_MODE_GCM,
	    0) != 0)
		return NOISE_E_CRYPTO;
	cs->gcm = h;
	return NOISE_OK;
}

/* InitializeKey(k): the key goes into the handle and nowhere else. */
static int
cs_init_key(struct noise_cs *cs, const uint8_t k[NOISE_KEY_LEN])
{
	int	 rc;

	if ((rc = cs_open(cs)) != NOISE_OK)
		return rc;
	if (gcry_cipher_setkey(cs->gcm, k, NOISE_KEY_LEN) != 0)
		return NOISE_E_CRYPTO;
	cs->n = 0;
	cs->has_key = 1;
	return NOISE_OK;
}

void
noise_cs_free(struct noise_cs *cs)
{
	/* gcry_cipher_close wipes the key schedule before freeing it. */
	if (cs->gcm != NULL)
		gcry_cipher_close(cs->gcm);
	cs->gcm = NULL;
	cs->n = 0;
	cs->has_key = 0;
}

/* The AESGCM nonce layout: 4 zero bytes || 64-bit big-endian counter. */
static int
cs_start(struct noise_cs *cs, const uint8_t *ad, size_t adlen)
{
	uint8_t	 iv[NONCE_LEN];
	uint64_t n = cs->n;
	int	 i;

	/* 2^64 - 1 is reserved (rekey); reaching it means stop. */
	if (n == UINT64_MAX)
		return NOISE_E_NONCE;
	memset(iv, 0, 4);
	for (i = 11; i >= 4; i--, n >>= 8)
		iv[i] = n & 0xff;
	if (gcry_cipher_reset(cs->gcm) != 0 ||
	    gcry_cipher_setiv(cs->gcm, iv, sizeof(iv)) != 0)
		return NOISE_E_CRYPTO;
	if (adlen > 0 && gcry_cipher_authenticate(cs->gcm, ad, adlen) != 0)
		return NOISE_E_CRYPTO;
	return NOISE_OK;
}

/* EncryptWithAd; the caller has checked that out holds len + 16 bytes. */
static int
cs_seal(struct noise_cs *cs, const uint8_t *ad, size_t adlen,
    const uint8_t *pt, size_t len, uint8_t *out)
{
	gcry_error_t	 e = 0;
	int		 rc;

	if (!cs->has_key) {
		/* Noise: without a key the "ciphertext" is the plaintext. */
		if (len > 0 && pt != out)
			memmove(out, pt, len);
		return NOISE_OK;
	}
	if ((rc = cs_start(cs, ad, adlen)) != NOISE_OK)
		return rc;
	if (len > 0)
		e = pt == out ? gcry_cipher_encrypt(cs->gcm, out, len, NULL, 0) :
		    gcry_cipher_encrypt(cs->gcm, out, len, pt, len);
	if (e != 0 || gcry_cipher_gettag(cs->gcm, out + len,
	    NOISE_TAG_LEN) != 0)
		return NOISE_E_CRYPTO;
	cs->n++;
	return NOISE_OK;
}

/* DecryptWithAd; ct holds len bytes (>= 16 with a key), out len - 16. */
static int
cs_open_msg(struct noise_cs *cs, const uint8_t *ad, size_t adlen,
    const uint8_t *ct, size_t len, uint8_t *out)
{
	gcry_error_t	 e = 0;
	size_t		 plen;
	int		 rc;

	if (!cs->has_key) {
		if (len > 0 && ct != out)
			memmove(out, ct, len);
		return NOISE_OK;
	}
	if (len < NOISE_TAG_LEN)
		return NOISE_E_LEN;
	plen = len - NOISE_TAG_LEN;
	if ((rc = cs_start(cs, ad, adlen)) != NOISE_OK)
		return rc;
	if (plen > 0)
		e = ct == out ? gcry_cipher_decrypt(cs->gcm, out, plen, NULL, 0) :
		    gcry_cipher_decrypt(cs->gcm, out, plen, ct, plen);
	if (e != 0)
		return NOISE_E_CRYPTO;
	/* checktag compares in constant time. */
	e = gcry_cipher_checktag(cs->gcm, ct + plen, NOISE_TAG_LEN);
	if (e != 0) {
		if (plen > 0)
			sodium_memzero(out, plen);
		return gcry_err_code(e) == GPG_ERR_CHECKSUM ? NOISE_E_MAC :
		    NOISE_E_CRYPTO;
	}
	cs->n++;
	return NOISE_OK;
}

int
noise_cs_encrypt(struct noise_cs *cs, const uint8_t *pt, size_t len,
    uint8_t *out, size_t outmax, size_t *outlen)
{
	int	 rc;

	*outlen = 0;
	if (cs->gcm == NULL || !cs->has_key)
		return NOISE_E_STATE;
	if (len > NOISE_MAX_PLAINTEXT || outmax < len + NOISE_TAG_LEN)
		return NOISE_E_LEN;
	if ((rc = cs_seal(cs, NULL, 0, pt, len, out)) != NOISE_OK)
		return rc;
	*outlen = len + NOISE_TAG_LEN;
	return NOISE_OK;
}

int
noise_cs_decrypt(struct noise_cs *cs, const uint8_t *ct, size_t len,
    uint8_t *out, size_t outmax, size_t *outlen)
{
	int	 rc;

	*outlen = 0;
	if (cs->gcm == NULL || !cs->has_key)
		return NOISE_E_STATE;
	if (len < NOISE_TAG_LEN || len > NOISE_MAX_MSG ||
	    outmax < len - NOISE_TAG_LEN)
		return NOISE_E_LEN;
	if ((rc = cs_open_msg(cs, NULL, 0, ct, len, out)) != NOISE_OK)
		return rc;
	*outlen = len - NOISE_TAG_LEN;
	return NOISE_OK;
}

/* --- SymmetricState --------------------------------------------------- */

/* h = SHA-256(h || data) */
static int
ss_mix_hash(struct noise_hs *hs, const uint8_t *data, size_t len)
{
	gcry_buffer_t	 iov[2];

	memset(iov, 0, sizeof(iov));
	iov[0].data = hs->h;
	iov[0].len = NOISE_HASH_LEN;
	/* gcry_buffer_t is not const-qualified; the hash only reads it. */
	iov[1].data = (void *)(uintptr_t)data;
	iov[1].len = len;
	if (gcry_md_hash_buffers(GCRY_MD_SHA256, 0, hs->h, iov, 2) != 0)
		return NOISE_E_CRYPTO;
	return NOISE_OK;
}

/*
 * Noise's HKDF(ck, ikm, n) is RFC 5869 HKDF-SHA256 with salt = ck and
 * empty info, cut into n 32-byte outputs.
 */
static int
ss_hkdf(struct noise_hs *hs, const uint8_t *ikm, size_t ikmlen,
    uint8_t *out, size_t outlen)
{
	if (gwcrypto_hmac_setkey(hs->hk_salt, hs->ck, NOISE_HASH_LEN) == -1 ||
	    gwcrypto_hkdf_sha256_ctx(hs->hk_salt, hs->hk_work, ikm, ikmlen,
	    NULL, 0, out, outlen) == -1)
		return NOISE_E_CRYPTO;
	return NOISE_OK;
}

/* ck, temp_k = HKDF(ck, ikm, 2); InitializeKey(temp_k) */
static int
ss_mix_key(struct noise_hs *hs, const uint8_t *ikm, size_t ikmlen)
{
	uint8_t	 t[2 * NOISE_HASH_LEN];
	int	 rc;

	if ((rc = ss_hkdf(hs, ikm, ikmlen, t, sizeof(t))) == NOISE_OK) {
		memcpy(hs->ck, t, NOISE_HASH_LEN);
		rc = cs_init_key(&hs->cs, t + NOISE_HASH_LEN);
	}
	sodium_memzero(t, sizeof(t));
	return rc;
}

/* ck, temp_h, temp_k = HKDF(ck, ikm, 3); MixHash(temp_h); InitializeKey */
static int
ss_mix_key_and_hash(struct noise_hs *hs, const uint8_t *ikm, size_t ikmlen)
{
	uint8_t	 t[3 * NOISE_HASH_LEN];
	int	 rc;

	if ((rc = ss_hkdf(hs, ikm, ikmlen, t, sizeof(t))) == NOISE_OK) {
		memcpy(hs->ck, t, NOISE_HASH_LEN);
		if ((rc = ss_mix_hash(hs, t + NOISE_HASH_LEN,
		    NOISE_HASH_LEN)) == NOISE_OK)
			rc = cs_init_key(&hs->cs, t + 2 * NOISE_HASH_LEN);
	}
	sodium_memzero(t, sizeof(t));
	return rc;
}

/* out = EncryptWithAd(h, pt); MixHash(out).  out has room for the tag. */
static int
ss_encrypt_and_hash(struct noise_hs *hs, const uint8_t *pt, size_t len,
    uint8_t *out, size_t *outlen)
{
	int	 rc;

	if ((rc = cs_seal(&hs->cs, hs->h, NOISE_HASH_LEN, pt, len,
	    out)) != NOISE_OK)
		return rc;
	*outlen = len + (hs->cs.has_key ? NOISE_TAG_LEN : 0);
	return ss_mix_hash(hs, out, *outlen);
}

/*
 * out = DecryptWithAd(h, ct); MixHash(ct).  The hash is taken over the
 * ciphertext before decrypting, with the old h kept as the AD, so the
 * order of operations is the spec's even if ct and out were one buffer.
 */
static int
ss_decrypt_and_hash(struct noise_hs *hs, const uint8_t *ct, size_t len,
    uint8_t *out)
{
	uint8_t	 ad[NOISE_HASH_LEN];
	int	 rc;

	memcpy(ad, hs->h, sizeof(ad));
	if ((rc = ss_mix_hash(hs, ct, len)) == NOISE_OK)
		rc = cs_open_msg(&hs->cs, ad, sizeof(ad), ct, len, out);
	sodium_memzero(ad, sizeof(ad));
	return rc;
}

/* MixKey(DH(sk, pub)); an all-zero result means a low-order point. */
static int
ss_mix_dh(struct noise_hs *hs, const uint8_t sk[NOISE_KEY_LEN],
    const uint8_t pub[NOISE_KEY_LEN])
{
	uint8_t	 dh[NOISE_KEY_LEN];
	int	 rc;

	if (crypto_scalarmult(dh, sk, pub) != 0)
		rc = NOISE_E_KEY;
	else
		rc = ss_mix_key(hs, dh, sizeof(dh));
	sodium_memzero(dh, sizeof(dh));
	return rc;
}

/* --- HandshakeState --------------------------------------------------- */

int
noise_hs_init(struct noise_hs *hs, int initiator,
    const uint8_t s_sk[NOISE_KEY_LEN], const uint8_t *rs_pub,
    const uint8_t psk[NOISE_KEY_LEN], const uint8_t *prologue,
    size_t prologuelen)
{
	int	 rc;

	memset(hs, 0, sizeof(*hs));
	hs->failed = 1;		/* until fully initialised */
	/* XK: only the initiator knows the peer's static key up front. */
	if ((initiator != 0) != (rs_pub != NULL) ||
	    (prologue == NULL && prologuelen > 0))
		return NOISE_E_STATE;
	hs->initiator = initiator != 0;
	if ((hs->hk_salt = gwcrypto_hmac_new()) == NULL ||
	    (hs->hk_work = gwcrypto_hmac_new()) == NULL ||
	    cs_open(&hs->cs) != NOISE_OK)
		return NOISE_E_CRYPTO;

	memcpy(hs->s_sk, s_sk, NOISE_KEY_LEN);
	if (crypto_scalarmult_base(hs->s_pub, hs->s_sk) != 0)
		return NOISE_E_KEY;
	memcpy(hs->psk, psk, NOISE_KEY_LEN);
	if (rs_pub != NULL) {
		memcpy(hs->rs, rs_pub, NOISE_KEY_LEN);
		hs->has_rs = 1;
	}

	/*
	 * InitializeSymmetric: a name of at most HASHLEN bytes is padded,
	 * not hashed.  Ours is exactly 32 bytes, so h = the name itself.
	 */
	_Static_assert(sizeof(NOISE_PROTOCOL_NAME) - 1 <= NOISE_HASH_LEN,
	    "protocol name would have to be hashed");
	memcpy(hs->h, NOISE_PROTOCOL_NAME, sizeof(NOISE_PROTOCOL_NAME) - 1);
	memcpy(hs->ck, hs->h, NOISE_HASH_LEN);
	if ((rc = ss_mix_hash(hs, prologue, prologuelen)) != NOISE_OK)
		return rc;
	/* Pre-message "<- s": the responder's static public key. */
	if ((rc = ss_mix_hash(hs, initiator ? hs->rs : hs->s_pub,
	    NOISE_KEY_LEN)) != NOISE_OK)
		return rc;
	hs->failed = 0;
	return NOISE_OK;
}

void
noise_hs_free(struct noise_hs *hs)
{
	noise_cs_free(&hs->cs);
	gwcrypto_hmac_free(hs->hk_salt);
	gwcrypto_hmac_free(hs->hk_work);
	sodium_memzero(hs, sizeof(*hs));
}

int
noise_hs_set_ephemeral(struct noise_hs *hs, const uint8_t e_sk[NOISE_KEY_LEN])
{
	if (hs->failed || hs->has_e)
		return NOISE_E_STATE;
	memcpy(hs->e_sk, e_sk, NOISE_KEY_LEN);
	if (crypto_scalarmult_base(hs->e_pub, hs->e_sk) != 0)
		return NOISE_E_KEY;
	hs->has_e = 1;
	return NOISE_OK;
}

enum noise_hs_step
noise_hs_step(const struct noise_hs *hs)
{
	if (hs->failed || hs->msg > 3)
		return NOISE_HS_DEAD;
	if (hs->msg == 3)
		return NOISE_HS_SPLIT;
	/* Messages 0 and 2 go initiator -> responder. */
	return (hs->msg % 2 == 0) == hs->initiator ? NOISE_HS_WRITE :
	    NOISE_HS_READ;
}

/* Bytes a message carries besides its payload, by message index. */
static size_t
hs_overhead(int msg)
{
	return msg == 2 ? NOISE_MSG3_LEN : NOISE_MSG1_LEN;
}

/* Token "e" when writing: GENERATE_KEYPAIR, send, MixHash, MixKey (psk). */
static int
hs_write_e(struct noise_hs *hs, uint8_t *out)
{
	int	 rc;

	if (!hs->has_e) {
		randombytes_buf(hs->e_sk, NOISE_KEY_LEN);
		if (crypto_scalarmult_base(hs->e_pub, hs->e_sk) != 0)
			return NOISE_E_KEY;
		hs->has_e = 1;
	}
	memcpy(out, hs->e_pub, NOISE_KEY_LEN);
	if ((rc = ss_mix_hash(hs, hs->e_pub, NOISE_KEY_LEN)) != NOISE_OK)
		return rc;
	/* A psk pattern also mixes every ephemeral into the key. */
	return ss_mix_key(hs, hs->e_pub, NOISE_KEY_LEN);
}

/* Token "e" when reading. */
static int
hs_read_e(struct noise_hs *hs, const uint8_t *in)
{
	int	 rc;

	memcpy(hs->re, in, NOISE_KEY_LEN);
	if ((rc = ss_mix_hash(hs, hs->re, NOISE_KEY_LEN)) != NOISE_OK)
		return rc;
	return ss_mix_key(hs, hs->re, NOISE_KEY_LEN);
}

static int
hs_write_tokens(struct noise_hs *hs, uint8_t *out, size_t *off)
{
	size_t	 n;
	int	 rc;

	switch (hs->msg) {
	case 0:		/* -> e, es */
		if ((rc = hs_write_e(hs, out)) != NOISE_OK)
			return rc;
		*off = NOISE_KEY_LEN;
		return ss_mix_dh(hs, hs->e_sk, hs->rs);
	case 1:		/* <- e, ee */
		if ((rc = hs_write_e(hs, out)) != NOISE_OK)
			return rc;
		*off = NOISE_KEY_LEN;
		return ss_mix_dh(hs, hs->e_sk, hs->re);
	case 2:		/* -> s, se, psk */
		if ((rc = ss_encrypt_and_hash(hs, hs->s_pub, NOISE_KEY_LEN,
		    out, &n)) != NOISE_OK)
			return rc;
		*off = n;
		if ((rc = ss_mix_dh(hs, hs->s_sk, hs->re)) != NOISE_OK)
			return rc;
		return ss_mix_key_and_hash(hs, hs->psk, NOISE_KEY_LEN);
	}
	return NOISE_E_STATE;
}

static int
hs_read_tokens(struct noise_hs *hs, const uint8_t *in, size_t *off)
{
	int	 rc;

	switch (hs->msg) {
	case 0:		/* -> e, es */
		if ((rc = hs_read_e(hs, in)) != NOISE_OK)
			return rc;
		*off = NOISE_KEY_LEN;
		return ss_mix_dh(hs, hs->s_sk, hs->re);
	case 1:		/* <- e, ee */
		if ((rc = hs_read_e(hs, in)) != NOISE_OK)
			return rc;
		*off = NOISE_KEY_LEN;
		return ss_mix_dh(hs, hs->e_sk, hs->re);
	case 2:		/* -> s, se, psk */
		if ((rc = ss_decrypt_and_hash(hs, in,
		    NOISE_KEY_LEN + NOISE_TAG_LEN, hs->rs)) != NOISE_OK)
			return rc;
		hs->has_rs = 1;
		*off = NOISE_KEY_LEN + NOISE_TAG_LEN;
		if ((rc = ss_mix_dh(hs, hs->e_sk, hs->rs)) != NOISE_OK)
			return rc;
		return ss_mix_key_and_hash(hs, hs->psk, NOISE_KEY_LEN);
	}
	return NOISE_E_STATE;
}

int
noise_hs_write_message(struct noise_hs *hs, const uint8_t *payload,
    size_t len, uint8_t *out, size_t outmax, size_t *outlen)
{
	size_t	 off = 0, n = 0, need;
	int	 rc;

	*outlen = 0;
	if (noise_hs_step(hs) != NOISE_HS_WRITE)
		return NOISE_E_STATE;
	need = hs_overhead(hs->msg);
	if (len > NOISE_MAX_MSG - need || outmax < need + len)
		return NOISE_E_LEN;
	if ((rc = hs_write_tokens(hs, out, &off)) == NOISE_OK)
		rc = ss_encrypt_and_hash(hs, payload, len, out + off, &n);
	if (rc != NOISE_OK) {
		hs->failed = 1;
		sodium_memzero(out, need + len);
		return rc;
	}
	*outlen = off + n;
	hs->msg++;
	return NOISE_OK;
}

int
noise_hs_read_message(struct noise_hs *hs, const uint8_t *msg, size_t len,
    uint8_t *payload, size_t payloadmax, size_t *payloadlen)
{
	size_t	 off = 0, need, plen;
	int	 rc;

	*payloadlen = 0;
	if (noise_hs_step(hs) != NOISE_HS_READ)
		return NOISE_E_STATE;
	need = hs_overhead(hs->msg);
	if (len < need || len > NOISE_MAX_MSG) {
		hs->failed = 1;
		return NOISE_E_LEN;
	}
	plen = len - need;
	if (plen > payloadmax) {
		hs->failed = 1;
		return NOISE_E_LEN;
	}
	if ((rc = hs_read_tokens(hs, msg, &off)) == NOISE_OK)
		rc = ss_decrypt_and_hash(hs, msg + off, len - off, payload);
	if (rc != NOISE_OK) {
		hs->failed = 1;
		return rc;
	}
	*payloadlen = plen;
	hs->msg++;
	return NOISE_OK;
}

int
noise_hs_split(struct noise_hs *hs, struct noise_cs *send,
    struct noise_cs *recv)
{
	uint8_t	 t[2 * NOISE_HASH_LEN];
	int	 rc;

	memset(send, 0, sizeof(*send));
	memset(recv, 0, sizeof(*recv));
	if (noise_hs_step(hs) != NOISE_HS_SPLIT)
		return NOISE_E_STATE;
	/* k1 = initiator -> responder, k2 = responder -> initiator. */
	if ((rc = ss_hkdf(hs, NULL, 0, t, sizeof(t))) == NOISE_OK &&
	    (rc = cs_init_key(hs->initiator ? send : recv, t)) == NOISE_OK)
		rc = cs_init_key(hs->initiator ? recv : send,
		    t + NOISE_HASH_LEN);
	sodium_memzero(t, sizeof(t));
	if (rc != NOISE_OK) {
		noise_cs_free(send);
		noise_cs_free(recv);
	}
	/* Only h and rs stay useful; the key material goes now. */
	hs->msg = 4;
	sodium_memzero(hs->ck, sizeof(hs->ck));
	sodium_memzero(hs->s_sk, sizeof(hs->s_sk));
	sodium_memzero(hs->e_sk, sizeof(hs->e_sk));
	sodium_memzero(hs->psk, sizeof(hs->psk));
	noise_cs_free(&hs->cs);
	return rc;
}

void
noise_hs_handshake_hash(const struct noise_hs *hs, uint8_t out[NOISE_HASH_LEN])
{
	memcpy(out, hs->h, NOISE_HASH_LEN);
}

const uint8_t *
noise_hs_remote_static(const struct noise_hs *hs)
{
	return hs->has_rs ? hs->rs : NULL;
}

const char *
noise_strerror(int rc)
{
	switch (rc) {
	case NOISE_OK:		return "ok";
	case NOISE_E_MAC:	return "authentication failed";
	case NOISE_E_LEN:	return "bad length";
	case NOISE_E_STATE:	return "wrong state";
	case NOISE_E_KEY:	return "bad public key";
	case NOISE_E_NONCE:	return "nonce exhausted";
	case NOISE_E_CRYPTO:	return "crypto library failure";
	case NOISE_E_FRAME:	return "bad Noise frame";
	case NOISE_E_VERSION:	return "unsupported Noise version";
	}
	return "unknown error";
}
