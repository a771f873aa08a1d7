/*
 * verlocd: Nym's verloc (doc/spec/verloc.md) in a process of its own.
 *
 *   verlocd.c	main, the master's messages, the results for apid
 *   verloc_srv.c	the listener: peers' echoes answered
 *   measure.c	the measurer: every node's echoes, nym-node's schedule
 *   nodelist.c	the node list from the master, checked chunk by chunk
 *
 * Two kinds of hostile bytes (peers' echoes, nodes' replies) and
 * nothing secret: the master signs every packet, the node list comes
 * from credd through the master, the results go to apid the same way.
 * nodelist.c and the statistics are pure, for the unit test and the
 * fuzzer.
 */
#ifndef VERLOCD_H
#define VERLOCD_H

#include <stddef.h>
#include <stdint.h>

#include <event2/event.h>

#include "accept.h"
#include "gw_imsg.h"
#include "sandbox.h"
#include "verloc.h"
#include "verloc_srv.h"
#include "worker.h"

extern const struct sandbox_policy verlocd_policy;

/* nodelist.c -------------------------------------------------------- */
struct vl_target {
	uint8_t		 identity[VERLOC_KEY_LEN];
	uint8_t		 family;	/* 4 or 6 */
	uint8_t		 ip[16];
	uint16_t	 port;
};

struct vl_list {
	int		 ok;		/* the list's, once complete */
	uint32_t	 total;		/* entries announced */
	uint32_t	 got;		/* entries received so far */
	int		 active;	/* a list is being received */
	struct vl_target *t;		/* the usable entries */
	size_t		 n;
	uint32_t	 skipped;	/* unusable entries, dropped */
};

/*
 * One IMSG_VERLOC_NODES payload.  Returns -1 if it breaks the contract
 * (chunks out of order, a total that changes or is too big: the sender
 * is broken), 0 if more chunks are due, 1 once the list is complete (in
 * l->t, l->n; entries with our own key, a bad key, family or port are
 * dropped and counted in l->skipped).  self: our identity key.
 */
int	 vl_list_feed(struct vl_list *, const void *, size_t,
	    const uint8_t self[VERLOC_KEY_LEN]);
void	 vl_list_clear(struct vl_list *);

/* measure.c --------------------------------------------------------- */
struct vl_result {
	uint8_t			 identity[VERLOC_KEY_LEN];
	int			 measured;
	struct verloc_stats	 st;
	size_t			 order;		/* position in the list */
};

struct vl_run {
	int			 state;		/* enum gw_verloc_state */
	int64_t			 started_us, finished_us;
	uint32_t		 nodes_tested;
	struct vl_result	*results;
	size_t			 n;
};

struct measurer_conf {
	uint32_t	 packets;
	uint32_t	 packet_timeout_ms;
	uint32_t	 connection_timeout_ms;
	uint32_t	 delay_ms;
	uint32_t	 batch;
	uint32_t	 interval_ms;
	uint32_t	 retry_ms;
	uint8_t		 self[VERLOC_KEY_LEN];
};

struct measurer_ops {
	/* Ask for the node list; -1: could not (try again later). */
	int	(*fetch)(void *);
	/* Ask the master to sign seq || our key; id comes back. */
	int	(*sign)(const uint8_t part[VERLOC_SIGNED_LEN], uint32_t id,
		    void *);
	/* The runs changed: both, as they are now. */
	void	(*publish)(const struct vl_run *prev, const struct vl_run *cur,
		    void *);
};

struct measurer_counters {
	uint64_t	 runs, nodes_measured, nodes_failed, list_failures;
};

struct measurer;
struct measurer	*measurer_new(struct event_base *, const struct measurer_conf *,
		    const struct measurer_ops *, void *);
/* The first run, now. */
void		 measurer_start(struct measurer *);
/* IMSG_VERLOC_NODES: -1 if it breaks the contract. */
int		 measurer_nodes(struct measurer *, const void *, size_t);
/* IMSG_VERLOC_ECHO_SIGNED for request id. */
void		 measurer_signed(struct measurer *, uint32_t id, int ok,
		    const uint8_t sig[VERLOC_SIG_LEN]);
const struct measurer_counters *measurer_counters(const struct measurer *);
/* nym-node's order (models.rs): by minimum, standard deviation, mean,
 * maximum; unmeasured last; ties in list order. */
void		 vl_results_sort(struct vl_result *, size_t);

#endif
