/*
 * The processes of gatewayd, one row each: what each one is called and
 * executed as, which user and root it runs under, the configuration
 * slice the master sends it, which siblings it has a channel to and
 * which listeners it serves.  The master wires the daemon from this
 * table alone, and workers check what the master hands them against
 * it, so a channel nobody listed cannot exist (ARCHITECTURE.md,
 * Processes and Channels).  Its second half is one row per message
 * type: who may send it to whom, and the shape of its payload.
 */
#ifndef GW_ROLES_H
#define GW_ROLES_H

#include <stddef.h>
#include <stdint.h>

#include "gw_imsg.h"

#define ROLE_BIT(p)	(1u << (p))

enum role_user {
	ROLE_USER_ROOT,		/* the master */
	ROLE_USER_DAEMON,	/* config "user" */
	ROLE_USER_STORAGE,	/* config "storage_user" */
};

enum role_root {
	ROLE_ROOT_NONE,		/* stays in / (name service, CA files) */
	ROLE_ROOT_CHROOT,	/* config "chroot" */
	ROLE_ROOT_DATA,		/* the data directory */
};

struct gw_role {
	const char	*name;		/* logs, and the executable's name */
	enum role_user	 user;
	enum role_root	 root;		/* when started as root */
	uint32_t	 conf_type;	/* IMSG_CONF_*; IMSG_NONE: master */
	size_t		 conf_size;	/* its payload */
	uint32_t	 peers;		/* ROLE_BIT() of its siblings */
	uint32_t	 listeners;	/* ROLE_BIT() of gw_listener_kind */
};

const struct gw_role	*gw_role(enum gw_proc);
/* 1 if the two processes have a channel (the master has one to all). */
int			 gw_role_talks(enum gw_proc, enum gw_proc);
/* The worker serving a kind of listener. */
enum gw_proc		 gw_role_for_listener(enum gw_listener_kind);
/*
 * The messages (messages.c): one row per type.  A payload is `fixed'
 * bytes (the receiver's config slice with GW_MSG_RECEIVER_CONF), then
 * tail_min..tail_max entries of `unit' bytes each.
 */
#define GW_MSG_FD		0x1	/* carries a descriptor (start-up) */
#define GW_MSG_RECEIVER_CONF	0x2	/* fixed: the receiver's conf_size */

struct gw_msg {
	const char	*name;
	uint64_t	 routes;	/* bit from * PROC_MAX + to */
	size_t		 fixed;
	size_t		 unit;
	size_t		 tail_min, tail_max;
	unsigned	 flags;
};

/* The row of a message type, NULL if there is none. */
const struct gw_msg	*gw_msg(uint32_t type);
/* 1 if the row lets `from' send the type to `to'. */
int			 gw_msg_route(uint32_t type, enum gw_proc from,
			    enum gw_proc to);
/* NULL if a message fits its row, else why not. */
const char		*gw_msg_check(uint32_t type, enum gw_proc from,
			    enum gw_proc to, size_t len, int has_fd);
/* Which process this is: from now on every channel end checks what it
 * receives (and what it sends) against the rows. */
void			 gw_msg_set_self(enum gw_proc);
const char		*gw_msg_check_in(uint32_t type, enum gw_proc from,
			    size_t len, int has_fd);
const char		*gw_msg_check_out(uint32_t type, enum gw_proc to,
			    size_t len, int has_fd);

/* Workers: every process but the master. */
#define GW_NWORKERS	(PROC_MAX - 1)
#define GW_FIRST_WORKER	(PROC_PARENT + 1)

#endif
