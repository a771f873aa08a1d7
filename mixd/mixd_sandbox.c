/* mixd's allowlist: accept mix peers, connect to mix nodes, nothing on
 * disk (it is chrooted into an empty directory). */
#include "mixd.h"

const struct sandbox_policy mixd_policy = {
	.name = "mixd",
	.groups = SB_STDIO | SB_IPC | SB_EVENT | SB_ACCEPT | SB_CONNECT,
	.rules = NULL,
	.nrules = 0,
	/* TCP connects only to mix ports (filled in by worker_confine). */
	.landlock = { .deny_fs = 1, .net = LL_NET_PORTS },
};
