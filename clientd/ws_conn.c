/*
 * Connections: accept with the global and per-address caps, read the
 * upgrade, then hand bytes to wslay, which frames, reassembles, answers
 * pings and enforces the message size.  Output goes through wslay's
 * queue straight to the socket; struct outmsg mirrors the data messages
 * in that queue so that we learn which were written (inbox deletes)
 * and bound each client's queue.  conn_input() takes bytes from
 * anywhere, so the fuzzer drives the same code with fd -1.  Everything
 * above the socket hears of it through cd->ev (struct conn_events).
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "clientd.h"
#include "gwcrypto.h"
#include "log.h"

static void	conn_read(int, short, void *);
static void	conn_write(int, short, void *);
static void	conn_linger(struct conn *);

/* Up once, whether by close or free: the session leaves. */
static void
conn_leave(struct conn *c)
{
	if (c->left)
		return;
	c->left = 1;
	c->cd->ev->closed(c);
}

uint64_t
clientd_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static ssize_t
ws_recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
    void *arg)
{
	struct conn	*c = arg;

	(void)flags;
	if (c->inlen == 0) {
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (len > c->inlen)
		len = c->inlen;
	memcpy(buf, c->in, len);
	c->in += len;
	c->inlen -= len;
	return (ssize_t)len;
}

static ssize_t
ws_send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
    int flags, void *arg)
{
	struct conn	*c = arg;
	ssize_t		 n;

	if (c->fd == -1)
		return (ssize_t)len;	/* fuzzing and tests: a sink */
	/* wslay hands a frame's header and payload over in two calls:
	 * MSG_MORE keeps them one segment on the wire. */
	n = send(c->fd, data, len, MSG_NOSIGNAL |
	    ((flags & WSLAY_MSG_MORE) ? MSG_MORE : 0));
	if (n == -1) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		else
			wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
		return -1;
	}
	return n;
}

static int
ws_genmask_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
    void *arg)
{
	(void)ctx;
	(void)arg;
	randombytes_buf(buf, len);
	return 0;
}

static void
ws_msg_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_msg_recv_arg *a, void *arg)
{
	struct conn	*c = arg;

	(void)ctx;
	if (c->link == LINK_CLOSING)
		return;
	c->last_rx_ms = clientd_now_ms();
	c->idle_pinged = 0;
	if (a->opcode == WSLAY_PONG) {
		c->cd->ev->pong(c, a->msg, a->msg_length);
		return;
	}
	c->cd->ev->message(c, a->opcode, a->msg, a->msg_length);
}

/*
 * wslay keeps each fragment of a message in a block of its own: 60,000
 * one-byte fragments cost it 5 MB.  Past CLIENTD_MAX_FRAGMENTS the
 * message is refused as too big (1009) before its next block.
 */
static void
ws_frame_start_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_frame_recv_start_arg *a, void *arg)
{
	struct conn	*c = arg;

	if (a->opcode >= WSLAY_CONNECTION_CLOSE)
		return;		/* control frames may come in between */
	c->frags = a->opcode == WSLAY_CONTINUATION_FRAME ? c->frags + 1 : 1;
	if (c->frags <= CLIENTD_MAX_FRAGMENTS)
		return;
	*c->cd->c_fragments_refused += 1;
	ratelog_warnx(&c->cd->rl_frags, "a client sent a message in more than "
	    "%d fragments: closing with 1009", CLIENTD_MAX_FRAGMENTS);
	wslay_event_queue_close(ctx, WSLAY_CODE_MESSAGE_TOO_BIG, NULL, 0);
	wslay_event_shutdown_read(ctx);
}

static const struct wslay_event_callbacks ws_callbacks = {
	.recv_callback = ws_recv_cb,
	.send_callback = ws_send_cb,
	.genmask_callback = ws_genmask_cb,
	.on_frame_recv_start_callback = ws_frame_start_cb,
	.on_msg_recv_callback = ws_msg_cb,
};

struct conn *
conn_by_id(struct clientd *cd, uint32_t id)
{
	struct conn	*c;

	for (c = cd->by_id[id % CLIENTD_ID_BUCKETS]; c != NULL; c = c->next_id)
		if (c->id == id)
			return c;
	return NULL;
}

struct conn *
conn_new(struct clientd *cd, int fd, const struct sockaddr *sa)
{
	struct conn	*c;
	struct event_base *base = cd->w->base;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->cd = cd;
	c->fd = fd;
	c->link = LINK_HTTP;
	c->state = CS_FRESH;
	c->accepted_ms = clientd_now_ms();
	c->accepted_us = histogram_now_us();
	addrkey_of(sa, cd->conf->ipv6_prefix, &c->addr);
	do {
		cd->next_id = (cd->next_id + 1) & 0x3fffffff;
	} while (cd->next_id == 0 || conn_by_id(cd, cd->next_id) != NULL);
	c->id = cd->next_id;
	c->next_id = cd->by_id[c->id % CLIENTD_ID_BUCKETS];
	cd->by_id[c->id % CLIENTD_ID_BUCKETS] = c;
	if (base != NULL && fd != -1) {
		c->rev = event_new(base, fd, EV_READ | EV_PERSIST, conn_read, c);
		c->wev = event_new(base, fd, EV_WRITE | EV_PERSIST, conn_write,
		    c);
	}
	if (base != NULL)
		c->timer = evtimer_new(base, conn_timeout, c);
	if ((fd != -1 && (c->rev == NULL || c->wev == NULL)) ||
	    (base != NULL && c->timer == NULL)) {
		/* The caller closes fd and releases the address. */
		c->fd = -1;
		TAILQ_INSERT_TAIL(&cd->conns, c, entry);
		cd->nconns++;
		conn_free(c);
		return NULL;
	}
	TAILQ_INSERT_TAIL(&cd->conns, c, entry);
	cd->nconns++;
	admission_enter(c);
	c->last_rx_ms = clientd_now_ms();
	conn_read_enable(c, 1);
	conn_set_timer(c, CLIENTD_UPGRADE_TIMEOUT_MS);
	return c;
}

void
conn_free(struct conn *c)
{
	struct clientd	*cd = c->cd;
	struct conn	**pp;

	conn_leave(c);
	for (pp = &cd->by_id[c->id % CLIENTD_ID_BUCKETS]; *pp != NULL;
	    pp = &(*pp)->next_id)
		if (*pp == c) {
			*pp = c->next_id;
			break;
		}
	TAILQ_REMOVE(&cd->conns, c, entry);
	cd->nconns--;
	admission_leave(c);
	if (c->rev != NULL)
		event_free(c->rev);
	if (c->wev != NULL)
		event_free(c->wev);
	if (c->timer != NULL)
		event_free(c->timer);
	if (c->ws != NULL)
		wslay_event_context_free(c->ws);
	if (c->aead != NULL)
		gwcrypto_aead_free(c->aead);
	if (c->fd != -1)
		close(c->fd);
	/* Pushed but not written: not safe, so their acks never leave and
	 * the senders try again. */
	for (; c->oq_n > 0; c->oq_n--, c->oq_head = (c->oq_head + 1) %
	    c->oq_cap)
		if (c->oq[c->oq_head].ack != 0)
			cd->ev->unwritten(cd, c->oq[c->oq_head].ack);
	free(c->hbuf);
	free(c->oq);
	sodium_memzero(c, sizeof(*c));
	free(c);
	*cd->c_conn_closed += 1;
}

/* Until a client is authenticated, no timer runs past its deadline. */
static uint64_t
conn_hs_left(const struct conn *c)
{
	uint64_t	 end = c->accepted_ms + c->cd->conf->handshake_timeout_ms;
	uint64_t	 now = clientd_now_ms();

	return end > now ? end - now : 0;
}

void
conn_set_timer(struct conn *c, uint32_t ms)
{
	struct timeval	 tv;

	if (c->preauth && c->link != LINK_CLOSING && conn_hs_left(c) < ms)
		ms = (uint32_t)conn_hs_left(c);
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	if (c->timer != NULL)
		evtimer_add(c->timer, &tv);
}

void
conn_read_enable(struct conn *c, int on)
{
	on = c->lingering || (on && !c->wait && !c->out_paused &&
	    !(c->cd->paused && c->ready) && c->link != LINK_CLOSING);
	if (c->rev == NULL || on == c->reading)
		return;
	if (on)
		event_add(c->rev, NULL);
	else
		event_del(c->rev);
	c->reading = on;
}

void
conn_wait(struct conn *c, int on)
{
	c->wait = on;
	conn_read_enable(c, !on);
}

/* Queue raw bytes (the HTTP response) ahead of any frame. */
static void
conn_raw(struct conn *c, const char *s, size_t len)
{
	if (len > sizeof(c->raw) - c->rawlen)
		return;
	memcpy(c->raw + c->rawlen, s, len);
	c->rawlen += len;
}

static void
conn_upgrade(struct conn *c)
{
	char	 accept[29], resp[256];
	size_t	 headlen = 0;
	int	 status, n, rv;

	rv = ws_http_parse(c->hbuf, c->hlen, &headlen, &status, accept);
	if (rv == WS_HTTP_MORE && status == 0)
		return;
	if (status != 101) {
		*c->cd->c_upgrade_fail += 1;
		if ((n = ws_http_response(status, NULL, resp, sizeof(resp))) > 0)
			conn_raw(c, resp, (size_t)n);
		c->link = LINK_CLOSING;
		conn_set_timer(c, CLIENTD_CLOSE_LINGER_MS);
		return;
	}
	if ((n = ws_http_response(101, accept, resp, sizeof(resp))) < 0 ||
	    wslay_event_context_server_init(&c->ws, &ws_callbacks, c) != 0) {
		c->link = LINK_CLOSING;
		return;
	}
	wslay_event_config_set_max_recv_msg_length(c->ws,
	    c->cd->conf->max_message_size);
	conn_raw(c, resp, (size_t)n);
	c->link = LINK_WS;
	c->cd->ev->upgraded(c);
	/* A client may send its first frame with the request. */
	if (c->hlen > headlen && c->link != LINK_CLOSING) {
		c->in = (const uint8_t *)c->hbuf + headlen;
		c->inlen = c->hlen - headlen;
		if (wslay_event_recv(c->ws) != 0)
			conn_close(c, 0, "websocket error");
		c->inlen = 0;
	}
	free(c->hbuf);
	c->hbuf = NULL;
	c->hlen = 0;
}

/* Bytes from the client; conn_flush() afterwards sends what is due. */
void
conn_input(struct conn *c, const uint8_t *buf, size_t len)
{
	char	*nb;

	if (c->link == LINK_CLOSING || len == 0)
		return;
	if (c->link == LINK_HTTP) {
		if (len > CLIENTD_HTTP_MAX + 1024 - c->hlen)
			len = CLIENTD_HTTP_MAX + 1024 - c->hlen;
		if ((nb = realloc(c->hbuf, c->hlen + len + 1)) == NULL) {
			c->link = LINK_CLOSING;
			return;
		}
		c->hbuf = nb;
		memcpy(c->hbuf + c->hlen, buf, len);
		c->hlen += len;
		c->hbuf[c->hlen] = '\0';
		conn_upgrade(c);
		return;
	}
	c->in = buf;
	c->inlen = len;
	if (wslay_event_recv(c->ws) != 0 && c->link != LINK_CLOSING) {
		*c->cd->c_ws_errors += 1;
		conn_close(c, 0, "websocket error");
	}
	c->inlen = 0;
	/* Pongs and replies just queued count against the output cap. */
	if (c->link != LINK_CLOSING)
		admission_output(c);
}

static void
conn_oq_written(struct conn *c)
{
	size_t		 queued, sent;
	struct outmsg	*m;
	uint64_t	 now_us;

	if (c->ws == NULL)
		return;
	/* Control frames count too, so this errs towards "not yet". */
	queued = wslay_event_get_queued_msg_count(c->ws);
	sent = c->oq_n > queued ? c->oq_n - queued : 0;
	while (sent-- > 0) {
		m = &c->oq[c->oq_head];
		c->oq_head = (c->oq_head + 1) % c->oq_cap;
		c->oq_n--;
		c->oq_bytes -= m->len;
		if (m->rx_us != 0 && m->rx_us <= (now_us = histogram_now_us()))
			histogram_observe(&c->cd->h_delivery,
			    now_us - m->rx_us);
		if (m->seq != 0 || m->ack != 0)
			c->cd->ev->written(c, m->seq, m->ack);
	}
	c->cd->ev->room(c);
}

/*
 * Send what is due.  May free c: callers touch c no more afterwards
 * (session code calls it only through the event callbacks).
 */
void
conn_flush(struct conn *c)
{
	ssize_t	 n;
	int	 want;

	while (c->rawoff < c->rawlen) {
		if (c->fd == -1) {
			c->rawoff = c->rawlen;
			break;
		}
		n = send(c->fd, c->raw + c->rawoff, c->rawlen - c->rawoff,
		    MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			goto wantwrite;
		if (n <= 0) {
			conn_free(c);
			return;
		}
		c->rawoff += (size_t)n;
	}
	if (c->ws != NULL && wslay_event_want_write(c->ws)) {
		if (wslay_event_send(c->ws) != 0) {
			conn_free(c);
			return;
		}
		conn_oq_written(c);
	}
	/* The replies queued before conn_close() are out: now the close. */
	if (c->close_pending && c->ws != NULL &&
	    wslay_event_get_queued_msg_count(c->ws) == 0) {
		c->close_pending = 0;
		if (wslay_event_queue_close(c->ws, c->close_code, NULL, 0) == 0
		    && wslay_event_send(c->ws) != 0) {
			conn_free(c);
			return;
		}
	}
	want = c->ws != NULL && wslay_event_want_write(c->ws);
	if ((c->link == LINK_CLOSING && !want) ||
	    (c->ws != NULL && !wslay_event_want_read(c->ws) && !want)) {
		conn_linger(c);
		return;
	}
	if (c->link != LINK_CLOSING && c->ws != NULL)
		admission_output(c);
	if (c->wev != NULL) {
		if (want)
			event_add(c->wev, NULL);
		else
			event_del(c->wev);
	}
	return;
wantwrite:
	if (c->wev != NULL)
		event_add(c->wev, NULL);
}

/*
 * Everything, the close frame included, is written: half-close and read
 * what the client still sends until it closes too or the linger ends.
 * Closing a socket with unread input would send a TCP reset, which can
 * overtake the close frame (RFC 6455 7.1.1).
 */
static void
conn_linger(struct conn *c)
{
	if (c->fd == -1 || c->lingering) {
		conn_free(c);
		return;
	}
	(void)shutdown(c->fd, SHUT_WR);
	c->lingering = 1;
	if (c->wev != NULL)
		event_del(c->wev);
	conn_read_enable(c, 1);
	conn_set_timer(c, CLIENTD_CLOSE_LINGER_MS);
}

static void
conn_read(int fd, short ev, void *arg)
{
	struct conn	*c = arg;
	uint8_t		 buf[16384];
	ssize_t		 n;

	(void)ev;
	n = read(fd, buf, sizeof(buf));
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_free(c);
		return;
	}
	if (c->lingering)
		return;		/* read only to be let go cleanly */
	conn_input(c, buf, (size_t)n);
	conn_flush(c);
}

static void
conn_write(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	conn_flush(arg);
}

void
conn_timeout(int fd, short ev, void *arg)
{
	struct conn	*c = arg;

	(void)fd;
	(void)ev;
	if (c->link == LINK_CLOSING || c->lingering) {
		conn_free(c);
		return;
	}
	if (c->link == LINK_HTTP) {
		*c->cd->c_timeouts += 1;
		conn_free(c);
		return;
	}
	if (c->preauth && conn_hs_left(c) == 0) {
		*c->cd->c_timeouts += 1;
		*c->cd->c_handshake_deadline += 1;
		ratelog_warnx(&c->cd->rl_deadline, "a client did not finish "
		    "its handshake within %u ms of connecting: closed",
		    c->cd->conf->handshake_timeout_ms);
		c->cd->ev->deadline(c);
		conn_close(c, 1008, "handshake deadline");
		conn_flush(c);
		return;
	}
	c->cd->ev->timeout(c);
	conn_flush(c);
}

int
conn_closing(const struct conn *c)
{
	return c->link == LINK_CLOSING;
}

/* Close politely: an optional close frame, then drop after a linger. */
void
conn_close(struct conn *c, uint16_t code, const char *why)
{
	if (c->link == LINK_CLOSING)
		return;
	log_debug("connection %u: closing: %s", c->id, why);
	conn_leave(c);
	c->link = LINK_CLOSING;
	conn_read_enable(c, 0);
	if (c->ws != NULL) {
		/*
		 * wslay sends control frames ahead of queued data and nothing
		 * after a close frame: queued now, the close would swallow
		 * the error reply just queued (spec: the error, then the
		 * drop).  conn_flush() queues it once the data is written.
		 */
		if (code != 0) {
			c->close_code = code;
			c->close_pending = 1;
		}
		wslay_event_shutdown_read(c->ws);
	}
	conn_set_timer(c, CLIENTD_CLOSE_LINGER_MS);
}

size_t
conn_queued(const struct conn *c)
{
	return (c->ws != NULL ? wslay_event_get_queued_msg_length(c->ws) : 0) +
	    (c->rawlen - c->rawoff);
}

int
conn_room(const struct conn *c, size_t len)
{
	return c->oq_n < CLIENTD_SENDQ_MSGS &&
	    conn_queued(c) + len <= CLIENTD_SENDQ_MAX;
}

static int
conn_queue(struct conn *c, uint8_t opcode, const uint8_t *data, size_t len,
    uint64_t seq, uint64_t ack)
{
	struct wslay_event_msg	 m = { opcode, data, len };
	struct outmsg		*noq;
	uint32_t		 i, ncap;

	if (c->ws == NULL || c->link == LINK_CLOSING)
		return -1;
	if (c->oq_n == c->oq_cap) {
		ncap = c->oq_cap ? c->oq_cap * 2 : 8;
		if (ncap > CLIENTD_SENDQ_MSGS + CLIENTD_INBOX_BATCH + 64 ||
		    (noq = calloc(ncap, sizeof(*noq))) == NULL)
			return -1;
		for (i = 0; i < c->oq_n; i++)
			noq[i] = c->oq[(c->oq_head + i) % c->oq_cap];
		free(c->oq);
		c->oq = noq;
		c->oq_cap = ncap;
		c->oq_head = 0;
	}
	if (wslay_event_queue_msg(c->ws, &m) != 0)
		return -1;
	c->oq[(c->oq_head + c->oq_n) % c->oq_cap] =
	    (struct outmsg){ seq, ack, (uint32_t)len, 0 };
	c->oq_n++;
	c->oq_bytes += len;
	return 0;
}

int
conn_send_text(struct conn *c, const char *s, size_t len)
{
	return conn_queue(c, WSLAY_TEXT_FRAME, (const uint8_t *)s, len, 0, 0);
}

int
conn_send_binary(struct conn *c, const uint8_t *b, size_t len, uint64_t seq,
    uint64_t ack)
{
	return conn_queue(c, WSLAY_BINARY_FRAME, b, len, seq, ack);
}

int
conn_ping(struct conn *c, const uint8_t *b, size_t len)
{
	struct wslay_event_msg	 m = { WSLAY_PING, b, len };

	if (c->ws == NULL || c->link == LINK_CLOSING)
		return -1;
	return wslay_event_queue_msg(c->ws, &m) == 0 ? 0 : -1;
}

/* A listener is readable: accept one, within the caps. */
void
conn_accept(int lfd, short ev, void *arg)
{
	struct clientd		*cd = arg;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen = sizeof(ss);
	struct conn		*c;
	struct addrkey		 k;
	int			 fd;

	(void)ev;
	if ((fd = accept_pause_accept(&cd->accept_pause, lfd,
	    (struct sockaddr *)&ss, &sslen)) == -1)
		return;
	*cd->c_conn_accepted += 1;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF,
	    &(int){ CLIENTD_SOCK_SNDBUF }, sizeof(int));
	/* Over the cap: accepted and dropped at once, as Nym does. */
	if (cd->nconns >= cd->conf->max_connections) {
		*cd->c_conn_refused_max += 1;
		ratelog_warnx(&cd->rl_max, "%u client connections: refusing "
		    "more", cd->conf->max_connections);
		close(fd);
		return;
	}
	addrkey_of((struct sockaddr *)&ss, cd->conf->ipv6_prefix, &k);
	if (admission_admit(cd, &k) == -1) {
		close(fd);
		return;
	}
	if ((c = conn_new(cd, fd, (struct sockaddr *)&ss)) == NULL) {
		addrcount_release(&cd->addrs, &k);
		close(fd);
		return;
	}
	c->counted = 1;
}
