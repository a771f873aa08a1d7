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

const uint64_t	 bls_p[FP_LIMBS] = {
	0xb9feffffffffaaabULL, 0x1eabfffeb153ffffULL, 0x6730d2a0f6b0f624ULL,
	0x64774b84f38512bfULL, 0x4b1ba7b6434bacd7ULL, 0x1a0111ea397fe69aULL,
};

static uint64_t	 fp_minv;
static struct fp fp_r1, fp_r2;	/* R and R^2 mod p */
static uint64_t	 fp_e_inv[N];	/* p - 2 */
static uint64_t	 fp_e_sqrt[N];	/* (p + 1) / 4: p = 3 mod 4 */
static uint64_t	 fp_e_half[N];	/* (p - 1) / 2 */

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
	mont_mul(r->l, t.l, fp_r2.l, bls_p, fp_minv, N);
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
	mont_add(r->l, a->l, b->l, bls_p, N);
}

void
fp_sub(struct fp *r, const struct fp *a, const struct fp *b)
{
	mont_sub(r->l, a->l, b->l, bls_p, N);
}

void
fp_neg(struct fp *r, const struct fp *a)
{
	struct fp	 z = { { 0 } };

	fp_sub(r, &z, a);
}

void
fp_mul(struct fp *r, const struct fp *a, const struct fp *b)
{
	mont_mul(r->l, a->l, b->l, bls_p, fp_minv, N);
}

void
fp_sqr(struct fp *r, const struct fp *a)
{
	mont_mul(r->l, a->l, a->l, bls_p, fp_minv, N);
}

void
fp_pow(struct fp *r, const struct fp *a, const uint64_t *e, size_t n)
{
	struct fp	 acc, base = *a;
	size_t		 i = limbs_bits(e, n);

	fp_one(&acc);
	while (i-- > 0) {
		fp_sqr(&acc, &acc);
		if (limbs_bit(e, i))
			fp_mul(&acc, &acc, &base);
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
	mont_mul(out, a->l, one, bls_p, fp_minv, N);
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
	mont_mul(r->l, v, fp_r2.l, bls_p, fp_minv, N);
	return 0;
}

void
fp_to_bytes(uint8_t b[FP_BYTES], const struct fp *a)
{
	uint64_t	 v[N];

	fp_canonical(v, a);
	limbs_to_be(b, v, N);
}
