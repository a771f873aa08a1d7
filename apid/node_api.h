/*
 * The node HTTP API nym-api describes a gateway by (client-protocol.md
 * 8.1): GET routes under /api/v1 answering JSON.  Pure functions: a
 * request in, a response out, no sockets (node_http.c serves them).
 */
#ifndef NODE_API_H
#define NODE_API_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "gw_imsg.h"
#include "node_stats.h"
#include "node_verloc.h"

#define NODE_API_REQ_MAX	8192	/* a request line and headers */
#define NODE_API_BODY_MAX	(GW_HOSTINFO_MAX + 512)

struct node_api {
	const char	*hostinfo;	/* signed by the master */
	time_t		 started;
	uint16_t	 ws_port;
	uint16_t	 wss_port;	/* 0: none */
	int		 enforce_zk_nyms;
	const struct node_stats *stats;	/* NULL: routes answer 503 */
	int		 accept_terms;	/* the operator's, in the config */
	uint16_t	 verloc_port;	/* 0: no verloc listener */
	const struct node_verloc *verloc;	/* NULL: no run to show */
	/* metrics.access_token's BLAKE2b-256 (gw_conf_apid) */
	int		 metrics_token_set;	/* 0: no Prometheus route */
	uint8_t		 metrics_token_hash[32];
};

struct node_api_resp {
	int		 status;	/* 200, 400, 401, 404, 405 */
	int		 metrics;	/* caller must answer /metrics */
	const char	*ext;		/* a body too big for body[] */
	size_t		 extlen;
	size_t		 len;
	char		 body[NODE_API_BODY_MAX];
};

/*
 * Parse one HTTP/1.x request head.  1: complete (method and path
 * filled, *used the bytes consumed), 0: need more, -1: malformed or
 * too large (answer 400 and close).
 */
int	node_api_parse(const char *buf, size_t len, char *method,
	    size_t mlen, char *path, size_t plen, size_t *used);
/*
 * The value of header `name' (case-insensitive) in a head that
 * node_api_parse accepted (its first `used' bytes), without the spaces
 * around it, NUL-ended in out.  1: found once, 0: absent, -1: sent
 * twice or longer than outlen - 1 (treated as wrong by the caller).
 */
int	node_api_header(const char *head, size_t used, const char *name,
	    char *out, size_t outlen);
/* Route a parsed request; authz: its Authorization header, or NULL. */
void	node_api_route(const struct node_api *, const char *method,
	    const char *path, const char *authz, time_t now,
	    struct node_api_resp *);

#endif
