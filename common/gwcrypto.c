/*
 * Wrappers over libgcrypt, libsodium and BLAKE3: see gwcrypto.h.  Only
 * constructions live here (HKDF, HMAC over BLAKE3); every primitive comes
 * from a library.
 */
#include <stdlib.h>
#include <string.h>

#include <gcrypt.h>
#include <sodium.h>

#include "blake3.h"
#include "gwcrypto.h"

/* The oldest libgcrypt with GCM-SIV. */
#define GWCRYPTO_GCRYPT_MIN	"1.10.0"
#define HMAC_BLOCK		64
#define HKDF_MAX_BLOCKS		255

struct gwcrypto_hmac {
	gcry_mac_hd_t	 h;
};

struct gwcrypto_aesctr {
	gcry_cipher_hd_t h;
};

struct gwcrypto_aead {
	gcry_cipher_hd_t h;
};

int
gwcrypto_init(void)
{
	static int	 done;

	if (done)
		return 0;
	if (sodium_init() < 0)
		return -1;
	if (!gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) {
		if (gcry_check_version(GWCRYPTO_GCRYPT_MIN) == NULL)
			return -1;
		/*
		 * Keys live in ordinary memory wiped with sodium_memzero;
		 * secure memory would need mlock limits we do not ask for.
		 */
		gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
		gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	}
	done = 1;
	return 0;
}

/* --- HMAC-SHA256 ------------------------------------------------------- */

struct gwcrypto_hmac *
gwcrypto_hmac_new(void)
{
	struct gwcrypto_hmac	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return NULL;
	if (gcry_mac_open(&m->h, GCRY_MAC_HMAC_SHA256, 0, NULL) != 0) {
		free(m);
		return NULL;
	}
	return m;
}

void
gwcrypto_hmac_free(struct gwcrypto_hmac *m)
{
	if (m == NULL)
		return;
	gcry_mac_close(m->h);
	free(m);
}

int
gwcrypto_hmac_setkey(struct gwcrypto_hmac *m, const uint8_t *key,
    size_t keylen)
{
	static const uint8_t	 zero[1];

	/*
	 * HMAC pads short keys with zeros, so the empty key (HKDF's
	 * default salt) is the same as a single zero byte, which libgcrypt
	 * accepts everywhere.
	 */
	if (keylen == 0) {
		key = zero;
		keylen = sizeof(zero);
	}
	return gcry_mac_setkey(m->h, key, keylen) == 0 ? 0 : -1;
}

int
gwcrypto_hmac_mac(struct gwcrypto_hmac *m, const uint8_t *m1, size_t l1,
    const uint8_t *m2, size_t l2, const uint8_t *m3, size_t l3,
    uint8_t out[GWCRYPTO_SHA256_LEN])
{
	size_t	 olen = GWCRYPTO_SHA256_LEN;
	int	 rc = 0;

	if ((l1 && gcry_mac_write(m->h, m1, l1) != 0) ||
	    (l2 && gcry_mac_write(m->h, m2, l2) != 0) ||
	    (l3 && gcry_mac_write(m->h, m3, l3) != 0) ||
	    gcry_mac_read(m->h, out, &olen) != 0 ||
	    olen != GWCRYPTO_SHA256_LEN)
		rc = -1;
	/* Back to the keyed state (libgcrypt keeps the padded key). */
	if (gcry_mac_reset(m->h) != 0)
		rc = -1;
	return rc;
}

int
gwcrypto_hmac_sha256(const uint8_t *key, size_t keylen, const uint8_t *msg,
    size_t len, uint8_t out[GWCRYPTO_SHA256_LEN])
{
	struct gwcrypto_hmac	*m;
	int			 rc = -1;

	if ((m = gwcrypto_hmac_new()) == NULL)
		return -1;
	if (gwcrypto_hmac_setkey(m, key, keylen) == 0 &&
	    gwcrypto_hmac_mac(m, msg, len, NULL, 0, NULL, 0, out) == 0)
		rc = 0;
	gwcrypto_hmac_free(m);
	return rc;
}

/* --- HKDF-SHA256 ------------------------------------------------------- */

int
gwcrypto_hkdf_sha256_ctx(struct gwcrypto_hmac *salt_keyed,
    struct gwcrypto_hmac *work, const uint8_t *ikm, size_t ikmlen,
    const uint8_t *info, size_t infolen, uint8_t *out, size_t outlen)
{
	uint8_t	 prk[GWCRYPTO_SHA256_LEN], t[GWCRYPTO_SHA256_LEN];
	uint8_t	 ctr;
	size_t	 done, n, tlen = 0;
	int	 rc = -1;

	if (outlen > HKDF_MAX_BLOCKS * GWCRYPTO_SHA256_LEN)
		return -1;
	if (gwcrypto_hmac_mac(salt_keyed, ikm, ikmlen, NULL, 0, NULL, 0,
	    prk) == -1 || gwcrypto_hmac_setkey(work, prk, sizeof(prk)) == -1)
		goto out;
	for (done = 0, ctr = 1; done < outlen; done += n, ctr++) {
		/* T(i) = HMAC(PRK, T(i-1) || info || i), T(0) empty. */
		if (gwcrypto_hmac_mac(work, t, tlen, info, infolen, &ctr, 1,
		    t) == -1)
			goto out;
		tlen = sizeof(t);
		n = outlen - done < tlen ? outlen - done : tlen;
		memcpy(out + done, t, n);
	}
	rc = 0;
 out:
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t, sizeof(t));
	return rc;
}

int
gwcrypto_hkdf_sha256(const uint8_t *salt, size_t saltlen, const uint8_t *ikm,
    size_t ikmlen, const uint8_t *info, size_t infolen, uint8_t *out,
    size_t outlen)
{
	struct gwcrypto_hmac	*s, *w;
	int			 rc = -1;

	s = gwcrypto_hmac_new();
	w = gwcrypto_hmac_new();
	if (s != NULL && w != NULL && gwcrypto_hmac_setkey(s, salt,
	    saltlen) == 0)
		rc = gwcrypto_hkdf_sha256_ctx(s, w, ikm, ikmlen, info,
		    infolen, out, outlen);
	gwcrypto_hmac_free(s);
	gwcrypto_hmac_free(w);
	return rc;
}

/* --- AES-128-CTR ------------------------------------------------------- */

struct gwcrypto_aesctr *
gwcrypto_aesctr_new(void)
{
	struct gwcrypto_aesctr	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	if (gcry_cipher_open(&a->h, GCRY_CIPHER_AES128, GCRY_CIPHER_MODE_CTR,
	    0) != 0) {
		free(a);
		return NULL;
	}
	return a;
}

void
gwcrypto_aesctr_free(struct gwcrypto_aesctr *a)
{
	if (a == NULL)
		return;
	gcry_cipher_close(a->h);
	free(a);
}

int
gwcrypto_aes128_ctr(struct gwcrypto_aesctr *a,
    const uint8_t key[GWCRYPTO_AES128_KEY_LEN],
    const uint8_t iv[GWCRYPTO_AES_IV_LEN], const uint8_t *in, uint8_t *out,
    size_t len)
{
	gcry_error_t	 e;

	if (gcry_cipher_setkey(a->h, key, GWCRYPTO_AES128_KEY_LEN) != 0 ||
	    gcry_cipher_setctr(a->h, iv, GWCRYPTO_AES_IV_LEN) != 0)
		return -1;
	if (in == NULL) {
		memset(out, 0, len);
		e = gcry_cipher_encrypt(a->h, out, len, NULL, 0);
	} else if (in == out)
		e = gcry_cipher_encrypt(a->h, out, len, NULL, 0);
	else
		e = gcry_cipher_encrypt(a->h, out, len, in, len);
	return e == 0 ? 0 : -1;
}

/* --- AES-256-GCM-SIV --------------------------------------------------- */

struct gwcrypto_aead *
gwcrypto_aead_new(const uint8_t key[GWCRYPTO_AEAD_KEY_LEN])
{
	struct gwcrypto_aead	*a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NULL;
	if (gcry_cipher_open(&a->h, GCRY_CIPHER_AES256,
	    GCRY_CIPHER_MODE_GCM_SIV, 0) != 0) {
		free(a);
		return NULL;
	}
	if (gcry_cipher_setkey(a->h, key, GWCRYPTO_AEAD_KEY_LEN) != 0) {
		gcry_cipher_close(a->h);
		free(a);
		return NULL;
	}
	return a;
}

void
gwcrypto_aead_free(struct gwcrypto_aead *a)
{
	if (a == NULL)
		return;
	/* gcry_cipher_close wipes the context, key schedule included. */
	gcry_cipher_close(a->h);
	free(a);
}

/*
 * libgcrypt's GCM-SIV handle keeps per-message state: it must be reset
 * before every message, or the second one fails or is wrong.
 */
static int
aead_start(struct gwcrypto_aead *a, const uint8_t *nonce)
{
	if (gcry_cipher_reset(a->h) != 0 ||
	    gcry_cipher_setiv(a->h, nonce, GWCRYPTO_AEAD_NONCE_LEN) != 0)
		return -1;
	/* The whole message goes in one call. */
	if (gcry_cipher_final(a->h) != 0)
		return -1;
	return 0;
}

int
gwcrypto_aead_seal(struct gwcrypto_aead *a,
    const uint8_t nonce[GWCRYPTO_AEAD_NONCE_LEN], const uint8_t *pt,
    size_t len, uint8_t *out)
{
	if (aead_start(a, nonce) == -1)
		return -1;
	if (gcry_cipher_encrypt(a->h, out, len, pt, len) != 0 ||
	    gcry_cipher_gettag(a->h, out + len, GWCRYPTO_AEAD_TAG_LEN) != 0)
		return -1;
	return 0;
}

int
gwcrypto_aead_open(struct gwcrypto_aead *a,
    const uint8_t nonce[GWCRYPTO_AEAD_NONCE_LEN], const uint8_t *ct,
    size_t len, uint8_t *out)
{
	uint8_t	 tag[GWCRYPTO_AEAD_TAG_LEN];
	size_t	 ptlen;

	if (len < GWCRYPTO_AEAD_TAG_LEN)
		return -1;
	ptlen = len - GWCRYPTO_AEAD_TAG_LEN;
	/* A copy: libgcrypt's macro casts the const away. */
	memcpy(tag, ct + ptlen, sizeof(tag));
	if (aead_start(a, nonce) == -1 ||
	    gcry_cipher_set_decryption_tag(a->h, tag, sizeof(tag)) != 0)
		return -1;
	/*
	 * Authenticity comes from decrypt's return code (GPG_ERR_CHECKSUM on
	 * a bad tag); gcry_cipher_checktag after decrypting does not check
	 * anything in GCM-SIV mode with libgcrypt 1.10.
	 */
	if (gcry_cipher_decrypt(a->h, out, ptlen, ct, ptlen) != 0) {
		sodium_memzero(out, ptlen);
		return -1;
	}
	return 0;
}

/* --- BLAKE3 HMAC / HKDF ------------------------------------------------ */

static void
hmac_blake3_parts(const uint8_t *key, size_t keylen, const uint8_t **part,
    const size_t *plen, size_t nparts, uint8_t out[GWCRYPTO_BLAKE3_LEN])
{
	blake3_hasher	 h;
	uint8_t		 k[HMAC_BLOCK], pad[HMAC_BLOCK];
	uint8_t		 inner[GWCRYPTO_BLAKE3_LEN];
	size_t		 i;

	memset(k, 0, sizeof(k));
	if (keylen > HMAC_BLOCK) {
		blake3_hasher_init(&h);
		blake3_hasher_update(&h, key, keylen);
		blake3_hasher_finalize(&h, k, GWCRYPTO_BLAKE3_LEN);
	} else if (keylen > 0)
		memcpy(k, key, keylen);

	for (i = 0; i < HMAC_BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	blake3_hasher_init(&h);
	blake3_hasher_update(&h, pad, sizeof(pad));
	for (i = 0; i < nparts; i++)
		if (plen[i] > 0)
			blake3_hasher_update(&h, part[i], plen[i]);
	blake3_hasher_finalize(&h, inner, sizeof(inner));

	for (i = 0; i < HMAC_BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	blake3_hasher_init(&h);
	blake3_hasher_update(&h, pad, sizeof(pad));
	blake3_hasher_update(&h, inner, sizeof(inner));
	blake3_hasher_finalize(&h, out, GWCRYPTO_BLAKE3_LEN);

	sodium_memzero(k, sizeof(k));
	sodium_memzero(pad, sizeof(pad));
	sodium_memzero(inner, sizeof(inner));
	sodium_memzero(&h, sizeof(h));
}

void
gwcrypto_hmac_blake3(const uint8_t *key, size_t keylen, const uint8_t *msg,
    size_t len, uint8_t out[GWCRYPTO_BLAKE3_LEN])
{
	hmac_blake3_parts(key, keylen, &msg, &len, 1, out);
}

int
gwcrypto_hkdf_blake3(const uint8_t *salt, size_t saltlen, const uint8_t *ikm,
    size_t ikmlen, const uint8_t *info, size_t infolen, uint8_t *out,
    size_t outlen)
{
	uint8_t		 prk[GWCRYPTO_BLAKE3_LEN], t[GWCRYPTO_BLAKE3_LEN];
	const uint8_t	*part[3];
	size_t		 plen[3], done, n;
	uint8_t		 ctr;

	if (outlen > HKDF_MAX_BLOCKS * GWCRYPTO_BLAKE3_LEN)
		return -1;
	gwcrypto_hmac_blake3(salt, saltlen, ikm, ikmlen, prk);
	part[0] = t;
	plen[0] = 0;
	part[1] = info;
	plen[1] = infolen;
	part[2] = &ctr;
	plen[2] = 1;
	for (done = 0, ctr = 1; done < outlen; done += n, ctr++) {
		hmac_blake3_parts(prk, sizeof(prk), part, plen, 3, t);
		plen[0] = sizeof(t);
		n = outlen - done < sizeof(t) ? outlen - done : sizeof(t);
		memcpy(out + done, t, n);
	}
	sodium_memzero(prk, sizeof(prk));
	sodium_memzero(t, sizeof(t));
	return 0;
}
