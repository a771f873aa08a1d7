/*
 * G1: the order-r subgroup of E(Fp), y^2 = x^3 + 4: curve.h's
 * arithmetic and encoding (48 bytes, x alone), phi and the subgroup
 * test.
 */
#include <string.h>

#include "bls.h"
#include "mont.h"

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

/* beta: phi(x, y) = (beta x, y) acts on G1 as [-x^2] (see g1_init). */
static struct fp	 g1_beta;

static void
g1_phi(struct g1 *r, const struct g1 *a)
{
	fp_mul(&r->x, &a->x, &g1_beta);
	r->y = a->y;
	r->z = a->z;
}

/* -phi acts as [x^2]: the second part of a split scalar uses it. */
static void
g1_endo(struct g1 *r, const struct g1 *a)
{
	g1_phi(r, a);
	fp_neg(&r->y, &r->y);
}

/*
 * k = k0 + k1 x^2 with k0 < x^2 (the GLV split along phi): two
 * divisions by |x| give k = r0 + r1 |x| + q x^2.
 */
static void
g1_split(uint64_t d[2][3], const struct fr *k)
{
	uint64_t	 l[FR_LIMBS];
	mont_u128	 k0;
	uint64_t	 r0, r1;

	fr_to_limbs(l, k);
	r0 = limbs_div_small(l, BLS_X_ABS, FR_LIMBS);
	r1 = limbs_div_small(l, BLS_X_ABS, FR_LIMBS);
	k0 = (mont_u128)r1 * BLS_X_ABS + r0;
	d[0][0] = (uint64_t)k0;
	d[0][1] = (uint64_t)(k0 >> 64);
	d[0][2] = 0;
	d[1][0] = l[0];
	d[1][1] = l[1];
	d[1][2] = 0;
}

static int
g1_x_read(struct fp *x, const uint8_t b[G1_BYTES])
{
	return fp_from_bytes(x, b);
}

static void
g1_x_write(uint8_t b[G1_BYTES], const struct fp *x)
{
	fp_to_bytes(b, x);
}

static void
g1_curve_b(struct fp *b)
{
	fp_from_u64(b, 4);
}

#define PT_BYTES	G1_BYTES
#define ENDO_N		2
#define ENDO_BITS	128
#define ENDO_LIMBS	2
#define PT		struct g1
#define F_T		struct fp
#define PT_(op)		g1_##op
#define F_(op)		fp_##op
#define F_MUL_B3	g1_mul_b3
#include "curve.h"

/*
 * Scott, "A note on group membership tests for G1, G2 and GT on BLS
 * pairing-friendly curves" (ePrint 2021/1130, proof updated in
 * 2022/352): P is in G1 iff phi(P) = [-x^2] P.  On the rest of E(Fp)
 * (order 3 and primes dividing x - 1, where x = 1) phi - [-x^2] has no
 * kernel, so nothing else passes.  Half the cost of [r] P.
 */
int
g1_in_subgroup(const struct g1 *a)
{
	struct g1	 t, u;

	g1_mul_x_abs(&t, a);
	g1_mul_x_abs(&t, &t);
	g1_phi(&u, a);
	g1_add(&t, &t, &u);
	return g1_is_infinity(&t);
}

/*
 * beta is a primitive cube root of one, (-1 +- sqrt(-3)) / 2; of the
 * two, the one for which phi(G) = [-x^2] G.  0, or -1 if neither is.
 */
int
g1_init(const struct g1 *gen)
{
	struct fp	 three, s, half, one;
	int		 i;

	fp_one(&one);
	fp_from_u64(&three, 3);
	fp_neg(&three, &three);
	if (fp_sqrt(&s, &three) == -1)
		return -1;
	fp_from_u64(&half, 2);
	fp_inv(&half, &half);
	for (i = 0; i < 2; i++) {
		fp_sub(&g1_beta, &s, &one);
		fp_mul(&g1_beta, &g1_beta, &half);
		if (g1_in_subgroup(gen))
			return 0;
		fp_neg(&s, &s);
	}
	return -1;
}
