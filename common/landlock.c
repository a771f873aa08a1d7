/*
 * Landlock rulesets for the workers and the master (landlock.h),
 * through the raw system calls glibc 2.36 does not wrap.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <linux/landlock.h>

#include "landlock.h"
#include "log.h"

/*
 * Debian 12's headers stop at ABI 2: the network parts (ABI 4) are
 * spelled out here from the kernel's UAPI.
 */
#define LL_ACCESS_NET_BIND_TCP		(1ULL << 0)
#define LL_ACCESS_NET_CONNECT_TCP	(1ULL << 1)
#define LL_RULE_NET_PORT		2

struct ll_ruleset_attr {
	uint64_t	 handled_access_fs;
	uint64_t	 handled_access_net;
};

struct ll_net_port_attr {
	uint64_t	 allowed_access;
	uint64_t	 port;
} __attribute__((packed));

/* Every filesystem right each ABI knows. */
#define LL_FS_ABI1	((1ULL << 13) - 1)	/* EXECUTE .. MAKE_SYM */
#define LL_FS_REFER	(1ULL << 13)		/* ABI 2 */
#define LL_FS_TRUNCATE	(1ULL << 14)		/* ABI 3 */
#define LL_FS_IOCTL_DEV	(1ULL << 15)		/* ABI 5 */

int
landlock_abi(void)
{
	long	 v;

	v = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	return v < 0 ? 0 : (int)v;
}

static uint64_t
landlock_fs_rights(int abi)
{
	uint64_t	 r = LL_FS_ABI1;

	if (abi >= 2)
		r |= LL_FS_REFER;
	if (abi >= 3)
		r |= LL_FS_TRUNCATE;
	if (abi >= 5)
		r |= LL_FS_IOCTL_DEV;
	return r;
}

int
landlock_apply(const char *who, const struct landlock_policy *pol)
{
	struct ll_ruleset_attr	 attr;
	struct ll_net_port_attr	 port;
	int			 abi = landlock_abi(), fd, complete = 1;
	size_t			 i, attrlen;

	if (abi == 0) {
		log_info("%s: no Landlock in this kernel; seccomp only", who);
		return 0;
	}
	memset(&attr, 0, sizeof(attr));
	if (pol->deny_fs)
		attr.handled_access_fs = landlock_fs_rights(abi);
	attrlen = sizeof(attr.handled_access_fs);
	if (pol->net != LL_NET_OPEN) {
		if (abi >= 4) {
			attr.handled_access_net = LL_ACCESS_NET_BIND_TCP |
			    LL_ACCESS_NET_CONNECT_TCP;
			attrlen = sizeof(attr);
		} else {
			log_info("%s: Landlock ABI %d has no network rules",
			    who, abi);
			complete = 0;
		}
	}
	if (attr.handled_access_fs == 0 && attr.handled_access_net == 0)
		return complete;
	fd = (int)syscall(SYS_landlock_create_ruleset, &attr, attrlen, 0);
	if (fd == -1)
		fatal("%s: landlock_create_ruleset", who);
	if (attr.handled_access_net != 0 && pol->net == LL_NET_PORTS) {
		for (i = 0; i < pol->nports; i++) {
			port.allowed_access = LL_ACCESS_NET_CONNECT_TCP;
			port.port = pol->ports[i];
			if (syscall(SYS_landlock_add_rule, fd,
			    LL_RULE_NET_PORT, &port, 0) == -1)
				fatal("%s: landlock_add_rule port %u", who,
				    pol->ports[i]);
		}
	}
	/* PR_SET_NO_NEW_PRIVS is already set (privdrop_harden). */
	if (syscall(SYS_landlock_restrict_self, fd, 0) == -1)
		fatal("%s: landlock_restrict_self", who);
	close(fd);
	log_debug("%s: Landlock ABI %d in force (fs %s, net %s)", who, abi,
	    pol->deny_fs ? "denied" : "open", pol->net == LL_NET_OPEN ?
	    "open" : pol->net == LL_NET_NONE ? "none" : "mix ports");
	return complete;
}
