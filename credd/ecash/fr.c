/*
 * Fr, the scalar field of BLS12-381 (r = the order of G1, G2 and GT, 255
 * bits): four limbs in Montgomery form, R = 2^256.  The zk-nym proof's
 * responses and challenge live here, and Nym's encodings of them:
 * canonical 32-byte little-endian (values >= r are refused, as
 * zkcrypto's Scalar::from_bytes does) and the 64-byte "wide" form
 * reduced mod r.
 */
#include <string.h>

#include "bls.h"
#include "mont.h"

#define N	FR_LIMBS

const uint64_t	 bls_r[FR_LIMBS] = {
	0xffffffff00000001ULL, 0x53bda402fffe5bfeULL, 0x3339d80809a1d805ULL,
	0x73eda753299d7d48ULL,
};

static uint64_t	 fr_minv;
static struct fr fr_r1, fr_r2, fr_r3;	/* R, R^2, R^3 mod r */

void
fr_init(void)
{
	fr_minv = mont_minv(bls_r[0]);
	mont_pow2(fr_r1.l, 64 * N, bls_r, N);
	mont_pow2(fr_r2.l, 2 * 64 * N, bls_r, N);
	mont_pow2(fr_r3.l, 3 * 64 * N, bls_r, N);
}

void
fr_zero(struct fr *r)
{
	memset(r, 0, sizeof(*r));
}

void
fr_one(struct fr *r)
{
	*r = fr_r1;
}

void
fr_from_u64(struct fr *r, uint64_t v)
{
	uint64_t	 t[N] = { v };

	mont_mul(r->l, t, fr_r2.l, bls_r, fr_minv, N);
}

int
fr_is_zero(const struct fr *a)
{
	return limbs_is_zero(a->l, N);
}

int
fr_eq(const struct fr *a, const struct fr *b)
{
	return limbs_cmp(a->l, b->l, N) == 0;
}

void
fr_add(struct fr *r, const struct fr *a, const struct fr *b)
{
	mont_add(r->l, a->l, b->l, bls_r, N);
}

void
fr_sub(struct fr *r, const struct fr *a, const struct fr *b)
{
	mont_sub(r->l, a->l, b->l, bls_r, N);
}

void
fr_neg(struct fr *r, const struct fr *a)
{
	struct fr	 z = { { 0 } };

	fr_sub(r, &z, a);
}

void
fr_mul(struct fr *r, const struct fr *a, const struct fr *b)
{
	mont_mul(r->l, a->l, b->l, bls_r, fr_minv, N);
}

int
fr_from_bytes(struct fr *r, const uint8_t b[FR_BYTES])
{
	uint64_t	 v[N];

	limbs_from_le(v, b, N);
	if (limbs_cmp(v, bls_r, N) >= 0)
		return -1;
	mont_mul(r->l, v, fr_r2.l, bls_r, fr_minv, N);
	return 0;
}

void
fr_to_limbs(uint64_t l[FR_LIMBS], const struct fr *a)
{
	uint64_t	 one[N] = { 1 };

	mont_mul(l, a->l, one, bls_r, fr_minv, N);
}

void
fr_to_bytes(uint8_t b[FR_BYTES], const struct fr *a)
{
	uint64_t	 v[N];

	fr_to_limbs(v, a);
	limbs_to_le(b, v, N);
}

/*
 * lo + hi 2^256: Montgomery-multiplying lo by R^2 gives lo R, and hi by
 * R^3 gives hi 2^256 R, both reduced whatever their size (< 2^256).
 */
void
fr_from_wide(struct fr *r, const uint8_t b[64])
{
	uint64_t	 lo[N], hi[N];
	struct fr	 a, c;

	limbs_from_le(lo, b, N);
	limbs_from_le(hi, b + 32, N);
	mont_mul(a.l, lo, fr_r2.l, bls_r, fr_minv, N);
	mont_mul(c.l, hi, fr_r3.l, bls_r, fr_minv, N);
	fr_add(r, &a, &c);
}
