/* Bitcoin-alphabet base58, as Nym prints keys and addresses. */
#ifndef GW_BASE58_H
#define GW_BASE58_H

#include <stddef.h>
#include <stdint.h>

/* Longest encoding of n bytes, plus the NUL. */
#define BASE58_ENCODED_MAX(n)	((n) * 138 / 100 + 2)

/* Returns the string length, or -1 if out is too small. */
int	base58_encode(const uint8_t *in, size_t inlen, char *out,
	    size_t outmax);
/* Returns the decoded length, or -1 on a bad character or overflow. */
int	base58_decode(const char *in, uint8_t *out, size_t outmax);

#endif
