/*
 * A stand-in master for test tools that run one or two workers alone
 * (tool_storaged, tool_credd): start a worker program with its channel
 * on fd 3 as gatewayd does, hand it sibling channels, wait for it.
 */
#ifndef FAKEMASTER_H
#define FAKEMASTER_H

#include <sys/types.h>

#include "gw_imsg.h"
#include "imsg.h"

struct fm_child {
	pid_t		 pid;
	struct imsgbuf	 master;	/* our end of its fd 3 */
};

/* A socketpair for two ends of a channel; exits on failure. */
void	fm_pair(int sv[2]);
/* fork + exec path as name with -d; sanitizer settings as the master
 * passes them (no LeakSanitizer in a sandboxed worker). */
void	fm_spawn(struct fm_child *, const char *path, const char *name);
/* IMSG_SETUP_PEER: fd is the worker's end of a channel to proc. */
void	fm_give_peer(struct fm_child *, uint32_t proc, int fd);
/* IMSG_SETUP_DONE, then wait for IMSG_WORKER_READY; 0 or -1. */
int	fm_ready(struct fm_child *, int timeout_ms);
/* Blocking: 1 a message, 0 EOF, -1 error or timeout. */
int	fm_next(struct imsgbuf *, struct imsg *, int timeout_ms);

#endif
