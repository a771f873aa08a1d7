/*
 * The routing filter (spec 5.2, 6.4): packets go only to the mix port of
 * a node credd has seen in the network's topology, unless the config
 * says testnet.  credd sends the whole set each time, between BEGIN and
 * END; the new set replaces the old only when END confirms the count,
 * so a lookup never sees half a topology.  credd is a sibling: anything
 * malformed from it is fatal.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mixd.h"
#include "util.h"

struct mix_topology {
	struct nodeaddr	*nodes;		/* sorted, unique */
	size_t		 n;
	int		 have;		/* a topology has arrived */
	/* being received */
	struct nodeaddr	*next;
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
	free(t->next);
	free(t);
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

int
mix_topology_known(const struct mix_topology *t, const struct nodeaddr *a)
{
	struct nodeaddr	 k;

	if (!t->have)
		return -1;
	/* Compare in a canonical form: no bytes past the family's IP. */
	memset(&k, 0, sizeof(k));
	k.family = a->family;
	k.port = a->port;
	memcpy(k.ip, a->ip, a->family == 4 ? 4 : 16);
	return bsearch(&k, t->nodes, t->n, sizeof(k), topo_cmp) != NULL;
}

static void
topo_node(struct mix_topology *t, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_topology_node	 tn;
	struct nodeaddr		*a;

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
		t->next = xreallocarray(NULL, MIXD_TOPOLOGY_MAX, sizeof(*a));
	a = &t->next[t->nnext++];
	memset(a, 0, sizeof(*a));
	a->family = tn.family;
	a->port = tn.port;
	memcpy(a->ip, tn.ip, tn.family == 4 ? 4 : 16);
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
	for (i = j = 0; i < t->nnext; i++)
		if (j == 0 || topo_cmp(&t->next[j - 1], &t->next[i]) != 0)
			t->next[j++] = t->next[i];
	free(t->nodes);
	t->nodes = j > 0 ? xreallocarray(NULL, j, sizeof(*t->nodes)) : NULL;
	if (j > 0)
		memcpy(t->nodes, t->next, j * sizeof(*t->nodes));
	t->n = j;
	t->have = 1;
	t->receiving = 0;
	free(t->next);
	t->next = NULL;
	t->nnext = 0;
	*md->c.topology_nodes = j;
	*md->c.topology_updates += 1;
	log_debug("topology: %zu mix addresses (rotation %u)", j,
	    end.current_rotation);
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
