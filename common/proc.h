/*
 * libevent glue for imsg channels: one struct imsgev per peer, read and
 * dispatched on EV_READ, flushed on EV_WRITE only while something is
 * queued.  Also the per-process counters that gatewayctl status shows.
 */
#ifndef GW_PROC_H
#define GW_PROC_H

#include <event2/event.h>

#include "gw_imsg.h"
#include "imsg.h"

struct imsgev;

/* Return 0 to go on, -1 if the channel was closed inside the callback. */
typedef int	(*imsgev_dispatch_cb)(struct imsgev *, struct imsg *);
/* The channel hit EOF, an I/O error or a framing error (why says which). */
typedef void	(*imsgev_lost_cb)(struct imsgev *, const char *why);

struct imsgev {
	struct imsgbuf		 ibuf;
	struct event		*ev;
	short			 events;
	int			 read_paused;	/* backpressure: not reading */
	int			 proc;		/* enum gw_proc, or -1 */
	char			 name[32];	/* peer, for logs */
	imsgev_dispatch_cb	 dispatch;
	imsgev_lost_cb		 lost;
	void			*arg;
};

struct imsgev	*imsgev_new(struct event_base *, int fd, int proc,
		    const char *name, uint32_t maxsize, int allow_fdpass,
		    imsgev_dispatch_cb, imsgev_lost_cb, void *arg);
/* Stops the event, frees the buffers, closes the fd, frees iev. */
void		 imsgev_free(struct imsgev *);
int		 imsgev_compose(struct imsgev *, uint32_t type,
		    uint32_t peerid, int fd, const void *data, size_t len);
int		 imsgev_composev(struct imsgev *, uint32_t type,
		    uint32_t peerid, int fd, const struct iovec *, int);
/* head (hlen bytes), then tail (tlen), in one message. */
int		 imsgev_compose2(struct imsgev *, uint32_t type,
		    uint32_t peerid, const void *head, size_t hlen,
		    const void *tail, size_t tlen);
size_t		 imsgev_queued(const struct imsgev *);
/* Stop (1) or resume (0) reading this channel: the peer's queue to us
 * grows and its own marks make it pause in turn. */
void		 imsgev_pause_read(struct imsgev *, int);

/* A message a receiver cannot accept from this peer: always fatal. */
void		 imsg_unexpected(const struct imsgev *, const struct imsg *)
		    __attribute__((noreturn));
/* Exact-size payload or fatal: a sibling never sends a bad size. */
void		 imsg_need(const struct imsgev *, const struct imsg *,
		    void *dst, size_t len);

/* Counters: a flat table of named 64-bit values per process. */
struct gw_counters {
	unsigned	 n;
	struct gw_counter c[GW_COUNTERS_MAX];
};
/* Returns a stable pointer to the counter's value (created at 0). */
uint64_t	*counter_get(struct gw_counters *, const char *name);
/* Reply to IMSG_CTL_STATUS from the master with this process's table. */
void		 counters_send(struct imsgev *parent, uint32_t peerid,
		    const char *role, int64_t started, int sandboxed,
		    const struct gw_counters *);

#endif
