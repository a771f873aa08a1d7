/*
 * BLS12-381 as zk-nym verification needs it, in layers (one file each):
 *
 *   fp.c	the base field Fp (381 bits, Montgomery form)
 *   fr.c	the scalar field Fr (255 bits, Montgomery form)
 *   fp2.c	Fp2 = Fp[u]/(u^2 + 1), with square roots
 *   fp6.c	Fp6 = Fp2[v]/(v^3 - (u + 1))
 *   fp12.c	Fp12 = Fp6[w]/(w^2 - v), with the Frobenius map
 *   g1.c g2.c	E(Fp): y^2 = x^3 + 4 and its twist E'(Fp2): y^2 = x^3 +
 *		4(u + 1); ZCash compressed encoding and subgroup checks
 *		(the arithmetic itself is curve.h, shared by both)
 *   pairing.c	the optimal ate multi-Miller loop, final exponentiation
 *   hash.c	expand_message_xmd (RFC 9380) over SHA-256, hash_to_scalar
 *   params.c	bls_init(): the constants, and Nym's group parameters
 *
 * Field elements are kept in Montgomery form; points in homogeneous
 * projective coordinates (X : Y : Z), the point at infinity having Z = 0.
 * Every function allows its output to alias its inputs.  Only public
 * data passes through here, so none of it is constant time.
 * bls_init() must have run (ecash_init() calls it).
 */
#ifndef ECASH_BLS_H
#define ECASH_BLS_H

#include <stddef.h>
#include <stdint.h>

#define FP_LIMBS	6
#define FR_LIMBS	4
#define FP_BYTES	48
#define FR_BYTES	32
#define G1_BYTES	48	/* compressed */
#define G2_BYTES	96
#define FP12_BYTES	(12 * FP_BYTES)

struct fp {
	uint64_t	 l[FP_LIMBS];
};

struct fr {
	uint64_t	 l[FR_LIMBS];
};

struct fp2 {
	struct fp	 c0, c1;	/* c0 + c1 u */
};

struct fp6 {
	struct fp2	 c0, c1, c2;	/* c0 + c1 v + c2 v^2 */
};

struct fp12 {
	struct fp6	 c0, c1;	/* c0 + c1 w */
};

struct g1 {
	struct fp	 x, y, z;
};

struct g2 {
	struct fp2	 x, y, z;
};

/* Why a point encoding was refused, as zkcrypto's from_compressed does. */
enum bls_decode {
	BLS_DECODE_OK,
	BLS_DECODE_FLAGS,	/* compression bit clear, or bad infinity */
	BLS_DECODE_RANGE,	/* a coordinate >= p */
	BLS_DECODE_CURVE,	/* no y: x is not on the curve */
	BLS_DECODE_SUBGROUP,	/* on the curve, not of order r */
};

/* params.c ------------------------------------------------------------ */
/* Idempotent; 0, or -1 if a built-in constant does not decode (a bug). */
int	 bls_init(void);
/* Fp's modulus p and Fr's modulus r, as limbs. */
extern const uint64_t	 bls_p[FP_LIMBS];
extern const uint64_t	 bls_r[FR_LIMBS];
/* |x|, the BLS parameter x = -0xd201000000010000. */
#define BLS_X_ABS	0xd201000000010000ULL

/* fp.c ------------------------------------------------------------------ */
void	 fp_init(void);
void	 fp_zero(struct fp *);
void	 fp_one(struct fp *);
void	 fp_from_u64(struct fp *, uint64_t);
int	 fp_is_zero(const struct fp *);
int	 fp_eq(const struct fp *, const struct fp *);
void	 fp_add(struct fp *, const struct fp *, const struct fp *);
void	 fp_sub(struct fp *, const struct fp *, const struct fp *);
void	 fp_neg(struct fp *, const struct fp *);
void	 fp_mul(struct fp *, const struct fp *, const struct fp *);
void	 fp_sqr(struct fp *, const struct fp *);
/* Lazy reduction for Fp2: the 12-limb product of a, b < 2p, and the
 * reduction of a 12-limb value below p R. */
void	 fp_mul_wide(uint64_t t[2 * FP_LIMBS], const uint64_t a[FP_LIMBS],
	    const uint64_t b[FP_LIMBS]);
void	 fp_redc(struct fp *, const uint64_t t[2 * FP_LIMBS]);
/* The inverse; 0 for 0. */
void	 fp_inv(struct fp *, const struct fp *);
/* a^e, e as n little-endian limbs. */
void	 fp_pow(struct fp *, const struct fp *, const uint64_t *e, size_t n);
/* A square root: 0, or -1 (r untouched) if a is not a square. */
int	 fp_sqrt(struct fp *, const struct fp *);
/* a > (p - 1) / 2, comparing canonical values (zkcrypto's "largest"). */
int	 fp_is_lexlargest(const struct fp *);
/* 48 big-endian bytes: 0, or -1 if the value is >= p. */
int	 fp_from_bytes(struct fp *, const uint8_t b[FP_BYTES]);
void	 fp_to_bytes(uint8_t b[FP_BYTES], const struct fp *);

/* fr.c ------------------------------------------------------------------ */
void	 fr_init(void);
void	 fr_zero(struct fr *);
void	 fr_one(struct fr *);
void	 fr_from_u64(struct fr *, uint64_t);
int	 fr_is_zero(const struct fr *);
int	 fr_eq(const struct fr *, const struct fr *);
void	 fr_add(struct fr *, const struct fr *, const struct fr *);
void	 fr_sub(struct fr *, const struct fr *, const struct fr *);
void	 fr_neg(struct fr *, const struct fr *);
void	 fr_mul(struct fr *, const struct fr *, const struct fr *);
/* 32 little-endian bytes, canonical: 0, or -1 if the value is >= r. */
int	 fr_from_bytes(struct fr *, const uint8_t b[FR_BYTES]);
void	 fr_to_bytes(uint8_t b[FR_BYTES], const struct fr *);
/* 64 little-endian bytes reduced mod r (zkcrypto's from_bytes_wide). */
void	 fr_from_wide(struct fr *, const uint8_t b[64]);
/* The canonical value as limbs: what scalar multiplication takes. */
void	 fr_to_limbs(uint64_t l[FR_LIMBS], const struct fr *);

/* fp2.c ----------------------------------------------------------------- */
void	 fp2_zero(struct fp2 *);
void	 fp2_one(struct fp2 *);
int	 fp2_is_zero(const struct fp2 *);
int	 fp2_eq(const struct fp2 *, const struct fp2 *);
void	 fp2_add(struct fp2 *, const struct fp2 *, const struct fp2 *);
void	 fp2_sub(struct fp2 *, const struct fp2 *, const struct fp2 *);
void	 fp2_neg(struct fp2 *, const struct fp2 *);
void	 fp2_conj(struct fp2 *, const struct fp2 *);
void	 fp2_mul(struct fp2 *, const struct fp2 *, const struct fp2 *);
void	 fp2_mul_fp(struct fp2 *, const struct fp2 *, const struct fp *);
void	 fp2_sqr(struct fp2 *, const struct fp2 *);
/* Times the non-residue u + 1 that defines Fp6. */
void	 fp2_mul_xi(struct fp2 *, const struct fp2 *);
void	 fp2_inv(struct fp2 *, const struct fp2 *);
void	 fp2_pow(struct fp2 *, const struct fp2 *, const uint64_t *e, size_t n);
int	 fp2_sqrt(struct fp2 *, const struct fp2 *);
/* c1 is compared first, then c0 if c1 = 0 (zkcrypto's rule). */
int	 fp2_is_lexlargest(const struct fp2 *);

/* fp6.c ----------------------------------------------------------------- */
void	 fp6_init(void);
void	 fp6_zero(struct fp6 *);
void	 fp6_one(struct fp6 *);
void	 fp6_add(struct fp6 *, const struct fp6 *, const struct fp6 *);
void	 fp6_sub(struct fp6 *, const struct fp6 *, const struct fp6 *);
void	 fp6_neg(struct fp6 *, const struct fp6 *);
void	 fp6_mul(struct fp6 *, const struct fp6 *, const struct fp6 *);
void	 fp6_sqr(struct fp6 *, const struct fp6 *);
/* Times v, the generator of Fp6 over Fp2 (and w^2 in Fp12). */
void	 fp6_mul_v(struct fp6 *, const struct fp6 *);
void	 fp6_inv(struct fp6 *, const struct fp6 *);
void	 fp6_frobenius(struct fp6 *, const struct fp6 *);
/* Sparse products for Miller lines: a (b0 + b1 v) and a b1 v. */
void	 fp6_mul_by_01(struct fp6 *, const struct fp6 *, const struct fp2 *b0,
	    const struct fp2 *b1);
void	 fp6_mul_by_1(struct fp6 *, const struct fp6 *, const struct fp2 *b1);

/* fp12.c ---------------------------------------------------------------- */
void	 fp12_init(void);
void	 fp12_one(struct fp12 *);
int	 fp12_is_one(const struct fp12 *);
int	 fp12_eq(const struct fp12 *, const struct fp12 *);
void	 fp12_mul(struct fp12 *, const struct fp12 *, const struct fp12 *);
void	 fp12_sqr(struct fp12 *, const struct fp12 *);
void	 fp12_conj(struct fp12 *, const struct fp12 *);
/* The square of a unitary value (a^(p^6+1) = 1): Granger-Scott. */
void	 fp12_cyclotomic_sqr(struct fp12 *, const struct fp12 *);
void	 fp12_inv(struct fp12 *, const struct fp12 *);
/* a^p. */
void	 fp12_frobenius(struct fp12 *, const struct fp12 *);
/* Times a line value (l0 + l1 v) + l4 v w, as the Miller loop makes. */
void	 fp12_mul_line(struct fp12 *, const struct fp2 *l0,
	    const struct fp2 *l1, const struct fp2 *l4);
/* The 12 Fp coefficients, c0.c0.c0 first, big-endian (noble's order). */
void	 fp12_to_bytes(uint8_t b[FP12_BYTES], const struct fp12 *);
int	 fp12_from_bytes(struct fp12 *, const uint8_t b[FP12_BYTES]);

/*
 * Linear combinations sum k_i P_i of subgroup points (curve.h lincomb):
 * a term's base is either a point p, or a point's precomputed tables f
 * (for bases every ticket uses); k is its scalar.
 */
#define LC_FIXED_W	6
#define LC_TERMS_MAX	8	/* terms per pass; more run in passes */

/* g1.c ------------------------------------------------------------------ */
struct g1_fixed {
	struct g1	 tab[2][1 << LC_FIXED_W];
};
struct g1_term {
	const struct g1		*p;
	const struct g1_fixed	*f;
	const struct fr		*k;
};
void	 g1_fixed_init(struct g1_fixed *, const struct g1 *);
void	 g1_lincomb(struct g1 *, const struct g1_term *, size_t);
void	 g1_infinity(struct g1 *);
int	 g1_is_infinity(const struct g1 *);
int	 g1_eq(const struct g1 *, const struct g1 *);
void	 g1_neg(struct g1 *, const struct g1 *);
void	 g1_add(struct g1 *, const struct g1 *, const struct g1 *);
void	 g1_dbl(struct g1 *, const struct g1 *);
/* r = sum of k[i] p[i], scalars as canonical limbs (FR_LIMBS each),
 * for any points of the curve; g1_mul and lincomb for the subgroup. */
void	 g1_msm(struct g1 *, const struct g1 *p, const uint64_t (*k)[FR_LIMBS],
	    size_t n);
void	 g1_mul(struct g1 *, const struct g1 *, const struct fr *);
/* x and y with Z = 1, or -1 for infinity. */
int	 g1_to_affine(struct fp *x, struct fp *y, const struct g1 *);
void	 g1_mul_x_abs(struct g1 *, const struct g1 *);
/* phi(P) = [-x^2] P; the definition [r] P = O, for tests. */
int	 g1_in_subgroup(const struct g1 *);
int	 g1_in_subgroup_naive(const struct g1 *);
/* params.c calls it with the generator: picks phi's cube root. */
int	 g1_init(const struct g1 *);
/* from_compressed, without and with the subgroup check. */
enum bls_decode	 g1_decode_unchecked(struct g1 *, const uint8_t b[G1_BYTES]);
enum bls_decode	 g1_decode(struct g1 *, const uint8_t b[G1_BYTES]);
void	 g1_encode(uint8_t b[G1_BYTES], const struct g1 *);
const struct g1	*g1_generator(void);

/* g2.c ------------------------------------------------------------------ */
struct g2_fixed {
	struct g2	 tab[4][1 << LC_FIXED_W];
};
struct g2_term {
	const struct g2		*p;
	const struct g2_fixed	*f;
	const struct fr		*k;
};
void	 g2_fixed_init(struct g2_fixed *, const struct g2 *);
void	 g2_lincomb(struct g2 *, const struct g2_term *, size_t);
void	 g2_infinity(struct g2 *);
int	 g2_is_infinity(const struct g2 *);
int	 g2_eq(const struct g2 *, const struct g2 *);
void	 g2_neg(struct g2 *, const struct g2 *);
void	 g2_add(struct g2 *, const struct g2 *, const struct g2 *);
void	 g2_dbl(struct g2 *, const struct g2 *);
void	 g2_msm(struct g2 *, const struct g2 *p, const uint64_t (*k)[FR_LIMBS],
	    size_t n);
void	 g2_mul(struct g2 *, const struct g2 *, const struct fr *);
int	 g2_to_affine(struct fp2 *x, struct fp2 *y, const struct g2 *);
void	 g2_mul_x_abs(struct g2 *, const struct g2 *);
/* psi(P) = [x] P; the definition [r] P = O, for tests. */
int	 g2_in_subgroup(const struct g2 *);
int	 g2_in_subgroup_naive(const struct g2 *);
int	 g2_init(const struct g2 *);
enum bls_decode	 g2_decode_unchecked(struct g2 *, const uint8_t b[G2_BYTES]);
enum bls_decode	 g2_decode(struct g2 *, const uint8_t b[G2_BYTES]);
void	 g2_encode(uint8_t b[G2_BYTES], const struct g2 *);
const struct g2	*g2_generator(void);
/* r = 3 b' a, b' = 4 (u + 1) the twist's constant. */
void	 g2_mul_b3(struct fp2 *, const struct fp2 *);

/* pairing.c ------------------------------------------------------------- */
/* The product of the Miller loops f_{x,Q_i}(P_i), pairs with a point
 * at infinity skipped. */
void	 pairing_miller(struct fp12 *, const struct g1 *p, const struct g2 *q,
	    size_t n);
/*
 * f^(3 (p^12 - 1) / r): three times the usual exponent, as zkcrypto,
 * noble and mcl compute it (the exponent then factors over x); still
 * a non-degenerate bilinear pairing, since 3 is prime to r.
 */
void	 pairing_final_exp(struct fp12 *, const struct fp12 *);
void	 pairing(struct fp12 *, const struct g1 *, const struct g2 *);
/* 1 if the product of e(p[i], q[i]) is one. */
int	 pairing_product_is_one(const struct g1 *p, const struct g2 *q,
	    size_t n);

/* hash.c ---------------------------------------------------------------- */
/* RFC 9380 5.3.1 with SHA-256: 0, or -1 if len is too long (> 8160). */
int	 xmd_sha256(uint8_t *out, size_t len, const uint8_t *msg,
	    size_t msglen, const uint8_t *dst, size_t dstlen);
/* Nym's hash_to_scalar (ecash/utils.rs): xmd with Nym's DST to 48
 * bytes, read big-endian, reduced mod r. */
void	 hash_to_scalar(struct fr *, const uint8_t *msg, size_t len);
/* SHA-256 of the concatenation of n buffers (libgcrypt). */
struct bls_iov {
	const void	*p;
	size_t		 len;
};
void	 bls_sha256(uint8_t out[32], const struct bls_iov *, size_t n);
/* SHA-256 over a stream of writes. */
struct sha256_stream {
	struct gcry_md_handle	*h;
};
void	 sha256_open(struct sha256_stream *);
void	 sha256_write(struct sha256_stream *, const void *, size_t);
void	 sha256_close(struct sha256_stream *, uint8_t out[32]);

#endif
