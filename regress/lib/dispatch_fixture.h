/*
 * One message into a process's dispatcher as its channel delivers it:
 * checked against the role table's row first (a message failing it is
 * fatal in the daemon before any dispatcher runs), then dispatched.
 * The fixtures of storaged and clientd share it.
 */
#ifndef DISPATCH_FIXTURE_H
#define DISPATCH_FIXTURE_H

#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "proc.h"
#include "roles.h"
#include "util.h"

static inline void
fixture_lost(struct imsgev *iev, const char *why)
{
	(void)iev;
	(void)why;
	abort();
}

/* NULL, or why the row refused it. */
static inline const char *
fixture_deliver(struct imsgev *iev, enum gw_proc from, uint32_t type,
    uint32_t peerid, const void *data, size_t len)
{
	struct imsg	 imsg;
	const char	*why;

	if ((why = gw_msg_check_in(type, from, len, 0)) != NULL)
		return why;
	memset(&imsg, 0, sizeof(imsg));
	imsg.hdr.type = type;
	imsg.hdr.peerid = peerid;
	imsg.hdr.len = (uint32_t)(IMSG_HDR_SIZE + len);
	imsg.data = data;
	imsg.datalen = len;
	imsg.fd = -1;
	iev->dispatch(iev, &imsg);
	return NULL;
}

/* A channel as the master makes them: our end an imsgev dispatching to
 * cb (arg: the worker), the other end an imsgbuf the test reads. */
static inline struct imsgev *
fixture_channel(struct event_base *base, enum gw_proc p,
    imsgev_dispatch_cb cb, void *arg, struct imsgbuf *other)
{
	int	 sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    gw_set_nonblock(sv[1]) == -1)
		abort();
	/* Replies may be large (an inbox batch): room to write them. */
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &(int){ 4 << 20 },
	    sizeof(int));
	imsgbuf_init(other, sv[1], GW_IMSG_MAXSIZE, 0);
	return imsgev_new(base, sv[0], p, gw_proc_name(p), GW_IMSG_MAXSIZE, 0,
	    cb, fixture_lost, arg);
}

/* Everything sent on iev so far, written out and read into other. */
static inline void
fixture_flush(struct imsgev *iev, struct imsgbuf *other)
{
	while (imsgbuf_queued(&iev->ibuf) > 0)
		if (imsgbuf_write(&iev->ibuf) == -1)
			abort();
	while (imsgbuf_read(other) > 0)
		;
}

/* ... and dropped. */
static inline void
fixture_drain(struct imsgev *iev, struct imsgbuf *other)
{
	struct imsg	 imsg;

	fixture_flush(iev, other);
	while (imsg_get(other, &imsg) == 1)
		imsg_free(&imsg);
}

/* The types `from' may send `to', by the role table's rows. */
static inline unsigned
fixture_types(enum gw_proc from, enum gw_proc to, uint32_t *out)
{
	uint32_t	 t;
	unsigned	 n = 0;

	for (t = IMSG_NONE + 1; t < IMSG_TYPE_MAX; t++)
		if (gw_msg_route(t, from, to))
			out[n++] = t;
	return n;
}

/*
 * A fuzzer's message of type t, shaped by its row: the fixed part and
 * `count' (modulo what the row allows) entries, from the payload bytes
 * p (n of them; the rest zero).  Its length.
 */
static inline size_t
fixture_shape(uint32_t t, unsigned count, const uint8_t *p, size_t n,
    uint8_t *buf, size_t bufmax)
{
	const struct gw_msg	*m = gw_msg(t);
	size_t			 tail, len;

	tail = m->tail_max > m->tail_min ? m->tail_min + count %
	    (m->tail_max - m->tail_min + 1) : m->tail_min;
	len = m->fixed + tail * m->unit;
	if (len > bufmax - IMSG_HDR_SIZE)
		len = bufmax - IMSG_HDR_SIZE;
	memset(buf, 0, len);
	memcpy(buf, p, n < len ? n : len);
	return len;
}

/* Who a fuzzer speaks as, and what each may send the process under test. */
struct fixture_senders {
	unsigned	 n;
	enum gw_proc	 p[4];
	uint32_t	 types[4][IMSG_TYPE_MAX];
	unsigned	 ntypes[4];
};

static inline void
fixture_senders_init(struct fixture_senders *fs, enum gw_proc to)
{
	unsigned	 i;

	for (i = 0; i < fs->n; i++)
		fs->ntypes[i] = fixture_types(fs->p[i], to, fs->types[i]);
}

/*
 * One record of a fuzz input: sender (1 byte), type index (1), tail
 * count (2, little-endian), then up to `take' payload bytes.  The
 * message goes to peers[sender] as its channel delivers it; between()
 * (may be NULL) runs, then all the process sent is dropped.  The bytes
 * used, 0 when no record is left.
 */
static inline size_t
fixture_fuzz_record(const uint8_t *d, size_t len,
    const struct fixture_senders *fs, struct imsgev *const *peers,
    struct imsgbuf *others, size_t take, void (*between)(void))
{
	static uint8_t	 buf[GW_IMSG_MAXSIZE];
	unsigned	 s, i;
	uint32_t	 t;
	size_t		 n, plen;

	if (len < 4 || fs->n == 0)
		return 0;
	s = d[0] % fs->n;
	if (fs->ntypes[s] == 0)
		return 0;
	t = fs->types[s][d[1] % fs->ntypes[s]];
	n = len - 4 < take ? len - 4 : take;
	plen = fixture_shape(t, (unsigned)(d[2] | d[3] << 8), d + 4, n, buf,
	    sizeof(buf));
	fixture_deliver(peers[fs->p[s]], fs->p[s], t, d[2] & 7, buf, plen);
	if (between != NULL)
		between();
	for (i = 0; i < fs->n; i++)
		fixture_drain(peers[fs->p[i]], &others[fs->p[i]]);
	return 4 + n;
}

#endif
