/* verlocd's allowlist: accept peers on the verloc listeners it was
 * handed, connect to the nodes it measures, talk to the master; nothing
 * on disk (chrooted into an empty directory). */
#include "verlocd.h"

const struct sandbox_policy verlocd_policy = {
	.name = "verlocd",
	.groups = SB_STDIO | SB_IPC | SB_EVENT | SB_ACCEPT | SB_CONNECT,
	.rules = NULL,
	.nrules = 0,
	/* Nodes announce any verloc port (auxiliary_details), so no
	 * Landlock port rule; no file at all. */
	.landlock = { .deny_fs = 1, .net = LL_NET_OPEN },
};
