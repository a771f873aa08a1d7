/*
 * The optimal ate pairing of BLS12-381: a Miller loop over the bits of
 * |x| (x = -0xd201000000010000) doubling Q on the twist and evaluating
 * each line at P, then the final exponentiation.
 *
 * Lines: with E'(Fp2) -> E(Fp12) the untwisting (x, y) -> (x / w^2,
 * y / w^3), the tangent at T = (X : Y : Z) evaluated at P = (xp, yp),
 * scaled by w^3 and by factors in Fp2 (which the final exponentiation
 * removes), is
 *	(Y^2 - 3b'Z^2) - 3X^2 xp w^2 + 2YZ yp w^3
 * and the chord through T and an affine Q = (xq, yq), with
 * t = Y - yq Z and l = X - xq Z,
 *	(t xq - l yq) - t xp w^2 + l yp w^3.
 * As w^2 = v and w^3 = v w, both land on the coefficients 1, v and v w
 * of Fp12, which fp12_mul_line multiplies by sparsely.
 *
 * The final exponentiation raises to 3 (p^12 - 1) / r, as zkcrypto,
 * noble and mcl do: the "easy" part (p^6 - 1)(p^2 + 1), then the hard
 * part through the factorisation of Hayashida, Hayasaka and Teruya
 * (2020):  3 (p^4 - p^2 + 1) / r = (x - 1)^2 (x + p)(x^2 + p^2 - 1) + 3.
 * After the easy part the value is unitary, so its inverse is its
 * conjugate and a power of the negative x is a conjugated power of |x|.
 */
#include "bls.h"
#include "mont.h"

/* Pairs per Miller loop pass; the products of the passes multiply. */
#define MILLER_CHUNK	8

struct miller_pair {
	struct fp	 xp, yp;
	struct fp2	 xq, yq;
	struct g2	 t;
};

static void
line_dbl(struct fp12 *f, struct miller_pair *m)
{
	struct fp2	 l0, l1, l4, t;

	fp2_sqr(&l0, &m->t.y);
	fp2_sqr(&t, &m->t.z);
	g2_mul_b3(&t, &t);
	fp2_sub(&l0, &l0, &t);
	fp2_sqr(&l1, &m->t.x);
	fp2_add(&t, &l1, &l1);
	fp2_add(&l1, &t, &l1);
	fp2_mul_fp(&l1, &l1, &m->xp);
	fp2_neg(&l1, &l1);
	fp2_mul(&l4, &m->t.y, &m->t.z);
	fp2_add(&l4, &l4, &l4);
	fp2_mul_fp(&l4, &l4, &m->yp);
	fp12_mul_line(f, &l0, &l1, &l4);
	g2_dbl(&m->t, &m->t);
}

static void
line_add(struct fp12 *f, struct miller_pair *m)
{
	struct fp2	 th, la, l0, l1, l4, t;
	struct g2	 q;

	fp2_mul(&th, &m->yq, &m->t.z);
	fp2_sub(&th, &m->t.y, &th);
	fp2_mul(&la, &m->xq, &m->t.z);
	fp2_sub(&la, &m->t.x, &la);
	fp2_mul(&l0, &th, &m->xq);
	fp2_mul(&t, &la, &m->yq);
	fp2_sub(&l0, &l0, &t);
	fp2_mul_fp(&l1, &th, &m->xp);
	fp2_neg(&l1, &l1);
	fp2_mul_fp(&l4, &la, &m->yp);
	fp12_mul_line(f, &l0, &l1, &l4);
	q.x = m->xq;
	q.y = m->yq;
	fp2_one(&q.z);
	g2_add(&m->t, &m->t, &q);
}

static void
miller_chunk(struct fp12 *f, const struct g1 *p, const struct g2 *q,
    size_t n)
{
	struct miller_pair	 m[MILLER_CHUNK];
	size_t			 i, k = 0;
	int			 bit;

	for (i = 0; i < n; i++) {
		if (g1_to_affine(&m[k].xp, &m[k].yp, &p[i]) == -1 ||
		    g2_to_affine(&m[k].xq, &m[k].yq, &q[i]) == -1)
			continue;	/* e(O, Q) = e(P, O) = 1 */
		m[k].t.x = m[k].xq;
		m[k].t.y = m[k].yq;
		fp2_one(&m[k].t.z);
		k++;
	}
	fp12_one(f);
	if (k == 0)
		return;
	for (bit = 62; bit >= 0; bit--) {
		fp12_sqr(f, f);
		for (i = 0; i < k; i++)
			line_dbl(f, &m[i]);
		if (BLS_X_ABS >> bit & 1)
			for (i = 0; i < k; i++)
				line_add(f, &m[i]);
	}
	/* x < 0: f_{x,Q} = 1 / f_{|x|,Q} up to what the exponent kills. */
	fp12_conj(f, f);
}

void
pairing_miller(struct fp12 *f, const struct g1 *p, const struct g2 *q,
    size_t n)
{
	struct fp12	 part;
	size_t		 m;

	fp12_one(f);
	while (n > 0) {
		m = n < MILLER_CHUNK ? n : MILLER_CHUNK;
		miller_chunk(&part, p, q, m);
		fp12_mul(f, f, &part);
		p += m;
		q += m;
		n -= m;
	}
}

/* a^x for a unitary a. */
static void
exp_by_x(struct fp12 *r, const struct fp12 *a)
{
	struct fp12	 acc = *a;
	int		 bit;

	for (bit = 62; bit >= 0; bit--) {
		fp12_cyclotomic_sqr(&acc, &acc);
		if (BLS_X_ABS >> bit & 1)
			fp12_mul(&acc, &acc, a);
	}
	fp12_conj(r, &acc);
}

void
pairing_final_exp(struct fp12 *r, const struct fp12 *f)
{
	struct fp12	 t, e, a, b, c, s;

	/* easy part: f^(p^6 - 1), then ^(p^2 + 1) */
	fp12_inv(&t, f);
	fp12_conj(&e, f);
	fp12_mul(&e, &e, &t);
	fp12_frobenius(&t, &e);
	fp12_frobenius(&t, &t);
	fp12_mul(&e, &t, &e);

	/* a = e^((x - 1)^2) */
	exp_by_x(&a, &e);
	fp12_conj(&t, &e);
	fp12_mul(&a, &a, &t);
	exp_by_x(&t, &a);
	fp12_conj(&a, &a);
	fp12_mul(&a, &t, &a);
	/* b = a^(x + p) */
	exp_by_x(&b, &a);
	fp12_frobenius(&t, &a);
	fp12_mul(&b, &b, &t);
	/* c = b^(x^2 + p^2 - 1) */
	exp_by_x(&c, &b);
	exp_by_x(&c, &c);
	fp12_frobenius(&t, &b);
	fp12_frobenius(&t, &t);
	fp12_mul(&c, &c, &t);
	fp12_conj(&t, &b);
	fp12_mul(&c, &c, &t);
	/* times e^3 */
	fp12_cyclotomic_sqr(&s, &e);
	fp12_mul(&s, &s, &e);
	fp12_mul(r, &c, &s);
}

void
pairing(struct fp12 *r, const struct g1 *p, const struct g2 *q)
{
	struct fp12	 f;

	pairing_miller(&f, p, q, 1);
	pairing_final_exp(r, &f);
}

int
pairing_product_is_one(const struct g1 *p, const struct g2 *q, size_t n)
{
	struct fp12	 f;

	pairing_miller(&f, p, q, n);
	pairing_final_exp(&f, &f);
	return fp12_is_one(&f);
}
