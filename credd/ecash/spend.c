/*
 * SpendProof::verify (ecash/proofs/proof_spend.rs): recompute the
 * prover's commitments from the responses and the challenge c, hash
 * them with the instance as the prover did, and compare the result with
 * c.  With s_* the responses, g = gamma2 (setup's gamma_idx(1)):
 *
 *   T_kappa   = c kappa + (1-c) alpha + s_r g2 + sum s_attr[i] beta2[i]
 *   T_cc      = s_oc g1 + s_attr[1] g + c cc
 *   T_kappa_e = c kappa_e + (1-c) alpha + s_attr[2] beta2[0] + s_re g2
 *   per coin k:
 *   T_aa      = s_oa g1 + s_l g + c aa
 *   T_ss      = s_mu delta + c ss
 *   T_tt      = (s_attr[0] + R_k s_mu) g1 + c tt,  R_k = H(pay_info, k)
 *   T_gamma1  = s_mu (aa + cc + g) + s_omu g1 + c g
 *   T_kappa_k = c kappa_k + s_rk g2 + (1-c) alpha + s_l beta2[0]
 *
 * Every per-coin list, and the attribute sum, runs over the shortest of
 * the vectors it reads, as Rust's zip does.  That is no detail: real
 * tickets carry no responses_r_k at all (scheme/mod.rs never fills
 * r_k), so T_kappa_k is empty for every genuine ticket, and a stricter
 * length check would refuse them all.
 *
 * The challenge is Scalar::from_bytes_wide(0^32 || SHA-256(...)): the
 * digest lands in the high half, i.e. LE(digest) 2^256 mod r.
 */
#include <string.h>

#include "ecash.h"

/* The most terms of any commitment: T_kappa with a full key. */
#define LIN_MAX		(3 + ECASH_VK_MAX)

static size_t
min2(size_t a, size_t b)
{
	return a < b ? a : b;
}

static size_t
min3(size_t a, size_t b, size_t c)
{
	return min2(min2(a, b), c);
}

/* A commitment as a list of terms, then its sum. */
struct lin1 {
	struct g1_term	 t[LIN_MAX];
	size_t		 n;
};

struct lin2 {
	struct g2_term	 t[LIN_MAX];
	size_t		 n;
};

static void
lin1(struct lin1 *l, const struct g1 *p, const struct g1_fixed *f,
    const struct fr *k)
{
	l->t[l->n].p = p;
	l->t[l->n].f = f;
	l->t[l->n++].k = k;
}

static void
lin2(struct lin2 *l, const struct g2 *p, const struct g2_fixed *f,
    const struct fr *k)
{
	l->t[l->n].p = p;
	l->t[l->n].f = f;
	l->t[l->n++].k = k;
}

/* The proof's scalars that every commitment uses. */
struct spend_ctx {
	const struct ecash_payment	*m;
	const struct ecash_proof	*pf;
	const struct ecash_vk		*vk;
	const struct ecash_params	*ep;
	struct fr			 c, one_c;	/* c, 1 - c */
	struct sha256_stream		 h;
};

static void
put_g1(struct spend_ctx *x, const struct g1 *p)
{
	uint8_t	 b[G1_BYTES];

	g1_encode(b, p);
	sha256_write(&x->h, b, sizeof(b));
}

static void
put_g2(struct spend_ctx *x, const struct g2 *p)
{
	uint8_t	 b[G2_BYTES];

	g2_encode(b, p);
	sha256_write(&x->h, b, sizeof(b));
}

/* bincode of a point: its length (a one-byte varint) and bytes. */
static void
put_bin_g1(struct spend_ctx *x, const struct g1 *p)
{
	uint8_t	 len = G1_BYTES;

	sha256_write(&x->h, &len, 1);
	put_g1(x, p);
}

static void
put_bin_g2(struct spend_ctx *x, const struct g2 *p)
{
	uint8_t	 len = G2_BYTES;

	sha256_write(&x->h, &len, 1);
	put_g2(x, p);
}

static void
put_bin_len(struct spend_ctx *x, size_t n)
{
	uint8_t	 b = (uint8_t)n;	/* n <= ECASH_VEC_MAX < 251 */

	sha256_write(&x->h, &b, 1);
}

/* bincode(SpendInstance{kappa, cc, aa, ss, tt, kappa_k, kappa_e}). */
static void
put_instance(struct spend_ctx *x)
{
	const struct ecash_payment	*m = x->m;
	size_t				 i;

	put_bin_g2(x, &m->kappa);
	put_bin_g1(x, &m->cc);
	put_bin_len(x, m->naa);
	for (i = 0; i < m->naa; i++)
		put_bin_g1(x, &m->aa[i]);
	put_bin_len(x, m->nss);
	for (i = 0; i < m->nss; i++)
		put_bin_g1(x, &m->ss[i]);
	put_bin_len(x, m->ntt);
	for (i = 0; i < m->ntt; i++)
		put_bin_g1(x, &m->tt[i]);
	put_bin_len(x, m->nkappa_k);
	for (i = 0; i < m->nkappa_k; i++)
		put_bin_g2(x, &m->kappa_k[i]);
	put_bin_g2(x, &m->kappa_e);
}

static void
put_sum1(struct spend_ctx *x, struct lin1 *l)
{
	struct g1	 t;

	g1_lincomb(&t, l->t, l->n);
	put_g1(x, &t);
	l->n = 0;
}

static void
put_sum2(struct spend_ctx *x, struct lin2 *l)
{
	struct g2	 t;

	g2_lincomb(&t, l->t, l->n);
	put_g2(x, &t);
	l->n = 0;
}

/* beta2[i]'s tables if the key keeps them (0..3), else the point. */
static void
lin2_beta(struct lin2 *l, const struct ecash_vk *vk, size_t i,
    const struct fr *k)
{
	lin2(l, &vk->beta_g2[i], i < ECASH_VK_MIN ? &vk->beta_f[i] : NULL, k);
}

static void
put_t_kappa(struct spend_ctx *x)
{
	struct lin2	 l = { .n = 0 };
	size_t		 n = min2(x->pf->nattr, x->vk->n), i;

	lin2(&l, &x->m->kappa, NULL, &x->c);
	lin2(&l, NULL, &x->vk->alpha_f, &x->one_c);
	lin2(&l, NULL, &x->ep->g2_f, &x->pf->r);
	for (i = 0; i < n; i++)
		lin2_beta(&l, x->vk, i, &x->pf->attr[i]);
	put_sum2(x, &l);
}

static void
put_t_kappa_e(struct spend_ctx *x)
{
	struct lin2	 l = { .n = 0 };

	lin2(&l, &x->m->kappa_e, NULL, &x->c);
	lin2(&l, NULL, &x->vk->alpha_f, &x->one_c);
	lin2_beta(&l, x->vk, 0, &x->pf->attr[2]);
	lin2(&l, NULL, &x->ep->g2_f, &x->pf->r_e);
	put_sum2(x, &l);
}

static void
put_t_cc(struct spend_ctx *x)
{
	struct lin1	 l = { .n = 0 };

	lin1(&l, NULL, &x->ep->g1_f, &x->pf->o_c);
	lin1(&l, NULL, &x->ep->gamma2_f, &x->pf->attr[1]);
	lin1(&l, &x->m->cc, NULL, &x->c);
	put_sum1(x, &l);
}

static void
put_t_aa(struct spend_ctx *x)
{
	struct lin1	 l = { .n = 0 };
	size_t		 k, n = min3(x->pf->no_a, x->pf->nl, x->m->naa);

	for (k = 0; k < n; k++) {
		lin1(&l, NULL, &x->ep->g1_f, &x->pf->o_a[k]);
		lin1(&l, NULL, &x->ep->gamma2_f, &x->pf->l[k]);
		lin1(&l, &x->m->aa[k], NULL, &x->c);
		put_sum1(x, &l);
	}
}

static void
put_t_ss(struct spend_ctx *x)
{
	struct lin1	 l = { .n = 0 };
	size_t		 k, n = min2(x->pf->nmu, x->m->nss);

	for (k = 0; k < n; k++) {
		lin1(&l, NULL, &x->ep->delta_f, &x->pf->mu[k]);
		lin1(&l, &x->m->ss[k], NULL, &x->c);
		put_sum1(x, &l);
	}
}

static void
put_t_kappa_k(struct spend_ctx *x)
{
	struct lin2	 l = { .n = 0 };
	size_t		 k, n = min3(x->m->nkappa_k, x->pf->nr_k, x->pf->nl);

	for (k = 0; k < n; k++) {
		lin2(&l, &x->m->kappa_k[k], NULL, &x->c);
		lin2(&l, NULL, &x->ep->g2_f, &x->pf->r_k[k]);
		lin2(&l, NULL, &x->vk->alpha_f, &x->one_c);
		lin2_beta(&l, x->vk, 0, &x->pf->l[k]);
		put_sum2(x, &l);
	}
}

static void
put_t_gamma1(struct spend_ctx *x)
{
	struct lin1	 l = { .n = 0 };
	struct g1	 base;
	size_t		 k, n = min3(x->m->naa, x->pf->nmu, x->pf->no_mu);

	for (k = 0; k < n; k++) {
		g1_add(&base, &x->m->aa[k], &x->m->cc);
		g1_add(&base, &base, &x->ep->gamma[1]);
		lin1(&l, &base, NULL, &x->pf->mu[k]);
		lin1(&l, NULL, &x->ep->g1_f, &x->pf->o_mu[k]);
		lin1(&l, NULL, &x->ep->gamma2_f, &x->c);
		put_sum1(x, &l);
	}
}

/* R_k = hash_to_scalar(pay_info || u64 LE k) (compute_pay_info_hash). */
static void
pay_info_hash(struct fr *r, const uint8_t pay_info[ECASH_PAYINFO_LEN],
    uint64_t k)
{
	uint8_t	 b[ECASH_PAYINFO_LEN + 8];
	size_t	 i;

	memcpy(b, pay_info, ECASH_PAYINFO_LEN);
	for (i = 0; i < 8; i++)
		b[ECASH_PAYINFO_LEN + i] = (uint8_t)(k >> (8 * i));
	hash_to_scalar(r, b, sizeof(b));
}

static void
put_t_tt(struct spend_ctx *x)
{
	struct lin1	 l = { .n = 0 };
	struct fr	 s, rk;
	size_t		 k, n = min2(x->pf->nmu, x->m->ntt);

	/* rr has spend_value entries: zip(mu, rr, tt). */
	if (x->m->spend_value < n)
		n = (size_t)x->m->spend_value;
	for (k = 0; k < n; k++) {
		pay_info_hash(&rk, x->m->pay_info, k);
		fr_mul(&s, &rk, &x->pf->mu[k]);
		fr_add(&s, &s, &x->pf->attr[0]);
		lin1(&l, NULL, &x->ep->g1_f, &s);
		lin1(&l, &x->m->tt[k], NULL, &x->c);
		put_sum1(x, &l);
	}
}

int
ecash_spend_proof_verify(const struct ecash_payment *m,
    const struct ecash_vk *vk)
{
	struct spend_ctx	 x;
	uint8_t			 digest[32], wide[64], sv[8];
	struct fr		 c2, one;
	size_t			 i;

	/* Rust indexes responses_attributes[0..2]: fewer is no proof. */
	if (m->proof.nattr < 3 || vk->n < 1)
		return 0;
	memset(&x, 0, sizeof(x));
	x.m = m;
	x.pf = &m->proof;
	x.vk = vk;
	x.ep = ecash_params();
	x.c = m->proof.challenge;
	fr_one(&one);
	fr_sub(&x.one_c, &one, &x.c);
	sha256_open(&x.h);
	put_g1(&x, g1_generator());
	put_g2(&x, g2_generator());
	sha256_write(&x.h, x.ep->gammas_bytes, sizeof(x.ep->gammas_bytes));
	sha256_write(&x.h, vk->bytes, vk->nbytes);
	put_instance(&x);
	put_t_kappa(&x);
	put_t_kappa_e(&x);
	put_t_cc(&x);
	put_t_aa(&x);
	put_t_ss(&x);
	put_t_kappa_k(&x);
	put_t_gamma1(&x);
	put_t_tt(&x);
	sha256_write(&x.h, m->pay_info, ECASH_PAYINFO_LEN);
	for (i = 0; i < 8; i++)
		sv[i] = (uint8_t)(m->spend_value >> (8 * i));
	sha256_write(&x.h, sv, sizeof(sv));
	sha256_close(&x.h, digest);
	memset(wide, 0, 32);
	memcpy(wide + 32, digest, 32);
	fr_from_wide(&c2, wide);
	return fr_eq(&c2, &x.c);
}
