/*
 * bench_clientd: clientd under many connected clients, end to end
 * through a running gatewayd (driven by bench_clientd.sh).
 *
 *	bench_clientd -w IP:PORT -m IP:PORT -K KEYDIR [-n 1,100,10000]
 *	    [-f PACKETS] [-d PACKETS] [-c INFLIGHT] [-C CONNS]
 *	    [-P ROLE=PID]... [-t SECS] [-W WINDOW]
 *
 *	-w  the gateway's client WebSocket address
 *	-m  the gateway's mix port
 *	-K  the gateway's keys directory (ed25519_identity.pub for the
 *	    handshake, x25519_sphinx.pub to build final-hop packets)
 *	-n  client counts, ascending: clients are added, never dropped
 *	-f  packets per forward run, -d per delivery run (default 20000)
 *	-c  registrations under way at once (default 256)
 *	-C  connections to the mix port for delivery (default 4)
 *	-P  a gatewayd process to read VmRSS from (repeatable)
 *	-t  give up on one step after SECS (default 60)
 *	-W  forward packets in flight at most (default 1000)
 *
 * Everything runs in one thread on one epoll set: the clients
 * (regress/lib/nymclient.h, non-blocking), a counting sink that plays
 * the first mix node, and the connections that inject final-hop packets
 * at the mix port.  For each count N the clients are topped up to N
 * (registered with the handshake, free testnet bandwidth claimed), then:
 *
 *   forward:  every one of the N clients sends its share of -f
 *	ForwardSphinxV2 frames whose MixPacket names the sink as next hop;
 *	clientd opens them, charges bandwidth and hands them to mixd,
 *	which writes them to the sink over TCP.  Timed from the first
 *	write until the sink has counted them all.
 *   delivery: -d final-hop packets (2413 bytes, one-hop route to the
 *	gateway, destinations round-robin over the N clients) written to
 *	the mix port; mixd unwraps them and hands them to clientd, which
 *	pushes them.  Timed until the clients have decrypted them all.
 *	Their SURB-acks name the sink, which counts those too.
 *
 * Before the first client and with the last count idle, the VmRSS of
 * every -P process; the difference over the clients is the memory per
 * idle connected client.
 *
 * With -L SECS, after the last count, the load runs (issue 15) over the
 * first -u clients (default 100):
 *   floor:     sphinx_process on one core of this machine, the same
 *	code (and X25519) mixd runs, over packets for a key of our own;
 *   sustained: final-hop packets at the mix port for SECS, as fast as
 *	the gateway takes them (at most -W in flight), every one pushed
 *	and decrypted: "ratio delivery/one-core floor: R";
 *   latency:   the same packets paced at 25, 50 and 75 % of that rate
 *	for -l SECS each (default 10); each packet's time from its last
 *	byte written to the mix port until its client decrypted it;
 *   forward:   the same two for client -> first hop (a packet's time
 *	from being sealed by its client until the sink read it).
 * Every figure also goes to -o FILE as CSV.  All packets of a run are
 * built before it starts (on every core), so building costs the run
 * nothing.  Figures only: a non-zero exit only if a step could not
 * complete.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "keys.h"
#include "sphinx_payload.h"
#include "mixframe.h"
#include "mixpacket.h"
#include "nodeaddr.h"
#include "nymclient.h"
#include "sphinx.h"
#include "sphinx_create.h"
#include "testlib.h"

#define MAX_COUNTS	8
#define MAX_PROCS	8
#define MAX_MIXOUT	64
#define FWD_POOL	32	/* distinct packets the forward run cycles */
#define SINK_BUF	(256 * 1024)

enum tag { T_CLIENT, T_LISTEN, T_SINK, T_MIXOUT };

enum stage {
	ST_CONNECT,		/* TCP and upgrade */
	ST_REGISTER,		/* handshake under way */
	ST_CLAIM,		/* claimFreeTestnetBandwidth sent */
	ST_READY,
};

struct client {
	enum tag		 tag;
	struct nymclient	*nc;
	int			 fd;
	uint32_t		 ev;		/* epoll interest */
	enum stage		 stage;
	uint8_t			 id[32];
};

struct sinkconn {
	enum tag		 tag;
	int			 fd;
	uint8_t			*buf;
	size_t			 len;
};

struct mixout {
	enum tag		 tag;
	int			 fd;
	uint8_t			*buf;
	size_t			 len, off;
	int			 armed;		/* EPOLLOUT asked for */
};

struct fwdrun {
	const uint8_t	*pool;
	size_t		 mplen, n, next;
	uint64_t	 base, sent, total;
	/* load runs: paced at rate/s from t0 (0: by the window alone),
	 * each packet stamped with its number for r */
	double		 rate, t0, until;
	struct loadrun	*r;
	uint8_t		 stamp[SPHINX_SIZE_REGULAR + 64];
};

struct proc {
	char			 role[32];
	long			 pid;
	long			 rss0;	/* kB before any client */
};

static int			 ep = -1;
static struct client		**clients;
static size_t			 nclients;	/* started */
static size_t			 nready, inflight, retries, nlost;
static size_t			 max_inflight = 256;
static char			 ws_ip[64];
static uint16_t			 ws_port;
static uint8_t			 gw_id[32], gw_sphinx[32];
static struct nodeaddr		 gw_mix, sink_addr;
static struct sinkconn		 sink_listen = { T_LISTEN, -1, NULL, 0 };
static uint64_t			 sink_packets, sink_acks, sink_errors;
static uint64_t			 pushed, send_replies, gw_errors;
static double			 t_last_sink, t_last_push;
static struct mixout		 mixouts[MAX_MIXOUT];
static int			 nmixout = 4;
static struct proc		 procs[MAX_PROCS];
static int			 nprocs;
static char			 first_error[256];
static struct fwdrun		*fwd;	/* a forward run under way */
static uint64_t			 fwd_window = 1000;
static double			 rate_fwd, rate_del;	/* last burst runs */

/* A load run under way (-L): what was sent when, what came back. */
struct loadrun {
	double		*t_sent;	/* per packet; 0: not sent yet */
	double		*lat;		/* seconds, per packet received */
	uint64_t	 n, nlat, late;
};
static struct loadrun		*dl, *fl;	/* delivery, forward */
static int			 loop_ms = 20;	/* 1 while pacing */

/* Final-hop frames built ahead, written in order over the mixouts. */
struct dsendrun {
	uint8_t		*frames;
	size_t		 flen;
	uint64_t	 n, next;	/* built, next to write */
	uint64_t	 base;		/* pushed at the start */
	double		 rate, t0, until;
	uint64_t	 window;
	struct loadrun	*r;
};
static struct dsendrun		*dsend;
static const char		 dl_tag[] = "bench_clientd delivery ";

static void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n, size)) == NULL)
		t_die("out of memory");
	return p;
}

/* dir/name, a PEM public key file of "gatewayctl init". */
static void
read_pem_key(const char *dir, const char *name, const char *tag,
    uint8_t key[32])
{
	char	 path[1024], err[1200];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		t_die("%s: path too long", dir);
	if (keys_pem_read_n(path, tag, key, 32, err, sizeof(err)) == -1)
		t_die("%s", err);
}

static long
rss_kb(long pid)
{
	FILE	*fp;
	char	 path[64], line[256];
	long	 kb = -1;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "VmRSS:", 6) == 0) {
			kb = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(fp);
	return kb;
}

static void
ep_set(int op, int fd, uint32_t ev, void *ptr)
{
	struct epoll_event	 e;

	memset(&e, 0, sizeof(e));
	e.events = ev;
	e.data.ptr = ptr;
	if (epoll_ctl(ep, op, fd, &e) == -1)
		t_die("epoll_ctl: %s", strerror(errno));
}

/* --- load runs: what came back -------------------------------------- */

static void
load_record(struct loadrun *r, uint64_t i, double now)
{
	if (i >= r->n || r->t_sent[i] <= 0) {
		r->late++;	/* not from this run */
		return;
	}
	r->lat[r->nlat++] = now - r->t_sent[i];
	r->t_sent[i] = -1;	/* a second copy would not count */
}

/* A pushed message "bench_clientd delivery N". */
static void
load_got(struct loadrun *r, const uint8_t *msg, size_t len, double now)
{
	char		 num[24];
	size_t		 n = sizeof(dl_tag) - 1;

	if (len <= n || len - n >= sizeof(num) || memcmp(msg, dl_tag, n) != 0)
		return;
	memcpy(num, msg + n, len - n);
	num[len - n] = '\0';
	load_record(r, strtoull(num, NULL, 10), now);
}

/* A forwarded packet carries its number in its last 8 bytes. */
static void
load_got_seq(struct loadrun *r, const uint8_t *p, double now)
{
	uint64_t	 i;

	memcpy(&i, p, sizeof(i));
	load_record(r, i, now);
}

/* --- clients ------------------------------------------------------- */

static void
client_start(struct client *c)
{
	if ((c->nc = nymclient_new(gw_id)) == NULL)
		t_die("nymclient_new");
	nymclient_identity(c->nc, c->id);
	c->stage = ST_CONNECT;
	if (nymclient_connect_start(c->nc, ws_ip, ws_port) == -1)
		t_die("connect: %s", nymclient_error(c->nc));
	c->fd = nymclient_fd(c->nc);
	c->ev = EPOLLOUT;
	ep_set(EPOLL_CTL_ADD, c->fd, c->ev, c);
	inflight++;
}

/* Failed before it was ready: a new identity, from the start. */
static void
client_retry(struct client *c)
{
	if (first_error[0] == '\0')
		snprintf(first_error, sizeof(first_error), "%s (%s)",
		    nymclient_error(c->nc), nymclient_state_name(
		    nymclient_state(c->nc)));
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	nymclient_free(c->nc);
	c->nc = NULL;
	inflight--;
	retries++;
	client_start(c);
}

static void
client_lost(struct client *c)
{
	if (first_error[0] == '\0')
		snprintf(first_error, sizeof(first_error), "ready client "
		    "lost: %s", nymclient_error(c->nc));
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	nymclient_free(c->nc);
	c->nc = NULL;
	c->fd = -1;
	nready--;
	nlost++;
}

/* Pop what arrived: pushed messages and "send" replies are counted. */
static void
client_drain(struct client *c)
{
	struct nymclient_msg	 m;

	while (nymclient_next(c->nc, &m)) {
		switch (m.kind) {
		case NCM_PUSHED:
			pushed++;
			t_last_push = t_now();
			if (dl != NULL)
				load_got(dl, m.data, m.len, t_last_push);
			break;
		case NCM_TEXT:
			if (strstr((char *)m.data, "\"type\":\"send\"") !=
			    NULL)
				send_replies++;
			else if (strstr((char *)m.data, "rror\"") != NULL) {
				gw_errors++;
				if (first_error[0] == '\0')
					snprintf(first_error,
					    sizeof(first_error), "%.200s",
					    (char *)m.data);
			}
			break;
		default:
			break;
		}
		nymclient_msg_free(&m);
	}
}

/* Move the state machine on and fix the epoll interest. */
static void
client_update(struct client *c)
{
	enum nymclient_state	 s = nymclient_state(c->nc);
	uint32_t		 ev;
	short			 pev;

	client_drain(c);
	if (c->stage != ST_READY && (s == NC_FAILED || s == NC_CLOSED)) {
		client_retry(c);
		return;
	}
	if (s == NC_FAILED || s == NC_CLOSED) {
		client_lost(c);
		return;
	}
	if (c->stage == ST_CONNECT && s == NC_OPEN) {
		if (nymclient_register_start(c->nc) == -1)
			t_die("register: %s", nymclient_error(c->nc));
		c->stage = ST_REGISTER;
	}
	if (c->stage == ST_REGISTER && s == NC_READY) {
		if (nymclient_claim_free_start(c->nc) == -1)
			t_die("claim: %s", nymclient_error(c->nc));
		c->stage = ST_CLAIM;
	}
	if (c->stage == ST_CLAIM && nymclient_bandwidth(c->nc) > 0) {
		c->stage = ST_READY;
		inflight--;
		nready++;
	}
	pev = nymclient_events(c->nc);
	if (pev == 0) {
		/* Nothing to wait for: closed under us. */
		if (c->stage == ST_READY)
			client_lost(c);
		else
			client_retry(c);
		return;
	}
	ev = ((pev & POLLIN) ? EPOLLIN : 0) | ((pev & POLLOUT) ? EPOLLOUT : 0);
	if (ev != c->ev) {
		c->ev = ev;
		ep_set(EPOLL_CTL_MOD, c->fd, ev, c);
	}
}

static void
client_event(struct client *c)
{
	nymclient_step(c->nc);
	client_update(c);
}

/* Top the clients up towards target, a bounded number at a time. */
static void
spawn(size_t target)
{
	while (nclients < target && inflight < max_inflight) {
		clients[nclients] = xcalloc(1, sizeof(struct client));
		clients[nclients]->tag = T_CLIENT;
		client_start(clients[nclients]);
		nclients++;
	}
}

/* --- the sink (first mix node) and the mix-port writers -------------- */

static void
sink_accept(void)
{
	struct sinkconn	*s;
	int		 fd;

	while ((fd = accept4(sink_listen.fd, NULL, NULL, SOCK_NONBLOCK |
	    SOCK_CLOEXEC)) != -1) {
		s = xcalloc(1, sizeof(*s));
		s->tag = T_SINK;
		s->fd = fd;
		s->buf = xcalloc(1, SINK_BUF);
		ep_set(EPOLL_CTL_ADD, fd, EPOLLIN, s);
	}
}

static void
sink_read(struct sinkconn *s)
{
	struct mixframe	 f;
	ssize_t		 n;
	size_t		 off;
	int		 r;

	for (;;) {
		n = read(s->fd, s->buf + s->len, SINK_BUF - s->len);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			epoll_ctl(ep, EPOLL_CTL_DEL, s->fd, NULL);
			close(s->fd);
			free(s->buf);
			free(s);
			return;
		}
		s->len += (size_t)n;
		off = 0;
		while ((r = mixframe_decode(s->buf + off, s->len - off, &f))
		    > 0) {
			if (f.packet_len == SPHINX_SIZE_ACK)
				sink_acks++;
			else {
				sink_packets++;
				if (fl != NULL)
					load_got_seq(fl, f.packet +
					    f.packet_len - 8, t_now());
			}
			off += (size_t)r;
		}
		if (r < 0) {
			/* Out of step: count it and resynchronise nowhere. */
			sink_errors++;
			off = s->len;
		}
		memmove(s->buf, s->buf + off, s->len - off);
		s->len -= off;
		t_last_sink = t_now();
	}
}

static void
sink_start(void)
{
	struct sockaddr_in	 sin;
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	int			 one = 1;

	if ((sink_listen.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		t_die("socket: %s", strerror(errno));
	setsockopt(sink_listen.fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(sink_listen.fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(sink_listen.fd, 128) == -1 ||
	    getsockname(sink_listen.fd, (struct sockaddr *)&ss, &sl) == -1 ||
	    nodeaddr_from_sockaddr((struct sockaddr *)&ss, &sink_addr) == -1)
		t_die("sink: %s", strerror(errno));
	ep_set(EPOLL_CTL_ADD, sink_listen.fd, EPOLLIN, &sink_listen);
}

static void
mixout_write(struct mixout *o)
{
	ssize_t	 n;

	while (o->off < o->len) {
		n = send(o->fd, o->buf + o->off, o->len - o->off,
		    MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0)
			t_die("mix port: %s", n == 0 ? "closed" :
			    strerror(errno));
		o->off += (size_t)n;
	}
	/* All written: keep the connection, stop asking. */
	if (o->armed) {
		ep_set(EPOLL_CTL_MOD, o->fd, 0, o);
		o->armed = 0;
	}
}

static void
mixout_connect(void)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	int			 i, one = 1;

	if (nodeaddr_to_sockaddr(&gw_mix, &ss, &sl) == -1)
		t_die("mix address");
	for (i = 0; i < nmixout; i++) {
		/* mixd drops a connection idle past mix_read_timeout. */
		if (mixouts[i].tag == T_MIXOUT) {
			epoll_ctl(ep, EPOLL_CTL_DEL, mixouts[i].fd, NULL);
			close(mixouts[i].fd);
		}
		mixouts[i].tag = T_MIXOUT;
		mixouts[i].armed = 0;
		/* Blocking connect on loopback: immediate. */
		if ((mixouts[i].fd = socket(ss.ss_family, SOCK_STREAM |
		    SOCK_CLOEXEC, 0)) == -1 ||
		    connect(mixouts[i].fd, (struct sockaddr *)&ss, sl) == -1)
			t_die("mix port connect: %s", strerror(errno));
		setsockopt(mixouts[i].fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		if (fcntl(mixouts[i].fd, F_SETFL, O_NONBLOCK) == -1)
			t_die("fcntl: %s", strerror(errno));
		ep_set(EPOLL_CTL_ADD, mixouts[i].fd, 0, &mixouts[i]);
	}
}

/* --- delivery load: frames built ahead, written paced ------------------ */

struct buildjob {
	const uint8_t	*gw_key;
	uint8_t		*frames;
	size_t		 flen, hlen, nclient;
	uint64_t	 from, to;
	const uint8_t	*hdr;
};

/* Packets [from, to): one hop to the gateway, round-robin clients. */
static void *
build_range(void *arg)
{
	struct buildjob		*j = arg;
	struct sphinx_ctx	*ctx = sphinx_ctx_new();
	struct sphinx_route_hop	 hop;
	uint8_t			 msg[SPHINX_SURB_ACK_LEN + 64];
	uint8_t			 id[SPHINX_ID_LEN];
	uint8_t			*f;
	uint64_t		 i;
	int			 m;

	if (ctx == NULL)
		t_die("sphinx_ctx_new");
	memset(&hop, 0, sizeof(hop));
	if (nodeaddr_encode(&gw_mix, hop.address, sizeof(hop.address)) < 0 ||
	    nodeaddr_encode(&sink_addr, msg, SPHINX_SURB_ACK_ADDR_LEN) < 0)
		t_die("nodeaddr_encode");
	memcpy(hop.pubkey, j->gw_key, 32);
	memset(id, 0, sizeof(id));
	/* mixd forwards the ack unopened: the same made-up one will do. */
	randombytes_buf(msg + SPHINX_SURB_ACK_ADDR_LEN, SPHINX_SIZE_ACK);
	for (i = j->from; i < j->to; i++) {
		f = j->frames + i * j->flen;
		memcpy(f, j->hdr, j->hlen);
		m = snprintf((char *)msg + SPHINX_SURB_ACK_LEN, 64, "%s%llu",
		    dl_tag, (unsigned long long)i);
		if (sphinx_create(ctx, SPHINX_VERSION_EXPLICIT_KEYS, &hop, 1,
		    clients[i % j->nclient]->id, id, msg,
		    SPHINX_SURB_ACK_LEN + (size_t)m, SPHINX_SIZE_REGULAR,
		    NULL, f + j->hlen) != SPHINX_OK)
			t_die("sphinx_create");
	}
	sphinx_ctx_free(ctx);
	return NULL;
}

/* npkts frames for the first n clients, built on every core. */
static struct dsendrun *
dsend_build(size_t n, uint64_t npkts, unsigned nthreads)
{
	struct dsendrun	*d = xcalloc(1, sizeof(*d));
	struct buildjob	 jobs[16];
	pthread_t	 t[16];
	uint8_t		 hdr[MIXFRAME_MAX_HDR_LEN];
	unsigned	 k;
	int		 h;

	h = mixframe_encode_header(MIXFRAME_V7, mixframe_tag_for(
	    MIXFRAME_TYPE_SPHINX, SPHINX_SIZE_REGULAR), MIXFRAME_TYPE_SPHINX,
	    0, hdr);
	if (h < 0)
		t_die("mixframe header");
	d->flen = (size_t)h + SPHINX_SIZE_REGULAR;
	d->n = npkts;
	if ((d->frames = malloc(npkts * d->flen)) == NULL)
		t_die("%llu frames: out of memory", (unsigned long long)npkts);
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > 16)
		nthreads = 16;
	for (k = 0; k < nthreads; k++) {
		jobs[k] = (struct buildjob){ gw_sphinx, d->frames, d->flen,
		    (size_t)h, n, npkts * k / nthreads,
		    npkts * (k + 1) / nthreads, hdr };
		if (pthread_create(&t[k], NULL, build_range, &jobs[k]) != 0)
			t_die("pthread_create");
	}
	for (k = 0; k < nthreads; k++)
		pthread_join(t[k], NULL);
	return d;
}

static void
dsend_free(struct dsendrun *d)
{
	if (d == NULL)
		return;
	free(d->frames);
	free(d);
}

/* May the delivery run write frame d->next now? */
static int
dsend_may_send(double now)
{
	if (dsend->next >= dsend->n)
		return 0;
	if (dsend->until > 0 && now > dsend->until)
		return 0;
	if (dsend->window > 0 &&
	    dsend->next - (pushed - dsend->base) >= dsend->window)
		return 0;
	return dsend->rate <= 0 ||
	    (double)dsend->next < (now - dsend->t0) * dsend->rate;
}

/*
 * Frame i goes whole to connection i % nmixout, in order: a connection
 * still writing an earlier frame holds the run up until it drains
 * (EPOLLOUT), which is the backpressure the gateway gives.
 */
static void
dsend_feed(void)
{
	struct mixout	*o;
	double		 now = t_now();

	while (dsend_may_send(now)) {
		o = &mixouts[dsend->next % (uint64_t)nmixout];
		if (o->off < o->len) {
			mixout_write(o);
			if (o->off < o->len)
				return;
		}
		o->buf = dsend->frames + dsend->next * dsend->flen;
		o->len = dsend->flen;
		o->off = 0;
		mixout_write(o);
		if (o->off < o->len && !o->armed) {
			ep_set(EPOLL_CTL_MOD, o->fd, EPOLLOUT, o);
			o->armed = 1;
		}
		if (dsend->r != NULL)
			dsend->r->t_sent[dsend->next] = now;
		dsend->next++;
	}
}

/* --- the loop -------------------------------------------------------- */

static void
loop_once(int timeout_ms)
{
	struct epoll_event	 evs[1024];
	int			 i, n;
	enum tag		*t;

	n = epoll_wait(ep, evs, (int)(sizeof(evs) / sizeof(evs[0])),
	    timeout_ms);
	if (n == -1 && errno != EINTR)
		t_die("epoll_wait: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		t = evs[i].data.ptr;
		switch (*t) {
		case T_CLIENT:
			client_event((struct client *)t);
			break;
		case T_LISTEN:
			sink_accept();
			break;
		case T_SINK:
			sink_read((struct sinkconn *)t);
			break;
		case T_MIXOUT:
			mixout_write((struct mixout *)t);
			break;
		}
	}
}

/*
 * The forward run: the first n clients take turns, one packet each, with
 * at most fwd_window packets between a client and the sink.  mixd drops
 * what does not fit its queue to a slow next hop (peer_queue_full), and
 * the sink shares a core with the clients: an open loop would measure
 * those drops, not clientd.
 */
/* May the forward run send one more now? */
static int
fwd_may_send(double now)
{
	if (fwd->sent >= fwd->total ||
	    fwd->sent - (sink_packets - fwd->base) >= fwd_window)
		return 0;
	if (fwd->until > 0 && now > fwd->until)
		return 0;
	return fwd->rate <= 0 || (double)fwd->sent < (now - fwd->t0) *
	    fwd->rate;
}

/* The pool packet for the next send, stamped when a load run counts. */
static const uint8_t *
fwd_packet(double now)
{
	const uint8_t	*p = fwd->pool + (fwd->sent % FWD_POOL) *
	    (SPHINX_SIZE_REGULAR + 64);

	if (fwd->r == NULL)
		return p;
	memcpy(fwd->stamp, p, fwd->mplen);
	memcpy(fwd->stamp + fwd->mplen - 8, &fwd->sent, 8);
	fwd->r->t_sent[fwd->sent] = now;
	return fwd->stamp;
}

static void
fwd_feed(void)
{
	struct client	*c;
	size_t		 skipped = 0;
	double		 now = t_now();

	while (fwd_may_send(now) && skipped < fwd->n) {
		c = clients[fwd->next];
		fwd->next = (fwd->next + 1) % fwd->n;
		if (c->nc == NULL || c->stage != ST_READY) {
			skipped++;
			continue;
		}
		skipped = 0;
		/* Sealing the frame is the client's work, timed too. */
		if (nymclient_forward_start(c->nc, 2, fwd_packet(now),
		    fwd->mplen) == -1)
			t_die("forward: %s", nymclient_error(c->nc));
		fwd->sent++;
		client_event(c);
	}
}

static void dsend_feed(void);

/* Run the loop until done() or secs pass; 0 on done. */
static int
run_until(int (*done)(void *), void *arg, size_t target, double secs)
{
	double	 end = t_now() + secs;

	while (!done(arg)) {
		if (t_now() > end)
			return -1;
		spawn(target);
		if (fwd != NULL)
			fwd_feed();
		if (dsend != NULL)
			dsend_feed();
		loop_once(loop_ms);
	}
	return 0;
}

static int
all_ready(void *arg)
{
	return nready >= *(size_t *)arg;
}

static int
sink_has(void *arg)
{
	return sink_packets >= *(uint64_t *)arg;
}

static int
pushed_has(void *arg)
{
	return pushed >= *(uint64_t *)arg;
}

static int
never(void *arg)
{
	(void)arg;
	return 0;
}

/* --- the runs -------------------------------------------------------- */

static const char *
clients_word(size_t n)
{
	return n == 1 ? "client" : "clients";
}

static int
grow(size_t target, double secs)
{
	size_t	 from = nready, r0 = retries;
	double	 t0 = t_now(), t;

	if (run_until(all_ready, &target, target, secs) == -1) {
		printf("clientd register: only %zu of %zu clients ready "
		    "after %.0f s (%zu retries; first error: %s)\n", nready,
		    target, secs, retries - r0, first_error);
		return -1;
	}
	t = t_now() - t0;
	if (target - from >= 100)
		printf("clientd register: %zu clients in %.2f s = %.0f "
		    "registrations/s (handshake + free bandwidth claim, %zu "
		    "at once, %zu retried)\n", target - from, t,
		    (double)(target - from) / t, max_inflight, retries - r0);
	return 0;
}

static void
fwd_pool_build(struct sphinx_ctx *ctx, uint8_t *pool, size_t *mplen)
{
	struct sphinx_route_hop	 hop;
	struct mixpacket	 mp;
	uint8_t			 pkt[SPHINX_SIZE_REGULAR], dest[32];
	uint8_t			 id[SPHINX_ID_LEN], sk[32], msg[64];
	int			 i, n;

	/* The sink's key is made up: it only counts, never unwraps. */
	memset(&hop, 0, sizeof(hop));
	if (nodeaddr_encode(&sink_addr, hop.address, sizeof(hop.address)) < 0)
		t_die("nodeaddr_encode");
	randombytes_buf(sk, sizeof(sk));
	crypto_scalarmult_base(hop.pubkey, sk);
	memset(id, 0, sizeof(id));
	for (i = 0; i < FWD_POOL; i++) {
		randombytes_buf(dest, sizeof(dest));
		n = snprintf((char *)msg, sizeof(msg), "bench_clientd fwd %d",
		    i);
		if (sphinx_create(ctx, SPHINX_VERSION_EXPLICIT_KEYS, &hop, 1,
		    dest, id, msg, (size_t)n, sizeof(pkt), NULL, pkt) !=
		    SPHINX_OK)
			t_die("sphinx_create");
		memset(&mp, 0, sizeof(mp));
		mp.packet_type = MIXPACKET_TYPE_SPHINX;
		mp.next_hop = sink_addr;
		mp.packet = pkt;
		mp.packet_len = sizeof(pkt);
		n = mixpacket_encode(MIXPACKET_V2, &mp, pool + (size_t)i *
		    (SPHINX_SIZE_REGULAR + 64), SPHINX_SIZE_REGULAR + 64);
		if (n < 0)
			t_die("mixpacket_encode: %s", mixpacket_strerror(n));
		*mplen = (size_t)n;
	}
}

static int
bench_forward(size_t n, const uint8_t *pool, size_t mplen, uint64_t npkts,
    double secs)
{
	struct fwdrun	 fr;
	uint64_t	 want, r0 = send_replies, e0 = gw_errors;
	double		 t0;

	memset(&fr, 0, sizeof(fr));
	fr.pool = pool;
	fr.mplen = mplen;
	fr.n = n < nclients ? n : nclients;
	fr.base = sink_packets;
	fr.total = npkts;
	want = fr.base + npkts;
	fwd = &fr;
	t0 = t_now();
	if (run_until(sink_has, &want, 0, secs) == -1) {
		printf("clientd forward: %zu %s: only %llu of %llu packets "
		    "reached the first hop in %.0f s (%llu errors: %s)\n", n,
		    clients_word(n),
		    (unsigned long long)(sink_packets - fr.base),
		    (unsigned long long)fr.sent, secs,
		    (unsigned long long)(gw_errors - e0), first_error);
		fwd = NULL;
		return -1;
	}
	fwd = NULL;
	if ((double)npkts / (t_last_sink - t0) > rate_fwd)
		rate_fwd = (double)npkts / (t_last_sink - t0);
	printf("clientd forward: %zu %s: %.0f packets/s (%llu packets, "
	    "every client sending, at most %llu in flight, to a TCP first "
	    "hop in %.2f s; %llu \"send\" replies by then)\n", n,
	    clients_word(n), (double)npkts / (t_last_sink - t0),
	    (unsigned long long)npkts, (unsigned long long)fwd_window,
	    t_last_sink - t0, (unsigned long long)(send_replies - r0));
	return 0;
}

/* Final-hop packets for the first n clients, framed, over the conns. */
static void
deliver_build(struct sphinx_ctx *ctx, size_t n, uint64_t npkts)
{
	struct sphinx_route_hop	 hop;
	uint8_t			 msg[SPHINX_SURB_ACK_LEN + 64];
	uint8_t			 id[SPHINX_ID_LEN], dest[32];
	uint8_t			 hdr[MIXFRAME_MAX_HDR_LEN];
	struct mixout		*o;
	size_t			 per, flen, ci;
	uint64_t		 i;
	int			 h, j, m;

	memset(&hop, 0, sizeof(hop));
	if (nodeaddr_encode(&gw_mix, hop.address, sizeof(hop.address)) < 0)
		t_die("nodeaddr_encode");
	memcpy(hop.pubkey, gw_sphinx, 32);
	memset(id, 0, sizeof(id));
	h = mixframe_encode_header(MIXFRAME_V7, mixframe_tag_for(
	    MIXFRAME_TYPE_SPHINX, SPHINX_SIZE_REGULAR), MIXFRAME_TYPE_SPHINX,
	    0, hdr);
	if (h < 0)
		t_die("mixframe header");
	flen = (size_t)h + SPHINX_SIZE_REGULAR;
	per = (size_t)(npkts / (uint64_t)nmixout + 1);
	for (j = 0; j < nmixout; j++) {
		o = &mixouts[j];
		free(o->buf);
		o->buf = xcalloc(per, flen);
		o->len = o->off = 0;
	}
	/*
	 * A SURB-ack is the first hop's address and 386 bytes that mixd
	 * forwards unopened: made up here, addressed to the sink.
	 */
	memset(msg, 0, sizeof(msg));
	if (nodeaddr_encode(&sink_addr, msg, SPHINX_SURB_ACK_ADDR_LEN) < 0)
		t_die("nodeaddr_encode");
	for (i = 0, ci = 0; i < npkts; i++, ci = (ci + 1) % n) {
		while (clients[ci]->nc == NULL)
			ci = (ci + 1) % n;
		memcpy(dest, clients[ci]->id, sizeof(dest));
		randombytes_buf(msg + SPHINX_SURB_ACK_ADDR_LEN,
		    SPHINX_SIZE_ACK);
		m = snprintf((char *)msg + SPHINX_SURB_ACK_LEN, 64,
		    "bench_clientd delivery %llu", (unsigned long long)i);
		o = &mixouts[i % (uint64_t)nmixout];
		memcpy(o->buf + o->len, hdr, (size_t)h);
		if (sphinx_create(ctx, SPHINX_VERSION_EXPLICIT_KEYS, &hop, 1,
		    dest, id, msg, SPHINX_SURB_ACK_LEN + (size_t)m,
		    SPHINX_SIZE_REGULAR, NULL, o->buf + o->len + h) !=
		    SPHINX_OK)
			t_die("sphinx_create");
		o->len += flen;
	}
}

static int
bench_deliver(struct sphinx_ctx *ctx, size_t n, uint64_t npkts, double secs)
{
	uint64_t	 want = pushed + npkts, p0 = pushed, a0 = sink_acks;
	double		 t0, tb;
	int		 j;

	tb = t_now();
	mixout_connect();
	deliver_build(ctx, n, npkts);
	tb = t_now() - tb;
	t0 = t_now();
	for (j = 0; j < nmixout; j++) {
		ep_set(EPOLL_CTL_MOD, mixouts[j].fd, EPOLLOUT, &mixouts[j]);
		mixouts[j].armed = 1;
		mixout_write(&mixouts[j]);
	}
	if (run_until(pushed_has, &want, 0, secs) == -1) {
		printf("clientd delivery: %zu %s: only %llu of %llu pushed "
		    "messages arrived in %.0f s\n", n, clients_word(n),
		    (unsigned long long)(pushed - p0),
		    (unsigned long long)npkts, secs);
		return -1;
	}
	if ((double)npkts / (t_last_push - t0) > rate_del)
		rate_del = (double)npkts / (t_last_push - t0);
	printf("clientd delivery: %zu %s: %.0f packets/s (%llu final-hop "
	    "packets in at the mix port over %d connections, pushed and "
	    "decrypted in %.2f s; %llu SURB-acks at the first hop by then; "
	    "built in %.2f s before)\n", n, clients_word(n),
	    (double)npkts / (t_last_push - t0), (unsigned long long)npkts,
	    nmixout, t_last_push - t0, (unsigned long long)(sink_acks - a0),
	    tb);
	return 0;
}

/* --- the load runs (-L) ----------------------------------------------- */

static FILE		*csv;
static double		 load_secs, lat_secs = 10;
static size_t		 load_clients = 100;
static uint64_t		 load_window = 4000;

/* Unwraps per second on one core: mixd's code over our own key. */
static double
load_floor(struct sphinx_ctx *ctx, unsigned npk)
{
	struct sphinx_key	 k;
	const struct sphinx_key	*cand[1] = { &k };
	struct sphinx_route_hop	 hop;
	struct sphinx_result	 res;
	uint8_t			 msg[SPHINX_SURB_ACK_LEN + 64], id[16];
	uint8_t			 dest[32];
	uint8_t			*pk = xcalloc(npk, SPHINX_SIZE_REGULAR);
	double			 t0, t;
	unsigned		 i;

	memset(&k, 0, sizeof(k));
	memset(&hop, 0, sizeof(hop));
	memset(id, 0, sizeof(id));
	memset(dest, 0, sizeof(dest));
	randombytes_buf(k.sk, sizeof(k.sk));
	crypto_scalarmult_base(hop.pubkey, k.sk);
	randombytes_buf(msg, sizeof(msg));
	for (i = 0; i < npk; i++)
		if (sphinx_create(ctx, SPHINX_VERSION_EXPLICIT_KEYS, &hop, 1,
		    dest, id, msg, sizeof(msg), SPHINX_SIZE_REGULAR, NULL,
		    pk + (size_t)i * SPHINX_SIZE_REGULAR) != SPHINX_OK)
			t_die("sphinx_create");
	t0 = t_now();
	for (i = 0; i < npk; i++)
		if (sphinx_process(ctx, cand, 1, SPHINX_ACCEPT_FINAL,
		    pk + (size_t)i * SPHINX_SIZE_REGULAR, SPHINX_SIZE_REGULAR,
		    pk + (size_t)i * SPHINX_SIZE_REGULAR, &res) != SPHINX_OK)
			t_die("floor: unwrap failed");
	t = t_now() - t0;
	sodium_memzero(&k, sizeof(k));
	free(pk);
	return (double)npk / t;
}

static struct loadrun *
loadrun_new(uint64_t n)
{
	struct loadrun	*r = xcalloc(1, sizeof(*r));

	r->n = n;
	r->t_sent = xcalloc(n, sizeof(double));
	r->lat = xcalloc(n, sizeof(double));
	return r;
}

static void
loadrun_free(struct loadrun *r)
{
	if (r == NULL)
		return;
	free(r->t_sent);
	free(r->lat);
	free(r);
}

static int
dbl_cmp(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The q-quantile of r's latencies, in ms (sorts them). */
static double
load_pct(struct loadrun *r, double q)
{
	size_t	 i;

	if (r->nlat == 0)
		return -1;
	qsort(r->lat, r->nlat, sizeof(double), dbl_cmp);
	i = (size_t)(q * (double)(r->nlat - 1) + 0.5);
	return r->lat[i] * 1000;
}

static void
load_csv(const char *path, double load, double offered, double got,
    struct loadrun *r, uint64_t sent, uint64_t lost)
{
	if (csv == NULL)
		return;
	fprintf(csv, "%s,%.2f,%.0f,%.0f,%.3f,%.3f,%.3f,%llu,%llu\n", path,
	    load, offered, got, r ? load_pct(r, 0.5) : -1.0,
	    r ? load_pct(r, 0.99) : -1.0, r ? load_pct(r, 0.999) : -1.0,
	    (unsigned long long)sent, (unsigned long long)lost);
	fflush(csv);
}

static int
dsend_time_up(void *arg)
{
	double	 end = *(double *)arg;

	return t_now() > end && pushed - dsend->base >= dsend->next;
}

/*
 * One delivery run: npk packets built, then written paced at rate (0:
 * as fast as the window allows) until all are sent or secs pass, and
 * waited for.  Returns packets pushed per second; *sent, *lost.
 */
static double
load_delivery_run(size_t n, uint64_t npk, double rate, double secs,
    struct loadrun *r, uint64_t *sent, uint64_t *lost)
{
	double	 end, got;

	double	 tb = t_now();

	dsend = dsend_build(n, npk, (unsigned)sysconf(_SC_NPROCESSORS_ONLN));
	printf("delivery run: %llu packets built in %.1f s on every core, "
	    "then sent%s\n", (unsigned long long)npk, t_now() - tb,
	    rate > 0 ? " paced" : " as fast as taken");
	fflush(stdout);
	mixout_connect();
	dsend->r = r;
	dsend->rate = rate;
	dsend->window = rate > 0 ? 0 : load_window;
	dsend->base = pushed;
	dl = r;
	loop_ms = 1;
	dsend->t0 = t_now();
	dsend->until = dsend->t0 + secs;
	end = dsend->until;
	(void)run_until(dsend_time_up, &end, 0, secs + 30);
	*sent = dsend->next;
	*lost = dsend->next - (pushed - dsend->base);
	got = (double)(pushed - dsend->base) / (t_last_push - dsend->t0);
	loop_ms = 20;
	dl = NULL;
	mixout_connect();	/* fresh connections, no borrowed buffers */
	for (int j = 0; j < nmixout; j++)
		mixouts[j].buf = NULL, mixouts[j].len = mixouts[j].off = 0;
	dsend_free(dsend);
	dsend = NULL;
	return got;
}

static int
fwd_time_up(void *arg)
{
	double	 end = *(double *)arg;

	return (t_now() > end || fwd->sent >= fwd->total) &&
	    sink_packets - fwd->base >= fwd->sent;
}

/* As load_delivery_run, for client -> first hop. */
static double
load_forward_run(const uint8_t *pool, size_t mplen, size_t n, uint64_t npk,
    double rate, double secs, struct loadrun *r, uint64_t *sent,
    uint64_t *lost)
{
	struct fwdrun	*fr = xcalloc(1, sizeof(*fr));
	double		 end, got;

	fr->pool = pool;
	fr->mplen = mplen;
	fr->n = n;
	fr->base = sink_packets;
	fr->total = npk;
	fr->rate = rate;
	fr->r = r;
	fwd = fr;
	fl = r;
	loop_ms = 1;
	fr->t0 = t_now();
	fr->until = end = fr->t0 + secs;
	(void)run_until(fwd_time_up, &end, 0, secs + 30);
	*sent = fr->sent;
	*lost = fr->sent - (sink_packets - fr->base);
	got = (double)(sink_packets - fr->base) / (t_last_sink - fr->t0);
	loop_ms = 20;
	fwd = NULL;
	fl = NULL;
	free(fr);
	return got;
}

/* Packets for secs at rate, bounded: a run that runs out ends early. */
static uint64_t
load_count(double rate, double secs)
{
	double	 n = rate * secs;

	if (n < 1000)
		n = 1000;
	return n > 4e6 ? 4000000 : (uint64_t)n;
}

/* What a latency run printed, and the CSV line. */
static void
load_lat_report(const char *path, double f, double rate, double got,
    struct loadrun *r, uint64_t sent, uint64_t lost, double half[2])
{
	double	 p50 = load_pct(r, 0.5), p99 = load_pct(r, 0.99);
	double	 p999 = load_pct(r, 0.999);

	printf("%s latency at %.0f %%: offered %.0f packets/s, got %.0f/s, "
	    "%llu packets (%llu lost): p50 %.3f ms, p99 %.3f ms, "
	    "p99.9 %.3f ms\n", path, f * 100, rate, got,
	    (unsigned long long)sent, (unsigned long long)lost, p50, p99,
	    p999);
	load_csv(path, f, rate, got, r, sent, lost);
	if (f == 0.5) {
		half[0] = p50;
		half[1] = p99;
	}
}

static const double	 load_fracs[] = { 0.25, 0.5, 0.75 };
#define NFRACS	(sizeof(load_fracs) / sizeof(load_fracs[0]))

static int
load_delivery(size_t n, double floor)
{
	struct loadrun	*r;
	uint64_t	 sent, lost, npk, lost_all;
	double		 got, got_at, rate, half[2] = { -1, -1 };
	size_t		 i;

	/* The best burst rate, with room: running out ends the run early. */
	npk = load_count(rate_del * 1.35, load_secs);
	got = load_delivery_run(n, npk, 0, load_secs, NULL, &sent, &lost);
	lost_all = lost;
	printf("delivery sustained: %.0f packets/s for %.0f s (%llu packets "
	    "to %zu clients, %llu not delivered, at most %llu in flight%s)\n",
	    got, load_secs, (unsigned long long)sent, n,
	    (unsigned long long)lost, (unsigned long long)load_window,
	    sent == npk ? "; ran out of packets before the time" : "");
	printf("ratio delivery/one-core floor: %.2f\n", got / floor);
	load_csv("delivery", 1, 0, got, NULL, sent, lost);
	for (i = 0; i < NFRACS; i++) {
		rate = got * load_fracs[i];
		r = loadrun_new(load_count(rate, lat_secs));
		got_at = load_delivery_run(n, r->n, rate, lat_secs + 1, r,
		    &sent, &lost);
		load_lat_report("delivery", load_fracs[i], rate, got_at, r,
		    sent, lost, half);
		lost_all += lost;
		loadrun_free(r);
		fflush(stdout);
	}
	printf("delivery added latency at half load: p50 %.3f ms, p99 %.3f "
	    "ms\n", half[0], half[1]);
	return lost_all == 0 ? 0 : 1;
}

static int
load_forward(const uint8_t *pool, size_t mplen, size_t n)
{
	struct loadrun	*r;
	uint64_t	 sent, lost, lost_all;
	double		 got, got_at, rate, half[2] = { -1, -1 };
	size_t		 i;

	got = load_forward_run(pool, mplen, n, load_count(rate_fwd * 1.5,
	    load_secs), 0, load_secs, NULL, &sent, &lost);
	lost_all = lost;
	printf("forward sustained: %.0f packets/s for %.0f s (%llu packets "
	    "from %zu clients, %llu not at the first hop, at most %llu in "
	    "flight)\n", got, load_secs, (unsigned long long)sent, n,
	    (unsigned long long)lost, (unsigned long long)fwd_window);
	load_csv("forward", 1, 0, got, NULL, sent, lost);
	for (i = 0; i < NFRACS; i++) {
		rate = got * load_fracs[i];
		r = loadrun_new(load_count(rate, lat_secs));
		got_at = load_forward_run(pool, mplen, n, r->n, rate,
		    lat_secs + 1, r, &sent, &lost);
		load_lat_report("forward", load_fracs[i], rate, got_at, r,
		    sent, lost, half);
		lost_all += lost;
		loadrun_free(r);
		fflush(stdout);
	}
	printf("forward added latency at half load: p50 %.3f ms, p99 %.3f "
	    "ms\n", half[0], half[1]);
	return lost_all == 0 ? 0 : 1;
}

static int
load_runs(struct sphinx_ctx *ctx, const uint8_t *pool, size_t mplen)
{
	size_t	 n = load_clients < nready ? load_clients : nready;
	double	 floor;
	int	 rc;

	floor = load_floor(ctx, 3000);
	printf("load floor: %.0f unwraps/s on one core (sphinx_process, "
	    "2413-byte final hop, libsodium X25519 as in mixd)\n", floor);
	load_csv("floor", 1, 0, floor, NULL, 0, 0);
	fflush(stdout);
	rc = load_delivery(n, floor);
	rc |= load_forward(pool, mplen, n);
	return rc;
}

static void
rss_report(size_t n, const char *when)
{
	long	 kb;
	int	 i;

	for (i = 0; i < nprocs; i++) {
		kb = rss_kb(procs[i].pid);
		if (kb < 0) {
			printf("clientd rss: %s: no such process\n",
			    procs[i].role);
			continue;
		}
		printf("clientd rss: %s %ld kB with 0 clients, %ld kB with %zu "
		    "%s%s = %.2f kB per client\n", procs[i].role,
		    procs[i].rss0, kb, n, when, clients_word(n),
		    (double)(kb - procs[i].rss0) / (double)n);
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_clientd -w ip:port -m ip:port -K keydir "
	    "[-n counts] [-f packets] [-d packets]\n\t[-c inflight] "
	    "[-C conns] [-P role=pid]... [-t secs]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct sphinx_ctx	*ctx;
	struct rlimit		 rl;
	struct nodeaddr		 wsa;
	size_t			 counts[MAX_COUNTS], ncounts = 0;
	size_t			 maxn, mplen;
	uint64_t		 nfwd = 20000, ndel = 20000;
	const char		*keydir = NULL, *wsarg = NULL, *mixarg = NULL;
	char			*p, *s, *eq;
	uint8_t			*pool;
	double			 secs = 60;
	int			 ch, status = 0;
	size_t			 i;

	while ((ch = getopt(argc, argv, "C:c:d:f:K:L:l:m:n:o:P:t:u:W:w:")) !=
	    -1) {
		switch (ch) {
		case 'L':
			load_secs = atof(optarg);
			break;
		case 'l':
			lat_secs = atof(optarg);
			break;
		case 'o':
			if ((csv = fopen(optarg, "w")) == NULL)
				t_die("%s: %s", optarg, strerror(errno));
			fprintf(csv, "path,load,offered_pps,achieved_pps,"
			    "p50_ms,p99_ms,p999_ms,packets,lost\n");
			break;
		case 'u':
			load_clients = (size_t)atol(optarg);
			break;
		case 'C':
			nmixout = atoi(optarg);
			break;
		case 'c':
			max_inflight = (size_t)atol(optarg);
			break;
		case 'd':
			ndel = (uint64_t)atoll(optarg);
			break;
		case 'f':
			nfwd = (uint64_t)atoll(optarg);
			break;
		case 'K':
			keydir = optarg;
			break;
		case 'm':
			mixarg = optarg;
			break;
		case 'n':
			for (s = optarg; (p = strsep(&s, ",")) != NULL; ) {
				if (ncounts == MAX_COUNTS)
					usage();
				counts[ncounts] = (size_t)atol(p);
				if (counts[ncounts] == 0 || (ncounts > 0 &&
				    counts[ncounts] < counts[ncounts - 1]))
					usage();
				ncounts++;
			}
			break;
		case 'P':
			if (nprocs == MAX_PROCS ||
			    (eq = strchr(optarg, '=')) == NULL ||
			    (size_t)(eq - optarg) >= sizeof(procs[0].role))
				usage();
			memcpy(procs[nprocs].role, optarg,
			    (size_t)(eq - optarg));
			procs[nprocs].pid = atol(eq + 1);
			nprocs++;
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'W':
			fwd_window = (uint64_t)atoll(optarg);
			break;
		case 'w':
			wsarg = optarg;
			break;
		default:
			usage();
		}
	}
	if (keydir == NULL || wsarg == NULL || mixarg == NULL ||
	    nmixout < 1 || nmixout > MAX_MIXOUT || max_inflight < 1 ||
	    nfwd == 0 || ndel == 0 || fwd_window == 0 || secs <= 0)
		usage();
	if (ncounts == 0) {
		counts[0] = 1;
		counts[1] = 100;
		counts[2] = 10000;
		ncounts = 3;
	}
	maxn = counts[ncounts - 1];
	if (nodeaddr_parse(wsarg, &wsa) == -1 || wsa.family != 4 ||
	    nodeaddr_parse(mixarg, &gw_mix) == -1)
		usage();
	if (snprintf(ws_ip, sizeof(ws_ip), "%u.%u.%u.%u", wsa.ip[0],
	    wsa.ip[1], wsa.ip[2], wsa.ip[3]) < 0)
		usage();
	ws_port = wsa.port;
	read_pem_key(keydir, "ed25519_identity.pub", "ED25519 PUBLIC KEY",
	    gw_id);
	read_pem_key(keydir, "x25519_sphinx.pub", "X25519 PUBLIC KEY",
	    gw_sphinx);

	/* One descriptor per client, and a few more. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < maxn + 64 + (rlim_t)nmixout)
		t_die("%zu clients need %zu descriptors; the limit is %llu",
		    maxn, maxn + 64 + (size_t)nmixout,
		    (unsigned long long)rl.rlim_cur);

	if (sodium_init() == -1 || (ctx = sphinx_ctx_new()) == NULL)
		t_die("init");
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		t_die("epoll_create1: %s", strerror(errno));
	clients = xcalloc(maxn, sizeof(*clients));
	sink_start();
	pool = xcalloc(FWD_POOL, SPHINX_SIZE_REGULAR + 64);
	fwd_pool_build(ctx, pool, &mplen);

	for (i = 0; i < (size_t)nprocs; i++)
		procs[i].rss0 = rss_kb(procs[i].pid);

	for (i = 0; i < ncounts; i++) {
		if (grow(counts[i], secs) == -1) {
			status = 1;
			break;
		}
		if (i == ncounts - 1 && nprocs > 0) {
			/* Idle: let clientd settle before reading RSS. */
			run_until(never, NULL, 0, 1.0);
			rss_report(counts[i], "idle ");
		}
		if (bench_forward(counts[i], pool, mplen, nfwd, secs) == -1)
			status = 1;
		if (bench_deliver(ctx, counts[i], ndel, secs) == -1)
			status = 1;
		fflush(stdout);
	}
	if (load_secs > 0 && status == 0 && load_runs(ctx, pool, mplen) != 0)
		status = 1;
	/* Stragglers ("send" replies, acks) before the totals. */
	run_until(never, NULL, 0, 0.5);
	if (nprocs > 0 && status == 0)
		rss_report(counts[ncounts - 1], "busy ");
	printf("clientd totals: %zu clients ready, %zu lost, %zu registration "
	    "retries, %llu gateway errors, %llu sink frames unparsed\n",
	    nready, nlost, retries, (unsigned long long)gw_errors,
	    (unsigned long long)sink_errors);
	if (first_error[0] != '\0')
		printf("clientd first error: %s\n", first_error);
	fflush(stdout);
	return status;
}
