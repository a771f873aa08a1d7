/*
 * apid: start-up, the master's messages (host information, /metrics
 * records, reload), and the counters gatewayctl status shows.  The HTTP
 * itself is node_http.c; the routes are node_api.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "apid.h"
#include "log.h"
#include "util.h"

static struct worker	 apid_worker;
static struct apid	 apid_state;

/* /metrics: every process's record arrives from the master, then END. */
static int
apid_dispatch_parent(struct imsgev *iev, struct imsg *imsg)
{
	struct apid	*ad = &apid_state;
	struct gw_node_load load;
	char		*text = NULL;
	size_t		 len = 0;
	FILE		*fp;

	switch (imsg->hdr.type) {
	case IMSG_CTL_STATUS_PROC:
		if (ad->nmprocs == PROC_MAX ||
		    metrics_proc_decode(imsg->data, imsg->datalen,
		    &ad->mprocs[ad->nmprocs]) == -1)
			fatalx("bad status record from %s", iev->name);
		ad->nmprocs++;
		return 0;
	case IMSG_CTL_END:
		if ((fp = open_memstream(&text, &len)) == NULL)
			fatal("open_memstream");
		metrics_write(fp, ad->mprocs, ad->nmprocs, time(NULL));
		fclose(fp);
		node_stats_counters(&ad->stats, ad->mprocs, ad->nmprocs,
		    time(NULL));
		node_http_metrics_done(ad->http, text, len);
		free(text);
		ad->nmprocs = 0;
		return 0;
	case IMSG_VERLOC_RESULTS:
		if (node_verloc_feed(&ad->verloc, imsg->data,
		    imsg->datalen) == -1)
			fatalx("bad verloc results from %s", iev->name);
		return 0;
	case IMSG_SESSION_STATS:
		if (node_stats_sessions(&ad->stats, imsg->data,
		    imsg->datalen) == -1)
			fatalx("bad session statistics from %s", iev->name);
		return 0;
	case IMSG_NODE_LOAD:
		memcpy(&load, imsg->data, sizeof(load));	/* row: size */
		node_stats_load(&ad->stats, &load);
		return 0;
	default:
		imsg_unexpected(iev, imsg);
	}
}

static void
apid_metrics_ask(struct node_http *nh, void *arg)
{
	struct apid	*ad = arg;

	(void)nh;
	ad->nmprocs = 0;
	if (imsgev_compose(ad->w->peer[PROC_PARENT], IMSG_METRICS_REQUEST, 0,
	    -1, NULL, 0) == -1)
		node_http_metrics_done(ad->http, NULL, 0);
}

/* Counters for packets-stats and mixing: gathered like /metrics. */
static void
apid_stats_tick(int fd, short what, void *arg)
{
	struct apid	*ad = arg;

	(void)fd;
	(void)what;
	apid_metrics_ask(ad->http, ad);
}

static void
apid_stats_start(struct apid *ad, struct worker *w)
{
	struct timeval	 tv = { GW_LOAD_INTERVAL_S, 0 };

	node_stats_init(&ad->stats, time(NULL));
	ad->api.stats = &ad->stats;
	if ((ad->stats_ev = event_new(w->base, -1, EV_PERSIST,
	    apid_stats_tick, ad)) == NULL || event_add(ad->stats_ev, &tv) ==
	    -1)
		fatalx("%s: event", __func__);
}

static void
apid_apply_conf(struct apid *ad, const struct gw_conf_apid *c)
{
	ad->api.ws_port = c->ws_port;
	ad->api.wss_port = c->wss_port;
	ad->api.enforce_zk_nyms = c->enforce_zk_nyms;
	ad->api.accept_terms = c->accept_terms != 0;
	ad->api.metrics_token_set = c->metrics_token_set != 0;
	ad->api.verloc_port = c->verloc_port;
	memcpy(ad->api.metrics_token_hash, c->metrics_token_hash,
	    sizeof(ad->api.metrics_token_hash));
}

static void
apid_start(struct worker *w)
{
	struct apid	*ad = w->role;
	unsigned	 i;

	ad->api.hostinfo = w->hostinfo;	/* the master may send it again */
	ad->api.started = w->started;
	apid_apply_conf(ad, &w->conf.apid);
	accept_pause_init(&ad->accept_pause, w->base, "apid",
	    ad->c_accept_backoffs);
	ad->http = node_http_new(w->base, &ad->api, &ad->accept_pause, 256,
	    apid_metrics_ask, ad);
	node_http_set_prefix(ad->http, w->conf.apid.ipv6_prefix);
	apid_stats_start(ad, w);
	for (i = 0; i < w->nlisteners; i++) {
		node_http_listen(ad->http, w->listen_fd[i]);
		log_debug("serving the node API on %s",
		    w->listen_info[i].text);
	}
}

static void
apid_reconf(struct worker *w, const void *conf)
{
	struct apid			*ad = w->role;
	const struct gw_conf_apid	*n = conf;

	w->conf.apid.ws_port = n->ws_port;
	w->conf.apid.wss_port = n->wss_port;
	w->conf.apid.enforce_zk_nyms = n->enforce_zk_nyms;
	w->conf.apid.accept_terms = n->accept_terms;
	/* The old token's hash goes: a reload may have revoked it. */
	sodium_memzero(w->conf.apid.metrics_token_hash,
	    sizeof(w->conf.apid.metrics_token_hash));
	w->conf.apid.metrics_token_set = n->metrics_token_set;
	memcpy(w->conf.apid.metrics_token_hash, n->metrics_token_hash,
	    sizeof(w->conf.apid.metrics_token_hash));
	apid_apply_conf(ad, &w->conf.apid);
}

static void
apid_stop(struct worker *w)
{
	struct apid	*ad = w->role;

	sodium_memzero(w->conf.apid.metrics_token_hash,
	    sizeof(w->conf.apid.metrics_token_hash));
	sodium_memzero(ad->api.metrics_token_hash,
	    sizeof(ad->api.metrics_token_hash));
}

static void
apid_counters(struct worker *w)
{
	struct apid	*ad = w->role;

	if (ad->http == NULL)
		return;
	*counter_get(&w->counters, "http_api_requests") =
	    node_http_requests(ad->http);
	node_http_counters(ad->http,
	    counter_get(&w->counters, "http_api_refused_full"),
	    counter_get(&w->counters, "http_api_refused_per_address"),
	    counter_get(&w->counters, "http_api_deadlines"));
}

static const struct worker_ops apid_ops = {
	.dispatch = {
		[PROC_PARENT] = apid_dispatch_parent,
	},
	.start = apid_start,
	.reconf = apid_reconf,
	.stop = apid_stop,
	.counters = apid_counters,
};

int
main(int argc, char *argv[])
{
	struct worker	*w = &apid_worker;
	struct apid	*ad = &apid_state;

	worker_init(w, PROC_APID, &apid_policy, argc, argv);
	ad->w = w;
	w->role = ad;
	ad->c_accept_backoffs = counter_get(&w->counters, "accept_backoffs");
	node_verloc_init(&ad->verloc);
	ad->api.verloc = &ad->verloc;
	worker_sandbox(w, worker_common(w)->chroot_dir, &apid_policy);
	worker_run(w, &apid_ops);
	return 0;
}
