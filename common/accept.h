/*
 * Accepting connections without spinning when the process is out of
 * descriptors.  Listener events are level-triggered: while accept()
 * fails with EMFILE or ENFILE the listener stays readable and the loop
 * would run at 100 % CPU until a descriptor frees up.  Instead every
 * listener of the process rests for ACCEPT_BACKOFF_MS (the limit is the
 * process's, so all of them would fail) and resumes from a timer.
 */
#ifndef GW_ACCEPT_H
#define GW_ACCEPT_H

#include <sys/socket.h>

#include <stdint.h>
#include <time.h>

#include <event2/event.h>

#define ACCEPT_MAX_LISTENERS	16
#define ACCEPT_BACKOFF_MS	500

struct accept_pause {
	struct event_base	*base;
	struct event		*listeners[ACCEPT_MAX_LISTENERS];
	unsigned		 n;
	struct event		*resume;
	int			 paused;
	uint64_t		*counter;	/* backoffs, may be NULL */
	const char		*who;		/* for the log */
	time_t			 last_log;
	unsigned		 quiet;		/* not logged since */
};

void	accept_pause_init(struct accept_pause *, struct event_base *,
	    const char *who, uint64_t *counter);
/* A listener's persistent read event, added already. */
void	accept_pause_add(struct accept_pause *, struct event *);
void	accept_pause_clear(struct accept_pause *);
/*
 * accept4(lfd, SOCK_NONBLOCK | SOCK_CLOEXEC): the new descriptor, or -1
 * when there is none to take now; out of descriptors, every listener
 * rests first.
 */
int	accept_pause_accept(struct accept_pause *, int lfd, struct sockaddr *,
	    socklen_t *);

#endif
