/*
 * What a ticket must pass before credd credits it: the gateway's policy
 * (ticket.c's ticket_check, and the key's epoch), Nym's deserialiser's
 * checks of every element, then Payment::spend_verify (scheme/mod.rs)
 * in its order:
 *
 *   serial numbers pairwise distinct
 *   the spend proof (spend.c)
 *   sig.h != O and e(h, kappa + t_type beta2[3]) = e(s, g2)
 *   sig_exp.h != O and
 *     e(h_e, kappa_e + ts beta2[1] + TYPE_EXP beta2[2]) = e(s_e, g2),
 *     ts the spend date's midnight (UTC) as unix time
 *   |omega| = |kappa_k| and for each k
 *     e(h_k, TYPE_IDX (beta2[1] + beta2[2]) + kappa_k) = e(s_k, g2);
 *     Nym has no h != O test here, nor do we
 *
 * Each equality is checked as one product of pairings against one, as
 * check_bilinear_pairing does.  The client's messages are Nym's gateway's
 * (credential-verification's EcashTicketError).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credd/credd.h"
#include "ecash.h"
#include "gwcrypto.h"
#include "util.h"

#define JDN_UNIX_EPOCH	2440588	/* Julian day of 1970-01-01 */
#define MSG_FAILED	"the provided ticket failed to get verified"
#define MSG_DATE_SIG	"failed to verify provided ticket due to invalid " \
			"expiration date signatures"
#define MSG_MALFORMED	"the received encrypted data was malformed"

static const char *const reason_str[] = {
	[ECASH_OK] = "verified",
	[ECASH_ERR_MALFORMED] = "malformed ticket",
	[ECASH_ERR_ELEMENT] = "a point or scalar does not decode",
	[ECASH_ERR_POLICY] = "refused by the gateway's policy",
	[ECASH_ERR_EPOCH] = "ticket of another epoch than the key",
	[ECASH_ERR_SERIAL] = "duplicate serial numbers",
	[ECASH_ERR_PROOF] = "spend proof does not verify",
	[ECASH_ERR_SIGNATURE] = "wallet signature does not verify",
	[ECASH_ERR_EXPIRATION] = "expiration-date signature does not verify",
	[ECASH_ERR_COIN_INDEX] = "coin-index signature does not verify",
	[ECASH_ERR_INTERNAL] = "verification could not run",
};

static const char *const decode_str[] = {
	[BLS_DECODE_OK] = "ok",
	[BLS_DECODE_FLAGS] = "bad encoding flags",
	[BLS_DECODE_RANGE] = "coordinate or scalar out of range",
	[BLS_DECODE_CURVE] = "not on the curve",
	[BLS_DECODE_SUBGROUP] = "not in the prime-order subgroup",
};

const char *
ecash_reason_str(enum ecash_reason r)
{
	if ((size_t)r >= sizeof(reason_str) / sizeof(reason_str[0]))
		return "?";
	return reason_str[r];
}

int
ecash_init(void)
{
	if (gwcrypto_init() == -1)
		return -1;
	return ecash_params_init();
}

static enum ecash_reason	refuse(struct ecash_result *, enum ecash_reason,
			    int, const char *, const char *, ...)
			    __attribute__((format(printf, 5, 6)));

static enum ecash_reason
refuse(struct ecash_result *res, enum ecash_reason r, int cred_err,
    const char *detail, const char *fmt, ...)
{
	va_list	 ap;

	res->reason = r;
	res->cred_err = cred_err;
	snprintf(res->detail, sizeof(res->detail), "%s",
	    detail != NULL ? detail : ecash_reason_str(r));
	va_start(ap, fmt);
	vsnprintf(res->msg, sizeof(res->msg), fmt, ap);
	va_end(ap);
	return r;
}

static int
serials_distinct(const struct ecash_payment *m)
{
	size_t	 i, j;

	for (i = 0; i < m->nss; i++)
		for (j = i + 1; j < m->nss; j++)
			if (g1_eq(&m->ss[i], &m->ss[j]))
				return 0;
	return 1;
}

/* e(h, q) = e(s, g2), h != O: Payment::check_signature_validity's form. */
static int
sig_pairing(const struct ecash_sig *sig, const struct g2 *q)
{
	struct g1	 p[2];
	struct g2	 r[2];

	if (g1_is_infinity(&sig->h))
		return 0;
	p[0] = sig->h;
	r[0] = *q;
	g1_neg(&p[1], &sig->s);
	r[1] = *g2_generator();
	return pairing_product_is_one(p, r, 2);
}

static int
check_signature(const struct ecash_payment *m, const struct ecash_vk *vk)
{
	struct g2_term	 t;
	struct fr	 s;
	struct g2	 q;

	fr_from_u64(&s, m->t_type);
	t.p = NULL;
	t.f = &vk->beta_f[3];
	t.k = &s;
	g2_lincomb(&q, &t, 1);
	g2_add(&q, &q, &m->kappa);
	return sig_pairing(&m->sig, &q);
}

static int
check_expiration(const struct ecash_payment *m, const struct ecash_vk *vk)
{
	const struct ecash_params	*ep = ecash_params();
	struct g2_term			 t[2];
	int64_t				 ts;
	struct fr			 s;
	struct g2			 q;

	/* EcashTime::ecash_unix_timestamp: a u32 after 1970. */
	ts = ((int64_t)m->spend_date - JDN_UNIX_EPOCH) * 86400;
	if (ts <= 0 || ts > (int64_t)UINT32_MAX)
		return 0;
	fr_from_u64(&s, (uint64_t)ts);
	t[0].p = t[1].p = NULL;
	t[0].f = &vk->beta_f[1];
	t[0].k = &s;
	t[1].f = &vk->beta_f[2];
	t[1].k = &ep->type_exp;
	g2_lincomb(&q, t, 2);
	g2_add(&q, &q, &m->kappa_e);
	return sig_pairing(&m->sig_exp, &q);
}

static int
check_coin_indices(const struct ecash_payment *m, const struct ecash_vk *vk)
{
	struct g1	 p[2 * ECASH_VEC_MAX];
	struct g2	 q[2 * ECASH_VEC_MAX], ng2;
	size_t		 k;

	if (m->nomega != m->nkappa_k)
		return 0;
	g2_neg(&ng2, g2_generator());
	for (k = 0; k < m->nomega; k++) {
		p[2 * k] = m->omega[k].h;
		g2_add(&q[2 * k], &vk->idx_part, &m->kappa_k[k]);
		p[2 * k + 1] = m->omega[k].s;
		q[2 * k + 1] = ng2;
	}
	return pairing_product_is_one(p, q, 2 * m->nomega);
}

/* Payment::spend_verify, on a parsed payment. */
static enum ecash_reason
spend_verify(const struct ecash_payment *m, const struct ecash_vk *vk,
    struct ecash_result *res)
{
	if (!serials_distinct(m))
		return refuse(res, ECASH_ERR_SERIAL, CRED_ERR_MALFORMED, NULL,
		    MSG_FAILED);
	if (!ecash_spend_proof_verify(m, vk))
		return refuse(res, ECASH_ERR_PROOF, CRED_ERR_MALFORMED, NULL,
		    MSG_FAILED);
	if (!check_signature(m, vk))
		return refuse(res, ECASH_ERR_SIGNATURE, CRED_ERR_MALFORMED,
		    NULL, MSG_FAILED);
	if (!check_expiration(m, vk))
		return refuse(res, ECASH_ERR_EXPIRATION, CRED_ERR_MALFORMED,
		    NULL, MSG_DATE_SIG);
	if (!check_coin_indices(m, vk))
		return refuse(res, ECASH_ERR_COIN_INDEX, CRED_ERR_MALFORMED,
		    NULL, MSG_FAILED);
	return refuse(res, ECASH_OK, CRED_ERR_NONE, NULL, "%s", "");
}

static enum ecash_reason
parse_and_verify(const struct ecash_vk *vk, const uint8_t *b, size_t len,
    struct ecash_result *res)
{
	struct ecash_payment	*m;
	enum ecash_parse	 pr;
	enum bls_decode		 why;
	const char		*what;
	enum ecash_reason	 r;
	char			 detail[sizeof(res->detail)];

	m = xmalloc(sizeof(*m));	/* ~80 KB: not on the stack */
	pr = ecash_payment_parse(m, b, len, &what, &why);
	if (pr == ECASH_PARSE_ELEMENT) {
		snprintf(detail, sizeof(detail), "%s: %s", what,
		    decode_str[why]);
		r = refuse(res, ECASH_ERR_ELEMENT, CRED_ERR_MALFORMED, detail,
		    MSG_MALFORMED);
	} else if (pr != ECASH_PARSE_OK)
		r = refuse(res, ECASH_ERR_MALFORMED, CRED_ERR_MALFORMED, what,
		    MSG_MALFORMED);
	else
		r = spend_verify(m, vk, res);
	free(m);
	return r;
}

enum ecash_reason
ecash_ticket_verify(const struct ecash_vk *vk, const uint8_t *b, size_t len,
    const uint8_t provider[32], time_t now, struct ecash_result *res)
{
	struct ticket	 t;
	char		 msg[sizeof(res->msg)];
	int		 err;

	memset(res, 0, sizeof(*res));
	if (ecash_params_init() == -1)
		return refuse(res, ECASH_ERR_INTERNAL, CRED_ERR_UNAVAILABLE,
		    NULL, "the gateway cannot verify tickets now");
	/* Policy first: a ticket refused there costs no curve arithmetic. */
	if (ticket_parse(b, len, &t) == -1)
		return refuse(res, ECASH_ERR_MALFORMED, CRED_ERR_MALFORMED,
		    NULL, MSG_MALFORMED);
	if ((err = ticket_check(&t, provider, now, msg, sizeof(msg))) !=
	    CRED_ERR_NONE)
		return refuse(res, ECASH_ERR_POLICY, err, msg, "%s", msg);
	if (t.epoch_id != vk->epoch_id)
		return refuse(res, ECASH_ERR_EPOCH, CRED_ERR_UNAVAILABLE, NULL,
		    "the gateway does not know the key of ecash epoch %llu",
		    (unsigned long long)t.epoch_id);
	return parse_and_verify(vk, b, len, res);
}
