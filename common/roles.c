/*
 * The role table (roles.h).  mixd and storaged have no channel: every
 * message for an inbox goes through clientd, the one decider, so a
 * compromised mixd cannot write into an inbox.
 */
#include "log.h"
#include "roles.h"

static const struct gw_role roles[PROC_MAX] = {
	[PROC_PARENT] = {
		.name = "gatewayd",
		.user = ROLE_USER_ROOT,
		.root = ROLE_ROOT_NONE,
		.conf_type = IMSG_NONE,
		.peers = ROLE_BIT(PROC_MIXD) | ROLE_BIT(PROC_CLIENTD) |
		    ROLE_BIT(PROC_CREDD) | ROLE_BIT(PROC_STORAGED) |
		    ROLE_BIT(PROC_APID) | ROLE_BIT(PROC_VERLOCD),
	},
	[PROC_MIXD] = {
		.name = "mixd",
		.user = ROLE_USER_DAEMON,
		.root = ROLE_ROOT_CHROOT,
		.conf_type = IMSG_CONF_MIXD,
		.conf_size = sizeof(struct gw_conf_mixd),
		.peers = ROLE_BIT(PROC_CLIENTD) | ROLE_BIT(PROC_CREDD),
		.listeners = ROLE_BIT(LISTEN_MIX),
	},
	[PROC_CLIENTD] = {
		.name = "clientd",
		.user = ROLE_USER_DAEMON,
		.root = ROLE_ROOT_CHROOT,
		.conf_type = IMSG_CONF_CLIENTD,
		.conf_size = sizeof(struct gw_conf_clientd),
		.peers = ROLE_BIT(PROC_MIXD) | ROLE_BIT(PROC_STORAGED) |
		    ROLE_BIT(PROC_CREDD),
		.listeners = ROLE_BIT(LISTEN_CLIENTS),
	},
	[PROC_CREDD] = {
		.name = "credd",
		.user = ROLE_USER_DAEMON,
		.root = ROLE_ROOT_NONE,
		.conf_type = IMSG_CONF_CREDD,
		.conf_size = sizeof(struct gw_conf_credd),
		.peers = ROLE_BIT(PROC_CLIENTD) | ROLE_BIT(PROC_MIXD) |
		    ROLE_BIT(PROC_STORAGED),
	},
	[PROC_STORAGED] = {
		.name = "storaged",
		.user = ROLE_USER_STORAGE,
		.root = ROLE_ROOT_DATA,
		.conf_type = IMSG_CONF_STORAGED,
		.conf_size = sizeof(struct gw_conf_storaged),
		.peers = ROLE_BIT(PROC_CLIENTD) | ROLE_BIT(PROC_CREDD),
	},
	/* The node HTTP API: a second kind of hostile input, so not in
	 * clientd with the session keys; it holds nothing secret and
	 * talks to the master alone, which gives it what it serves. */
	[PROC_APID] = {
		.name = "apid",
		.user = ROLE_USER_DAEMON,
		.root = ROLE_ROOT_CHROOT,
		.conf_type = IMSG_CONF_APID,
		.conf_size = sizeof(struct gw_conf_apid),
		.peers = 0,
		.listeners = ROLE_BIT(LISTEN_HTTP),
	},
	/* Verloc (doc/spec/verloc.md): peers' echoes on the verloc port
	 * and our own measurements of every node, hostile bytes of a
	 * third kind and the one worker besides mixd that connects out.
	 * It holds nothing secret (the master signs) and talks to the
	 * master alone, which relays the node list from credd and the
	 * results to apid. */
	[PROC_VERLOCD] = {
		.name = "verlocd",
		.user = ROLE_USER_DAEMON,
		.root = ROLE_ROOT_CHROOT,
		.conf_type = IMSG_CONF_VERLOCD,
		.conf_size = sizeof(struct gw_conf_verlocd),
		.peers = 0,
		.listeners = ROLE_BIT(LISTEN_VERLOC),
	},
};

const struct gw_role *
gw_role(enum gw_proc p)
{
	if ((unsigned)p >= PROC_MAX)
		fatalx("%s: no process %u", __func__, (unsigned)p);
	return &roles[p];
}

int
gw_role_talks(enum gw_proc a, enum gw_proc b)
{
	if ((unsigned)a >= PROC_MAX || (unsigned)b >= PROC_MAX || a == b)
		return 0;
	if (a == PROC_PARENT || b == PROC_PARENT)
		return 1;
	return (roles[a].peers & ROLE_BIT(b)) != 0;
}

enum gw_proc
gw_role_for_listener(enum gw_listener_kind k)
{
	unsigned	 p;

	for (p = GW_FIRST_WORKER; p < PROC_MAX; p++)
		if (roles[p].listeners & ROLE_BIT(k))
			return (enum gw_proc)p;
	fatalx("%s: no process serves listener kind %u", __func__,
	    (unsigned)k);
}
