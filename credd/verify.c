/*
 * A ticket's life in credd.  Nothing is credited that was not checked:
 * by credd itself when it holds the epoch's master verification key
 * (vkeys.c, ecash/), else by the signers' quorum first.
 *
 *   cheap checks -> limits -> signers known? -> key of the epoch?
 *     key: the whole zk-nym check (ecash_ticket_verify) ->
 *       fails: CRED_RESULT refused with Nym's words, the client and
 *         its address wait VERIFY_COOLDOWN_S; no signer is asked
 *       passes: SPEND_RECORD (serial fresh?) -> BANDWIDTH_ADJUST(+value,
 *         7 days) with the pending record in the same transaction ->
 *         CRED_RESULT with the balance -> POST verify-ecash-ticket to
 *         every signer in the background (double spending at other
 *         gateways, and Nym's redemption); their rejection revokes the
 *         credit with the penalty
 *     no key (none served, the URLs disagree, a fetch failed):
 *       SPEND_RECORD -> PENDING_PUT -> POST to every signer ->
 *         rejections >= 30%: CRED_RESULT refused, PENDING_DEL, cooldown
 *         accepts >= 70% and >= threshold: BANDWIDTH_ADJUST(+value,
 *           settling the pending record in the same transaction) ->
 *           CRED_RESULT with the balance
 *         otherwise, after the first round: CRED_RESULT "pending", and
 *           the silent signers are asked again after retry_ms; a late
 *           quorum credits the ticket and tells clientd (CRED_BALANCE)
 *
 * The load a client can put on Nym's signers is bounded: tickets in
 * their first round of verification at once, per client, per address
 * and in all (VERIFY_MAX_*), the rest refused at once with a clear
 * error, and none for a while after a rejection.  A ticket that fails
 * the local check costs the signers nothing.
 *
 * Each vote is written back to storaged (PENDING_PUT replaces), so a
 * restart asks only the signers that had not answered.  storaged's
 * replies come back with our job id as peerid.  A pending record with
 * credited_at set was credited before the signers spoke (checked
 * locally, or by an earlier version): a rejection revokes it with the
 * penalty, an acceptance just ends it.
 */
#include <sys/queue.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "credd.h"
#include "log.h"
#include "util.h"

#define VERIFY_PATH	"/v1/ecash/verify-ecash-ticket"

enum job_phase {
	J_WAIT_SIGNERS,		/* new ticket, signer list being fetched */
	J_WAIT_KEY,		/* the epoch's verification key being fetched */
	J_WAIT_SPEND,		/* SPEND_RECORD sent */
	J_VERIFYING,		/* asking the signers */
	J_WAIT_CREDIT,		/* verified: BANDWIDTH_ADJUST(+) sent */
	J_CREDIT_AGAIN,		/* checked locally, the credit failed: retry */
	J_WAIT_REVOKE,		/* an old-style record: BANDWIDTH_ADJUST(-) */
	J_DONE,			/* settled; freed when no request is out */
};

/* A recent rejection: that client and that address wait. */
struct cooldown {
	uint8_t			 client[GW_CLIENT_ID_LEN];
	uint8_t			 addr[ADDRKEY_LEN];
	time_t			 until;
};

struct job {
	TAILQ_ENTRY(job)	 entry;
	uint32_t		 id;
	enum job_phase		 phase;
	int			 waiting;	/* clientd awaits CRED_RESULT */
	int			 first_round;	/* counts against the limits */
	int			 local_ok;	/* passed ecash_ticket_verify */
	int			 dkg_asked;	/* its epoch's set was fetched */
	uint8_t			 addr[ADDRKEY_LEN];	/* its source */
	uint32_t		 clientd_peerid;
	struct gw_pending	 rec;
	uint8_t			*data;
	size_t			 len;
	unsigned		 inflight;
	struct event		*retry;
};

struct vote_ctx {
	struct credd		*cd;
	uint32_t		 job_id;
	uint64_t		 signer_id;
};

static TAILQ_HEAD(, job) jobs = TAILQ_HEAD_INITIALIZER(jobs);
static uint32_t		 job_next_id = 1;
static unsigned		 njobs;
static struct credd	*verify_cd;	/* for the retry timers */
static struct cooldown	 cooldowns[VERIFY_COOLDOWNS];
static unsigned		 cooldown_next;
static const uint8_t	 no_addr[ADDRKEY_LEN];

static void	verify_round(struct credd *, struct job *);
static void	verify_keyed(struct credd *, struct job *);
static void	verify_retry(int, short, void *);

static struct job *
job_find(uint32_t id)
{
	struct job	*j;

	TAILQ_FOREACH(j, &jobs, entry)
		if (j->id == id)
			return j;
	return NULL;
}

static struct job *
job_new(const uint8_t *data, size_t len)
{
	struct job	*j = xcalloc(1, sizeof(*j));

	j->id = job_next_id++;
	if (job_next_id == 0)
		job_next_id = 1;
	j->data = xmalloc(len);
	memcpy(j->data, data, len);
	j->len = len;
	TAILQ_INSERT_TAIL(&jobs, j, entry);
	njobs++;
	return j;
}

static void
job_free(struct job *j)
{
	/* Answers still on their way find no job and are dropped. */
	TAILQ_REMOVE(&jobs, j, entry);
	njobs--;
	if (j->retry != NULL)
		event_free(j->retry);
	free(j->data);
	free(j);
}

static void
job_settle(struct job *j)
{
	j->phase = J_DONE;
	if (j->inflight == 0)
		job_free(j);
}

static struct imsgev *
peer(struct credd *cd, enum gw_proc p)
{
	struct imsgev	*iev = cd->w->peer[p];

	if (iev == NULL)
		log_warnx("no channel to %s", gw_proc_name(p));
	return iev;
}

static void
reply(struct credd *cd, uint32_t peerid, const uint8_t *client, int err,
    const char *msg, const struct gw_bandwidth *b);

/* The job's answer to clientd, if clientd still waits for one. */
static void
job_reply(struct credd *cd, struct job *j, int err, const char *msg,
    const struct gw_bandwidth *b)
{
	if (!j->waiting)
		return;
	j->waiting = 0;
	reply(cd, j->clientd_peerid, j->rec.client, err, msg, b);
}

static void
reply(struct credd *cd, uint32_t peerid, const uint8_t *client, int err,
    const char *msg, const struct gw_bandwidth *b)
{
	struct gw_cred_result	 r;
	struct imsgev		*iev;

	memset(&r, 0, sizeof(r));
	memcpy(r.client, client, sizeof(r.client));
	r.ok = err == CRED_ERR_NONE;
	r.error = err;
	if (b != NULL) {
		r.available = b->available;
		r.expiry = b->expiry;
	}
	snprintf(r.message, sizeof(r.message), "%s", msg);
	if (!r.ok)
		*cd->c_refused += 1;
	if ((iev = peer(cd, PROC_CLIENTD)) != NULL)
		imsgev_compose(iev, IMSG_CRED_RESULT, peerid, -1, &r,
		    sizeof(r));
}

static void
to_storaged(struct credd *cd, uint32_t type, uint32_t peerid,
    const void *p, size_t len, const void *p2, size_t len2)
{
	struct imsgev	*iev;

	if ((iev = peer(cd, PROC_STORAGED)) == NULL)
		return;
	if (imsgev_compose2(iev, type, peerid, p, len, p2, p2 ? len2 : 0) ==
	    -1)
		fatal("%s", __func__);
}

static void
job_persist(struct credd *cd, struct job *j)
{
	j->rec.data_len = (uint32_t)j->len;
	to_storaged(cd, IMSG_PENDING_PUT, j->id, &j->rec, sizeof(j->rec),
	    j->data, j->len);
}

static void
job_forget(struct credd *cd, struct job *j)
{
	struct gw_pending_key	 k;

	memcpy(k.serial_hash, j->rec.serial_hash, sizeof(k.serial_hash));
	to_storaged(cd, IMSG_PENDING_DEL, j->id, &k, sizeof(k), NULL, 0);
}

/* settle: the pending record goes in the same transaction. */
static void
adjust(struct credd *cd, struct job *j, int64_t delta, int64_t expiry,
    int settle)
{
	struct gw_bandwidth_adjust	 a;

	memset(&a, 0, sizeof(a));
	memcpy(a.client, j->rec.client, sizeof(a.client));
	a.delta = delta;
	a.expiry = expiry;
	if (settle) {
		a.flags = GW_ADJUST_SETTLE;
		memcpy(a.pending_serial, j->rec.serial_hash,
		    sizeof(a.pending_serial));
	}
	to_storaged(cd, IMSG_BANDWIDTH_ADJUST, j->id, &a, sizeof(a), NULL, 0);
}

/*
 * A locally checked ticket: its credit and its pending record, for the
 * signers' later word, in one transaction (GW_ADJUST_PENDING), so a
 * crash leaves both or neither.
 */
static void
credit_checked(struct credd *cd, struct job *j)
{
	struct gw_bandwidth_adjust	 a;
	struct imsgev			*iev;
	struct iovec			 iov[3];
	time_t				 now = time(NULL);

	j->phase = J_WAIT_CREDIT;
	j->rec.credited_at = now;
	j->rec.data_len = (uint32_t)j->len;
	memset(&a, 0, sizeof(a));
	memcpy(a.client, j->rec.client, sizeof(a.client));
	a.delta = j->rec.value;
	/* Valid 7 days counting today: today 00:00 UTC + 6 days. */
	a.expiry = now - now % 86400 + 6 * 86400;
	a.flags = GW_ADJUST_PENDING;
	if ((iev = peer(cd, PROC_STORAGED)) == NULL)
		return;
	iov[0].iov_base = &a;
	iov[0].iov_len = sizeof(a);
	iov[1].iov_base = &j->rec;
	iov[1].iov_len = sizeof(j->rec);
	iov[2].iov_base = j->data;
	iov[2].iov_len = j->len;
	if (imsgev_composev(iev, IMSG_BANDWIDTH_ADJUST, j->id, -1, iov, 3) ==
	    -1)
		fatal("%s", __func__);
}

static void
cooldown_add(const struct job *j)
{
	struct cooldown	*c = &cooldowns[cooldown_next++ % VERIFY_COOLDOWNS];

	memcpy(c->client, j->rec.client, sizeof(c->client));
	memcpy(c->addr, j->addr, sizeof(c->addr));
	c->until = time(NULL) + VERIFY_COOLDOWN_S;
}

/* Seconds this client or address must still wait, or 0. */
static time_t
cooldown_left(const uint8_t *client, const uint8_t *addr)
{
	time_t	 now = time(NULL), left = 0;
	size_t	 i;

	for (i = 0; i < VERIFY_COOLDOWNS; i++) {
		const struct cooldown *c = &cooldowns[i];

		if (c->until <= now)
			continue;
		if (memcmp(c->client, client, sizeof(c->client)) == 0 ||
		    (memcmp(addr, no_addr, ADDRKEY_LEN) != 0 &&
		    memcmp(c->addr, addr, ADDRKEY_LEN) == 0))
			if (c->until - now > left)
				left = c->until - now;
	}
	return left;
}

/*
 * Why a new ticket must wait (bounded signer load), or NULL: tickets in
 * their first round of verification per client, per address, in all.
 */
static const char *
verify_limit(const uint8_t *client, const uint8_t *addr)
{
	struct job	*j;
	unsigned	 per_client = 0, per_addr = 0, all = 0;

	if (njobs >= VERIFY_JOBS_MAX)
		return "too many tickets are pending verification at this "
		    "gateway; try again later";
	TAILQ_FOREACH(j, &jobs, entry) {
		if (!j->first_round)
			continue;
		all++;
		if (memcmp(j->rec.client, client, GW_CLIENT_ID_LEN) == 0)
			per_client++;
		if (memcmp(addr, no_addr, ADDRKEY_LEN) != 0 &&
		    memcmp(j->addr, addr, ADDRKEY_LEN) == 0)
			per_addr++;
	}
	if (per_client >= VERIFY_MAX_PER_CLIENT)
		return "this client already has tickets being verified; "
		    "wait for their answers";
	if (per_addr >= VERIFY_MAX_PER_ADDR)
		return "tickets from this address are already being "
		    "verified; wait for their answers";
	if (all >= VERIFY_MAX_ALL)
		return "the gateway is verifying many tickets now; try "
		    "again shortly";
	return NULL;
}

/* Intervals; test builds may shorten them (regress/integration). */
uint32_t
credd_interval(const char *env, uint32_t dflt)
{
#ifdef GW_TEST_HOOKS
	const char	*s = getenv(env), *errstr;
	long long	 v;

	if (s != NULL) {
		v = gw_strtonum(s, 10, 3600 * 1000, &errstr);
		if (errstr == NULL) {
			log_warnx("test hook: %s=%lld ms", env, v);
			return (uint32_t)v;
		}
	}
#else
	(void)env;
#endif
	return dflt;
}

void
verify_init(struct credd *cd)
{
	verify_cd = cd;
	TAILQ_INIT(&jobs);
}

/* The limits on signer load; -1 if the ticket was refused for them. */
static int
verify_bounded(struct credd *cd, uint32_t peerid, const struct gw_cred_req *req)
{
	const char	*why;
	char		 msg[160];
	time_t		 left;

	if ((left = cooldown_left(req->client, req->addr)) > 0) {
		*cd->c_cooldown += 1;
		snprintf(msg, sizeof(msg), "a ticket of this client or its "
		    "address was just refused; try again in %lld s",
		    (long long)left);
		reply(cd, peerid, req->client, CRED_ERR_BUSY, msg, NULL);
		return -1;
	}
	if ((why = verify_limit(req->client, req->addr)) != NULL) {
		*cd->c_busy += 1;
		reply(cd, peerid, req->client, CRED_ERR_BUSY, why, NULL);
		return -1;
	}
	return 0;
}

void
verify_request(struct credd *cd, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_cred_req	 req;
	struct ticket		 t;
	struct job		*j;
	const uint8_t		*cred;
	size_t			 len;
	char			 msg[160];
	int			 err;

	if (imsg->datalen <= sizeof(req) ||
	    imsg->datalen - sizeof(req) > GW_CRED_MAX)
		fatalx("CRED_VERIFY from %s: bad size %zu", iev->name,
		    imsg->datalen);
	memcpy(&req, imsg->data, sizeof(req));
	cred = (const uint8_t *)imsg->data + sizeof(req);
	len = imsg->datalen - sizeof(req);
	*cd->c_tickets += 1;
	switch (req.kind) {
	case CRED_ECASH_TICKET:
		break;
	case CRED_UPGRADE_JWT:
		upgrade_jwt_request(cd, imsg->hdr.peerid, req.client, cred,
		    len);
		return;
	default:
		fatalx("CRED_VERIFY from %s: unknown kind %u", iev->name,
		    req.kind);
	}
	/* Free mode is clientd's business; it should not ask. */
	if (!cd->w->conf.credd.enforce_zk_nyms) {
		reply(cd, imsg->hdr.peerid, req.client, CRED_ERR_NOT_ENABLED,
		    "this gateway does not take zk-nym tickets", NULL);
		return;
	}
	if (ticket_parse(cred, len, &t) == -1) {
		reply(cd, imsg->hdr.peerid, req.client, CRED_ERR_MALFORMED,
		    "the received encrypted data was malformed", NULL);
		return;
	}
	if ((err = ticket_check(&t, cd->w->conf.credd.identity_pk,
	    credd_now(), msg, sizeof(msg))) != CRED_ERR_NONE) {
		log_info("ticket refused: %s", msg);
		reply(cd, imsg->hdr.peerid, req.client, err, msg, NULL);
		return;
	}
	/* Recorded at once, so that two copies in flight are caught; a
	 * copy the local check refuses gives it back (verify_local). */
	if (ticket_payinfo_seen(t.pay_info, credd_now())) {
		reply(cd, imsg->hdr.peerid, req.client, CRED_ERR_DOUBLE_SPEND,
		    "received payinfo is a duplicate", NULL);
		return;
	}
	/* The same serial twice before storaged has answered. */
	TAILQ_FOREACH(j, &jobs, entry)
		if (memcmp(j->rec.serial_hash, t.serial_hash, 32) == 0) {
			reply(cd, imsg->hdr.peerid, req.client,
			    CRED_ERR_DOUBLE_SPEND, "the provided bandwidth "
			    "credential has already been spent before at "
			    "this gateway", NULL);
			return;
		}
	if (verify_bounded(cd, imsg->hdr.peerid, &req) == -1)
		return;
	j = job_new(cred, len);
	j->phase = J_WAIT_SIGNERS;
	j->waiting = 1;
	j->first_round = 1;
	memcpy(j->addr, req.addr, sizeof(j->addr));
	j->clientd_peerid = imsg->hdr.peerid;
	memcpy(j->rec.serial_hash, t.serial_hash, 32);
	memcpy(j->rec.client, req.client, sizeof(j->rec.client));
	j->rec.value = ticket_value(t.t_type);
	/* The ticket's own epoch (spec 6.5); set again once spent. */
	j->rec.epoch_id = t.epoch_id;
	signers_refresh(cd, cd->signers_known &&
	    t.epoch_id > cd->signers.epoch_id);
}

/*
 * A ticket of an epoch whose signers credd holds no set for: a past
 * one is asked of the DKG contract (dkg.c), once per ticket, and waits
 * for verify_signers_ready; else it is refused (j freed).
 */
static void
verify_unknown_epoch(struct credd *cd, struct job *j)
{
	const char	*why = "its set could not be had";
	struct ticket	 t;
	char		 m[160];

	if (j->rec.epoch_id > cd->signers.epoch_id)
		why = "newer than the current epoch nym-api names";
	else if (!j->dkg_asked) {
		if (dkg_want(cd, j->rec.epoch_id, &why) == DKG_WAIT) {
			j->dkg_asked = 1;
			return;
		}
	}
	log_info("ticket of ecash epoch %llu refused (current epoch %llu): "
	    "its signers are unknown: %s", (unsigned long long)j->rec.epoch_id,
	    (unsigned long long)cd->signers.epoch_id, why);
	/* Not spent: the same ticket may come again once they are known. */
	if (ticket_parse(j->data, j->len, &t) == 0)
		ticket_payinfo_forget(t.pay_info);
	snprintf(m, sizeof(m), "the gateway does not know the signers of "
	    "ecash epoch %llu", (unsigned long long)j->rec.epoch_id);
	job_reply(cd, j, CRED_ERR_UNAVAILABLE, m, NULL);
	job_free(j);
}

/* The signer list is known (ok) or could not be had. */
void
verify_signers_ready(struct credd *cd, int ok)
{
	struct job	*j, *tmp;

	/* glibc's queue.h has no TAILQ_FOREACH_SAFE. */
	for (j = TAILQ_FIRST(&jobs); j != NULL; j = tmp) {
		tmp = TAILQ_NEXT(j, entry);
		if (j->phase == J_VERIFYING && ok && j->inflight == 0 &&
		    (j->retry == NULL || !evtimer_pending(j->retry, NULL))) {
			verify_round(cd, j);	/* may free j */
			continue;
		}
		if (j->phase != J_WAIT_SIGNERS)
			continue;
		if (!ok) {
			job_reply(cd, j, CRED_ERR_UNAVAILABLE, "the gateway "
			    "cannot reach the nym-api to verify tickets; try "
			    "again later", NULL);
			job_free(j);
			continue;
		}
		if (signers_for(cd, j->rec.epoch_id) == NULL) {
			verify_unknown_epoch(cd, j);	/* waits, or freed */
			continue;
		}
		verify_keyed(cd, j);	/* may free j */
	}
}

static void
verify_spend(struct credd *cd, struct job *j)
{
	struct gw_spend	 s;

	memset(&s, 0, sizeof(s));
	memcpy(s.serial_hash, j->rec.serial_hash, 32);
	s.when = time(NULL);
	j->phase = J_WAIT_SPEND;
	to_storaged(cd, IMSG_SPEND_RECORD, j->id, &s, sizeof(s), NULL, 0);
}

/* The whole zk-nym check; -1 if the ticket was refused (j freed). */
static int
verify_local(struct credd *cd, struct job *j, const struct ecash_vk *vk)
{
	struct ecash_result	 res;
	struct ticket		 t;
	enum ecash_reason	 r;

	memset(&res, 0, sizeof(res));
	r = ecash_ticket_verify(vk, j->data, j->len,
	    cd->w->conf.credd.identity_pk, credd_now(), &res);
	if (r == ECASH_OK) {
		*cd->c_local_ok += 1;
		j->local_ok = 1;
		return 0;
	}
	if (r == ECASH_ERR_INTERNAL) {
		/* Our failure, not the ticket's: the signers decide. */
		log_warnx("ticket: local verification could not run (%s); "
		    "asking the signers", res.detail);
		return 0;
	}
	*cd->c_invalid += 1;
	log_info("ticket refused by the local check: %s", res.detail);
	if (ticket_parse(j->data, j->len, &t) == 0)
		ticket_payinfo_forget(t.pay_info);
	cooldown_add(j);
	res.msg[sizeof(res.msg) - 1] = '\0';
	job_reply(cd, j, res.cred_err, res.msg, NULL);
	job_free(j);
	return -1;
}

/* With the epoch's key the ticket is checked here; without, it waits
 * for the signers' quorum before any credit. */
static void
verify_keyed(struct credd *cd, struct job *j)
{
	const struct ecash_vk	*vk;

	switch (vkeys_get(cd, j->rec.epoch_id, &vk)) {
	case VKEY_WAIT:
		j->phase = J_WAIT_KEY;
		return;
	case VKEY_READY:
		if (verify_local(cd, j, vk) == -1)
			return;
		break;
	case VKEY_NONE:
		break;
	}
	verify_spend(cd, j);
}

void
verify_vkey_ready(struct credd *cd, uint64_t epoch)
{
	struct job	*j, *tmp;

	for (j = TAILQ_FIRST(&jobs); j != NULL; j = tmp) {
		tmp = TAILQ_NEXT(j, entry);
		if (j->phase == J_WAIT_KEY && j->rec.epoch_id == epoch)
			verify_keyed(cd, j);	/* may free j */
	}
}

static void
verify_spent(struct credd *cd, struct job *j, const struct gw_spend_result *r)
{
	const struct signer_set	*set = signers_for(cd, j->rec.epoch_id);
	uint32_t		 i;

	if (!r->ok || !r->fresh) {
		job_reply(cd, j, r->ok ? CRED_ERR_DOUBLE_SPEND :
		    CRED_ERR_UNAVAILABLE, r->ok ? "the provided bandwidth "
		    "credential has already been spent before at this gateway" :
		    "the gateway could not record the ticket; try again later",
		    NULL);
		job_free(j);
		return;
	}
	if (set == NULL)	/* evicted meanwhile: SIGNER_EPOCHS newer ones */
		set = &cd->signers;
	j->rec.credited_at = 0;
	j->rec.epoch_id = set->epoch_id;
	j->rec.nsigners = set->n;
	for (i = 0; i < set->n; i++) {
		j->rec.signer_id[i] = set->s[i].id;
		j->rec.vote[i] = PENDING_VOTE_NONE;
	}
	if (j->local_ok) {
		credit_checked(cd, j);
		return;
	}
	/* Not credited: that waits for the quorum. */
	job_persist(cd, j);
	j->phase = J_VERIFYING;
	verify_round(cd, j);
}

/* The quorum said yes: credit, settling the record in the same write. */
static void
verify_credit(struct credd *cd, struct job *j)
{
	time_t	 now = time(NULL);

	j->phase = J_WAIT_CREDIT;
	/* Valid 7 days counting today: today 00:00 UTC + 6 days. */
	adjust(cd, j, j->rec.value, now - now % 86400 + 6 * 86400, 1);
}

static void
verify_credited(struct credd *cd, struct job *j, const struct gw_bandwidth *b)
{
	struct gw_cred_balance	 cb;
	struct imsgev		*iev;

	if (!b->ok) {
		struct timeval	 tv;

		/* Nothing was written: the record stays pending, the votes
		 * stand, and the credit is tried again after retry_ms.  A
		 * locally checked one had no record yet: both are tried
		 * again. */
		log_warnx("a verified ticket could not be credited; trying "
		    "again in %u ms", cd->retry_ms);
		j->phase = j->local_ok && j->first_round ? J_CREDIT_AGAIN :
		    J_VERIFYING;
		if (j->phase == J_CREDIT_AGAIN)
			j->rec.credited_at = 0;
		if (j->retry == NULL && (j->retry = evtimer_new(cd->w->base,
		    verify_retry, j)) == NULL)
			fatalx("evtimer_new");
		job_reply(cd, j, CRED_ERR_PENDING, "the ticket was verified "
		    "but could not be credited yet; it will be", NULL);
		tv.tv_sec = cd->retry_ms / 1000;
		tv.tv_usec = (cd->retry_ms % 1000) * 1000;
		evtimer_add(j->retry, &tv);
		return;
	}
	*cd->c_credited += 1;
	if (j->waiting)
		job_reply(cd, j, CRED_ERR_NONE, "", b);
	else {
		/* Answered "pending" before: a live session catches up. */
		memset(&cb, 0, sizeof(cb));
		memcpy(cb.client, j->rec.client, sizeof(cb.client));
		cb.available = b->available;
		cb.expiry = b->expiry;
		if ((iev = peer(cd, PROC_CLIENTD)) != NULL)
			imsgev_compose(iev, IMSG_CRED_BALANCE, 0, -1, &cb,
			    sizeof(cb));
	}
	if (j->local_ok && j->first_round) {
		/* The signers' word comes later, without the client. */
		j->first_round = 0;
		j->phase = J_VERIFYING;
		verify_round(cd, j);	/* may free j */
		return;
	}
	job_settle(j);
}

static void
verify_revoked(struct credd *cd, struct job *j, const struct gw_bandwidth *b)
{
	struct gw_cred_balance	 r;
	struct imsgev		*iev;

	memset(&r, 0, sizeof(r));
	memcpy(r.client, j->rec.client, sizeof(r.client));
	r.available = b->available;
	if ((iev = peer(cd, PROC_CLIENTD)) != NULL)
		imsgev_compose(iev, IMSG_CRED_BALANCE, 0, -1, &r, sizeof(r));
	job_settle(j);
}

/* Nym's rule (credential_sender.rs), quorum 0.7. */
static void
verify_tally(struct credd *cd, struct job *j)
{
	const struct signer_set	*set = signers_for(cd, j->rec.epoch_id);
	uint32_t	 i, acc = 0, rej = 0, n = j->rec.nsigners;
	uint32_t	 threshold;

	for (i = 0; i < n; i++) {
		if (j->rec.vote[i] == PENDING_VOTE_ACCEPT)
			acc++;
		else if (j->rec.vote[i] == PENDING_VOTE_REJECT)
			rej++;
	}
	if (n > 0 && rej * 100 >= (100 - VERIFY_QUORUM_PCT) * n) {
		j->first_round = 0;
		job_forget(cd, j);
		cooldown_add(j);
		if (j->rec.credited_at != 0) {
			/* Credited on the local check (or by an earlier
			 * version): the penalty. */
			*cd->c_revoked += 1;
			log_info("ticket rejected by %u of %u signers: revoking "
			    "%lld bytes", rej, n,
			    (long long)j->rec.value * TICKET_PENALTY);
			j->phase = J_WAIT_REVOKE;
			adjust(cd, j, -j->rec.value * TICKET_PENALTY, 0, 0);
			return;
		}
		*cd->c_rejected += 1;
		log_info("ticket rejected by %u of %u signers: nothing "
		    "credited", rej, n);
		job_reply(cd, j, CRED_ERR_REJECTED, "the provided ticket was "
		    "rejected by the nym-api signers", NULL);
		job_settle(j);
		return;
	}
	/* The threshold of the ticket's epoch; after a restart that no
	 * longer lists it, the current one. */
	threshold = set != NULL ? set->threshold : cd->signers.threshold;
	if (n > 0 && acc * 100 >= VERIFY_QUORUM_PCT * n &&
	    acc >= threshold) {
		j->first_round = 0;
		*cd->c_verified += 1;
		log_info("ticket verified by %u of %u signers", acc, n);
		if (j->rec.credited_at != 0) {
			job_forget(cd, j);
			job_settle(j);
		} else
			verify_credit(cd, j);
		return;
	}
	if (j->inflight == 0) {
		struct timeval	 tv;

		/* A first round without a verdict: the client learns now,
		 * the bandwidth comes when the quorum does. */
		j->first_round = 0;
		job_reply(cd, j, CRED_ERR_PENDING, "not all nym-api signers "
		    "answered; the ticket stays pending and its bandwidth is "
		    "credited once they agree", NULL);
		tv.tv_sec = cd->retry_ms / 1000;
		tv.tv_usec = (cd->retry_ms % 1000) * 1000;
		log_debug("ticket: %u accept, %u reject of %u; asking again "
		    "in %ums", acc, rej, n, cd->retry_ms);
		evtimer_add(j->retry, &tv);
	}
}

static void
verify_answer(int status, const char *body, size_t len, void *arg)
{
	struct vote_ctx	*vc = arg;
	struct credd	*cd = vc->cd;
	struct job	*j = job_find(vc->job_id);
	uint32_t	 i;
	int		 v;

	v = status == 200 ? ticket_parse_verdict(body, len) : -1;
	if (v == -1)
		*cd->c_api_fail += 1;
	if (j == NULL) {
		free(vc);
		return;
	}
	j->inflight--;
	if (j->phase == J_DONE) {
		if (j->inflight == 0)
			job_free(j);
		free(vc);
		return;
	}
	/* After a verdict the record is gone: late votes change nothing. */
	for (i = 0; i < j->rec.nsigners && v != -1 &&
	    j->phase == J_VERIFYING; i++)
		if (j->rec.signer_id[i] == vc->signer_id) {
			j->rec.vote[i] = v ? PENDING_VOTE_ACCEPT :
			    PENDING_VOTE_REJECT;
			job_persist(cd, j);
		}
	free(vc);
	if (j->phase == J_VERIFYING)
		verify_tally(cd, j);
}

static void
verify_retry(int fd, short ev, void *arg)
{
	struct job	*j = arg;

	(void)fd;
	(void)ev;
	if (j->phase == J_CREDIT_AGAIN)
		credit_checked(verify_cd, j);
	else
		verify_round(verify_cd, j);
}

static void
verify_round(struct credd *cd, struct job *j)
{
	const struct signer_set	*set;
	struct vote_ctx	*vc;
	const char	*base;
	char		*body;
	uint32_t	 i, k;

	if (j->retry == NULL &&
	    (j->retry = evtimer_new(cd->w->base, verify_retry, j)) == NULL)
		fatalx("evtimer_new");
	if (!cd->signers_known) {
		evtimer_del(j->retry);
		signers_refresh(cd, 0);
		if (!cd->signers_known) {
			verify_tally(cd, j);	/* arms the retry */
			return;
		}
	}
	if ((set = signers_for(cd, j->rec.epoch_id)) == NULL) {
		const char	*why;

		/* Resumed after a restart: the epoch's own set first. */
		if (!j->dkg_asked && j->rec.epoch_id < cd->signers.epoch_id &&
		    dkg_want(cd, j->rec.epoch_id, &why) == DKG_WAIT) {
			j->dkg_asked = 1;
			return;		/* verify_signers_ready follows */
		}
		set = &cd->signers;	/* by node_index, see below */
	}
	if ((body = ticket_verify_body(j->data, j->len,
	    cd->w->conf.credd.cosmos_address)) == NULL) {
		/* Parsed when it came in: a stored record went bad. */
		log_warnx("pending ticket no longer parses: dropped");
		job_forget(cd, j);
		job_settle(j);
		return;
	}
	for (i = 0; i < j->rec.nsigners; i++) {
		if (j->rec.vote[i] != PENDING_VOTE_NONE)
			continue;
		/* A restart may have lost the epoch's set: a signer of the
		 * current one with the same node_index is the same nym-api. */
		for (k = 0; k < set->n; k++)
			if (set->s[k].id == j->rec.signer_id[i])
				break;
		if (k == set->n)
			continue;	/* gone from the list: no vote */
		vc = xcalloc(1, sizeof(*vc));
		vc->cd = cd;
		vc->job_id = j->id;
		vc->signer_id = j->rec.signer_id[i];
		base = set->s[k].url;
		j->inflight++;
		nymapi_request(cd->api, &base, 1, VERIFY_PATH, body, 1,
		    verify_answer, vc);
	}
	free(body);
	if (j->inflight == 0)
		verify_tally(cd, j);
}

static void
verify_restore(struct credd *cd, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_pending	 p;
	struct ticket		 t;
	struct job		*j;
	const uint8_t		*data;

	if (imsg->datalen < sizeof(p))
		fatalx("PENDING_ENTRY from %s: short", iev->name);
	memcpy(&p, imsg->data, sizeof(p));
	if (p.data_len == 0 || p.data_len > GW_CRED_MAX ||
	    p.nsigners > GW_PENDING_SIGNERS ||
	    imsg->datalen != sizeof(p) + p.data_len)
		fatalx("PENDING_ENTRY from %s: bad lengths", iev->name);
	data = (const uint8_t *)imsg->data + sizeof(p);
	if (ticket_parse(data, p.data_len, &t) == -1 ||
	    memcmp(t.serial_hash, p.serial_hash, 32) != 0) {
		log_warnx("a stored pending ticket does not parse: dropped");
		return;
	}
	j = job_new(data, p.data_len);
	j->rec = p;
	j->phase = J_VERIFYING;
	(void)cd;
}

void
verify_storaged(struct credd *cd, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_spend_result	 sr;
	struct gw_bandwidth	 b;
	struct gw_pending_end	 end;
	struct job		*j;

	switch (imsg->hdr.type) {
	case IMSG_PENDING_ENTRY:
		verify_restore(cd, iev, imsg);
		return;
	case IMSG_PENDING_END:
		imsg_need(iev, imsg, &end, sizeof(end));
		if (end.count > 0)
			log_info("%u ticket verifications to resume",
			    end.count);
		TAILQ_FOREACH(j, &jobs, entry)
			if (j->phase == J_VERIFYING)
				break;
		if (j != NULL)
			signers_refresh(cd, 0);
		return;
	case IMSG_SPEND_RESULT:
		imsg_need(iev, imsg, &sr, sizeof(sr));
		if ((j = job_find(imsg->hdr.peerid)) == NULL ||
		    j->phase != J_WAIT_SPEND ||
		    memcmp(sr.serial_hash, j->rec.serial_hash, 32) != 0)
			fatalx("SPEND_RESULT from %s for no request",
			    iev->name);
		verify_spent(cd, j, &sr);
		return;
	case IMSG_BANDWIDTH_RESULT:
		imsg_need(iev, imsg, &b, sizeof(b));
		if ((j = job_find(imsg->hdr.peerid)) == NULL ||
		    memcmp(b.client, j->rec.client, sizeof(b.client)) != 0)
			fatalx("BANDWIDTH_RESULT from %s for no request",
			    iev->name);
		if (j->phase == J_WAIT_CREDIT)
			verify_credited(cd, j, &b);
		else if (j->phase == J_WAIT_REVOKE)
			verify_revoked(cd, j, &b);
		else
			fatalx("BANDWIDTH_RESULT from %s out of turn",
			    iev->name);
		return;
	default:
		imsg_unexpected(iev, imsg);
	}
}

void
verify_start(struct credd *cd)
{
	struct imsgev	*iev;

	if ((iev = peer(cd, PROC_STORAGED)) != NULL)
		imsgev_compose(iev, IMSG_PENDING_LIST, 0, -1, NULL, 0);
}

/* Every job, at a stop (and between a fuzzer's inputs). */
void
verify_free(void)
{
	struct job	*j;

	while ((j = TAILQ_FIRST(&jobs)) != NULL)
		job_free(j);
}

/* clientd's tickets and upgrade-mode JWTs (iev->arg: the worker). */
int
credd_dispatch_clientd(struct imsgev *iev, struct imsg *imsg)
{
	struct credd	*cd = ((struct worker *)iev->arg)->role;

	if (imsg->hdr.type != IMSG_CRED_VERIFY)
		imsg_unexpected(iev, imsg);
	verify_request(cd, iev, imsg);
	return 0;
}

int
credd_dispatch_storaged(struct imsgev *iev, struct imsg *imsg)
{
	struct credd	*cd = ((struct worker *)iev->arg)->role;

	verify_storaged(cd, iev, imsg);
	return 0;
}
