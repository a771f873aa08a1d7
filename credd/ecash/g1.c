/*
 * G1: the order-r subgroup of E(Fp), y^2 = x^3 + 4, and its ZCash
 * compressed encoding as zkcrypto's G1Affine::from_compressed reads it:
 * 48 bytes of x big-endian, whose top three bits are flags (bit 7
 * compressed, must be set; bit 6 infinity, then everything else zero;
 * bit 5 the sign: y is the larger of the two roots).  x >= p, a point
 * off the curve or outside the subgroup are all refused.
 */
#include <string.h>

#include "bls.h"
#include "mont.h"

#define FLAG_COMPRESSED	0x80
#define FLAG_INFINITY	0x40
#define FLAG_SIGN	0x20

/* r = 3 b a = 12 a, in additions. */
static void
g1_mul_b3(struct fp *r, const struct fp *a)
{
	struct fp	 t;

	fp_add(&t, a, a);
	fp_add(&t, &t, a);
	fp_add(&t, &t, &t);
	fp_add(r, &t, &t);
}

#define PT		struct g1
#define F_T		struct fp
#define PT_(op)		g1_##op
#define F_(op)		fp_##op
#define F_MUL_B3	g1_mul_b3
#include "curve.h"

enum bls_decode
g1_decode_unchecked(struct g1 *r, const uint8_t b[G1_BYTES])
{
	uint8_t		 xb[G1_BYTES];
	struct fp	 x, y, rhs, four;
	int		 inf = (b[0] & FLAG_INFINITY) != 0;
	int		 sign = (b[0] & FLAG_SIGN) != 0;

	if ((b[0] & FLAG_COMPRESSED) == 0)
		return BLS_DECODE_FLAGS;
	memcpy(xb, b, sizeof(xb));
	xb[0] &= 0x1f;
	if (fp_from_bytes(&x, xb) == -1)
		return BLS_DECODE_RANGE;
	if (inf) {
		if (sign || !fp_is_zero(&x))
			return BLS_DECODE_FLAGS;
		g1_infinity(r);
		return BLS_DECODE_OK;
	}
	fp_sqr(&rhs, &x);
	fp_mul(&rhs, &rhs, &x);
	fp_from_u64(&four, 4);
	fp_add(&rhs, &rhs, &four);
	if (fp_sqrt(&y, &rhs) == -1)
		return BLS_DECODE_CURVE;
	if (fp_is_lexlargest(&y) != sign)
		fp_neg(&y, &y);
	r->x = x;
	r->y = y;
	fp_one(&r->z);
	return BLS_DECODE_OK;
}

enum bls_decode
g1_decode(struct g1 *r, const uint8_t b[G1_BYTES])
{
	enum bls_decode	 d;

	if ((d = g1_decode_unchecked(r, b)) != BLS_DECODE_OK)
		return d;
	return g1_in_subgroup(r) ? BLS_DECODE_OK : BLS_DECODE_SUBGROUP;
}

void
g1_encode(uint8_t b[G1_BYTES], const struct g1 *a)
{
	struct fp	 x, y;

	if (g1_to_affine(&x, &y, a) == -1) {
		memset(b, 0, G1_BYTES);
		b[0] = FLAG_COMPRESSED | FLAG_INFINITY;
		return;
	}
	fp_to_bytes(b, &x);
	b[0] |= FLAG_COMPRESSED;
	if (fp_is_lexlargest(&y))
		b[0] |= FLAG_SIGN;
}
