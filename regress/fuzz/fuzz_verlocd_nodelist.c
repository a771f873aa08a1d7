/*
 * verlocd's intake of the node list the master relays from credd
 * (verlocd/nodelist.c), chunk by chunk.  The input is a sequence of
 * payloads, each a length byte pair then bytes;
 * a payload that breaks the contract may only be refused, and a list
 * once complete holds only usable entries.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "verlocd/verlocd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int		 init;
	struct vl_list		 l;
	uint8_t			 self[32], *p;
	size_t			 n, i;
	int			 rv;

	if (!init && sodium_init() == -1)
		abort();
	init = 1;
	memset(self, 0, sizeof(self));
	memset(&l, 0, sizeof(l));
	while (len >= 2) {
		n = (size_t)data[0] << 8 | data[1];
		data += 2;
		len -= 2;
		if (n > len)
			n = len;
		/* A copy of exactly n bytes, so ASan sees any overread. */
		p = malloc(n ? n : 1);
		memcpy(p, data, n);
		rv = vl_list_feed(&l, p, n, self);
		free(p);
		data += n;
		len -= n;
		if (rv == -1)
			break;
		if (rv == 1) {
			if (l.n > l.total || l.n > GW_VERLOC_NODES_MAX)
				abort();
			for (i = 0; i < l.n; i++)
				if (l.t[i].port == 0 || (l.t[i].family != 4 &&
				    l.t[i].family != 6) ||
				    memcmp(l.t[i].identity, self, 32) == 0)
					abort();
		}
	}
	vl_list_clear(&l);
	return 0;
}
