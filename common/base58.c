/*
 * Base58 by repeated division: keys are 32 bytes, so the quadratic cost
 * is nothing; what matters is that every bound is checked.
 */
#include <string.h>

#include "base58.h"

static const char b58_alphabet[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

int
base58_encode(const uint8_t *in, size_t inlen, char *out, size_t outmax)
{
	uint8_t	 digits[BASE58_ENCODED_MAX(256)];
	size_t	 zeros = 0, ndig = 0, i, j, len;

	if (inlen > 256)
		return -1;
	while (zeros < inlen && in[zeros] == 0)
		zeros++;
	for (i = zeros; i < inlen; i++) {
		unsigned carry = in[i];
		for (j = 0; j < ndig; j++) {
			carry += (unsigned)digits[j] << 8;
			digits[j] = carry % 58;
			carry /= 58;
		}
		while (carry > 0) {
			digits[ndig++] = carry % 58;
			carry /= 58;
		}
	}
	len = zeros + ndig;
	if (len + 1 > outmax)
		return -1;
	for (i = 0; i < zeros; i++)
		out[i] = '1';
	for (j = 0; j < ndig; j++)
		out[zeros + j] = b58_alphabet[digits[ndig - 1 - j]];
	out[len] = '\0';
	return (int)len;
}

int
base58_decode(const char *in, uint8_t *out, size_t outmax)
{
	uint8_t	 bytes[256];
	size_t	 inlen = strlen(in), zeros = 0, nbytes = 0, i, j;

	while (zeros < inlen && in[zeros] == '1')
		zeros++;
	for (i = zeros; i < inlen; i++) {
		const char *p = memchr(b58_alphabet, in[i], 58);
		unsigned carry;

		if (p == NULL || in[i] == '\0')
			return -1;
		carry = (unsigned)(p - b58_alphabet);
		for (j = 0; j < nbytes; j++) {
			carry += (unsigned)bytes[j] * 58;
			bytes[j] = carry & 0xff;
			carry >>= 8;
		}
		while (carry > 0) {
			if (nbytes == sizeof(bytes))
				return -1;
			bytes[nbytes++] = carry & 0xff;
			carry >>= 8;
		}
	}
	if (zeros + nbytes > outmax)
		return -1;
	memset(out, 0, zeros);
	for (j = 0; j < nbytes; j++)
		out[zeros + j] = bytes[nbytes - 1 - j];
	return (int)(zeros + nbytes);
}
