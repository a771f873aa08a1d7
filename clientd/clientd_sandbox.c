/* clientd's allowlist: accept clients on the passed listeners and
 * nothing else: no socket(), no connect(), nothing on disk. */
#include "clientd.h"

const struct sandbox_policy clientd_policy = {
	.name = "clientd",
	.groups = SB_STDIO | SB_IPC | SB_EVENT | SB_ACCEPT,
	.rules = NULL,
	.nrules = 0,
	/* Chrooted already; Landlock also holds where there is no chroot
	 * (development) and adds what seccomp cannot see: no TCP connect. */
	.landlock = { .deny_fs = 1, .net = LL_NET_NONE },
};
