/*
 * Accepting with a back-off when out of descriptors: see accept.h.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "accept.h"
#include "log.h"

/* At most one line this often: an exhausted limit is one event. */
#define ACCEPT_LOG_S	10

static void
accept_resume(int fd, short what, void *arg)
{
	struct accept_pause	*ap = arg;
	unsigned		 i;

	(void)fd;
	(void)what;
	ap->paused = 0;
	for (i = 0; i < ap->n; i++)
		event_add(ap->listeners[i], NULL);
}

static void
accept_rest(struct accept_pause *ap, int err)
{
	struct timeval	 tv = { 0, ACCEPT_BACKOFF_MS * 1000 };
	time_t		 now = time(NULL);
	unsigned	 i;

	if (ap->counter != NULL)
		*ap->counter += 1;
	if (now - ap->last_log >= ACCEPT_LOG_S) {
		log_warnx("%s: out of descriptors (%s): not accepting for "
		    "%d ms%s", ap->who, strerror(err), ACCEPT_BACKOFF_MS,
		    ap->quiet ? " (and again since the last line)" : "");
		ap->last_log = now;
		ap->quiet = 0;
	} else
		ap->quiet++;
	if (ap->paused)
		return;
	ap->paused = 1;
	for (i = 0; i < ap->n; i++)
		event_del(ap->listeners[i]);
	if (ap->resume == NULL && (ap->resume = evtimer_new(ap->base,
	    accept_resume, ap)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	evtimer_add(ap->resume, &tv);
}

void
accept_pause_init(struct accept_pause *ap, struct event_base *base,
    const char *who, uint64_t *counter)
{
	memset(ap, 0, sizeof(*ap));
	ap->base = base;
	ap->who = who;
	ap->counter = counter;
}

void
accept_pause_add(struct accept_pause *ap, struct event *ev)
{
	if (ap->n == ACCEPT_MAX_LISTENERS)
		fatalx("%s: more than %d listeners", __func__,
		    ACCEPT_MAX_LISTENERS);
	ap->listeners[ap->n++] = ev;
}

void
accept_pause_clear(struct accept_pause *ap)
{
	if (ap->resume != NULL)
		event_free(ap->resume);
	ap->resume = NULL;
	ap->n = 0;
	ap->paused = 0;
}

int
accept_pause_accept(struct accept_pause *ap, int lfd, struct sockaddr *sa,
    socklen_t *len)
{
	int	 fd;

	if ((fd = accept4(lfd, sa, len, SOCK_NONBLOCK | SOCK_CLOEXEC)) != -1)
		return fd;
	switch (errno) {
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		accept_rest(ap, errno);
		break;
	case EAGAIN:
	case EINTR:
	case ECONNABORTED:
	case EPROTO:
		break;
	default:
		log_warn("%s: accept", ap->who);
		break;
	}
	return -1;
}
