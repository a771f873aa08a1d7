/*
 * clientd: Nym clients over WebSocket; everything it reads from its
 * listener comes from the internet (the node HTTP API is apid's).  This
 * file: start-up, the listener, reload, and the counters gatewayctl
 * status shows; the siblings' replies are siblings.c's.
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

	worker_init(w, PROC_CLIENTD, &clientd_policy, argc, argv);
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
