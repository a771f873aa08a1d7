/*
 * Inbound mix connections: accept on the listeners the master bound,
 * read with an idle timeout, hand the bytes to the framing layer.
 * Mix nodes only write on their connections to us (spec 6.1), so a
 * connection here is read-only, but for the two Noise handshake frames
 * we answer when the peer's IP is a node that announces a Noise key
 * (spec 6.3; the rule nym-node follows).  Those 56 bytes go out with
 * one write on a fresh socket whose buffer is empty: a short write is
 * treated as a failed handshake rather than queued.
 *
 * Backpressure: while clientd's queue is above GW_FLOW_HIGH every read
 * event is removed (the kernel's socket buffers, then TCP, push back on
 * the senders) until it drains below GW_FLOW_LOW.
 */
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "log.h"
#include "mixd.h"
#include "util.h"

/* Connections accepted per listener event, so one cannot starve reads. */
#define ACCEPT_BATCH	64
/* Reads per event per connection, for fairness between connections. */
#define READS_PER_EVENT	4
/* How often a paused mixd looks at clientd's queue. */
#define PAUSE_CHECK_MS	10

static void	mix_in_read(int, short, void *);

static void
mix_in_close(struct mix_in *c)
{
	struct mixd	*md = c->md;

	TAILQ_REMOVE(&md->conns, c, entry);
	md->nconns--;
	if (!c->known)
		md->nconns_unknown--;
	*md->c.connections_in_open = md->nconns;
	event_free(c->ev);
	close(c->fd);
	mix_rx_free(&c->rx);
	if (c->nz != NULL) {
		mix_noise_free(c->nz);
		free(c->nz);
	}
	free(c);
}

/*
 * The read timeout: mix_read_timeout of silence between frames, but a
 * frame once begun must be whole mix_read_timeout after its first
 * byte, however its bytes trickle in (a drip cannot restart it).
 */
static void
mix_in_arm(struct mix_in *c)
{
	const struct gw_conf_mixd *conf = &c->md->w->conf.mixd;
	struct timeval		 tv;
	uint64_t		 ms = conf->mix_read_timeout_ms, now;

	if (c->nz != NULL && c->nz->state == MIX_NOISE_HS)
		ms = MIXD_NOISE_HS_MS;
	else if (c->frame_start_ms != 0) {
		now = gw_now_ms();
		ms = c->frame_start_ms + ms > now ?
		    c->frame_start_ms + ms - now : 0;
	}
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	event_add(c->ev, conf->mix_read_timeout_ms ? &tv : NULL);
}

/*
 * Bytes of a frame not yet whole, in either decoder.  frames0: whole
 * frames before these reads.  A busy peer's reads nearly always end
 * inside a frame; if one completed meanwhile, the partial one began in
 * these reads and its deadline starts now, not at the first byte of
 * the stream.
 */
static void
mix_in_track_frame(struct mix_in *c, uint64_t frames0)
{
	int	 partial = c->rx.len > 0 || (c->nz != NULL && c->nz->len > 0);

	if (!partial)
		c->frame_start_ms = 0;
	else if (c->frame_start_ms == 0 || c->rx.frames != frames0)
		c->frame_start_ms = gw_now_ms();
}

/* Decrypted transport bytes into the mix-frame decoder. */
static int
mix_in_sink(void *arg, const uint8_t *pt, size_t len)
{
	struct mix_in	*c = arg;

	return mixd_inbound_feed(c->md, &c->rx, pt, len);
}

/* n bytes of Noise frames read: -1 closes the connection. */
static int
mix_in_noise(struct mix_in *c, size_t n)
{
	struct mixd	*md = c->md;
	uint8_t		 reply[NOISE_FRAME_HDR_LEN + NOISE_MSG2_LEN];
	size_t		 rlen;
	int		 was_hs = !c->nz->established, rc;
	const char	*why;

	rc = mix_noise_commit(c->nz, n, reply, sizeof(reply), &rlen,
	    mix_in_sink, c);
	why = mix_noise_strerror(rc);
	if (rc == NOISE_OK && rlen > 0 &&
	    write(c->fd, reply, rlen) != (ssize_t)rlen) {
		rc = NOISE_E_STATE;
		why = "short write of our handshake message";
	}
	if (was_hs && c->nz->established)
		*md->c.noise_in_ok += 1;
	if (rc != NOISE_OK) {
		if (!c->nz->established) {
			*md->c.noise_in_failed += 1;
			mix_noise_log_fail(md, &c->from, "handshake from",
			    why);
		} else if (rc != MIX_NOISE_E_SINK) {
			/* A mix frame error is counted by the decoder. */
			*md->c.noise_bad_frames += 1;
			log_debug("noise transport: %s",
			    mix_noise_strerror(rc));
		}
		return -1;
	}
	if (was_hs && c->nz->established) {
		event_del(c->ev);	/* drop the handshake timeout */
		if (!md->paused)
			mix_in_arm(c);	/* the read timeout from now on */
	}
	return 0;
}

static void
mix_in_read(int fd, short what, void *arg)
{
	struct mix_in	*c = arg;
	struct mixd	*md = c->md;
	uint8_t		*p;
	size_t		 room;
	ssize_t		 n;
	uint64_t	 frames0 = c->rx.frames;
	int		 i;

	if (what & EV_TIMEOUT) {
		if (c->nz != NULL && c->nz->state == MIX_NOISE_HS) {
			*md->c.noise_in_timeouts += 1;
			*md->c.noise_in_failed += 1;
			mix_noise_log_fail(md, &c->from, "handshake from",
			    "timed out");
		} else if (c->frame_start_ms != 0) {
			*md->c.frame_deadlines += 1;
			ratelog_warnx(&md->rl_deadline, "a mix peer did not "
			    "finish a packet within %u ms of its first byte: "
			    "closed", md->w->conf.mixd.mix_read_timeout_ms);
		} else
			*md->c.read_timeouts += 1;
		mix_in_close(c);
		return;
	}
	for (i = 0; i < READS_PER_EVENT && !md->paused; i++) {
		if (c->nz != NULL)
			p = mix_noise_space(c->nz, &room);
		else
			p = mix_rx_space(&c->rx, &room);
		n = read(fd, p, room);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n == 0 && c->nz != NULL && c->nz->state == MIX_NOISE_HS) {
			/* Gave up mid-handshake, e.g. on our answer. */
			*md->c.noise_in_failed += 1;
			mix_noise_log_fail(md, &c->from, "handshake from",
			    "closed by peer");
		}
		if (n <= 0 || (c->nz != NULL ? mix_in_noise(c, (size_t)n) :
		    mix_rx_commit(md, &c->rx, (size_t)n)) == -1) {
			mix_in_close(c);
			mix_listen_flow(md);
			return;
		}
		/* Stop at once if that read filled clientd's queue. */
		mix_listen_flow(md);
		if ((size_t)n < room)
			break;
	}
	mix_in_track_frame(c, frames0);
	if (!md->paused)
		mix_in_arm(c);
}

/*
 * Room for one more connection from from?  Nodes of the topology may
 * use every slot and, when all are taken, push out the oldest
 * connection from an address nobody listed; unlisted addresses share
 * all but MIXD_RESERVE_DIV of them.  So strangers cannot keep the mix
 * nodes out.
 */
static int
mix_admit(struct mixd *md, int known)
{
	unsigned	 max = md->w->conf.mixd.max_mix_connections;
	unsigned	 reserve = max / MIXD_RESERVE_DIV;
	struct mix_in	*c;

	if (!known && md->nconns_unknown >= max - reserve) {
		*md->c.unknown_refused += 1;
		ratelog_warnx(&md->rl_refused, "%u mix connections from "
		    "addresses outside the topology: refusing more (%u kept "
		    "for its nodes)", md->nconns_unknown, reserve);
		return -1;
	}
	if (md->nconns < max)
		return 0;
	if (!known) {
		*md->c.connections_refused += 1;
		return -1;
	}
	TAILQ_FOREACH(c, &md->conns, entry)
		if (!c->known)
			break;
	if (c == NULL) {
		*md->c.connections_refused += 1;
		return -1;
	}
	*md->c.unknown_evicted += 1;
	ratelog_warnx(&md->rl_evicted, "mix connections full: a node of the "
	    "topology pushes out the oldest connection from elsewhere");
	mix_in_close(c);
	return 0;
}

static void
mix_accept(int lfd, short what, void *arg)
{
	struct mixd		*md = arg;
	struct mix_in		*c;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct nodeaddr		 from;
	int			 fd, i, on = 1, known;

	(void)what;
	for (i = 0; i < ACCEPT_BATCH; i++) {
		sslen = sizeof(ss);
		if ((fd = accept_pause_accept(&md->accept_pause, lfd,
		    (struct sockaddr *)&ss, &sslen)) == -1)
			break;
		memset(&from, 0, sizeof(from));
		if (nodeaddr_from_sockaddr((struct sockaddr *)&ss, &from) ==
		    0)
			mix_addr_canon(&from);
		known = mix_topology_ip_known(md->topo, &from);
		if (mix_admit(md, known) == -1) {
			close(fd);
			continue;
		}
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
		    sizeof(on));
		c = xcalloc(1, sizeof(*c));
		c->md = md;
		c->fd = fd;
		c->from = from;
		c->known = known;
		if (!known)
			md->nconns_unknown++;
		mix_rx_init(&c->rx);
		/* Noise iff the peer's IP announces a key (spec 6.3). */
		if (md->noise_on && mix_topology_noise_ip(md->topo, &c->from)) {
			c->nz = xcalloc(1, sizeof(*c->nz));
			mix_noise_init(c->nz, md->noise_sk);
		} else if (md->noise_on)
			*md->c.noise_raw_in += 1;
		c->ev = event_new(md->w->base, fd, EV_READ | EV_PERSIST,
		    mix_in_read, c);
		if (c->ev == NULL)
			fatalx("%s: event_new", __func__);
		TAILQ_INSERT_TAIL(&md->conns, c, entry);
		md->nconns++;
		*md->c.connections_in += 1;
		*md->c.connections_in_open = md->nconns;
		if (!md->paused)
			mix_in_arm(c);
	}
}

/* Our own mix address from a listener, for packets addressed to us. */
static void
mix_listen_self(struct mixd *md, int fd)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	struct nodeaddr		*a;
	static const uint8_t	 zero[16];

	if (md->nself == MIXD_MAX_SELF ||
	    getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		return;
	a = &md->self[md->nself];
	if (nodeaddr_from_sockaddr((struct sockaddr *)&ss, a) == -1)
		return;
	md->self_any[md->nself] = memcmp(a->ip, zero,
	    a->family == 4 ? 4 : 16) == 0;
	md->nself++;
}

void
mix_listen_start(struct mixd *md)
{
	struct worker	*w = md->w;
	unsigned	 i;

	accept_pause_init(&md->accept_pause, w->base, "mix port",
	    md->c.accept_backoffs);
	for (i = 0; i < w->nlisteners; i++) {
		if (w->listen_info[i].kind != LISTEN_MIX)
			fatalx("listener %s is not a mix port",
			    w->listen_info[i].text);
		if (gw_set_nonblock(w->listen_fd[i]) == -1)
			fatal("%s: nonblock", __func__);
		mix_listen_self(md, w->listen_fd[i]);
		md->listen_ev[i] = event_new(w->base, w->listen_fd[i],
		    EV_READ | EV_PERSIST, mix_accept, md);
		if (md->listen_ev[i] == NULL ||
		    event_add(md->listen_ev[i], NULL) == -1)
			fatalx("%s: event_new", __func__);
		accept_pause_add(&md->accept_pause, md->listen_ev[i]);
		log_debug("accepting mix connections on %s",
		    w->listen_info[i].text);
	}
}

void
mix_listen_stop(struct mixd *md)
{
	struct mix_in	*c;
	unsigned	 i;

	while ((c = TAILQ_FIRST(&md->conns)) != NULL)
		mix_in_close(c);
	for (i = 0; i < md->w->nlisteners; i++) {
		if (md->listen_ev[i] != NULL)
			event_free(md->listen_ev[i]);
		md->listen_ev[i] = NULL;
	}
	if (md->pause_ev != NULL)
		event_free(md->pause_ev);
	md->pause_ev = NULL;
	accept_pause_clear(&md->accept_pause);
}

static void
mix_pause_check(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	mix_listen_flow(arg);
}

void
mix_listen_flow(struct mixd *md)
{
	struct imsgev	*cd = md->w->peer[PROC_CLIENTD];
	struct mix_in	*c;
	struct timeval	 tv = { 0, PAUSE_CHECK_MS * 1000 };
	size_t		 q = cd != NULL ? imsgev_queued(cd) : 0;
	uint64_t	 held = md->acks != NULL ? mix_acks_held(md->acks) : 0;
	uint64_t	 paused_ms;

	if (!md->paused && (q > GW_FLOW_HIGH || held > MIXD_ACKS_HIGH)) {
		md->paused = 1;
		md->paused_at_ms = gw_now_ms();
		*md->c.read_pauses += 1;
		TAILQ_FOREACH(c, &md->conns, entry)
			event_del(c->ev);
		if (md->pause_ev == NULL &&
		    (md->pause_ev = evtimer_new(md->w->base, mix_pause_check,
		    md)) == NULL)
			fatalx("%s: evtimer_new", __func__);
		evtimer_add(md->pause_ev, &tv);
	} else if (md->paused && q < GW_FLOW_LOW && held < MIXD_ACKS_LOW) {
		md->paused = 0;
		/* Our own pause is no peer's delay: a frame begun before it
		 * keeps the time it had left. */
		paused_ms = gw_now_ms() - md->paused_at_ms;
		TAILQ_FOREACH(c, &md->conns, entry) {
			if (c->frame_start_ms != 0)
				c->frame_start_ms += paused_ms;
			mix_in_arm(c);
		}
	} else if (md->paused)
		evtimer_add(md->pause_ev, &tv);
}
