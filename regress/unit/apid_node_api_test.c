/*
 * The node HTTP API's routes answer JSON with the fields nym-api reads
 * (client-protocol.md 8.1), and the request parser refuses what it must.
 */
#include <string.h>

#include <jansson.h>

#include "apid/node_api.h"
#include "testlib.h"

static json_t *
get(const struct node_api *api, const char *path, int *status)
{
	struct node_api_resp	 r;
	json_error_t		 err;

	node_api_route(api, "GET", path, 1000, &r);
	*status = r.status;
	return json_loadb(r.body, r.len, 0, &err);
}

static int
has(json_t *o, const char *k)
{
	return json_object_get(o, k) != NULL;
}

int
main(void)
{
	struct node_api		 api = { .hostinfo = "{\"data\":{},"
				    "\"signature\":\"x\"}", .started = 900,
				    .ws_port = 9000, .wss_port = 0,
				    .enforce_zk_nyms = 1 };
	struct node_api_resp	 r;
	json_t			*j;
	char			 m[16], p[256];
	size_t			 used;
	int			 st;

	T_BEGIN("health: status up and uptime");
	j = get(&api, "/api/v1/health", &st);
	CHECK(st == 200 && j != NULL);
	CHECK(strcmp(json_string_value(json_object_get(j, "status")), "up")
	    == 0);
	CHECK(json_integer_value(json_object_get(j, "uptime")) == 100);
	json_decref(j);
	T_END();

	T_BEGIN("host-information is the master's signed document");
	node_api_route(&api, "GET", "/api/v1/host-information?output=json",
	    1000, &r);
	CHECK(r.status == 200 && strcmp(r.body, api.hostinfo) == 0);
	T_END();

	T_BEGIN("build-information has nym-node's fields");
	j = get(&api, "/api/v1/build-information", &st);
	CHECK(st == 200 && j != NULL);
	CHECK(has(j, "binary_name") && has(j, "build_timestamp") &&
	    has(j, "build_version") && has(j, "commit_sha") &&
	    has(j, "commit_timestamp") && has(j, "commit_branch") &&
	    has(j, "rustc_version") && has(j, "rustc_channel") &&
	    has(j, "cargo_profile") && has(j, "cargo_triple"));
	json_decref(j);
	T_END();

	T_BEGIN("roles: a gateway, no mixnode, no exit services");
	j = get(&api, "/api/v1/roles", &st);
	CHECK(st == 200 && j != NULL);
	CHECK(json_is_false(json_object_get(j, "mixnode_enabled")));
	CHECK(json_is_true(json_object_get(j, "gateway_enabled")));
	CHECK(json_is_false(json_object_get(j, "network_requester_enabled")));
	CHECK(json_is_false(json_object_get(j, "ip_packet_router_enabled")));
	json_decref(j);
	T_END();

	T_BEGIN("mixnet-websockets: ws_port and a null wss_port");
	j = get(&api, "/api/v1/gateway/client-interfaces/mixnet-websockets",
	    &st);
	CHECK(st == 200 && j != NULL);
	CHECK(json_integer_value(json_object_get(j, "ws_port")) == 9000);
	CHECK(json_is_null(json_object_get(j, "wss_port")));
	json_decref(j);
	T_END();

	T_BEGIN("auxiliary-details and gateway have their fields");
	j = get(&api, "/api/v1/auxiliary-details", &st);
	CHECK(st == 200 && j != NULL && has(j, "location") &&
	    json_is_object(json_object_get(j, "announce_ports")) &&
	    has(j, "accepted_operator_terms_and_conditions"));
	/* No verloc listener: null, which Nym reads as 1790. */
	CHECK(json_is_null(json_object_get(json_object_get(j,
	    "announce_ports"), "verloc_port")));
	json_decref(j);
	api.verloc_port = 1790;
	j = get(&api, "/api/v1/auxiliary-details", &st);
	CHECK(st == 200 && json_integer_value(json_object_get(
	    json_object_get(j, "announce_ports"), "verloc_port")) == 1790);
	json_decref(j);
	api.verloc_port = 0;
	/* nym-node's VerlocStats with no run of ours: both "unavailable". */
	j = get(&api, "/api/v1/metrics/verloc", &st);
	CHECK(st == 200 && j != NULL && json_object_size(j) == 2 &&
	    !strcmp(json_string_value(json_object_get(j, "previous")) ?: "",
	    "unavailable") &&
	    !strcmp(json_string_value(json_object_get(j, "current")) ?: "",
	    "unavailable"));
	json_decref(j);
	j = get(&api, "/api/v1/gateway", &st);
	CHECK(st == 200 && j != NULL);
	CHECK(json_is_true(json_object_get(j, "enforces_zk_nyms")));
	CHECK(json_integer_value(json_object_get(json_object_get(
	    json_object_get(j, "client_interfaces"), "mixnet_websockets"),
	    "ws_port")) == 9000);
	json_decref(j);
	T_END();

	T_BEGIN("unknown routes 404, other methods 405, /metrics deferred");
	j = get(&api, "/api/v1/nope", &st);
	CHECK(st == 404 && j != NULL);
	json_decref(j);
	node_api_route(&api, "POST", "/api/v1/health", 1000, &r);
	CHECK(r.status == 405);
	node_api_route(&api, "GET", "/metrics", 1000, &r);
	CHECK(r.metrics == 1);
	T_END();

	T_BEGIN("request parser: complete, partial and malformed heads");
	CHECK(node_api_parse("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n",
	    40, m, sizeof(m), p, sizeof(p), &used) == 1);
	CHECK(strcmp(m, "GET") == 0 && strcmp(p, "/api/v1/health") == 0 &&
	    used == 40);
	CHECK(node_api_parse("GET /api/v1/health HTTP/1.1\r\nHo", 32, m,
	    sizeof(m), p, sizeof(p), &used) == 0);
	CHECK(node_api_parse("GET  HTTP/1.1\r\n\r\n", 17, m, sizeof(m), p,
	    sizeof(p), &used) == -1);
	CHECK(node_api_parse("GET x HTTP/1.1\r\n\r\n", 18, m, sizeof(m), p,
	    sizeof(p), &used) == -1);
	CHECK(node_api_parse("GET / HTTP/2.0\r\n\r\n", 18, m, sizeof(m), p,
	    sizeof(p), &used) == -1);
	CHECK(node_api_parse("G(T / HTTP/1.1\r\n\r\n", 18, m, sizeof(m), p,
	    sizeof(p), &used) == -1);
	CHECK(node_api_parse("GET /\x01 HTTP/1.1\r\n\r\n", 19, m, sizeof(m),
	    p, sizeof(p), &used) == -1);
	T_END();
	return t_done();
}
