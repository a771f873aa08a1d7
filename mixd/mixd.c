/*
 * mixd: the mix port.  Holds the Sphinx keys, talks TCP to mix nodes,
 * unwraps final-hop packets and hands every message to clientd, which
 * pushes or stores it.  Client packets from clientd and SURB-acks go out
 * through the peer pool, filtered by credd's topology.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "gwcrypto.h"
#include "histogram.h"
#include "log.h"
#include "mixd.h"
#include "mixframe.h"

static struct worker	 mixd_worker;
static struct mixd	 mixd_state;

/* The message for a client, to clientd, which settles its ack. */
static void
mixd_deliver(struct mixd *md, const uint8_t client[32], const uint8_t *msg,
    size_t len, uint64_t ack_id)
{
	struct imsgev		*cd = md->w->peer[PROC_CLIENTD];
	struct gw_mix_deliver	 d;

	if (cd == NULL) {
		*md->c.deliver_no_clientd += 1;
		if (ack_id != 0)
			mix_acks_settle(md->acks, ack_id, 0);
		return;
	}
	memset(&d, 0, sizeof(d));
	memcpy(d.client, client, sizeof(d.client));
	d.ack_id = ack_id;
	d.rx_us = md->rx_us != 0 ? md->rx_us : histogram_now_us();
	if (imsgev_compose2(cd, IMSG_MIX_DELIVER, 0, &d, sizeof(d), msg, len) ==
	    -1) {
		if (errno != ENOBUFS)
			fatal("%s", __func__);
		/* Past the hard cap (reading pauses long before): the
		 * message is not kept, so its ack never leaves. */
		*md->c.deliver_queue_full += 1;
		if (ack_id != 0)
			mix_acks_settle(md->acks, ack_id, 0);
	}
}

/* At most one line per 10 s: a flood of bad next hops is counted. */
static void
mixd_log_unknown(struct mixd *md, const struct nodeaddr *to)
{
	static time_t	 last;
	char		 buf[64];
	time_t		 now = time(NULL);

	if (now - last < 10)
		return;
	last = now;
	log_warnx("routing: dropped a packet for %s, not a node of the "
	    "topology (%llu such drops so far)", nodeaddr_fmt(to, buf,
	    sizeof(buf)), (unsigned long long)*md->c.forward_unknown_node);
}

/* Through the routing filter to the peer pool. */
static void
mixd_forward(struct mixd *md, const struct nodeaddr *to, uint8_t type,
    uint8_t rotation, const uint8_t *pkt, size_t len)
{
	int	 known;

	if (to->port == 0) {
		*md->c.forward_bad_address += 1;
		return;
	}
	if (!md->w->conf.mixd.testnet) {
		known = mix_topology_known(md->topo, to);
		if (known == -1) {
			*md->c.forward_no_topology += 1;
			return;
		}
		if (known == 0) {
			*md->c.forward_unknown_node += 1;
			mixd_log_unknown(md, to);
			return;
		}
	}
	mix_peers_send(md->peers, to, type, rotation, pkt, len);
}

static const struct mixd_out mixd_out_daemon = {
	.deliver = mixd_deliver,
	.forward = mixd_forward,
};

static void
mixd_start(struct worker *w)
{
	struct mixd	*md = w->role;

	md->peers = mix_peers_new(md);
	md->acks = mix_acks_new(md);
	mix_listen_start(md);
}

static void
mixd_stop(struct worker *w)
{
	struct mixd	*md = w->role;

	mix_listen_stop(md);
	mix_cpupool_free(md->pool);
	md->pool = NULL;
	/* Acks still held leave with us: their messages may not be safe. */
	mix_acks_free(md->acks);
	md->acks = NULL;
	mix_replay_free(md->replay);
	md->replay = NULL;
	mix_peers_free(md->peers);
	md->peers = NULL;
	mix_topology_free(md->topo);
	md->topo = NULL;
	mixd_keys_wipe(md);
	sodium_memzero(w->keys, sizeof(w->keys));
	sodium_memzero(md->noise_sk, sizeof(md->noise_sk));
}

static void
mixd_reconf(struct worker *w, const void *conf)
{
	const struct gw_conf_mixd	*c = conf;

	/* Limits apply to new connections and the next read. */
	w->conf.mixd.max_mix_connections = c->max_mix_connections;
	w->conf.mixd.mix_read_timeout_ms = c->mix_read_timeout_ms;
	/* Acks held already keep their due time. */
	w->conf.mixd.ack_delay_ms = c->ack_delay_ms;
	mixd_state.ack_delay_ms = c->ack_delay_ms;
}

static const struct worker_ops mixd_ops = {
	.dispatch = {
		[PROC_PARENT] = mixd_dispatch_parent,
		[PROC_CLIENTD] = mixd_dispatch_clientd,
		[PROC_CREDD] = mixd_dispatch_credd,
	},
	.start = mixd_start,
	.reconf = mixd_reconf,
	.stop = mixd_stop,
};

int
main(int argc, char *argv[])
{
	struct worker	*w = &mixd_worker;
	struct mixd	*md = &mixd_state;

	worker_init(w, PROC_MIXD, &mixd_policy, argc, argv);
	if (sodium_init() == -1)
		fatalx("sodium_init");
	if (w->nkeys == 0)
		fatalx("no Sphinx key from master");
	md->w = w;
	w->role = md;
	md->out = &mixd_out_daemon;
	md->ack_delay_ms = w->conf.mixd.ack_delay_ms;
	md->replay = mix_replay_new(md);
	TAILQ_INIT(&md->conns);
	mixd_counters_init(md, &w->counters);
	/* Before the sandbox: the replay filters are large allocations. */
	mixd_keys_init(md, w->keys, w->nkeys);
	/* The keys live in md->keys now; one copy is enough. */
	sodium_memzero(w->keys, sizeof(w->keys));
	md->topo = mix_topology_new();
	/* libgcrypt reads its FIPS and hardware-feature files once, when
	 * initialised: here, not lazily inside the chroot. */
	if (gwcrypto_init() == -1)
		fatalx("gwcrypto_init");
	/* Noise (spec 6.3): without a key from the master, raw TCP only. */
	if (w->have_noise) {
		memcpy(md->noise_sk, w->noise.secret, sizeof(md->noise_sk));
		memcpy(md->noise_pk, w->noise.public, sizeof(md->noise_pk));
		sodium_memzero(&w->noise, sizeof(w->noise));
		md->noise_on = 1;
		log_info("noise: on; mix peers that announce a Noise key "
		    "speak it");
	}
	/* Sized here, where the affinity mask can still be read; the
	 * threads start inside the sandbox. */
	md->pool = mix_cpupool_new(md,
	    mix_cpupool_size(w->conf.mixd.sphinx_threads));
	if (md->pool != NULL) {
		w->start_threads = mix_cpupool_start;
		w->start_arg = md->pool;
	}
	worker_sandbox(w, worker_common(w)->chroot_dir, &mixd_policy);
	worker_run(w, &mixd_ops);
	mixd_stop(w);
	return 0;
}
