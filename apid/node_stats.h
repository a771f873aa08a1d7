/*
 * nym-node's statistics routes, field for field (nym-node-requests
 * api/v1/metrics/models.rs, api/v1/node_load/models.rs): packets-stats
 * and mixing from the processes' counters, sessions from clientd's
 * day, load from the master's sample.  Each answer is kept ready as
 * JSON text when its input arrives, so a request only copies it.
 */
#ifndef NODE_STATS_H
#define NODE_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "gw_imsg.h"
#include "metrics.h"

#define NODE_STATS_SMALL	1024

struct node_stats {
	char		 packets[NODE_STATS_SMALL];
	char		 mixing[NODE_STATS_SMALL];
	char		 load[NODE_STATS_SMALL];
	char		*sessions;	/* malloc'd */
	size_t		 sessions_len;
	/* mixing's since-last-update needs the last sample */
	time_t		 last_at;
	uint64_t	 last_received, last_sent, last_dropped;
	int		 sampled;
};

void	node_stats_init(struct node_stats *, time_t now);
/* Every process's status record, as /metrics gathers them. */
void	node_stats_counters(struct node_stats *, const struct metrics_proc *,
	    size_t n, time_t now);
/* IMSG_SESSION_STATS: -1 if the entries disagree with the header. */
int	node_stats_sessions(struct node_stats *, const void *data,
	    size_t len);
void	node_stats_load(struct node_stats *, const struct gw_node_load *);
void	node_stats_free(struct node_stats *);

#endif
