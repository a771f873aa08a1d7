/*
 * The node list as the master relays it from credd (verlocd.h): chunks
 * of fixed-size entries.  credd is a sibling we do not trust, so every
 * entry is checked again here: a usable family, a port, a key that is
 * a point and is not our own.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "util.h"
#include "verlocd.h"

void
vl_list_clear(struct vl_list *l)
{
	free(l->t);
	memset(l, 0, sizeof(*l));
}

static int
vl_entry_usable(const struct gw_verloc_node *e,
    const uint8_t self[VERLOC_KEY_LEN])
{
	if ((e->family != 4 && e->family != 6) || e->port == 0)
		return 0;
	if (crypto_core_ed25519_is_valid_point(e->identity) != 1)
		return 0;
	return memcmp(e->identity, self, VERLOC_KEY_LEN) != 0;
}

int
vl_list_feed(struct vl_list *l, const void *data, size_t len,
    const uint8_t self[VERLOC_KEY_LEN])
{
	struct gw_verloc_nodes	 h;
	struct gw_verloc_node	 e;
	const uint8_t		*p = data;
	uint32_t		 i;

	if (len < sizeof(h))
		return -1;
	memcpy(&h, p, sizeof(h));
	if (h.n > GW_VERLOC_CHUNK || len != sizeof(h) + (size_t)h.n *
	    sizeof(e) || h.total > GW_VERLOC_NODES_MAX ||
	    h.first > h.total || h.n > h.total - h.first)
		return -1;
	if (h.first == 0) {
		/* A new list replaces whatever was arriving. */
		vl_list_clear(l);
		l->active = 1;
		l->total = h.total;
		l->ok = h.ok != 0;
		if (!l->ok && h.total != 0)
			return -1;
		l->t = xcalloc(h.total ? h.total : 1, sizeof(*l->t));
	} else if (!l->active || h.total != l->total || h.first != l->got ||
	    (h.ok != 0) != l->ok)
		return -1;
	for (i = 0; i < h.n; i++) {
		/* The bytes as they came: no alignment promised. */
		memcpy(&e, p + sizeof(h) + (size_t)i * sizeof(e), sizeof(e));
		if (!vl_entry_usable(&e, self)) {
			l->skipped++;
			continue;
		}
		memcpy(l->t[l->n].identity, e.identity, VERLOC_KEY_LEN);
		memcpy(l->t[l->n].ip, e.ip, sizeof(e.ip));
		l->t[l->n].family = e.family;
		l->t[l->n].port = e.port;
		l->n++;
	}
	l->got += h.n;
	if (l->got < l->total)
		return 0;
	l->active = 0;
	return 1;
}
