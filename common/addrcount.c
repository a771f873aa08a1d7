/*
 * Live connection counts per address: see addrcount.h.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "addrcount.h"
#include "util.h"

struct addrcount_entry {
	struct addrkey		 k;
	uint32_t		 n;
	struct addrcount_entry	*next;
};

void
addrcount_init(struct addrcount *t)
{
	memset(t, 0, sizeof(*t));
	randombytes_buf(t->key, sizeof(t->key));
}

static struct addrcount_entry **
addrcount_slot(const struct addrcount *t, const struct addrkey *k)
{
	struct addrcount_entry	**pp;
	uint8_t			 h[crypto_shorthash_BYTES];
	uint64_t		 v;

	crypto_shorthash(h, k->b, sizeof(k->b), t->key);
	memcpy(&v, h, sizeof(v));
	pp = (struct addrcount_entry **)(uintptr_t)&t->b[v %
	    ADDRCOUNT_BUCKETS];
	for (; *pp != NULL; pp = &(*pp)->next)
		if (addrkey_eq(&(*pp)->k, k))
			break;
	return pp;
}

int
addrcount_acquire(struct addrcount *t, const struct addrkey *k, uint32_t max)
{
	struct addrcount_entry	**pp = addrcount_slot(t, k), *e;

	if ((e = *pp) == NULL) {
		if (max == 0)
			return -1;
		e = xcalloc(1, sizeof(*e));
		e->k = *k;
		*pp = e;
		t->entries++;
	}
	if (e->n >= max)
		return -1;
	e->n++;
	return 0;
}

void
addrcount_release(struct addrcount *t, const struct addrkey *k)
{
	struct addrcount_entry	**pp = addrcount_slot(t, k), *e;

	if ((e = *pp) == NULL)
		return;
	if (--e->n == 0) {
		*pp = e->next;
		free(e);
		t->entries--;
	}
}

uint32_t
addrcount_get(const struct addrcount *t, const struct addrkey *k)
{
	struct addrcount_entry	*e = *addrcount_slot(t, k);

	return e != NULL ? e->n : 0;
}
