/*
 * storaged: the gateway's durable state in one LMDB environment.
 *
 * Named databases (keys in big-endian where they order):
 *   inbox      client(32) || seq(8)  -> stored_at(8) || message
 *              One cursor walk from client||after drains a batch in
 *              arrival order; seq is global and never reused.
 *   clients    client(32)            -> struct client_rec
 *   bandwidth  client(32)            -> available(8) || expiry(8)
 *   spent      serial_hash(32)       -> when(8)
 *   meta       "next_seq"            -> uint64
 *   pending    serial_hash(32)       -> struct gw_pending || ticket
 *
 * Writes go into one open write transaction and are acknowledged when
 * it commits: after commit_batch writes or commit_interval_ms, which
 * ever comes first (group commit).
 */
#ifndef STORAGED_H
#define STORAGED_H

#include <stdint.h>
#include <time.h>

#include <lmdb.h>

#include "gw_imsg.h"
#include "histogram.h"
#include "proc.h"
#include "sandbox.h"
#include "worker.h"

extern const struct sandbox_policy storaged_policy;

/* Past this share of the map new messages are refused, so deletes and
 * small records always still fit. */
#define DB_REFUSE_PCT	95
#define DB_WARN_PCT	80

struct db {
	MDB_env		*env;
	MDB_dbi		 inbox, clients, bandwidth, spent, meta;
	MDB_dbi		 pending;	/* pending.c: serial_hash -> gw_pending */
	MDB_txn		*txn;		/* open write transaction */
	uint64_t	 next_seq;
	uint64_t	 committed_seq;	/* next_seq as last committed */
	size_t		 mapsize;
	unsigned	 pagesize;
	int		 warned;	/* usage warning given */
	int		 broken;	/* txn must be aborted (map full) */
	unsigned	 usage_pct;	/* as of the last commit */
	char		 path[PATH_MAX];
	char		 shown[PATH_MAX];	/* path outside the chroot */
};

/* db.c */
/* dir as seen by this process (maybe chrooted); shown: for messages. */
int	db_open(struct db *, const char *dir, const char *shown,
	    uint64_t map_size, char *err, size_t errlen);
void	db_close(struct db *);
/* The open write transaction (begun if none); NULL on failure. */
MDB_txn	*db_txn(struct db *);
int	db_commit(struct db *);
void	db_abort(struct db *);
/* Used share of the map, in percent. */
unsigned db_usage_pct(struct db *);

/* inbox_count.c: messages per client, kept in memory */
struct inbox_counts;
struct inbox_counts *inbox_counts_new(void);
uint32_t inbox_counts_get(const struct inbox_counts *, const uint8_t *id);
void	 inbox_counts_add(struct inbox_counts *, const uint8_t *id, int32_t d);
void	 inbox_counts_clear(struct inbox_counts *);
void	 inbox_counts_free(struct inbox_counts *);
size_t	 inbox_counts_clients(const struct inbox_counts *);
uint64_t inbox_counts_total(const struct inbox_counts *);

/* inbox.c */
struct inbox {
	struct db		*db;
	struct inbox_counts	*counts;
	uint32_t		 max_per_client;
};
typedef int	(*inbox_fetch_cb)(uint64_t seq, const uint8_t *msg,
		    size_t len, void *arg);
void	inbox_init(struct inbox *, struct db *, uint32_t max_per_client);
/* Load the per-client counts from the database (start-up). */
int	inbox_load(struct inbox *);
/* 0 or an enum gw_store_fail; the write is durable once committed. */
int	inbox_store(struct inbox *, const uint8_t *client, const uint8_t *msg,
	    size_t len, time_t now, uint64_t *seq);
/* Calls cb for up to max messages after after_seq; returns the count
 * (-1 on error) and whether more remain. */
int	inbox_fetch(struct inbox *, const uint8_t *client, uint64_t after_seq,
	    uint32_t max, inbox_fetch_cb, void *arg, int *more);
int	inbox_delete(struct inbox *, const uint8_t *client,
	    const uint64_t *seqs, uint32_t n);
/* Delete every message of client (ForgetMe); returns how many. */
int	inbox_forget(struct inbox *, const uint8_t *client);
/* Delete up to max messages stored before cutoff; returns how many. */
int	inbox_purge(struct inbox *, time_t cutoff, unsigned max);
/* The clock of message ages (requests.c): steps of the wall clock
 * while storaged runs do not move it. */
time_t	storaged_now(void);

/* records.c: clients, bandwidth, spent serials */
int	clients_register(struct db *, const uint8_t *client,
	    const uint8_t key[32], time_t now);
int	clients_lookup(struct db *, struct gw_client_info *);
int	clients_known(struct db *, const uint8_t *client);
/* 1 stored (later than the last), 0 a replay, -1 error. */
int	clients_auth(struct db *, const uint8_t *client, int64_t timestamp);
/* Delete the records flags (GW_FORGET_KEY, _BANDWIDTH) name: 0 or -1. */
int	clients_forget(struct db *, const uint8_t *client, uint32_t flags);
int	bandwidth_get(struct db *, struct gw_bandwidth *);
int	bandwidth_adjust(struct db *, const struct gw_bandwidth_adjust *,
	    struct gw_bandwidth *);
/* 1 first spend, 0 seen before, -1 error. */
int	spent_record(struct db *, const uint8_t hash[32], int64_t when);

/* commit.c: group commit and deferred acknowledgements */
struct storaged;
void	commit_init(struct storaged *);
/* Queue a reply to send once the current transaction commits;
 * ok_off is the offset of its int32 ok field (set to 0 on failure). */
void	commit_defer(struct storaged *, struct imsgev *, uint32_t type,
	    uint32_t peerid, const void *reply, size_t len, size_t ok_off);
/* A write went into the transaction: commit now or arm the timer. */
void	commit_wrote(struct storaged *);
void	commit_now(struct storaged *);

/* pending.c: ticket verifications credd has not settled yet */
void	pending_put(struct storaged *, struct imsgev *, struct imsg *);
void	pending_check(const struct imsgev *, uint32_t, const void *, size_t);
int	pending_write(struct storaged *, const void *, size_t);
int	pending_remove(struct storaged *, const uint8_t serial_hash[32]);
void	pending_del(struct storaged *, struct imsgev *, struct imsg *);
void	pending_list(struct storaged *, struct imsgev *, struct imsg *);

/* requests.c: what clientd and credd ask (iev->arg: the worker). */
void	storaged_counters_init(struct storaged *);
int	storaged_dispatch_clientd(struct imsgev *, struct imsg *);
int	storaged_dispatch_credd(struct imsgev *, struct imsg *);

struct storaged {
	struct worker	*w;
	struct db	 db;
	struct inbox	 inbox;
	uint32_t	 commit_batch;
	uint32_t	 commit_interval_ms;
	uint32_t	 retention_s;
	struct event	*commit_ev;
	struct event	*purge_ev;
	struct pending {
		int		 proc;	/* reply to w->peer[proc] */
		uint32_t	 type, peerid;
		uint16_t	 len, ok_off;
		uint64_t	 t_us;	/* submitted, for h_commit */
		uint64_t	 rx_us;	/* from mixd, for h_delivery */
		uint8_t		 data[128];
	}		*pending;
	size_t		 npending, pending_cap;
	unsigned	 batch_writes;
	uint32_t	 test_commit_delay_ms;	/* test builds */
	/* counters */
	struct histogram h_commit;	/* a store submitted -> committed */
	struct histogram h_delivery;	/* mixd handed it on -> committed */
	uint64_t	*c_stored, *c_dropped_full, *c_dropped_dbfull;
	uint64_t	*c_dropped_unregistered;
	uint64_t	*c_commits, *c_commit_fail, *c_delivered_deleted;
	uint64_t	*c_purged, *c_fetches;
	uint64_t	*c_acked;	/* stores answered after commit */
};

#endif
