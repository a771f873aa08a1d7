/*
 * libevent around the imsg channels (proc.h): read, check each
 * message against the role table's rows, dispatch, flush; and the
 * per-process counters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "metric_names.h"
#include "proc.h"
#include "roles.h"
#include "util.h"

const char *
gw_proc_name(enum gw_proc p)
{
	if ((unsigned)p < PROC_MAX)
		return gw_role(p)->name;
	return "unknown";
}

static void
imsgev_update(struct imsgev *iev)
{
	short	 want = (iev->read_paused ? 0 : EV_READ) | EV_PERSIST;

	if (imsgbuf_queued(&iev->ibuf) > 0)
		want |= EV_WRITE;
	if (want == iev->events)
		return;
	event_del(iev->ev);
	event_assign(iev->ev, event_get_base(iev->ev), iev->ibuf.fd, want,
	    event_get_callback(iev->ev), iev);
	event_add(iev->ev, NULL);
	iev->events = want;
}

/* Before any dispatcher: the message's row in the role table.  A
 * channel to gatewayctl (proc -1) is control.c's to check. */
static void
imsgev_check_in(const struct imsgev *iev, const struct imsg *imsg)
{
	const char	*why;

	if (iev->proc < 0)
		return;
	if ((why = gw_msg_check_in(imsg->hdr.type, (enum gw_proc)iev->proc,
	    imsg->datalen, imsg->fd != -1)) != NULL)
		fatalx("%s from %s (%zu bytes): %s",
		    gw_imsg_type_name(imsg->hdr.type), iev->name,
		    imsg->datalen, why);
}

static void
imsgev_handler(int fd, short what, void *arg)
{
	struct imsgev	*iev = arg;
	struct imsg	 imsg;
	int		 n;

	(void)fd;
	if (what & EV_WRITE) {
		if (imsgbuf_write(&iev->ibuf) == -1) {
			iev->lost(iev, strerror(errno));
			return;
		}
	}
	if (what & EV_READ) {
		n = imsgbuf_read(&iev->ibuf);
		if (n == 0) {
			iev->lost(iev, "channel closed");
			return;
		}
		if (n == -1 && errno != EAGAIN && errno != EWOULDBLOCK) {
			iev->lost(iev, strerror(errno));
			return;
		}
		for (;;) {
			n = imsg_get(&iev->ibuf, &imsg);
			if (n == 0)
				break;
			if (n == -1) {
				iev->lost(iev, errno == ERANGE ?
				    "bad message length" : "missing descriptor");
				return;
			}
			imsgev_check_in(iev, &imsg);
			if (iev->dispatch(iev, &imsg) == -1)
				return;	/* iev is gone */
			imsg_free(&imsg);
		}
	}
	imsgev_update(iev);
}

void
imsgev_pause_read(struct imsgev *iev, int on)
{
	if (iev->read_paused == on)
		return;
	iev->read_paused = on;
	imsgev_update(iev);
}

struct imsgev *
imsgev_new(struct event_base *base, int fd, int proc, const char *name,
    uint32_t maxsize, int allow_fdpass, imsgev_dispatch_cb dispatch,
    imsgev_lost_cb lost, void *arg)
{
	struct imsgev	*iev = xcalloc(1, sizeof(*iev));

	if (gw_set_nonblock(fd) == -1)
		fatal("%s: nonblock", __func__);
	imsgbuf_init(&iev->ibuf, fd, maxsize, allow_fdpass);
	iev->ibuf.wmax = GW_QUEUE_MAX;
	iev->proc = proc;
	gw_strlcpy(iev->name, name, sizeof(iev->name));
	iev->dispatch = dispatch;
	iev->lost = lost;
	iev->arg = arg;
	iev->events = EV_READ | EV_PERSIST;
	iev->ev = event_new(base, fd, iev->events, imsgev_handler, iev);
	if (iev->ev == NULL || event_add(iev->ev, NULL) == -1)
		fatalx("%s: event_new", __func__);
	return iev;
}

void
imsgev_free(struct imsgev *iev)
{
	if (iev == NULL)
		return;
	event_free(iev->ev);
	close(iev->ibuf.fd);
	imsgbuf_clear(&iev->ibuf);
	free(iev);
}

/* What we send must fit its row too: a mismatch is our own bug (the
 * receiver would die of it anyway), so abort, not fatalx, which a
 * fuzzer may catch as a refused input. */
static void
imsgev_check_out(const struct imsgev *iev, uint32_t type, size_t len,
    int fd)
{
	const char	*why;

	if (iev->proc < 0)
		return;
	if ((why = gw_msg_check_out(type, (enum gw_proc)iev->proc, len,
	    fd != -1)) != NULL)
	{
		log_warnx("sending %s to %s (%zu bytes): %s",
		    gw_imsg_type_name(type), iev->name, len, why);
		abort();
	}
}

int
imsgev_composev(struct imsgev *iev, uint32_t type, uint32_t peerid, int fd,
    const struct iovec *iov, int iovcnt)
{
	size_t	 len = 0;
	int	 i;

	for (i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	imsgev_check_out(iev, type, len, fd);
	if (imsg_composev(&iev->ibuf, type, peerid, fd, iov, iovcnt) == -1)
		return -1;
	imsgev_update(iev);
	return 0;
}

/* A fixed struct and the bytes that follow it, the common shape. */
int
imsgev_compose2(struct imsgev *iev, uint32_t type, uint32_t peerid,
    const void *head, size_t hlen, const void *tail, size_t tlen)
{
	struct iovec	 iov[2] = {
		{ (void *)(uintptr_t)head, hlen },
		{ (void *)(uintptr_t)tail, tlen },
	};

	return imsgev_composev(iev, type, peerid, -1, iov, tlen > 0 ? 2 : 1);
}

int
imsgev_compose(struct imsgev *iev, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	imsgev_check_out(iev, type, len, fd);
	if (imsg_compose(&iev->ibuf, type, peerid, fd, data, len) == -1)
		return -1;
	imsgev_update(iev);
	return 0;
}

size_t
imsgev_queued(const struct imsgev *iev)
{
	return imsgbuf_queued(&iev->ibuf);
}

void
imsg_unexpected(const struct imsgev *iev, const struct imsg *imsg)
{
	fatalx("unexpected %s (%u) from %s", gw_imsg_type_name(imsg->hdr.type),
	    imsg->hdr.type, iev->name);
}

void
imsg_need(const struct imsgev *iev, const struct imsg *imsg, void *dst,
    size_t len)
{
	if (imsg_get_exact(imsg, dst, len) == -1)
		fatalx("%s from %s: payload %zu bytes, want %zu",
		    gw_imsg_type_name(imsg->hdr.type), iev->name,
		    imsg->datalen, len);
}

uint64_t *
counter_get(struct gw_counters *cs, const char *name)
{
	unsigned	 i;

	for (i = 0; i < cs->n; i++)
		if (strcmp(cs->c[i].name, name) == 0)
			return &cs->c[i].value;
	if (cs->n == GW_COUNTERS_MAX)
		fatalx("%s: too many counters (%s)", __func__, name);
	if (strlen(name) >= GW_COUNTER_NAME_MAX)
		fatalx("%s: counter name too long (%s)", __func__, name);
#ifdef GW_TEST_HOOKS
	/* Every test run checks the help text exists (metric_names.c). */
	if (!metric_name_known(name))
		fatalx("%s: %s has no row in common/metric_names.c",
		    __func__, name);
#endif
	gw_strlcpy(cs->c[cs->n].name, name, GW_COUNTER_NAME_MAX);
	cs->c[cs->n].value = 0;
	return &cs->c[cs->n++].value;
}

void
counters_send(struct imsgev *parent, uint32_t peerid, const char *role,
    int64_t started, int sandboxed, const struct gw_counters *cs)
{
	struct gw_ctl_proc	 p;

	memset(&p, 0, sizeof(p));
	gw_strlcpy(p.role, role, sizeof(p.role));
	p.pid = (uint32_t)getpid();
	p.started = started;
	p.ncounters = cs->n;
	p.sandboxed = sandboxed ? 1 : 0;
	/* A reader that stopped reading loses its status, nothing more. */
	if (imsgev_compose2(parent, IMSG_CTL_STATUS_PROC, peerid, &p, sizeof(p),
	    cs->c, cs->n * sizeof(cs->c[0])) == -1 && errno != ENOBUFS)
		fatal("%s", __func__);
}
