/*
 * G2: the order-r subgroup of the twist E'(Fp2), y^2 = x^3 + 4(u + 1),
 * and its ZCash compressed encoding (zkcrypto's G2Affine::
 * from_compressed): 96 bytes, x.c1 then x.c0, each 48 bytes big-endian;
 * the flags are the top bits of the first byte, as in G1, and the sign
 * compares y.c1 first (y.c0 when y.c1 is zero).
 */
#include <string.h>

#include "bls.h"
#include "mont.h"

#define FLAG_COMPRESSED	0x80
#define FLAG_INFINITY	0x40
#define FLAG_SIGN	0x20

/* r = 3 b a = 12 (u + 1) a; the Miller loop's doubling line uses it. */
void
g2_mul_b3(struct fp2 *r, const struct fp2 *a)
{
	struct fp2	 t;

	fp2_mul_xi(&t, a);
	fp2_add(r, &t, &t);
	fp2_add(r, r, &t);
	fp2_add(r, r, r);
	fp2_add(r, r, r);
}

#define PT		struct g2
#define F_T		struct fp2
#define PT_(op)		g2_##op
#define F_(op)		fp2_##op
#define F_MUL_B3	g2_mul_b3
#include "curve.h"

enum bls_decode
g2_decode_unchecked(struct g2 *r, const uint8_t b[G2_BYTES])
{
	uint8_t		 xb[G1_BYTES];
	struct fp2	 x, y, rhs, b4;
	int		 inf = (b[0] & FLAG_INFINITY) != 0;
	int		 sign = (b[0] & FLAG_SIGN) != 0;

	if ((b[0] & FLAG_COMPRESSED) == 0)
		return BLS_DECODE_FLAGS;
	memcpy(xb, b, sizeof(xb));
	xb[0] &= 0x1f;
	if (fp_from_bytes(&x.c1, xb) == -1 ||
	    fp_from_bytes(&x.c0, b + FP_BYTES) == -1)
		return BLS_DECODE_RANGE;
	if (inf) {
		if (sign || !fp2_is_zero(&x))
			return BLS_DECODE_FLAGS;
		g2_infinity(r);
		return BLS_DECODE_OK;
	}
	fp2_sqr(&rhs, &x);
	fp2_mul(&rhs, &rhs, &x);
	fp_from_u64(&b4.c0, 4);
	fp_from_u64(&b4.c1, 4);
	fp2_add(&rhs, &rhs, &b4);
	if (fp2_sqrt(&y, &rhs) == -1)
		return BLS_DECODE_CURVE;
	if (fp2_is_lexlargest(&y) != sign)
		fp2_neg(&y, &y);
	r->x = x;
	r->y = y;
	fp2_one(&r->z);
	return BLS_DECODE_OK;
}

enum bls_decode
g2_decode(struct g2 *r, const uint8_t b[G2_BYTES])
{
	enum bls_decode	 d;

	if ((d = g2_decode_unchecked(r, b)) != BLS_DECODE_OK)
		return d;
	return g2_in_subgroup(r) ? BLS_DECODE_OK : BLS_DECODE_SUBGROUP;
}

void
g2_encode(uint8_t b[G2_BYTES], const struct g2 *a)
{
	struct fp2	 x, y;

	if (g2_to_affine(&x, &y, a) == -1) {
		memset(b, 0, G2_BYTES);
		b[0] = FLAG_COMPRESSED | FLAG_INFINITY;
		return;
	}
	fp_to_bytes(b, &x.c1);
	fp_to_bytes(b + FP_BYTES, &x.c0);
	b[0] |= FLAG_COMPRESSED;
	if (fp2_is_lexlargest(&y))
		b[0] |= FLAG_SIGN;
}
