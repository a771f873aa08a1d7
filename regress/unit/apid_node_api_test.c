/*
 * The node HTTP API's routes answer JSON with the fields nym-api reads
 * (client-protocol.md 8.1), and the request parser refuses what it must.
 */
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "apid/node_api.h"
#include "testlib.h"

static json_t *
get(const struct node_api *api, const char *path, int *status)
{
	struct node_api_resp	 r;
	json_error_t		 err;

	node_api_route(api, "GET", path, NULL, 1000, &r);
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
	    NULL, 1000, &r);
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

	T_BEGIN("unknown routes 404, other methods 405");
	j = get(&api, "/api/v1/nope", &st);
	CHECK(st == 404 && j != NULL);
	json_decref(j);
	node_api_route(&api, "POST", "/api/v1/health", NULL, 1000, &r);
	CHECK(r.status == 405);
	T_END();

	/* nym-node: no token, no route (nym-node/src/node/http/router/
	 * api/v1/metrics/mod.rs); a wrong or missing bearer is 401
	 * (common/http-api-common/src/middleware/bearer_auth.rs). */
	T_BEGIN("no metrics.access_token: Prometheus routes are 404");
	node_api_route(&api, "GET", "/metrics", "Bearer x", 1000, &r);
	CHECK(r.status == 404 && r.metrics == 0);
	node_api_route(&api, "GET", "/api/v1/metrics/prometheus", NULL,
	    1000, &r);
	CHECK(r.status == 404 && r.metrics == 0);
	T_END();

	T_BEGIN("a token: only Bearer <it> is served, the rest is 401");
	api.metrics_token_set = 1;
	crypto_generichash(api.metrics_token_hash,
	    sizeof(api.metrics_token_hash), (const uint8_t *)"s3cret", 6,
	    NULL, 0);
	node_api_route(&api, "GET", "/metrics", "Bearer s3cret", 1000, &r);
	CHECK(r.status == 200 && r.metrics == 1);
	node_api_route(&api, "HEAD", "/api/v1/metrics/prometheus?x",
	    "Bearer s3cret", 1000, &r);
	CHECK(r.status == 200 && r.metrics == 1);
	{
		static const char *bad[] = { NULL, "", "Bearer", "Bearer ",
		    "Bearer s3cre", "Bearer s3cret ", "Bearer s3cretx",
		    "bearer s3cret", "Basic s3cret", "s3cret",
		    "Bearer  s3cret" };
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			node_api_route(&api, "GET", "/metrics", bad[i], 1000,
			    &r);
			CHECKF(r.status == 401 && r.metrics == 0, "%s",
			    bad[i] == NULL ? "(none)" : bad[i]);
		}
	}
	api.metrics_token_set = 0;
	T_END();

	T_BEGIN("headers: found case-insensitively, trimmed, once");
	{
		const char *h = "GET / HTTP/1.1\r\nHost: x\r\n"
		    "authorization:  \tBearer a b \r\nX: y\r\n\r\n";
		const char *h2 = "GET / HTTP/1.1\r\nAuthorization: a\r\n"
		    "Authorization: b\r\n\r\n";
		const char *h3 = "GET / HTTP/1.1\r\nX-Authorization: a\r\n"
		    "Authorization : b\r\n\r\n";
		char v[16];

		CHECK(node_api_parse(h, strlen(h), m, sizeof(m), p,
		    sizeof(p), &used) == 1);
		CHECK(node_api_header(h, used, "Authorization", v,
		    sizeof(v)) == 1 && strcmp(v, "Bearer a b") == 0);
		CHECK(node_api_header(h, used, "X", v, sizeof(v)) == 1 &&
		    strcmp(v, "y") == 0);
		CHECK(node_api_header(h, used, "Cookie", v, sizeof(v)) == 0);
		CHECK(node_api_header(h, used, "Authorization", v, 10) == -1);
		CHECK(node_api_header(h2, strlen(h2), "authorization", v,
		    sizeof(v)) == -1);
		CHECK(node_api_header(h3, strlen(h3), "Authorization", v,
		    sizeof(v)) == 0);
	}
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
