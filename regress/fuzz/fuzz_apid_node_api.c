/*
 * The node HTTP API's request parser, header lookup (the bearer token)
 * and router on arbitrary bytes, with a token configured so the
 * Prometheus route's check runs too.
 */
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
					    .ws_port = 9000,
					    .metrics_token_set = 1 };
	char				 m[16], p[1024], a[512];
	size_t				 used;
	int				 ha;

	if (node_api_parse((const char *)data, len, m, sizeof(m), p,
	    sizeof(p), &used) == 1) {
		if (used > len || strlen(m) >= sizeof(m) ||
		    strlen(p) >= sizeof(p))
			abort();
		ha = node_api_header((const char *)data, used,
		    "Authorization", a, sizeof(a));
		if (ha == 1 && strlen(a) >= sizeof(a))
			abort();
		node_api_route(&api, m, p, ha == 1 ? a : NULL, 0, &r);
		if (r.len >= sizeof(r.body))
			abort();
	}
	return 0;
}
