/*
 * A stand-in master for the test tools (fakemaster.h).
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fakemaster.h"

void
fm_pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		perror("socketpair");
		exit(1);
	}
}

void
fm_spawn(struct fm_child *c, const char *path, const char *name)
{
	char	 opts[512];
	int	 sv[2];

	fm_pair(sv);
	if ((c->pid = fork()) == 0) {
		char *argv[] = { (char *)(uintptr_t)name,
		    (char *)(uintptr_t)"-d", NULL };
		const char *a = getenv("ASAN_OPTIONS");

		if (a != NULL) {
			snprintf(opts, sizeof(opts), "%s:detect_leaks=0", a);
			setenv("ASAN_OPTIONS", opts, 1);
		}
		dup2(sv[1], 3);
		execv(path, argv);
		_exit(127);
	}
	close(sv[1]);
	imsgbuf_init(&c->master, sv[0], GW_IMSG_MAXSIZE, 1);
}

void
fm_give_peer(struct fm_child *c, uint32_t proc, int fd)
{
	struct gw_setup_peer	 p = { proc };

	imsg_compose(&c->master, IMSG_SETUP_PEER, 0, fd, &p, sizeof(p));
}

int
fm_next(struct imsgbuf *ib, struct imsg *imsg, int timeout_ms)
{
	struct pollfd	 pfd = { .fd = ib->fd, .events = POLLIN };
	int		 n;

	for (;;) {
		if ((n = imsg_get(ib, imsg)) != 0)
			return n;
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -1;
		if ((n = imsgbuf_read(ib)) == 0)
			return 0;
		if (n == -1 && errno != EAGAIN)
			return -1;
	}
}

int
fm_ready(struct fm_child *c, int timeout_ms)
{
	struct imsg	 imsg;

	imsg_compose(&c->master, IMSG_SETUP_DONE, 0, -1, NULL, 0);
	if (imsgbuf_flush(&c->master) == -1)
		return -1;
	if (fm_next(&c->master, &imsg, timeout_ms) != 1 ||
	    imsg.hdr.type != IMSG_WORKER_READY)
		return -1;
	imsg_free(&imsg);
	return 0;
}
