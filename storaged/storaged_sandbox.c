/* storaged's allowlist: an open LMDB environment and its channels; no
 * sockets of its own, no new files after start-up. */
#include "storaged.h"

const struct sandbox_policy storaged_policy = {
	.name = "storaged",
	.groups = SB_STDIO | SB_IPC | SB_EVENT | SB_LMDB,
	.rules = NULL,
	.nrules = 0,
	/* LMDB's files are open before the sandbox; nothing new after. */
	.landlock = { .deny_fs = 1, .net = LL_NET_NONE },
};
