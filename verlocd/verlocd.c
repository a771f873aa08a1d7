/*
 * verlocd: start-up, the master's messages, and the counters gatewayd
 * status shows (verlocd.h).  The listener is verloc_srv.c, the
 * measurer measure.c; everything either needs from outside (the node
 * list, signatures, a place to show the results) goes through the
 * master, the only process verlocd has a channel to.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util.h"
#include "verlocd.h"

struct verlocd {
	struct worker		*w;
	struct verloc_srv	*srv;
	struct measurer		*m;
	struct accept_pause	 accept_pause;
	uint64_t		*c_accept_backoffs;
};

static struct worker	 verlocd_worker;
static struct verlocd	 verlocd_state;

/* A verified peer echo to the master, which signs the reply. */
static int
verlocd_sign_reply(const uint8_t *echo, uint32_t id, void *arg)
{
	struct verlocd			*vd = arg;
	struct gw_verloc_sign_req	 req;

	memcpy(req.echo, echo, sizeof(req.echo));
	return imsgev_compose(vd->w->peer[PROC_PARENT], IMSG_VERLOC_SIGN, id,
	    -1, &req, sizeof(req));
}

static int
verlocd_sign_echo(const uint8_t part[VERLOC_SIGNED_LEN], uint32_t id,
    void *arg)
{
	struct verlocd			*vd = arg;
	struct gw_verloc_echo_req	 req;

	memcpy(req.signed_part, part, sizeof(req.signed_part));
	return imsgev_compose(vd->w->peer[PROC_PARENT], IMSG_VERLOC_ECHO_SIGN,
	    id, -1, &req, sizeof(req));
}

static int
verlocd_fetch(void *arg)
{
	struct verlocd	*vd = arg;

	return imsgev_compose(vd->w->peer[PROC_PARENT],
	    IMSG_VERLOC_NODES_FETCH, 0, -1, NULL, 0);
}

/* One run to apid, through the master, in chunks of GW_VERLOC_CHUNK. */
static void
verlocd_send_run(struct verlocd *vd, uint32_t which, const struct vl_run *r)
{
	struct gw_verloc_results	 h;
	struct gw_verloc_result		*e;
	size_t				 i, k, n, total;

	total = r->state == GW_VERLOC_NONE ? 0 : r->n;
	e = xcalloc(GW_VERLOC_CHUNK, sizeof(*e));
	i = 0;
	do {
		n = total - i < GW_VERLOC_CHUNK ? total - i : GW_VERLOC_CHUNK;
		memset(&h, 0, sizeof(h));
		h.run = which;
		h.state = (uint32_t)r->state;
		h.started_us = r->started_us;
		h.finished_us = r->finished_us;
		h.nodes_tested = r->nodes_tested;
		h.total = (uint32_t)total;
		h.first = (uint32_t)i;
		h.n = (uint32_t)n;
		memset(e, 0, GW_VERLOC_CHUNK * sizeof(*e));
		for (k = 0; k < n; k++) {
			const struct vl_result *x = &r->results[i + k];

			memcpy(e[k].identity, x->identity,
			    sizeof(e[k].identity));
			e[k].measured = x->measured != 0;
			e[k].minimum_us = x->st.minimum;
			e[k].mean_us = x->st.mean;
			e[k].maximum_us = x->st.maximum;
			e[k].stddev_us = x->st.standard_deviation;
		}
		if (imsgev_compose2(vd->w->peer[PROC_PARENT],
		    IMSG_VERLOC_RESULTS, 0, &h, sizeof(h), e, n * sizeof(*e)) ==
		    -1)
			log_warnx("verloc: results not sent to apid");
		i += n;
	} while (i < total);
	free(e);
}

static void
verlocd_publish(const struct vl_run *prev, const struct vl_run *cur,
    void *arg)
{
	struct verlocd	*vd = arg;

	verlocd_send_run(vd, 0, prev);
	verlocd_send_run(vd, 1, cur);
}

static const struct measurer_ops verlocd_measurer_ops = {
	.fetch = verlocd_fetch,
	.sign = verlocd_sign_echo,
	.publish = verlocd_publish,
};

static int
verlocd_dispatch_parent(struct imsgev *iev, struct imsg *imsg)
{
	struct verlocd			*vd = &verlocd_state;
	struct gw_verloc_sign_result	 res;

	switch (imsg->hdr.type) {
	case IMSG_VERLOC_SIGN_RESULT:
		memcpy(&res, imsg->data, sizeof(res));	/* its row: size */
		if (vd->srv != NULL)
			verloc_srv_signed(vd->srv, imsg->hdr.peerid,
			    res.ok != 0, res.signature);
		return 0;
	case IMSG_VERLOC_ECHO_SIGNED:
		memcpy(&res, imsg->data, sizeof(res));
		if (vd->m != NULL)
			measurer_signed(vd->m, imsg->hdr.peerid, res.ok != 0,
			    res.signature);
		return 0;
	case IMSG_VERLOC_NODES:
		if (vd->m == NULL || measurer_nodes(vd->m, imsg->data,
		    imsg->datalen) == -1)
			fatalx("bad VERLOC_NODES from %s", iev->name);
		return 0;
	default:
		imsg_unexpected(iev, imsg);
	}
}

/* Test builds: shorter waits between runs than the config allows. */
static uint32_t
verlocd_interval(const char *env, uint32_t dflt)
{
#ifdef GW_TEST_HOOKS
	const char	*s = getenv(env), *errstr;
	long long	 v;

	if (s != NULL) {
		v = gw_strtonum(s, 10, 3600 * 1000, &errstr);
		if (errstr == NULL) {
			log_warnx("test hook: %s=%lld ms", env, v);
			return (uint32_t)v;
		}
	}
#else
	(void)env;
#endif
	return dflt;
}

static void
verlocd_measurer(struct verlocd *vd, const struct gw_conf_verlocd *c)
{
	struct measurer_conf	 mc;

	memset(&mc, 0, sizeof(mc));
	/* The master's ranges (gatewayd.conf(5)); kept safe regardless. */
	mc.packets = c->packets_per_node >= 1 && c->packets_per_node <= 1000 ?
	    c->packets_per_node : 100;
	mc.packet_timeout_ms = c->packet_timeout_ms ? c->packet_timeout_ms :
	    1500;
	mc.connection_timeout_ms = c->connection_timeout_ms ?
	    c->connection_timeout_ms : 5000;
	mc.delay_ms = c->delay_between_packets_ms;
	mc.batch = c->tested_nodes_batch_size >= 1 &&
	    c->tested_nodes_batch_size <= 256 ? c->tested_nodes_batch_size :
	    50;
	mc.interval_ms = verlocd_interval("GW_TEST_VERLOC_INTERVAL_MS",
	    c->testing_interval_ms ? c->testing_interval_ms : 43200000);
	mc.retry_ms = verlocd_interval("GW_TEST_VERLOC_RETRY_MS",
	    c->retry_timeout_ms ? c->retry_timeout_ms : 1800000);
	memcpy(mc.self, c->identity_pk, sizeof(mc.self));
	vd->m = measurer_new(vd->w->base, &mc, &verlocd_measurer_ops, vd);
}

static void
verlocd_start(struct worker *w)
{
	struct verlocd	*vd = w->role;
	unsigned	 i;

	accept_pause_init(&vd->accept_pause, w->base, "verlocd",
	    vd->c_accept_backoffs);
	vd->srv = verloc_srv_new(w->base, &vd->accept_pause, 256,
	    verlocd_sign_reply, vd);
	verloc_srv_set_prefix(vd->srv, w->conf.verlocd.ipv6_prefix);
	for (i = 0; i < w->nlisteners; i++) {
		verloc_srv_listen(vd->srv, w->listen_fd[i]);
		log_debug("answering verloc on %s", w->listen_info[i].text);
	}
	if (vd->m != NULL)
		measurer_start(vd->m);
	else
		log_info("verloc: measuring off (verloc.measure)");
}

static void
verlocd_counters(struct worker *w)
{
	struct verlocd			*vd = w->role;
	const struct verloc_counters	*vc;
	const struct measurer_counters	*mc;

	if (vd->srv != NULL) {
		vc = verloc_srv_counters(vd->srv);
		*counter_get(&w->counters, "verloc_connections") =
		    vc->connections;
		*counter_get(&w->counters, "verloc_replies") = vc->replies;
		*counter_get(&w->counters, "verloc_bad_packets") =
		    vc->bad_packets;
		*counter_get(&w->counters, "verloc_refused_full") =
		    vc->refused_full;
		*counter_get(&w->counters, "verloc_refused_per_address") =
		    vc->refused_per_address;
		*counter_get(&w->counters, "verloc_timeouts") = vc->timeouts;
		*counter_get(&w->counters, "verloc_sign_refused") =
		    vc->sign_refused;
	}
	if (vd->m != NULL) {
		mc = measurer_counters(vd->m);
		*counter_get(&w->counters, "verloc_runs") = mc->runs;
		*counter_get(&w->counters, "verloc_nodes_measured") =
		    mc->nodes_measured;
		*counter_get(&w->counters, "verloc_nodes_failed") =
		    mc->nodes_failed;
		*counter_get(&w->counters, "verloc_list_failures") =
		    mc->list_failures;
	}
}

static const struct worker_ops verlocd_ops = {
	.dispatch = {
		[PROC_PARENT] = verlocd_dispatch_parent,
	},
	.start = verlocd_start,
	.counters = verlocd_counters,
};

int
main(int argc, char *argv[])
{
	struct worker	*w = &verlocd_worker;
	struct verlocd	*vd = &verlocd_state;

	worker_init(w, PROC_VERLOCD, &verlocd_policy, argc, argv);
	vd->w = w;
	w->role = vd;
	vd->c_accept_backoffs = counter_get(&w->counters, "accept_backoffs");
	if (w->conf.verlocd.measure)
		verlocd_measurer(vd, &w->conf.verlocd);
	worker_sandbox(w, worker_common(w)->chroot_dir, &verlocd_policy);
	worker_run(w, &verlocd_ops);
	return 0;
}
