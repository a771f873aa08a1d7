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
 * idle connected client.  Figures only: a non-zero exit only if a
 * step could not complete.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "keys.h"
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
};

struct fwdrun {
	const uint8_t	*pool;
	size_t		 mplen, n, next;
	uint64_t	 base, sent, total;
};

struct proc {
	char			 role[32];
	long			 pid;
	long			 rss0;	/* kB before any client */
};

static int			 ep = -1;
static struct client		**clients;
static size_t			 nclients;	/* started */
static size_t			 nready, inflight, retries, lost;
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
	lost++;
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
			else
				sink_packets++;
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
	ep_set(EPOLL_CTL_MOD, o->fd, 0, o);
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
static void
fwd_feed(void)
{
	struct client	*c;
	size_t		 skipped = 0;

	while (fwd->sent < fwd->total &&
	    fwd->sent - (sink_packets - fwd->base) < fwd_window &&
	    skipped < fwd->n) {
		c = clients[fwd->next];
		fwd->next = (fwd->next + 1) % fwd->n;
		if (c->nc == NULL || c->stage != ST_READY) {
			skipped++;
			continue;
		}
		skipped = 0;
		/* Sealing the frame is the client's work, timed too. */
		if (nymclient_forward_start(c->nc, 2, fwd->pool +
		    (fwd->sent % FWD_POOL) * (SPHINX_SIZE_REGULAR + 64),
		    fwd->mplen) == -1)
			t_die("forward: %s", nymclient_error(c->nc));
		fwd->sent++;
		client_event(c);
	}
}

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
		loop_once(20);
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
		mixout_write(&mixouts[j]);
	}
	if (run_until(pushed_has, &want, 0, secs) == -1) {
		printf("clientd delivery: %zu %s: only %llu of %llu pushed "
		    "messages arrived in %.0f s\n", n, clients_word(n),
		    (unsigned long long)(pushed - p0),
		    (unsigned long long)npkts, secs);
		return -1;
	}
	printf("clientd delivery: %zu %s: %.0f packets/s (%llu final-hop "
	    "packets in at the mix port over %d connections, pushed and "
	    "decrypted in %.2f s; %llu SURB-acks at the first hop by then; "
	    "built in %.2f s before)\n", n, clients_word(n),
	    (double)npkts / (t_last_push - t0), (unsigned long long)npkts,
	    nmixout, t_last_push - t0, (unsigned long long)(sink_acks - a0),
	    tb);
	return 0;
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

	while ((ch = getopt(argc, argv, "C:c:d:f:K:m:n:P:t:W:w:")) != -1) {
		switch (ch) {
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
	/* Stragglers ("send" replies, acks) before the totals. */
	run_until(never, NULL, 0, 0.5);
	if (nprocs > 0 && status == 0)
		rss_report(counts[ncounts - 1], "busy ");
	printf("clientd totals: %zu clients ready, %zu lost, %zu registration "
	    "retries, %llu gateway errors, %llu sink frames unparsed\n",
	    nready, lost, retries, (unsigned long long)gw_errors,
	    (unsigned long long)sink_errors);
	if (first_error[0] != '\0')
		printf("clientd first error: %s\n", first_error);
	fflush(stdout);
	return status;
}
