/*
 * The nodes verlocd measures (doc/spec/verloc.md 4; Nym's measurer.rs
 * get_list_of_nodes): nym-api's GET /v1/nym-nodes/described, a
 * PaginatedResponse<NymNodeDescriptionV1> ({pagination: {total, page,
 * size}, data: [...]}; nym-api answers every node on page 0, Nym's
 * client asks for the next page while it has fewer than total).  Per
 * node: the identity (description.host_information.keys.ed25519), the
 * first of host_information.ip_address, and the verloc port
 * (auxiliary_details.announce_ports.verloc_port, 1790 when null).
 * Asked for by verlocd at the start of each run, through the master,
 * and answered the same way in chunks of fixed-size entries.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base58.h"
#include "credd.h"
#include "log.h"
#include "util.h"

#define DESCRIBED_PATH		"/v1/nym-nodes/described?page=%u"
#define DESCRIBED_PAGES_MAX	64
#define VERLOC_DEFAULT_PORT	1790

struct described_fetch {
	int			 busy;
	struct gw_verloc_node	*nodes;
	size_t			 n;
	uint32_t		 page;
	uint64_t		 seen;
};

static struct described_fetch	 df;

/* One NymNodeDescriptionV1: 1 and *out if usable, else 0. */
static int
described_node(json_t *node, const uint8_t self[32],
    struct gw_verloc_node *out)
{
	json_t		*d, *hi, *ip, *port;
	const char	*s;
	json_int_t	 p = VERLOC_DEFAULT_PORT;

	d = json_object_get(node, "description");
	hi = json_object_get(d, "host_information");
	s = json_string_value(json_object_get(json_object_get(hi, "keys"),
	    "ed25519"));
	memset(out, 0, sizeof(*out));
	if (s == NULL || strlen(s) >= GW_KEY58_MAX ||
	    base58_decode(s, out->identity, sizeof(out->identity)) !=
	    (int)sizeof(out->identity) ||
	    memcmp(out->identity, self, sizeof(out->identity)) == 0)
		return 0;
	ip = json_array_get(json_object_get(hi, "ip_address"), 0);
	if ((s = json_string_value(ip)) == NULL)
		return 0;
	if (inet_pton(AF_INET, s, out->ip) == 1)
		out->family = 4;
	else if (inet_pton(AF_INET6, s, out->ip) == 1)
		out->family = 6;
	else
		return 0;
	port = json_object_get(json_object_get(json_object_get(d,
	    "auxiliary_details"), "announce_ports"), "verloc_port");
	if (port != NULL && !json_is_null(port)) {
		if (!json_is_integer(port))
			return 0;
		p = json_integer_value(port);
	}
	if (p < 1 || p > 65535)
		return 0;
	out->port = (uint16_t)p;
	return 1;
}

int
described_parse(const char *buf, size_t len, const uint8_t self[32],
    struct gw_verloc_node *out, size_t *n, size_t max, uint64_t *total)
{
	json_t		*root, *data, *v, *node;
	json_error_t	 err;
	size_t		 i;

	if ((root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err)) == NULL)
		return -1;
	data = json_object_get(root, "data");
	v = json_object_get(json_object_get(root, "pagination"), "total");
	if (!json_is_array(data) || !json_is_integer(v) ||
	    json_integer_value(v) < 0) {
		json_decref(root);
		return -1;
	}
	*total = (uint64_t)json_integer_value(v);
	json_array_foreach(data, i, node) {
		if (*n >= max)
			break;
		if (described_node(node, self, &out[*n]))
			(*n)++;
	}
	i = json_array_size(data);
	json_decref(root);
	return i > INT32_MAX ? INT32_MAX : (int)i;
}

/* The list to the master, for verlocd; ok 0: none could be had. */
static void
described_send(struct credd *cd, int ok)
{
	struct gw_verloc_nodes	 h;
	struct imsgev		*iev = cd->w->peer[PROC_PARENT];
	size_t			 i = 0, k;

	do {
		k = df.n - i < GW_VERLOC_CHUNK ? df.n - i : GW_VERLOC_CHUNK;
		memset(&h, 0, sizeof(h));
		h.ok = ok;
		h.total = (uint32_t)df.n;
		h.first = (uint32_t)i;
		h.n = (uint32_t)k;
		if (imsgev_compose2(iev, IMSG_VERLOC_NODES, 0, &h, sizeof(h),
		    df.nodes + i, k * sizeof(*df.nodes)) == -1)
			fatal("%s", __func__);
		i += k;
	} while (i < df.n);
}

static void
described_end(struct credd *cd, int ok)
{
	if (!ok)
		df.n = 0;
	described_send(cd, ok);
	if (ok) {
		*cd->c_verloc_lists += 1;
		log_info("verloc: %zu nodes to measure, from nym-api", df.n);
	}
	free(df.nodes);
	memset(&df, 0, sizeof(df));
}

static void	described_page(struct credd *);

static void
described_done(int status, const char *body, size_t len, void *arg)
{
	struct credd	*cd = arg;
	uint64_t	 total = 0;
	int		 got;

	if (status != 200 || (got = described_parse(body, len,
	    cd->w->conf.credd.identity_pk, df.nodes, &df.n,
	    GW_VERLOC_NODES_MAX, &total)) == -1) {
		*cd->c_api_fail += 1;
		log_warnx("verloc: described nodes failed (HTTP %d)", status);
		described_end(cd, 0);
		return;
	}
	df.page++;
	df.seen += (uint64_t)got;
	/* Nym's client walks pages while it has fewer than total; an
	 * empty page or the caps end the walk here. */
	if (got > 0 && df.seen < total && df.page < DESCRIBED_PAGES_MAX &&
	    df.n < GW_VERLOC_NODES_MAX) {
		described_page(cd);
		return;
	}
	if (df.n == GW_VERLOC_NODES_MAX)
		log_warnx("verloc: more than %d nodes described; measuring "
		    "the first %d", GW_VERLOC_NODES_MAX, GW_VERLOC_NODES_MAX);
	described_end(cd, 1);
}

static void
described_page(struct credd *cd)
{
	char	 path[64];

	snprintf(path, sizeof(path), DESCRIBED_PATH, df.page);
	nymapi_request(cd->api, cd->bases, cd->nbases, path, NULL, 3,
	    described_done, cd);
}

void
described_request(struct credd *cd)
{
	if (df.busy)
		return;		/* the list on its way answers this too */
	memset(&df, 0, sizeof(df));
	df.busy = 1;
	df.nodes = xcalloc(GW_VERLOC_NODES_MAX, sizeof(*df.nodes));
	described_page(cd);
}
