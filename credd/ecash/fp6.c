/*
 * Fp6 = Fp2[v] / (v^3 - xi), xi = u + 1: the middle of the tower under
 * Fp12.  The Frobenius coefficients are powers of xi, computed once.
 */
#include "bls.h"
#include "mont.h"

/* xi^((p-1)/3) and xi^(2(p-1)/3): v^p = v xi^((p-1)/3). */
static struct fp2	 fp6_frob_v1, fp6_frob_v2;

void
fp6_init(void)
{
	uint64_t	 e[FP_LIMBS], one[FP_LIMBS] = { 1 };
	struct fp2	 xi;

	limbs_sub(e, bls_p, one, FP_LIMBS);
	limbs_div_small(e, 3, FP_LIMBS);
	fp_one(&xi.c0);
	fp_one(&xi.c1);
	fp2_pow(&fp6_frob_v1, &xi, e, FP_LIMBS);
	fp2_sqr(&fp6_frob_v2, &fp6_frob_v1);
}

void
fp6_zero(struct fp6 *r)
{
	fp2_zero(&r->c0);
	fp2_zero(&r->c1);
	fp2_zero(&r->c2);
}

void
fp6_one(struct fp6 *r)
{
	fp2_one(&r->c0);
	fp2_zero(&r->c1);
	fp2_zero(&r->c2);
}

void
fp6_add(struct fp6 *r, const struct fp6 *a, const struct fp6 *b)
{
	fp2_add(&r->c0, &a->c0, &b->c0);
	fp2_add(&r->c1, &a->c1, &b->c1);
	fp2_add(&r->c2, &a->c2, &b->c2);
}

void
fp6_sub(struct fp6 *r, const struct fp6 *a, const struct fp6 *b)
{
	fp2_sub(&r->c0, &a->c0, &b->c0);
	fp2_sub(&r->c1, &a->c1, &b->c1);
	fp2_sub(&r->c2, &a->c2, &b->c2);
}

void
fp6_neg(struct fp6 *r, const struct fp6 *a)
{
	fp2_neg(&r->c0, &a->c0);
	fp2_neg(&r->c1, &a->c1);
	fp2_neg(&r->c2, &a->c2);
}

/*
 * Karatsuba over three coefficients, v^3 = xi:
 *   c0 = a0 b0 + xi (a1 b2 + a2 b1)
 *   c1 = a0 b1 + a1 b0 + xi a2 b2
 *   c2 = a0 b2 + a1 b1 + a2 b0
 * each cross sum from one product of sums: six Fp2 products, not nine.
 */
void
fp6_mul(struct fp6 *r, const struct fp6 *a, const struct fp6 *b)
{
	struct fp2	 t0, t1, t2, s, t, c0, c1, c2;

	fp2_mul(&t0, &a->c0, &b->c0);
	fp2_mul(&t1, &a->c1, &b->c1);
	fp2_mul(&t2, &a->c2, &b->c2);

	fp2_add(&s, &a->c1, &a->c2);
	fp2_add(&t, &b->c1, &b->c2);
	fp2_mul(&c0, &s, &t);
	fp2_sub(&c0, &c0, &t1);
	fp2_sub(&c0, &c0, &t2);
	fp2_mul_xi(&c0, &c0);
	fp2_add(&c0, &c0, &t0);

	fp2_add(&s, &a->c0, &a->c1);
	fp2_add(&t, &b->c0, &b->c1);
	fp2_mul(&c1, &s, &t);
	fp2_sub(&c1, &c1, &t0);
	fp2_sub(&c1, &c1, &t1);
	fp2_mul_xi(&s, &t2);
	fp2_add(&c1, &c1, &s);

	fp2_add(&s, &a->c0, &a->c2);
	fp2_add(&t, &b->c0, &b->c2);
	fp2_mul(&c2, &s, &t);
	fp2_sub(&c2, &c2, &t0);
	fp2_sub(&c2, &c2, &t2);
	fp2_add(&c2, &c2, &t1);

	r->c0 = c0;
	r->c1 = c1;
	r->c2 = c2;
}

void
fp6_sqr(struct fp6 *r, const struct fp6 *a)
{
	fp6_mul(r, a, a);
}

/* (c0 + c1 v + c2 v^2) v = xi c2 + c0 v + c1 v^2. */
void
fp6_mul_v(struct fp6 *r, const struct fp6 *a)
{
	struct fp2	 t;

	fp2_mul_xi(&t, &a->c2);
	r->c2 = a->c1;
	r->c1 = a->c0;
	r->c0 = t;
}

/*
 * With A = a0^2 - xi a1 a2, B = xi a2^2 - a0 a1, C = a1^2 - a0 a2, the
 * product a (A + B v + C v^2) is the Fp2 value a0 A + xi (a2 B + a1 C).
 */
void
fp6_inv(struct fp6 *r, const struct fp6 *a)
{
	struct fp2	 A, B, C, t, n;

	fp2_sqr(&A, &a->c0);
	fp2_mul(&t, &a->c1, &a->c2);
	fp2_mul_xi(&t, &t);
	fp2_sub(&A, &A, &t);

	fp2_sqr(&B, &a->c2);
	fp2_mul_xi(&B, &B);
	fp2_mul(&t, &a->c0, &a->c1);
	fp2_sub(&B, &B, &t);

	fp2_sqr(&C, &a->c1);
	fp2_mul(&t, &a->c0, &a->c2);
	fp2_sub(&C, &C, &t);

	fp2_mul(&n, &a->c2, &B);
	fp2_mul(&t, &a->c1, &C);
	fp2_add(&n, &n, &t);
	fp2_mul_xi(&n, &n);
	fp2_mul(&t, &a->c0, &A);
	fp2_add(&n, &n, &t);
	fp2_inv(&n, &n);

	fp2_mul(&r->c0, &A, &n);
	fp2_mul(&r->c1, &B, &n);
	fp2_mul(&r->c2, &C, &n);
}

void
fp6_frobenius(struct fp6 *r, const struct fp6 *a)
{
	fp2_conj(&r->c0, &a->c0);
	fp2_conj(&r->c1, &a->c1);
	fp2_mul(&r->c1, &r->c1, &fp6_frob_v1);
	fp2_conj(&r->c2, &a->c2);
	fp2_mul(&r->c2, &r->c2, &fp6_frob_v2);
}

/* a (b0 + b1 v): the shape of the constant half of a Miller line. */
void
fp6_mul_by_01(struct fp6 *r, const struct fp6 *a, const struct fp2 *b0,
    const struct fp2 *b1)
{
	struct fp2	 c0, c1, c2, t;

	fp2_mul(&c0, &a->c2, b1);
	fp2_mul_xi(&c0, &c0);
	fp2_mul(&t, &a->c0, b0);
	fp2_add(&c0, &c0, &t);

	fp2_mul(&c1, &a->c0, b1);
	fp2_mul(&t, &a->c1, b0);
	fp2_add(&c1, &c1, &t);

	fp2_mul(&c2, &a->c1, b1);
	fp2_mul(&t, &a->c2, b0);
	fp2_add(&c2, &c2, &t);

	r->c0 = c0;
	r->c1 = c1;
	r->c2 = c2;
}

/* a b1 v. */
void
fp6_mul_by_1(struct fp6 *r, const struct fp6 *a, const struct fp2 *b1)
{
	struct fp2	 c0;

	fp2_mul(&c0, &a->c2, b1);
	fp2_mul_xi(&c0, &c0);
	fp2_mul(&r->c2, &a->c1, b1);
	fp2_mul(&r->c1, &a->c0, b1);
	r->c0 = c0;
}
