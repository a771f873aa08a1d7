/*
 * The verloc listener (verloc_srv.h).  One echo packet at a time per
 * connection, as Nym's sender sends them: read exactly 104 bytes,
 * verify, have the master sign, write the 168-byte reply, read the
 * next.  While a signature is pending the connection is not read, so a
 * peer cannot queue work.  A packet that does not verify drops the
 * connection (Nym's listener does the same: listener.rs).  Bounds: a
 * connection table of max_conns, VERLOC_PER_ADDR of it per address (an
 * IPv6 /64), and VERLOC_IDLE_S without a complete packet closes it.
 */
#include <sys/socket.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "addrcount.h"
#include "log.h"
#include "ratelog.h"
#include "util.h"
#include "verloc.h"
#include "verloc_srv.h"

/* Nym's sender waits 1.5 s for a reply and 50 ms between packets
 * (common/verloc/src/measurements/config.rs): 10 s idle is generous. */
#define VERLOC_IDLE_S		10
#define VERLOC_PER_ADDR		8

struct verloc_conn {
	struct verloc_srv	*vs;
	int			 fd;
	uint32_t		 id;
	struct event		*ev;
	struct event		*idle;
	struct addrkey		 addr;
	uint8_t			 in[VERLOC_ECHO_LEN];
	size_t			 inlen;
	uint8_t			 out[VERLOC_REPLY_LEN];
	size_t			 outlen, outoff;
	int			 pending;	/* a signature asked for */
	struct verloc_conn	*next;
};

struct verloc_srv {
	struct event_base	*base;
	struct accept_pause	*accept_pause;	/* NULL in tests */
	unsigned		 max_conns, nconns;
	struct verloc_conn	*conns;
	uint32_t		 next_id;
	struct addrcount	 addrs;
	unsigned		 v6_prefix;
	verloc_sign_cb		 sign;
	void			*arg;
	struct ratelog		 rl_bad, rl_full, rl_addr;
	struct verloc_counters	 cnt;
};

static void	conn_io(int, short, void *);

static void
conn_free(struct verloc_conn *c)
{
	struct verloc_conn	**pp;

	for (pp = &c->vs->conns; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	event_free(c->ev);
	event_free(c->idle);
	close(c->fd);
	addrcount_release(&c->vs->addrs, &c->addr);
	c->vs->nconns--;
	free(c);
}

static void
conn_idle(int fd, short what, void *arg)
{
	struct verloc_conn	*c = arg;

	(void)fd;
	(void)what;
	c->vs->cnt.timeouts++;
	conn_free(c);
}

static void
conn_want(struct verloc_conn *c, short what)
{
	struct timeval	 tv = { VERLOC_IDLE_S, 0 };

	event_del(c->ev);
	event_assign(c->ev, c->vs->base, c->fd, what | EV_PERSIST, conn_io,
	    c);
	event_add(c->ev, NULL);
	evtimer_add(c->idle, &tv);
}

static void
conn_packet(struct verloc_conn *c)
{
	struct verloc_echo	 e;
	enum verloc_err		 err;

	err = verloc_echo_parse(c->in, sizeof(c->in), &e);
	if (err != VERLOC_OK) {
		c->vs->cnt.bad_packets++;
		ratelog_warnx(&c->vs->rl_bad, "verloc: echo packet refused "
		    "(%s): connection closed", verloc_strerror(err));
		conn_free(c);
		return;
	}
	if (c->vs->sign(c->in, c->id, c->vs->arg) == -1) {
		conn_free(c);
		return;
	}
	c->pending = 1;
	event_del(c->ev);
}

static void
conn_io(int fd, short what, void *arg)
{
	struct verloc_conn	*c = arg;
	ssize_t			 n;

	if (what & EV_WRITE) {
		n = write(fd, c->out + c->outoff, c->outlen - c->outoff);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			conn_free(c);
			return;
		}
		c->outoff += (size_t)n;
		if (c->outoff == c->outlen) {
			c->outlen = c->outoff = 0;
			conn_want(c, EV_READ);
		}
		return;
	}
	n = read(fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		if (c->inlen != 0)
			ratelog_warnx(&c->vs->rl_bad, "verloc: connection "
			    "closed %zu bytes into a packet", c->inlen);
		conn_free(c);
		return;
	}
	c->inlen += (size_t)n;
	if (c->inlen == sizeof(c->in)) {
		c->inlen = 0;
		conn_packet(c);
	}
}

void
verloc_srv_signed(struct verloc_srv *vs, uint32_t id, int ok,
    const uint8_t sig[VERLOC_SIG_LEN])
{
	struct verloc_conn	*c;

	for (c = vs->conns; c != NULL; c = c->next)
		if (c->id == id && c->pending)
			break;
	if (c == NULL)
		return;		/* closed since (idle) */
	c->pending = 0;
	if (!ok) {
		vs->cnt.sign_refused++;
		conn_free(c);
		return;
	}
	verloc_reply_make(c->in, sig, c->out);
	c->outlen = sizeof(c->out);
	c->outoff = 0;
	vs->cnt.replies++;
	conn_want(c, EV_WRITE);
}

static void
verloc_accept(int lfd, short what, void *arg)
{
	struct verloc_srv	*vs = arg;
	struct verloc_conn	*c;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof(ss);
	struct addrkey		 k;
	char			 a[64];
	int			 fd;

	(void)what;
	if (vs->accept_pause != NULL)
		fd = accept_pause_accept(vs->accept_pause, lfd,
		    (struct sockaddr *)&ss, &sslen);
	else
		fd = accept4(lfd, (struct sockaddr *)&ss, &sslen,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return;
	addrkey_of((struct sockaddr *)&ss, vs->v6_prefix, &k);
	if (vs->nconns >= vs->max_conns) {
		vs->cnt.refused_full++;
		ratelog_warnx(&vs->rl_full, "verloc: %u connections open: "
		    "refusing more", vs->max_conns);
		close(fd);
		return;
	}
	if (addrcount_acquire(&vs->addrs, &k, VERLOC_PER_ADDR) == -1) {
		vs->cnt.refused_per_address++;
		ratelog_warnx(&vs->rl_addr, "verloc: %s has %d connections "
		    "open: refusing more", addrkey_fmt(&k, vs->v6_prefix, a,
		    sizeof(a)), VERLOC_PER_ADDR);
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->vs = vs;
	c->fd = fd;
	c->addr = k;
	c->id = ++vs->next_id;
	c->ev = event_new(vs->base, fd, EV_READ | EV_PERSIST, conn_io, c);
	c->idle = evtimer_new(vs->base, conn_idle, c);
	if (c->ev == NULL || c->idle == NULL)
		fatalx("%s: event_new", __func__);
	c->next = vs->conns;
	vs->conns = c;
	vs->nconns++;
	vs->cnt.connections++;
	conn_want(c, EV_READ);
}

struct verloc_srv *
verloc_srv_new(struct event_base *base, struct accept_pause *ap,
    unsigned max_conns, verloc_sign_cb sign, void *arg)
{
	struct verloc_srv	*vs = xcalloc(1, sizeof(*vs));

	vs->base = base;
	vs->accept_pause = ap;
	vs->max_conns = max_conns;
	vs->v6_prefix = 64;
	vs->sign = sign;
	vs->arg = arg;
	addrcount_init(&vs->addrs);
	return vs;
}

void
verloc_srv_listen(struct verloc_srv *vs, int fd)
{
	struct event	*ev;

	ev = event_new(vs->base, fd, EV_READ | EV_PERSIST, verloc_accept, vs);
	if (ev == NULL || event_add(ev, NULL) == -1)
		fatalx("%s: event", __func__);
	if (vs->accept_pause != NULL)
		accept_pause_add(vs->accept_pause, ev);
}

void
verloc_srv_set_prefix(struct verloc_srv *vs, unsigned v6_prefix)
{
	vs->v6_prefix = v6_prefix;
}

const struct verloc_counters *
verloc_srv_counters(const struct verloc_srv *vs)
{
	return &vs->cnt;
}
