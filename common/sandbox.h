/*
 * pledge-like seccomp allowlists (ARCHITECTURE.md, Sandboxes).  A
 * policy is a set of named promise groups plus role-specific rules,
 * each with a comment saying who needs it.  Anything not listed traps:
 * a SIGSYS handler notes the call for the master and the process dies
 * of SIGSYS.  Names are resolved at run time, so an unknown one fails
 * loudly at start-up.
 */
#ifndef GW_SANDBOX_H
#define GW_SANDBOX_H

#include <stdint.h>
#include <stdio.h>

#include "landlock.h"

enum sandbox_group {
	SB_STDIO	= 1 << 0,	/* memory, time, randomness, exit */
	SB_IPC		= 1 << 1,	/* imsg channels, fd passing */
	SB_EVENT	= 1 << 2,	/* libevent's epoll loop */
	SB_ACCEPT	= 1 << 3,	/* accept on passed listeners */
	SB_CONNECT	= 1 << 4,	/* outbound TCP over IPv4/IPv6 */
	SB_THREADS	= 1 << 5,	/* libcurl's resolver threads */
	SB_LMDB		= 1 << 6,	/* an open LMDB environment */
	SB_RFILES	= 1 << 7,	/* read-only opens (CA, resolver) */
};

#define SB_ALLOW	0

struct sandbox_rule {
	const char	*syscall;
	int		 errnum;	/* SB_ALLOW, or refuse with this */
	const char	*why;
};

struct sandbox_policy {
	const char			*name;
	unsigned			 groups;
	const struct sandbox_rule	*rules;		/* role extras */
	unsigned			 nrules;
	struct landlock_policy		 landlock;	/* applied first */
	/*
	 * A process with threads starts them here, between Landlock and
	 * seccomp: Landlock binds only the calling thread and what it
	 * creates later, and the filter then goes on with TSYNC, so every
	 * thread is under both and the allowlist needs no clone.
	 */
	void				(*start_threads)(void *);
	void				*start_arg;
};

/*
 * What a worker leaves on its note pipe (fd 4 from the master) when a
 * system call outside its allowlist traps, just before it dies of the
 * SIGSYS all the same: the master names the call in its "lost child"
 * line.  One write, smaller than PIPE_BUF, so notes never interleave.
 */
#define SANDBOX_NOTE_MAGIC	0x67775359	/* "gwSY" */
struct sandbox_note {
	uint32_t	 magic;
	int32_t		 pid;
	int32_t		 syscall;	/* si_syscall */
	uint32_t	 arch;		/* si_arch, an AUDIT_ARCH_* value */
};

/* Landlock (best effort), the policy's threads, then the seccomp
 * filter; fatal on any failure of the filter.  With GW_NO_SANDBOX only
 * the threads start. */
void	sandbox_apply(const struct sandbox_policy *);
/* Where the SIGSYS handler writes its note (-1: nowhere). */
void	sandbox_set_note_fd(int);
/* "mmap" for a note's call, or "syscall N" (static buffer). */
const char *sandbox_syscall_name(const struct sandbox_note *);
/* 1 once sandbox_apply() has installed a filter in this process. */
int	sandbox_active(void);
/* The policy as a sorted, arch-independent table (golden files). */
void	sandbox_print(const struct sandbox_policy *, FILE *);

#endif
