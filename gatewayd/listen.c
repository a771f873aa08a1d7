/*
 * The master binds every listening socket (workers could not, after
 * dropping privileges and with no bind in their allowlists) and hands
 * each to the worker that serves it.
 */
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "gatewayd.h"
#include "log.h"
#include "util.h"

#define LISTEN_BACKLOG	1024

static int
listen_open(const struct gw_listen *l)
{
	int	 fd, on = 1;

	fd = socket(l->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (fd == -1)
		fatal("socket for %s", l->text);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		fatal("SO_REUSEADDR on %s", l->text);
	/* [::] and 0.0.0.0 are configured separately: keep them apart. */
	if (l->ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) == -1)
		fatal("IPV6_V6ONLY on %s", l->text);
	if (bind(fd, (const struct sockaddr *)&l->ss, l->sslen) == -1)
		fatal("bind %s", l->text);
	if (listen(fd, LISTEN_BACKLOG) == -1)
		fatal("listen %s", l->text);
	return fd;
}

static void
listen_open_set(struct gatewayd *gw, const struct gw_listen_set *set,
    enum gw_listener_kind kind)
{
	unsigned	 i;

	for (i = 0; i < set->n; i++) {
		struct gw_listener *gl;

		if (gw->nlisteners == nitems(gw->listeners))
			fatalx("too many listeners");
		gl = &gw->listeners[gw->nlisteners++];
		gl->fd = listen_open(&set->addr[i]);
		gl->kind = kind;
		gw_strlcpy(gl->text, set->addr[i].text, sizeof(gl->text));
		log_debug("listening on %s", gl->text);
	}
}

void
listen_open_all(struct gatewayd *gw)
{
	listen_open_set(gw, &gw->conf.listen_clients, LISTEN_CLIENTS);
	listen_open_set(gw, &gw->conf.listen_http, LISTEN_HTTP);
	listen_open_set(gw, &gw->conf.listen_mix, LISTEN_MIX);
	listen_open_set(gw, &gw->conf.listen_verloc, LISTEN_VERLOC);
}
