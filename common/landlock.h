/*
 * Landlock, the second wall behind seccomp (ARCHITECTURE.md,
 * Sandboxes): seccomp cannot look at connect()'s address, Landlock
 * (ABI 4, Linux 6.7) can allow TCP connects by port.  Best effort: on a
 * kernel without it the call logs once and the seccomp allowlist still
 * stands.
 */
#ifndef GW_LANDLOCK_H
#define GW_LANDLOCK_H

#include <stddef.h>
#include <stdint.h>

enum landlock_net {
	LL_NET_OPEN,		/* no network rule */
	LL_NET_NONE,		/* no TCP connect, no TCP bind */
	LL_NET_PORTS,		/* TCP connect to the listed ports only */
};

struct landlock_policy {
	int		 deny_fs;	/* no file may be opened or made */
	int		 net;		/* enum landlock_net */
	const uint16_t	*ports;		/* LL_NET_PORTS */
	size_t		 nports;
};

/* The kernel's Landlock ABI version, 0 if none. */
int	landlock_abi(void);
/*
 * Restrict this process (and anything it starts).  Returns 1 if the
 * whole policy is in force, 0 if the kernel could enforce only part or
 * none of it (logged), fatal on an unexpected failure.
 */
int	landlock_apply(const char *who, const struct landlock_policy *);

#endif
