/*
 * A zk-nym ticket (CredentialSpendingData) as the client sends it,
 * spec 6.3 and doc/ecash-ticket.md:
 *
 *   u32 BE payment_len || payment || pay_info (72) ||
 *   spend_date (i32 BE Julian day) || epoch_id (u64 BE)
 *
 * payment is bincode (varint integers, length-prefixed points).  We
 * walk it once, checking every length against what is left, to pull
 * out what the local checks need and to re-encode the whole ticket as
 * the JSON that nym-api's verify-ecash-ticket takes.  Nothing here is
 * fatal: a ticket is hostile input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "credd.h"
#include "ecash/ecash.h"

#define G1_LEN		48
#define G2_LEN		96
#define SCALAR_LEN	32
#define PAYINFO_LEN	72
#define VEC_MAX		1024	/* elements in any bincode Vec */
#define JDN_UNIX_EPOCH	2440588	/* Julian day of 1970-01-01 */

/* Spec 6.3 step 3: network-defaults ecash.rs. */
static const int64_t ticket_values[TICKET_TYPES] = {
	200000000,	/* V1MixnetEntry */
	100000000,	/* V1MixnetExit */
	500000000,	/* V1WireguardEntry */
	500000000,	/* V1WireguardExit */
};

/* The bincode cursor is ecash/bincode.c's, the one the spend check
 * reads the same bytes with; this walk adds the JSON for nym-api. */
struct cur {
	struct bincode	 b;
	json_t		*json;		/* NULL: parse only */
	struct ticket	*t;
};

static json_t *
hex_string(const uint8_t *b, size_t n)
{
	char	 hex[2 * G2_LEN + 1];

	sodium_bin2hex(hex, sizeof(hex), b, n);
	return json_string(hex);
}

/* A point or scalar: varint length, which must be exactly n. */
static json_t *
cur_elem(struct cur *c, size_t n)
{
	const uint8_t	*p;

	if ((p = bincode_bytes(&c->b, n)) == NULL)
		return NULL;
	return c->json != NULL ? hex_string(p, n) : NULL;
}

static void
put(struct cur *c, json_t *obj, const char *key, json_t *v)
{
	if (c->json == NULL || c->b.bad) {
		json_decref(v);
		return;
	}
	if (v == NULL || json_object_set_new(obj, key, v) == -1)
		c->b.bad = 1;
}

static void
push(struct cur *c, json_t *arr, json_t *v)
{
	if (c->json == NULL || c->b.bad) {
		json_decref(v);
		return;
	}
	if (v == NULL || json_array_append_new(arr, v) == -1)
		c->b.bad = 1;
}

/* Signature {h: G1, s: G1}. */
static json_t *
cur_sig(struct cur *c)
{
	json_t	*o = c->json != NULL ? json_object() : NULL;

	put(c, o, "h", cur_elem(c, G1_LEN));
	put(c, o, "s", cur_elem(c, G1_LEN));
	return o;
}

enum elem { E_G1, E_G2, E_SCALAR, E_SIG };

static json_t *
cur_one(struct cur *c, enum elem e)
{
	switch (e) {
	case E_G1:
		return cur_elem(c, G1_LEN);
	case E_G2:
		return cur_elem(c, G2_LEN);
	case E_SCALAR:
		return cur_elem(c, SCALAR_LEN);
	default:
		return cur_sig(c);
	}
}

/* Vec<e>; for ss[] the raw serials are noted too. */
static json_t *
cur_vec(struct cur *c, enum elem e, int serials)
{
	json_t		*a = c->json != NULL ? json_array() : NULL;
	const uint8_t	*start;
	uint64_t	 n, i;

	n = bincode_varint(&c->b);
	if (n > VEC_MAX || c->b.bad) {
		c->b.bad = 1;
		return a;
	}
	if (serials) {
		if (n == 0 || n > TICKET_SERIAL_MAX) {
			c->b.bad = 1;
			return a;
		}
		c->t->nserials = (uint32_t)n;
	}
	for (i = 0; i < n && !c->b.bad; i++) {
		start = c->b.p + 1;	/* past the one-byte length 48 */
		push(c, a, cur_one(c, e));
		/* The serial is the concatenation of the compressed ss[];
		 * each sits right after its own length byte. */
		if (serials && !c->b.bad) {
			if (i == 0)
				c->t->serials = start;
			else if (start != c->t->serials + i * (1 + G1_LEN))
				c->b.bad = 1;
		}
	}
	return a;
}

static json_t *
cur_proof(struct cur *c)
{
	json_t	*o = c->json != NULL ? json_object() : NULL;

	put(c, o, "challenge", cur_one(c, E_SCALAR));
	put(c, o, "response_r", cur_one(c, E_SCALAR));
	put(c, o, "response_r_e", cur_one(c, E_SCALAR));
	put(c, o, "responses_r_k", cur_vec(c, E_SCALAR, 0));
	put(c, o, "responses_l", cur_vec(c, E_SCALAR, 0));
	put(c, o, "responses_o_a", cur_vec(c, E_SCALAR, 0));
	put(c, o, "response_o_c", cur_one(c, E_SCALAR));
	put(c, o, "responses_mu", cur_vec(c, E_SCALAR, 0));
	put(c, o, "responses_o_mu", cur_vec(c, E_SCALAR, 0));
	put(c, o, "responses_attributes", cur_vec(c, E_SCALAR, 0));
	return o;
}

/* Payment, fields in declaration order (scheme/mod.rs). */
static json_t *
cur_payment(struct cur *c)
{
	json_t		*o = c->json != NULL ? json_object() : NULL;
	const uint8_t	*tt;

	put(c, o, "kappa", cur_one(c, E_G2));
	put(c, o, "kappa_e", cur_one(c, E_G2));
	put(c, o, "sig", cur_one(c, E_SIG));
	put(c, o, "sig_exp", cur_one(c, E_SIG));
	put(c, o, "kappa_k", cur_vec(c, E_G2, 0));
	put(c, o, "omega", cur_vec(c, E_SIG, 0));
	put(c, o, "ss", cur_vec(c, E_G1, 1));
	put(c, o, "tt", cur_vec(c, E_G1, 0));
	put(c, o, "aa", cur_vec(c, E_G1, 0));
	c->t->spend_value = bincode_varint(&c->b);
	put(c, o, "spend_value", c->json != NULL ?
	    json_integer((json_int_t)(c->t->spend_value & INT64_MAX)) : NULL);
	if (c->t->spend_value > INT64_MAX)
		c->b.bad = 1;
	put(c, o, "cc", cur_one(c, E_G1));
	if ((tt = bincode_take(&c->b, 1)) != NULL)	/* u8 is a plain byte */
		c->t->t_type = tt[0];
	put(c, o, "t_type", c->json != NULL ? json_integer(c->t->t_type) :
	    NULL);
	put(c, o, "zk_proof", cur_proof(c));
	return o;
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The whole ticket; json != NULL: build the CredentialSpendingData. */
static int
ticket_walk(const uint8_t *b, size_t len, struct ticket *t, json_t *json)
{
	struct cur	 c, pc;
	const uint8_t	*p;
	uint32_t	 plen;
	size_t		 i;
	json_t		*pay, *pi;

	memset(t, 0, sizeof(*t));
	memset(&c, 0, sizeof(c));
	bincode_init(&c.b, b, len);
	c.t = t;
	if ((p = bincode_take(&c.b, 4)) == NULL)
		return -1;
	plen = be32(p);
	if (c.b.left < 84 || c.b.left - 84 != plen)
		return -1;
	pc = c;
	pc.b.left = plen;
	pc.json = json;
	pay = cur_payment(&pc);
	if (pc.b.bad || pc.b.left != 0) {
		json_decref(pay);
		return -1;
	}
	put(&pc, json, "payment", pay);
	bincode_take(&c.b, plen);
	memcpy(t->pay_info, bincode_take(&c.b, PAYINFO_LEN), PAYINFO_LEN);
	t->spend_date = (int32_t)be32(bincode_take(&c.b, 4));
	p = bincode_take(&c.b, 8);
	for (i = 0; i < 8; i++)
		t->epoch_id = t->epoch_id << 8 | p[i];
	if (json != NULL) {
		/* PayInfo serializes as its 72 bytes, a JSON array. */
		if ((pi = json_array()) == NULL)
			return -1;
		for (i = 0; i < PAYINFO_LEN; i++)
			json_array_append_new(pi, json_integer(t->pay_info[i]));
		put(&pc, json, "pay_info", pi);
	}
	crypto_generichash(t->serial_hash, sizeof(t->serial_hash), t->serials,
	    (size_t)t->nserials * G1_LEN, NULL, 0);
	return pc.b.bad ? -1 : 0;
}

int
ticket_parse(const uint8_t *b, size_t len, struct ticket *t)
{
	return ticket_walk(b, len, t, NULL);
}

/* time's Date without serde-human-readable: [year, ordinal]. */
static json_t *
date_json(int32_t jdn)
{
	struct tm	 tm;
	time_t		 t;

	t = (time_t)((int64_t)jdn - JDN_UNIX_EPOCH) * 86400;
	if (gmtime_r(&t, &tm) == NULL)
		return NULL;
	return json_pack("[ii]", tm.tm_year + 1900, tm.tm_yday + 1);
}

char *
ticket_verify_body(const uint8_t *b, size_t len, const char *gw_addr)
{
	struct ticket	 t;
	json_t		*cred, *body, *d;
	char		*s = NULL;

	if ((cred = json_object()) == NULL)
		return NULL;
	if (ticket_walk(b, len, &t, cred) == -1 ||
	    (t.spend_date < JDN_UNIX_EPOCH) ||
	    (d = date_json(t.spend_date)) == NULL) {
		json_decref(cred);
		return NULL;
	}
	json_object_set_new(cred, "spend_date", d);
	json_object_set_new(cred, "epoch_id", json_integer((json_int_t)
	    (t.epoch_id & INT64_MAX)));
	body = json_pack("{s:o,s:s}", "credential", cred,
	    "gateway_cosmos_addr", gw_addr);
	if (body != NULL)
		s = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(body);
	return s;
}

int64_t
ticket_value(uint8_t t_type)
{
	return t_type < TICKET_TYPES ? ticket_values[t_type] : 0;
}

int32_t
ticket_julian_day(time_t now)
{
	return (int32_t)(now / 86400 + JDN_UNIX_EPOCH);
}

int
ticket_check(const struct ticket *t, const uint8_t provider[32], time_t now,
    char *msg, size_t msglen)
{
	int32_t	 today = ticket_julian_day(now);
	int64_t	 ts = 0;
	size_t	 i;

	/* The client sees Nym's gateway's own messages (spec 6.3). */
	if (t->t_type >= TICKET_TYPES) {
		snprintf(msg, msglen, "provided unknown ticketbook type");
		return CRED_ERR_BAD_VALUE;
	}
	if (t->spend_value != 1) {
		snprintf(msg, msglen, "the received payment contained more "
		    "than a single ticket. that's currently not supported");
		return CRED_ERR_BAD_VALUE;
	}
	if (t->spend_date != today) {
		snprintf(msg, msglen, "the provided credential has an invalid "
		    "spending date. got %d but expected %d",
		    (int)t->spend_date, (int)today);
		return CRED_ERR_EXPIRED;
	}
	/*
	 * pay_info = randomness(32) || timestamp (i64 BE) || provider(32):
	 * a ticket made out to another gateway could be spent there too.
	 * Public keys: no secret to protect, memcmp will do.
	 */
	if (memcmp(t->pay_info + 40, provider, 32) != 0) {
		snprintf(msg, msglen, "provided payinfo's public key does not "
		    "match provider's");
		return CRED_ERR_WRONG_PROVIDER;
	}
	for (i = 0; i < 8; i++)
		ts = (int64_t)((uint64_t)ts << 8 | t->pay_info[32 + i]);
	if (ts < (int64_t)now - PAYINFO_SKEW || ts > (int64_t)now +
	    PAYINFO_SKEW) {
		snprintf(msg, msglen, "provided payinfo's timestamp is "
		    "invalid");
		return CRED_ERR_EXPIRED;
	}
	return CRED_ERR_NONE;
}

/* Spec 6.3 step 8: pay_infos of the last 2 x PAYINFO_SKEW seconds. */
#define PAYINFO_SEEN_MAX	4096
static struct {
	uint8_t	 hash[16];
	time_t	 when;
}		 payinfo_seen[PAYINFO_SEEN_MAX];
static size_t	 payinfo_nseen;

int
ticket_payinfo_seen(const uint8_t pay_info[72], time_t now)
{
	uint8_t	 h[16];
	size_t	 i, oldest = 0;

	crypto_generichash(h, sizeof(h), pay_info, 72, NULL, 0);
	for (i = 0; i < payinfo_nseen; i++) {
		if (payinfo_seen[i].when < now - 2 * PAYINFO_SKEW) {
			/* expired: drop it (the last one moves here) */
			payinfo_seen[i--] = payinfo_seen[--payinfo_nseen];
			continue;
		}
		if (memcmp(payinfo_seen[i].hash, h, sizeof(h)) == 0)
			return 1;
	}
	if (payinfo_nseen == PAYINFO_SEEN_MAX) {
		/* Full of fresh entries: the serial check still stops a
		 * replay; forget the oldest. */
		for (i = 1; i < payinfo_nseen; i++)
			if (payinfo_seen[i].when < payinfo_seen[oldest].when)
				oldest = i;
		i = oldest;
	} else
		i = payinfo_nseen++;
	memcpy(payinfo_seen[i].hash, h, sizeof(h));
	payinfo_seen[i].when = now;
	return 0;
}

/* A ticket whose proof failed here never held its pay_info: a forged
 * copy must not make the genuine ticket a "duplicate". */
void
ticket_payinfo_forget(const uint8_t pay_info[72])
{
	uint8_t	 h[16];
	size_t	 i;

	crypto_generichash(h, sizeof(h), pay_info, 72, NULL, 0);
	for (i = 0; i < payinfo_nseen; i++)
		if (memcmp(payinfo_seen[i].hash, h, sizeof(h)) == 0) {
			payinfo_seen[i] = payinfo_seen[--payinfo_nseen];
			return;
		}
}

/* {"verified":{"Ok":null}} or {"verified":{"Err":<reason>}} (6.5). */
int
ticket_parse_verdict(const char *body, size_t len)
{
	json_t		*root, *v;
	json_error_t	 err;
	int		 rv = -1;

	if ((root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err)) ==
	    NULL)
		return -1;
	v = json_object_get(root, "verified");
	if (json_is_object(v) && json_object_size(v) == 1) {
		if (json_object_get(v, "Ok") != NULL)
			rv = 1;
		else if (json_object_get(v, "Err") != NULL)
			rv = 0;
	}
	json_decref(root);
	return rv;
}
