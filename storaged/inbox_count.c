/*
 * Messages waiting per client, in memory: the per-client cap is checked
 * on every store, and a database walk per store would cost more than
 * the store.  Rebuilt from the database at start-up.  Open addressing
 * with linear probing and backward-shift deletion (no tombstones).
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "storaged.h"
#include "util.h"

struct inbox_slot {
	uint8_t		 id[GW_CLIENT_ID_LEN];
	uint32_t	 count;		/* 0: empty slot */
};

struct inbox_counts {
	struct inbox_slot	*slots;
	size_t			 cap;	/* power of two */
	size_t			 used;
	uint64_t		 total;
};

static size_t
slot_hash(const uint8_t *id, size_t cap)
{
	uint64_t	 h;

	/* Identities are public keys: their bytes are already uniform. */
	memcpy(&h, id, sizeof(h));
	return (size_t)(h * 0x9e3779b97f4a7c15ULL >> 7) & (cap - 1);
}

struct inbox_counts *
inbox_counts_new(void)
{
	struct inbox_counts	*ic = xcalloc(1, sizeof(*ic));

	ic->cap = 1024;
	ic->slots = xcalloc(ic->cap, sizeof(*ic->slots));
	return ic;
}

void
inbox_counts_free(struct inbox_counts *ic)
{
	if (ic == NULL)
		return;
	free(ic->slots);
	free(ic);
}

void
inbox_counts_clear(struct inbox_counts *ic)
{
	memset(ic->slots, 0, ic->cap * sizeof(*ic->slots));
	ic->used = 0;
	ic->total = 0;
}

static struct inbox_slot *
slot_find(const struct inbox_counts *ic, const uint8_t *id)
{
	size_t	 i = slot_hash(id, ic->cap);

	for (;;) {
		struct inbox_slot *s = &ic->slots[i];
		if (s->count == 0 ||
		    memcmp(s->id, id, GW_CLIENT_ID_LEN) == 0)
			return s;
		i = (i + 1) & (ic->cap - 1);
	}
}

static void
counts_grow(struct inbox_counts *ic)
{
	struct inbox_slot	*old = ic->slots;
	size_t			 oldcap = ic->cap, i;

	ic->cap *= 2;
	ic->slots = xcalloc(ic->cap, sizeof(*ic->slots));
	for (i = 0; i < oldcap; i++)
		if (old[i].count != 0)
			*slot_find(ic, old[i].id) = old[i];
	free(old);
}

uint32_t
inbox_counts_get(const struct inbox_counts *ic, const uint8_t *id)
{
	return slot_find(ic, id)->count;
}

static void
slot_remove(struct inbox_counts *ic, struct inbox_slot *s)
{
	size_t	 i = (size_t)(s - ic->slots), j = i, k;

	/* Shift later members of the cluster back into the hole. */
	for (;;) {
		j = (j + 1) & (ic->cap - 1);
		if (ic->slots[j].count == 0)
			break;
		k = slot_hash(ic->slots[j].id, ic->cap);
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && (k <= i && k > j))) {
			ic->slots[i] = ic->slots[j];
			i = j;
		}
	}
	memset(&ic->slots[i], 0, sizeof(ic->slots[i]));
	ic->used--;
}

void
inbox_counts_add(struct inbox_counts *ic, const uint8_t *id, int32_t d)
{
	struct inbox_slot	*s;

	if (d > 0 && (ic->used + 1) * 10 > ic->cap * 7)
		counts_grow(ic);
	s = slot_find(ic, id);
	if (s->count == 0) {
		if (d <= 0)
			return;
		memcpy(s->id, id, GW_CLIENT_ID_LEN);
		ic->used++;
	}
	if (d < 0 && (uint32_t)-d >= s->count) {
		ic->total -= s->count;
		slot_remove(ic, s);
		return;
	}
	s->count = (uint32_t)((int64_t)s->count + d);
	ic->total = (uint64_t)((int64_t)ic->total + d);
}

size_t
inbox_counts_clients(const struct inbox_counts *ic)
{
	return ic->used;
}

uint64_t
inbox_counts_total(const struct inbox_counts *ic)
{
	return ic->total;
}
