/*
 * The master: config, keys, listening sockets, the workers' life cycle,
 * the control socket.  It parses no network input.
 */
#ifndef GATEWAYD_H
#define GATEWAYD_H

#include <sys/types.h>

#include <event2/event.h>

#include "config.h"
#include "gw_imsg.h"
#include "keys.h"
#include "proc.h"

struct gw_worker {
	enum gw_proc	 proc;
	pid_t		 pid;
	struct imsgev	*iev;
	int		 ready;
	int		 reaped;
};

struct gw_listener {
	int			 fd;
	enum gw_listener_kind	 kind;
	char			 text[64];
};

struct gatewayd {
	struct gw_config	 conf;
	const char		*conffile;
	int			 foreground;
	int			 verbose;
	struct event_base	*base;
	struct gw_worker	 workers[PROC_MAX];	/* [PROC_PARENT] unused */
	struct gw_listener	 listeners[3 * GW_MAX_LISTEN];
	unsigned		 nlisteners;
	struct gw_identity	 identity;
	struct gw_x25519	 sphinx;
	uint32_t		 sphinx_rotation;
	struct gw_x25519	 noise;		/* sk: until sent to mixd */
	int			 have_noise;	/* mixnet.noise and a key */
	struct gw_counters	 counters;
	time_t			 started;
	int			 serving;
	int			 exiting;
	int			 control_fd;
};

/* parent.c */
void	parent_spawn_workers(struct gatewayd *);
void	parent_send_setup(struct gatewayd *);
void	parent_reap(struct gatewayd *);
void	parent_shutdown(struct gatewayd *, int status)
	    __attribute__((noreturn));
int	parent_reload(struct gatewayd *, char *msg, size_t msglen);
void	parent_broadcast(struct gatewayd *, uint32_t type, uint32_t peerid,
	    const void *data, size_t len);
struct gw_worker *parent_worker_by_pid(struct gatewayd *, pid_t);

/* listen.c */
void	listen_open_all(struct gatewayd *);

/* control.c */
/* Bind the socket (before detaching), then serve it from the loop. */
void	control_open(struct gatewayd *);
void	control_listen(struct gatewayd *);
void	control_cleanup(struct gatewayd *);
/* clientd's IMSG_METRICS_REQUEST: every process's record to clientd. */
void	control_metrics_request(struct gatewayd *, struct imsgev *);
/* A worker's IMSG_CTL_STATUS_PROC, relayed to the asking client. */
void	control_relay_status(struct gatewayd *, struct imsgev *from,
	    struct imsg *);

/* datadir.c */
void	datadir_prepare(struct gatewayd *);



/* hostinfo.c: the signed /api/v1/host-information document */
int	hostinfo_build(const struct gatewayd *, char *out, size_t outlen);
void	hostinfo_send(struct gatewayd *);

/* sign.c */
void	sign_handshake(struct gatewayd *, struct imsgev *, struct imsg *);

/* gatewayd.c */
void	sd_notify_ready(const char *socket_path);
#endif
