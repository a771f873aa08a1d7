/*
 * The routing filter (spec 5.2, 6.4): packets go only to the mix port of
 * a node credd has seen in the network's topology, unless the config
 * says testnet.  credd sends the whole set each time, between BEGIN and
 * END; the new set replaces the old only when END confirms the count,
 * so a lookup never sees half a topology.  credd is a sibling: anything
 * malformed from it is fatal.
 *
 * It also says who speaks Noise (sphinx-mixport.md 6.3): we initiate
 * Noise to a mix address whose node announces a Noise key, and expect
 * it from any connection whose source IP is such a node's, whatever
 * its port.  Addresses are kept canonical (IPv4-mapped IPv6 as IPv4),
 * as nym-node compares them.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mixd.h"
#include "util.h"

struct topo_entry {
	struct nodeaddr	 a;		/* first: the sort key */
	uint8_t		 noise_version;	/* 0: none */
	uint8_t		 noise_key[NOISE_KEY_LEN];
};

struct mix_topology {
	struct topo_entry *nodes;	/* sorted, unique */
	size_t		 n;
	struct nodeaddr	*noise_ips;	/* port 0; sorted, unique */
	size_t		 nnoise;
	struct nodeaddr	*ips;		/* every node's; port 0 */
	size_t		 nips;
	int		 have;		/* a topology has arrived */
	/* being received */
	struct topo_entry *next;
	size_t		 nnext;
	int		 receiving;
};

struct mix_topology *
mix_topology_new(void)
{
	return xcalloc(1, sizeof(struct mix_topology));
}

void
mix_topology_free(struct mix_topology *t)
{
	if (t == NULL)
		return;
	free(t->nodes);
	free(t->noise_ips);
	free(t->ips);
	free(t->next);
	free(t);
}

void
mix_addr_canon(struct nodeaddr *a)
{
	static const uint8_t	 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				    0xff, 0xff };
	struct nodeaddr		 k;

	memset(&k, 0, sizeof(k));
	k.port = a->port;
	if (a->family == 6 && memcmp(a->ip, mapped, sizeof(mapped)) == 0) {
		k.family = 4;
		memcpy(k.ip, a->ip + 12, 4);
	} else {
		k.family = a->family;
		memcpy(k.ip, a->ip, a->family == 4 ? 4 : 16);
	}
	*a = k;
}

static int
topo_cmp(const void *a, const void *b)
{
	const struct nodeaddr	*x = a, *y = b;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return memcmp(x->ip, y->ip, sizeof(x->ip));
}

static const struct topo_entry *
topo_find(const struct mix_topology *t, const struct nodeaddr *a)
{
	struct topo_entry	 k;

	if (t->n == 0)
		return NULL;	/* t->nodes may be NULL: see below */
	/* Compare in a canonical form: no bytes past the family's IP. */
	memset(&k, 0, sizeof(k));
	k.a = *a;
	mix_addr_canon(&k.a);
	return bsearch(&k, t->nodes, t->n, sizeof(k), topo_cmp);
}

int
mix_topology_known(const struct mix_topology *t, const struct nodeaddr *a)
{
	if (!t->have)
		return -1;
	return topo_find(t, a) != NULL;
}

int
mix_topology_noise_key(const struct mix_topology *t,
    const struct nodeaddr *a, uint8_t key[NOISE_KEY_LEN], uint8_t *version)
{
	const struct topo_entry	*e;

	if ((e = topo_find(t, a)) == NULL || e->noise_version == 0)
		return 0;
	memcpy(key, e->noise_key, NOISE_KEY_LEN);
	*version = e->noise_version;
	return 1;
}

static int
topo_ip_in(const struct nodeaddr *set, size_t n, const struct nodeaddr *a)
{
	struct nodeaddr	 k = *a;

	/* bsearch() on no array at all is undefined, even for 0 items. */
	if (n == 0)
		return 0;
	mix_addr_canon(&k);
	k.port = 0;
	return bsearch(&k, set, n, sizeof(k), topo_cmp) != NULL;
}

int
mix_topology_noise_ip(const struct mix_topology *t, const struct nodeaddr *a)
{
	return topo_ip_in(t->noise_ips, t->nnoise, a);
}

int
mix_topology_ip_known(const struct mix_topology *t, const struct nodeaddr *a)
{
	return topo_ip_in(t->ips, t->nips, a);
}

static void
topo_node(struct mix_topology *t, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_topology_node	 tn;
	struct topo_entry	*e;

	imsg_need(iev, imsg, &tn, sizeof(tn));
	if (!t->receiving)
		fatalx("TOPOLOGY_NODE from %s outside BEGIN/END", iev->name);
	if (t->nnext == MIXD_TOPOLOGY_MAX)
		fatalx("TOPOLOGY_NODE from %s: more than %d nodes", iev->name,
		    MIXD_TOPOLOGY_MAX);
	if ((tn.family != 4 && tn.family != 6) || tn.port == 0 ||
	    tn.layer > 3)
		fatalx("TOPOLOGY_NODE from %s: family %u port %u layer %u",
		    iev->name, tn.family, tn.port, tn.layer);
	if (t->next == NULL)
		t->next = xreallocarray(NULL, MIXD_TOPOLOGY_MAX, sizeof(*e));
	e = &t->next[t->nnext++];
	memset(e, 0, sizeof(*e));
	e->a.family = tn.family;
	e->a.port = tn.port;
	memcpy(e->a.ip, tn.ip, tn.family == 4 ? 4 : 16);
	mix_addr_canon(&e->a);
	if (tn.noise_version != 0) {
		e->noise_version = tn.noise_version;
		memcpy(e->noise_key, tn.noise_key, sizeof(e->noise_key));
	}
}

/*
 * The IPs (port 0, sorted, unique) of the nodes, all of them or those
 * that announce Noise: for the responder's choice of Noise, and for
 * the mix port's reserve of connections for known nodes.
 */
static void
topo_ip_set(const struct mix_topology *t, int noise_only,
    struct nodeaddr **set, size_t *nset)
{
	size_t	 i, j, n = 0;

	free(*set);
	*set = NULL;
	*nset = 0;
	for (i = j = 0; i < t->n; i++)
		j += !noise_only || t->nodes[i].noise_version != 0;
	if (j == 0)
		return;
	*set = xreallocarray(NULL, j, sizeof(**set));
	for (i = 0; i < t->n; i++) {
		if (noise_only && t->nodes[i].noise_version == 0)
			continue;
		(*set)[n] = t->nodes[i].a;
		(*set)[n++].port = 0;
	}
	qsort(*set, n, sizeof(**set), topo_cmp);
	for (i = j = 0; i < n; i++)
		if (j == 0 || topo_cmp(&(*set)[j - 1], &(*set)[i]) != 0)
			(*set)[j++] = (*set)[i];
	*nset = j;
}

static void
topo_end(struct mix_topology *t, struct mixd *md, struct imsgev *iev,
    struct imsg *imsg)
{
	struct gw_topology_end	 end;
	size_t			 i, j;

	imsg_need(iev, imsg, &end, sizeof(end));
	if (!t->receiving || end.count != t->nnext)
		fatalx("TOPOLOGY_END from %s: count %u, %zu nodes sent",
		    iev->name, end.count, t->nnext);
	if (t->nnext > 0)
		qsort(t->next, t->nnext, sizeof(*t->next), topo_cmp);
	/* One address twice: a Noise key on either copy counts. */
	for (i = j = 0; i < t->nnext; i++)
		if (j == 0 || topo_cmp(&t->next[j - 1], &t->next[i]) != 0)
			t->next[j++] = t->next[i];
		else if (t->next[j - 1].noise_version == 0)
			t->next[j - 1] = t->next[i];
	free(t->nodes);
	t->nodes = j > 0 ? xreallocarray(NULL, j, sizeof(*t->nodes)) : NULL;
	if (j > 0)
		memcpy(t->nodes, t->next, j * sizeof(*t->nodes));
	t->n = j;
	topo_ip_set(t, 1, &t->noise_ips, &t->nnoise);
	topo_ip_set(t, 0, &t->ips, &t->nips);
	t->have = 1;
	t->receiving = 0;
	free(t->next);
	t->next = NULL;
	t->nnext = 0;
	*md->c.topology_nodes = j;
	*md->c.topology_updates += 1;
	log_debug("topology: %zu mix addresses, %zu IPs with Noise (rotation "
	    "%u)", j, t->nnoise, end.current_rotation);
}

int
mixd_dispatch_credd(struct imsgev *iev, struct imsg *imsg)
{
	struct mixd		*md = ((struct worker *)iev->arg)->role;
	struct mix_topology	*t = md->topo;

	switch (imsg->hdr.type) {
	case IMSG_TOPOLOGY_BEGIN:
		if (imsg->datalen != 0 || t->receiving)
			fatalx("TOPOLOGY_BEGIN from %s: bad", iev->name);
		t->receiving = 1;
		t->nnext = 0;
		break;
	case IMSG_TOPOLOGY_NODE:
		topo_node(t, iev, imsg);
		break;
	case IMSG_TOPOLOGY_END:
		topo_end(t, md, iev, imsg);
		break;
	default:
		imsg_unexpected(iev, imsg);
	}
	return 0;
}
