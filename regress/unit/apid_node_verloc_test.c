/*
 * /api/v1/metrics/verloc from verlocd's runs (apid/node_verloc.c):
 * nym-node's VerlocStats, field for field (doc/spec/verloc.md 6), from
 * chunks that must come in order.
 */
#include <stdlib.h>
#include <string.h>

#include "apid/node_verloc.h"
#include "testlib.h"

static size_t
results(uint8_t *buf, uint32_t run, uint32_t state, uint32_t total,
    uint32_t first, const struct gw_verloc_result *e, uint32_t n)
{
	struct gw_verloc_results	 h;

	memset(&h, 0, sizeof(h));
	h.run = run;
	h.state = state;
	h.started_us = 1767225600000000LL + 250000;	/* 2026-01-01 */
	h.finished_us = state == GW_VERLOC_FINISHED ?
	    1767225660000000LL : 0;
	h.nodes_tested = 3;
	h.total = total;
	h.first = first;
	h.n = n;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), e, n * sizeof(*e));
	return sizeof(h) + n * sizeof(*e);
}

int
main(void)
{
	static uint8_t		 buf[sizeof(struct gw_verloc_results) +
				    4 * sizeof(struct gw_verloc_result)];
	struct gw_verloc_result	 e[2];
	struct node_verloc	 nv;
	size_t			 len;
	const char		*want;

	node_verloc_init(&nv);
	T_BEGIN("before any run: both unavailable");
	CHECK(strcmp(nv.json, "{\"previous\":\"unavailable\","
	    "\"current\":\"unavailable\"}") == 0);
	T_END();

	T_BEGIN("a run under way: current in progress, previous unavailable");
	len = results(buf, 1, GW_VERLOC_RUNNING, 0, 0, e, 0);
	CHECK(node_verloc_feed(&nv, buf, len) == 0);
	len = results(buf, 0, GW_VERLOC_RUNNING, 0, 0, e, 0);
	CHECK(node_verloc_feed(&nv, buf, len) == 0);
	CHECK(strcmp(nv.json, "{\"previous\":\"unavailable\","
	    "\"current\":\"measurementInProgress\"}") == 0);
	T_END();

	memset(e, 0, sizeof(e));
	memset(e[0].identity, 0, 31);
	e[0].identity[31] = 1;
	e[0].measured = 1;
	e[0].minimum_us = 1250;
	e[0].mean_us = 2000;
	e[0].maximum_us = 1001000;
	e[0].stddev_us = 0;
	e[1].identity[31] = 1;
	T_BEGIN("a finished run in two chunks: the data, a failed node null");
	len = results(buf, 1, GW_VERLOC_FINISHED, 2, 0, e, 1);
	CHECK(node_verloc_feed(&nv, buf, len) == 0);
	CHECK(strstr(nv.json, "measurementInProgress") != NULL);
	len = results(buf, 1, GW_VERLOC_FINISHED, 2, 1, e + 1, 1);
	CHECK(node_verloc_feed(&nv, buf, len) == 0);
	want = "{\"previous\":\"unavailable\",\"current\":{\"data\":{"
	    "\"nodes_tested\":3,\"run_started\":\"2026-01-01T00:00:00.25Z\","
	    "\"run_finished\":\"2026-01-01T00:01:00Z\",\"results\":["
	    "{\"node_identity\":\"11111111111111111111111111111112\","
	    "\"latest_measurement\":{\"minimum\":\"1ms 250us\","
	    "\"mean\":\"2ms\",\"maximum\":\"1s 1ms\","
	    "\"standard_deviation\":\"0s\"}},"
	    "{\"node_identity\":\"11111111111111111111111111111112\","
	    "\"latest_measurement\":null}]}}}";
	CHECKF(strcmp(nv.json, want) == 0, "%s", nv.json);
	CHECK(nv.len == strlen(want));
	T_END();

	T_BEGIN("chunks out of order, bad states and counts: refused");
	len = results(buf, 1, GW_VERLOC_FINISHED, 2, 1, e, 1);
	CHECK(node_verloc_feed(&nv, buf, len) == -1);
	len = results(buf, 2, GW_VERLOC_FINISHED, 0, 0, e, 0);
	CHECK(node_verloc_feed(&nv, buf, len) == -1);
	len = results(buf, 1, 7, 0, 0, e, 0);
	CHECK(node_verloc_feed(&nv, buf, len) == -1);
	len = results(buf, 1, GW_VERLOC_FINISHED, 4, 0, e, 2);
	CHECK(node_verloc_feed(&nv, buf, len) == -1);	/* > nodes_tested */
	len = results(buf, 1, GW_VERLOC_FINISHED, 2, 0, e, 2);
	CHECK(node_verloc_feed(&nv, buf, len - 1) == -1);
	len = results(buf, 0, GW_VERLOC_NONE, 1, 0, e, 1);
	CHECK(node_verloc_feed(&nv, buf, len) == -1);
	T_END();
	node_verloc_free(&nv);
	return t_done();
}
