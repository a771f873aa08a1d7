/*
 * The measurer (doc/spec/verloc.md 4; Nym's measurer.rs and
 * sender.rs): a run starts by asking for the node list; the nodes are
 * tested tested_nodes_batch_size at a time, concurrently, and the
 * results appended after each batch; then the next run waits
 * testing_interval (retry_timeout when there was no list).  Per node:
 * connect within connection_timeout, then packets_per_node times: have
 * the master sign seq || our key, write the echo, read 168 bytes, check
 * the reply under the node's key and that it is the echo we sent, note
 * the time from before the write to after the read, wait
 * delay_between_packets.  Any error or timeout abandons the node for
 * this run.  Every socket is non-blocking, in the one event loop.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "util.h"
#include "verlocd.h"

/* How long the node list may take: credd's tries and timeouts are far
 * shorter, so this only catches an answer lost on the way. */
#define FETCH_TIMEOUT_MS	(5 * 60 * 1000)

enum probe_state {
	P_IDLE, P_CONNECT, P_SIGN, P_WRITE, P_READ, P_DELAY
};

struct probe {
	struct measurer		*m;
	enum probe_state	 state;
	const struct vl_target	*t;
	size_t			 order;
	int			 fd;
	struct event		*ev;	/* the socket (never persistent) */
	struct event		*tmo;	/* the deadline, or the delay */
	uint32_t		 req;	/* signature asked for */
	uint64_t		 seq;
	uint32_t		 done;	/* replies checked */
	uint64_t		*rtt;	/* packets entries, microseconds */
	uint64_t		 t0;
	uint8_t			 echo[VERLOC_ECHO_LEN];
	size_t			 woff;
	uint8_t			 reply[VERLOC_REPLY_LEN];
	size_t			 roff;
};

enum measurer_state { M_IDLE, M_FETCHING, M_RUNNING };

struct measurer {
	struct event_base	*base;
	struct measurer_conf	 conf;
	const struct measurer_ops *ops;
	void			*arg;
	enum measurer_state	 state;
	struct event		*timer;		/* next run, or fetch limit */
	struct vl_list		 list;		/* arriving */
	struct vl_target	*nodes;		/* this run's */
	size_t			 nnodes, next;
	struct probe		*probes;	/* conf.batch of them */
	size_t			 nactive, nbatch;
	struct vl_result	*batch;		/* this batch's results */
	struct vl_run		 prev, cur;
	uint32_t		 next_req;
	struct measurer_counters cnt;
};

static void	probe_packet(struct probe *);
static void	batch_start(struct measurer *);
static void	batch_end(struct measurer *);

static uint64_t
now_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static int64_t
wall_us(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
ms_tv(uint32_t ms, struct timeval *tv)
{
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
}

static void
timer_in(struct event *ev, uint32_t ms)
{
	struct timeval	 tv;

	ms_tv(ms, &tv);
	evtimer_del(ev);
	if (evtimer_add(ev, &tv) == -1)
		fatalx("%s: evtimer_add", __func__);
}

static int
result_cmp(const void *a, const void *b)
{
	const struct vl_result	*x = a, *y = b;

#define CMP(f)	if (x->f != y->f) return x->f < y->f ? -1 : 1
	if (x->measured != y->measured)
		return x->measured ? -1 : 1;
	if (x->measured) {
		CMP(st.minimum);
		CMP(st.standard_deviation);
		CMP(st.mean);
		CMP(st.maximum);
	}
	CMP(order);
#undef CMP
	return 0;
}

void
vl_results_sort(struct vl_result *r, size_t n)
{
	if (n > 1)
		qsort(r, n, sizeof(*r), result_cmp);
}

static void
publish(struct measurer *m)
{
	m->ops->publish(&m->prev, &m->cur, m->arg);
}

/* Appended and sorted after every batch, as nym-node does. */
static void
batch_end(struct measurer *m)
{
	memcpy(m->cur.results + m->cur.n, m->batch,
	    m->nbatch * sizeof(*m->batch));
	m->cur.n += m->nbatch;
	vl_results_sort(m->cur.results, m->cur.n);
	m->next += m->nbatch;
	publish(m);
	batch_start(m);
}

/* The node is done, measured or not; the batch ends with its last. */
static void
probe_end(struct probe *p, const char *why)
{
	struct measurer		*m = p->m;
	struct vl_result	*r = &m->batch[p - m->probes];

	memset(r, 0, sizeof(*r));
	memcpy(r->identity, p->t->identity, sizeof(r->identity));
	r->order = p->order;
	if (why == NULL) {
		r->measured = 1;
		verloc_stats_of(p->rtt, p->done, &r->st);
		m->cnt.nodes_measured++;
	} else {
		m->cnt.nodes_failed++;
		log_debug("verloc: node %zu not measured: %s", p->order, why);
	}
	event_del(p->ev);
	evtimer_del(p->tmo);
	if (p->fd != -1)
		close(p->fd);
	p->fd = -1;
	p->state = P_IDLE;
	if (--m->nactive == 0)
		batch_end(m);
}

static void
probe_want(struct probe *p, short what, void (*cb)(int, short, void *))
{
	event_del(p->ev);
	event_assign(p->ev, p->m->base, p->fd, what, cb, p);
	if (event_add(p->ev, NULL) == -1)
		fatalx("%s: event_add", __func__);
}

static void
probe_read(int fd, short what, void *arg)
{
	struct probe		*p = arg;
	struct verloc_echo	 e;
	enum verloc_err		 err;
	ssize_t			 n;
	uint64_t		 t1;

	(void)what;
	n = read(fd, p->reply + p->roff, sizeof(p->reply) - p->roff);
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		probe_want(p, EV_READ, probe_read);
		return;
	}
	if (n <= 0) {
		probe_end(p, n == 0 ? "closed" : "read error");
		return;
	}
	p->roff += (size_t)n;
	if (p->roff < sizeof(p->reply)) {
		probe_want(p, EV_READ, probe_read);
		return;
	}
	t1 = now_us();
	if ((err = verloc_reply_parse(p->reply, sizeof(p->reply),
	    p->t->identity, &e)) != VERLOC_OK) {
		probe_end(p, verloc_strerror(err));
		return;
	}
	/* One packet in flight: the reply must be to this one (Nym checks
	 * the sequence number; the whole echo costs nothing more). */
	if (e.seq != p->seq || memcmp(p->reply, p->echo, sizeof(p->echo)) !=
	    0) {
		probe_end(p, "reply to another echo");
		return;
	}
	p->rtt[p->done++] = t1 - p->t0;
	p->seq++;
	if (p->done == p->m->conf.packets) {
		probe_end(p, NULL);
		return;
	}
	p->state = P_DELAY;
	event_del(p->ev);
	timer_in(p->tmo, p->m->conf.delay_ms);
}

static void
probe_write(int fd, short what, void *arg)
{
	struct probe	*p = arg;
	ssize_t		 n;

	(void)what;
	n = write(fd, p->echo + p->woff, sizeof(p->echo) - p->woff);
	if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
		probe_want(p, EV_WRITE, probe_write);
		return;
	}
	if (n <= 0) {
		probe_end(p, "write error");
		return;
	}
	p->woff += (size_t)n;
	if (p->woff < sizeof(p->echo)) {
		probe_want(p, EV_WRITE, probe_write);
		return;
	}
	/* Written: the reply gets a packet_timeout of its own. */
	p->state = P_READ;
	p->roff = 0;
	timer_in(p->tmo, p->m->conf.packet_timeout_ms);
	probe_want(p, EV_READ, probe_read);
}

static struct probe *
probe_by_req(struct measurer *m, uint32_t id)
{
	size_t	 i;

	for (i = 0; i < m->nbatch; i++)
		if (m->probes[i].state == P_SIGN && m->probes[i].req == id)
			return &m->probes[i];
	return NULL;
}

void
measurer_signed(struct measurer *m, uint32_t id, int ok,
    const uint8_t sig[VERLOC_SIG_LEN])
{
	struct probe	*p;

	if ((p = probe_by_req(m, id)) == NULL)
		return;		/* that node ended since */
	if (!ok) {
		probe_end(p, "the master would not sign");
		return;
	}
	memcpy(p->echo + VERLOC_SIGNED_LEN, sig, VERLOC_SIG_LEN);
	/* From before the write, as Nym times it. */
	p->state = P_WRITE;
	p->woff = 0;
	p->t0 = now_us();
	timer_in(p->tmo, p->m->conf.packet_timeout_ms);
	probe_write(p->fd, EV_WRITE, p);
}

/* The next echo: seq || our key, signed by the master. */
static void
probe_packet(struct probe *p)
{
	struct measurer	*m = p->m;
	uint64_t	 v = p->seq;
	int		 i;

	for (i = 7; i >= 0; i--) {
		p->echo[i] = (uint8_t)v;
		v >>= 8;
	}
	memcpy(p->echo + VERLOC_SEQ_LEN, m->conf.self, VERLOC_KEY_LEN);
	p->state = P_SIGN;
	if (++m->next_req == 0)
		m->next_req = 1;
	p->req = m->next_req;
	timer_in(p->tmo, m->conf.packet_timeout_ms);
	if (m->ops->sign(p->echo, p->req, m->arg) == -1)
		probe_end(p, "could not ask the master to sign");
}

static void
probe_connected(int fd, short what, void *arg)
{
	struct probe	*p = arg;
	int		 err = 0;
	socklen_t	 len = sizeof(err);

	(void)what;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1 ||
	    err != 0) {
		probe_end(p, "connect failed");
		return;
	}
	event_del(p->ev);
	probe_packet(p);
}

/* Deadlines of every state, and the delay between packets. */
static void
probe_timer(int fd, short what, void *arg)
{
	struct probe	*p = arg;

	(void)fd;
	(void)what;
	switch (p->state) {
	case P_DELAY:
		probe_packet(p);
		return;
	case P_CONNECT:
		probe_end(p, "connection timeout");
		return;
	case P_IDLE:
		return;
	default:
		probe_end(p, "packet timeout");
	}
}

/* A random start the run cannot overflow (sender.rs). */
static uint64_t
probe_first_seq(uint32_t packets)
{
	uint64_t	 r;

	do
		randombytes_buf(&r, sizeof(r));
	while (r >= UINT64_MAX - packets);
	return r;
}

static void
probe_start(struct measurer *m, struct probe *p, const struct vl_target *t,
    size_t order)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 sslen;

	p->m = m;
	p->t = t;
	p->order = order;
	p->done = 0;
	p->seq = probe_first_seq(m->conf.packets);
	p->state = P_CONNECT;
	m->nactive++;
	memset(&ss, 0, sizeof(ss));
	if (t->family == 4) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(t->port);
		memcpy(&sin->sin_addr, t->ip, 4);
		sslen = sizeof(*sin);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(t->port);
		memcpy(&sin6->sin6_addr, t->ip, 16);
		sslen = sizeof(*sin6);
	}
	timer_in(p->tmo, m->conf.connection_timeout_ms);
	if ((p->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		probe_end(p, "socket failed");
		return;
	}
	if (connect(p->fd, (struct sockaddr *)&ss, sslen) == -1 &&
	    errno != EINPROGRESS) {
		probe_end(p, "connect failed");
		return;
	}
	probe_want(p, EV_WRITE, probe_connected);
}

static void
run_finish(struct measurer *m)
{
	size_t	 i;

	m->cur.state = GW_VERLOC_FINISHED;
	m->cur.finished_us = wall_us();
	m->cnt.runs++;
	m->state = M_IDLE;
	free(m->nodes);
	m->nodes = NULL;
	m->nnodes = 0;
	publish(m);
	for (i = 0; i < m->cur.n && m->cur.results[i].measured; i++)
		;
	log_info("verloc: run over, %zu of %u nodes measured; the next in "
	    "%u s", i, m->cur.nodes_tested, m->conf.interval_ms / 1000);
	timer_in(m->timer, m->conf.interval_ms);
}

static void
batch_start(struct measurer *m)
{
	size_t	 i;

	if (m->next >= m->nnodes) {
		run_finish(m);
		return;
	}
	m->nbatch = m->nnodes - m->next < m->conf.batch ?
	    m->nnodes - m->next : m->conf.batch;
	/* One extra count while starting: a probe that fails at once
	 * (socket(), connect()) must not end the batch under the loop. */
	m->nactive = 1;
	for (i = 0; i < m->nbatch; i++)
		probe_start(m, &m->probes[i], &m->nodes[m->next + i],
		    m->next + i);
	if (--m->nactive == 0)
		batch_end(m);
}

static void
run_start(struct measurer *m)
{
	free(m->prev.results);
	/* The current run becomes the previous one, finished or not. */
	m->prev = m->cur;
	memset(&m->cur, 0, sizeof(m->cur));
	m->nodes = m->list.t;
	m->nnodes = m->list.n;
	m->list.t = NULL;
	vl_list_clear(&m->list);
	m->cur.state = GW_VERLOC_RUNNING;
	m->cur.started_us = wall_us();
	m->cur.nodes_tested = (uint32_t)m->nnodes;
	m->cur.results = xcalloc(m->nnodes, sizeof(*m->cur.results));
	m->next = 0;
	m->state = M_RUNNING;
	log_info("verloc: measuring %zu nodes", m->nnodes);
	publish(m);
	batch_start(m);
}

static void
run_retry(struct measurer *m, const char *why)
{
	m->cnt.list_failures++;
	m->state = M_IDLE;
	vl_list_clear(&m->list);
	log_warnx("verloc: %s; trying again in %u s", why,
	    m->conf.retry_ms / 1000);
	timer_in(m->timer, m->conf.retry_ms);
}

int
measurer_nodes(struct measurer *m, const void *data, size_t len)
{
	int	 rv;

	if ((rv = vl_list_feed(&m->list, data, len, m->conf.self)) == -1)
		return -1;
	if (rv == 0)
		return 0;
	if (m->state != M_FETCHING) {
		/* Not asked for: nothing to do with it. */
		vl_list_clear(&m->list);
		return 0;
	}
	if (m->list.skipped > 0)
		log_info("verloc: %u listed nodes left out (our own, or "
		    "no usable key, address or port)", m->list.skipped);
	if (!m->list.ok)
		run_retry(m, "no node list from nym-api");
	else if (m->list.n == 0)
		run_retry(m, "no nodes to measure");
	else
		run_start(m);
	return 0;
}

static void
measurer_tick(int fd, short what, void *arg)
{
	struct measurer	*m = arg;

	(void)fd;
	(void)what;
	if (m->state == M_FETCHING) {
		run_retry(m, "the node list did not come");
		return;
	}
	if (m->state != M_IDLE)
		return;
	m->state = M_FETCHING;
	vl_list_clear(&m->list);
	if (m->ops->fetch(m->arg) == -1) {
		run_retry(m, "could not ask for the node list");
		return;
	}
	timer_in(m->timer, FETCH_TIMEOUT_MS);
}

struct measurer *
measurer_new(struct event_base *base, const struct measurer_conf *conf,
    const struct measurer_ops *ops, void *arg)
{
	struct measurer	*m = xcalloc(1, sizeof(*m));
	size_t		 i;

	m->base = base;
	m->conf = *conf;
	m->ops = ops;
	m->arg = arg;
	m->probes = xcalloc(conf->batch, sizeof(*m->probes));
	m->batch = xcalloc(conf->batch, sizeof(*m->batch));
	for (i = 0; i < conf->batch; i++) {
		m->probes[i].fd = -1;
		m->probes[i].rtt = xcalloc(conf->packets, sizeof(uint64_t));
		if ((m->probes[i].ev = event_new(base, -1, 0, probe_read,
		    &m->probes[i])) == NULL)
			fatalx("%s: event_new", __func__);
		if ((m->probes[i].tmo = evtimer_new(base, probe_timer,
		    &m->probes[i])) == NULL)
			fatalx("%s: evtimer_new", __func__);
	}
	if ((m->timer = evtimer_new(base, measurer_tick, m)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	return m;
}

void
measurer_start(struct measurer *m)
{
	timer_in(m->timer, 0);
}

const struct measurer_counters *
measurer_counters(const struct measurer *m)
{
	return &m->cnt;
}
