/*
 * A deliberately small HTTP/1.1 server for the node API: nym-api and
 * monitoring make one GET per connection.  Every connection has a size
 * limit (NODE_API_REQ_MAX), a place in a bounded table of which one
 * address may hold NODE_HTTP_PER_ADDR, and a deadline NODE_HTTP_TIMEOUT_S
 * after its accept for the request to arrive and the answer to be
 * taken, which no drip of bytes moves; then the connection is closed.
 */
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "accept.h"
#include "addrcount.h"
#include "log.h"
#include "node_http.h"
#include "ratelog.h"
#include "util.h"

#define NODE_HTTP_TIMEOUT_S	10
/* Of the table: one address (an IPv6 /64) cannot hold it all. */
#define NODE_HTTP_PER_ADDR	16

struct node_http_conn {
	struct node_http	*nh;
	int			 fd;
	struct event		*ev;
	struct event		*deadline;
	struct addrkey		 addr;
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
	struct addrcount	 addrs;
	unsigned		 v6_prefix;
	struct ratelog		 rl_full, rl_addr, rl_deadline;
	uint64_t		 requests;
	uint64_t		 refused_full, refused_addr, deadlines;
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
	event_free(c->deadline);
	close(c->fd);
	free(c->out);
	addrcount_release(&c->nh->addrs, &c->addr);
	c->nh->nconns--;
	free(c);
}

static void
conn_deadline(int fd, short what, void *arg)
{
	struct node_http_conn	*c = arg;

	(void)fd;
	(void)what;
	c->nh->deadlines++;
	ratelog_warnx(&c->nh->rl_deadline, "HTTP API: a request not done "
	    "%d s after its connection: closed", NODE_HTTP_TIMEOUT_S);
	conn_free(c);
}

static void
conn_respond(struct node_http_conn *c, int status, const char *type,
    const char *body, size_t len)
{
	const char	*reason = status == 200 ? "OK" : status == 400 ?
			    "Bad Request" : status == 404 ? "Not Found" :
			    status == 405 ? "Method Not Allowed" :
			    status == 401 ? "Unauthorized" :
			    "Service Unavailable";
	int		 n;

	/* RFC 9110 11.6.1: a 401 names its scheme. */
	c->out = xmalloc(len + 256);
	n = snprintf(c->out, 256, "HTTP/1.1 %d %s\r\n%sContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n", status,
	    reason, status == 401 ? "WWW-Authenticate: Bearer\r\n" : "",
	    type, len);
	if (!c->head_only)
		memcpy(c->out + n, body, len);
	c->outlen = (size_t)n + (c->head_only ? 0 : len);
	c->outoff = 0;
	event_del(c->ev);
	event_assign(c->ev, c->nh->base, c->fd, EV_WRITE | EV_PERSIST,
	    conn_io, c);
	/* The deadline set at accept still runs for the writing. */
	event_add(c->ev, NULL);
}

static void
conn_request(struct node_http_conn *c)
{
	struct node_api_resp	*r;
	char			 method[16], path[1024], authz[512];
	size_t			 used;
	int			 rv, ha;

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
	/* Twice or too long: no header, hence refused if it matters. */
	ha = node_api_header(c->in, used, "Authorization", authz,
	    sizeof(authz));
	r = xmalloc(sizeof(*r));
	node_api_route(c->nh->api, method, path, ha == 1 ? authz : NULL,
	    time(NULL), r);
	sodium_memzero(authz, sizeof(authz));
	if (r->metrics) {
		/* Counters live in every process: wait for them, still
		 * within the connection's deadline. */
		event_del(c->ev);
		c->waiting_metrics = 1;
		c->next = c->nh->metrics_wait;
		c->nh->metrics_wait = c;
		if (c->next == NULL)
			c->nh->metrics_cb(c->nh, c->nh->arg);
	} else
		conn_respond(c, r->status, "application/json",
		    r->ext != NULL ? r->ext : r->body,
		    r->ext != NULL ? r->extlen : r->len);
	free(r);
}

static void
conn_io(int fd, short what, void *arg)
{
	struct node_http_conn	*c = arg;
	ssize_t			 n;

	(void)what;
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
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof(ss);
	struct addrkey		 k;
	char			 a[64];
	int			 fd;

	(void)what;
	if (nh->accept_pause != NULL)
		fd = accept_pause_accept(nh->accept_pause, lfd,
		    (struct sockaddr *)&ss, &sslen);
	else
		fd = accept4(lfd, (struct sockaddr *)&ss, &sslen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return;
	addrkey_of((struct sockaddr *)&ss, nh->v6_prefix, &k);
	if (nh->nconns >= nh->max_conns) {
		nh->refused_full++;
		ratelog_warnx(&nh->rl_full, "HTTP API: %u connections open: "
		    "refusing more", nh->max_conns);
		close(fd);
		return;
	}
	if (addrcount_acquire(&nh->addrs, &k, NODE_HTTP_PER_ADDR) == -1) {
		nh->refused_addr++;
		ratelog_warnx(&nh->rl_addr, "HTTP API: %s has %d connections "
		    "open: refusing more", addrkey_fmt(&k, nh->v6_prefix, a,
		    sizeof(a)), NODE_HTTP_PER_ADDR);
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->nh = nh;
	c->fd = fd;
	c->addr = k;
	c->ev = event_new(nh->base, fd, EV_READ | EV_PERSIST, conn_io, c);
	c->deadline = evtimer_new(nh->base, conn_deadline, c);
	if (c->ev == NULL || c->deadline == NULL)
		fatalx("%s: event_new", __func__);
	event_add(c->ev, NULL);
	evtimer_add(c->deadline, &tv);
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
	nh->v6_prefix = 64;
	addrcount_init(&nh->addrs);
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

void
node_http_counters(const struct node_http *nh, uint64_t *full,
    uint64_t *per_addr, uint64_t *deadlines)
{
	*full = nh->refused_full;
	*per_addr = nh->refused_addr;
	*deadlines = nh->deadlines;
}

void
node_http_set_prefix(struct node_http *nh, unsigned v6_prefix)
{
	nh->v6_prefix = v6_prefix;
}
