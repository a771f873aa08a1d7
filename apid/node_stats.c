/*
 * The JSON of nym-node's statistics routes (node_stats.h).  Counter
 * names map to nym-node's fields as ARCHITECTURE ("nym-node's
 * statistics routes") tables them; a gateway mixes nothing, so the
 * forward-hop packets it receives are the ones it drops.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "node_stats.h"
#include "util.h"

static const char *const load_names[GW_LOAD_NTIERS] = {
	"unknown", "negligible", "low", "medium", "high", "very_high",
	"at_capacity"
};

static const char *const session_names[GW_SESSION_NTYPES] = {
	"Vpn", "Mixnet", "Wasm", "Native", "Socks5", "Unknown"
};

/* JSON readers in JavaScript lose integers past 2^53; no counter of
 * ours gets there honestly, so a bigger one is shown at the bound. */
#define JSON_INT_MAX	((UINT64_C(1) << 53) - 1)

static unsigned long long
jnum(uint64_t v)
{
	return v > JSON_INT_MAX ? JSON_INT_MAX : v;
}

static void
rfc3339(char *buf, size_t len, time_t t)
{
	struct tm	 tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}

static uint64_t
counter(const struct metrics_proc *p, size_t n, const char *role,
    const char *name)
{
	size_t		 i;
	uint32_t	 j;

	for (i = 0; i < n; i++) {
		if (strcmp(p[i].p.role, role) != 0)
			continue;
		for (j = 0; j < p[i].p.ncounters && j < GW_COUNTERS_MAX; j++)
			if (strcmp(p[i].c[j].name, name) == 0)
				return p[i].c[j].value;
	}
	return 0;
}

#define MIX(name)	counter(p, n, "mixd", name)

void
node_stats_counters(struct node_stats *st, const struct metrics_proc *p,
    size_t n, time_t now)
{
	uint64_t	 fwd_in = MIX("non_final_dropped");
	uint64_t	 final_in = MIX("final_deliveries");
	uint64_t	 malformed = MIX("sphinx_mac") + MIX("sphinx_length") +
			    MIX("sphinx_other") + MIX("sphinx_no_key") +
			    MIX("payload_bad") + MIX("frames_bad_header") +
			    MIX("frames_bad_size") + MIX("frames_outfox");
	uint64_t	 replayed = MIX("sphinx_replay");
	uint64_t	 final_drop = MIX("deliver_no_clientd") +
			    MIX("deliver_queue_full") + MIX("message_empty");
	uint64_t	 acks = MIX("acks_forwarded"), out = MIX("packets_out");
	uint64_t	 out_drop = MIX("peer_queue_full") +
			    MIX("peer_lost_drops") + MIX("forward_unknown_node") +
			    MIX("forward_no_topology") + MIX("forward_bad_address");
	uint64_t	 received = MIX("packets_in"), dropped;
	char		 t1[32], t0[32];

	snprintf(st->packets, sizeof(st->packets), "{\"ingress_mixing\":{"
	    "\"forward_hop_packets_received\":%llu,"
	    "\"final_hop_packets_received\":%llu,"
	    "\"malformed_packets_received\":%llu,"
	    "\"replayed_packets_received\":%llu,"
	    "\"excessive_delay_packets\":0,"
	    "\"forward_hop_packets_dropped\":%llu,"
	    "\"final_hop_packets_dropped\":%llu},"
	    "\"egress_mixing\":{\"forward_hop_packets_sent\":%llu,"
	    "\"forward_hop_packets_dropped\":%llu,"
	    "\"ack_packets_sent\":%llu}}",
	    jnum(fwd_in), jnum(final_in),
	    jnum(malformed), jnum(replayed),
	    jnum(fwd_in), jnum(final_drop),
	    jnum((out > acks ? out - acks : 0)),
	    jnum(out_drop), jnum(acks));

	dropped = fwd_in + malformed + replayed + final_drop + out_drop;
	if (!st->sampled) {
		st->last_received = received;
		st->last_sent = out;
		st->last_dropped = dropped;
		st->sampled = 1;
	}
	rfc3339(t0, sizeof(t0), st->last_at);
	rfc3339(t1, sizeof(t1), now);
	/* Counters only grow; a smaller one would be another process. */
	snprintf(st->mixing, sizeof(st->mixing), "{\"update_time\":\"%s\","
	    "\"previous_update_time\":\"%s\",\"received_since_startup\":%llu,"
	    "\"sent_since_startup\":%llu,\"dropped_since_startup\":%llu,"
	    "\"received_since_last_update\":%llu,"
	    "\"sent_since_last_update\":%llu,"
	    "\"dropped_since_last_update\":%llu}", t1, t0,
	    jnum(received), jnum(out),
	    jnum(dropped),
	    jnum((received >= st->last_received ?
	    received - st->last_received : 0)),
	    jnum((out >= st->last_sent ?
	    out - st->last_sent : 0)),
	    jnum((dropped >= st->last_dropped ?
	    dropped - st->last_dropped : 0)));
	st->last_received = received;
	st->last_sent = out;
	st->last_dropped = dropped;
	st->last_at = now;
}

void
node_stats_load(struct node_stats *st, const struct gw_node_load *l)
{
	uint32_t	 t = l->total, m = l->machine, w = l->network;

	if (t >= GW_LOAD_NTIERS)
		t = GW_LOAD_UNKNOWN;
	if (m >= GW_LOAD_NTIERS)
		m = GW_LOAD_UNKNOWN;
	if (w >= GW_LOAD_NTIERS)
		w = GW_LOAD_UNKNOWN;
	snprintf(st->load, sizeof(st->load), "{\"total\":\"%s\","
	    "\"machine\":\"%s\",\"network\":\"%s\"}", load_names[t],
	    load_names[m], load_names[w]);
}

/* nym-node's SessionStats; unique_active_users_hashes stays empty:
 * hashes of client addresses would name the clients to anyone who
 * knows an address, and nothing of a client leaves clientd. */
static void
sessions_write(struct node_stats *st, const struct gw_session_day *d,
    const uint8_t *entries)
{
	struct gw_session_entry	 e;
	char		 when[32];
	FILE		*fp;
	uint32_t	 i, t;
	char		*buf = NULL;
	size_t		 len = 0;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		fatal("open_memstream");
	rfc3339(when, sizeof(when), (time_t)d->day);
	fprintf(fp, "{\"update_time\":\"%s\",\"unique_active_users\":%u,"
	    "\"unique_active_users_hashes\":[],\"sessions\":[", when,
	    d->unique_users);
	for (i = 0; i < d->nlisted; i++) {
		/* The bytes as they came: no alignment promised. */
		memcpy(&e, entries + i * sizeof(e), sizeof(e));
		t = e.type < GW_SESSION_NTYPES ? e.type : GW_SESSION_UNKNOWN;
		fprintf(fp, "%s{\"duration_ms\":%llu,\"typ\":\"%s\"}",
		    i ? "," : "", jnum(e.duration_ms),
		    session_names[t]);
	}
	fprintf(fp, "],\"sessions_started\":%u,\"sessions_finished\":%u}",
	    d->sessions_started, d->sessions_finished);
	if (fclose(fp) != 0)
		fatal("open_memstream");
	free(st->sessions);
	st->sessions = buf;
	st->sessions_len = len;
}

int
node_stats_sessions(struct node_stats *st, const void *data, size_t len)
{
	struct gw_session_day	 d;

	if (len < sizeof(d))
		return -1;
	memcpy(&d, data, sizeof(d));
	if (d.nlisted > GW_SESSION_LIST_MAX || len != sizeof(d) +
	    d.nlisted * sizeof(struct gw_session_entry) ||
	    d.nlisted > d.sessions_finished)
		return -1;
	sessions_write(st, &d, (const uint8_t *)data + sizeof(d));
	return 0;
}

void
node_stats_init(struct node_stats *st, time_t now)
{
	struct gw_session_day	 none;
	struct gw_node_load	 unknown;

	memset(st, 0, sizeof(*st));
	st->last_at = now;
	node_stats_counters(st, NULL, 0, now);
	st->sampled = 0;
	/* nym-node's defaults before its first day is over. */
	memset(&none, 0, sizeof(none));
	sessions_write(st, &none, NULL);
	memset(&unknown, 0, sizeof(unknown));
	node_stats_load(st, &unknown);
}

void
node_stats_free(struct node_stats *st)
{
	free(st->sessions);
	st->sessions = NULL;
}
