/*
 * Group commit.  Every write joins the open transaction; its reply waits
 * in the pending list and goes out only after mdb_txn_commit() returned,
 * so anything acknowledged survives kill -9 of any process.  A commit
 * happens when commit_batch writes have gathered or commit_interval_ms
 * after the first, whichever is sooner: one fdatasync serves a batch.
 */
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "storaged.h"
#include "util.h"

static void
commit_timer(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	commit_now(arg);
}

void
commit_init(struct storaged *sd)
{
	sd->commit_ev = evtimer_new(sd->w->base, commit_timer, sd);
	if (sd->commit_ev == NULL)
		fatalx("%s: evtimer_new", __func__);
}

void
commit_defer(struct storaged *sd, struct imsgev *iev, uint32_t type,
    uint32_t peerid, const void *reply, size_t len, size_t ok_off)
{
	struct pending	*p;

	if (len > sizeof(p->data) || ok_off + sizeof(int32_t) > len)
		fatalx("%s: reply of %zu bytes", __func__, len);
	if (sd->npending == sd->pending_cap) {
		sd->pending_cap = sd->pending_cap ? sd->pending_cap * 2 : 256;
		sd->pending = xreallocarray(sd->pending, sd->pending_cap,
		    sizeof(*sd->pending));
	}
	p = &sd->pending[sd->npending++];
	p->proc = iev->proc;
	p->type = type;
	p->peerid = peerid;
	p->len = (uint16_t)len;
	p->ok_off = (uint16_t)ok_off;
	memcpy(p->data, reply, len);
	p->t_us = type == IMSG_STORE_RESULT ? histogram_now_us() : 0;
	p->rx_us = 0;
}

void
commit_wrote(struct storaged *sd)
{
	struct timeval	 tv;

	sd->batch_writes++;
	if (sd->batch_writes >= sd->commit_batch ||
	    sd->commit_interval_ms == 0 || sd->db.broken) {
		commit_now(sd);
		return;
	}
	if (!evtimer_pending(sd->commit_ev, NULL)) {
		tv.tv_sec = sd->commit_interval_ms / 1000;
		tv.tv_usec = (sd->commit_interval_ms % 1000) * 1000;
		evtimer_add(sd->commit_ev, &tv);
	}
}

static void
commit_check_usage(struct storaged *sd)
{
	struct db	*db = &sd->db;

	db->usage_pct = db_usage_pct(db);
	if (db->usage_pct >= DB_WARN_PCT && !db->warned) {
		log_warnx("database %s is %u%% full (map size %zu bytes); "
		    "raise storage.map_size or shorten inbox_retention; "
		    "new messages are refused at %u%%", db->shown,
		    db->usage_pct, db->mapsize, DB_REFUSE_PCT);
		db->warned = 1;
	} else if (db->usage_pct < DB_WARN_PCT - 10)
		db->warned = 0;
}

void
commit_now(struct storaged *sd)
{
	size_t		 i;
	int		 rv, failed = 0;
	uint64_t	 now_us;

	evtimer_del(sd->commit_ev);
#ifdef GW_TEST_HOOKS
	/* A slow disk, for the backpressure test. */
	if (sd->test_commit_delay_ms > 0 && sd->batch_writes > 0)
		usleep(sd->test_commit_delay_ms * 1000);
#endif
	if ((rv = db_commit(&sd->db)) != 0) {
		failed = 1;
		*sd->c_commit_fail += 1;
		log_warnx("commit failed: %s; %zu requests refused",
		    mdb_strerror(rv), sd->npending);
		/* What the lost transaction counted is gone too. */
		if (inbox_load(&sd->inbox) == -1)
			fatalx("cannot reload inbox counts");
		db_abort(&sd->db);
		if (rv == MDB_MAP_FULL)
			sd->db.usage_pct = 100;
	} else if (sd->batch_writes > 0) {
		*sd->c_commits += 1;
		commit_check_usage(sd);
	}
	now_us = histogram_now_us();
	for (i = 0; i < sd->npending; i++) {
		struct pending *p = &sd->pending[i];

		if (failed) {
			int32_t zero = 0, reason = STORE_FAIL_DB_ERROR;

			memcpy(p->data + p->ok_off, &zero, sizeof(zero));
			if (p->type == IMSG_STORE_RESULT) {
				if (rv == MDB_MAP_FULL)
					reason = STORE_FAIL_DB_FULL;
				memcpy(p->data + p->ok_off + sizeof(int32_t),
				    &reason, sizeof(reason));
			}
		}
		if (!failed && p->type == IMSG_STORE_RESULT) {
			*sd->c_acked += 1;
			histogram_observe(&sd->h_commit, now_us - p->t_us);
			if (p->rx_us != 0 && p->rx_us <= now_us)
				histogram_observe(&sd->h_delivery,
				    now_us - p->rx_us);
		}
		/* A sibling whose channel closed is gone: nobody to tell. */
		if (sd->w->peer[p->proc] == NULL)
			continue;
		if (imsgev_compose(sd->w->peer[p->proc], p->type, p->peerid,
		    -1, p->data, p->len) == -1)
			fatal("%s: compose", __func__);
	}
	sd->npending = 0;
	sd->batch_writes = 0;
}
