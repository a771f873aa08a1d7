/* credd's allowlist: the only process with outbound HTTP(S).  Names
 * are resolved by c-ares in this thread (resolve.c), so credd needs no
 * threads and no NSS module: it reads resolver, hosts and CA files and
 * talks UDP and TCP to the addresses they give. */
#include "credd.h"

const struct sandbox_policy credd_policy = {
	.name = "credd",
	.groups = SB_STDIO | SB_IPC | SB_EVENT | SB_CONNECT | SB_RFILES,
	.rules = NULL,
	.nrules = 0,
	/* The one process that reaches nym-api, on any port: no Landlock
	 * network rule; resolver and CA files stay readable. */
	.landlock = { .deny_fs = 0, .net = LL_NET_OPEN },
};
