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

struct rotation_key {
	uint32_t	 id;
	uint8_t		 pk[32];
};

/* The Sphinx keys mixd holds (rotation.c); public halves only, except
 * sk[] between loading and handing them to mixd at start-up. */
struct rotation {
	struct rotation_key	 keys[KEYS_SPHINX_MAX + 2];
	size_t			 n;
	uint8_t			 sk[KEYS_SPHINX_MAX][32];
	uint32_t		 primary;
	uint32_t		 secondary;
	int			 has_secondary;
	struct gw_rotation_info	 info;	/* the last one acted on */
	int			 have_info;
};

/* What the keys should be for an epoch (rotation_plan()). */
struct rotation_plan {
	uint32_t	 primary;
	uint32_t	 secondary;
	int		 has_secondary;
	int		 relabel;	/* the rotation-0 key becomes primary */
	uint32_t	 make[2];	/* rotations that need a new key */
	size_t		 nmake;
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
	struct gw_x25519	 sphinx;	/* the primary; sk wiped */
	uint32_t		 sphinx_rotation;
	struct rotation		 rot;
	struct gw_x25519	 noise;		/* sk: until sent to mixd */
	int			 have_noise;	/* mixnet.noise and a key */
	struct gw_counters	 counters;
	time_t			 started;
	int			 serving;
	int			 exiting;
	int			 control_fd;
	int			 note_fd;	/* workers' sandbox notes */
	struct replay_store	*replay;	/* replay_store.c */
	int			 replay_restored;	/* sent to mixd */
	int			 stopping;	/* waiting for mixd's flush */
	struct event		*stop_ev;
};

/* replay_store.c: the replay filters on disk */
struct replay_store;
void	replay_store_open(struct gatewayd *);
void	replay_store_start(struct gatewayd *);
void	replay_store_reconf(struct gatewayd *);
void	replay_store_tags(struct gatewayd *, struct imsgev *, struct imsg *);
/* After a rotation step; relabelled: rotation 0's new id, or 0. */
void	replay_store_keys(struct gatewayd *, uint32_t relabelled);
/* To mixd before START; calls parent_all_ready() when done. */
void	replay_store_send(struct gatewayd *);
void	replay_store_close(struct gatewayd *);

/* parent.c */
void	parent_spawn_workers(struct gatewayd *);
/* Every worker ready and the replay filters restored: START. */
void	parent_all_ready(struct gatewayd *);
/* SIGTERM: mixd's last replay tags first, then parent_shutdown(0). */
void	parent_stop(struct gatewayd *);
void	parent_send_setup(struct gatewayd *);
void	parent_reap(struct gatewayd *);
void	parent_shutdown(struct gatewayd *, int status)
	    __attribute__((noreturn));
int	parent_reload(struct gatewayd *, char *msg, size_t msglen);
void	parent_broadcast(struct gatewayd *, uint32_t type, uint32_t peerid,
	    const void *data, size_t len);

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



/* refresh.c: nym-api's refresh-described request, signed here */
#define REFRESH_LABEL		"describe-cache-refresh-request"
#define REFRESH_PLAINTEXT_LEN	(32 + 8 + sizeof(REFRESH_LABEL) - 1)
size_t	refresh_plaintext(const uint8_t identity[32], int64_t ts,
	    uint8_t out[REFRESH_PLAINTEXT_LEN]);
void	refresh_sign(const uint8_t pk[32], const uint8_t sk[64], int64_t ts,
	    struct gw_refresh_signed *);
void	refresh_request(struct gatewayd *);
void	refresh_push(struct gatewayd *);

/* load.c: nym-node's NodeLoad, sampled for apid's /api/v1/load */
void	load_start(struct gatewayd *);
enum gw_load load_tier(double);
enum gw_load load_machine(double per_cpu, double mem, double swap,
	    uint64_t swap_total);
enum gw_load load_total(enum gw_load machine, enum gw_load network);

/* hostinfo.c: the signed /api/v1/host-information document */
int	hostinfo_build(const struct gatewayd *, char *out, size_t outlen);
void	hostinfo_log_terms(const struct gw_config *);
void	hostinfo_send(struct gatewayd *);

/* rotation.c: Sphinx key rotation */
int	rotation_plan(const struct gw_rotation_info *, const uint32_t *have,
	    size_t nhave, struct rotation_plan *);
void	rotation_load(struct gatewayd *);
void	rotation_send_keys(struct gatewayd *, struct imsgev *mixd);
void	rotation_info(struct gatewayd *, struct imsg *);
/* The secondary key if it is the next rotation's, else NULL. */
const struct rotation_key *rotation_preannounced(const struct gatewayd *);

/* sign.c */
void	sign_handshake(struct gatewayd *, struct imsgev *, struct imsg *);
/* apid's IMSG_VERLOC_SIGN: a verloc reply's signature (sign.c). */
void	sign_verloc(struct gatewayd *, struct imsgev *, struct imsg *);
void	sign_verloc_echo(struct gatewayd *, struct imsgev *, struct imsg *);

/* gatewayd.c */
void	sd_notify_ready(const char *socket_path);
#endif
