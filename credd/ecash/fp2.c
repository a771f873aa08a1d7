/*
 * Fp2 = Fp[u] / (u^2 + 1), the field G2's coordinates live in; -1 is a
 * non-square in Fp because p = 3 mod 4.  The square root (G2
 * decompression) is Algorithm 9 of Adj and Rodriguez-Henriquez, "Square
 * root computation over even extension fields" (2014), for p = 3 mod 4,
 * with its result checked by squaring.
 */
#include <string.h>

#include "bls.h"
#include "mont.h"

static uint64_t	 e_p3_4[FP_LIMBS];	/* (p - 3) / 4 */
static uint64_t	 e_p1_2[FP_LIMBS];	/* (p - 1) / 2 */
static int	 fp2_ready;

static void
fp2_init(void)
{
	uint64_t	 k[FP_LIMBS] = { 3 };

	limbs_sub(e_p3_4, bls_p, k, FP_LIMBS);
	limbs_shr(e_p3_4, 2, FP_LIMBS);
	k[0] = 1;
	limbs_sub(e_p1_2, bls_p, k, FP_LIMBS);
	limbs_shr(e_p1_2, 1, FP_LIMBS);
	fp2_ready = 1;
}

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

/* Karatsuba: three Fp products instead of four. */
void
fp2_mul(struct fp2 *r, const struct fp2 *a, const struct fp2 *b)
{
	struct fp	 t0, t1, s, t;

	fp_mul(&t0, &a->c0, &b->c0);
	fp_mul(&t1, &a->c1, &b->c1);
	fp_add(&s, &a->c0, &a->c1);
	fp_add(&t, &b->c0, &b->c1);
	fp_mul(&s, &s, &t);
	fp_sub(&r->c0, &t0, &t1);
	fp_sub(&s, &s, &t0);
	fp_sub(&r->c1, &s, &t1);
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

int
fp2_sqrt(struct fp2 *r, const struct fp2 *a)
{
	struct fp2	 a1, alpha, x0, x, minus1, chk;

	if (!fp2_ready)
		fp2_init();
	if (fp2_is_zero(a)) {
		fp2_zero(r);
		return 0;
	}
	fp2_pow(&a1, a, e_p3_4, FP_LIMBS);
	fp2_sqr(&alpha, &a1);
	fp2_mul(&alpha, &alpha, a);
	fp2_mul(&x0, &a1, a);
	fp2_one(&minus1);
	fp2_neg(&minus1, &minus1);
	if (fp2_eq(&alpha, &minus1)) {
		/* x0 u */
		fp_neg(&x.c0, &x0.c1);
		x.c1 = x0.c0;
	} else {
		fp2_one(&chk);
		fp2_add(&alpha, &alpha, &chk);
		fp2_pow(&alpha, &alpha, e_p1_2, FP_LIMBS);
		fp2_mul(&x, &alpha, &x0);
	}
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
