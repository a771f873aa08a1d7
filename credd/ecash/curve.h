/*
 * Point arithmetic on y^2 = x^3 + b over a field F, written once for G1
 * (F = Fp) and G2 (F = Fp2).  g1.c and g2.c each define, then include
 * this file:
 *
 *   PT		the point struct (struct g1)	F_T	the field struct
 *   PT_(op)	the point function names (g1_##op)
 *   F_(op)	the field function names (fp_##op)
 *   F_MUL_B3	a function r = 3 b a
 *   ENDO_N, ENDO_BITS, ENDO_LIMBS	the scalar split (see lincomb)
 *   PT_(endo), PT_(split)		the endomorphism and the split
 *   PT_BYTES, PT_(x_read), PT_(x_write), PT_(curve_b)	the encoding
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

/* [|x|] a, x the BLS parameter: 63 doublings and 5 additions. */
void
PT_(mul_x_abs)(PT *r, const PT *a)
{
	PT	 acc = *a;
	int	 bit;

	for (bit = 62; bit >= 0; bit--) {
		PT_(dbl)(&acc, &acc);
		if (BLS_X_ABS >> bit & 1)
			PT_(add)(&acc, &acc, a);
	}
	*r = acc;
}

/*
 * [r] P = O: the definition, one full scalar multiplication.  The
 * endomorphism tests g1.c and g2.c use are checked against it.
 */
int
PT_(in_subgroup_naive)(const PT *a)
{
	PT	 t;

	PT_(msm)(&t, a, &bls_r, 1);
	return PT_(is_infinity)(&t);
}

/*
 * Linear combinations of points of the prime-order subgroup, faster than
 * msm: each scalar is split along the curve's endomorphism (ENDO_N parts
 * of ENDO_BITS bits, PT_(split)), so the doublings shrink to ENDO_BITS,
 * and each base gets ENDO_N tables, its images under the endomorphism
 * (PT_(endo), applied entry by entry).  A base used for every ticket
 * (the generators, Nym's constants, the key) keeps its tables in a
 * PT_(fixed) with 6-bit windows; other bases get 4-bit tables on the
 * fly.  Only valid on the subgroup, where the endomorphism is a scalar.
 */
#define LC_STEP		2	/* every window width is a multiple */
#if LC_FIXED_W % LC_STEP != 0 || ENDO_BITS % LC_STEP != 0
#error window widths
#endif
#define LC_VAR_W	4
#define LC_VAR_CHUNK	2	/* variable bases per pass (stack) */

struct PT_(sub) {
	const PT	*tab;		/* 1 << w entries, tab[0] = O */
	unsigned	 w;
	const uint64_t	*d;		/* ENDO_BITS bits, + a zero limb */
};

static unsigned
PT_(lc_digit)(const uint64_t *d, size_t pos, unsigned w)
{
	uint64_t	 v = d[pos / 64] >> (pos % 64);

	if (pos % 64 + w > 64)
		v |= d[pos / 64 + 1] << (64 - pos % 64);
	return (unsigned)(v & ((1u << w) - 1));
}

/* Straus over the parts, LC_STEP bits at a time. */
static void
PT_(straus)(PT *r, const struct PT_(sub) *s, size_t n)
{
	PT	 acc;
	size_t	 pos, i;
	unsigned d;

	PT_(infinity)(&acc);
	for (pos = ENDO_BITS; pos > 0;) {
		pos -= LC_STEP;
		PT_(dbl)(&acc, &acc);
		PT_(dbl)(&acc, &acc);
		for (i = 0; i < n; i++)
			if (pos % s[i].w == 0 && (d = PT_(lc_digit)(s[i].d,
			    pos, s[i].w)) != 0)
				PT_(add)(&acc, &acc, &s[i].tab[d]);
	}
	*r = acc;
}

/* tab[0..n) = 0, p, 2p, ... */
static void
PT_(lc_table)(PT *tab, const PT *p, size_t n)
{
	size_t	 j;

	PT_(infinity)(&tab[0]);
	tab[1] = *p;
	for (j = 2; j < n; j++)
		PT_(add)(&tab[j], &tab[j - 1], p);
}

/* The base's table, then its images: part e's table at tab + e stride. */
static void
PT_(lc_tables)(PT *tab, size_t stride, const PT *p, unsigned w)
{
	size_t	 e, j;

	PT_(lc_table)(tab, p, (size_t)1 << w);
	for (e = 1; e < ENDO_N; e++)
		for (j = 0; j < (size_t)1 << w; j++)
			PT_(endo)(&tab[e * stride + j],
			    &tab[(e - 1) * stride + j]);
}

void
PT_(fixed_init)(struct PT_(fixed) *f, const PT *p)
{
	PT_(lc_tables)(f->tab[0], 1 << LC_FIXED_W, p, LC_FIXED_W);
}

void
PT_(lincomb)(PT *r, const struct PT_(term) *t, size_t n)
{
	PT			 vt[LC_VAR_CHUNK][ENDO_N][1 << LC_VAR_W];
	PT			 part, acc;
	struct PT_(sub)		 s[(LC_TERMS_MAX) * ENDO_N];
	uint64_t		 d[LC_TERMS_MAX][ENDO_N][ENDO_LIMBS + 1];
	size_t			 i, e, ns, nv;

	PT_(infinity)(&acc);
	while (n > 0) {
		for (i = ns = nv = 0; i < n && i < LC_TERMS_MAX; i++) {
			if (t[i].f == NULL && nv == LC_VAR_CHUNK)
				break;
			PT_(split)(d[i], t[i].k);
			if (t[i].f == NULL)
				PT_(lc_tables)(vt[nv][0], 1 << LC_VAR_W,
				    t[i].p, LC_VAR_W);
			for (e = 0; e < ENDO_N; e++) {
				s[ns].tab = t[i].f != NULL ? t[i].f->tab[e] :
				    vt[nv][e];
				s[ns].w = t[i].f != NULL ? LC_FIXED_W :
				    LC_VAR_W;
				s[ns++].d = d[i][e];
			}
			if (t[i].f == NULL)
				nv++;
		}
		PT_(straus)(&part, s, ns);
		PT_(add)(&acc, &acc, &part);
		t += i;
		n -= i;
	}
	*r = acc;	/* r may be one of the bases */
}

void
PT_(mul)(PT *r, const PT *a, const struct fr *s)
{
	struct PT_(term)	 t = { a, NULL, s };

	PT_(lincomb)(r, &t, 1);
}

/*
 * ZCash's compressed encoding, as zkcrypto's from_compressed reads it:
 * x big-endian, whose first byte's top three bits are flags: bit 7
 * compressed (must be set), bit 6 infinity (then everything else is
 * zero), bit 5 the sign (y is the larger root).  x >= p, a point off the
 * curve or outside the subgroup are refused, for their own reasons.
 */
#define FLAG_COMPRESSED	0x80
#define FLAG_INFINITY	0x40
#define FLAG_SIGN	0x20

enum bls_decode
PT_(decode_unchecked)(PT *r, const uint8_t b[PT_BYTES])
{
	uint8_t		 xb[PT_BYTES];
	F_T		 x, y, rhs, cb;
	int		 inf = (b[0] & FLAG_INFINITY) != 0;
	int		 sign = (b[0] & FLAG_SIGN) != 0;

	if ((b[0] & FLAG_COMPRESSED) == 0)
		return BLS_DECODE_FLAGS;
	memcpy(xb, b, sizeof(xb));
	xb[0] &= 0x1f;
	if (PT_(x_read)(&x, xb) == -1)
		return BLS_DECODE_RANGE;
	if (inf) {
		if (sign || !F_(is_zero)(&x))
			return BLS_DECODE_FLAGS;
		PT_(infinity)(r);
		return BLS_DECODE_OK;
	}
	F_(sqr)(&rhs, &x);
	F_(mul)(&rhs, &rhs, &x);
	PT_(curve_b)(&cb);
	F_(add)(&rhs, &rhs, &cb);
	if (F_(sqrt)(&y, &rhs) == -1)
		return BLS_DECODE_CURVE;
	if (F_(is_lexlargest)(&y) != sign)
		F_(neg)(&y, &y);
	r->x = x;
	r->y = y;
	F_(one)(&r->z);
	return BLS_DECODE_OK;
}

enum bls_decode
PT_(decode)(PT *r, const uint8_t b[PT_BYTES])
{
	enum bls_decode	 d;

	if ((d = PT_(decode_unchecked)(r, b)) != BLS_DECODE_OK)
		return d;
	return PT_(in_subgroup)(r) ? BLS_DECODE_OK : BLS_DECODE_SUBGROUP;
}

void
PT_(encode)(uint8_t b[PT_BYTES], const PT *a)
{
	F_T	 x, y;

	if (PT_(to_affine)(&x, &y, a) == -1) {
		memset(b, 0, PT_BYTES);
		b[0] = FLAG_COMPRESSED | FLAG_INFINITY;
		return;
	}
	PT_(x_write)(b, &x);
	b[0] |= FLAG_COMPRESSED;
	if (F_(is_lexlargest)(&y))
		b[0] |= FLAG_SIGN;
}
