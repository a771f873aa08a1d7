/*
 * The one cross-process contract: every message type gatewayd's
 * processes exchange, with its direction and payload.  All payloads are
 * fixed-size structs in host order unless said otherwise; the receiver
 * checks the exact size (imsg_get_exact) or, for variable payloads, every
 * length against what is left.  Bump GW_IMSG_VERSION on any change:
 * gatewayctl sends it in the peerid of each request and the master
 * refuses a mismatch.
 */
#ifndef GW_GW_IMSG_H
#define GW_GW_IMSG_H

#include <limits.h>
#include <stdint.h>

#include "config.h"

#define GW_IMSG_VERSION		1

enum gw_proc {
	PROC_PARENT,
	PROC_MIXD,
	PROC_CLIENTD,
	PROC_CREDD,
	PROC_STORAGED,
	PROC_MAX
};

/* Largest message on a worker channel: a 32 KiB Sphinx packet + slack. */
#define GW_IMSG_MAXSIZE		(64 * 1024)
/* Start-up: how long a worker may take to report in. */
#define GW_SETUP_TIMEOUT_MS	10000

enum gw_imsg_type {
	IMSG_NONE,

	/* --- start-up (master -> worker unless said) ------------------ */
	/* fd: one end of a sibling socketpair. payload: struct
	 * gw_setup_peer. Sent once per sibling the worker talks to. */
	IMSG_SETUP_PEER,
	/* fd: a bound listening socket. payload: struct gw_setup_listener */
	IMSG_SETUP_LISTENER,
	/* payload: struct gw_conf_<role> (the receiver's slice only) */
	IMSG_CONF_MIXD,
	IMSG_CONF_CLIENTD,
	IMSG_CONF_CREDD,
	IMSG_CONF_STORAGED,
	/* payload: struct gw_key_sphinx. master -> mixd only. */
	IMSG_KEY_SPHINX,
	/* payload: none. Everything for start-up has been sent. */
	IMSG_SETUP_DONE,
	/* worker -> master. payload: none. Sandboxed and configured. */
	IMSG_WORKER_READY,
	/* payload: none. Every worker is ready: start serving. */
	IMSG_START,
	/* payload: struct gw_conf_<role> again, on SIGHUP: only keys that
	 * a reload may change are applied (config_restart_key()). */
	IMSG_RECONF,

	/* --- control (gatewayctl <-> master; master <-> worker) -------- */
	/* gatewayctl -> master: payload none; peerid: GW_IMSG_VERSION.
	 * master -> worker: payload none; peerid: the ctl connection. */
	IMSG_CTL_STATUS,
	/* worker -> master, master -> gatewayctl: one per process.
	 * payload: struct gw_ctl_proc + ncounters x struct gw_counter. */
	IMSG_CTL_STATUS_PROC,
	/* master -> gatewayctl: end of a list. payload: none. */
	IMSG_CTL_END,
	/* gatewayctl -> master: payload none.  Reply: IMSG_CTL_RESULT. */
	IMSG_CTL_RELOAD,
	/* gatewayctl -> master -> every worker: payload int32 verbosity. */
	IMSG_CTL_LOG_VERBOSE,
	/* master -> gatewayctl: payload struct gw_ctl_result. */
	IMSG_CTL_RESULT,
	/* Test builds only (GW_TEST_HOOKS): gatewayctl -> master: payload
	 * uint32 enum gw_proc; master -> that worker: payload none.  The
	 * worker makes a system call outside its allowlist. */
	IMSG_CTL_TEST_SANDBOX,

	IMSG_TYPE_MAX
};

const char	*gw_imsg_type_name(uint32_t);
const char	*gw_proc_name(enum gw_proc);

struct gw_setup_peer {
	uint32_t	 proc;		/* enum gw_proc of the other end */
};

enum gw_listener_kind {
	LISTEN_CLIENTS,		/* -> clientd */
	LISTEN_HTTP,		/* -> clientd */
	LISTEN_MIX,		/* -> mixd */
};

struct gw_setup_listener {
	uint32_t	 kind;		/* enum gw_listener_kind */
	char		 text[64];	/* address as configured, NUL-ended */
};

/* What every worker needs to sandbox itself. */
struct gw_conf_common {
	char		 user[GW_USER_MAX];	/* NUL-ended */
	char		 chroot_dir[PATH_MAX];	/* "" = no chroot */
	int32_t		 verbose;
	int32_t		 foreground;
};

struct gw_conf_mixd {
	struct gw_conf_common	 c;
	uint32_t	 max_mix_connections;
	uint32_t	 mix_read_timeout_ms;
	int32_t		 testnet;
};

struct gw_conf_clientd {
	struct gw_conf_common	 c;
	uint32_t	 max_connections;
	uint32_t	 max_connections_per_address;
	uint32_t	 max_message_size;
	uint32_t	 handshake_timeout_ms;
	uint32_t	 idle_timeout_ms;
	int32_t		 enforce_zk_nyms;
	char		 announce_host[GW_HOST_MAX];
	uint16_t	 announce_ws_port;
	uint16_t	 announce_wss_port;
};

struct gw_conf_credd {
	struct gw_conf_common	 c;
	char		 nym_api_urls[GW_MAX_APIURLS][GW_URL_MAX];
	uint32_t	 n_nym_api_urls;
	uint32_t	 nym_api_timeout_ms;
	int32_t		 enforce_zk_nyms;
};

struct gw_conf_storaged {
	struct gw_conf_common	 c;
	char		 data_dir[PATH_MAX];	/* "" when chrooted there */
	uint64_t	 map_size;
	uint32_t	 inbox_retention_s;
	uint32_t	 inbox_max_messages;
	uint32_t	 commit_interval_ms;
	uint32_t	 commit_batch;
};

struct gw_key_sphinx {
	uint32_t	 rotation;	/* key-rotation id */
	uint8_t		 secret[32];	/* x25519 private key */
	uint8_t		 public[32];
};

#define GW_CTL_ROLE_MAX		16
#define GW_COUNTER_NAME_MAX	48
#define GW_COUNTERS_MAX		64

struct gw_ctl_proc {
	char		 role[GW_CTL_ROLE_MAX];	/* NUL-ended */
	uint32_t	 pid;
	int64_t		 started;	/* unix time */
	uint32_t	 ncounters;	/* <= GW_COUNTERS_MAX */
	uint32_t	 sandboxed;	/* seccomp filter in force */
};

struct gw_counter {
	char		 name[GW_COUNTER_NAME_MAX];	/* NUL-ended */
	uint64_t	 value;
};

struct gw_ctl_result {
	int32_t		 ok;		/* 1 success, 0 failure */
	char		 message[256];	/* NUL-ended */
};

#endif
