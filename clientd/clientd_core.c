/*
 * What clientd's sessions need of the process around them: sending to
 * a sibling (dropped if that channel is gone), backpressure towards
 * mixd, and the counters.  Kept out of clientd.c so that tests and the
 * fuzzer link the sessions without main().
 */
#include <errno.h>
#include <string.h>

#include <sodium.h>

#include "clientd.h"
#include "log.h"
#include "util.h"

int
clientd_sendv(struct clientd *cd, enum gw_proc p, uint32_t type,
    uint32_t peerid, const struct iovec *iov, int n)
{
	if (cd->w->peer[p] == NULL)
		return -1;
	if (imsgev_composev(cd->w->peer[p], type, peerid, -1, iov, n) == -1) {
		/* At the hard cap: the caller treats it as a lost sibling
		 * for this one message (refuse, drop, no ack). */
		if (errno == ENOBUFS) {
			*cd->c_queue_full += 1;
			return -1;
		}
		fatal("%s: %s", __func__, gw_imsg_type_name(type));
	}
	if (p == PROC_STORAGED)
		clientd_flow_check(cd);
	return 0;
}

int
clientd_send2(struct clientd *cd, enum gw_proc p, uint32_t type,
    uint32_t peerid, const void *head, size_t hlen, const void *tail,
    size_t tlen)
{
	struct iovec	 iov[2] = {
		{ (void *)(uintptr_t)head, hlen },
		{ (void *)(uintptr_t)tail, tlen },
	};

	return clientd_sendv(cd, p, type, peerid, iov, tlen > 0 ? 2 : 1);
}

int
clientd_send(struct clientd *cd, enum gw_proc p, uint32_t type,
    uint32_t peerid, const void *data, size_t len)
{
	struct iovec	 iov = { (void *)(uintptr_t)data, len };

	return clientd_sendv(cd, p, type, peerid, &iov, 1);
}

/* How often a paused clientd looks at mixd's queue again. */
static const struct timeval	 flow_poll = { 0, 5000 };

static size_t
clientd_queued(struct clientd *cd, enum gw_proc p)
{
	return cd->w->peer[p] != NULL ? imsgev_queued(cd->w->peer[p]) : 0;
}

/*
 * Two marks, one timer.  mixd's queue over its mark: stop reading
 * clients (their packets go there).  storaged's over its mark: stop
 * reading mixd, whose messages become stores; mixd's queue to us then
 * grows and mixd stops reading mix connections in turn.  So a slow
 * disk slows the mix port, and no queue on the way grows without
 * bound.
 */
static void
clientd_flow_tick(int fd, short ev, void *arg)
{
	struct clientd	*cd = arg;
	struct conn	*c;

	(void)fd;
	(void)ev;
	if (cd->paused && clientd_queued(cd, PROC_MIXD) < GW_FLOW_LOW) {
		cd->paused = 0;
		TAILQ_FOREACH(c, &cd->conns, entry)
			if (c->ready)
				conn_read_enable(c, 1);
	}
	if (cd->mixd_paused && clientd_queued(cd, PROC_STORAGED) <
	    GW_FLOW_LOW) {
		cd->mixd_paused = 0;
		if (cd->w->peer[PROC_MIXD] != NULL)
			imsgev_pause_read(cd->w->peer[PROC_MIXD], 0);
	}
	/* A one-shot timer: without this, paused for good. */
	if (cd->paused || cd->mixd_paused)
		evtimer_add(cd->flow_ev, &flow_poll);
}

void
clientd_flow_check(struct clientd *cd)
{
	struct conn	*c;
	int		 was = cd->paused || cd->mixd_paused;

	if (!cd->paused && clientd_queued(cd, PROC_MIXD) > GW_FLOW_HIGH) {
		cd->paused = 1;
		*cd->c_paused += 1;
		TAILQ_FOREACH(c, &cd->conns, entry)
			if (c->ready)
				conn_read_enable(c, 0);
	}
	if (!cd->mixd_paused && clientd_queued(cd, PROC_STORAGED) >
	    GW_FLOW_HIGH && cd->w->peer[PROC_MIXD] != NULL) {
		cd->mixd_paused = 1;
		*cd->c_storaged_paused += 1;
		imsgev_pause_read(cd->w->peer[PROC_MIXD], 1);
	}
	if (!was && (cd->paused || cd->mixd_paused) && cd->flow_ev != NULL)
		evtimer_add(cd->flow_ev, &flow_poll);
}

/* Microseconds: 1 ms (loopback) to 10 s (limits.handshake_timeout). */
static const uint32_t clientd_handshake_bounds[] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000, 10000000
};

void
clientd_init(struct clientd *cd, struct worker *w)
{
	struct gw_counters	*k = &w->counters;

	memset(cd, 0, sizeof(*cd));
	cd->w = w;
	cd->conf = &w->conf.clientd;
	w->role = cd;
	TAILQ_INIT(&cd->conns);
	if (w->base != NULL)
		cd->flow_ev = evtimer_new(w->base, clientd_flow_tick, cd);
#define C(f, n)	cd->f = counter_get(k, n)
	C(c_conn_accepted, "connections_accepted");
	C(c_conn_open, "connections_open");
	C(c_conn_closed, "connections_closed");
	C(c_conn_refused_max, "connections_refused_max");
	C(c_conn_refused_addr, "connections_refused_per_address");
	C(c_upgrade_fail, "upgrades_refused");
	C(c_timeouts, "timeouts");
	C(c_ws_errors, "websocket_errors");
	C(c_proto_errors, "protocol_errors");
	C(c_reg_ok, "registrations_ok");
	C(c_reg_fail, "registrations_failed");
	C(c_auth_ok, "auth_ok");
	C(c_auth_bad_version, "auth_bad_version");
	C(c_auth_skew, "auth_skewed");
	C(c_auth_bad_sig, "auth_bad_signature");
	C(c_auth_unknown, "auth_unknown_client");
	C(c_auth_bad_ct, "auth_bad_ciphertext");
	C(c_auth_replay, "auth_replayed");
	C(c_auth_duplicate, "auth_duplicate");
	C(c_fwd_packets, "packets_forwarded");
	C(c_fwd_bytes, "packet_bytes_forwarded");
	C(c_fwd_malformed, "packets_malformed");
	C(c_fwd_no_bandwidth, "packets_out_of_bandwidth");
	C(c_fwd_dropped, "packets_dropped");
	C(c_pushed, "messages_pushed");
	C(c_stored, "messages_stored");
	C(c_store_failed, "messages_store_failed");
	C(c_store_unregistered, "messages_unregistered");
	C(c_inbox_delivered, "inbox_delivered");
	C(c_bw_spent, "bandwidth_spent");
	C(c_bw_claims, "bandwidth_free_claims");
	C(c_cred_requests, "credential_requests");
	C(c_requests_bad, "requests_malformed");
	C(c_paused, "mixd_backpressure");
	C(c_storaged_paused, "storaged_backpressure");
	C(c_queue_full, "sibling_queue_full");
	C(c_accept_backoffs, "accept_backoffs");
	C(c_slow_dropped, "slow_clients_dropped");
	C(c_preauth_evicted, "unauthenticated_evicted");
	C(c_preauth_refused_addr, "unauthenticated_refused_per_address");
	C(c_preauth_open, "unauthenticated_open");
	C(c_output_paused, "output_paused");
	C(c_fragments_refused, "fragmented_messages_refused");
	C(c_handshake_deadline, "handshake_deadlines");
#undef C
	histogram_init(&cd->h_handshake, k, "client_handshake_seconds",
	    clientd_handshake_bounds, nitems(clientd_handshake_bounds));
	histogram_init(&cd->h_delivery, k, "delivery_seconds",
	    gw_delivery_bounds, GW_DELIVERY_NBOUNDS);
	admission_init(cd);
	stats_init(cd);
	delivery_init(cd);
	cd->ev = &router_events;
	randombytes_buf(cd->table_key, sizeof(cd->table_key));
}
