/*
 * The crypto wrappers against published vectors: RFC 4231 (HMAC-SHA256),
 * RFC 5869 (HKDF), SP 800-38A (AES-CTR), RFC 8452 (AES-256-GCM-SIV) and the
 * HMAC-BLAKE3 / HKDF-BLAKE3 values of client-protocol.md 10.2; plus
 * libgcrypt's GCM-SIV quirks (handle reuse, tag checking).
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "gwcrypto.h"
#include "testlib.h"

static int
hexeq(const uint8_t *got, const char *hex, size_t n)
{
	uint8_t	 want[512];
	size_t	 wl;

	if (t_unhex(hex, want, sizeof(want), &wl) == -1 || wl != n)
		return 0;
	if (memcmp(got, want, n) != 0) {
		t_hexdump_diff(got, want, n);
		return 0;
	}
	return 1;
}

static void
unhex(const char *hex, uint8_t *out, size_t n)
{
	size_t	 l;

	if (t_unhex(hex, out, n, &l) == -1 || l != n)
		memset(out, 0, n);
}

static void
test_hmac_hkdf(void)
{
	struct gwcrypto_hmac	*m;
	uint8_t			 out[64], ikm[22], salt[13], info[10];
	size_t			 i;

	T_BEGIN("HMAC-SHA256 RFC 4231 case 2, one-shot and reused handle");
	CHECK(gwcrypto_hmac_sha256((const uint8_t *)"Jefe", 4,
	    (const uint8_t *)"what do ya want for nothing?", 28, out) == 0);
	CHECK(hexeq(out, "5bdcc146bf60754e6a042426089575c75a003f089d273983"
	    "9dec58b964ec3843", 32));
	m = gwcrypto_hmac_new();
	CHECK(m != NULL && gwcrypto_hmac_setkey(m, (const uint8_t *)"Jefe",
	    4) == 0);
	for (i = 0; i < 3 && m != NULL; i++) {
		memset(out, 0, 32);
		CHECK(gwcrypto_hmac_mac(m, (const uint8_t *)"what do ya ", 11,
		    (const uint8_t *)"want for ", 9,
		    (const uint8_t *)"nothing?", 8, out) == 0);
		CHECK(hexeq(out, "5bdcc146bf60754e6a042426089575c75a003f089d2"
		    "739839dec58b964ec3843", 32));
	}
	gwcrypto_hmac_free(m);
	T_END();

	T_BEGIN("HKDF-SHA256 RFC 5869 cases 1 and 3 (empty salt)");
	memset(ikm, 0x0b, sizeof(ikm));
	for (i = 0; i < sizeof(salt); i++)
		salt[i] = (uint8_t)i;
	for (i = 0; i < sizeof(info); i++)
		info[i] = (uint8_t)(0xf0 + i);
	CHECK(gwcrypto_hkdf_sha256(salt, 13, ikm, 22, info, 10, out, 42) == 0);
	CHECK(hexeq(out, "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5d"
	    "b02d56ecc4c5bf34007208d5b887185865", 42));
	CHECK(gwcrypto_hkdf_sha256(NULL, 0, ikm, 22, NULL, 0, out, 42) == 0);
	CHECK(hexeq(out, "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3"
	    "454e5f3c738d2d9d201395faa4b61a96c8", 42));
	CHECK(gwcrypto_hkdf_sha256(NULL, 0, ikm, 22, NULL, 0, out,
	    255 * 32 + 1) == -1);
	T_END();
}

static void
test_aes_ctr(void)
{
	struct gwcrypto_aesctr	*a = gwcrypto_aesctr_new();
	uint8_t			 key[16], iv[16], buf[64], ks[64];

	T_BEGIN("AES-128-CTR SP 800-38A F.5.1, in place and keystream");
	unhex("2b7e151628aed2a6abf7158809cf4f3c", key, 16);
	unhex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff", iv, 16);
	unhex("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e"
	    "5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710",
	    buf, 64);
	CHECK(a != NULL);
	if (a != NULL) {
		CHECK(gwcrypto_aes128_ctr(a, key, iv, buf, buf, 64) == 0);
		CHECK(hexeq(buf, "874d6191b620e3261bef6864990db6ce9806f66b7970"
		    "fdff8617187bb9fffdff5ae4df3edbd5d35e5b4f09020db03eab1e031d"
		    "da2fbe03d1792170a0f3009cee", 64));
		CHECK(gwcrypto_aes128_ctr(a, key, iv, NULL, ks, 64) == 0);
		CHECK(hexeq(ks, "ec8cdf7398607cb0f2d21675ea9ea1e4362b7c3c6773"
		    "516318a077d7fc5073ae6a2cc3787889374fbeb4c81b17ba6c44e89c39"
		    "9ff0f198c6d40a31db156cabfe", 64));
	}
	gwcrypto_aesctr_free(a);
	T_END();
}

static void
test_gcm_siv(void)
{
	struct gwcrypto_aead	*a;
	uint8_t			 key[32], nonce[12], pt[64], ct[80], back[64];
	int			 i;

	gwcrypto_init();
	memset(key, 0, sizeof(key));
	key[0] = 1;
	memset(nonce, 0, sizeof(nonce));
	nonce[0] = 3;
	a = gwcrypto_aead_new(key);

	T_BEGIN("AES-256-GCM-SIV RFC 8452 C.2 (empty and 8-byte messages)");
	CHECK(a != NULL);
	if (a != NULL) {
		CHECK(gwcrypto_aead_seal(a, nonce, NULL, 0, ct) == 0);
		CHECK(hexeq(ct, "07f5f4169bbf55a8400cd47ea6fd400f", 16));
		memset(pt, 0, 8);
		pt[0] = 1;
		CHECK(gwcrypto_aead_seal(a, nonce, pt, 8, ct) == 0);
		CHECK(hexeq(ct, "c2ef328e5c71c83b843122130f7364b761e0b97427e3df"
		    "28", 24));
		CHECK(gwcrypto_aead_open(a, nonce, ct, 24, back) == 0 &&
		    memcmp(back, pt, 8) == 0);
	}
	T_END();

	T_BEGIN("GCM-SIV: reused handle, tampering caught by decrypt");
	for (i = 0; i < 4 && a != NULL; i++) {
		randombytes_buf(nonce, sizeof(nonce));
		randombytes_buf(pt, sizeof(pt));
		CHECK(gwcrypto_aead_seal(a, nonce, pt, 64, ct) == 0);
		CHECK(gwcrypto_aead_open(a, nonce, ct, 80, back) == 0 &&
		    memcmp(back, pt, 64) == 0);
		ct[79] ^= 1;		/* tag */
		CHECK(gwcrypto_aead_open(a, nonce, ct, 80, back) == -1);
		ct[79] ^= 1;
		ct[10] ^= 0x40;		/* ciphertext */
		CHECK(gwcrypto_aead_open(a, nonce, ct, 80, back) == -1);
		ct[10] ^= 0x40;
		nonce[0] ^= 1;		/* nonce */
		CHECK(gwcrypto_aead_open(a, nonce, ct, 80, back) == -1);
		nonce[0] ^= 1;
		/* A good message after failures still opens. */
		CHECK(gwcrypto_aead_open(a, nonce, ct, 80, back) == 0 &&
		    memcmp(back, pt, 64) == 0);
		CHECK(gwcrypto_aead_open(a, nonce, ct, 15, back) == -1);
	}
	T_END();
	gwcrypto_aead_free(a);
}

static void
test_blake3(void)
{
	uint8_t	 key[80], out[32], salt[16], dh[32];
	size_t	 i;

	T_BEGIN("HMAC-BLAKE3 (client-protocol 10.2: short and long keys)");
	for (i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	gwcrypto_hmac_blake3(key, 16, (const uint8_t *)"abc", 3, out);
	CHECK(hexeq(out, "74da1ab5a736f47d21da56476f26c3cc0ed2dcc35f1a3743aa"
	    "cb99ec89fe506a", 32));
	memset(key, 0xaa, 80);
	gwcrypto_hmac_blake3(key, 80, (const uint8_t *)"abc", 3, out);
	CHECK(hexeq(out, "a895e70234d7a1f8ce90f7607d9b37a9dcdf10aa6417f748e1"
	    "881c593fb3da60", 32));
	T_END();

	T_BEGIN("HKDF-BLAKE3 (client-protocol 10.2 shared key and PRK)");
	unhex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", salt, 16);
	unhex("ce22dd271d55b5ae6c91b2a901b0148821a3e9fefc3aabb8e6d725428f910"
	    "27b", dh, 32);
	gwcrypto_hmac_blake3(salt, 16, dh, 32, out);
	CHECK(hexeq(out, "156b1f4176cc4270a910526d2cf5553e89eadec2d30fb91db3"
	    "a96c295094f4af", 32));
	CHECK(gwcrypto_hkdf_blake3(salt, 16, dh, 32, NULL, 0, out, 32) == 0);
	CHECK(hexeq(out, "a2696c152abbba39899171bb6bbb37c61340caf4b0af66ab89"
	    "9b8af05fda2274", 32));
	T_END();
}

int
main(void)
{
	T_BEGIN("gwcrypto_init");
	CHECK(gwcrypto_init() == 0 && gwcrypto_init() == 0);
	T_END();
	test_hmac_hkdf();
	test_aes_ctr();
	test_gcm_siv();
	test_blake3();
	return t_done();
}
