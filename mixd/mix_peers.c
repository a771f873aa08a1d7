/*
 * Outbound: one persistent TCP connection per next hop (spec 6.1), each
 * with a bounded queue of framed packets.  A full queue drops and counts;
 * a failed connect backs off exponentially while the queue keeps (up to
 * its bound) what waits; a lost connection loses only the frame that was
 * half written.  Peers idle for a while are closed and forgotten.
 *
 * Frames are v7 (3-byte header) when the key rotation is unknown and v8
 * when it is known, written straight into the peer's queue: no buffer
 * per packet.  The queue is one linear buffer (compacted, grown by
 * doubling to a per-peer cap, under a process-wide cap) and a ring of
 * frame lengths.
 *
 * Noise (spec 6.3): to a mix address whose node announces a Noise key
 * we run the XKpsk3 handshake after connecting (PEER_HANDSHAKE, 1.5 s)
 * and then seal the queue into Nym data frames: as many whole mix
 * frames as fit in one Noise message, sealed into the peer's one sealed
 * buffer (allocated with the peer, kept across reconnects), so nothing
 * is allocated per packet.  Frames are counted out when their sealed
 * frame is written; a connection lost with a sealed frame half written
 * loses the mix frames inside it (the session dies with the socket).
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "mixd.h"
#include "mixframe.h"
#include "util.h"

#define PEER_BUCKETS		1024
#define PEER_QUEUE_INITIAL	(16 * 1024)
/* All peers' queues together. */
#define PEERS_QUEUE_TOTAL	(256 * 1024 * 1024)
#define CONNECT_TIMEOUT_MS	1500
#define BACKOFF_BASE_MS		250
#define BACKOFF_MAX_MS		30000
#define PEER_IDLE_S		300
#define SWEEP_S			60
#define STALE_ATTEMPTS		3

enum peer_state {
	PEER_IDLE,		/* no socket */
	PEER_CONNECTING,
	PEER_HANDSHAKE,		/* Noise handshake under way */
	PEER_UP,
	PEER_BACKOFF,		/* waiting to connect again */
};

struct mix_peer {
	LIST_ENTRY(mix_peer)	 entry;
	struct mix_peers	*pool;
	struct nodeaddr		 addr;
	enum peer_state		 state;
	int			 fd;
	struct event		*ev_read;	/* EOF from the other side */
	struct event		*ev_write;	/* connect done, writable */
	struct event		*ev_timer;	/* backoff */
	unsigned		 attempts;
	time_t			 last_used;
	/* queue: bytes [head, tail) of buf; frame lengths in a ring */
	uint8_t			*buf;
	size_t			 head, tail, cap;
	size_t			 head_written;	/* of the first frame */
	uint32_t		 flen[MIXD_PEER_QUEUE_FRAMES];
	unsigned		 ffirst, fcount;
	/* Noise: the session, and one sealed frame being written */
	struct mix_noise	*nz;
	uint8_t			*sealed;	/* NOISE_FRAME_MAX */
	size_t			 sealed_len, sealed_off;
	unsigned		 sealed_frames;
};
LIST_HEAD(peer_list, mix_peer);

struct mix_peers {
	struct mixd		*md;
	struct peer_list	 bucket[PEER_BUCKETS];
	unsigned		 npeers;
	size_t			 total_cap;
	struct event		*sweep_ev;
};

static void	peer_connect(struct mix_peer *);
static void	peer_sweep(int, short, void *);

static unsigned
peer_hash(const struct nodeaddr *a)
{
	uint32_t	 h = 2166136261u;
	size_t		 i, n = a->family == 4 ? 4 : 16;

	for (i = 0; i < n; i++)
		h = (h ^ a->ip[i]) * 16777619u;
	h = (h ^ (a->port & 0xff)) * 16777619u;
	h = (h ^ (a->port >> 8)) * 16777619u;
	return h % PEER_BUCKETS;
}

struct mix_peers *
mix_peers_new(struct mixd *md)
{
	struct mix_peers	*pp = xcalloc(1, sizeof(*pp));
	struct timeval		 tv = { SWEEP_S, 0 };
	unsigned		 i;

	pp->md = md;
	for (i = 0; i < PEER_BUCKETS; i++)
		LIST_INIT(&pp->bucket[i]);
	if (md->w != NULL && md->w->base != NULL) {
		pp->sweep_ev = event_new(md->w->base, -1, EV_PERSIST,
		    peer_sweep, pp);
		if (pp->sweep_ev == NULL || event_add(pp->sweep_ev, &tv) == -1)
			fatalx("%s: event_new", __func__);
	}
	return pp;
}

static void
peer_close_fd(struct mix_peer *p)
{
	if (p->fd == -1)
		return;
	event_del(p->ev_read);
	event_del(p->ev_write);
	close(p->fd);
	p->fd = -1;
	*p->pool->md->c.peers_open -= 1;
	if (p->nz != NULL) {
		mix_noise_free(p->nz);
		free(p->nz);
		p->nz = NULL;
	}
	/* What was sealed for the dead session cannot be sent again. */
	*p->pool->md->c.peer_lost_drops += p->sealed_frames;
	p->sealed_len = p->sealed_off = 0;
	p->sealed_frames = 0;
}

static void
peer_free(struct mix_peer *p)
{
	struct mix_peers	*pp = p->pool;

	peer_close_fd(p);
	LIST_REMOVE(p, entry);
	pp->npeers--;
	pp->total_cap -= p->cap;
	if (p->ev_read != NULL)
		event_free(p->ev_read);
	if (p->ev_write != NULL)
		event_free(p->ev_write);
	if (p->ev_timer != NULL)
		event_free(p->ev_timer);
	free(p->sealed);
	free(p->buf);
	free(p);
}

void
mix_peers_free(struct mix_peers *pp)
{
	struct mix_peer	*p;
	unsigned	 i;

	if (pp == NULL)
		return;
	for (i = 0; i < PEER_BUCKETS; i++)
		while ((p = LIST_FIRST(&pp->bucket[i])) != NULL)
			peer_free(p);
	if (pp->sweep_ev != NULL)
		event_free(pp->sweep_ev);
	free(pp);
}

/* Forget peers with nothing queued that have not been used for a while. */
static void
peer_sweep(int fd, short what, void *arg)
{
	struct mix_peers	*pp = arg;
	struct mix_peer		*p, *next;
	time_t			 now = time(NULL);
	unsigned		 i;

	(void)fd;
	(void)what;
	for (i = 0; i < PEER_BUCKETS; i++)
		for (p = LIST_FIRST(&pp->bucket[i]); p != NULL; p = next) {
			next = LIST_NEXT(p, entry);
			if (p->fcount == 0 && p->state != PEER_CONNECTING &&
			    p->state != PEER_HANDSHAKE &&
			    now - p->last_used > PEER_IDLE_S)
				peer_free(p);
		}
}

/* Drop everything queued (counted). */
static void
peer_queue_flush(struct mix_peer *p)
{
	*p->pool->md->c.peer_lost_drops += p->fcount;
	p->head = p->tail = p->head_written = 0;
	p->ffirst = p->fcount = 0;
}

/* The connection is gone: lose the half-written frame, try again later. */
static void
peer_fail(struct mix_peer *p, const char *why)
{
	struct mixd	*md = p->pool->md;
	struct timeval	 tv;
	unsigned	 ms;
	char		 a[NODEADDR_STRLEN];

	log_debug("mix peer %s: %s", nodeaddr_fmt(&p->addr, a, sizeof(a)),
	    why);
	if (p->state == PEER_CONNECTING)
		*md->c.connect_failures += 1;
	if (p->state == PEER_HANDSHAKE) {
		*md->c.noise_out_failed += 1;
		mix_noise_log_fail(md, &p->addr, "handshake to", why);
	}
	peer_close_fd(p);
	if (p->head_written > 0) {
		p->head += p->flen[p->ffirst] - p->head_written;
		p->ffirst = (p->ffirst + 1) % MIXD_PEER_QUEUE_FRAMES;
		p->fcount--;
		p->head_written = 0;
		*md->c.peer_lost_drops += 1;
	}
	/* Still unreachable after a few tries: what waits is stale. */
	if (p->attempts >= STALE_ATTEMPTS)
		peer_queue_flush(p);
	ms = p->attempts >= 8 ? BACKOFF_MAX_MS : BACKOFF_BASE_MS << p->attempts;
	if (ms > BACKOFF_MAX_MS)
		ms = BACKOFF_MAX_MS;
	p->attempts++;
	p->state = PEER_BACKOFF;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(p->ev_timer, &tv);
}

static void
peer_backoff_done(int fd, short what, void *arg)
{
	struct mix_peer	*p = arg;

	(void)fd;
	(void)what;
	p->state = PEER_IDLE;
	if (p->fcount > 0)
		peer_connect(p);
}

/*
 * Seal the next whole frames of the queue (as many as fit in one Noise
 * message; a mix frame is at most 33137 bytes, so at least one) into
 * the sealed buffer, taking them off the queue.
 */
static int
peer_seal(struct mix_peer *p)
{
	size_t	 len = 0;
	unsigned k = 0, i;
	int	 rc;

	while (k < p->fcount) {
		i = (p->ffirst + k) % MIXD_PEER_QUEUE_FRAMES;
		if (len + p->flen[i] > NOISE_MAX_PLAINTEXT)
			break;
		len += p->flen[i];
		k++;
	}
	if ((rc = mix_noise_seal(p->nz, p->buf + p->head, len, p->sealed,
	    NOISE_FRAME_MAX, &p->sealed_len)) != NOISE_OK) {
		peer_fail(p, mix_noise_strerror(rc));
		return -1;
	}
	p->head += len;
	p->ffirst = (p->ffirst + k) % MIXD_PEER_QUEUE_FRAMES;
	p->fcount -= k;
	p->sealed_off = 0;
	p->sealed_frames = k;
	return 0;
}

/* peer_flush over Noise: the queue through the sealed buffer. */
static int
peer_flush_noise(struct mix_peer *p)
{
	ssize_t	 n;

	for (;;) {
		if (p->sealed_off == p->sealed_len) {
			if (p->fcount == 0)
				break;
			if (peer_seal(p) == -1)
				return -1;
		}
		n = write(p->fd, p->sealed + p->sealed_off,
		    p->sealed_len - p->sealed_off);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			peer_fail(p, strerror(errno));
			return -1;
		}
		p->sealed_off += (size_t)n;
		if (p->sealed_off == p->sealed_len) {
			*p->pool->md->c.packets_out += p->sealed_frames;
			p->sealed_frames = 0;
			p->sealed_off = p->sealed_len = 0;
		}
	}
	if (p->head == p->tail)
		p->head = p->tail = 0;
	if (p->sealed_off == p->sealed_len && p->fcount == 0)
		event_del(p->ev_write);
	else
		event_add(p->ev_write, NULL);
	return 0;
}

/* Write what is queued; returns -1 if the connection failed. */
static int
peer_flush(struct mix_peer *p)
{
	ssize_t	 n;
	size_t	 left;

	if (p->nz != NULL)
		return peer_flush_noise(p);
	while (p->head < p->tail) {
		n = write(p->fd, p->buf + p->head, p->tail - p->head);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			peer_fail(p, strerror(errno));
			return -1;
		}
		p->head += (size_t)n;
		left = (size_t)n + p->head_written;
		while (p->fcount > 0 && left >= p->flen[p->ffirst]) {
			left -= p->flen[p->ffirst];
			p->ffirst = (p->ffirst + 1) % MIXD_PEER_QUEUE_FRAMES;
			p->fcount--;
			*p->pool->md->c.packets_out += 1;
		}
		p->head_written = left;
	}
	if (p->head == p->tail) {
		p->head = p->tail = 0;
		event_del(p->ev_write);
	} else
		event_add(p->ev_write, NULL);
	return 0;
}

/* Connected, and through the handshake if there was one. */
static void
peer_established(struct mix_peer *p)
{
	p->state = PEER_UP;
	p->attempts = 0;
	*p->pool->md->c.connections_out += 1;
	event_del(p->ev_read);
	event_add(p->ev_read, NULL);
}

/* The responder sends nothing after the handshake (spec 6.1): drop it. */
static int
peer_noise_sink(void *arg, const uint8_t *pt, size_t len)
{
	(void)arg;
	(void)pt;
	(void)len;
	return 0;
}

/*
 * Just connected: if the node announces a Noise key we speak first
 * (message 1) and wait for message 2 with a timeout.  0: no Noise,
 * 1: the handshake started (or already failed and was handled).
 */
static int
peer_noise_start(struct mix_peer *p)
{
	struct mixd	*md = p->pool->md;
	struct timeval	 tv = { MIXD_NOISE_HS_MS / 1000,
			    (MIXD_NOISE_HS_MS % 1000) * 1000 };
	uint8_t		 key[NOISE_KEY_LEN], version;
	uint8_t		 msg[NOISE_FRAME_HDR_LEN + NOISE_MSG1_LEN];
	size_t		 len;
	char		 a[NODEADDR_STRLEN];
	int		 rc;

	if (!md->noise_on ||
	    !mix_topology_noise_key(md->topo, &p->addr, key, &version))
		return 0;
	if (version != MIXD_NOISE_VERSION) {
		log_debug("mix peer %s: Noise version %u unknown; raw TCP",
		    nodeaddr_fmt(&p->addr, a, sizeof(a)), version);
		return 0;
	}
	p->nz = xcalloc(1, sizeof(*p->nz));
	mix_noise_init(p->nz, md->noise_sk);
	if (p->sealed == NULL)
		p->sealed = xreallocarray(NULL, 1, NOISE_FRAME_MAX);
	p->state = PEER_HANDSHAKE;
	rc = mix_noise_initiate(p->nz, version, key, msg, sizeof(msg), &len);
	if (rc != NOISE_OK)
		peer_fail(p, mix_noise_strerror(rc));
	else if (write(p->fd, msg, len) != (ssize_t)len)
		peer_fail(p, "short write of handshake message 1");
	else
		event_add(p->ev_read, &tv);
	return 1;
}

/* Message 2 (and our 3) during PEER_HANDSHAKE. */
static void
peer_noise_read(struct mix_peer *p, short what)
{
	struct mixd	*md = p->pool->md;
	uint8_t		 out[NOISE_FRAME_HDR_LEN + NOISE_MSG3_LEN];
	uint8_t		*buf;
	size_t		 room, olen;
	ssize_t		 n;
	int		 rc;

	if (what & EV_TIMEOUT) {
		*md->c.noise_out_timeouts += 1;
		peer_fail(p, "timed out");
		return;
	}
	buf = mix_noise_space(p->nz, &room);
	n = read(p->fd, buf, room);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		peer_fail(p, n == 0 ? "closed by peer" : strerror(errno));
		return;
	}
	rc = mix_noise_commit(p->nz, (size_t)n, out, sizeof(out), &olen,
	    peer_noise_sink, p);
	if (rc != NOISE_OK) {
		peer_fail(p, mix_noise_strerror(rc));
		return;
	}
	if (olen > 0 && write(p->fd, out, olen) != (ssize_t)olen) {
		peer_fail(p, "short write of handshake message 3");
		return;
	}
	if (p->nz->established) {
		*md->c.noise_out_ok += 1;
		peer_established(p);
		peer_flush(p);
	}
}

static void
peer_writable(int fd, short what, void *arg)
{
	struct mix_peer	*p = arg;
	int		 err = 0;
	socklen_t	 len = sizeof(err);

	if (p->state == PEER_CONNECTING) {
		if (what & EV_TIMEOUT) {
			peer_fail(p, "connect timed out");
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0) {
			peer_fail(p, strerror(err));
			return;
		}
		event_del(p->ev_write);
		event_assign(p->ev_write, event_get_base(p->ev_write), fd,
		    EV_WRITE | EV_PERSIST, peer_writable, p);
		if (peer_noise_start(p))
			return;
		peer_established(p);
	}
	if (p->state == PEER_UP)
		peer_flush(p);
}

static void
peer_readable(int fd, short what, void *arg)
{
	struct mix_peer	*p = arg;
	uint8_t		 junk[512];
	ssize_t		 n;

	if (p->state == PEER_HANDSHAKE) {
		peer_noise_read(p, what);
		return;
	}
	/* Mix nodes never write back on our connection (spec 6.1). */
	n = read(fd, junk, sizeof(junk));
	if (n == 0)
		peer_fail(p, "closed by peer");
	else if (n == -1 && errno != EAGAIN && errno != EINTR)
		peer_fail(p, strerror(errno));
}

static void
peer_connect(struct mix_peer *p)
{
	struct mixd		*md = p->pool->md;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct timeval		 tv = { CONNECT_TIMEOUT_MS / 1000,
				    (CONNECT_TIMEOUT_MS % 1000) * 1000 };
	int			 on = 1;

	if (nodeaddr_to_sockaddr(&p->addr, &ss, &sslen) == -1)
		fatalx("%s: bad address family", __func__);
	p->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (p->fd == -1) {
		p->state = PEER_CONNECTING;
		peer_fail(p, strerror(errno));
		return;
	}
	*md->c.peers_open += 1;
	(void)setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	p->state = PEER_CONNECTING;
	event_assign(p->ev_read, md->w->base, p->fd, EV_READ | EV_PERSIST,
	    peer_readable, p);
	event_assign(p->ev_write, md->w->base, p->fd, EV_WRITE,
	    peer_writable, p);
	if (connect(p->fd, (struct sockaddr *)&ss, sslen) == -1 &&
	    errno != EINPROGRESS) {
		peer_fail(p, strerror(errno));
		return;
	}
	event_add(p->ev_write, &tv);
}

static struct mix_peer *
peer_get(struct mix_peers *pp, const struct nodeaddr *a)
{
	struct mixd	*md = pp->md;
	struct mix_peer	*p;
	unsigned	 h = peer_hash(a);

	LIST_FOREACH(p, &pp->bucket[h], entry)
		if (nodeaddr_eq(&p->addr, a))
			return p;
	if (pp->npeers >= MIXD_MAX_PEERS)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->pool = pp;
	p->addr = *a;
	p->fd = -1;
	p->ev_read = event_new(md->w->base, -1, 0, peer_readable, p);
	p->ev_write = event_new(md->w->base, -1, 0, peer_writable, p);
	p->ev_timer = evtimer_new(md->w->base, peer_backoff_done, p);
	if (p->ev_read == NULL || p->ev_write == NULL || p->ev_timer == NULL)
		fatalx("%s: event_new", __func__);
	LIST_INSERT_HEAD(&pp->bucket[h], p, entry);
	pp->npeers++;
	return p;
}

/* Room for n more bytes at the tail, within the caps.  0 or -1. */
static int
peer_room(struct mix_peer *p, size_t n)
{
	struct mix_peers	*pp = p->pool;
	size_t			 ncap;

	if (p->tail + n <= p->cap)
		return 0;
	if (p->head > 0) {
		memmove(p->buf, p->buf + p->head, p->tail - p->head);
		p->tail -= p->head;
		p->head = 0;
		if (p->tail + n <= p->cap)
			return 0;
	}
	ncap = p->cap ? p->cap : PEER_QUEUE_INITIAL;
	while (ncap < p->tail + n)
		ncap *= 2;
	if (ncap > MIXD_PEER_QUEUE_BYTES)
		ncap = MIXD_PEER_QUEUE_BYTES;
	if (ncap < p->tail + n ||
	    pp->total_cap - p->cap + ncap > PEERS_QUEUE_TOTAL)
		return -1;
	p->buf = xreallocarray(p->buf, 1, ncap);
	pp->total_cap += ncap - p->cap;
	p->cap = ncap;
	return 0;
}

void
mix_peers_send(struct mix_peers *pp, const struct nodeaddr *a,
    uint8_t packet_type, uint8_t rotation, const uint8_t *pkt, size_t len)
{
	struct mixd	*md = pp->md;
	struct mix_peer	*p;
	uint8_t		 tag, version;
	int		 h;

	if ((tag = mixframe_tag_for(packet_type, len)) == 0)
		fatalx("%s: no size tag for %zu bytes", __func__, len);
	if ((p = peer_get(pp, a)) == NULL) {
		*md->c.peers_full += 1;
		return;
	}
	p->last_used = time(NULL);
	if (p->fcount == MIXD_PEER_QUEUE_FRAMES ||
	    peer_room(p, MIXFRAME_MAX_HDR_LEN + len) == -1) {
		*md->c.peer_queue_full += 1;
		return;
	}
	/* Known rotation: say so (v8); unknown: the v7 every node reads. */
	version = rotation != MIXFRAME_ROT_UNKNOWN ? MIXFRAME_V8 : MIXFRAME_V7;
	h = mixframe_encode_header(version, tag, packet_type, rotation,
	    p->buf + p->tail);
	if (h < 0)
		fatalx("%s: %s", __func__, mixframe_strerror(h));
	memcpy(p->buf + p->tail + h, pkt, len);
	p->tail += (size_t)h + len;
	p->flen[(p->ffirst + p->fcount) % MIXD_PEER_QUEUE_FRAMES] =
	    (uint32_t)((size_t)h + len);
	p->fcount++;
	if (p->fcount > *md->c.peer_queue_max)
		*md->c.peer_queue_max = p->fcount;
	switch (p->state) {
	case PEER_IDLE:
		peer_connect(p);
		break;
	case PEER_UP:
		event_add(p->ev_write, NULL);
		break;
	default:
		break;	/* sent once connected */
	}
}
