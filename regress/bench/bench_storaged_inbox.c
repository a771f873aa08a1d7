/*
 * storaged's inbox against a real LMDB environment on this disk, with
 * the daemon's group-commit policy (commit_batch requests per commit):
 *   durable store rate, 2 KiB messages, spread over 1,000 clients;
 *   drain rate: fetch 100 in order + delete them, per client.
 * Figures only; never fails on time.
 */
#include <sys/stat.h>
#include <sys/time.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "storaged/storaged.h"

#define NMSG		200000
#define NCLIENTS	1000
#define MSGLEN		2048
#define BATCH		4096
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static const uint32_t	 batches[] = { 256, 1024, 4096 };

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
client_id(uint8_t id[GW_CLIENT_ID_LEN], uint32_t n)
{
	memset(id, 0x5a, GW_CLIENT_ID_LEN);
	memcpy(id, &n, sizeof(n));
}

struct drain_ctx {
	uint64_t	 seqs[100];
	uint32_t	 n;
	uint64_t	 bytes;
};

static int
drain_one(uint64_t seq, const uint8_t *msg, size_t len, void *arg)
{
	struct drain_ctx *dc = arg;

	(void)msg;
	dc->seqs[dc->n++] = seq;
	dc->bytes += len;
	return 0;
}

int
main(void)
{
	struct db	 db;
	struct inbox	 ib;
	char		 dir[] = "/var/tmp/gwbench.XXXXXX", err[512];
	char		 sub[600];
	uint8_t		 msg[MSGLEN], id[GW_CLIENT_ID_LEN];
	uint32_t	 i, commits = 0, c, seqbase = 0;
	size_t		 b;
	uint64_t	 drained = 0;
	double		 t0, t1;
	int		 more;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(sub, sizeof(sub), "%s/db", dir);
	mkdir(sub, 0700);
	if (db_open(&db, dir, NULL, 4ULL << 30, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	/* BENCH_NOSYNC=1 shows the CPU ceiling without the disk. */
	if (getenv("BENCH_NOSYNC"))
		mdb_env_set_flags(db.env, MDB_NOSYNC, 1);
	memset(&ib, 0, sizeof(ib));
	inbox_init(&ib, &db, 1000000);
	memset(msg, 0xab, sizeof(msg));

	for (b = 0; b < nitems(batches); b++) {
		uint32_t n = NMSG / (uint32_t)nitems(batches);

		commits = 0;
		t0 = now_s();
		for (i = 0; i < n; i++) {
			client_id(id, (seqbase + i) % NCLIENTS);
			if (inbox_store(&ib, id, msg, sizeof(msg), time(NULL),
			    NULL)) {
				fprintf(stderr, "store failed at %u\n", i);
				return 1;
			}
			if ((i + 1) % batches[b] == 0) {
				if (db_commit(&db) != 0)
					return 1;
				commits++;
			}
		}
		db_commit(&db);
		t1 = now_s();
		seqbase += n;
		printf("storaged store: %u x %d B messages, durable commits "
		    "(fdatasync) of %u: %.0f messages/s (%.1f MB/s, %.1f ms "
		    "per commit)%s\n", n, MSGLEN, batches[b], n / (t1 - t0),
		    n * (double)MSGLEN / (t1 - t0) / 1e6,
		    (t1 - t0) * 1e3 / (commits + 1),
		    batches[b] == 4096 ? "  [default commit_batch; target "
		    ">= 50000]" : "");
	}

	commits = 0;
	t0 = now_s();
	for (c = 0; c < NCLIENTS; c++) {
		client_id(id, c);
		do {
			struct drain_ctx dc = { .n = 0 };
			int n = inbox_fetch(&ib, id, 0, 100, drain_one, &dc,
			    &more);
			if (n < 0)
				return 1;
			if (dc.n > 0 && inbox_delete(&ib, id, dc.seqs, dc.n) < 0)
				return 1;
			drained += dc.n;
			/* One delete request per batch, as clientd sends. */
			if (++commits % BATCH == 0 && db_commit(&db) != 0)
				return 1;
		} while (more);
	}
	db_commit(&db);
	t1 = now_s();
	printf("storaged drain: %llu messages fetched in order and deleted "
	    "in batches of 100: %.0f messages/s  [target >= 400000]\n",
	    (unsigned long long)drained, drained / (t1 - t0));
	db_close(&db);
	snprintf(sub, sizeof(sub), "rm -rf %s", dir);
	return system(sub) == 0 ? 0 : 1;
}
