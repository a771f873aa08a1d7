/*
 * The node API's routes and its request-line parser (node_api.h):
 * pure functions, so the unit test and the fuzzer reach every byte.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "buildinfo.h"
#include "node_api.h"

static void
resp_json(struct node_api_resp *r, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
resp_json(struct node_api_resp *r, int status, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(r->body, sizeof(r->body), fmt, ap);
	va_end(ap);
	r->status = status;
	r->len = n < 0 ? 0 : (size_t)n >= sizeof(r->body) ?
	    sizeof(r->body) - 1 : (size_t)n;
}

/* Nym reads a null verloc_port as 1790 (nym-api-requests
 * models/described/v1.rs verloc_port): give ours whenever we listen. */
static void
node_api_auxiliary(const struct node_api *api, struct node_api_resp *r)
{
	char	 vp[8] = "null";

	if (api->verloc_port != 0)
		snprintf(vp, sizeof(vp), "%u", api->verloc_port);
	resp_json(r, 200, "{\"location\":null,\"announce_ports\":"
	    "{\"verloc_port\":%s,\"mix_port\":null},"
	    "\"accepted_operator_terms_and_conditions\":%s}", vp,
	    api->accept_terms ? "true" : "false");
}

/* nym-node's VerlocStats (doc/spec/verloc.md 6), kept ready by
 * node_verloc.c from verlocd's runs. */
static void
node_api_verloc(const struct node_api *api, struct node_api_resp *r)
{
	if (api->verloc == NULL || api->verloc->json == NULL) {
		resp_json(r, 200, "{\"previous\":\"unavailable\","
		    "\"current\":\"unavailable\"}");
		return;
	}
	r->status = 200;
	r->ext = api->verloc->json;
	r->extlen = api->verloc->len;
}

static void
route_port(char *buf, size_t len, uint16_t port)
{
	if (port == 0)
		snprintf(buf, len, "null");
	else
		snprintf(buf, len, "%u", port);
}

/*
 * nym-node's BinaryBuildInformationOwned, field for field
 * (common/bin-common/src/build_information/mod.rs), filled from the
 * build (mk/buildinfo.sh).  binary_name is ours: nym-api scores any
 * other name than "nym-node" 0 (README, gatewayd(8)), and saying
 * nym-node would be a lie the directory has no way to catch.
 */
static void
route_build_information(struct node_api_resp *r)
{
	resp_json(r, 200, "{\"binary_name\":\"gatewayd\","
	    "\"build_timestamp\":\"%s\",\"build_version\":\"%s\","
	    "\"commit_sha\":\"%s\",\"commit_timestamp\":\"%s\","
	    "\"commit_branch\":\"%s\",\"rustc_version\":\"none (C11)\","
	    "\"rustc_channel\":\"none\",\"cargo_profile\":\"release\","
	    "\"cargo_triple\":\"%s\"}", gw_build_timestamp, GW_VERSION,
	    gw_build_commit_sha, gw_build_commit_timestamp,
	    gw_build_commit_branch, gw_build_target);
}

/*
 * nym-node's bearer check (nym: common/http-api-common/src/middleware/
 * bearer_auth.rs): "Bearer <token>" or nothing; every failure is 401.
 * Both sides hashed, so the compare takes the same time whatever the
 * length or content of the guess.
 */
static int
metrics_authorized(const struct node_api *api, const char *authz)
{
	uint8_t		 h[32];
	int		 rv;

	if (authz == NULL || strncmp(authz, "Bearer ", 7) != 0 ||
	    authz[7] == '\0')
		return 0;
	crypto_generichash(h, sizeof(h), (const uint8_t *)authz + 7,
	    strlen(authz + 7), NULL, 0);
	rv = sodium_memcmp(h, api->metrics_token_hash, sizeof(h)) == 0;
	sodium_memzero(h, sizeof(h));
	return rv;
}

/* nym-node's statistics routes (node_stats.h); 1 if path was one. */
static int
route_stats(const struct node_api *api, const char *path, size_t plen,
    struct node_api_resp *r)
{
	const struct node_stats	*st = api->stats;
	const char		*small = NULL;

#define IS(p)	(plen == sizeof(p) - 1 && strncmp(path, p, plen) == 0)
	if (!IS("/api/v1/load") && !IS("/api/v1/metrics/packets-stats") &&
	    !IS("/api/v1/metrics/mixing") && !IS("/api/v1/metrics/sessions"))
		return 0;
	if (st == NULL) {
		resp_json(r, 503, "{\"error\":\"not ready\"}");
		return 1;
	}
	if (IS("/api/v1/load"))
		small = st->load;
	else if (IS("/api/v1/metrics/packets-stats"))
		small = st->packets;
	else if (IS("/api/v1/metrics/mixing"))
		small = st->mixing;
	else {
		r->status = 200;
		r->ext = st->sessions;
		r->extlen = st->sessions_len;
		return 1;
	}
#undef IS
	resp_json(r, 200, "%s", small);
	return 1;
}

void
node_api_route(const struct node_api *api, const char *method,
    const char *path, const char *authz, time_t now,
    struct node_api_resp *r)
{
	char	 wss[8];
	size_t	 plen = strcspn(path, "?#");	/* nym-api adds ?output= */

	memset(r, 0, sizeof(*r));
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		resp_json(r, 405, "{\"error\":\"method not allowed\"}");
		return;
	}
#define IS(p)	(plen == sizeof(p) - 1 && strncmp(path, p, plen) == 0)
	route_port(wss, sizeof(wss), api->wss_port);
	if (IS("/api/v1/health"))
		resp_json(r, 200, "{\"status\":\"up\",\"uptime\":%lld}",
		    (long long)(now - api->started));
	else if (IS("/api/v1/host-information"))
		resp_json(r, 200, "%s", api->hostinfo);
	else if (IS("/api/v1/build-information"))
		route_build_information(r);
	else if (IS("/api/v1/roles"))
		resp_json(r, 200, "{\"mixnode_enabled\":false,"
		    "\"gateway_enabled\":true,\"network_requester_enabled\":"
		    "false,\"ip_packet_router_enabled\":false}");
	else if (IS("/api/v1/gateway/client-interfaces/mixnet-websockets"))
		resp_json(r, 200, "{\"ws_port\":%u,\"wss_port\":%s}",
		    api->ws_port, wss);
	else if (route_stats(api, path, plen, r))
		;
	else if (IS("/api/v1/metrics/verloc"))
		node_api_verloc(api, r);
	else if (IS("/api/v1/auxiliary-details"))
		node_api_auxiliary(api, r);
	else if (IS("/api/v1/gateway"))
		resp_json(r, 200, "{\"enforces_zk_nyms\":%s,"
		    "\"client_interfaces\":{\"wireguard\":null,"
		    "\"mixnet_websockets\":{\"ws_port\":%u,\"wss_port\":%s}}}",
		    api->enforce_zk_nyms ? "true" : "false", api->ws_port,
		    wss);
	else if ((IS("/metrics") || IS("/api/v1/metrics/prometheus")) &&
	    api->metrics_token_set) {
		/* Without a token nym-node does not mount the route
		 * (nym-node/src/node/http/router/api/v1/metrics/mod.rs):
		 * 404 below, like any unknown path. */
		if (metrics_authorized(api, authz)) {
			r->status = 200;
			r->metrics = 1;
		} else
			resp_json(r, 401, "{\"error\":\"`Authorization` "
			    "header does not contain the correct `Bearer` "
			    "token\"}");
	} else
		resp_json(r, 404, "{\"error\":\"not found\"}");
#undef IS
}

/* Token characters of RFC 9110 for the method; a path of visible ASCII. */
static int
is_tchar(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

int
node_api_parse(const char *buf, size_t len, char *method, size_t mlen,
    char *path, size_t plen, size_t *used)
{
	const char	*end = NULL, *p, *sp1, *sp2, *eol;
	size_t		 i;

	for (i = 0; i + 3 < len; i++)
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
			end = buf + i + 4;
			break;
		}
	if (end == NULL)
		return len >= NODE_API_REQ_MAX ? -1 : 0;
	if ((size_t)(end - buf) > NODE_API_REQ_MAX)
		return -1;
	eol = memchr(buf, '\r', (size_t)(end - buf));
	sp1 = memchr(buf, ' ', (size_t)(eol - buf));
	if (sp1 == NULL || sp1 == buf || (size_t)(sp1 - buf) >= mlen)
		return -1;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (sp2 == NULL || sp2 == sp1 + 1 || (size_t)(sp2 - sp1 - 1) >= plen)
		return -1;
	if ((size_t)(eol - sp2 - 1) != 8 || strncmp(sp2 + 1, "HTTP/1.", 7) ||
	    (sp2[8] != '0' && sp2[8] != '1'))
		return -1;
	for (p = buf; p < sp1; p++)
		if (!is_tchar((unsigned char)*p))
			return -1;
	if (sp1[1] != '/')
		return -1;
	for (p = sp1 + 1; p < sp2; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f)
			return -1;
	/* Header bytes: no NUL, no bare control characters. */
	for (p = eol; p < end; p++)
		if (*p == '\0' || ((unsigned char)*p < ' ' && *p != '\r' &&
		    *p != '\n' && *p != '\t'))
			return -1;
	memcpy(method, buf, (size_t)(sp1 - buf));
	method[sp1 - buf] = '\0';
	memcpy(path, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	path[sp2 - sp1 - 1] = '\0';
	*used = (size_t)(end - buf);
	return 1;
}

/* RFC 9110 5.6.3 optional whitespace. */
static int
is_ows(int c)
{
	return c == ' ' || c == '\t';
}

int
node_api_header(const char *head, size_t used, const char *name,
    char *out, size_t outlen)
{
	const char	*p, *end = head + used, *eol, *v, *ve;
	size_t		 nlen = strlen(name);
	int		 found = 0;

	*out = '\0';
	/* Skip the request line; each header line ends in CRLF. */
	if ((p = memchr(head, '\n', used)) == NULL)
		return 0;
	for (p++; p < end; p = eol + 1) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			break;
		if ((size_t)(eol - p) <= nlen || p[nlen] != ':' ||
		    strncasecmp(p, name, nlen) != 0)
			continue;
		if (found++)
			return -1;
		v = p + nlen + 1;
		ve = eol;
		if (ve > v && ve[-1] == '\r')
			ve--;
		while (v < ve && is_ows((unsigned char)*v))
			v++;
		while (ve > v && is_ows((unsigned char)ve[-1]))
			ve--;
		if ((size_t)(ve - v) >= outlen)
			return -1;
		memcpy(out, v, (size_t)(ve - v));
		out[ve - v] = '\0';
	}
	return found;
}
