/*
 * Nym's bincode (ecash/lib.rs binary_serialiser: DefaultOptions, big
 * endian, varint integers) as a cursor over untrusted bytes.  Points and
 * scalars go through serdect, so each is a byte string with its own
 * varint length, which must be exactly the element's size.  A failed
 * read marks the cursor bad and every later read returns nothing, so
 * callers check once at the end.
 */
#include <string.h>

#include "ecash.h"

void
bincode_init(struct bincode *c, const uint8_t *p, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->p = p;
	c->left = len;
}

const uint8_t *
bincode_take(struct bincode *c, size_t n)
{
	const uint8_t	*p = c->p;

	if (c->bad || n > c->left) {
		c->bad = 1;
		return NULL;
	}
	c->p += n;
	c->left -= n;
	return p;
}

/* < 251 in one byte; 251, 252, 253 then a u16, u32, u64 big-endian. */
uint64_t
bincode_varint(struct bincode *c)
{
	const uint8_t	*p;
	uint64_t	 v = 0;
	size_t		 n, i;

	if ((p = bincode_take(c, 1)) == NULL)
		return 0;
	if (p[0] < 251)
		return p[0];
	if (p[0] > 253) {
		c->bad = 1;
		return 0;
	}
	n = (size_t)2 << (p[0] - 251);
	if ((p = bincode_take(c, n)) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

uint8_t
bincode_u8(struct bincode *c)
{
	const uint8_t	*p = bincode_take(c, 1);

	return p != NULL ? p[0] : 0;
}

size_t
bincode_vec(struct bincode *c, size_t max, const char *what)
{
	uint64_t	 n = bincode_varint(c);

	if (c->bad)
		return 0;
	if (n > max) {
		c->bad = 1;
		c->what = what;
		return 0;
	}
	return (size_t)n;
}

const uint8_t *
bincode_bytes(struct bincode *c, size_t n)
{
	if (bincode_varint(c) != n) {
		c->bad = 1;
		return NULL;
	}
	return bincode_take(c, n);
}

/* Note the first element refused; the cursor goes bad as well. */
static void
bincode_refuse(struct bincode *c, enum bls_decode why, const char *what)
{
	c->bad = 1;
	c->why = why;
	c->what = what;
}

void
bincode_g1(struct bincode *c, struct g1 *p, const char *what)
{
	const uint8_t	*b;
	enum bls_decode	 d;

	if ((b = bincode_bytes(c, G1_BYTES)) == NULL)
		return;
	if ((d = g1_decode(p, b)) != BLS_DECODE_OK)
		bincode_refuse(c, d, what);
}

void
bincode_g2(struct bincode *c, struct g2 *p, const char *what)
{
	const uint8_t	*b;
	enum bls_decode	 d;

	if ((b = bincode_bytes(c, G2_BYTES)) == NULL)
		return;
	if ((d = g2_decode(p, b)) != BLS_DECODE_OK)
		bincode_refuse(c, d, what);
}

void
bincode_fr(struct bincode *c, struct fr *s, const char *what)
{
	const uint8_t	*b;

	if ((b = bincode_bytes(c, FR_BYTES)) == NULL)
		return;
	if (fr_from_bytes(s, b) == -1)
		bincode_refuse(c, BLS_DECODE_RANGE, what);
}
