/* credd's allowlist: the only process with outbound HTTP(S).  libcurl
 * resolves names in threads and reads resolver and CA files. */
#include "credd.h"

static const struct sandbox_rule credd_rules[] = {
	/* libcurl's threaded resolver wakes the multi handle through a
	 * socketpair made per lookup (found when a real host name was
	 * resolved; a numeric loopback URL never needs it). */
	{ "socketpair", SB_ALLOW, "libcurl resolver wake-up" },
	/* glibc's resolver sends the A and AAAA queries in one call. */
	{ "sendmmsg", SB_ALLOW, "getaddrinfo's parallel DNS queries" },
};

const struct sandbox_policy credd_policy = {
	.name = "credd",
	.groups = SB_STDIO | SB_IPC | SB_EVENT | SB_CONNECT | SB_THREADS |
	    SB_RFILES,
	.rules = credd_rules,
	.nrules = sizeof(credd_rules) / sizeof(credd_rules[0]),
	/* The one process that reaches nym-api, on any port: no Landlock
	 * network rule; resolver and CA files stay readable. */
	.landlock = { .deny_fs = 0, .net = LL_NET_OPEN },
};
