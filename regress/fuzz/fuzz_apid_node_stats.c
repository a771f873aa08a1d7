/*
 * libFuzzer harness for what apid builds nym-node's statistics routes
 * from (apid/node_stats.c): clientd's day as the master relays it, a
 * load sample, and status records.  The first byte picks which; the
 * answer must stay one JSON object whatever arrives.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "apid/node_stats.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
must_parse(const char *s, size_t len)
{
	json_error_t	 err;
	json_t		*j = json_loadb(s, len, 0, &err);

	if (!json_is_object(j))
		abort();
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct metrics_proc	 procs[2];
	struct gw_node_load		 l;
	struct node_stats		 st;
	size_t				 n = 0;

	if (size < 1)
		return 0;
	node_stats_init(&st, 1700000000);
	switch (data[0] % 3) {
	case 0:
		if (node_stats_sessions(&st, data + 1, size - 1) == 0)
			must_parse(st.sessions, st.sessions_len);
		break;
	case 1:
		memset(&l, 0, sizeof(l));
		memcpy(&l, data + 1, size - 1 < sizeof(l) ? size - 1 :
		    sizeof(l));
		node_stats_load(&st, &l);
		must_parse(st.load, strlen(st.load));
		break;
	default:
		if (metrics_proc_decode(data + 1, size - 1, &procs[0]) == 0)
			n = 1;
		node_stats_counters(&st, procs, n, 1700000030);
		node_stats_counters(&st, procs, n, 1700000060);
		must_parse(st.packets, strlen(st.packets));
		must_parse(st.mixing, strlen(st.mixing));
		break;
	}
	node_stats_free(&st);
	return 0;
}
