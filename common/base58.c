/*
 * Base58 by repeated division: keys are 32 bytes and a wallet's
 * contract message a few kilobytes, so the quadratic cost is nothing;
 * what matters is that every bound is checked.
 */
#include <limits.h>
#include <string.h>

#include "base58.h"

static const char b58_alphabet[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/* Digits are built least significant first in out itself, as decode
 * does, so only the caller's buffer bounds the length. */
int
base58_encode(const uint8_t *in, size_t inlen, char *out, size_t outmax)
{
	size_t	 zeros = 0, ndig = 0, i, j;
	char	 t;

	if (inlen > INT_MAX / 2)
		return -1;
	while (zeros < inlen && in[zeros] == 0)
		zeros++;
	if (zeros + 1 > outmax)
		return -1;
	for (i = zeros; i < inlen; i++) {
		unsigned carry = in[i];

		for (j = 0; j < ndig; j++) {
			carry += (unsigned)(uint8_t)out[j] << 8;
			out[j] = (char)(carry % 58);
			carry /= 58;
		}
		while (carry > 0) {
			if (zeros + ndig + 1 >= outmax)
				return -1;
			out[ndig++] = (char)(carry % 58);
			carry /= 58;
		}
	}
	for (j = 0; j < ndig / 2; j++) {
		t = out[j];
		out[j] = out[ndig - 1 - j];
		out[ndig - 1 - j] = t;
	}
	memmove(out + zeros, out, ndig);
	for (i = 0; i < zeros; i++)
		out[i] = '1';
	for (j = 0; j < ndig; j++)
		out[zeros + j] = b58_alphabet[(uint8_t)out[zeros + j]];
	out[zeros + ndig] = '\0';
	return (int)(zeros + ndig);
}

/*
 * The number is built little-endian in out itself, so the only bound
 * is the caller's (a contract message runs to kilobytes), then turned
 * big-endian behind the leading zero bytes.
 */
int
base58_decode(const char *in, uint8_t *out, size_t outmax)
{
	size_t	 inlen = strlen(in), zeros = 0, nbytes = 0, i, j;
	uint8_t	 t;

	while (zeros < inlen && in[zeros] == '1')
		zeros++;
	if (zeros > outmax)
		return -1;
	for (i = zeros; i < inlen; i++) {
		const char *p = memchr(b58_alphabet, in[i], 58);
		unsigned carry;

		if (p == NULL || in[i] == '\0')
			return -1;
		carry = (unsigned)(p - b58_alphabet);
		for (j = 0; j < nbytes; j++) {
			carry += (unsigned)out[j] * 58;
			out[j] = carry & 0xff;
			carry >>= 8;
		}
		while (carry > 0) {
			if (zeros + nbytes == outmax || nbytes > INT_MAX)
				return -1;
			out[nbytes++] = carry & 0xff;
			carry >>= 8;
		}
	}
	for (j = 0; j < nbytes / 2; j++) {
		t = out[j];
		out[j] = out[nbytes - 1 - j];
		out[nbytes - 1 - j] = t;
	}
	memmove(out + zeros, out, nbytes);
	memset(out, 0, zeros);
	return (int)(zeros + nbytes);
}
