/* apid's allowlist: accept on the HTTP listeners it was handed, talk to
 * the master, nothing else: no socket(), no connect(), nothing on disk. */
#include "apid.h"

const struct sandbox_policy apid_policy = {
	.name = "apid",
	.groups = SB_STDIO | SB_IPC | SB_EVENT | SB_ACCEPT,
	.rules = NULL,
	.nrules = 0,
	.landlock = { .deny_fs = 1, .net = LL_NET_NONE },
};
