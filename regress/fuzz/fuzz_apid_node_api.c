/* The node HTTP API's request parser and router on arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apid/node_api.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct node_api_resp	 r;
	struct node_api			 api = { .hostinfo = "{}",
					    .ws_port = 9000 };
	char				 m[16], p[1024];
	size_t				 used;

	if (node_api_parse((const char *)data, len, m, sizeof(m), p,
	    sizeof(p), &used) == 1) {
		if (used > len || strlen(m) >= sizeof(m) ||
		    strlen(p) >= sizeof(p))
			abort();
		node_api_route(&api, m, p, 0, &r);
		if (r.len >= sizeof(r.body))
			abort();
	}
	return 0;
}
