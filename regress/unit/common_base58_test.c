/*
 * common/base58.c: Bitcoin-alphabet vectors, leading zeros, round trips
 * of random keys, rejected characters and every output bound.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "base58.h"
#include "testlib.h"
#include "util.h"

static const struct {
	const char	*hex;
	const char	*b58;
} vectors[] = {
	{ "", "" },
	{ "00", "1" },
	{ "0000", "11" },
	{ "000001", "112" },
	{ "01", "2" },
	{ "39", "z" },
	{ "3a", "21" },
	{ "ff", "5Q" },
	{ "0100", "5R" },
	{ "61", "2g" },
	{ "626262", "a3gV" },
	{ "636363", "aPEr" },
	{ "516b6fcd0f", "ABnLTmg" },
	{ "bf4f89001e670274dd", "3SEo3LWLoPntC" },
	{ "572e4794", "3EFU7m" },
	{ "ecac89cad93923c02321", "EJDM8drfXA6uyA" },
	{ "10c8511e", "Rt5zm" },
	{ "00000000000000000000", "1111111111" },
	{ "00eb15231dfceb60925886b67d065299925915aeb172c06647",
	    "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L" },
	{ "73696d706c792061206c6f6e6720737472696e67",
	    "2cFupjhnEsSn59qHXstmK2ffpLv2" },
	{ "68656c6c6f20776f726c64", "StV1DL6CwTryKyV" },
};

static void
test_vectors(void)
{
	size_t	 i;

	for (i = 0; i < nitems(vectors); i++) {
		char	 name[96], out[128];
		uint8_t	 bin[64], dec[64];
		size_t	 binlen;
		int	 n;

		snprintf(name, sizeof(name), "base58 vector \"%s\"",
		    vectors[i].b58);
		T_BEGIN(name);
		CHECK(t_unhex(vectors[i].hex, bin, sizeof(bin), &binlen) == 0);
		n = base58_encode(bin, binlen, out, sizeof(out));
		CHECKF(n == (int)strlen(vectors[i].b58) &&
		    strcmp(out, vectors[i].b58) == 0, "encode gave %d \"%s\"",
		    n, n >= 0 ? out : "");
		n = base58_decode(vectors[i].b58, dec, sizeof(dec));
		CHECKF(n == (int)binlen && memcmp(dec, bin, binlen) == 0,
		    "decode gave %d", n);
		T_END();
	}
}

static void
test_round_trip(void)
{
	T_BEGIN("base58 round trip: 1,000 random 32-byte keys");
	uint8_t	 key[32], back[32];
	char	 s[BASE58_ENCODED_MAX(32)];
	int	 i, n, bad = 0;

	for (i = 0; i < 1000; i++) {
		randombytes_buf(key, sizeof(key));
		if (i % 10 == 0)
			key[0] = 0;	/* leading zeros too */
		if (i % 100 == 0)
			key[1] = 0;
		n = base58_encode(key, sizeof(key), s, sizeof(s));
		if (n <= 0 || (size_t)n != strlen(s) || n > 45)
			bad++;
		else if (base58_decode(s, back, sizeof(back)) != 32 ||
		    memcmp(key, back, 32) != 0)
			bad++;
	}
	CHECKF(bad == 0, "%d keys failed", bad);
	T_END();

	T_BEGIN("base58 round trip: every length 0..256, zero-led and 0xff");
	uint8_t	 in[256], back[256];
	char	 s[BASE58_ENCODED_MAX(256)];
	size_t	 len;
	int	 bad = 0, n, z;

	for (z = 0; z < 3; z++) {
		for (len = 0; len <= sizeof(in); len++) {
			if (z == 0)
				randombytes_buf(in, len);
			else
				memset(in, z == 1 ? 0 : 0xff, len);
			n = base58_encode(in, len, s, sizeof(s));
			if (n < 0 || base58_decode(s, back, sizeof(back)) !=
			    (int)len || (len > 0 && memcmp(in, back, len) != 0))
				bad++;
		}
	}
	CHECKF(bad == 0, "%d lengths failed", bad);
	/* Only the output buffer bounds it: 256 bytes need more than 200's. */
	memset(in, 0xff, sizeof(in));
	CHECK(base58_encode(in, sizeof(in), s, BASE58_ENCODED_MAX(200)) == -1);
	T_END();
}

static void
test_reject(void)
{
	T_BEGIN("base58 decode rejects 0, O, I, l and non-alphabet bytes");
	static const char *const bad[] = {
		"0", "O", "I", "l", "1110", "abcO", "2I2", "zzl", " 2", "2 ",
		"+", "/", "=", "\x80", "\xff", "abc\n",
	};
	uint8_t	 out[64];
	size_t	 i;
	int	 fails = 0;

	for (i = 0; i < nitems(bad); i++)
		if (base58_decode(bad[i], out, sizeof(out)) != -1)
			fails++;
	CHECKF(fails == 0, "%d bad strings accepted", fails);
	T_END();

	T_BEGIN("base58 output bounds: exact fit ok, one less is -1");
	uint8_t	 key[32], dec[32];
	char	 s[BASE58_ENCODED_MAX(32)], small[64];
	int	 n;

	memset(key, 0xa5, sizeof(key));
	key[0] = 0;
	n = base58_encode(key, sizeof(key), s, sizeof(s));
	CHECK(n > 0);
	/* Encode: room for the string and its NUL, not one byte less. */
	CHECK(base58_encode(key, sizeof(key), small, (size_t)n + 1) == n &&
	    strcmp(small, s) == 0);
	CHECK(base58_encode(key, sizeof(key), small, (size_t)n) == -1);
	CHECK(base58_encode(key, 0, small, 0) == -1);
	CHECK(base58_encode(key, 0, small, 1) == 0 && small[0] == '\0');
	/* Decode: exactly 32 bytes fit, 31 do not. */
	CHECK(base58_decode(s, dec, sizeof(dec)) == 32);
	CHECK(base58_decode(s, dec, 31) == -1);
	CHECK(base58_decode("111", dec, 2) == -1);
	CHECK(base58_decode("111", dec, 3) == 3);
	CHECK(base58_decode("", dec, 0) == 0);
	T_END();

	T_BEGIN("base58 decode of an over-long string is -1, not overflow");
	char	*s = xmalloc(2001);
	uint8_t	 out[512];

	memset(s, 'z', 2000);
	s[2000] = '\0';
	/* 2000 digits are about 1465 bytes: past the 512-byte buffer. */
	CHECK(base58_decode(s, out, sizeof(out)) == -1);
	memset(s, '1', 2000);
	CHECK(base58_decode(s, out, sizeof(out)) == -1);
	free(s);
	T_END();

	/* A wallet's contract message is kilobytes (gatewayctl sign). */
	T_BEGIN("base58 round trip of 4 KiB, zero-led, bounded by the caller");
	uint8_t	*big = xmalloc(4096), *back = xmalloc(4097);
	char	*enc = xmalloc(BASE58_ENCODED_MAX(4096));
	size_t	 i;

	for (i = 0; i < 4096; i++)
		big[i] = (uint8_t)(i * 131 + 7);
	big[0] = big[1] = 0;
	CHECK(base58_encode(big, 4096, enc, BASE58_ENCODED_MAX(4096)) > 0);
	CHECK(strncmp(enc, "11", 2) == 0 && enc[2] != '1');
	CHECK(base58_decode(enc, back, 4097) == 4096);
	CHECK(memcmp(big, back, 4096) == 0);
	CHECK(base58_decode(enc, back, 4096) == 4096);
	CHECK(base58_decode(enc, back, 4095) == -1);
	free(big);
	free(back);
	free(enc);
	T_END();
}

int
main(void)
{
	if (sodium_init() < 0)
		abort();
	test_vectors();
	test_round_trip();
	test_reject();
	return t_done();
}
