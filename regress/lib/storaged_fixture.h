/*
 * A storaged without its process: a real LMDB in a fresh directory,
 * its request dispatchers (storaged/requests.c) on socketpairs standing
 * for clientd and credd, and the replies read back off the other ends.
 * Shared by the unit test and the fuzzer, so both drive the code the
 * daemon runs, checked by the role table as the daemon's channels are.
 * Header only: the fuzzers link no test library.
 */
#ifndef STORAGED_FIXTURE_H
#define STORAGED_FIXTURE_H

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>

#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dispatch_fixture.h"
#include "log.h"
#include "roles.h"
#include "storaged/storaged.h"
#include "util.h"

struct sdfix {
	struct worker	 w;
	struct storaged	 sd;
	struct imsgev	*in[PROC_MAX];	/* storaged's ends */
	struct imsgbuf	 out[PROC_MAX];	/* the siblings' ends */
	char		 dir[64];
};

static inline void
sdfix_channel(struct sdfix *f, enum gw_proc p, imsgev_dispatch_cb cb)
{
	f->in[p] = fixture_channel(f->w.base, p, cb, &f->w, &f->out[p]);
	f->w.peer[p] = f->in[p];	/* where commit.c sends replies */
}

/* In dir (NULL: a fresh one); 0, or -1 if the database would not open. */
static inline int
sdfix_open(struct sdfix *f, const char *dir, uint64_t map_size,
    uint32_t max_per_client)
{
	char	 err[PATH_MAX + 256];

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "%s", dir != NULL ? dir :
	    "/tmp/gw-sdfix.XXXXXX");
	if (dir == NULL && mkdtemp(f->dir) == NULL)
		return -1;
	/* The master makes db/ (gatewayd/datadir.c). */
	snprintf(err, sizeof(err), "%s/db", f->dir);
	if (mkdir(err, 0700) == -1 && errno != EEXIST)
		return -1;
	f->w.self = PROC_STORAGED;
	f->w.name = "storaged";
	f->w.role = &f->sd;
	f->sd.w = &f->w;
	if ((f->w.base = event_base_new()) == NULL)
		return -1;
	if (db_open(&f->sd.db, f->dir, f->dir, map_size, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	inbox_init(&f->sd.inbox, &f->sd.db, max_per_client);
	if (inbox_load(&f->sd.inbox) == -1)
		return -1;
	db_abort(&f->sd.db);
	storaged_counters_init(&f->sd);
	commit_init(&f->sd);
	f->sd.commit_batch = 1;		/* every write answered at once */
	sdfix_channel(f, PROC_CLIENTD, storaged_dispatch_clientd);
	sdfix_channel(f, PROC_CREDD, storaged_dispatch_credd);
	gw_msg_set_self(PROC_STORAGED);
	return 0;
}

/* One message from `from' (dispatch_fixture.h). */
static inline const char *
sdfix_send(struct sdfix *f, enum gw_proc from, uint32_t type,
    uint32_t peerid, const void *data, size_t len)
{
	return fixture_deliver(f->in[from], from, type, peerid, data, len);
}

/* Everything storaged has sent `to' so far, read into out[to]. */
static inline void
sdfix_flush(struct sdfix *f, enum gw_proc to)
{
	fixture_flush(f->in[to], &f->out[to]);
}

/* The next reply to `to', 1; none, 0. */
static inline int
sdfix_reply(struct sdfix *f, enum gw_proc to, struct imsg *imsg)
{
	sdfix_flush(f, to);
	return imsg_get(&f->out[to], imsg) == 1;
}

/* keep: the database stays for another sdfix_open of f->dir. */
static inline void
sdfix_close(struct sdfix *f, int keep)
{
	char	 path[128];
	unsigned p;

	commit_now(&f->sd);
	db_close(&f->sd.db);
	for (p = 0; p < PROC_MAX; p++)
		if (f->in[p] != NULL) {
			imsgev_free(f->in[p]);
			close(f->out[p].fd);
			imsgbuf_clear(&f->out[p]);
		}
	event_free(f->sd.commit_ev);
	free(f->sd.pending);
	inbox_counts_free(f->sd.inbox.counts);
	event_base_free(f->w.base);
	if (keep)
		return;
	snprintf(path, sizeof(path), "%s/db/data.mdb", f->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/db/lock.mdb", f->dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/db", f->dir);
	rmdir(path);
	rmdir(f->dir);
}

#endif
