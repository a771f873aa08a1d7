/*
 * What every worker does the same way: take the master's channel on
 * fd 3, read its start-up messages (sibling channels, listeners, its
 * config slice, keys) before anything untrusted, drop privileges,
 * install its seccomp policy, report ready, wait for the start.
 */
#ifndef GW_WORKER_H
#define GW_WORKER_H

#include <stdint.h>
#include <time.h>

#include "gw_imsg.h"
#include "proc.h"
#include "sandbox.h"

#define WORKER_MAX_LISTENERS	(3 * GW_MAX_LISTEN)
#define WORKER_MAX_KEYS		2

struct worker;

struct worker_ops {
	/* Messages from a sibling (or from the master beyond the common
	 * set); NULL: any message from that peer is fatal. */
	imsgev_dispatch_cb	 dispatch[PROC_MAX];
	/* IMSG_START: begin serving (accept, timers). */
	void			(*start)(struct worker *);
	/* IMSG_RECONF: the new slice, exact size already checked. */
	void			(*reconf)(struct worker *, const void *conf);
	/* The master closed our channel: finish up before exit. */
	void			(*stop)(struct worker *);
	/* Fill counters before a status reply (optional). */
	void			(*counters)(struct worker *);
};

struct worker {
	enum gw_proc		 self;
	const char		*name;
	struct event_base	*base;
	struct imsgev		*peer[PROC_MAX];	/* [PROC_PARENT] too */
	int			 peer_fd[PROC_MAX];

	int			 listen_fd[WORKER_MAX_LISTENERS];
	struct gw_setup_listener listen_info[WORKER_MAX_LISTENERS];
	unsigned		 nlisteners;

	union gw_conf_any	 conf;
	struct gw_key_sphinx	 keys[WORKER_MAX_KEYS];
	unsigned		 nkeys;
	struct gw_key_noise	 noise;		/* mixd, if have_noise */
	int			 have_noise;
	char			 hostinfo[GW_HOSTINFO_MAX];	/* apid */

	const struct worker_ops	*ops;
	struct gw_counters	 counters;
	time_t			 started;
	int			 serving;
	void			*role;		/* the role's own state */
	/* Threads of the role, started inside the sandbox (sandbox.h). */
	void			(*start_threads)(void *);
	void			*start_arg;
};

/* -S: print the policy and exit (regress/sandbox/policy.sh).  Else
 * parse -d/-v, check fd 3, init logging, read the start-up messages. */
void	worker_init(struct worker *, enum gw_proc self,
	    const struct sandbox_policy *, int argc, char *argv[]);
/* The common part of the slice (user, chroot) of this worker. */
const struct gw_conf_common *worker_common(const struct worker *);
/* chroot + user switch (as root). */
void	worker_drop(struct worker *, const char *chroot_dir);
/* Hardening prctls, then the seccomp policy. */
void	worker_confine(struct worker *, const struct sandbox_policy *);
/* Both: chroot + user (as root), hardening, then the seccomp policy. */
void	worker_sandbox(struct worker *, const char *chroot_dir,
	    const struct sandbox_policy *);
/* Wrap the channels in libevent, report ready, run until told to stop. */
void	worker_run(struct worker *, const struct worker_ops *);

/* Test builds: the forbidden system call a sandbox test asks for. */
void	worker_test_violation(void);
/* Test builds: the lazily-loading library calls, inside the sandbox. */
void	worker_test_lazy(const char *who);
/* Test builds: this worker's soft descriptor limit (0: the original). */
void	worker_test_nofile(const char *who, uint32_t);
/* Test builds: try a TCP connect to 127.0.0.1:port and log how it went. */
void	worker_test_connect(const char *who, uint32_t port);

#endif
