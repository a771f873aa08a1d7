/* credd's allowlist: the only process with outbound HTTP(S).  libcurl
 * resolves names in threads and reads resolver and CA files. */
#include "credd.h"

const struct sandbox_policy credd_policy = {
	.name = "credd",
	.groups = SB_STDIO | SB_IPC | SB_EVENT | SB_CONNECT | SB_THREADS |
	    SB_RFILES,
	.rules = NULL,
	.nrules = 0,
	/* The one process that reaches nym-api, on any port: no Landlock
	 * network rule; resolver and CA files stay readable. */
	.landlock = { .deny_fs = 0, .net = LL_NET_OPEN },
};
