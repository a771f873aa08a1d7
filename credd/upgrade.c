/*
 * Upgrade mode (client protocol 6, spec 6.6).  While Nym publishes an
 * upgrade-mode attestation, gateways charge nothing.  credd watches the
 * attestation URL (15 min, 2 min while on), tells clientd whenever the
 * verdict changes (IMSG_UPGRADE_MODE), and checks the upgradeModeJWT a
 * client may send: credd, not clientd, because it alone may fetch the
 * attestation afresh, which the check requires, and because a parser
 * bug here then costs a process that holds no client keys.
 *
 * The watcher turns upgrade mode on when the document is an attestation
 * naming the configured attester key, off when it is JSON null or after
 * more than UPGRADE_FAILURES_MAX failed fetches in a row.  Like Nym's,
 * it does not check the attestation's own signature (spec 6.6).
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>
#include <sodium.h>

#include "base58.h"
#include "credd.h"
#include "log.h"
#include "util.h"

#define UPGRADE_CHECK_MS	(15 * 60 * 1000)
#define UPGRADE_CHECK_ON_MS	(2 * 60 * 1000)
/* Spec 6.6 step 2: a JWT may force a fetch this long after the last. */
#define UPGRADE_JWT_MIN_MS	(30 * 1000)
#define UPGRADE_FAILURES_MAX	5
/* jwt-simple's default time tolerance (spec 6.6: UNCONFIRMED). */
#define JWT_LEEWAY		(15 * 60)
#define JWT_ISSUER		"nym-credential-proxy"
#define JWT_PART_MAX		(16 * 1024)
/* JWTs answered at once while a fetch is under way; more are refused. */
#define UPGRADE_WAITERS_MAX	64

struct waiter {
	TAILQ_ENTRY(waiter)	 entry;
	uint32_t		 peerid;
	uint8_t			 client[GW_CLIENT_ID_LEN];
	struct attestation	 att;	/* the JWT's claims */
};

struct upgrade {
	struct credd		*cd;
	struct event		*timer;
	int			 on;
	struct attestation	 att;		/* while on */
	unsigned		 failures;
	int			 fetching;
	uint64_t		 last_check_ms;	/* 0: never */
	uint32_t		 check_ms, check_on_ms, jwt_min_ms;
	unsigned		 nwaiters;
	TAILQ_HEAD(, waiter)	 waiters;
};

static void	upgrade_fetch(struct upgrade *);

static int
b58_key(json_t *v, uint8_t out[32])
{
	const char	*s = json_string_value(v);

	if (s == NULL || strlen(s) >= 64)
		return -1;
	return base58_decode(s, out, 32) == 32 ? 0 : -1;
}

static int
copy_str(json_t *v, char *out, size_t len)
{
	const char	*s = json_string_value(v);

	if (s == NULL || strlen(s) >= len || json_string_length(v) !=
	    strlen(s))
		return -1;
	memset(out, 0, len);
	memcpy(out, s, strlen(s));
	return 0;
}

int
upgrade_attestation_from_json(const void *jv, struct attestation *a)
{
	json_t		*o = (json_t *)(uintptr_t)jv, *iss, *v;
	const char	*type;
	size_t		 i;

	memset(a, 0, sizeof(*a));
	if (!json_is_object(o) ||
	    (type = json_string_value(json_object_get(o, "type"))) == NULL ||
	    strcmp(type, "upgrade_mode") != 0 ||
	    copy_str(json_object_get(o, "starting_time"), a->starting_time,
	    sizeof(a->starting_time)) == -1 ||
	    b58_key(json_object_get(o, "attester_public_key"),
	    a->attester) == -1 ||
	    copy_str(json_object_get(o, "signature"), a->signature,
	    sizeof(a->signature)) == -1)
		return -1;
	iss = json_object_get(o, "authorised_jwt_issuers");
	if (!json_is_array(iss) || json_array_size(iss) >
	    sizeof(a->issuers) / sizeof(a->issuers[0]))
		return -1;
	json_array_foreach(iss, i, v)
		if (b58_key(v, a->issuers[a->nissuers++]) == -1)
			return -1;
	return 0;
}

int
upgrade_parse_attestation(const char *buf, size_t len, struct attestation *a)
{
	json_t		*root;
	json_error_t	 err;
	int		 rv;

	memset(a, 0, sizeof(*a));
	if ((root = json_loadb(buf, len, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_ANY, &err)) == NULL)
		return -1;
	if (json_is_null(root))
		rv = 0;
	else
		rv = upgrade_attestation_from_json(root, a) == 0 ? 1 : -1;
	json_decref(root);
	return rv;
}

int
upgrade_attestation_equal(const struct attestation *a,
    const struct attestation *b)
{
	return strcmp(a->starting_time, b->starting_time) == 0 &&
	    memcmp(a->attester, b->attester, sizeof(a->attester)) == 0 &&
	    a->nissuers == b->nissuers && memcmp(a->issuers, b->issuers,
	    sizeof(a->issuers[0]) * a->nissuers) == 0 &&
	    strcmp(a->signature, b->signature) == 0;
}

/* One base64url part of a JWT into a malloc'd buffer (NUL-ended). */
static uint8_t *
jwt_part(const char *p, size_t len, size_t *outlen)
{
	uint8_t	*out;

	if (len == 0 || len > JWT_PART_MAX)
		return NULL;
	out = xmalloc(len + 1);
	if (sodium_base642bin(out, len, p, len, NULL, outlen, NULL,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
		free(out);
		return NULL;
	}
	out[*outlen] = '\0';
	return out;
}

static int
jwt_time(json_t *claims, const char *name, json_int_t *t)
{
	json_t	*v = json_object_get(claims, name);

	if (v == NULL)
		return 0;
	if (!json_is_integer(v))
		return -1;
	*t = json_integer_value(v);
	return 1;
}

int
upgrade_jwt_check(const char *tok, size_t len, time_t now,
    struct attestation *a, uint8_t issuer[32], const char **why)
{
	const char	*d1, *d2, *alg, *iss;
	uint8_t		*hdr = NULL, *pay = NULL, *sig = NULL;
	size_t		 hlen, plen, slen;
	json_t		*h = NULL, *c = NULL;
	json_error_t	 err;
	json_int_t	 t;
	int		 rv = -1, k;

	*why = "the upgrade mode JWT is malformed";
	if (len == 0 || memchr(tok, '\0', len) != NULL ||
	    (d1 = memchr(tok, '.', len)) == NULL ||
	    (d2 = memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok))) == NULL ||
	    memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - tok)) != NULL)
		goto out;
	if ((hdr = jwt_part(tok, (size_t)(d1 - tok), &hlen)) == NULL ||
	    (pay = jwt_part(d1 + 1, (size_t)(d2 - d1 - 1), &plen)) == NULL ||
	    (sig = jwt_part(d2 + 1, len - (size_t)(d2 + 1 - tok), &slen)) ==
	    NULL || slen != crypto_sign_BYTES)
		goto out;
	if ((h = json_loadb((const char *)hdr, hlen, JSON_REJECT_DUPLICATES,
	    &err)) == NULL || (c = json_loadb((const char *)pay, plen,
	    JSON_REJECT_DUPLICATES, &err)) == NULL || !json_is_object(c))
		goto out;
	if ((alg = json_string_value(json_object_get(h, "alg"))) == NULL ||
	    strcmp(alg, "EdDSA") != 0) {
		*why = "the upgrade mode JWT is not signed with EdDSA";
		goto out;
	}
	if (b58_key(json_object_get(h, "jwk"), issuer) == -1) {
		*why = "the upgrade mode JWT names no issuer key";
		goto out;
	}
	/* The signature covers the ASCII header.payload as sent. */
	if (crypto_sign_verify_detached(sig, (const unsigned char *)tok,
	    (size_t)(d2 - tok), issuer) != 0) {
		*why = "the upgrade mode JWT has a bad signature";
		goto out;
	}
	if ((iss = json_string_value(json_object_get(c, "iss"))) == NULL ||
	    strcmp(iss, JWT_ISSUER) != 0) {
		*why = "the upgrade mode JWT has the wrong issuer";
		goto out;
	}
	*why = "the upgrade mode JWT has expired or is not yet valid";
	if ((k = jwt_time(c, "exp", &t)) == -1 ||
	    (k == 1 && t < (json_int_t)now - JWT_LEEWAY))
		goto out;
	if ((k = jwt_time(c, "nbf", &t)) == -1 ||
	    (k == 1 && t > (json_int_t)now + JWT_LEEWAY))
		goto out;
	if ((k = jwt_time(c, "iat", &t)) == -1 ||
	    (k == 1 && t > (json_int_t)now + JWT_LEEWAY))
		goto out;
	/* The custom claims are the attestation, flattened in. */
	if (upgrade_attestation_from_json(c, a) == -1) {
		*why = "the upgrade mode JWT carries no attestation";
		goto out;
	}
	rv = 0;
	*why = NULL;
 out:
	json_decref(h);
	json_decref(c);
	free(hdr);
	free(pay);
	free(sig);
	return rv;
}

static void
upgrade_tell_clientd(struct upgrade *u)
{
	struct gw_upgrade_mode	 m;
	struct imsgev		*iev = u->cd->w->peer[PROC_CLIENTD];

	memset(&m, 0, sizeof(m));
	m.on = u->on;
	m.since = time(NULL);
	if (iev != NULL)
		imsgev_compose(iev, IMSG_UPGRADE_MODE, 0, -1, &m, sizeof(m));
}

static void
upgrade_set(struct upgrade *u, int on, const struct attestation *a,
    const char *why)
{
	if (on)
		u->att = *a;
	if (on == u->on)
		return;
	u->on = on;
	log_info("upgrade mode %s: %s", on ? "on" : "off", why);
	upgrade_tell_clientd(u);
}

static void
upgrade_arm(struct upgrade *u)
{
	struct timeval	 tv;
	uint32_t	 ms = u->on ? u->check_on_ms : u->check_ms;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(u->timer, &tv);
}

static void
jwt_reply(struct upgrade *u, uint32_t peerid, const uint8_t *client,
    int ok, const char *msg)
{
	struct gw_cred_result	 r;
	struct imsgev		*iev = u->cd->w->peer[PROC_CLIENTD];

	memset(&r, 0, sizeof(r));
	memcpy(r.client, client, sizeof(r.client));
	r.ok = ok;
	r.error = ok ? CRED_ERR_NONE : CRED_ERR_MALFORMED;
	/* clientd reports max(balance, this) while upgrade mode is on. */
	r.available = ok ? GW_UPGRADE_BANDWIDTH : 0;
	snprintf(r.message, sizeof(r.message), "%s", msg);
	*(ok ? u->cd->c_jwt_ok : u->cd->c_jwt_bad) += 1;
	if (!ok)
		log_info("upgradeModeJWT refused: %s", msg);
	if (iev != NULL)
		imsgev_compose(iev, IMSG_CRED_RESULT, peerid, -1, &r,
		    sizeof(r));
}

static void
upgrade_done(int status, const char *body, size_t len, void *arg)
{
	struct upgrade		*u = arg;
	struct attestation	 a;
	struct waiter		*wt;
	int			 rv = -1;

	u->fetching = 0;
	u->last_check_ms = gw_now_ms();
	*u->cd->c_upgrade_checks += 1;
	if (status == 200)
		rv = upgrade_parse_attestation(body, len, &a);
	if (rv == -1) {
		u->failures++;
		*u->cd->c_api_fail += 1;
		log_warnx("upgrade mode: attestation fetch failed (HTTP %d), "
		    "%u in a row", status, u->failures);
		if (u->failures > UPGRADE_FAILURES_MAX)
			upgrade_set(u, 0, NULL, "the attestation could not "
			    "be fetched");
	} else {
		u->failures = 0;
		if (rv == 0)
			upgrade_set(u, 0, NULL, "no attestation published");
		else if (memcmp(a.attester, u->cd->w->conf.credd.attester_pk,
		    sizeof(a.attester)) != 0) {
			log_warnx("upgrade mode: attestation by an attester "
			    "key other than the configured one: ignored");
			upgrade_set(u, 0, NULL, "attestation by another "
			    "attester");
		} else
			upgrade_set(u, 1, &a, "attestation published");
	}
	/* Spec 6.6 step 4: the JWT's attestation must be the one we now
	 * fetched. */
	while ((wt = TAILQ_FIRST(&u->waiters)) != NULL) {
		TAILQ_REMOVE(&u->waiters, wt, entry);
		u->nwaiters--;
		if (!u->on)
			jwt_reply(u, wt->peerid, wt->client, 0, "upgrade mode "
			    "is not attested at this time");
		else if (!upgrade_attestation_equal(&wt->att, &u->att))
			jwt_reply(u, wt->peerid, wt->client, 0, "the upgrade "
			    "mode JWT does not match the published "
			    "attestation");
		else
			jwt_reply(u, wt->peerid, wt->client, 1, "");
		free(wt);
	}
	upgrade_arm(u);
}

static void
upgrade_fetch(struct upgrade *u)
{
	const char	*url = u->cd->w->conf.credd.attestation_url;

	if (u->fetching || url[0] == '\0')
		return;
	u->fetching = 1;
	evtimer_del(u->timer);
	nymapi_request(u->cd->api, &url, 1, "", NULL, 1, upgrade_done, u);
}

static void
upgrade_timer(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	upgrade_fetch(arg);
}

void
upgrade_jwt_request(struct credd *cd, uint32_t peerid, const uint8_t *client,
    const uint8_t *tok, size_t len)
{
	struct upgrade		*u = cd->upgrade;
	struct attestation	 a;
	struct waiter		*wt;
	uint8_t			 issuer[32];
	const char		*why;
	uint32_t		 i;

	if (u->on) {
		jwt_reply(u, peerid, client, 1, "");
		return;
	}
	if (cd->w->conf.credd.attestation_url[0] == '\0') {
		jwt_reply(u, peerid, client, 0, "upgrade mode is not enabled "
		    "at this gateway");
		return;
	}
	if (u->fetching || (u->last_check_ms != 0 &&
	    gw_now_ms() - u->last_check_ms <= u->jwt_min_ms)) {
		jwt_reply(u, peerid, client, 0, "too soon to perform another "
		    "upgrade mode attestation check");
		return;
	}
	if (upgrade_jwt_check((const char *)tok, len, time(NULL), &a, issuer,
	    &why) == -1) {
		jwt_reply(u, peerid, client, 0, why);
		return;
	}
	for (i = 0; i < a.nissuers; i++)
		if (memcmp(a.issuers[i], issuer, sizeof(issuer)) == 0)
			break;
	if (i == a.nissuers) {
		jwt_reply(u, peerid, client, 0, "the upgrade mode JWT's "
		    "issuer is not authorised by the attestation");
		return;
	}
	if (u->nwaiters == UPGRADE_WAITERS_MAX) {
		jwt_reply(u, peerid, client, 0, "too soon to perform another "
		    "upgrade mode attestation check");
		return;
	}
	wt = xcalloc(1, sizeof(*wt));
	wt->peerid = peerid;
	memcpy(wt->client, client, sizeof(wt->client));
	wt->att = a;
	TAILQ_INSERT_TAIL(&u->waiters, wt, entry);
	u->nwaiters++;
	upgrade_fetch(u);
}

void
upgrade_init(struct credd *cd)
{
	struct upgrade	*u = xcalloc(1, sizeof(*u));

	u->cd = cd;
	TAILQ_INIT(&u->waiters);
	if ((u->timer = evtimer_new(cd->w->base, upgrade_timer, u)) == NULL)
		fatalx("evtimer_new");
	u->check_ms = credd_interval("GW_TEST_CREDD_ATTEST_MS",
	    UPGRADE_CHECK_MS);
	u->check_on_ms = credd_interval("GW_TEST_CREDD_ATTEST_ON_MS",
	    UPGRADE_CHECK_ON_MS);
	u->jwt_min_ms = credd_interval("GW_TEST_CREDD_JWT_MIN_MS",
	    UPGRADE_JWT_MIN_MS);
	cd->upgrade = u;
}

/* At a stop, and between a fuzzer's inputs. */
void
upgrade_free(struct credd *cd)
{
	struct upgrade	*u = cd->upgrade;
	struct waiter	*wt;

	if (u == NULL)
		return;
	while ((wt = TAILQ_FIRST(&u->waiters)) != NULL) {
		TAILQ_REMOVE(&u->waiters, wt, entry);
		free(wt);
	}
	event_free(u->timer);
	free(u);
	cd->upgrade = NULL;
}

void
upgrade_start(struct credd *cd)
{
	struct upgrade	*u = cd->upgrade;

	/* clientd starts in normal mode; say so, then look. */
	upgrade_tell_clientd(u);
	if (cd->w->conf.credd.attestation_url[0] == '\0') {
		log_info("upgrade mode: no attestation URL, watcher off");
		return;
	}
	upgrade_fetch(u);
}

void
upgrade_reconf(struct credd *cd)
{
	struct upgrade	*u = cd->upgrade;

	cd->w->conf.credd.attestation_url[GW_URL_MAX - 1] = '\0';
	if (cd->w->conf.credd.attestation_url[0] == '\0') {
		evtimer_del(u->timer);
		upgrade_set(u, 0, NULL, "watcher turned off");
		return;
	}
	/* A new URL or key: look again now, not in 15 minutes. */
	if (!u->fetching && u->last_check_ms != 0)
		upgrade_fetch(u);
}
