/* clientd's allowlist: accept clients on the passed listeners and
 * nothing else: no socket(), no connect(), nothing on disk. */
#include "clientd.h"

const struct sandbox_policy clientd_policy = {
	.name = "clientd",
	.groups = SB_STDIO | SB_IPC | SB_EVENT | SB_ACCEPT,
	.rules = NULL,
	.nrules = 0,
};
