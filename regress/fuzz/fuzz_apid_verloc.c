/*
 * apid's intake of verlocd's runs as the master relays them
 * (apid/node_verloc.c): a sequence of payloads (a length byte pair,
 * then bytes).  None may crash or leak; the text served stays one JSON
 * object with nym-node's two fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apid/node_verloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct node_verloc	 nv;
	uint8_t			*p;
	size_t			 n;

	node_verloc_init(&nv);
	while (len >= 2) {
		n = (size_t)data[0] << 8 | data[1];
		data += 2;
		len -= 2;
		if (n > len)
			n = len;
		p = malloc(n ? n : 1);
		memcpy(p, data, n);
		if (node_verloc_feed(&nv, p, n) == -1) {
			free(p);
			break;
		}
		free(p);
		data += n;
		len -= n;
	}
	if (nv.json == NULL || nv.len != strlen(nv.json) ||
	    strncmp(nv.json, "{\"previous\":", 12) != 0 ||
	    nv.json[nv.len - 1] != '}')
		abort();
	node_verloc_free(&nv);
	return 0;
}
