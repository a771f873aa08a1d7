/*
 * Fp2 = Fp[u] / (u^2 + 1), the field G2's coordinates live in; -1 is a
 * non-square in Fp because p = 3 mod 4.  The square root is what G2
 * decompression costs most.
 */
#include <string.h>

#include "bls.h"
#include "mont.h"

void
fp2_zero(struct fp2 *r)
{
	memset(r, 0, sizeof(*r));
}

void
fp2_one(struct fp2 *r)
{
	fp_one(&r->c0);
	fp_zero(&r->c1);
}

int
fp2_is_zero(const struct fp2 *a)
{
	return fp_is_zero(&a->c0) && fp_is_zero(&a->c1);
}

int
fp2_eq(const struct fp2 *a, const struct fp2 *b)
{
	return fp_eq(&a->c0, &b->c0) && fp_eq(&a->c1, &b->c1);
}

void
fp2_add(struct fp2 *r, const struct fp2 *a, const struct fp2 *b)
{
	fp_add(&r->c0, &a->c0, &b->c0);
	fp_add(&r->c1, &a->c1, &b->c1);
}

void
fp2_sub(struct fp2 *r, const struct fp2 *a, const struct fp2 *b)
{
	fp_sub(&r->c0, &a->c0, &b->c0);
	fp_sub(&r->c1, &a->c1, &b->c1);
}

void
fp2_neg(struct fp2 *r, const struct fp2 *a)
{
	fp_neg(&r->c0, &a->c0);
	fp_neg(&r->c1, &a->c1);
}

void
fp2_conj(struct fp2 *r, const struct fp2 *a)
{
	r->c0 = a->c0;
	fp_neg(&r->c1, &a->c1);
}

/*
 * Karatsuba, three Fp products instead of four, with one reduction per
 * coefficient instead of one per product:
 *   c0 = a0 b0 - a1 b1,  c1 = (a0 + a1)(b0 + b1) - a0 b0 - a1 b1.
 * c1 is a non-negative sum below 4 p^2; c0 gets p 2^384 added when it
 * would be negative, which keeps it below p R for the reduction.
 */
void
fp2_mul(struct fp2 *r, const struct fp2 *a, const struct fp2 *b)
{
	uint64_t	 t0[2 * FP_LIMBS], t1[2 * FP_LIMBS], s[2 * FP_LIMBS];
	uint64_t	 sa[FP_LIMBS], sb[FP_LIMBS];

	fp_mul_wide(t0, a->c0.l, b->c0.l);
	fp_mul_wide(t1, a->c1.l, b->c1.l);
	limbs_add(sa, a->c0.l, a->c1.l, FP_LIMBS);
	limbs_add(sb, b->c0.l, b->c1.l, FP_LIMBS);
	fp_mul_wide(s, sa, sb);
	limbs_sub(s, s, t0, 2 * FP_LIMBS);
	limbs_sub(s, s, t1, 2 * FP_LIMBS);
	fp_redc(&r->c1, s);
	if (limbs_sub(t0, t0, t1, 2 * FP_LIMBS))
		limbs_add(t0 + FP_LIMBS, t0 + FP_LIMBS, bls_p, FP_LIMBS);
	fp_redc(&r->c0, t0);
}

void
fp2_mul_fp(struct fp2 *r, const struct fp2 *a, const struct fp *b)
{
	fp_mul(&r->c0, &a->c0, b);
	fp_mul(&r->c1, &a->c1, b);
}

/* (a0 + a1 u)^2 = (a0 + a1)(a0 - a1) + 2 a0 a1 u. */
void
fp2_sqr(struct fp2 *r, const struct fp2 *a)
{
	struct fp	 s, d, m;

	fp_add(&s, &a->c0, &a->c1);
	fp_sub(&d, &a->c0, &a->c1);
	fp_mul(&m, &a->c0, &a->c1);
	fp_mul(&r->c0, &s, &d);
	fp_add(&r->c1, &m, &m);
}

/* (a0 + a1 u)(1 + u) = (a0 - a1) + (a0 + a1) u. */
void
fp2_mul_xi(struct fp2 *r, const struct fp2 *a)
{
	struct fp	 t;

	fp_sub(&t, &a->c0, &a->c1);
	fp_add(&r->c1, &a->c0, &a->c1);
	r->c0 = t;
}

/* 1 / a = conj(a) / (a0^2 + a1^2). */
void
fp2_inv(struct fp2 *r, const struct fp2 *a)
{
	struct fp	 n, t;

	fp_sqr(&n, &a->c0);
	fp_sqr(&t, &a->c1);
	fp_add(&n, &n, &t);
	fp_inv(&n, &n);
	fp_mul(&r->c0, &a->c0, &n);
	fp_mul(&t, &a->c1, &n);
	fp_neg(&r->c1, &t);
}

void
fp2_pow(struct fp2 *r, const struct fp2 *a, const uint64_t *e, size_t n)
{
	struct fp2	 acc, base = *a;
	size_t		 i = limbs_bits(e, n);

	fp2_one(&acc);
	while (i-- > 0) {
		fp2_sqr(&acc, &acc);
		if (limbs_bit(e, i))
			fp2_mul(&acc, &acc, &base);
	}
	*r = acc;
}

/*
 * Through the norm, with square roots in Fp only: for a = a0 + a1 u,
 * g = sqrt(a0^2 + a1^2) and d = (a0 +- g) / 2 (the sign that makes d a
 * square), sqrt(a) = sqrt(d) + a1 / (2 sqrt(d)) u.  Three or four Fp
 * exponentiations where the generic algorithm takes two in Fp2.  The
 * result is checked by squaring.
 */
int
fp2_sqrt(struct fp2 *r, const struct fp2 *a)
{
	struct fp	 n, t, d, half, x0, x1;
	struct fp2	 x, chk;

	if (fp_is_zero(&a->c1)) {
		/* a real: sqrt(a0), or sqrt(-a0) u */
		if (fp_sqrt(&x.c0, &a->c0) == 0) {
			fp_zero(&x.c1);
		} else {
			fp_neg(&t, &a->c0);
			if (fp_sqrt(&x.c1, &t) == -1)
				return -1;
			fp_zero(&x.c0);
		}
		*r = x;
		return 0;
	}
	fp_sqr(&n, &a->c0);
	fp_sqr(&t, &a->c1);
	fp_add(&n, &n, &t);
	if (fp_sqrt(&n, &n) == -1)
		return -1;	/* the norm is no square: neither is a */
	fp_from_u64(&half, 2);
	fp_inv(&half, &half);
	fp_add(&d, &a->c0, &n);
	fp_mul(&d, &d, &half);
	if (fp_sqrt(&x0, &d) == -1) {
		fp_sub(&d, &a->c0, &n);
		fp_mul(&d, &d, &half);
		if (fp_sqrt(&x0, &d) == -1)
			return -1;
	}
	fp_add(&t, &x0, &x0);
	fp_inv(&t, &t);
	fp_mul(&x1, &a->c1, &t);
	x.c0 = x0;
	x.c1 = x1;
	fp2_sqr(&chk, &x);
	if (!fp2_eq(&chk, a))
		return -1;
	*r = x;
	return 0;
}

int
fp2_is_lexlargest(const struct fp2 *a)
{
	if (!fp_is_zero(&a->c1))
		return fp_is_lexlargest(&a->c1);
	return fp_is_lexlargest(&a->c0);
}
