/*
 * Serving the node HTTP API (node_api.c) on the HTTP listeners: one
 * request per connection, bounded size and time, then close.
 */
#ifndef NODE_HTTP_H
#define NODE_HTTP_H

#include <event2/event.h>

#include "node_api.h"

struct node_http;
struct node_http_conn;

/* /metrics: the caller gathers counters and answers with
 * node_http_metrics_done(), now or later. */
typedef void	(*node_http_metrics_cb)(struct node_http *, void *arg);

struct accept_pause;
/* Listeners join ap: out of descriptors, all of apid's rest. */
struct node_http *node_http_new(struct event_base *, struct node_api *,
		    struct accept_pause *ap,
		    unsigned max_conns, node_http_metrics_cb, void *arg);
void		 node_http_listen(struct node_http *, int fd);
/* Answer every waiting /metrics request with this text (NULL: 503). */
void		 node_http_metrics_done(struct node_http *, const char *text,
		    size_t len);
/* Counters for gatewayctl status. */
uint64_t	 node_http_requests(const struct node_http *);
/* Refused with the table full, for an address's share, and closed at
 * the deadline. */
void		 node_http_counters(const struct node_http *, uint64_t *full,
		    uint64_t *per_addr, uint64_t *deadlines);
/* limits.ipv6_prefix: what "one address" is. */
void		 node_http_set_prefix(struct node_http *, unsigned);

#endif
