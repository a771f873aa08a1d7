/*
 * Fp12 = Fp6[w] / (w^2 - v), the target group GT's field, so w^6 = xi.
 * Besides the ring operations: the Frobenius map (final
 * exponentiation), the sparse product by a Miller line, and a byte form
 * for test vectors.
 */
#include "bls.h"
#include "mont.h"

/* xi^((p-1)/6): w^p = w xi^((p-1)/6). */
static struct fp2	 fp12_frob_w;

void
fp12_init(void)
{
	uint64_t	 e[FP_LIMBS], one[FP_LIMBS] = { 1 };
	struct fp2	 xi;

	fp6_init();
	limbs_sub(e, bls_p, one, FP_LIMBS);
	limbs_div_small(e, 6, FP_LIMBS);
	fp_one(&xi.c0);
	fp_one(&xi.c1);
	fp2_pow(&fp12_frob_w, &xi, e, FP_LIMBS);
}

void
fp12_one(struct fp12 *r)
{
	fp6_one(&r->c0);
	fp6_zero(&r->c1);
}

int
fp12_eq(const struct fp12 *a, const struct fp12 *b)
{
	return fp2_eq(&a->c0.c0, &b->c0.c0) && fp2_eq(&a->c0.c1, &b->c0.c1) &&
	    fp2_eq(&a->c0.c2, &b->c0.c2) && fp2_eq(&a->c1.c0, &b->c1.c0) &&
	    fp2_eq(&a->c1.c1, &b->c1.c1) && fp2_eq(&a->c1.c2, &b->c1.c2);
}

int
fp12_is_one(const struct fp12 *a)
{
	struct fp12	 one;

	fp12_one(&one);
	return fp12_eq(a, &one);
}

/* Karatsuba over w: c0 = a0 b0 + a1 b1 v, c1 = (a0+a1)(b0+b1) - ... */
void
fp12_mul(struct fp12 *r, const struct fp12 *a, const struct fp12 *b)
{
	struct fp6	 t0, t1, s, t;

	fp6_mul(&t0, &a->c0, &b->c0);
	fp6_mul(&t1, &a->c1, &b->c1);
	fp6_add(&s, &a->c0, &a->c1);
	fp6_add(&t, &b->c0, &b->c1);
	fp6_mul(&s, &s, &t);
	fp6_sub(&s, &s, &t0);
	fp6_sub(&r->c1, &s, &t1);
	fp6_mul_v(&t1, &t1);
	fp6_add(&r->c0, &t0, &t1);
}

/* (a0 + a1 w)^2: c0 = (a0 + a1)(a0 + v a1) - t - v t, c1 = 2t, t = a0 a1. */
void
fp12_sqr(struct fp12 *r, const struct fp12 *a)
{
	struct fp6	 t, s, u;

	fp6_mul(&t, &a->c0, &a->c1);
	fp6_add(&s, &a->c0, &a->c1);
	fp6_mul_v(&u, &a->c1);
	fp6_add(&u, &u, &a->c0);
	fp6_mul(&s, &s, &u);
	fp6_sub(&s, &s, &t);
	fp6_mul_v(&u, &t);
	fp6_sub(&r->c0, &s, &u);
	fp6_add(&r->c1, &t, &t);
}

/* (x + y z)^2 in Fp4 = Fp2[z] / (z^2 - xi). */
static void
fp4_sqr(struct fp2 *rx, struct fp2 *ry, const struct fp2 *x,
    const struct fp2 *y)
{
	struct fp2	 t0, t1, s;

	fp2_sqr(&t0, x);
	fp2_sqr(&t1, y);
	fp2_add(&s, x, y);
	fp2_sqr(&s, &s);
	fp2_sub(&s, &s, &t0);
	fp2_sub(ry, &s, &t1);
	fp2_mul_xi(&t1, &t1);
	fp2_add(rx, &t0, &t1);
}

/* 3 a + 2 s b, s = +1 or -1: the recombination of Granger-Scott. */
static void
gs_combine(struct fp2 *r, const struct fp2 *a, const struct fp2 *b, int s)
{
	struct fp2	 t;

	fp2_add(&t, a, a);
	fp2_add(&t, &t, a);
	if (s > 0) {
		fp2_add(&t, &t, b);
		fp2_add(r, &t, b);
	} else {
		fp2_sub(&t, &t, b);
		fp2_sub(r, &t, b);
	}
}

/*
 * Squaring in the cyclotomic subgroup (where every value sits after the
 * easy part of the final exponentiation): Granger and Scott, "Faster
 * squaring in the cyclotomic subgroup of sixth degree extensions" (PKC
 * 2010).  With z = w^3 (z^2 = xi), Fp12 = Fp4[w] / (w^3 - z) and a value
 * is A0 + A1 w + A2 w^2, A0 = c0.c0 + c1.c1 z, A1 = c1.c0 + c0.c2 z,
 * A2 = c0.c1 + c1.c2 z.  Then, with A' the conjugate over Fp2,
 *	A0 <- 3 A0^2 - 2 A0',  A1 <- 3 z A2^2 + 2 A1',  A2 <- 3 A1^2 - 2 A2'
 * costs nine Fp2 squarings, half a general squaring.
 */
void
fp12_cyclotomic_sqr(struct fp12 *r, const struct fp12 *a)
{
	struct fp2	 x0, y0, x1, y1, x2, y2;

	fp4_sqr(&x0, &y0, &a->c0.c0, &a->c1.c1);
	fp4_sqr(&x1, &y1, &a->c1.c0, &a->c0.c2);
	fp4_sqr(&x2, &y2, &a->c0.c1, &a->c1.c2);
	/* A0 */
	gs_combine(&r->c0.c0, &x0, &a->c0.c0, -1);
	gs_combine(&r->c1.c1, &y0, &a->c1.c1, 1);
	/* A1 = 3 z (x2 + y2 z) + 2 A1' = 3 xi y2 + 3 x2 z + ... */
	fp2_mul_xi(&y2, &y2);
	gs_combine(&r->c1.c0, &y2, &a->c1.c0, 1);
	gs_combine(&r->c0.c2, &x2, &a->c0.c2, -1);
	/* A2 */
	gs_combine(&r->c0.c1, &x1, &a->c0.c1, -1);
	gs_combine(&r->c1.c2, &y1, &a->c1.c2, 1);
}

void
fp12_conj(struct fp12 *r, const struct fp12 *a)
{
	r->c0 = a->c0;
	fp6_neg(&r->c1, &a->c1);
}

/* 1 / (a0 + a1 w) = (a0 - a1 w) / (a0^2 - v a1^2). */
void
fp12_inv(struct fp12 *r, const struct fp12 *a)
{
	struct fp6	 n, t;

	fp6_sqr(&n, &a->c0);
	fp6_sqr(&t, &a->c1);
	fp6_mul_v(&t, &t);
	fp6_sub(&n, &n, &t);
	fp6_inv(&n, &n);
	fp6_mul(&t, &a->c1, &n);
	fp6_mul(&r->c0, &a->c0, &n);
	fp6_neg(&r->c1, &t);
}

void
fp12_frobenius(struct fp12 *r, const struct fp12 *a)
{
	fp6_frobenius(&r->c0, &a->c0);
	fp6_frobenius(&r->c1, &a->c1);
	fp2_mul(&r->c1.c0, &r->c1.c0, &fp12_frob_w);
	fp2_mul(&r->c1.c1, &r->c1.c1, &fp12_frob_w);
	fp2_mul(&r->c1.c2, &r->c1.c2, &fp12_frob_w);
}

/*
 * a times (l0 + l1 v) + (l4 v) w, the same Karatsuba step as fp12_mul
 * but with both halves sparse: 13 Fp2 products instead of 18.
 */
void
fp12_mul_line(struct fp12 *r, const struct fp2 *l0, const struct fp2 *l1,
    const struct fp2 *l4)
{
	struct fp6	 t0, t1, s;
	struct fp2	 l14;

	fp6_mul_by_01(&t0, &r->c0, l0, l1);
	fp6_mul_by_1(&t1, &r->c1, l4);
	fp2_add(&l14, l1, l4);
	fp6_add(&s, &r->c0, &r->c1);
	fp6_mul_by_01(&s, &s, l0, &l14);
	fp6_sub(&s, &s, &t0);
	fp6_sub(&r->c1, &s, &t1);
	fp6_mul_v(&t1, &t1);
	fp6_add(&r->c0, &t0, &t1);
}

static struct fp *
fp12_coeff(struct fp12 *a, int i)
{
	struct fp6	*h = i < 6 ? &a->c0 : &a->c1;
	struct fp2	*c;

	i %= 6;
	c = i < 2 ? &h->c0 : i < 4 ? &h->c1 : &h->c2;
	return i % 2 == 0 ? &c->c0 : &c->c1;
}

void
fp12_to_bytes(uint8_t b[FP12_BYTES], const struct fp12 *a)
{
	struct fp12	 t = *a;
	int		 i;

	for (i = 0; i < 12; i++)
		fp_to_bytes(b + FP_BYTES * i, fp12_coeff(&t, i));
}

int
fp12_from_bytes(struct fp12 *r, const uint8_t b[FP12_BYTES])
{
	int	 i;

	for (i = 0; i < 12; i++)
		if (fp_from_bytes(fp12_coeff(r, i), b + FP_BYTES * i) == -1)
			return -1;
	return 0;
}
