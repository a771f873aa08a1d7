/*
 * soak_gateway: thousands of clients and a stream of mix traffic against
 * a running gatewayd for a bounded time, accounting for every message
 * (driven by soak.sh, "make soak").
 *
 *	soak_gateway -w IP:PORT -m IP:PORT -K KEYDIR -p MASTERPID
 *	    [-n CLIENTS] [-T SECS] [-r MIXRATE] [-s SENDRATE] [-W WARMUP]
 *	    [-i INTERVAL] [-D DRAIN] [-c INFLIGHT] [-G MAXGROWTH]
 *
 *	-w  the gateway's client WebSocket address
 *	-m  the gateway's mix port
 *	-K  its keys directory (ed25519_identity.pub, x25519_sphinx.pub)
 *	-p  the master's pid: it and its children are sampled
 *	-n  clients (default 2000), registered once each
 *	-T  seconds of traffic (default 600)
 *	-r  final-hop packets a second into the mix port (default 150)
 *	-s  packets a second the clients send (default 100)
 *	-W  warm-up: the RSS baseline is the first sample at or after it
 *	    (default 120 s, at most a quarter of -T)
 *	-i  seconds between samples (default 30)
 *	-D  seconds to collect what is still owed at the end (default 90)
 *	-c  connects and authentications under way at once (default 128)
 *	-G  fail if the summed RSS grew by more than this percentage
 *
 * One thread, one epoll set (bench_clientd's scheme): the clients
 * (regress/lib/nymclient.h, non-blocking), a few connections that write
 * final-hop packets into the mix port, and a listener that plays the
 * first hop of every SURB-ack.  Each message is a one-hop Sphinx packet
 * to the gateway naming one registered client, carrying "soak SEQ" and
 * a SURB-ack whose first hop is our listener and whose 386 opaque bytes
 * (which mixd forwards unopened) carry SEQ: an ack coming home marks its
 * message acknowledged.  The clients send too: a ForwardSphinxV2 frame
 * whose next hop is the gateway's own mix port, so their packets come
 * back in through mixd like anyone's.
 *
 * Every client registers once, then cycles: online for 3-12 s (sending,
 * receiving pushes), a clean close (close frame, then read up to the
 * gateway's close, so nothing written to the socket is left unread),
 * offline for 1-6 s (its mail is stored), reconnect with authenticateV2
 * (the inbox is pushed).  At the end the traffic stops, every client
 * comes online and stays until everything acknowledged has arrived or
 * -D runs out.  A message acknowledged and never received is lost; one
 * received twice or by the wrong client is a duplicate or misdelivered.
 *
 * Every -i seconds, the VmRSS and open descriptors of the master and
 * each of its children, from /proc.  The last line is
 *	soak: C clients, P packets delivered, L lost, rss growth G%
 * with G the growth of the summed RSS from the baseline to the last
 * sample of the traffic phase.  Exit 1 on anything lost, duplicated or
 * misdelivered, on clients that never registered, or past -G.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

#define NMIXOUT		4
#define MIXOUT_HIGH	(1024 * 1024)	/* buffered: stop making packets */
#define SINK_BUF	(256 * 1024)
#define MAX_MSGS	(16u * 1024 * 1024)
#define MAX_PROCS	16
#define MAX_SAMPLES	1024
#define ACK_MAGIC	"soak-ack"
#define MSG_PREFIX	"soak "
#define CLOSE_WAIT	10.0		/* a clean close must end by then */

enum tag { T_CLIENT, T_LISTEN, T_SINK, T_MIXOUT };

enum stage {
	ST_REG_CONNECT,		/* first connect, to register */
	ST_REGISTER,
	ST_CLAIM,
	ST_ONLINE,
	ST_CLOSING,		/* close frame sent */
	ST_OFFLINE,
	ST_CONNECT,		/* reconnect, to authenticate */
	ST_AUTH,
};

struct client {
	enum tag		 tag;
	uint32_t		 idx;
	struct nymclient	*nc;
	int			 fd;	/* in the epoll set, or -1 */
	uint32_t		 ev;
	enum stage		 stage;
	int			 registered;
	uint8_t			 id[32];
	double			 due;
};

struct msg {
	uint32_t		 dest;
	uint8_t			 acked;
	uint8_t			 recv;
	uint8_t			 from_client;
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
	int			 connecting;
	uint8_t			*buf;
	size_t			 len, off, cap;
};

struct sample {
	double			 t;
	long			 rss, fds;
};

static int			 ep = -1;
static struct sphinx_ctx	*ctx;
static struct client		*clients;
static uint32_t			 nclients = 2000;
static uint32_t			*registered;	/* indexes, registered */
static uint32_t			 nregistered;
static struct msg		*msgs;
static uint64_t			 nmsgs, msgs_cap;
static char			 ws_ip[64];
static uint16_t			 ws_port;
static uint8_t			 gw_id[32], gw_sphinx[32];
static struct nodeaddr		 gw_mix, sink_addr;
static struct sinkconn		 sink_listen = { T_LISTEN, -1, NULL, 0 };
static struct mixout		 mixouts[NMIXOUT];
static size_t			 inflight, max_inflight = 128;
static int			 draining;
static long			 master_pid;
static struct sample		 samples[MAX_SAMPLES];
static int			 nsamples;
static double			 t_last_ack;

static struct {
	uint64_t	 mix_sent, client_sent, acks, acks_dup, acks_bad;
	uint64_t	 sink_other, received, dups, misdelivered, bad_msg;
	uint64_t	 reg_retries, auths, auth_failures, closes;
	uint64_t	 close_timeouts, dropped_online, gw_errors;
	uint64_t	 mix_reconnects, mix_throttled, send_refused;
	char		 first_error[256];
} st;

static void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	if ((p = calloc(n, size)) == NULL)
		t_die("out of memory");
	return p;
}

static void
note_error(const char *what, const char *why)
{
	if (st.first_error[0] == '\0')
		snprintf(st.first_error, sizeof(st.first_error), "%s: %.200s",
		    what, why);
}

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

static double
uniform(double lo, double hi)
{
	return lo + (hi - lo) * (double)randombytes_uniform(1000001) / 1e6;
}

/* --- messages -------------------------------------------------------- */

static uint64_t
msg_new(uint32_t dest, int from_client)
{
	if (nmsgs == msgs_cap) {
		if (msgs_cap == MAX_MSGS)
			return UINT64_MAX;
		msgs_cap = msgs_cap == 0 ? 65536 : msgs_cap * 2;
		if ((msgs = realloc(msgs, msgs_cap * sizeof(*msgs))) == NULL)
			t_die("out of memory");
	}
	memset(&msgs[nmsgs], 0, sizeof(msgs[nmsgs]));
	msgs[nmsgs].dest = dest;
	msgs[nmsgs].from_client = from_client != 0;
	return nmsgs++;
}

/* The final-hop packet for message seq to client dest. */
static void
msg_packet(uint64_t seq, uint32_t dest, uint8_t out[SPHINX_SIZE_REGULAR])
{
	struct sphinx_route_hop	 hop;
	uint8_t			 m[SPHINX_SURB_ACK_LEN + 64];
	uint8_t			 id[SPHINX_ID_LEN];
	uint8_t			*ack = m + SPHINX_SURB_ACK_ADDR_LEN;
	int			 n;

	memset(&hop, 0, sizeof(hop));
	if (nodeaddr_encode(&gw_mix, hop.address, sizeof(hop.address)) < 0)
		t_die("nodeaddr_encode");
	memcpy(hop.pubkey, gw_sphinx, 32);
	memset(id, 0, sizeof(id));
	memset(m, 0, sizeof(m));
	if (nodeaddr_encode(&sink_addr, m, SPHINX_SURB_ACK_ADDR_LEN) < 0)
		t_die("nodeaddr_encode");
	randombytes_buf(ack, SPHINX_SIZE_ACK);
	memcpy(ack, ACK_MAGIC, 8);
	memcpy(ack + 8, &seq, sizeof(seq));
	n = snprintf((char *)m + SPHINX_SURB_ACK_LEN, 64, MSG_PREFIX "%llu",
	    (unsigned long long)seq);
	if (sphinx_create(ctx, SPHINX_VERSION_EXPLICIT_KEYS, &hop, 1,
	    clients[dest].id, id, m, SPHINX_SURB_ACK_LEN + (size_t)n,
	    SPHINX_SIZE_REGULAR, NULL, out) != SPHINX_OK)
		t_die("sphinx_create");
}

static void
msg_received(struct client *c, const struct nymclient_msg *m)
{
	unsigned long long	 seq;
	char			*end;

	if (m->len < sizeof(MSG_PREFIX) || memcmp(m->data, MSG_PREFIX,
	    sizeof(MSG_PREFIX) - 1) != 0) {
		st.bad_msg++;
		return;
	}
	seq = strtoull((char *)m->data + sizeof(MSG_PREFIX) - 1, &end, 10);
	if (seq >= nmsgs) {
		st.bad_msg++;
		return;
	}
	if (msgs[seq].dest != c->idx) {
		st.misdelivered++;
		return;
	}
	if (msgs[seq].recv == 0)
		st.received++;
	else
		st.dups++;
	if (msgs[seq].recv < UINT8_MAX)
		msgs[seq].recv++;
}

/* --- clients ------------------------------------------------------- */

static void client_update(struct client *);

static void
client_watch(struct client *c)
{
	c->fd = nymclient_fd(c->nc);
	c->ev = EPOLLOUT;
	ep_set(EPOLL_CTL_ADD, c->fd, c->ev, c);
}

/* Leave the epoll set (before a new connect replaces the socket). */
static void
client_unwatch(struct client *c)
{
	if (c->fd != -1)
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	c->fd = -1;
}

static void
client_register(struct client *c)
{
	if (c->nc != NULL) {
		client_unwatch(c);
		nymclient_free(c->nc);
	}
	if ((c->nc = nymclient_new(gw_id)) == NULL)
		t_die("nymclient_new");
	nymclient_identity(c->nc, c->id);
	c->stage = ST_REG_CONNECT;
	if (nymclient_connect_start(c->nc, ws_ip, ws_port) == -1)
		t_die("connect: %s", nymclient_error(c->nc));
	client_watch(c);
	inflight++;
}

static void
client_reconnect(struct client *c)
{
	client_unwatch(c);
	c->stage = ST_CONNECT;
	if (nymclient_connect_start(c->nc, ws_ip, ws_port) == -1)
		t_die("connect: %s", nymclient_error(c->nc));
	client_watch(c);
	inflight++;
}

static void
client_online(struct client *c)
{
	c->stage = ST_ONLINE;
	c->due = t_now() + uniform(3, 12);
	inflight--;
}

static void
client_offline(struct client *c, double secs)
{
	if (c->stage == ST_CONNECT || c->stage == ST_AUTH)
		inflight--;
	client_unwatch(c);
	c->stage = ST_OFFLINE;
	c->due = t_now() + secs;
}

/* Pop what arrived: pushed messages are accounted for. */
static void
client_drain(struct client *c)
{
	struct nymclient_msg	 m;

	while (nymclient_next(c->nc, &m)) {
		switch (m.kind) {
		case NCM_PUSHED:
			msg_received(c, &m);
			break;
		case NCM_TEXT:
			if (strstr((char *)m.data, "rror\"") != NULL) {
				st.gw_errors++;
				note_error("gateway", (char *)m.data);
			}
			break;
		case NCM_BINARY:
			st.bad_msg++;
			break;
		default:
			break;
		}
		nymclient_msg_free(&m);
	}
}

/* The connection ended (or failed) in stage c->stage. */
static void
client_ended(struct client *c)
{
	switch (c->stage) {
	case ST_REG_CONNECT:
	case ST_REGISTER:
	case ST_CLAIM:
		note_error("register", nymclient_error(c->nc));
		st.reg_retries++;
		inflight--;
		client_register(c);
		return;
	case ST_CONNECT:
	case ST_AUTH:
		note_error("authenticate", nymclient_error(c->nc));
		st.auth_failures++;
		client_offline(c, 1.0);
		return;
	case ST_ONLINE:
		note_error("online", nymclient_error(c->nc));
		st.dropped_online++;
		client_offline(c, uniform(1, 6));
		return;
	case ST_CLOSING:
		st.closes++;
		client_offline(c, uniform(1, 6));
		return;
	case ST_OFFLINE:
		client_unwatch(c);
		return;
	}
}

static void
client_update(struct client *c)
{
	enum nymclient_state	 s;
	uint32_t		 ev;
	short			 pev;

	/* Closed inside the step just made: gone from epoll with it. */
	if (c->fd != -1 && nymclient_fd(c->nc) != c->fd)
		c->fd = -1;
	client_drain(c);
	if (c->stage == ST_OFFLINE)
		return;
	s = nymclient_state(c->nc);
	if (s == NC_FAILED || s == NC_CLOSED) {
		client_ended(c);
		return;
	}
	if (c->stage == ST_REG_CONNECT && s == NC_OPEN) {
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
		c->registered = 1;
		registered[nregistered++] = c->idx;
		client_online(c);
	}
	if (c->stage == ST_CONNECT && s == NC_OPEN) {
		if (nymclient_auth_start(c->nc, 0) == -1)
			t_die("auth: %s", nymclient_error(c->nc));
		c->stage = ST_AUTH;
	}
	if (c->stage == ST_AUTH && s == NC_READY) {
		st.auths++;
		client_online(c);
	}
	pev = nymclient_events(c->nc);
	if (pev == 0 || c->fd == -1) {
		client_ended(c);
		return;
	}
	ev = ((pev & POLLIN) ? EPOLLIN : 0) | ((pev & POLLOUT) ? EPOLLOUT : 0);
	if (ev != c->ev) {
		c->ev = ev;
		ep_set(EPOLL_CTL_MOD, c->fd, ev, c);
	}
}

static void
client_step(struct client *c)
{
	nymclient_step(c->nc);
	client_update(c);
}

/* Online long enough: a clean close; closing too long: cut. */
static void
client_timers(struct client *c, double now)
{
	if (now < c->due)
		return;
	switch (c->stage) {
	case ST_ONLINE:
		if (draining)
			return;
		c->stage = ST_CLOSING;
		c->due = now + CLOSE_WAIT;
		if (nymclient_close_start(c->nc, 1000) == -1) {
			st.closes++;
			client_offline(c, uniform(1, 6));
			return;
		}
		client_step(c);
		break;
	case ST_CLOSING:
		st.close_timeouts++;
		if (c->fd != -1)
			shutdown(c->fd, SHUT_RDWR);
		client_step(c);
		if (c->stage == ST_CLOSING)
			client_offline(c, uniform(1, 6));
		break;
	case ST_OFFLINE:
		if (inflight < max_inflight)
			client_reconnect(c);
		break;
	default:
		break;
	}
}

/* --- the mix port writers and the ack sink -------------------------- */

static void
mixout_close(struct mixout *o)
{
	if (o->fd != -1) {
		epoll_ctl(ep, EPOLL_CTL_DEL, o->fd, NULL);
		close(o->fd);
	}
	o->fd = -1;
	o->len = o->off = 0;	/* unsent messages: never acked */
}

static void
mixout_connect(struct mixout *o)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	int			 one = 1;

	if (nodeaddr_to_sockaddr(&gw_mix, &ss, &sl) == -1)
		t_die("mix address");
	o->tag = T_MIXOUT;
	if ((o->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1)
		t_die("socket: %s", strerror(errno));
	setsockopt(o->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	o->connecting = 1;
	if (connect(o->fd, (struct sockaddr *)&ss, sl) == -1 &&
	    errno != EINPROGRESS) {
		close(o->fd);
		o->fd = -1;
		return;
	}
	ep_set(EPOLL_CTL_ADD, o->fd, EPOLLOUT, o);
}

static void
mixout_write(struct mixout *o)
{
	ssize_t	 n;
	int	 err = 0;
	socklen_t el = sizeof(err);

	if (o->connecting) {
		if (getsockopt(o->fd, SOL_SOCKET, SO_ERROR, &err, &el) == -1 ||
		    err != 0) {
			st.mix_reconnects++;
			mixout_close(o);
			return;
		}
		o->connecting = 0;
	}
	while (o->off < o->len) {
		n = send(o->fd, o->buf + o->off, o->len - o->off,
		    MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
			ep_set(EPOLL_CTL_MOD, o->fd, EPOLLIN | EPOLLOUT, o);
			return;
		}
		if (n <= 0) {
			st.mix_reconnects++;
			mixout_close(o);
			return;
		}
		o->off += (size_t)n;
	}
	o->off = o->len = 0;
	ep_set(EPOLL_CTL_MOD, o->fd, EPOLLIN, o);
}

/* mixd never writes to us here: readable means closed. */
static void
mixout_event(struct mixout *o, uint32_t ev)
{
	uint8_t	 b[256];
	ssize_t	 n;

	if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		n = read(o->fd, b, sizeof(b));
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
			st.mix_reconnects++;
			mixout_close(o);
			return;
		}
	}
	if (ev & EPOLLOUT)
		mixout_write(o);
}

/* One framed packet into the least loaded writer; -1 if all are full. */
static int
mixout_queue(const uint8_t *pkt)
{
	static int	 next;
	struct mixout	*o = NULL;
	uint8_t		 hdr[MIXFRAME_MAX_HDR_LEN];
	size_t		 need;
	int		 h, i;

	/* Round robin, so no connection idles into mixd's timeout. */
	for (i = 0; i < NMIXOUT && o == NULL; i++) {
		o = &mixouts[next];
		next = (next + 1) % NMIXOUT;
		if (o->fd == -1)
			mixout_connect(o);
		if (o->fd == -1 || o->len - o->off > MIXOUT_HIGH)
			o = NULL;
	}
	if (o == NULL)
		return -1;
	h = mixframe_encode_header(MIXFRAME_V7, mixframe_tag_for(
	    MIXFRAME_TYPE_SPHINX, SPHINX_SIZE_REGULAR), MIXFRAME_TYPE_SPHINX,
	    0, hdr);
	if (h < 0)
		t_die("mixframe header");
	need = o->len + (size_t)h + SPHINX_SIZE_REGULAR;
	if (need > o->cap) {
		o->cap = need * 2;
		if ((o->buf = realloc(o->buf, o->cap)) == NULL)
			t_die("out of memory");
	}
	memcpy(o->buf + o->len, hdr, (size_t)h);
	memcpy(o->buf + o->len + h, pkt, SPHINX_SIZE_REGULAR);
	o->len += (size_t)h + SPHINX_SIZE_REGULAR;
	if (!o->connecting)
		mixout_write(o);
	return 0;
}

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
sink_ack(const uint8_t *p)
{
	uint64_t	 seq;

	if (memcmp(p, ACK_MAGIC, 8) != 0) {
		st.acks_bad++;
		return;
	}
	memcpy(&seq, p + 8, sizeof(seq));
	if (seq >= nmsgs) {
		st.acks_bad++;
		return;
	}
	if (msgs[seq].acked)
		st.acks_dup++;
	else
		st.acks++;
	msgs[seq].acked = 1;
	t_last_ack = t_now();
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
				sink_ack(f.packet);
			else
				st.sink_other++;
			off += (size_t)r;
		}
		if (r < 0) {
			st.sink_other++;
			off = s->len;
		}
		memmove(s->buf, s->buf + off, s->len - off);
		s->len -= off;
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

/* --- traffic ----------------------------------------------------------- */

static uint32_t
random_registered(void)
{
	return registered[randombytes_uniform(nregistered)];
}

static void
send_mix(void)
{
	uint8_t		 pkt[SPHINX_SIZE_REGULAR];
	uint64_t	 seq;
	uint32_t	 dest = random_registered();

	if ((seq = msg_new(dest, 0)) == UINT64_MAX)
		return;
	msg_packet(seq, dest, pkt);
	if (mixout_queue(pkt) == -1) {
		/* Never written: forget it again. */
		nmsgs--;
		st.mix_throttled++;
		return;
	}
	st.mix_sent++;
}

/* From a random online client to a random registered one. */
static void
send_client(void)
{
	static uint8_t		 mpbuf[SPHINX_SIZE_REGULAR + 64];
	uint8_t			 pkt[SPHINX_SIZE_REGULAR];
	struct mixpacket	 mp;
	struct client		*c = NULL;
	uint64_t		 seq;
	uint32_t		 dest;
	int			 i, n;

	for (i = 0; i < 16; i++) {
		c = &clients[random_registered()];
		if (c->stage == ST_ONLINE)
			break;
		c = NULL;
	}
	if (c == NULL)
		return;
	dest = random_registered();
	if ((seq = msg_new(dest, 1)) == UINT64_MAX)
		return;
	msg_packet(seq, dest, pkt);
	memset(&mp, 0, sizeof(mp));
	mp.packet_type = MIXPACKET_TYPE_SPHINX;
	mp.next_hop = gw_mix;
	mp.packet = pkt;
	mp.packet_len = sizeof(pkt);
	n = mixpacket_encode(MIXPACKET_V2, &mp, mpbuf, sizeof(mpbuf));
	if (n < 0)
		t_die("mixpacket_encode: %s", mixpacket_strerror(n));
	if (nymclient_forward_start(c->nc, 2, mpbuf, (size_t)n) == -1) {
		st.send_refused++;
		return;
	}
	st.client_sent++;
	client_step(c);
}

/* --- samples ------------------------------------------------------- */

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

static long
fd_count(long pid)
{
	DIR		*d;
	struct dirent	*e;
	char		 path[64];
	long		 n = 0;

	snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static long
ppid_of(long pid, char *comm, size_t commlen)
{
	FILE	*fp;
	char	 path[64], line[256];
	long	 pp = -1;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (strncmp(line, "Name:", 5) == 0)
			snprintf(comm, commlen, "%s", line + 5 +
			    strspn(line + 5, " \t"));
		if (strncmp(line, "PPid:", 5) == 0)
			pp = strtol(line + 5, NULL, 10);
	}
	fclose(fp);
	comm[strcspn(comm, "\n")] = '\0';
	return pp;
}

/* The master and its children: one line, and the sums kept. */
static void
sample(double t)
{
	DIR		*d;
	struct dirent	*e;
	long		 pids[MAX_PROCS], pid, rss, fds, trss = 0, tfds = 0;
	char		 comm[64], line[1024];
	size_t		 o;
	uint32_t	 j, online = 0;
	int		 i, np = 0;

	for (j = 0; j < nclients; j++)
		if (clients[j].stage == ST_ONLINE)
			online++;

	pids[np++] = master_pid;
	if ((d = opendir("/proc")) == NULL)
		t_die("/proc: %s", strerror(errno));
	while ((e = readdir(d)) != NULL && np < MAX_PROCS) {
		if ((pid = strtol(e->d_name, NULL, 10)) <= 0)
			continue;
		if (ppid_of(pid, comm, sizeof(comm)) == master_pid)
			pids[np++] = pid;
	}
	closedir(d);
	o = 0;
	line[0] = '\0';
	for (i = 0; i < np; i++) {
		comm[0] = '\0';
		ppid_of(pids[i], comm, sizeof(comm));
		rss = rss_kb(pids[i]);
		fds = fd_count(pids[i]);
		if (rss < 0)
			continue;
		trss += rss;
		tfds += fds;
		o += (size_t)snprintf(line + o, sizeof(line) - o, " %s %ld/%ld",
		    comm, rss, fds);
		if (o >= sizeof(line))
			o = sizeof(line) - 1;
	}
	printf("soak: sample %4.0f s: rss %ld kB, fds %ld (kB/fds:%s); "
	    "clients online %u; sent %llu acked %llu received %llu\n", t,
	    trss, tfds, line, online, (unsigned long long)(st.mix_sent +
	    st.client_sent), (unsigned long long)st.acks,
	    (unsigned long long)st.received);
	fflush(stdout);
	if (nsamples < MAX_SAMPLES) {
		samples[nsamples].t = t;
		samples[nsamples].rss = trss;
		samples[nsamples].fds = tfds;
		nsamples++;
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
			client_step((struct client *)t);
			break;
		case T_LISTEN:
			sink_accept();
			break;
		case T_SINK:
			sink_read((struct sinkconn *)t);
			break;
		case T_MIXOUT:
			mixout_event((struct mixout *)t, evs[i].events);
			break;
		}
	}
}

static void
timers(void)
{
	static double	 last;
	double		 now = t_now();
	uint32_t	 i;

	if (now - last < 0.05)
		return;
	last = now;
	for (i = 0; i < nclients; i++)
		if (clients[i].registered)
			client_timers(&clients[i], now);
}

static void
phase_register(double secs)
{
	double		 end = t_now() + secs;
	uint32_t	 next = 0;

	while (nregistered < nclients && t_now() < end) {
		while (next < nclients && inflight < max_inflight)
			client_register(&clients[next++]);
		loop_once(20);
		timers();
	}
}

static void
phase_traffic(double secs, double mixrate, double sendrate, double interval)
{
	double		 t0 = t_now(), now, next_sample = t0 + interval;
	uint64_t	 mix_base = st.mix_sent, cli_base = st.client_sent;
	uint64_t	 want;

	sample(0);
	while ((now = t_now()) < t0 + secs) {
		want = (uint64_t)(mixrate * (now - t0));
		while (st.mix_sent - mix_base < want) {
			uint64_t before = st.mix_sent;

			send_mix();
			if (st.mix_sent == before)
				break;	/* throttled: try again later */
		}
		want = (uint64_t)(sendrate * (now - t0));
		while (st.client_sent - cli_base + st.send_refused < want) {
			uint64_t before = st.client_sent + st.send_refused;

			send_client();
			if (st.client_sent + st.send_refused == before)
				break;	/* nobody online right now */
		}
		loop_once(10);
		timers();
		if (now >= next_sample) {
			sample(now - t0);
			next_sample += interval;
		}
	}
	sample(t_now() - t0);
}

static int
all_owed_arrived(void)
{
	uint64_t	 i;

	for (i = 0; i < nmsgs; i++)
		if (msgs[i].acked && msgs[i].recv == 0)
			return 0;
	return 1;
}

static int
all_online(void)
{
	uint32_t	 i;

	for (i = 0; i < nclients; i++)
		if (clients[i].registered && clients[i].stage != ST_ONLINE)
			return 0;
	return 1;
}

/* Everyone online until all that is owed has arrived. */
static void
phase_drain(double secs)
{
	double	 t0 = t_now(), end = t0 + secs, last_check = 0, now;

	draining = 1;
	t_last_ack = t0;
	while ((now = t_now()) < end) {
		loop_once(20);
		timers();
		/* Acks trail their packets by the ack delay (and commits). */
		if (now - t_last_ack < 2.0 || now - last_check < 0.5)
			continue;
		last_check = now;
		if (inflight == 0 && all_online() && all_owed_arrived())
			break;
	}
	/* Stragglers, then the count. */
	end = t_now() + 1.0;
	while (t_now() < end)
		loop_once(20);
}

static void
usage(void)
{
	fprintf(stderr, "usage: soak_gateway -w ip:port -m ip:port -K keydir "
	    "-p masterpid [-n clients]\n\t[-T secs] [-r mixrate] "
	    "[-s sendrate] [-W warmup] [-i interval] [-D drain]\n\t"
	    "[-c inflight] [-G maxgrowth]\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	struct rlimit		 rl;
	struct nodeaddr		 wsa;
	const char		*keydir = NULL, *wsarg = NULL, *mixarg = NULL;
	double			 secs = 600, mixrate = 150, sendrate = 100;
	double			 warmup = 120, interval = 30, drain = 90;
	double			 maxgrowth = -1, growth = 0;
	uint64_t		 i, lost = 0, lost_mix = 0, unacked_recv = 0;
	uint32_t		 j;
	int			 ch, b, status = 0;

	while ((ch = getopt(argc, argv, "c:D:G:i:K:m:n:p:r:s:T:W:w:")) != -1) {
		switch (ch) {
		case 'c':
			max_inflight = (size_t)atol(optarg);
			break;
		case 'D':
			drain = atof(optarg);
			break;
		case 'G':
			maxgrowth = atof(optarg);
			break;
		case 'i':
			interval = atof(optarg);
			break;
		case 'K':
			keydir = optarg;
			break;
		case 'm':
			mixarg = optarg;
			break;
		case 'n':
			nclients = (uint32_t)atol(optarg);
			break;
		case 'p':
			master_pid = atol(optarg);
			break;
		case 'r':
			mixrate = atof(optarg);
			break;
		case 's':
			sendrate = atof(optarg);
			break;
		case 'T':
			secs = atof(optarg);
			break;
		case 'W':
			warmup = atof(optarg);
			break;
		case 'w':
			wsarg = optarg;
			break;
		default:
			usage();
		}
	}
	if (keydir == NULL || wsarg == NULL || mixarg == NULL ||
	    master_pid <= 0 || nclients < 2 || nclients > 100000 ||
	    secs <= 0 || interval < 1 || max_inflight < 1 || mixrate < 0 ||
	    sendrate < 0 || drain < 5)
		usage();
	if (warmup > secs / 4)
		warmup = secs / 4;
	if (nodeaddr_parse(wsarg, &wsa) == -1 || wsa.family != 4 ||
	    nodeaddr_parse(mixarg, &gw_mix) == -1)
		usage();
	snprintf(ws_ip, sizeof(ws_ip), "%u.%u.%u.%u", wsa.ip[0], wsa.ip[1],
	    wsa.ip[2], wsa.ip[3]);
	ws_port = wsa.port;
	read_pem_key(keydir, "ed25519_identity.pub", "ED25519 PUBLIC KEY",
	    gw_id);
	read_pem_key(keydir, "x25519_sphinx.pub", "X25519 PUBLIC KEY",
	    gw_sphinx);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)nclients + 64)
		t_die("%u clients need %u descriptors; the limit is %llu",
		    nclients, nclients + 64, (unsigned long long)rl.rlim_cur);
	if (sodium_init() == -1 || (ctx = sphinx_ctx_new()) == NULL)
		t_die("init");
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		t_die("epoll_create1: %s", strerror(errno));
	clients = xcalloc(nclients, sizeof(*clients));
	registered = xcalloc(nclients, sizeof(*registered));
	for (j = 0; j < nclients; j++) {
		clients[j].tag = T_CLIENT;
		clients[j].idx = j;
		clients[j].fd = -1;
	}
	for (b = 0; b < NMIXOUT; b++)
		mixouts[b].fd = -1;
	sink_start();

	printf("soak: %u clients, %.0f s of traffic: %.0f packets/s into "
	    "the mix port, %.0f/s from the clients; samples every %.0f s, "
	    "baseline at %.0f s\n", nclients, secs, mixrate, sendrate,
	    interval, warmup);
	fflush(stdout);
	phase_register(120);
	printf("soak: %u of %u clients registered (%llu retries)\n",
	    nregistered, nclients, (unsigned long long)st.reg_retries);
	fflush(stdout);
	if (nregistered < nclients) {
		printf("soak: first error: %s\n", st.first_error);
		printf("soak: %u clients, 0 packets delivered, 0 lost, rss "
		    "growth 0%%\n", nregistered);
		return 1;
	}
	phase_traffic(secs, mixrate, sendrate, interval);
	phase_drain(drain);

	for (i = 0; i < nmsgs; i++) {
		if (msgs[i].acked && msgs[i].recv == 0) {
			lost++;
			if (!msgs[i].from_client)
				lost_mix++;
		}
		if (!msgs[i].acked && msgs[i].recv > 0)
			unacked_recv++;
	}
	for (b = 0; b < nsamples; b++)
		if (samples[b].t >= warmup)
			break;
	if (b < nsamples && samples[b].rss > 0)
		growth = 100.0 * (double)(samples[nsamples - 1].rss -
		    samples[b].rss) / (double)samples[b].rss;
	printf("soak: rss %ld kB at %.0f s (baseline), %ld kB at %.0f s; "
	    "fds %ld then %ld\n", b < nsamples ? samples[b].rss : 0,
	    b < nsamples ? samples[b].t : 0, samples[nsamples - 1].rss,
	    samples[nsamples - 1].t, b < nsamples ? samples[b].fds : 0,
	    samples[nsamples - 1].fds);
	printf("soak: sent %llu (mix port %llu, clients %llu), acked %llu, "
	    "received %llu (%llu of them never acked), lost %llu (%llu "
	    "from the mix port), duplicates %llu, misdelivered %llu, "
	    "unreadable %llu\n",
	    (unsigned long long)(st.mix_sent + st.client_sent),
	    (unsigned long long)st.mix_sent,
	    (unsigned long long)st.client_sent, (unsigned long long)st.acks,
	    (unsigned long long)st.received, (unsigned long long)unacked_recv,
	    (unsigned long long)lost, (unsigned long long)lost_mix,
	    (unsigned long long)st.dups, (unsigned long long)st.misdelivered,
	    (unsigned long long)st.bad_msg);
	printf("soak: authentications %llu (%llu failed), clean closes %llu "
	    "(%llu cut after %.0f s), dropped while online %llu, gateway "
	    "errors %llu, mix reconnects %llu, mix writes deferred %llu, "
	    "sends refused %llu, duplicate acks %llu, foreign acks %llu\n",
	    (unsigned long long)st.auths,
	    (unsigned long long)st.auth_failures,
	    (unsigned long long)st.closes,
	    (unsigned long long)st.close_timeouts, CLOSE_WAIT,
	    (unsigned long long)st.dropped_online,
	    (unsigned long long)st.gw_errors,
	    (unsigned long long)st.mix_reconnects,
	    (unsigned long long)st.mix_throttled,
	    (unsigned long long)st.send_refused,
	    (unsigned long long)st.acks_dup, (unsigned long long)st.acks_bad);
	if (st.first_error[0] != '\0')
		printf("soak: first error: %s\n", st.first_error);
	if (lost > 0 || st.dups > 0 || st.misdelivered > 0 || st.bad_msg > 0 ||
	    st.acks == 0 || (maxgrowth >= 0 && growth > maxgrowth))
		status = 1;
	printf("soak: %u clients, %llu packets delivered, %llu lost, rss "
	    "growth %.1f%%\n", nregistered, (unsigned long long)st.received,
	    (unsigned long long)lost, growth);
	fflush(stdout);
	return status;
}
