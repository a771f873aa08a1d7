/*
 * credd/ecash's BLS12-381, layer by layer, against two oracles that share
 * nothing with it: @noble/curves and mcl-wasm, whose answers
 * regress/ecash/oracle.mjs wrote to regress/vectors/ecash/bls.json (or to
 * the file named as the first argument: regress/interop/ecash.sh runs
 * fresh ones).  Then the zkcrypto point vectors (multiples of the
 * generators) and the RFC 9380 expand_message_xmd vectors.
 *
 * One line per layer and operation, with its case count and how many
 * cases each oracle vouched for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "credd/credd.h"
#include "credd/ecash/bls.h"
#include "credd/ecash/ecash.h"
#include "testlib.h"

#define VEC_DIR		"regress/vectors/ecash/"
#define IN_MAX		12

struct vcase {
	size_t		 nin;
	uint8_t		*in[IN_MAX];
	size_t		 inlen[IN_MAX];
	const char	*instr[IN_MAX];
	uint8_t		*out;		/* NULL: refused, or no root */
	size_t		 outlen;
	const char	*why;		/* of a refusal */
};

typedef int	(*vcase_fn)(const struct vcase *);

/* --- helpers --------------------------------------------------------- */

static int
fp_in(struct fp *a, const struct vcase *c, size_t i)
{
	return c->inlen[i] == FP_BYTES ? fp_from_bytes(a, c->in[i]) : -1;
}

static int
fp_out(const struct vcase *c, const struct fp *a)
{
	uint8_t	 b[FP_BYTES];

	fp_to_bytes(b, a);
	return c->out != NULL && c->outlen == FP_BYTES &&
	    memcmp(b, c->out, FP_BYTES) == 0 ? 0 : -1;
}

static int
fp2_in(struct fp2 *a, const struct vcase *c, size_t i)
{
	if (c->inlen[i] != 2 * FP_BYTES)
		return -1;
	return fp_from_bytes(&a->c0, c->in[i]) == 0 &&
	    fp_from_bytes(&a->c1, c->in[i] + FP_BYTES) == 0 ? 0 : -1;
}

static int
fp2_out(const struct vcase *c, const struct fp2 *a)
{
	uint8_t	 b[2 * FP_BYTES];

	fp_to_bytes(b, &a->c0);
	fp_to_bytes(b + FP_BYTES, &a->c1);
	return c->out != NULL && c->outlen == sizeof(b) &&
	    memcmp(b, c->out, sizeof(b)) == 0 ? 0 : -1;
}

static int
fr_in(struct fr *a, const struct vcase *c, size_t i)
{
	return c->inlen[i] == FR_BYTES ? fr_from_bytes(a, c->in[i]) : -1;
}

static int
fr_out(const struct vcase *c, const struct fr *a)
{
	uint8_t	 b[FR_BYTES];

	fr_to_bytes(b, a);
	return c->out != NULL && c->outlen == FR_BYTES &&
	    memcmp(b, c->out, FR_BYTES) == 0 ? 0 : -1;
}

static int
fp12_in(struct fp12 *a, const struct vcase *c, size_t i)
{
	return c->inlen[i] == FP12_BYTES ? fp12_from_bytes(a, c->in[i]) : -1;
}

static int
fp12_out(const struct vcase *c, const struct fp12 *a)
{
	uint8_t	 b[FP12_BYTES];

	fp12_to_bytes(b, a);
	return c->out != NULL && c->outlen == FP12_BYTES &&
	    memcmp(b, c->out, FP12_BYTES) == 0 ? 0 : -1;
}

static int
g1_in(struct g1 *p, const struct vcase *c, size_t i)
{
	return c->inlen[i] == G1_BYTES && g1_decode(p, c->in[i]) ==
	    BLS_DECODE_OK ? 0 : -1;
}

static int
g1_out(const struct vcase *c, const struct g1 *p)
{
	uint8_t	 b[G1_BYTES];

	g1_encode(b, p);
	return c->out != NULL && c->outlen == G1_BYTES &&
	    memcmp(b, c->out, G1_BYTES) == 0 ? 0 : -1;
}

static int
g2_in(struct g2 *p, const struct vcase *c, size_t i)
{
	return c->inlen[i] == G2_BYTES && g2_decode(p, c->in[i]) ==
	    BLS_DECODE_OK ? 0 : -1;
}

static int
g2_out(const struct vcase *c, const struct g2 *p)
{
	uint8_t	 b[G2_BYTES];

	g2_encode(b, p);
	return c->out != NULL && c->outlen == G2_BYTES &&
	    memcmp(b, c->out, G2_BYTES) == 0 ? 0 : -1;
}

static const char *const decode_names[] = {
	[BLS_DECODE_OK] = "ok", [BLS_DECODE_FLAGS] = "flags",
	[BLS_DECODE_RANGE] = "range", [BLS_DECODE_CURVE] = "curve",
	[BLS_DECODE_SUBGROUP] = "subgroup",
};

/* A refused encoding must be refused for the reason the case names. */
static int
decode_verdict(const struct vcase *c, enum bls_decode d)
{
	if (c->out == NULL)
		return d != BLS_DECODE_OK && c->why != NULL &&
		    strcmp(decode_names[d], c->why) == 0 ? 0 : -1;
	return d == BLS_DECODE_OK ? 0 : -1;
}

/* --- Fp ---------------------------------------------------------------- */

#define FP_BINOP(name, fn)						\
static int								\
name(const struct vcase *c)						\
{									\
	struct fp	 a, b;						\
									\
	if (fp_in(&a, c, 0) == -1 || fp_in(&b, c, 1) == -1)		\
		return -1;						\
	fn(&a, &a, &b);							\
	return fp_out(c, &a);						\
}
FP_BINOP(t_fp_add, fp_add)
FP_BINOP(t_fp_sub, fp_sub)
FP_BINOP(t_fp_mul, fp_mul)

#define FP_UNOP(name, fn)						\
static int								\
name(const struct vcase *c)						\
{									\
	struct fp	 a;						\
									\
	if (fp_in(&a, c, 0) == -1)					\
		return -1;						\
	fn(&a, &a);							\
	return fp_out(c, &a);						\
}
FP_UNOP(t_fp_sqr, fp_sqr)
FP_UNOP(t_fp_neg, fp_neg)
FP_UNOP(t_fp_inv, fp_inv)

/* Roots are compared up to sign: implementations may pick either. */
static int
t_fp_sqrt(const struct vcase *c)
{
	struct fp	 a, r, chk;

	if (fp_in(&a, c, 0) == -1)
		return -1;
	if (fp_sqrt(&r, &a) == -1)
		return c->out == NULL ? 0 : -1;
	fp_sqr(&chk, &r);
	if (c->out == NULL || !fp_eq(&chk, &a))
		return -1;
	if (fp_out(c, &r) == 0)
		return 0;
	fp_neg(&r, &r);
	return fp_out(c, &r);
}

static int
t_fp_decode(const struct vcase *c)
{
	struct fp	 a;

	if (fp_from_bytes(&a, c->in[0]) == -1)
		return c->out == NULL ? 0 : -1;
	return fp_out(c, &a);
}

/* --- Fr ---------------------------------------------------------------- */

#define FR_BINOP(name, fn)						\
static int								\
name(const struct vcase *c)						\
{									\
	struct fr	 a, b;						\
									\
	if (fr_in(&a, c, 0) == -1 || fr_in(&b, c, 1) == -1)		\
		return -1;						\
	fn(&a, &a, &b);							\
	return fr_out(c, &a);						\
}
FR_BINOP(t_fr_add, fr_add)
FR_BINOP(t_fr_sub, fr_sub)
FR_BINOP(t_fr_mul, fr_mul)

static int
t_fr_neg(const struct vcase *c)
{
	struct fr	 a;

	if (fr_in(&a, c, 0) == -1)
		return -1;
	fr_neg(&a, &a);
	return fr_out(c, &a);
}

static int
t_fr_decode(const struct vcase *c)
{
	struct fr	 a;

	if (c->inlen[0] != FR_BYTES)
		return -1;
	if (fr_from_bytes(&a, c->in[0]) == -1)
		return c->out == NULL ? 0 : -1;
	return fr_out(c, &a);
}

static int
t_fr_wide(const struct vcase *c)
{
	struct fr	 a;

	if (c->inlen[0] != 64)
		return -1;
	fr_from_wide(&a, c->in[0]);
	return fr_out(c, &a);
}

static int
t_fr_hash(const struct vcase *c)
{
	struct fr	 a;

	hash_to_scalar(&a, c->in[0], c->inlen[0]);
	return fr_out(c, &a);
}

static int
t_xmd(const struct vcase *c)
{
	uint8_t	 out[512];

	if (c->out == NULL || c->outlen == 0 || c->outlen > sizeof(out))
		return -1;
	if (xmd_sha256(out, c->outlen, c->in[0], c->inlen[0], c->in[1],
	    c->inlen[1]) == -1)
		return -1;
	return memcmp(out, c->out, c->outlen) == 0 ? 0 : -1;
}

/* --- Fp2 --------------------------------------------------------------- */

#define FP2_BINOP(name, fn)						\
static int								\
name(const struct vcase *c)						\
{									\
	struct fp2	 a, b;						\
									\
	if (fp2_in(&a, c, 0) == -1 || fp2_in(&b, c, 1) == -1)		\
		return -1;						\
	fn(&a, &a, &b);							\
	return fp2_out(c, &a);						\
}
FP2_BINOP(t_fp2_add, fp2_add)
FP2_BINOP(t_fp2_mul, fp2_mul)

#define FP2_UNOP(name, fn)						\
static int								\
name(const struct vcase *c)						\
{									\
	struct fp2	 a;						\
									\
	if (fp2_in(&a, c, 0) == -1)					\
		return -1;						\
	fn(&a, &a);							\
	return fp2_out(c, &a);						\
}
FP2_UNOP(t_fp2_sqr, fp2_sqr)
FP2_UNOP(t_fp2_inv, fp2_inv)

static int
t_fp2_sqrt(const struct vcase *c)
{
	struct fp2	 a, r, chk;

	if (fp2_in(&a, c, 0) == -1)
		return -1;
	if (fp2_sqrt(&r, &a) == -1)
		return c->out == NULL ? 0 : -1;
	fp2_sqr(&chk, &r);
	if (c->out == NULL || !fp2_eq(&chk, &a))
		return -1;
	if (fp2_out(c, &r) == 0)
		return 0;
	fp2_neg(&r, &r);
	return fp2_out(c, &r);
}

/* --- Fp12 -------------------------------------------------------------- */

static int
t_fp12_mul(const struct vcase *c)
{
	struct fp12	 a, b;

	if (fp12_in(&a, c, 0) == -1 || fp12_in(&b, c, 1) == -1)
		return -1;
	fp12_mul(&a, &a, &b);
	return fp12_out(c, &a);
}

#define FP12_UNOP(name, fn)						\
static int								\
name(const struct vcase *c)						\
{									\
	struct fp12	 a;						\
									\
	if (fp12_in(&a, c, 0) == -1)					\
		return -1;						\
	fn(&a, &a);							\
	return fp12_out(c, &a);						\
}
FP12_UNOP(t_fp12_sqr, fp12_sqr)
FP12_UNOP(t_fp12_inv, fp12_inv)
FP12_UNOP(t_fp12_conj, fp12_conj)
FP12_UNOP(t_fp12_frob, fp12_frobenius)
FP12_UNOP(t_fp12_fexp, pairing_final_exp)

/* --- G1, G2 ------------------------------------------------------------ */

#define POINT_TESTS(G, NB)						\
static int								\
t_##G##_decode(const struct vcase *c)					\
{									\
	struct G	 p;						\
	enum bls_decode	 d;						\
									\
	if (c->inlen[0] != NB)						\
		return -1;						\
	d = G##_decode(&p, c->in[0]);					\
	if (decode_verdict(c, d) == -1)					\
		return -1;						\
	return d != BLS_DECODE_OK ? 0 : G##_out(c, &p);			\
}									\
static int								\
t_##G##_add(const struct vcase *c)					\
{									\
	struct G	 a, b;						\
									\
	if (G##_in(&a, c, 0) == -1 || G##_in(&b, c, 1) == -1)		\
		return -1;						\
	G##_add(&a, &a, &b);						\
	return G##_out(c, &a);						\
}									\
static int								\
t_##G##_dbl(const struct vcase *c)					\
{									\
	struct G	 a;						\
									\
	if (G##_in(&a, c, 0) == -1)					\
		return -1;						\
	G##_dbl(&a, &a);						\
	return G##_out(c, &a);						\
}									\
static int								\
t_##G##_neg(const struct vcase *c)					\
{									\
	struct G	 a;						\
									\
	if (G##_in(&a, c, 0) == -1)					\
		return -1;						\
	G##_neg(&a, &a);						\
	return G##_out(c, &a);						\
}									\
static int								\
t_##G##_mul(const struct vcase *c)					\
{									\
	struct G	 a;						\
	struct fr	 k;						\
									\
	if (G##_in(&a, c, 0) == -1 || fr_in(&k, c, 1) == -1)		\
		return -1;						\
	G##_mul(&a, &a, &k);						\
	return G##_out(c, &a);						\
}
POINT_TESTS(g1, G1_BYTES)
POINT_TESTS(g2, G2_BYTES)

/* --- pairings and Nym's constants ---------------------------------------- */

static int
t_pair(const struct vcase *c)
{
	struct g1	 p;
	struct g2	 q;
	struct fp12	 e;

	if (g1_in(&p, c, 0) == -1 || g2_in(&q, c, 1) == -1)
		return -1;
	pairing(&e, &p, &q);
	return fp12_out(c, &e);
}

static int
t_pair_product(const struct vcase *c)
{
	struct g1	 p[IN_MAX / 2];
	struct g2	 q[IN_MAX / 2];
	struct fp12	 f;
	size_t		 i, n = c->nin / 2;

	for (i = 0; i < n; i++)
		if (g1_in(&p[i], c, 2 * i) == -1 ||
		    g2_in(&q[i], c, 2 * i + 1) == -1)
			return -1;
	pairing_miller(&f, p, q, n);
	pairing_final_exp(&f, &f);
	if (fp12_out(c, &f) == -1)
		return -1;
	/* pairing_product_is_one must agree with the value. */
	return pairing_product_is_one(p, q, n) == fp12_is_one(&f) ? 0 : -1;
}

/* The constants setup.c holds against the oracles' hash_g1. */
static int
t_hash_g1(const struct vcase *c)
{
	const struct ecash_params	*ep = ecash_params();
	static const char *const	 names[] = { "gamma1", "gamma2",
					    "gamma3", "gamma4", "delta" };
	size_t				 i;

	for (i = 0; i < 5; i++)
		if (c->inlen[0] == strlen(names[i]) &&
		    memcmp(c->in[0], names[i], c->inlen[0]) == 0)
			return g1_out(c, i < 4 ? &ep->gamma[i] : &ep->delta);
	return -1;
}

/* --- the vector file -------------------------------------------------- */

struct op {
	const char	*layer, *op;
	vcase_fn	 fn;
	int		 n, failed, by_noble, by_mcl, by_nym, by_zk;
	char		 first[160];
};

/* Designated: the tallies start at zero. */
#define OP(l, o, f)	{ .layer = l, .op = o, .fn = f }
static struct op ops[] = {
	OP("fp", "add", t_fp_add), OP("fp", "sub", t_fp_sub),
	OP("fp", "mul", t_fp_mul), OP("fp", "sqr", t_fp_sqr),
	OP("fp", "neg", t_fp_neg), OP("fp", "inv", t_fp_inv),
	OP("fp", "sqrt", t_fp_sqrt), OP("fp", "decode", t_fp_decode),
	OP("fr", "add", t_fr_add), OP("fr", "sub", t_fr_sub),
	OP("fr", "mul", t_fr_mul), OP("fr", "neg", t_fr_neg),
	OP("fr", "decode", t_fr_decode), OP("fr", "wide", t_fr_wide),
	OP("fr", "hash_to_scalar", t_fr_hash), OP("xmd", "sha256", t_xmd),
	OP("fp2", "add", t_fp2_add), OP("fp2", "mul", t_fp2_mul),
	OP("fp2", "sqr", t_fp2_sqr), OP("fp2", "inv", t_fp2_inv),
	OP("fp2", "sqrt", t_fp2_sqrt),
	OP("fp12", "mul", t_fp12_mul), OP("fp12", "sqr", t_fp12_sqr),
	OP("fp12", "inv", t_fp12_inv), OP("fp12", "conj", t_fp12_conj),
	OP("fp12", "frobenius", t_fp12_frob),
	OP("fp12", "final_exp", t_fp12_fexp),
	OP("g1", "decode", t_g1_decode), OP("g1", "add", t_g1_add),
	OP("g1", "dbl", t_g1_dbl), OP("g1", "neg", t_g1_neg),
	OP("g1", "mul", t_g1_mul),
	OP("g2", "decode", t_g2_decode), OP("g2", "add", t_g2_add),
	OP("g2", "dbl", t_g2_dbl), OP("g2", "neg", t_g2_neg),
	OP("g2", "mul", t_g2_mul),
	OP("pairing", "pair", t_pair), OP("pairing", "product", t_pair_product),
	OP("hash_g1", "nym", t_hash_g1),
};
#define NOPS	(sizeof(ops) / sizeof(ops[0]))

static struct op *
op_find(const char *layer, const char *op)
{
	size_t	 i;

	for (i = 0; i < NOPS; i++)
		if (strcmp(ops[i].layer, layer) == 0 &&
		    strcmp(ops[i].op, op) == 0)
			return &ops[i];
	return NULL;
}

static void
vcase_free(struct vcase *c)
{
	size_t	 i;

	for (i = 0; i < c->nin; i++)
		free(c->in[i]);
	free(c->out);
}

/* One case from JSON; -1 if it is not well formed. */
static int
vcase_load(struct vcase *c, const json_t *j)
{
	const json_t	*in = json_object_get(j, "in"), *out;
	size_t		 i;

	memset(c, 0, sizeof(*c));
	if (!json_is_array(in) || json_array_size(in) > IN_MAX)
		return -1;
	for (i = 0; i < json_array_size(in); i++) {
		c->instr[i] = json_string_value(json_array_get(in, i));
		if (c->instr[i] == NULL || (c->in[i] =
		    t_unhex_alloc(c->instr[i], &c->inlen[i])) == NULL)
			return -1;
		c->nin++;
	}
	out = json_object_get(j, "out");
	if (json_is_string(out) && (c->out = t_unhex_alloc(
	    json_string_value(out), &c->outlen)) == NULL)
		return -1;
	c->why = json_string_value(json_object_get(j, "why"));
	return 0;
}

static void
run_case(struct op *o, const json_t *j, size_t idx)
{
	const char	*by = json_string_value(json_object_get(j, "o"));
	struct vcase	 c;
	int		 rv;

	rv = vcase_load(&c, j) == 0 ? o->fn(&c) : -1;
	vcase_free(&c);
	o->n++;
	if (rv == -1 && o->failed++ == 0)
		snprintf(o->first, sizeof(o->first), "case %zu (%s) differs",
		    idx, c.nin > 0 ? c.instr[0] : "");
	if (by == NULL)
		return;
	o->by_noble += strchr(by, 'n') != NULL;
	o->by_mcl += strchr(by, 'm') != NULL;
	o->by_nym += strchr(by, 'y') != NULL;
	o->by_zk += strchr(by, 'z') != NULL;
}

static void
report(const struct op *o, const char *label)
{
	char	 name[200];

	snprintf(name, sizeof(name), "%s %s %s: %d cases (noble %d, mcl %d%s",
	    label, o->layer, o->op, o->n, o->by_noble, o->by_mcl,
	    o->by_nym ? ", Nym's own" : "");
	if (o->by_nym)
		snprintf(name + strlen(name), sizeof(name) - strlen(name),
		    " %d", o->by_nym);
	if (o->by_zk)
		snprintf(name + strlen(name), sizeof(name) - strlen(name),
		    ", zkcrypto's rule %d", o->by_zk);
	strncat(name, ")", sizeof(name) - strlen(name) - 1);
	if (o->n == 0)
		t_fail(name, "no cases in the vector file");
	else if (o->failed)
		t_fail(name, "%d differ; first: %s", o->failed, o->first);
	else
		t_ok(name);
}

static void
vector_file(const char *path, const char *label)
{
	json_error_t	 err;
	json_t		*root, *cases, *j;
	struct op	*o;
	size_t		 i, unknown = 0;

	if ((root = json_load_file(path, 0, &err)) == NULL ||
	    !json_is_array(cases = json_object_get(root, "cases"))) {
		t_fail(label, "cannot read %s: %s", path, err.text);
		json_decref(root);
		return;
	}
	json_array_foreach(cases, i, j) {
		o = op_find(json_string_value(json_object_get(j, "l")) ?: "",
		    json_string_value(json_object_get(j, "op")) ?: "");
		if (o == NULL)
			unknown++;
		else
			run_case(o, j, i);
	}
	for (i = 0; i < NOPS; i++)
		report(&ops[i], label);
	if (unknown)
		t_fail(label, "%zu cases of unknown operations", unknown);
	json_decref(root);
}

/* --- fixed vectors ---------------------------------------------------- */

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE	*f;
	uint8_t	*b;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == -1 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) == -1 || (b = malloc((size_t)n + 1)) ==
	    NULL) {
		fclose(f);
		return NULL;
	}
	*len = fread(b, 1, (size_t)n, f);
	fclose(f);
	return b;
}

/* zkcrypto's src/tests: [i] G compressed for i = 0..999, each of which
 * must decode to that point and encode back to the same bytes. */
#define ZK_VECTORS(G, NB, file)						\
static void								\
zk_##G(void)								\
{									\
	uint8_t		*b, e[NB];					\
	size_t		 len = 0, i;					\
	struct G	 acc, p;					\
									\
	T_BEGIN("zkcrypto " #G " compressed vectors: 0..999 G decode "	\
	    "and re-encode");						\
	b = read_file(VEC_DIR "zkcrypto/" file, &len);			\
	CHECK(b != NULL && len == 1000 * NB);				\
	G##_infinity(&acc);						\
	for (i = 0; b != NULL && i < len / NB; i++) {			\
		CHECKF(G##_decode(&p, b + i * NB) == BLS_DECODE_OK &&	\
		    G##_eq(&p, &acc), "%zu G does not decode", i);	\
		G##_encode(e, &acc);					\
		CHECKF(memcmp(e, b + i * NB, NB) == 0,			\
		    "%zu G encodes otherwise", i);			\
		G##_add(&acc, &acc, G##_generator());			\
	}								\
	free(b);							\
	T_END();							\
}
ZK_VECTORS(g1, G1_BYTES, "g1_compressed_valid_test_vectors.dat")
ZK_VECTORS(g2, G2_BYTES, "g2_compressed_valid_test_vectors.dat")

static void
rfc9380(void)
{
	json_error_t	 err;
	json_t		*root, *cases, *j;
	uint8_t		*msg, *want, out[256];
	const char	*dst;
	size_t		 i, mlen, wlen, n = 0;

	T_BEGIN("RFC 9380 K.1 expand_message_xmd(SHA-256), short and long "
	    "DST");
	root = json_load_file(VEC_DIR "rfc9380-xmd-sha256.json", 0, &err);
	cases = json_object_get(root, "cases");
	CHECK(json_array_size(cases) == 20);
	json_array_foreach(cases, i, j) {
		msg = t_unhex_alloc(json_string_value(json_object_get(j,
		    "msg")), &mlen);
		want = t_unhex_alloc(json_string_value(json_object_get(j,
		    "out")), &wlen);
		dst = json_string_value(json_object_get(j, "dst"));
		CHECK(msg != NULL && want != NULL && dst != NULL &&
		    wlen <= sizeof(out));
		if (msg != NULL && want != NULL && dst != NULL &&
		    wlen <= sizeof(out)) {
			CHECKF(xmd_sha256(out, wlen, msg, mlen,
			    (const uint8_t *)dst, strlen(dst)) == 0 &&
			    memcmp(out, want, wlen) == 0, "case %zu", i);
			n++;
		}
		free(msg);
		free(want);
	}
	CHECK(n == 20);
	json_decref(root);
	T_END();
}

/* nym-api's own signatures: 60 points Nym's code made, decoded here. */
static void
nym_points(void)
{
	json_error_t	 err;
	json_t		*root, *sigs, *s;
	const char	*hx[2];
	uint8_t		 b[G1_BYTES], e[G1_BYTES];
	struct g1	 p;
	size_t		 i, j, n, len;

	T_BEGIN("Nym's real expiration-date signatures: all 60 points decode "
	    "in G1 and encode back");
	root = json_load_file(VEC_DIR "nym-expiration-signatures.json", 0,
	    &err);
	sigs = json_object_get(root, "signatures");
	n = 0;
	json_array_foreach(sigs, i, s) {
		hx[0] = json_string_value(json_object_get(json_object_get(s,
		    "signature"), "h"));
		hx[1] = json_string_value(json_object_get(json_object_get(s,
		    "signature"), "s"));
		for (j = 0; j < 2; j++) {
			CHECK(hx[j] != NULL && t_unhex(hx[j], b, sizeof(b),
			    &len) == 0 && len == G1_BYTES);
			CHECKF(g1_decode(&p, b) == BLS_DECODE_OK,
			    "signature %zu point %zu", i, j);
			g1_encode(e, &p);
			CHECK(memcmp(e, b, G1_BYTES) == 0);
			n++;
		}
	}
	CHECK(n == 60);
	json_decref(root);
	T_END();
}

/* What no oracle is needed for: bilinearity, and the group order. */
static void
algebra(void)
{
	struct fr	 a, b, ab;
	struct g1	 p;
	struct g2	 q;
	struct fp12	 e1, e2;
	uint8_t		 r[FR_BYTES];

	T_BEGIN("e(aP, bQ) = e(P, Q)^(ab) = e(abP, Q); r G = O; "
	    "xmd refuses lengths over 255 blocks");
	fr_from_u64(&a, 0x1234567890abcdefULL);
	fr_from_u64(&b, 0xfedcba0987654321ULL);
	fr_mul(&ab, &a, &b);
	g1_mul(&p, g1_generator(), &a);
	g2_mul(&q, g2_generator(), &b);
	pairing(&e1, &p, &q);
	g1_mul(&p, g1_generator(), &ab);
	pairing(&e2, &p, g2_generator());
	CHECK(fp12_eq(&e1, &e2));
	CHECK(!fp12_is_one(&e1));
	CHECK(g1_in_subgroup(g1_generator()) && g2_in_subgroup(g2_generator()));
	/* r - 1 is the largest scalar; (r - 1) G = -G */
	memset(r, 0, sizeof(r));
	fr_one(&a);
	fr_neg(&a, &a);
	g1_mul(&p, g1_generator(), &a);
	g1_add(&p, &p, g1_generator());
	CHECK(g1_is_infinity(&p));
	CHECK(xmd_sha256(r, 255 * 32 + 1, r, 0, r, 1) == -1);
	T_END();
}

/* A fixed xorshift: the same "random" points on every run. */
static uint64_t	 xs_state = 0x9e3779b97f4a7c15ULL;

static void
xs_bytes(uint8_t *b, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		xs_state ^= xs_state << 13;
		xs_state ^= xs_state >> 7;
		xs_state ^= xs_state << 17;
		b[i] = (uint8_t)xs_state;
	}
}

/* A curve point that is almost surely outside the subgroup. */
#define RANDOM_POINT(G, NB)						\
static void								\
random_##G(struct G *p)							\
{									\
	uint8_t	 b[NB];							\
									\
	do {								\
		xs_bytes(b, sizeof(b));					\
		b[0] = (b[0] & 0x3f) | 0x80;				\
		b[0] &= 0x9f;	/* x < 2^381: rarely >= p */		\
	} while (G##_decode_unchecked(p, b) != BLS_DECODE_OK);		\
}
RANDOM_POINT(g1, G1_BYTES)
RANDOM_POINT(g2, G2_BYTES)

static void
random_fr(struct fr *k)
{
	uint8_t	 w[64];

	xs_bytes(w, sizeof(w));
	fr_from_wide(k, w);
}

/*
 * The endomorphism subgroup tests against [r] P = O: on points off the
 * subgroup, on multiples of the generators, and on those plus a point
 * off it; the G1 cofactor times any point is in G1.
 */
static void
subgroup_tests(void)
{
	/* h1 = (x - 1)^2 / 3, G1's cofactor */
	static const uint64_t	 h1[FR_LIMBS] = { 0x8c00aaab0000aaabULL,
				    0x396c8c005555e156ULL, 0, 0 };
	struct g1		 p, q;
	struct g2		 p2, q2;
	struct fr		 k;
	int			 i, off = 0, in = 0;

	T_BEGIN("subgroup tests: phi and psi agree with [r] P = O on 300 "
	    "points in and out of G1 and G2");
	for (i = 0; i < 50; i++) {
		random_g1(&p);
		CHECK(g1_in_subgroup(&p) == g1_in_subgroup_naive(&p));
		off += !g1_in_subgroup_naive(&p);
		g1_msm(&q, &p, &h1, 1);
		CHECK(g1_in_subgroup(&q) && g1_in_subgroup_naive(&q));
		random_fr(&k);
		g1_mul(&q, g1_generator(), &k);
		g1_add(&p, &p, &q);
		CHECK(g1_in_subgroup(&p) == g1_in_subgroup_naive(&p));
		random_g2(&p2);
		CHECK(g2_in_subgroup(&p2) == g2_in_subgroup_naive(&p2));
		off += !g2_in_subgroup_naive(&p2);
		g2_mul(&q2, g2_generator(), &k);
		CHECK(g2_in_subgroup(&q2) && g2_in_subgroup_naive(&q2));
		in += g2_in_subgroup(&q2);
		g2_add(&p2, &p2, &q2);
		CHECK(g2_in_subgroup(&p2) == g2_in_subgroup_naive(&p2));
	}
	CHECK(off == 100 && in == 50);
	T_END();
}

/* lincomb (split scalars, fixed tables) against plain Straus. */
static void
lincomb_tests(void)
{
	struct g1_fixed	*f1 = malloc(sizeof(*f1));
	struct g2_fixed	*f2 = malloc(sizeof(*f2));
	struct g1	 p1[10], r1, s1;
	struct g2	 p2[10], r2, s2;
	struct g1_term	 t1[10];
	struct g2_term	 t2[10];
	struct fr	 k[10], tmp;
	uint64_t	 l[10][FR_LIMBS];
	int		 i, n;

	T_BEGIN("linear combinations: endomorphism splits and fixed tables "
	    "agree with Straus; scalars 0, 1, r - 1");
	CHECK(f1 != NULL && f2 != NULL);
	g1_fixed_init(f1, g1_generator());
	g2_fixed_init(f2, g2_generator());
	for (n = 1; n <= 10 && f1 != NULL && f2 != NULL; n += 3) {
		for (i = 0; i < n; i++) {
			random_fr(&k[i]);
			if (i == 1)
				fr_zero(&k[i]);
			if (i == 2)
				fr_one(&k[i]);
			if (i == 3) {
				fr_one(&k[i]);
				fr_neg(&k[i], &k[i]);
			}
			fr_to_limbs(l[i], &k[i]);
			random_fr(&tmp);
			g1_mul(&p1[i], g1_generator(), &tmp);
			g2_mul(&p2[i], g2_generator(), &tmp);
			/* every other term the generator's tables */
			if (i % 2) {
				p1[i] = *g1_generator();
				p2[i] = *g2_generator();
			}
			t1[i].p = i % 2 ? NULL : &p1[i];
			t1[i].f = i % 2 ? f1 : NULL;
			t1[i].k = &k[i];
			t2[i].p = i % 2 ? NULL : &p2[i];
			t2[i].f = i % 2 ? f2 : NULL;
			t2[i].k = &k[i];
		}
		g1_lincomb(&r1, t1, (size_t)n);
		g1_msm(&s1, p1, (const uint64_t (*)[FR_LIMBS])l, (size_t)n);
		CHECKF(g1_eq(&r1, &s1), "G1, %d terms", n);
		g2_lincomb(&r2, t2, (size_t)n);
		g2_msm(&s2, p2, (const uint64_t (*)[FR_LIMBS])l, (size_t)n);
		CHECKF(g2_eq(&r2, &s2), "G2, %d terms", n);
	}
	free(f1);
	free(f2);
	T_END();
}

/* Granger-Scott squaring against the general one, after the easy part
 * of the final exponentiation (and only there is it valid). */
static void
cyclotomic_tests(void)
{
	struct fp12	 f, a, b, t;
	int		 i;

	T_BEGIN("cyclotomic squaring agrees with squaring in the cyclotomic "
	    "subgroup");
	pairing_miller(&f, g1_generator(), g2_generator(), 1);
	fp12_inv(&t, &f);
	fp12_conj(&f, &f);
	fp12_mul(&f, &f, &t);	/* f^(p^6 - 1) */
	fp12_frobenius(&t, &f);
	fp12_frobenius(&t, &t);
	fp12_mul(&f, &t, &f);	/* ^(p^2 + 1): in the cyclotomic subgroup */
	for (i = 0; i < 8; i++) {
		fp12_sqr(&a, &f);
		fp12_cyclotomic_sqr(&b, &f);
		CHECK(fp12_eq(&a, &b));
		fp12_mul(&f, &a, &f);
	}
	T_END();
}

int
main(int argc, char **argv)
{
	if (ecash_init() == -1) {
		t_fail("ecash_init", "the curve constants do not decode");
		return t_done();
	}
	if (argc > 1) {
		/* fresh oracle output: regress/interop/ecash.sh */
		vector_file(argv[1], "live");
		return t_done();
	}
	vector_file(VEC_DIR "bls.json", "oracle");
	zk_g1();
	zk_g2();
	rfc9380();
	nym_points();
	algebra();
	subgroup_tests();
	lincomb_tests();
	cyclotomic_tests();
	return t_done();
}
