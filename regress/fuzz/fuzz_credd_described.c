/*
 * credd's parser of nym-api's described nodes (credd/described.c): the
 * answer is hostile, so no input may crash it, leak, read past its
 * length or put more than max nodes, or an unusable one, in the list.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "credd/credd.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct gw_verloc_node	 out[17];
	uint8_t				 self[32];
	uint64_t			 total;
	size_t				 n = 0, i;
	char				*s;

	/* Text with a length: no NUL, and ASan sees a read past it. */
	s = malloc(len ? len : 1);
	memcpy(s, data, len);
	memset(self, 5, sizeof(self));
	memset(out, 0xaa, sizeof(out));
	if (described_parse(s, len, self, out, &n, 16, &total) >= 0) {
		if (n > 16)
			abort();
		for (i = 0; i < n; i++)
			if ((out[i].family != 4 && out[i].family != 6) ||
			    out[i].port == 0 ||
			    memcmp(out[i].identity, self, 32) == 0)
				abort();
	}
	/* The guard entry past max is never written. */
	if (out[16].family != 0xaa)
		abort();
	free(s);
	return 0;
}
