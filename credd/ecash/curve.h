/*
 * Point arithmetic on y^2 = x^3 + b over a field F, written once for G1
 * (F = Fp) and G2 (F = Fp2).  g1.c and g2.c each define, then include
 * this file:
 *
 *   PT		the point struct (struct g1)	F_T	the field struct
 *   PT_(op)	the point function names (g1_##op)
 *   F_(op)	the field function names (fp_##op)
 *   F_MUL_B3	a function r = 3 b a
 *
 * Sums and doublings use the complete formulas of Renes, Costello and
 * Batina, "Complete addition formulas for prime order elliptic curves"
 * (2016), Algorithms 7 and 9 for a = 0: no special case for infinity,
 * equal or opposite points, which a hostile ticket may well contain.
 * Scalar multiplication is Straus's method, 4-bit windows, so that a sum
 * of several multiples shares its doublings.
 */
#ifndef CURVE_WINDOW
#define CURVE_WINDOW	4
#define CURVE_TABLE	(1 << CURVE_WINDOW)
/* Points per Straus pass; longer sums run in passes. */
#define CURVE_MSM_CHUNK	8
#endif

void
PT_(infinity)(PT *r)
{
	F_(zero)(&r->x);
	F_(one)(&r->y);
	F_(zero)(&r->z);
}

int
PT_(is_infinity)(const PT *a)
{
	return F_(is_zero)(&a->z);
}

int
PT_(eq)(const PT *a, const PT *b)
{
	F_T	 s, t;
	int	 ia = PT_(is_infinity)(a), ib = PT_(is_infinity)(b);

	if (ia || ib)
		return ia && ib;
	F_(mul)(&s, &a->x, &b->z);
	F_(mul)(&t, &b->x, &a->z);
	if (!F_(eq)(&s, &t))
		return 0;
	F_(mul)(&s, &a->y, &b->z);
	F_(mul)(&t, &b->y, &a->z);
	return F_(eq)(&s, &t);
}

void
PT_(neg)(PT *r, const PT *a)
{
	r->x = a->x;
	F_(neg)(&r->y, &a->y);
	r->z = a->z;
}

/* RCB Algorithm 7. */
void
PT_(add)(PT *r, const PT *a, const PT *b)
{
	F_T	 t0, t1, t2, t3, t4, x3, y3, z3;

	F_(mul)(&t0, &a->x, &b->x);
	F_(mul)(&t1, &a->y, &b->y);
	F_(mul)(&t2, &a->z, &b->z);
	F_(add)(&t3, &a->x, &a->y);
	F_(add)(&t4, &b->x, &b->y);
	F_(mul)(&t3, &t3, &t4);
	F_(add)(&t4, &t0, &t1);
	F_(sub)(&t3, &t3, &t4);
	F_(add)(&t4, &a->y, &a->z);
	F_(add)(&x3, &b->y, &b->z);
	F_(mul)(&t4, &t4, &x3);
	F_(add)(&x3, &t1, &t2);
	F_(sub)(&t4, &t4, &x3);
	F_(add)(&x3, &a->x, &a->z);
	F_(add)(&y3, &b->x, &b->z);
	F_(mul)(&x3, &x3, &y3);
	F_(add)(&y3, &t0, &t2);
	F_(sub)(&y3, &x3, &y3);
	F_(add)(&x3, &t0, &t0);
	F_(add)(&t0, &x3, &t0);
	F_MUL_B3(&t2, &t2);
	F_(add)(&z3, &t1, &t2);
	F_(sub)(&t1, &t1, &t2);
	F_MUL_B3(&y3, &y3);
	F_(mul)(&x3, &t4, &y3);
	F_(mul)(&t2, &t3, &t1);
	F_(sub)(&x3, &t2, &x3);
	F_(mul)(&y3, &y3, &t0);
	F_(mul)(&t1, &t1, &z3);
	F_(add)(&y3, &t1, &y3);
	F_(mul)(&t0, &t0, &t3);
	F_(mul)(&z3, &z3, &t4);
	F_(add)(&z3, &z3, &t0);
	r->x = x3;
	r->y = y3;
	r->z = z3;
}

/* RCB Algorithm 9. */
void
PT_(dbl)(PT *r, const PT *a)
{
	F_T	 t0, t1, t2, x3, y3, z3;

	F_(sqr)(&t0, &a->y);
	F_(add)(&z3, &t0, &t0);
	F_(add)(&z3, &z3, &z3);
	F_(add)(&z3, &z3, &z3);
	F_(mul)(&t1, &a->y, &a->z);
	F_(sqr)(&t2, &a->z);
	F_MUL_B3(&t2, &t2);
	F_(mul)(&x3, &t2, &z3);
	F_(add)(&y3, &t0, &t2);
	F_(mul)(&z3, &t1, &z3);
	F_(add)(&t1, &t2, &t2);
	F_(add)(&t2, &t1, &t2);
	F_(sub)(&t0, &t0, &t2);
	F_(mul)(&y3, &t0, &y3);
	F_(add)(&y3, &x3, &y3);
	F_(mul)(&t1, &a->x, &a->y);
	F_(mul)(&x3, &t0, &t1);
	F_(add)(&x3, &x3, &x3);
	r->x = x3;
	r->y = y3;
	r->z = z3;
}

static unsigned
PT_(digit)(const uint64_t *k, size_t w)
{
	size_t	 bit = w * CURVE_WINDOW;

	/* CURVE_WINDOW divides 64: a window never straddles limbs. */
	return (unsigned)(k[bit / 64] >> (bit % 64)) & (CURVE_TABLE - 1);
}

static void
PT_(msm_chunk)(PT *r, const PT *p, const uint64_t (*k)[FR_LIMBS], size_t n)
{
	PT	 tab[CURVE_MSM_CHUNK][CURVE_TABLE], acc;
	size_t	 i, j, w, bits = 0, b;
	unsigned d;

	for (i = 0; i < n; i++) {
		PT_(infinity)(&tab[i][0]);
		tab[i][1] = p[i];
		for (j = 2; j < CURVE_TABLE; j++)
			PT_(add)(&tab[i][j], &tab[i][j - 1], &p[i]);
		if ((b = limbs_bits(k[i], FR_LIMBS)) > bits)
			bits = b;
	}
	PT_(infinity)(&acc);
	for (w = (bits + CURVE_WINDOW - 1) / CURVE_WINDOW; w-- > 0;) {
		for (j = 0; j < CURVE_WINDOW; j++)
			PT_(dbl)(&acc, &acc);
		for (i = 0; i < n; i++)
			if ((d = PT_(digit)(k[i], w)) != 0)
				PT_(add)(&acc, &acc, &tab[i][d]);
	}
	*r = acc;
}

void
PT_(msm)(PT *r, const PT *p, const uint64_t (*k)[FR_LIMBS], size_t n)
{
	PT	 acc, part;
	size_t	 m;

	PT_(infinity)(&acc);
	while (n > 0) {
		m = n < CURVE_MSM_CHUNK ? n : CURVE_MSM_CHUNK;
		PT_(msm_chunk)(&part, p, k, m);
		PT_(add)(&acc, &acc, &part);
		p += m;
		k += m;
		n -= m;
	}
	*r = acc;
}

void
PT_(mul)(PT *r, const PT *a, const struct fr *s)
{
	uint64_t	 k[1][FR_LIMBS];

	fr_to_limbs(k[0], s);
	PT_(msm)(r, a, (const uint64_t (*)[FR_LIMBS])k, 1);
}

int
PT_(to_affine)(F_T *x, F_T *y, const PT *a)
{
	F_T	 zi;

	if (PT_(is_infinity)(a))
		return -1;
	F_(inv)(&zi, &a->z);
	F_(mul)(x, &a->x, &zi);
	F_(mul)(y, &a->y, &zi);
	return 0;
}

/*
 * [r] P = O.  The plain definition, one scalar multiplication: slower
 * than the endomorphism tests but obviously right.
 */
int
PT_(in_subgroup)(const PT *a)
{
	PT	 t;

	PT_(msm)(&t, a, &bls_r, 1);
	return PT_(is_infinity)(&t);
}
