/*
 * A deliberately small HTTP/1.1 server for the node API: nym-api and
 * monitoring make one GET per connection.  Every connection has a size
 * limit (NODE_API_REQ_MAX), a 10 s deadline and a place in a bounded
 * table; the answer is written and the connection closed.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accept.h"
#include "log.h"
#include "node_http.h"
#include "util.h"

#define NODE_HTTP_TIMEOUT_S	10

struct node_http_conn {
	struct node_http	*nh;
	int			 fd;
	struct event		*ev;
	char			 in[NODE_API_REQ_MAX];
	size_t			 inlen;
	char			*out;
	size_t			 outlen, outoff;
	int			 waiting_metrics;
	int			 head_only;
	struct node_http_conn	*next;	/* in the metrics wait list */
};

struct node_http {
	struct event_base	*base;
	struct node_api		*api;
	struct accept_pause	*accept_pause;	/* NULL in tests */
	unsigned		 max_conns, nconns;
	node_http_metrics_cb	 metrics_cb;
	void			*arg;
	struct node_http_conn	*metrics_wait;
	uint64_t		 requests;
};

static void	conn_io(int, short, void *);

static void
conn_free(struct node_http_conn *c)
{
	struct node_http_conn	**pp;

	for (pp = &c->nh->metrics_wait; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	event_free(c->ev);
	close(c->fd);
	free(c->out);
	c->nh->nconns--;
	free(c);
}

static void
conn_respond(struct node_http_conn *c, int status, const char *type,
    const char *body, size_t len)
{
	const char	*reason = status == 200 ? "OK" : status == 400 ?
			    "Bad Request" : status == 404 ? "Not Found" :
			    status == 405 ? "Method Not Allowed" :
			    "Service Unavailable";
	int		 n;

	c->out = xmalloc(len + 256);
	n = snprintf(c->out, 256, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status,
	    reason, type, len);
	if (!c->head_only)
		memcpy(c->out + n, body, len);
	c->outlen = (size_t)n + (c->head_only ? 0 : len);
	c->outoff = 0;
	event_del(c->ev);
	event_assign(c->ev, c->nh->base, c->fd, EV_WRITE | EV_PERSIST,
	    conn_io, c);
	event_add(c->ev, NULL);
}

static void
conn_request(struct node_http_conn *c)
{
	struct node_api_resp	*r;
	char			 method[16], path[1024];
	size_t			 used;
	int			 rv;

	rv = node_api_parse(c->in, c->inlen, method, sizeof(method), path,
	    sizeof(path), &used);
	if (rv == 0)
		return;
	c->nh->requests++;
	if (rv == -1) {
		conn_respond(c, 400, "application/json",
		    "{\"error\":\"bad request\"}", 23);
		return;
	}
	c->head_only = strcmp(method, "HEAD") == 0;
	r = xmalloc(sizeof(*r));
	node_api_route(c->nh->api, method, path, time(NULL), r);
	if (r->metrics) {
		/* Counters live in every process: wait for them, still
		 * within the connection's deadline. */
		struct timeval tv = { NODE_HTTP_TIMEOUT_S, 0 };

		event_del(c->ev);
		event_assign(c->ev, c->nh->base, -1, 0, conn_io, c);
		event_add(c->ev, &tv);
		c->waiting_metrics = 1;
		c->next = c->nh->metrics_wait;
		c->nh->metrics_wait = c;
		if (c->next == NULL)
			c->nh->metrics_cb(c->nh, c->nh->arg);
	} else
		conn_respond(c, r->status, "application/json", r->body,
		    r->len);
	free(r);
}

static void
conn_io(int fd, short what, void *arg)
{
	struct node_http_conn	*c = arg;
	ssize_t			 n;

	if (what & EV_TIMEOUT) {
		conn_free(c);
		return;
	}
	if (c->out != NULL) {
		n = write(fd, c->out + c->outoff, c->outlen - c->outoff);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0 || (c->outoff += (size_t)n) == c->outlen)
			conn_free(c);
		return;
	}
	n = read(fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_free(c);
		return;
	}
	c->inlen += (size_t)n;
	conn_request(c);
}

static void
node_http_accept(int lfd, short what, void *arg)
{
	struct node_http	*nh = arg;
	struct node_http_conn	*c;
	struct timeval		 tv = { NODE_HTTP_TIMEOUT_S, 0 };
	int			 fd;

	(void)what;
	if (nh->accept_pause != NULL)
		fd = accept_pause_accept(nh->accept_pause, lfd, NULL, NULL);
	else
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return;
	if (nh->nconns >= nh->max_conns) {
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->nh = nh;
	c->fd = fd;
	c->ev = event_new(nh->base, fd, EV_READ | EV_PERSIST, conn_io, c);
	if (c->ev == NULL)
		fatalx("%s: event_new", __func__);
	event_add(c->ev, &tv);
	nh->nconns++;
}

struct node_http *
node_http_new(struct event_base *base, struct node_api *api,
    struct accept_pause *ap, unsigned max_conns, node_http_metrics_cb cb,
    void *arg)
{
	struct node_http	*nh = xcalloc(1, sizeof(*nh));

	nh->base = base;
	nh->accept_pause = ap;
	nh->api = api;
	nh->max_conns = max_conns;
	nh->metrics_cb = cb;
	nh->arg = arg;
	return nh;
}

void
node_http_listen(struct node_http *nh, int fd)
{
	struct event	*ev;

	ev = event_new(nh->base, fd, EV_READ | EV_PERSIST, node_http_accept,
	    nh);
	if (ev == NULL || event_add(ev, NULL) == -1)
		fatalx("%s: event", __func__);
	if (nh->accept_pause != NULL)
		accept_pause_add(nh->accept_pause, ev);
}

void
node_http_metrics_done(struct node_http *nh, const char *text, size_t len)
{
	struct node_http_conn	*c, *next;

	for (c = nh->metrics_wait, nh->metrics_wait = NULL; c != NULL;
	    c = next) {
		next = c->next;
		c->next = NULL;
		c->waiting_metrics = 0;
		if (text == NULL)
			conn_respond(c, 503, "text/plain", "", 0);
		else
			conn_respond(c, 200, "text/plain; version=0.0.4",
			    text, len);
	}
}

uint64_t
node_http_requests(const struct node_http *nh)
{
	return nh->requests;
}
