/*
 * G2: the order-r subgroup of the twist E'(Fp2), y^2 = x^3 + 4(u + 1):
 * curve.h's arithmetic and encoding (96 bytes: x.c1 then x.c0, each 48
 * bytes big-endian; the sign compares y.c1 first, y.c0 when y.c1 is
 * zero, as zkcrypto does), psi and the subgroup test.
 */
#include <string.h>

#include "bls.h"
#include "mont.h"

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

/* psi = untwist, Frobenius, twist: (x, y) -> (cx conj(x), cy conj(y)). */
static struct fp2	 g2_psi_x, g2_psi_y;

static void
g2_psi(struct g2 *r, const struct g2 *a)
{
	fp2_conj(&r->x, &a->x);
	fp2_mul(&r->x, &r->x, &g2_psi_x);
	fp2_conj(&r->y, &a->y);
	fp2_mul(&r->y, &r->y, &g2_psi_y);
	fp2_conj(&r->z, &a->z);
}

/* -psi acts on G2 as [|x|]. */
static void
g2_endo(struct g2 *r, const struct g2 *a)
{
	g2_psi(r, a);
	fp2_neg(&r->y, &r->y);
}

/* k in base |x|: four digits below 2^64 (the GLS split along psi). */
static void
g2_split(uint64_t d[4][2], const struct fr *k)
{
	uint64_t	 l[FR_LIMBS];
	int		 i;

	fr_to_limbs(l, k);
	for (i = 0; i < 3; i++) {
		d[i][0] = limbs_div_small(l, BLS_X_ABS, FR_LIMBS);
		d[i][1] = 0;
	}
	d[3][0] = l[0];		/* k < r < |x|^4 */
	d[3][1] = 0;
}

static int
g2_x_read(struct fp2 *x, const uint8_t b[G2_BYTES])
{
	if (fp_from_bytes(&x->c1, b) == -1 ||
	    fp_from_bytes(&x->c0, b + FP_BYTES) == -1)
		return -1;
	return 0;
}

static void
g2_x_write(uint8_t b[G2_BYTES], const struct fp2 *x)
{
	fp_to_bytes(b, &x->c1);
	fp_to_bytes(b + FP_BYTES, &x->c0);
}

static void
g2_curve_b(struct fp2 *b)
{
	fp_from_u64(&b->c0, 4);
	fp_from_u64(&b->c1, 4);
}

#define PT_BYTES	G2_BYTES
#define ENDO_N		4
#define ENDO_BITS	64
#define ENDO_LIMBS	1
#define PT		struct g2
#define F_T		struct fp2
#define PT_(op)		g2_##op
#define F_(op)		fp2_##op
#define F_MUL_B3	g2_mul_b3
#include "curve.h"

/*
 * Scott (ePrint 2021/1130, 2022/352): P is in G2 iff psi(P) = [x] P,
 * psi acting on G2 as multiplication by p = x mod r.  A 64-bit scalar
 * instead of a 255-bit one.
 */
int
g2_in_subgroup(const struct g2 *a)
{
	struct g2	 t, u;

	g2_mul_x_abs(&t, a);
	g2_psi(&u, a);
	g2_add(&t, &t, &u);	/* psi(P) - [x] P, as x < 0 */
	return g2_is_infinity(&t);
}

/* cx = 1 / xi^((p-1)/3), cy = 1 / xi^((p-1)/2); 0, or -1 if psi does
 * not act on the generator as it must. */
int
g2_init(const struct g2 *gen)
{
	uint64_t	 e[FP_LIMBS], one[FP_LIMBS] = { 1 };
	struct fp2	 xi;

	fp_one(&xi.c0);
	fp_one(&xi.c1);
	limbs_sub(e, bls_p, one, FP_LIMBS);
	limbs_shr(e, 1, FP_LIMBS);
	fp2_pow(&g2_psi_y, &xi, e, FP_LIMBS);
	fp2_inv(&g2_psi_y, &g2_psi_y);
	limbs_sub(e, bls_p, one, FP_LIMBS);
	limbs_div_small(e, 3, FP_LIMBS);
	fp2_pow(&g2_psi_x, &xi, e, FP_LIMBS);
	fp2_inv(&g2_psi_x, &g2_psi_x);
	return g2_in_subgroup(gen) ? 0 : -1;
}
