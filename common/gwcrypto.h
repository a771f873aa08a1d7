/*
 * Thin wrappers over libgcrypt, libsodium and BLAKE3's C sources: the
 * symmetric primitives Sphinx and the client channel need, with reusable
 * handles so the packet path allocates nothing.
 *
 *   HMAC-SHA256, HKDF-SHA256	libgcrypt HMAC (faster than libsodium's)
 *   AES-128-CTR		libgcrypt
 *   AES-256-GCM-SIV		libgcrypt >= 1.10 (RFC 8452)
 *   HMAC-BLAKE3, HKDF-BLAKE3	BLAKE3 C sources (64-byte block HMAC)
 *
 * X25519, ChaCha20, BLAKE2b and Ed25519 are called from libsodium directly.
 * Handles are not thread-safe: one per thread.
 */
#ifndef GW_GWCRYPTO_H
#define GW_GWCRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define GWCRYPTO_SHA256_LEN	32
#define GWCRYPTO_BLAKE3_LEN	32
#define GWCRYPTO_AES128_KEY_LEN	16
#define GWCRYPTO_AES_IV_LEN	16
#define GWCRYPTO_AEAD_KEY_LEN	32
#define GWCRYPTO_AEAD_NONCE_LEN	12
#define GWCRYPTO_AEAD_TAG_LEN	16

/*
 * Initialise libgcrypt (version check, no secure memory: the daemons lock
 * nothing and secure memory would only warn) and libsodium.  Idempotent;
 * call before any other function here.  Returns 0, or -1 if either
 * library is unusable.
 */
int	gwcrypto_init(void);

/* --- HMAC-SHA256 ------------------------------------------------------- */

struct gwcrypto_hmac;

/* A reusable HMAC-SHA256 handle; NULL on failure. */
struct gwcrypto_hmac *gwcrypto_hmac_new(void);
void	gwcrypto_hmac_free(struct gwcrypto_hmac *);
/* Set the key (any length, including 0).  Returns 0 or -1. */
int	gwcrypto_hmac_setkey(struct gwcrypto_hmac *, const uint8_t *key,
	    size_t keylen);
/*
 * out = HMAC(key, m1 || m2 || m3) under the handle's current key; any mN
 * may be NULL with length 0.  The handle stays keyed for the next call.
 * Returns 0 or -1.
 */
int	gwcrypto_hmac_mac(struct gwcrypto_hmac *, const uint8_t *m1,
	    size_t l1, const uint8_t *m2, size_t l2, const uint8_t *m3,
	    size_t l3, uint8_t out[GWCRYPTO_SHA256_LEN]);
/* One-shot HMAC-SHA256 (opens a handle: not for the packet path). */
int	gwcrypto_hmac_sha256(const uint8_t *key, size_t keylen,
	    const uint8_t *msg, size_t len, uint8_t out[GWCRYPTO_SHA256_LEN]);

/* --- HKDF-SHA256 (RFC 5869) ------------------------------------------- */

/*
 * HKDF with a salt handle already keyed with the salt (so a constant salt
 * is keyed once), and a work handle that is re-keyed with the PRK.
 * outlen <= 255 * 32.  Returns 0 or -1.
 */
int	gwcrypto_hkdf_sha256_ctx(struct gwcrypto_hmac *salt_keyed,
	    struct gwcrypto_hmac *work, const uint8_t *ikm, size_t ikmlen,
	    const uint8_t *info, size_t infolen, uint8_t *out, size_t outlen);
/* One-shot HKDF-SHA256 (opens handles: not for the packet path). */
int	gwcrypto_hkdf_sha256(const uint8_t *salt, size_t saltlen,
	    const uint8_t *ikm, size_t ikmlen, const uint8_t *info,
	    size_t infolen, uint8_t *out, size_t outlen);

/* --- AES-128-CTR ------------------------------------------------------- */

struct gwcrypto_aesctr;

struct gwcrypto_aesctr *gwcrypto_aesctr_new(void);
void	gwcrypto_aesctr_free(struct gwcrypto_aesctr *);
/*
 * out = in XOR AES-128-CTR(key, iv), the 16-byte iv being the initial
 * big-endian counter block.  in == NULL gives the bare keystream; in may
 * equal out.  Returns 0 or -1.
 */
int	gwcrypto_aes128_ctr(struct gwcrypto_aesctr *,
	    const uint8_t key[GWCRYPTO_AES128_KEY_LEN],
	    const uint8_t iv[GWCRYPTO_AES_IV_LEN], const uint8_t *in,
	    uint8_t *out, size_t len);

/* --- AES-256-GCM-SIV (RFC 8452), no associated data ------------------- */

struct gwcrypto_aead;

/* A handle keyed once with a 32-byte key; NULL on failure. */
struct gwcrypto_aead *gwcrypto_aead_new(const uint8_t key[GWCRYPTO_AEAD_KEY_LEN]);
/* Wipes the key schedule and frees. */
void	gwcrypto_aead_free(struct gwcrypto_aead *);
/* out (len + 16 bytes) = ciphertext || tag.  Returns 0 or -1. */
int	gwcrypto_aead_seal(struct gwcrypto_aead *,
	    const uint8_t nonce[GWCRYPTO_AEAD_NONCE_LEN], const uint8_t *pt,
	    size_t len, uint8_t *out);
/*
 * ct is ciphertext || tag, len >= 16; out receives len - 16 bytes.
 * Returns 0, or -1 if the tag does not verify (out is then zeroed).
 */
int	gwcrypto_aead_open(struct gwcrypto_aead *,
	    const uint8_t nonce[GWCRYPTO_AEAD_NONCE_LEN], const uint8_t *ct,
	    size_t len, uint8_t *out);

/* --- BLAKE3 HMAC / HKDF (Nym's client shared-key derivation) ---------- */

/* HMAC over BLAKE3 with a 64-byte block; keys over 64 bytes are hashed. */
void	gwcrypto_hmac_blake3(const uint8_t *key, size_t keylen,
	    const uint8_t *msg, size_t len, uint8_t out[GWCRYPTO_BLAKE3_LEN]);
/* HKDF (RFC 5869) over HMAC-BLAKE3; outlen <= 255 * 32.  0 or -1. */
int	gwcrypto_hkdf_blake3(const uint8_t *salt, size_t saltlen,
	    const uint8_t *ikm, size_t ikmlen, const uint8_t *info,
	    size_t infolen, uint8_t *out, size_t outlen);

#endif
