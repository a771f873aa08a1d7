/*
 * storaged's requests from clientd and credd.  The role table has
 * checked each message's sender and size (common/messages.c); what a
 * field may hold is checked here, and a request that breaks the
 * contract is fatal (the daemon restarts clean).  Writes are answered
 * once their transaction commits (commit.c), reads at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "log.h"
#include "storaged.h"
#include "util.h"

/* Microseconds: 0.1 ms (no fdatasync wait) to 1 s (a slow disk). */

/*
 * Message ages (the stamp of a stored message, the retention cutoff)
 * are read off the wall clock once, at the first call (storaged's
 * start), and run on by the monotonic clock from there.  Retention is a
 * span of time: a step of the wall clock while the daemon runs (NTP
 * after a suspend, date -s) would otherwise age every stored message by
 * the step, and a step forward past the retention, or a return after a
 * step back, purged acknowledged mail at the next purge
 * (fault_clock.sh).  Across a restart the wall clock is all there is.
 */
time_t
storaged_now(void)
{
	static time_t	 wall0;
	static uint64_t	 mono0;
	static int	 started;

	if (!started) {
		wall0 = time(NULL);
		mono0 = gw_now_ms();
		started = 1;
	}
	return wall0 + (time_t)((gw_now_ms() - mono0) / 1000);
}

static const uint32_t commit_bounds[] = {
	100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000,
	250000, 1000000
};

void
storaged_counters_init(struct storaged *sd)
{
	struct gw_counters *cs = &sd->w->counters;

	sd->c_stored = counter_get(cs, "messages_stored");
	sd->c_dropped_full = counter_get(cs, "dropped_inbox_full");
	sd->c_dropped_dbfull = counter_get(cs, "dropped_db_full");
	sd->c_dropped_unregistered = counter_get(cs, "dropped_unregistered");
	sd->c_commits = counter_get(cs, "commits");
	histogram_init(&sd->h_commit, cs, "storage_commit_seconds",
	    commit_bounds, nitems(commit_bounds));
	histogram_init(&sd->h_delivery, cs, "delivery_seconds",
	    gw_delivery_bounds, GW_DELIVERY_NBOUNDS);
	sd->c_commit_fail = counter_get(cs, "commit_failures");
	sd->c_delivered_deleted = counter_get(cs, "messages_deleted");
	sd->c_purged = counter_get(cs, "messages_purged");
	sd->c_fetches = counter_get(cs, "inbox_fetches");
	sd->c_acked = counter_get(cs, "messages_acked");
}


static void
storaged_store(struct storaged *sd, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_store_msg	 hdr;
	struct gw_store_result	 r;
	size_t			 len;

	if (imsg->datalen <= sizeof(hdr) ||
	    imsg->datalen - sizeof(hdr) > GW_MESSAGE_MAX)
		fatalx("STORE_MESSAGE from %s: bad size %zu", iev->name,
		    imsg->datalen);
	memcpy(&hdr, imsg->data, sizeof(hdr));
	len = imsg->datalen - sizeof(hdr);
	memset(&r, 0, sizeof(r));
	memcpy(r.client, hdr.client, sizeof(r.client));
	r.tag = hdr.tag;
	/* Mail for a made-up recipient would fill the disk for nobody
	 * (nym PR #7061): only registered clients have an inbox. */
	switch (clients_known(&sd->db, hdr.client)) {
	case 1:
		r.reason = inbox_store(&sd->inbox, hdr.client,
		    imsg->data + sizeof(hdr), len, storaged_now(), NULL);
		break;
	case 0:
		r.reason = STORE_FAIL_UNREGISTERED;
		break;
	default:
		r.reason = STORE_FAIL_DB_ERROR;
		break;
	}
	if (r.reason != STORE_FAIL_NONE) {
		if (r.reason == STORE_FAIL_UNREGISTERED)
			*sd->c_dropped_unregistered += 1;
		else if (r.reason == STORE_FAIL_INBOX_FULL) {
			if (*sd->c_dropped_full % 1000 == 0)
				log_warnx("an inbox is full (%u messages): "
				    "dropping", sd->inbox.max_per_client);
			*sd->c_dropped_full += 1;
		} else if (r.reason != STORE_FAIL_UNREGISTERED)
			*sd->c_dropped_dbfull += 1;
		/* A broken transaction fails everyone pending with it. */
		if (sd->db.broken) {
			commit_defer(sd, iev, IMSG_STORE_RESULT,
			    imsg->hdr.peerid, &r, sizeof(r),
			    offsetof(struct gw_store_result, ok));
			commit_now(sd);
			return;
		}
		imsgev_compose(iev, IMSG_STORE_RESULT, imsg->hdr.peerid, -1,
		    &r, sizeof(r));
		return;
	}
	*sd->c_stored += 1;
	r.ok = 1;
	commit_defer(sd, iev, IMSG_STORE_RESULT, imsg->hdr.peerid, &r,
	    sizeof(r), offsetof(struct gw_store_result, ok));
	sd->pending[sd->npending - 1].rx_us = hdr.rx_us;
	commit_wrote(sd);
}

struct fetch_ctx {
	struct imsgev	*iev;
	uint32_t	 peerid;
	const uint8_t	*client;
};

static int
storaged_fetch_one(uint64_t seq, const uint8_t *msg, size_t len, void *arg)
{
	struct fetch_ctx	*fc = arg;
	struct gw_inbox_msg	 m;

	if (len > GW_MESSAGE_MAX)
		return 0;	/* cannot be: stores are bounded */
	memcpy(m.client, fc->client, sizeof(m.client));
	m.seq = seq;
	if (imsgev_compose2(fc->iev, IMSG_INBOX_MESSAGE, fc->peerid, &m,
	    sizeof(m), msg, len) == -1)
		fatal("%s", __func__);
	return 0;
}

static void
storaged_fetch(struct storaged *sd, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_inbox_fetch	 f;
	struct gw_inbox_end	 end;
	struct fetch_ctx	 fc;
	int			 n, more;

	imsg_need(iev, imsg, &f, sizeof(f));
	if (f.max == 0 || f.max > GW_INBOX_FETCH_MAX)
		fatalx("INBOX_FETCH from %s: max %u", iev->name, f.max);
	fc.iev = iev;
	fc.peerid = imsg->hdr.peerid;
	fc.client = f.client;
	*sd->c_fetches += 1;
	n = inbox_fetch(&sd->inbox, f.client, f.after_seq, f.max,
	    storaged_fetch_one, &fc, &more);
	memset(&end, 0, sizeof(end));
	memcpy(end.client, f.client, sizeof(end.client));
	end.count = n < 0 ? 0 : (uint32_t)n;
	end.more = (uint32_t)more;
	imsgev_compose(iev, IMSG_INBOX_END, imsg->hdr.peerid, -1, &end,
	    sizeof(end));
}

static void
storaged_delete(struct storaged *sd, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_inbox_delete	 d;
	uint64_t		 seqs[GW_INBOX_DELETE_MAX];
	int			 n;

	if (imsg->datalen < sizeof(d))
		fatalx("INBOX_DELETE from %s: short", iev->name);
	memcpy(&d, imsg->data, sizeof(d));
	if (d.n == 0 || d.n > GW_INBOX_DELETE_MAX ||
	    imsg->datalen != sizeof(d) + d.n * sizeof(uint64_t))
		fatalx("INBOX_DELETE from %s: bad count", iev->name);
	memcpy(seqs, imsg->data + sizeof(d), d.n * sizeof(uint64_t));
	if ((n = inbox_delete(&sd->inbox, d.client, seqs, d.n)) > 0) {
		*sd->c_delivered_deleted += (uint64_t)n;
		commit_wrote(sd);
	}
}

static void
storaged_client(struct storaged *sd, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_client_key	 k;
	struct gw_client_id	 id;
	struct gw_client_auth	 a;
	struct gw_client_info	 info;
	struct gw_client_forget	 f;
	struct gw_client_result	 r;
	int			 rv;

	memset(&r, 0, sizeof(r));
	switch (imsg->hdr.type) {
	case IMSG_CLIENT_FORGET:
		imsg_need(iev, imsg, &f, sizeof(f));
		if (f.flags == 0 || (f.flags & ~(uint32_t)(GW_FORGET_INBOX |
		    GW_FORGET_BANDWIDTH | GW_FORGET_KEY)) != 0)
			fatalx("CLIENT_FORGET from %s: flags %#x", iev->name,
			    f.flags);
		memcpy(r.client, f.client, sizeof(r.client));
		rv = 0;
		if (f.flags & GW_FORGET_INBOX)
			rv = inbox_forget(&sd->inbox, f.client);
		r.ok = rv != -1 && clients_forget(&sd->db, f.client,
		    f.flags) == 0;
		break;
	case IMSG_CLIENT_REGISTER:
		imsg_need(iev, imsg, &k, sizeof(k));
		memcpy(r.client, k.client, sizeof(r.client));
		r.ok = clients_register(&sd->db, k.client, k.key,
		    time(NULL)) == 0;
		sodium_memzero(&k, sizeof(k));
		break;
	case IMSG_CLIENT_AUTH:
		imsg_need(iev, imsg, &a, sizeof(a));
		memcpy(r.client, a.client, sizeof(r.client));
		rv = clients_auth(&sd->db, a.client, a.timestamp);
		r.ok = rv == 1;
		if (rv != 1) {
			/* A replay or an unknown client: nothing written. */
			imsgev_compose(iev, IMSG_CLIENT_RESULT,
			    imsg->hdr.peerid, -1, &r, sizeof(r));
			return;
		}
		break;
	case IMSG_CLIENT_LOOKUP:
		imsg_need(iev, imsg, &id, sizeof(id));
		memset(&info, 0, sizeof(info));
		memcpy(info.client, id.client, sizeof(info.client));
		clients_lookup(&sd->db, &info);
		imsgev_compose(iev, IMSG_CLIENT_INFO, imsg->hdr.peerid, -1,
		    &info, sizeof(info));
		sodium_memzero(&info, sizeof(info));
		return;
	default:
		imsg_unexpected(iev, imsg);
	}
	commit_defer(sd, iev, IMSG_CLIENT_RESULT, imsg->hdr.peerid, &r,
	    sizeof(r), offsetof(struct gw_client_result, ok));
	commit_wrote(sd);
}

static void
storaged_bandwidth(struct storaged *sd, struct imsgev *iev,
    struct imsg *imsg)
{
	struct gw_bandwidth_adjust	 adj;
	struct gw_client_id		 id;
	struct gw_bandwidth		 b;
	const uint8_t			*rec;
	size_t				 reclen;

	memset(&b, 0, sizeof(b));
	if (imsg->hdr.type == IMSG_BANDWIDTH_GET) {
		imsg_need(iev, imsg, &id, sizeof(id));
		memcpy(b.client, id.client, sizeof(b.client));
		bandwidth_get(&sd->db, &b);
		imsgev_compose(iev, IMSG_BANDWIDTH_RESULT, imsg->hdr.peerid,
		    -1, &b, sizeof(b));
		return;
	}
	if (imsg->datalen < sizeof(adj))
		fatalx("BANDWIDTH_ADJUST from %s: short", iev->name);
	memcpy(&adj, imsg->data, sizeof(adj));
	if ((adj.flags != 0 && iev->proc != PROC_CREDD) ||
	    (adj.flags != 0 && adj.flags != GW_ADJUST_SETTLE &&
	    adj.flags != GW_ADJUST_PENDING))
		fatalx("BANDWIDTH_ADJUST from %s: flags %#x", iev->name,
		    adj.flags);
	rec = (const uint8_t *)imsg->data + sizeof(adj);
	reclen = imsg->datalen - sizeof(adj);
	if (adj.flags == GW_ADJUST_PENDING)
		pending_check(iev, imsg->hdr.type, rec, reclen);
	else if (reclen != 0)
		fatalx("BANDWIDTH_ADJUST from %s: payload %zu bytes, want %zu",
		    iev->name, imsg->datalen, sizeof(adj));
	/* The credit and its verification record in one transaction:
	 * ended (SETTLE) or begun (PENDING). */
	if (bandwidth_adjust(&sd->db, &adj, &b) == 0 &&
	    (((adj.flags & GW_ADJUST_SETTLE) &&
	    pending_remove(sd, adj.pending_serial) == -1) ||
	    ((adj.flags & GW_ADJUST_PENDING) &&
	    pending_write(sd, rec, reclen) == -1))) {
		/* Never the credit alone: the whole transaction fails. */
		sd->db.broken = 1;
		b.ok = 0;
	}
	commit_defer(sd, iev, IMSG_BANDWIDTH_RESULT, imsg->hdr.peerid, &b,
	    sizeof(b), offsetof(struct gw_bandwidth, ok));
	commit_wrote(sd);
}

static void
storaged_spend(struct storaged *sd, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_spend		 s;
	struct gw_spend_result	 r;
	int			 rv;

	imsg_need(iev, imsg, &s, sizeof(s));
	memset(&r, 0, sizeof(r));
	memcpy(r.serial_hash, s.serial_hash, sizeof(r.serial_hash));
	rv = spent_record(&sd->db, s.serial_hash, s.when);
	r.ok = rv != -1;
	r.fresh = rv == 1;
	commit_defer(sd, iev, IMSG_SPEND_RESULT, imsg->hdr.peerid, &r,
	    sizeof(r), offsetof(struct gw_spend_result, ok));
	commit_wrote(sd);
}

int
storaged_dispatch_clientd(struct imsgev *iev, struct imsg *imsg)
{
	struct storaged	*sd = ((struct worker *)iev->arg)->role;

	switch (imsg->hdr.type) {
	case IMSG_STORE_MESSAGE:
		storaged_store(sd, iev, imsg);
		break;
	case IMSG_INBOX_FETCH:
		storaged_fetch(sd, iev, imsg);
		break;
	case IMSG_INBOX_DELETE:
		storaged_delete(sd, iev, imsg);
		break;
	case IMSG_CLIENT_REGISTER:
	case IMSG_CLIENT_LOOKUP:
	case IMSG_CLIENT_AUTH:
	case IMSG_CLIENT_FORGET:
		storaged_client(sd, iev, imsg);
		break;
	case IMSG_BANDWIDTH_ADJUST:
	case IMSG_BANDWIDTH_GET:
		storaged_bandwidth(sd, iev, imsg);
		break;
	default:
		imsg_unexpected(iev, imsg);
	}
	return 0;
}

int
storaged_dispatch_credd(struct imsgev *iev, struct imsg *imsg)
{
	struct storaged	*sd = ((struct worker *)iev->arg)->role;

	switch (imsg->hdr.type) {
	case IMSG_BANDWIDTH_ADJUST:
	case IMSG_BANDWIDTH_GET:
		storaged_bandwidth(sd, iev, imsg);
		break;
	case IMSG_SPEND_RECORD:
		storaged_spend(sd, iev, imsg);
		break;
	case IMSG_PENDING_PUT:
		pending_put(sd, iev, imsg);
		break;
	case IMSG_PENDING_DEL:
		pending_del(sd, iev, imsg);
		break;
	case IMSG_PENDING_LIST:
		pending_list(sd, iev, imsg);
		break;
	default:
		imsg_unexpected(iev, imsg);
	}
	return 0;
}
