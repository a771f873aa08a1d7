/*
 * clientd: Nym clients over WebSocket; everything it reads from its
 * listener comes from the internet (the node HTTP API is apid's).  This
 * file: start-up, the listener, the replies of the master, mixd,
 * storaged and credd (each routed to its session by the request id in
 * the peerid), backpressure towards mixd, and the counters gatewayctl
 * status shows.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "clientd.h"
#include "gwcrypto.h"
#include "log.h"
#include "util.h"

static struct worker	 clientd_worker;
static struct clientd	 clientd_state;

/* The sibling's reply for a session still there, with its client. */
static struct conn *
clientd_reply_conn(struct clientd *cd, uint32_t peerid, const uint8_t *client)
{
	struct conn	*c = conn_by_id(cd, REQ_CONN(peerid));

	if (c == NULL || conn_closing(c) ||
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
		delivery_stored(cd, &sr);
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
		else if (c->state == CS_READY)
			forget_done(c, &cr);
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
			router_live(c, &b);
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
	struct gw_cred_balance	 cb;
	struct gw_upgrade_mode	 um;
	struct conn		*c;

	switch (imsg->hdr.type) {
	case IMSG_CRED_RESULT:
		imsg_need(iev, imsg, &r, sizeof(r));
		if ((c = clientd_reply_conn(cd, imsg->hdr.peerid, r.client)) ==
		    NULL)
			return 0;
		bw_cred_result(c, REQ_KIND(imsg->hdr.peerid), &r);
		conn_flush(c);
		return 0;
	case IMSG_UPGRADE_MODE:
		imsg_need(iev, imsg, &um, sizeof(um));
		cd->upgrade_mode = um.on != 0;
		return 0;
	case IMSG_CRED_BALANCE:
		imsg_need(iev, imsg, &cb, sizeof(cb));
		/* storaged has the new balance; a live session follows it,
		 * keeping what it spent since. */
		if ((c = session_by_client(cd, cb.client)) != NULL) {
			c->bw_avail = cb.available + c->bw_delta;
			if (cb.expiry != 0)
				c->bw_expiry = cb.expiry;
		}
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

	accept_pause_init(&cd->accept_pause, w->base, "clientd",
	    cd->c_accept_backoffs);
	for (i = 0; i < w->nlisteners; i++) {
		if (w->listen_info[i].kind != LISTEN_CLIENTS)
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
		accept_pause_add(&cd->accept_pause, cd->listen_ev[i]);
		log_debug("serving clients on %s", w->listen_info[i].text);
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
	/* Connections over a lowered budget stay; new ones wait for room. */
	c->max_unauthenticated = n->max_unauthenticated;
	c->max_unauthenticated_per_address =
	    n->max_unauthenticated_per_address;
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
		if (c->active) {
			writeback_spent(c);
			writeback_deletes(c);
		}
	if (w->peer[PROC_STORAGED] != NULL)
		imsgbuf_write(&w->peer[PROC_STORAGED]->ibuf);
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
	/* jansson seeds its hash function from /dev/urandom on first use,
	 * which the chroot hides: it would fall back to time and pid, and
	 * clients' JSON objects could be made to collide. */
	json_object_seed(randombytes_random() | 1);
	clientd_init(&clientd_state, w);
	worker_sandbox(w, worker_common(w)->chroot_dir, &clientd_policy);
	worker_run(w, &clientd_ops);
	return 0;
}
#endif
