/*
 * clientd: Nym clients over WebSocket and the node HTTP API.  Everything
 * it reads comes from the internet.  This file: start-up, the listeners,
 * the replies of the master, mixd, storaged and credd (each routed to
 * its session by the request id in the peerid), backpressure towards
 * mixd, and the counters gatewayctl status shows.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "clientd.h"
#include "gwcrypto.h"
#include "log.h"

static struct worker	 clientd_worker;
static struct clientd	 clientd_state;

int
clientd_sendv(struct clientd *cd, enum gw_proc p, uint32_t type,
    uint32_t peerid, const struct iovec *iov, int n)
{
	if (cd->w->peer[p] == NULL)
		return -1;
	if (imsgev_composev(cd->w->peer[p], type, peerid, -1, iov, n) == -1)
		fatal("%s: %s", __func__, gw_imsg_type_name(type));
	return 0;
}

int
clientd_send(struct clientd *cd, enum gw_proc p, uint32_t type,
    uint32_t peerid, const void *data, size_t len)
{
	struct iovec	 iov = { (void *)(uintptr_t)data, len };

	return clientd_sendv(cd, p, type, peerid, &iov, 1);
}

static void
clientd_flow_tick(int fd, short ev, void *arg)
{
	struct clientd	*cd = arg;
	struct conn	*c;

	(void)fd;
	(void)ev;
	if (cd->w->peer[PROC_MIXD] != NULL &&
	    imsgev_queued(cd->w->peer[PROC_MIXD]) >= GW_FLOW_LOW)
		return;
	cd->paused = 0;
	evtimer_del(cd->flow_ev);
	TAILQ_FOREACH(c, &cd->conns, entry)
		if (c->state == CS_READY)
			conn_read_enable(c, 1);
}

/* Stop reading clients while mixd's queue is over the high mark. */
void
clientd_flow_check(struct clientd *cd)
{
	struct timeval	 tv = { 0, 5000 };
	struct conn	*c;

	if (cd->paused || cd->w->peer[PROC_MIXD] == NULL ||
	    imsgev_queued(cd->w->peer[PROC_MIXD]) <= GW_FLOW_HIGH)
		return;
	cd->paused = 1;
	*cd->c_paused += 1;
	TAILQ_FOREACH(c, &cd->conns, entry)
		if (c->state == CS_READY)
			conn_read_enable(c, 0);
	if (cd->flow_ev != NULL)
		event_add(cd->flow_ev, &tv);
	if (cd->flow_ev != NULL)
		evtimer_add(cd->flow_ev, &tv);
}

/* The sibling's reply for a session still there, with its client. */
static struct conn *
clientd_reply_conn(struct clientd *cd, uint32_t peerid, const uint8_t *client)
{
	struct conn	*c = session_by_id(cd, REQ_CONN(peerid));

	if (c == NULL || c->state == CS_CLOSING ||
	    (client != NULL && memcmp(c->client, client, GW_CLIENT_ID_LEN)))
		return NULL;
	return c;
}

static int
clientd_dispatch_parent(struct imsgev *iev, struct imsg *imsg)
{
	struct clientd			*cd = &clientd_state;
	struct gw_hs_sign_result	 r;
	struct conn			*c;

	if (imsg->hdr.type != IMSG_HS_SIGN_RESULT)
		imsg_unexpected(iev, imsg);
	imsg_need(iev, imsg, &r, sizeof(r));
	if ((c = clientd_reply_conn(cd, imsg->hdr.peerid, NULL)) != NULL &&
	    c->state == CS_HS_SIGN) {
		handshake_signed(c, &r);
		conn_flush(c);
	}
	sodium_memzero(&r, sizeof(r));
	return 0;
}

static int
clientd_dispatch_mixd(struct imsgev *iev, struct imsg *imsg)
{
	if (imsg->hdr.type != IMSG_MIX_DELIVER)
		imsg_unexpected(iev, imsg);
	delivery_mix(&clientd_state, imsg->data, imsg->datalen);
	return 0;
}

static void
clientd_storaged_inbox(struct clientd *cd, struct imsgev *iev,
    struct imsg *imsg)
{
	struct gw_inbox_msg	 m;
	struct gw_inbox_end	 e;
	struct conn		*c;

	if (imsg->hdr.type == IMSG_INBOX_END) {
		imsg_need(iev, imsg, &e, sizeof(e));
		if ((c = clientd_reply_conn(cd, imsg->hdr.peerid, e.client))
		    == NULL)
			return;
		delivery_inbox_end(c, &e);
		conn_flush(c);
		return;
	}
	if (imsg->datalen <= sizeof(m) ||
	    imsg->datalen - sizeof(m) > GW_MESSAGE_MAX)
		fatalx("INBOX_MESSAGE from storaged: bad size %zu",
		    imsg->datalen);
	memcpy(&m, imsg->data, sizeof(m));
	if ((c = clientd_reply_conn(cd, imsg->hdr.peerid, m.client)) != NULL)
		delivery_inbox_msg(c, m.seq, imsg->data + sizeof(m),
		    imsg->datalen - sizeof(m));
}

static int
clientd_dispatch_storaged(struct imsgev *iev, struct imsg *imsg)
{
	struct clientd		*cd = &clientd_state;
	struct gw_store_result	 sr;
	struct gw_client_result	 cr;
	struct gw_client_info	 ci;
	struct gw_bandwidth	 b;
	struct conn		*c;

	switch (imsg->hdr.type) {
	case IMSG_STORE_RESULT:
		imsg_need(iev, imsg, &sr, sizeof(sr));
		if (!sr.ok)
			*cd->c_store_failed += 1;
		return 0;
	case IMSG_INBOX_MESSAGE:
	case IMSG_INBOX_END:
		clientd_storaged_inbox(cd, iev, imsg);
		return 0;
	case IMSG_CLIENT_RESULT:
		imsg_need(iev, imsg, &cr, sizeof(cr));
		if ((c = clientd_reply_conn(cd, imsg->hdr.peerid, cr.client)) ==
		    NULL)
			return 0;
		if (c->state == CS_HS_STORE)
			handshake_stored(c, &cr);
		else if (c->state == CS_AUTH_STORE)
			auth_stored(c, &cr);
		break;
	case IMSG_CLIENT_INFO:
		imsg_need(iev, imsg, &ci, sizeof(ci));
		c = clientd_reply_conn(cd, imsg->hdr.peerid, ci.client);
		if (c != NULL && c->state == CS_AUTH_LOOKUP)
			auth_info(c, &ci);
		sodium_memzero(&ci, sizeof(ci));
		if (c == NULL)
			return 0;
		break;
	case IMSG_BANDWIDTH_RESULT:
		imsg_need(iev, imsg, &b, sizeof(b));
		if ((c = clientd_reply_conn(cd, imsg->hdr.peerid, b.client)) ==
		    NULL)
			return 0;
		if (REQ_KIND(imsg->hdr.peerid) == REQ_PLAIN &&
		    c->state == CS_AUTH_BW)
			auth_balance(c, &b);
		else
			bw_result(c, REQ_KIND(imsg->hdr.peerid), &b);
		break;
	default:
		imsg_unexpected(iev, imsg);
	}
	conn_flush(c);
	return 0;
}

static int
clientd_dispatch_credd(struct imsgev *iev, struct imsg *imsg)
{
	struct clientd		*cd = &clientd_state;
	struct gw_cred_result	 r;
	struct gw_cred_revoke	 rv;
	struct conn		*c;

	switch (imsg->hdr.type) {
	case IMSG_CRED_RESULT:
		imsg_need(iev, imsg, &r, sizeof(r));
		if ((c = clientd_reply_conn(cd, imsg->hdr.peerid, r.client)) ==
		    NULL)
			return 0;
		bw_cred_result(c, &r);
		conn_flush(c);
		return 0;
	case IMSG_CRED_REVOKE:
		imsg_need(iev, imsg, &rv, sizeof(rv));
		/* The penalty is in storaged; a live session follows it. */
		if ((c = session_by_client(cd, rv.client)) != NULL)
			c->bw_avail = rv.available + c->bw_delta;
		return 0;
	default:
		imsg_unexpected(iev, imsg);
	}
}

static void
clientd_start(struct worker *w)
{
	struct clientd	*cd = w->role;
	unsigned	 i;
	int		 fl;

	for (i = 0; i < w->nlisteners; i++) {
		if (w->listen_info[i].kind != LISTEN_CLIENTS &&
		    w->listen_info[i].kind != LISTEN_HTTP)
			continue;
		/* A client gone between poll and accept must not block us. */
		if ((fl = fcntl(w->listen_fd[i], F_GETFL)) == -1 ||
		    fcntl(w->listen_fd[i], F_SETFL, fl | O_NONBLOCK) == -1)
			fatal("listener %s", w->listen_info[i].text);
		cd->listen_ev[i] = event_new(w->base, w->listen_fd[i],
		    EV_READ | EV_PERSIST, conn_accept, cd);
		if (cd->listen_ev[i] == NULL ||
		    event_add(cd->listen_ev[i], NULL) == -1)
			fatalx("listener %s", w->listen_info[i].text);
		log_debug("serving %s on %s", w->listen_info[i].kind ==
		    LISTEN_HTTP ? "http" : "clients", w->listen_info[i].text);
	}
}

static void
clientd_reconf(struct worker *w, const void *conf)
{
	const struct gw_conf_clientd	*n = conf;
	struct gw_conf_clientd		*c = &w->conf.clientd;

	c->max_connections = n->max_connections;
	c->max_connections_per_address = n->max_connections_per_address;
	c->max_message_size = n->max_message_size;
	c->handshake_timeout_ms = n->handshake_timeout_ms;
	c->idle_timeout_ms = n->idle_timeout_ms;
	c->enforce_zk_nyms = n->enforce_zk_nyms;
}

static void
clientd_counters(struct worker *w)
{
	struct clientd	*cd = w->role;

	*cd->c_conn_open = cd->nconns;
}

static void
clientd_stop(struct worker *w)
{
	struct clientd	*cd = w->role;
	struct conn	*c;

	/* Spent bandwidth and written inbox messages reach storaged. */
	TAILQ_FOREACH(c, &cd->conns, entry)
		session_closed(c);
	if (w->peer[PROC_STORAGED] != NULL)
		imsgbuf_write(&w->peer[PROC_STORAGED]->ibuf);
}

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
	C(c_http_404, "http_not_found");
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
	C(c_inbox_delivered, "inbox_delivered");
	C(c_bw_spent, "bandwidth_spent");
	C(c_bw_claims, "bandwidth_free_claims");
	C(c_cred_requests, "credential_requests");
	C(c_requests_bad, "requests_malformed");
	C(c_paused, "mixd_backpressure");
#undef C
}

#ifndef CLIENTD_NO_MAIN
static const struct worker_ops clientd_ops = {
	.dispatch = {
		[PROC_PARENT] = clientd_dispatch_parent,
		[PROC_MIXD] = clientd_dispatch_mixd,
		[PROC_STORAGED] = clientd_dispatch_storaged,
		[PROC_CREDD] = clientd_dispatch_credd,
	},
	.start = clientd_start,
	.reconf = clientd_reconf,
	.stop = clientd_stop,
	.counters = clientd_counters,
};

int
main(int argc, char *argv[])
{
	struct worker	*w = &clientd_worker;

	if (argc == 2 && strcmp(argv[1], "-S") == 0) {
		sandbox_print(&clientd_policy, stdout);
		return 0;
	}
	worker_init(w, PROC_CLIENTD, argc, argv);
	if (gwcrypto_init() == -1)
		fatalx("crypto libraries unusable");
	clientd_init(&clientd_state, w);
	worker_sandbox(w, worker_common(w)->chroot_dir, &clientd_policy);
	worker_run(w, &clientd_ops);
	return 0;
}
#endif
