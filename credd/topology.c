/*
 * The mix nodes mixd may forward to (spec 8.2): the rewarded set from
 * GET /v1/nym-nodes/rewarded-set, then the node details from GET
 * /v2/unstable/nym-nodes/semi-skimmed?page=N until pagination.total,
 * every topology_cache_ttl.  Each address of each node of the rewarded
 * set becomes one struct gw_topology_node, sent to mixd between
 * TOPOLOGY_BEGIN and TOPOLOGY_END, which replaces the old set whole.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <jansson.h>

#include "base58.h"
#include "credd.h"
#include "log.h"
#include "util.h"

#define REWARDED_PATH	"/v1/nym-nodes/rewarded-set"
#define NODES_PATH	"/v2/unstable/nym-nodes/semi-skimmed?page=%u"
#define TOPO_PAGES_MAX	200
#define STARTUP_RETRY_MS	30000

struct topo_fetch {
	struct credd		*cd;
	struct topo_rewarded	 rs;
	struct gw_topology_node	*nodes;
	size_t			 n;
	uint32_t		 page;
	uint64_t		 seen;
};

static struct topo_fetch	 tf;
static int			 topo_have;	/* mixd has a set */

static const char *const layer_keys[] = {
	"entry_gateways", "exit_gateways", "layer1", "layer2", "layer3",
};
static const uint32_t layer_of[] = { 0, 0, 1, 2, 3 };

void
topology_rewarded_free(struct topo_rewarded *rs)
{
	free(rs->ids);
	memset(rs, 0, sizeof(*rs));
}

int
topology_parse_rewarded(const char *buf, size_t len, struct topo_rewarded *rs)
{
	json_t		*root, *a, *v;
	json_error_t	 err;
	size_t		 k, i, total = 0;

	memset(rs, 0, sizeof(*rs));
	if ((root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err)) == NULL)
		return -1;
	for (k = 0; k < nitems(layer_keys); k++) {
		a = json_object_get(root, layer_keys[k]);
		if (!json_is_array(a))
			goto bad;
		total += json_array_size(a);
	}
	if (total == 0 || total > TOPOLOGY_NODES_MAX)
		goto bad;
	rs->ids = xcalloc(total, sizeof(*rs->ids));
	for (k = 0; k < nitems(layer_keys); k++) {
		json_array_foreach(json_object_get(root, layer_keys[k]), i, v) {
			if (!json_is_integer(v) || json_integer_value(v) < 0 ||
			    json_integer_value(v) > UINT32_MAX)
				goto bad;
			rs->ids[rs->n].node_id = (uint32_t)json_integer_value(v);
			rs->ids[rs->n].layer = layer_of[k];
			rs->n++;
		}
	}
	v = json_object_get(root, "epoch_id");
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		rs->epoch_id = (uint64_t)json_integer_value(v);
	json_decref(root);
	return 0;
bad:
	json_decref(root);
	topology_rewarded_free(rs);
	return -1;
}

static int
key32(json_t *v, uint8_t out[32])
{
	const char	*s = json_string_value(v);

	return s != NULL && strlen(s) < 64 && base58_decode(s, out, 32) == 32 ?
	    0 : -1;
}

/*
 * The node's Noise key, "x25519_noise_versioned_key" beside "basic":
 * null, or {"supported_version": u8, "x25519_pubkey": base58}.  Any
 * version counts (mixd expects Noise from the node's addresses), mixd
 * initiates only the versions it speaks; a malformed key is no key.
 */
static void
topology_noise(json_t *v, struct gw_topology_node *t)
{
	json_t		*ver = json_object_get(v, "supported_version");
	json_int_t	 n;

	if (!json_is_integer(ver) || (n = json_integer_value(ver)) < 1 ||
	    n > 255 || key32(json_object_get(v, "x25519_pubkey"),
	    t->noise_key) == -1) {
		t->noise_version = 0;
		memset(t->noise_key, 0, sizeof(t->noise_key));
		return;
	}
	t->noise_version = (uint8_t)n;
}

/* One SkimmedNodeV1 ("basic"): every address, if in the rewarded set. */
static void
topology_node(json_t *basic, json_t *noise, const struct topo_rewarded *rs,
    struct gw_topology_node *out, size_t *n, size_t max)
{
	struct gw_topology_node	 t;
	json_t			*v, *ip;
	json_int_t		 id, port;
	const char		*s;
	size_t			 i, k;

	v = json_object_get(basic, "node_id");
	port = json_integer_value(json_object_get(basic, "mix_port"));
	if (!json_is_integer(v) || (id = json_integer_value(v)) < 0 ||
	    id > UINT32_MAX || port <= 0 || port > 65535)
		return;
	for (k = 0; k < rs->n; k++)
		if (rs->ids[k].node_id == (uint32_t)id)
			break;
	if (k == rs->n)
		return;
	memset(&t, 0, sizeof(t));
	t.node_id = (uint32_t)id;
	t.layer = rs->ids[k].layer;
	t.port = (uint16_t)port;
	if (key32(json_object_get(basic, "ed25519_identity_pubkey"),
	    t.identity) == -1 ||
	    key32(json_object_get(basic, "x25519_sphinx_pubkey"),
	    t.sphinx_key) == -1)
		return;
	topology_noise(noise, &t);
	json_array_foreach(json_object_get(basic, "ip_addresses"), i, ip) {
		if (*n >= max || (s = json_string_value(ip)) == NULL)
			return;
		memset(t.ip, 0, sizeof(t.ip));
		if (inet_pton(AF_INET, s, t.ip) == 1)
			t.family = 4;
		else if (inet_pton(AF_INET6, s, t.ip) == 1)
			t.family = 6;
		else
			continue;
		out[(*n)++] = t;
	}
}

int
topology_parse_nodes(const char *buf, size_t len,
    const struct topo_rewarded *rs, struct gw_topology_node *out, size_t *n,
    size_t max, uint64_t *total)
{
	json_t		*root, *nodes, *data, *v, *node;
	json_error_t	 err;
	size_t		 i;

	if ((root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err)) == NULL)
		return -1;
	/* PaginatedCachedNodesResponseV2: {metadata, nodes:{pagination,
	 * data:[SemiSkimmedNodeV1 {basic, ...}]}}. */
	nodes = json_object_get(root, "nodes");
	data = json_object_get(nodes, "data");
	v = json_object_get(json_object_get(nodes, "pagination"), "total");
	if (!json_is_array(data) || !json_is_integer(v) ||
	    json_integer_value(v) < 0) {
		json_decref(root);
		return -1;
	}
	*total = (uint64_t)json_integer_value(v);
	json_array_foreach(data, i, node)
		topology_node(json_object_get(node, "basic"),
		    json_object_get(node, "x25519_noise_versioned_key"), rs,
		    out, n, max);
	i = json_array_size(data);
	json_decref(root);
	return i > INT32_MAX ? INT32_MAX : (int)i;
}

static void
topology_schedule(struct credd *cd, uint32_t ms)
{
	struct timeval	 tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(cd->topo_ev, &tv);
}

static void
topology_send(struct credd *cd)
{
	struct gw_topology_end	 end;
	struct imsgev		*iev = cd->w->peer[PROC_MIXD];
	size_t			 i;

	if (iev == NULL)
		return;
	imsgev_compose(iev, IMSG_TOPOLOGY_BEGIN, 0, -1, NULL, 0);
	for (i = 0; i < tf.n; i++)
		imsgev_compose(iev, IMSG_TOPOLOGY_NODE, 0, -1, &tf.nodes[i],
		    sizeof(tf.nodes[i]));
	memset(&end, 0, sizeof(end));
	end.count = (uint32_t)tf.n;
	end.fetched = time(NULL);
	imsgev_compose(iev, IMSG_TOPOLOGY_END, 0, -1, &end, sizeof(end));
	topo_have = 1;
	*cd->c_topology += 1;
	log_info("topology: %zu node addresses for mixd", tf.n);
}

static void
topology_fail(struct credd *cd, const char *what, int status)
{
	*cd->c_api_fail += 1;
	log_warnx("topology: %s failed (HTTP %d); keeping the last set",
	    what, status);
	topology_rewarded_free(&tf.rs);
	free(tf.nodes);
	tf.nodes = NULL;
	/* Until mixd has a first set, try again sooner (spec 8.2). */
	topology_schedule(cd, topo_have ? cd->topology_ms :
	    (cd->topology_ms < STARTUP_RETRY_MS ? cd->topology_ms :
	    STARTUP_RETRY_MS));
}

static void	topology_page(struct credd *);

static void
topology_nodes_done(int status, const char *body, size_t len, void *arg)
{
	struct credd	*cd = arg;
	uint64_t	 total = 0;
	int		 got;

	if (status != 200 || (got = topology_parse_nodes(body, len, &tf.rs,
	    tf.nodes, &tf.n, TOPOLOGY_NODES_MAX, &total)) == -1) {
		topology_fail(cd, "node list", status);
		return;
	}
	tf.page++;
	tf.seen += (uint64_t)got;
	/* An empty page ends the walk, as does the page cap. */
	if (got > 0 && tf.seen < total && tf.page < TOPO_PAGES_MAX &&
	    tf.n < TOPOLOGY_NODES_MAX) {
		topology_page(cd);
		return;
	}
	topology_send(cd);
	topology_rewarded_free(&tf.rs);
	free(tf.nodes);
	tf.nodes = NULL;
	topology_schedule(cd, cd->topology_ms);
}

static void
topology_page(struct credd *cd)
{
	char	 path[128];

	snprintf(path, sizeof(path), NODES_PATH, tf.page);
	nymapi_request(cd->api, cd->bases, cd->nbases, path, NULL, 3,
	    topology_nodes_done, cd);
}

static void
topology_rewarded_done(int status, const char *body, size_t len, void *arg)
{
	struct credd	*cd = arg;

	if (status != 200 || topology_parse_rewarded(body, len, &tf.rs) ==
	    -1) {
		topology_fail(cd, "rewarded set", status);
		return;
	}
	tf.nodes = xcalloc(TOPOLOGY_NODES_MAX, sizeof(*tf.nodes));
	tf.n = 0;
	tf.page = 0;
	tf.seen = 0;
	topology_page(cd);
}

static void
topology_tick(int fd, short ev, void *arg)
{
	struct credd	*cd = arg;

	(void)fd;
	(void)ev;
	tf.cd = cd;
	nymapi_request(cd->api, cd->bases, cd->nbases, REWARDED_PATH, NULL, 3,
	    topology_rewarded_done, cd);
}

void
topology_start(struct credd *cd)
{
	if ((cd->topo_ev = evtimer_new(cd->w->base, topology_tick, cd)) ==
	    NULL)
		fatalx("evtimer_new");
	topology_schedule(cd, 0);
}
