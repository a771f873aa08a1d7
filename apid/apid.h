/*
 * apid: the node HTTP API (node_api.c, node_http.c) in a process of its
 * own.  Its input is hostile and of a kind clientd does not parse, so it
 * runs apart from the session keys: it holds nothing secret, has no
 * channel to any sibling, and serves what the master sends it (the
 * signed host information, the /metrics records, its config slice).
 */
#ifndef APID_H
#define APID_H

#include "accept.h"
#include "metrics.h"
#include "node_http.h"
#include "node_stats.h"
#include "sandbox.h"
#include "node_verloc.h"
#include "worker.h"

struct apid {
	struct worker		*w;
	struct node_api		 api;
	struct node_http	*http;
	struct accept_pause	 accept_pause;
	/* /metrics being gathered: one record per process, then END */
	struct metrics_proc	 mprocs[PROC_MAX];
	size_t			 nmprocs;
	uint64_t		*c_accept_backoffs;
	/* nym-node's statistics routes; the counters refreshed on a
	 * timer, as nym-node updates its mixing stats */
	struct node_stats	 stats;
	struct event		*stats_ev;
	/* /api/v1/metrics/verloc: verlocd's runs, relayed by the master */
	struct node_verloc	 verloc;
};

extern const struct sandbox_policy apid_policy;

#endif
