/*
 * Fp, the base field of BLS12-381: p is a 381-bit prime, an element six
 * limbs in Montgomery form (a stored as a R mod p, R = 2^384), so that
 * a product costs no division.  The constants that follow from p (R,
 * R^2, -p^-1, the exponents) are derived from it at start, not copied.
 */
#include <string.h>

#include "bls.h"
#include "mont.h"

#define N	FP_LIMBS

/*
 * The hot loop of every pairing, written out for six limbs: coarsely
 * integrated operand scanning with the spare-bit shortcut (p's top limb
 * is far below 2^63, so no seventh carry word is needed: Botrel and
 * El Housni, "EdMSM", 2022).  GCC keeps t0..t5 in registers this way; the
 * loop form in mont.h, which Fr uses, is about 1.7 times slower here.
 */
#define MAC(t, a, b)	do { acc = (mont_u128)(a) * (b) + (t) + c;	\
			    (t) = (uint64_t)acc;			\
			    c = (uint64_t)(acc >> 64); } while (0)
#define RED(d, t, mj)	do { acc = (mont_u128)q * (mj) + (t) + c;	\
			    (d) = (uint64_t)acc;			\
			    c = (uint64_t)(acc >> 64); } while (0)
#define ROUND(bi)	do {						\
	uint64_t	 b_ = (bi), hi;					\
	c = 0;								\
	MAC(t0, a[0], b_); MAC(t1, a[1], b_); MAC(t2, a[2], b_);	\
	MAC(t3, a[3], b_); MAC(t4, a[4], b_); MAC(t5, a[5], b_);	\
	hi = c;								\
	q = t0 * fp_minv;						\
	acc = (mont_u128)q * bls_p[0] + t0;				\
	c = (uint64_t)(acc >> 64);					\
	RED(t0, t1, bls_p[1]); RED(t1, t2, bls_p[2]);			\
	RED(t2, t3, bls_p[3]); RED(t3, t4, bls_p[4]);			\
	RED(t4, t5, bls_p[5]);						\
	t5 = hi + c;							\
} while (0)

const uint64_t	 bls_p[FP_LIMBS] = {
	0xb9feffffffffaaabULL, 0x1eabfffeb153ffffULL, 0x6730d2a0f6b0f624ULL,
	0x64774b84f38512bfULL, 0x4b1ba7b6434bacd7ULL, 0x1a0111ea397fe69aULL,
};

static uint64_t	 fp_minv;
static struct fp fp_r1, fp_r2;	/* R and R^2 mod p */
static uint64_t	 fp_e_inv[N];	/* p - 2 */
static uint64_t	 fp_e_sqrt[N];	/* (p + 1) / 4: p = 3 mod 4 */
static uint64_t	 fp_e_half[N];	/* (p - 1) / 2 */

/*
 * r = t - p if that does not borrow, else t (t < 2p on entry), in one
 * pass: additions are nearly a fifth of a pairing's time.
 */
static inline void
fp_reduce_once(uint64_t r[N], const uint64_t t[N])
{
	uint64_t	 s[N], borrow = 0;
	mont_u128	 d;
	size_t		 i;

	for (i = 0; i < N; i++) {
		d = (mont_u128)t[i] - bls_p[i] - borrow;
		s[i] = (uint64_t)d;
		borrow = (uint64_t)(d >> 64) & 1;
	}
	for (i = 0; i < N; i++)
		r[i] = borrow ? t[i] : s[i];
}

static void
fp_mont_mul(uint64_t r[N], const uint64_t a[N], const uint64_t b[N])
{
	uint64_t	 t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0, t5 = 0, c, q;
	uint64_t	 t[N];
	mont_u128	 acc;

	ROUND(b[0]);
	ROUND(b[1]);
	ROUND(b[2]);
	ROUND(b[3]);
	ROUND(b[4]);
	ROUND(b[5]);
	t[0] = t0;
	t[1] = t1;
	t[2] = t2;
	t[3] = t3;
	t[4] = t4;
	t[5] = t5;
	fp_reduce_once(r, t);
}

void
fp_init(void)
{
	uint64_t	 k[N] = { 0 };

	fp_minv = mont_minv(bls_p[0]);
	mont_pow2(fp_r1.l, 64 * N, bls_p, N);
	mont_pow2(fp_r2.l, 2 * 64 * N, bls_p, N);
	k[0] = 2;
	limbs_sub(fp_e_inv, bls_p, k, N);
	k[0] = 1;
	limbs_add(fp_e_sqrt, bls_p, k, N);
	limbs_shr(fp_e_sqrt, 2, N);
	limbs_sub(fp_e_half, bls_p, k, N);
	limbs_shr(fp_e_half, 1, N);
}

void
fp_zero(struct fp *r)
{
	memset(r, 0, sizeof(*r));
}

void
fp_one(struct fp *r)
{
	*r = fp_r1;
}

void
fp_from_u64(struct fp *r, uint64_t v)
{
	struct fp	 t = { { 0 } };

	t.l[0] = v;
	fp_mont_mul(r->l, t.l, fp_r2.l);
}

int
fp_is_zero(const struct fp *a)
{
	return limbs_is_zero(a->l, N);
}

int
fp_eq(const struct fp *a, const struct fp *b)
{
	return limbs_cmp(a->l, b->l, N) == 0;
}

void
fp_add(struct fp *r, const struct fp *a, const struct fp *b)
{
	uint64_t	 t[N];

	limbs_add(t, a->l, b->l, N);	/* < 2p < 2^384: no carry out */
	fp_reduce_once(r->l, t);
}

void
fp_sub(struct fp *r, const struct fp *a, const struct fp *b)
{
	if (limbs_sub(r->l, a->l, b->l, N))
		limbs_add(r->l, r->l, bls_p, N);
}

void
fp_neg(struct fp *r, const struct fp *a)
{
	struct fp	 z = { { 0 } };

	fp_sub(r, &z, a);
}

/*
 * For Fp2's products: the double-width product, and Montgomery's
 * reduction of one, so that a sum of products is reduced once (lazy
 * reduction).  a and b may be unreduced sums below 2p.
 */
void
fp_mul_wide(uint64_t t[2 * N], const uint64_t a[N], const uint64_t b[N])
{
	mont_u128	 acc;
	uint64_t	 c;
	size_t		 i, j;

	memset(t, 0, 2 * N * sizeof(*t));
	for (i = 0; i < N; i++) {
		c = 0;
		for (j = 0; j < N; j++) {
			acc = (mont_u128)a[j] * b[i] + t[i + j] + c;
			t[i + j] = (uint64_t)acc;
			c = (uint64_t)(acc >> 64);
		}
		t[i + N] = c;
	}
}

/* r = t R^-1 mod p, for t < p R (then r < 2p before the subtraction). */
void
fp_redc(struct fp *r, const uint64_t t0[2 * N])
{
	uint64_t	 t[2 * N], c, q, top = 0;
	mont_u128	 acc;
	size_t		 i, j;

	memcpy(t, t0, sizeof(t));
	for (i = 0; i < N; i++) {
		q = t[i] * fp_minv;
		c = 0;
		for (j = 0; j < N; j++) {
			acc = (mont_u128)q * bls_p[j] + t[i + j] + c;
			t[i + j] = (uint64_t)acc;
			c = (uint64_t)(acc >> 64);
		}
		acc = (mont_u128)t[i + N] + c + top;
		t[i + N] = (uint64_t)acc;
		top = (uint64_t)(acc >> 64);
	}
	fp_reduce_once(r->l, t + N);
}

void
fp_mul(struct fp *r, const struct fp *a, const struct fp *b)
{
	fp_mont_mul(r->l, a->l, b->l);
}

void
fp_sqr(struct fp *r, const struct fp *a)
{
	fp_mont_mul(r->l, a->l, a->l);
}

/* Fixed 4-bit windows: a sixth fewer products than bit by bit. */
void
fp_pow(struct fp *r, const struct fp *a, const uint64_t *e, size_t n)
{
	struct fp	 tab[16], acc;
	size_t		 w, j;
	unsigned	 d;

	fp_one(&tab[0]);
	tab[1] = *a;
	for (j = 2; j < 16; j++)
		fp_mul(&tab[j], &tab[j - 1], a);
	acc = tab[0];
	for (w = (limbs_bits(e, n) + 3) / 4; w-- > 0;) {
		for (j = 0; j < 4; j++)
			fp_sqr(&acc, &acc);
		d = (unsigned)(e[w / 16] >> (4 * (w % 16))) & 15;
		if (d != 0)
			fp_mul(&acc, &acc, &tab[d]);
	}
	*r = acc;
}

/* Fermat: a^(p-2).  A handful per verification; speed is no concern. */
void
fp_inv(struct fp *r, const struct fp *a)
{
	fp_pow(r, a, fp_e_inv, N);
}

int
fp_sqrt(struct fp *r, const struct fp *a)
{
	struct fp	 s, chk;

	fp_pow(&s, a, fp_e_sqrt, N);
	fp_sqr(&chk, &s);
	if (!fp_eq(&chk, a))
		return -1;
	*r = s;
	return 0;
}

static void
fp_canonical(uint64_t out[N], const struct fp *a)
{
	uint64_t	 one[N] = { 1 };

	/* a R times 1, divided by R: a. */
	fp_mont_mul(out, a->l, one);
}

int
fp_is_lexlargest(const struct fp *a)
{
	uint64_t	 v[N];

	fp_canonical(v, a);
	return limbs_cmp(v, fp_e_half, N) > 0;
}

int
fp_from_bytes(struct fp *r, const uint8_t b[FP_BYTES])
{
	uint64_t	 v[N];

	limbs_from_be(v, b, N);
	if (limbs_cmp(v, bls_p, N) >= 0)
		return -1;
	fp_mont_mul(r->l, v, fp_r2.l);
	return 0;
}

void
fp_to_bytes(uint8_t b[FP_BYTES], const struct fp *a)
{
	uint64_t	 v[N];

	fp_canonical(v, a);
	limbs_to_be(b, v, N);
}
