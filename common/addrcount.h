/*
 * Connections per address (addrkey.h), for the per-address caps of
 * every listener: a hash table of live counts, entries freed at zero.
 * Buckets are chosen by SipHash under a random key per table, so a peer
 * cannot aim its addresses at one bucket.
 */
#ifndef GW_ADDRCOUNT_H
#define GW_ADDRCOUNT_H

#include <stdint.h>

#include <sodium.h>

#include "addrkey.h"

#define ADDRCOUNT_BUCKETS	4096

struct addrcount_entry;

struct addrcount {
	struct addrcount_entry	*b[ADDRCOUNT_BUCKETS];
	uint8_t			 key[crypto_shorthash_KEYBYTES];
	uint64_t		 entries;
};

void	addrcount_init(struct addrcount *);
/* One more for k unless it has max already: 0, or -1 (refused). */
int	addrcount_acquire(struct addrcount *, const struct addrkey *,
	    uint32_t max);
void	addrcount_release(struct addrcount *, const struct addrkey *);
uint32_t addrcount_get(const struct addrcount *, const struct addrkey *);

#endif
