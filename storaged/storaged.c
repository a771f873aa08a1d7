/*
 * storaged: the only process that opens LMDB.  Owns client keys,
 * inboxes, bandwidth and spent serials, and answers clientd and credd
 * over imsg (mixd has no channel here).  This file: start-up, the
 * retention purge, reload, counters; the requests are requests.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "log.h"
#include "storaged.h"

/* Retention purge: how often, and how much per transaction. */
#define PURGE_BATCH	10000

static struct worker	 storaged_worker;
static struct storaged	 storaged_state;

static void
storaged_purge(int fd, short ev, void *arg)
{
	struct storaged	*sd = arg;
	int		 n;

	(void)fd;
	(void)ev;
	commit_now(sd);
	n = inbox_purge(&sd->inbox, storaged_now() - (time_t)sd->retention_s,
	    PURGE_BATCH);
	if (n > 0) {
		*sd->c_purged += (uint64_t)n;
		log_info("purged %d messages older than %us", n,
		    sd->retention_s);
	}
	commit_now(sd);
}

static void
storaged_start(struct worker *w)
{
	struct storaged	*sd = w->role;
	struct timeval	 tv;

	/* Purge at a tenth of the retention, at most hourly. */
	tv.tv_sec = sd->retention_s / 10;
	if (tv.tv_sec > 3600)
		tv.tv_sec = 3600;
	if (tv.tv_sec < 1)
		tv.tv_sec = 1;
	tv.tv_usec = 0;
	sd->purge_ev = event_new(w->base, -1, EV_PERSIST, storaged_purge, sd);
	if (sd->purge_ev == NULL || event_add(sd->purge_ev, &tv) == -1)
		fatalx("purge timer");
	storaged_purge(-1, 0, sd);
}

static void
storaged_reconf(struct worker *w, const void *conf)
{
	const struct gw_conf_storaged	*c = conf;
	struct storaged			*sd = w->role;

	sd->inbox.max_per_client = c->inbox_max_messages;
	sd->commit_batch = c->commit_batch ? c->commit_batch : 1;
	sd->commit_interval_ms = c->commit_interval_ms;
	sd->retention_s = c->inbox_retention_s;
}

static void
storaged_counters(struct worker *w)
{
	struct storaged	*sd = w->role;

	*counter_get(&w->counters, "inbox_messages") =
	    inbox_counts_total(sd->inbox.counts);
	*counter_get(&w->counters, "inbox_clients") =
	    inbox_counts_clients(sd->inbox.counts);
	*counter_get(&w->counters, "db_usage_percent") = sd->db.usage_pct;
}

static void
storaged_stop(struct worker *w)
{
	struct storaged	*sd = w->role;

	/* Whatever is in the open transaction lands before we go. */
	commit_now(sd);
	db_close(&sd->db);
}

static const struct worker_ops storaged_ops = {
	.dispatch = {
		[PROC_CLIENTD] = storaged_dispatch_clientd,
		[PROC_CREDD] = storaged_dispatch_credd,
	},
	.start = storaged_start,
	.reconf = storaged_reconf,
	.stop = storaged_stop,
	.counters = storaged_counters,
};

int
main(int argc, char *argv[])
{
	struct worker		*w = &storaged_worker;
	struct storaged		*sd = &storaged_state;
	char			 err[PATH_MAX + 256];

	worker_init(w, PROC_STORAGED, &storaged_policy, argc, argv);
	(void)storaged_now();	/* the wall clock, read at start */
	sd->w = w;
	w->role = sd;
	storaged_reconf(w, &w->conf.storaged);
#ifdef GW_TEST_HOOKS
	{
		const char	*s = getenv("GW_TEST_STORAGED_COMMIT_MS");

		if (s != NULL) {
			sd->test_commit_delay_ms = (uint32_t)atoi(s);
			log_warnx("test hook: every commit sleeps %u ms",
			    sd->test_commit_delay_ms);
		}
	}
#endif
	/* As root: chroot into the data directory, then the storage user;
	 * the files LMDB creates belong to that user. */
	worker_drop(w, worker_common(w)->chroot_dir);
	if (db_open(&sd->db, w->conf.storaged.data_dir,
	    w->conf.storaged.data_dir_shown, w->conf.storaged.map_size, err,
	    sizeof(err)) == -1)
		fatalx("%s", err);
	inbox_init(&sd->inbox, &sd->db, w->conf.storaged.inbox_max_messages);
	if (inbox_load(&sd->inbox) == -1)
		fatalx("cannot read the inboxes in %s", sd->db.shown);
	db_abort(&sd->db);	/* the load only read */
	sd->db.usage_pct = 0;
	worker_confine(w, &storaged_policy);
	storaged_counters_init(sd);
	commit_init(sd);
	log_debug("%llu messages for %zu clients waiting",
	    (unsigned long long)inbox_counts_total(sd->inbox.counts),
	    inbox_counts_clients(sd->inbox.counts));
	worker_run(w, &storaged_ops);
	db_close(&sd->db);
	inbox_counts_free(sd->inbox.counts);
	return 0;
}
