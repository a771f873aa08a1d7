/*
 * nym-api's describe-cache refresh (doc/spec/refresh-described.md).
 * nym-node asks every nym-api to fetch its host information again at
 * start; so does credd, and again when the master says its host
 * information changed (rotation, reload).  The master signs
 * (gatewayd/refresh.c); credd only asks for a signature "for now" and
 * POSTs the body to each nym_api.urls entry.  A URL that fails is
 * tried again with a fresh signature (nym-api refuses one older than
 * 30 s) after REFRESH_BACKOFF_MS, doubling, REFRESH_TRIES times in
 * all.  nym-api takes one refresh a minute per node, so a round is
 * not started within REFRESH_SPACING_S of the last success.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "base58.h"
#include "credd.h"
#include "log.h"
#include "util.h"

#define REFRESH_PATH		"/v1/nym-nodes/refresh-described"
#define REFRESH_TRIES		4
#define REFRESH_BACKOFF_MS	5000
#define REFRESH_SPACING_S	61

static struct {
	struct credd	*cd;
	struct event	*ev;
	uint32_t	 todo;		/* bases still to be told */
	unsigned	 tries;		/* rounds so far */
	unsigned	 outstanding;	/* POSTs under way */
	int		 asked;		/* a signature is on its way */
	int		 again;		/* a push came during a round */
	time_t		 last_ok;
	uint32_t	 backoff_ms;
	time_t		 spacing_s;
} rf;

/* The JSON body: NodeRefreshBody as serde_json writes it. */
int
refresh_body(const struct gw_refresh_signed *s, char *out, size_t outlen)
{
	char	 id[BASE58_ENCODED_MAX(32)];
	size_t	 i, off;
	int	 n;

	if (base58_encode(s->identity, 32, id, sizeof(id)) == -1)
		return -1;
	n = snprintf(out, outlen, "{\"node_identity\":\"%s\","
	    "\"request_timestamp\":%lld,\"signature\":[", id,
	    (long long)s->timestamp);
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	off = (size_t)n;
	for (i = 0; i < 64; i++) {
		n = snprintf(out + off, outlen - off, "%s%u", i ? "," : "",
		    s->signature[i]);
		if (n < 0 || (size_t)n >= outlen - off)
			return -1;
		off += (size_t)n;
	}
	n = snprintf(out + off, outlen - off, "]}");
	if (n < 0 || (size_t)n >= outlen - off)
		return -1;
	return (int)(off + (size_t)n);
}

static void
refresh_ask(void)
{
	if (rf.asked)
		return;
	rf.asked = 1;
	if (imsgev_compose(rf.cd->w->peer[PROC_PARENT], IMSG_REFRESH_SIGN, 0,
	    -1, NULL, 0) == -1)
		fatal("%s", __func__);
}

static void
refresh_later(uint64_t ms)
{
	struct timeval	 tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(rf.ev, &tv);
}

static void
refresh_tick(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	refresh_ask();
}

/* A new round to every URL (start, or the master's push). */
static void
refresh_round(void)
{
	rf.todo = rf.cd->nbases >= 32 ? UINT32_MAX :
	    (UINT32_C(1) << rf.cd->nbases) - 1;
	rf.tries = 0;
}

/* Every POST of a round has ended: done, or again after a while. */
static void
refresh_settle(void)
{
	time_t	 now = time(NULL);
	uint64_t ms;

	if (rf.again) {
		rf.again = 0;
		refresh_round();
	}
	if (rf.todo == 0)
		return;
	if (rf.tries >= REFRESH_TRIES && !rf.again) {
		log_warnx("nym-api: describe-cache refresh not accepted after "
		    "%u tries; nym-api will refresh on its own schedule",
		    rf.tries);
		rf.todo = 0;
		return;
	}
	ms = rf.tries == 0 ? 0 : (uint64_t)rf.backoff_ms << (rf.tries - 1);
	if (rf.last_ok != 0 && now - rf.last_ok < rf.spacing_s &&
	    ms < (uint64_t)(rf.spacing_s - (now - rf.last_ok)) * 1000)
		ms = (uint64_t)(rf.spacing_s - (now - rf.last_ok)) * 1000;
	if (ms == 0)
		refresh_ask();
	else
		refresh_later(ms);
}

static void
refresh_done(int status, const char *body, size_t len, void *arg)
{
	size_t	 i = (size_t)(uintptr_t)arg;

	(void)body;
	(void)len;
	rf.outstanding--;
	if (status == 200) {
		*rf.cd->c_refresh_sent += 1;
		rf.todo &= ~(UINT32_C(1) << i);
		rf.last_ok = time(NULL);
		if (i < rf.cd->nbases)
			log_info("nym-api %s: describe-cache refresh accepted",
			    rf.cd->bases[i]);
	} else {
		*rf.cd->c_refresh_failed += 1;
		if (i < rf.cd->nbases)
			log_warnx("nym-api %s: describe-cache refresh refused "
			    "(HTTP %d)", rf.cd->bases[i], status);
	}
	if (rf.outstanding == 0)
		refresh_settle();
}

/* The master's IMSG_REFRESH_SIGNED: asked for, or pushed. */
void
refresh_signed(struct credd *cd, struct imsg *imsg)
{
	struct gw_refresh_signed	 s;
	char				 body[512];
	size_t				 i;

	imsg_need(cd->w->peer[PROC_PARENT], imsg, &s, sizeof(s));
	if (rf.ev == NULL)
		return;		/* before start: the start round follows */
	if (!rf.asked)
		rf.again = 1;	/* pushed: the host information changed */
	rf.asked = 0;
	if (rf.outstanding > 0)
		return;		/* refresh_settle starts the new round */
	if (rf.again) {
		rf.again = 0;
		refresh_round();
		/* Spaced from the last success: refresh_settle waits. */
		if (rf.last_ok != 0 &&
		    time(NULL) - rf.last_ok < rf.spacing_s) {
			refresh_settle();
			return;
		}
	}
	if (rf.todo == 0 || refresh_body(&s, body, sizeof(body)) == -1)
		return;
	rf.tries++;
	for (i = 0; i < cd->nbases && i < 32; i++) {
		if (!(rf.todo & (UINT32_C(1) << i)))
			continue;
		rf.outstanding++;
		nymapi_request(cd->api, &cd->bases[i], 1, REFRESH_PATH, body, 1,
		    refresh_done, (void *)(uintptr_t)i);
	}
	if (rf.outstanding == 0)
		rf.todo = 0;
}

/* At start, once nym-api is reachable from here: one round. */
void
refresh_start(struct credd *cd)
{
	rf.cd = cd;
	rf.backoff_ms = credd_interval("GW_TEST_CREDD_REFRESH_MS",
	    REFRESH_BACKOFF_MS);
	rf.spacing_s = credd_interval("GW_TEST_CREDD_REFRESH_SPACING_MS",
	    REFRESH_SPACING_S * 1000) / 1000;
	if ((rf.ev = evtimer_new(cd->w->base, refresh_tick, NULL)) == NULL)
		fatalx("evtimer_new");
	if (cd->nbases == 0)
		return;
	refresh_round();
	refresh_ask();
}

/* The URLs changed (reload): the next round goes to all of them. */
void
refresh_reconf(struct credd *cd)
{
	(void)cd;
	if (rf.todo != 0)
		refresh_round();
}

int
credd_dispatch_parent(struct imsgev *iev, struct imsg *imsg)
{
	struct worker	*w = iev->arg;

	switch (imsg->hdr.type) {
	case IMSG_REFRESH_SIGNED:
		refresh_signed(w->role, imsg);
		return 0;
	case IMSG_VERLOC_NODES_FETCH:
		described_request(w->role);
		return 0;
	default:
		imsg_unexpected(iev, imsg);
	}
}

void
refresh_free(void)
{
	if (rf.ev != NULL)
		event_free(rf.ev);
	rf.ev = NULL;
}
