/*
 * CredentialSpendingData (common/credentials-interface/src/lib.rs) into
 * decoded points and scalars:
 *
 *   u32 BE payment_len || Payment (bincode) || pay_info (72) ||
 *   spend_date (i32 BE, Julian day) || epoch_id (u64 BE)
 *
 * Payment's fields in declaration order (scheme/mod.rs), then SpendProof
 * (proofs/proof_spend.rs).  Every point is checked as zkcrypto's
 * from_compressed does (flags, x < p, on the curve, in the subgroup) and
 * every scalar as from_bytes does (< r), as Nym's deserialiser does
 * before any check of the ticket; trailing bytes are refused as
 * bincode's DefaultOptions refuses them.
 */
#include <string.h>

#include "ecash.h"

#define PAYMENT_TAIL	(ECASH_PAYINFO_LEN + 4 + 8)

static void
parse_sig(struct bincode *c, struct ecash_sig *s, const char *h,
    const char *sv)
{
	bincode_g1(c, &s->h, h);
	bincode_g1(c, &s->s, sv);
}

static size_t
parse_frs(struct bincode *c, struct fr *v, const char *what)
{
	size_t	 n = bincode_vec(c, ECASH_VEC_MAX, what), i;

	for (i = 0; i < n && !c->bad; i++)
		bincode_fr(c, &v[i], what);
	return n;
}

static size_t
parse_g1s(struct bincode *c, struct g1 *v, const char *what)
{
	size_t	 n = bincode_vec(c, ECASH_VEC_MAX, what), i;

	for (i = 0; i < n && !c->bad; i++)
		bincode_g1(c, &v[i], what);
	return n;
}

static void
parse_proof(struct bincode *c, struct ecash_proof *p)
{
	bincode_fr(c, &p->challenge, "zk_proof.challenge");
	bincode_fr(c, &p->r, "zk_proof.response_r");
	bincode_fr(c, &p->r_e, "zk_proof.response_r_e");
	p->nr_k = parse_frs(c, p->r_k, "zk_proof.responses_r_k");
	p->nl = parse_frs(c, p->l, "zk_proof.responses_l");
	p->no_a = parse_frs(c, p->o_a, "zk_proof.responses_o_a");
	bincode_fr(c, &p->o_c, "zk_proof.response_o_c");
	p->nmu = parse_frs(c, p->mu, "zk_proof.responses_mu");
	p->no_mu = parse_frs(c, p->o_mu, "zk_proof.responses_o_mu");
	p->nattr = parse_frs(c, p->attr, "zk_proof.responses_attributes");
}

static void
parse_payment(struct bincode *c, struct ecash_payment *m)
{
	size_t	 i;

	bincode_g2(c, &m->kappa, "kappa");
	bincode_g2(c, &m->kappa_e, "kappa_e");
	parse_sig(c, &m->sig, "sig.h", "sig.s");
	parse_sig(c, &m->sig_exp, "sig_exp.h", "sig_exp.s");
	m->nkappa_k = bincode_vec(c, ECASH_VEC_MAX, "kappa_k");
	for (i = 0; i < m->nkappa_k && !c->bad; i++)
		bincode_g2(c, &m->kappa_k[i], "kappa_k");
	m->nomega = bincode_vec(c, ECASH_VEC_MAX, "omega");
	for (i = 0; i < m->nomega && !c->bad; i++)
		parse_sig(c, &m->omega[i], "omega.h", "omega.s");
	m->nss = parse_g1s(c, m->ss, "ss");
	m->ntt = parse_g1s(c, m->tt, "tt");
	m->naa = parse_g1s(c, m->aa, "aa");
	m->spend_value = bincode_varint(c);
	bincode_g1(c, &m->cc, "cc");
	m->t_type = bincode_u8(c);
	parse_proof(c, &m->proof);
}

static uint64_t
be(const uint8_t *p, size_t n)
{
	uint64_t	 v = 0;

	while (n-- > 0)
		v = v << 8 | *p++;
	return v;
}

enum ecash_parse
ecash_payment_parse(struct ecash_payment *m, const uint8_t *b, size_t len,
    const char **what, enum bls_decode *why)
{
	struct bincode	 c;
	uint64_t	 plen;

	*what = NULL;
	*why = BLS_DECODE_OK;
	if (len < 4 + PAYMENT_TAIL)
		return ECASH_PARSE_FORMAT;
	plen = be(b, 4);
	if (len - 4 - PAYMENT_TAIL != plen)
		return ECASH_PARSE_FORMAT;
	bincode_init(&c, b + 4, (size_t)plen);
	parse_payment(&c, m);
	if (c.why != BLS_DECODE_OK) {
		*what = c.what;
		*why = c.why;
		return ECASH_PARSE_ELEMENT;
	}
	if (c.bad || c.left != 0) {
		*what = c.what;
		return ECASH_PARSE_FORMAT;
	}
	b += 4 + plen;
	memcpy(m->pay_info, b, ECASH_PAYINFO_LEN);
	m->spend_date = (int32_t)(uint32_t)be(b + ECASH_PAYINFO_LEN, 4);
	m->epoch_id = be(b + ECASH_PAYINFO_LEN + 4, 8);
	return ECASH_PARSE_OK;
}
