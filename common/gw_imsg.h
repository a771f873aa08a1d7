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

#include "addrkey.h"
#include "config.h"
#include "replay.h"

#define GW_IMSG_VERSION		8

enum gw_proc {
	PROC_PARENT,
	PROC_MIXD,
	PROC_CLIENTD,
	PROC_CREDD,
	PROC_STORAGED,
	PROC_APID,
	PROC_VERLOCD,
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
	IMSG_CONF_APID,
	IMSG_CONF_VERLOCD,
	/* payload: struct gw_key_sphinx. master -> mixd only. */
	IMSG_KEY_SPHINX,
	/* payload: struct gw_key_noise. master -> mixd only, at most once;
	 * none: Noise is off (mixnet.noise) and mixd speaks raw TCP. */
	IMSG_KEY_NOISE,
	/* apid -> master: payload none; for the HTTP API's /metrics.
	 * Replies: IMSG_CTL_STATUS_PROC per process, then IMSG_CTL_END. */
	IMSG_METRICS_REQUEST,
	/* master -> apid: the signed host-information JSON document
	 * (NUL-ended text, at most GW_HOSTINFO_MAX bytes).  At start-up,
	 * and again on a reload and whenever the keys it lists change. */
	IMSG_NODE_HOSTINFO,
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
	/* Test builds only (GW_TEST_HOOKS): gatewayctl -> master: struct
	 * gw_test_sandbox; master -> that worker: the same.  The worker
	 * makes a system call outside its allowlist (TEST_SANDBOX_VIOLATE)
	 * or runs the library calls that read files, load code or ask the
	 * kernel lazily on some hosts, and logs that it survived
	 * (TEST_SANDBOX_LAZY), or sets its own descriptor limit
	 * (TEST_SANDBOX_NOFILE: a test may not prlimit a sandboxed worker
	 * from outside). */
	IMSG_CTL_TEST_SANDBOX,
	/* Test builds only: gatewayctl -> master: struct gw_test_connect;
	 * master -> that worker: the same.  The process tries a TCP
	 * connect to 127.0.0.1:port and logs the outcome. */
	IMSG_CTL_TEST_CONNECT,

	/* --- storaged's requests (ARCHITECTURE.md, Storage) ----------
	 * peerid: the requester's request id, echoed in the reply.
	 * Writes are answered only after the transaction holding them has
	 * committed (group commit); reads are answered at once. */
	/* clientd -> storaged: struct gw_store_msg + the message
	 * (1..GW_MESSAGE_MAX bytes).  Reply: IMSG_STORE_RESULT, which
	 * echoes the tag.  A message for a client with no registration is
	 * refused (STORE_FAIL_UNREGISTERED) and never stored. */
	IMSG_STORE_MESSAGE,
	/* storaged -> sender: struct gw_store_result. */
	IMSG_STORE_RESULT,
	/* clientd -> storaged: struct gw_inbox_fetch.  Replies: up to max
	 * IMSG_INBOX_MESSAGE, then one IMSG_INBOX_END. */
	IMSG_INBOX_FETCH,
	/* storaged -> clientd: struct gw_inbox_msg + the message. */
	IMSG_INBOX_MESSAGE,
	/* storaged -> clientd: struct gw_inbox_end. */
	IMSG_INBOX_END,
	/* clientd -> storaged: struct gw_inbox_delete + n x uint64 seq.
	 * No reply: a delete lost to a crash means one redelivery. */
	IMSG_INBOX_DELETE,
	/* clientd -> storaged: struct gw_client_key. Reply:
	 * IMSG_CLIENT_RESULT once committed. */
	IMSG_CLIENT_REGISTER,
	/* clientd -> storaged: struct gw_client_id.  Reply:
	 * IMSG_CLIENT_INFO. */
	IMSG_CLIENT_LOOKUP,
	/* storaged -> clientd: struct gw_client_info. */
	IMSG_CLIENT_INFO,
	/* clientd -> storaged: struct gw_client_auth.  Stores the
	 * authenticateV2 timestamp only if later than the last one.
	 * Reply: IMSG_CLIENT_RESULT (ok 0: a replay). */
	IMSG_CLIENT_AUTH,
	/* storaged -> clientd: struct gw_client_result. */
	IMSG_CLIENT_RESULT,
	/* clientd -> storaged: struct gw_client_forget (ForgetMe, spec
	 * 4.1): deletes the client's records its flags name.  Reply:
	 * IMSG_CLIENT_RESULT once committed (ok 0: a storage error). */
	IMSG_CLIENT_FORGET,
	/* clientd, credd -> storaged: struct gw_bandwidth_adjust; from
	 * credd with GW_ADJUST_PENDING, followed by a struct gw_pending
	 * and its data_len bytes.  Reply: IMSG_BANDWIDTH_RESULT once
	 * committed. */
	IMSG_BANDWIDTH_ADJUST,
	/* clientd, credd -> storaged: struct gw_client_id. Reply:
	 * IMSG_BANDWIDTH_RESULT. */
	IMSG_BANDWIDTH_GET,
	/* storaged -> requester: struct gw_bandwidth. */
	IMSG_BANDWIDTH_RESULT,
	/* credd -> storaged: struct gw_spend.  Reply: IMSG_SPEND_RESULT
	 * once committed (fresh 0: the serial was spent before). */
	IMSG_SPEND_RECORD,
	/* storaged -> credd: struct gw_spend_result. */
	IMSG_SPEND_RESULT,

	/* --- registration signing (clientd <-> master) ----------------
	 * The master holds the identity key and signs only what it can
	 * check: it makes the gateway's ephemeral key itself, so the
	 * signed message G^y || G^x always starts with its own fresh key
	 * and a compromised clientd cannot have chosen text signed. */
	/* clientd -> master: struct gw_hs_sign_req; peerid: request id. */
	IMSG_HS_SIGN,
	/* master -> clientd: struct gw_hs_sign_result. */
	IMSG_HS_SIGN_RESULT,

	/* --- packets (clientd <-> mixd) ---------------------------------
	 * Backpressure without messages: a sender whose queue to the
	 * other (imsgev_queued) passes GW_FLOW_HIGH stops reading its own
	 * input until the queue drains below GW_FLOW_LOW. */
	/* clientd -> mixd: struct gw_mix_forward + the Sphinx packet
	 * (packet_len bytes, a size of spec 1.3). */
	IMSG_MIX_FORWARD,
	/* mixd -> clientd: struct gw_mix_deliver + the message for the
	 * client (1..GW_MESSAGE_MAX bytes).  clientd decides: push to the
	 * client if online with room, else store in its inbox; it settles
	 * ack_id (if not 0) once the message is safe or lost. */
	IMSG_MIX_DELIVER,
	/* clientd -> mixd: struct gw_mix_settled + n x struct gw_settle:
	 * each message written to its client's socket or committed by
	 * storaged (SAFE: its SURB-ack may leave), or not kept (DROPPED:
	 * the ack never leaves).  Batched; no reply. */
	IMSG_MIX_SETTLED,

	/* --- credentials and topology (credd) --------------------------- */
	/* clientd -> credd: struct gw_cred_req + the credential bytes
	 * (1..GW_CRED_MAX), decrypted.  Reply: IMSG_CRED_RESULT. */
	IMSG_CRED_VERIFY,
	/* credd -> clientd: struct gw_cred_result. */
	IMSG_CRED_RESULT,
	/* credd -> clientd: struct gw_cred_balance: a client's balance
	 * changed after its CRED_RESULT (a pending ticket credited once
	 * the signers agreed, or the penalty for one a previous version
	 * credited before they rejected it). */
	IMSG_CRED_BALANCE,
	/* credd -> mixd: the known mix nodes, replacing the old set:
	 * TOPOLOGY_BEGIN (no payload), TOPOLOGY_NODE x n (struct
	 * gw_topology_node), TOPOLOGY_END (struct gw_topology_end). */
	IMSG_TOPOLOGY_BEGIN,
	IMSG_TOPOLOGY_NODE,
	IMSG_TOPOLOGY_END,
	/* credd -> master: struct gw_rotation_info, nym-api's
	 * /v1/epoch/key-rotation-info as checked numbers, after every
	 * fetch.  The master decides the Sphinx keys from it. */
	IMSG_ROTATION_INFO,
	/* master -> mixd: struct gw_key_update, the whole Sphinx key set
	 * after a rotation step (sphinx-mixport.md 7.2): primary and
	 * secondary are found among the keys mixd holds and the new ones;
	 * a held key named by neither is wiped with its replay filter. */
	IMSG_KEY_SPHINX_UPDATE,

	/* --- pending ticket verifications (credd <-> storaged) --------
	 * A credited ticket the signers have not yet settled, kept so a
	 * restart resumes its verification.  Keyed by serial hash. */
	/* credd -> storaged: struct gw_pending + data_len bytes (the
	 * ticket as received, 1..GW_CRED_MAX).  Inserts or replaces.  No
	 * reply: it is committed with (or before) the reply to any later
	 * request from credd, in order. */
	IMSG_PENDING_PUT,
	/* credd -> storaged: struct gw_pending_key.  No reply. */
	IMSG_PENDING_DEL,
	/* credd -> storaged: no payload.  Replies: IMSG_PENDING_ENTRY x n
	 * (struct gw_pending + data, as put), then IMSG_PENDING_END. */
	IMSG_PENDING_LIST,
	IMSG_PENDING_ENTRY,
	/* storaged -> credd: struct gw_pending_end. */
	IMSG_PENDING_END,

	/* --- replay filters across restarts (mixd <-> master) ---------
	 * mixd has no filesystem; the master keeps a copy of each live
	 * key's filter on disk (gatewayd/replay_store.c). */
	/* mixd -> master: struct gw_replay_tags + n x 32-byte replay tags,
	 * each new to mixd's filter of that key rotation. */
	IMSG_REPLAY_TAGS,
	/* master -> mixd, after SETUP_DONE and before START, per live key:
	 * RESTORE (struct gw_replay_restore: parameters and hash key),
	 * CHUNK x n (struct gw_replay_chunk + bytes of the bit array at
	 * offset), DONE (uint32 rotation): mixd swaps the filter in. */
	IMSG_REPLAY_RESTORE,
	IMSG_REPLAY_CHUNK,
	IMSG_REPLAY_DONE,
	/* master -> mixd at an orderly stop: payload none.  mixd stops
	 * reading mix connections, sends its last tags, then answers
	 * IMSG_REPLAY_FLUSHED (payload none). */
	IMSG_REPLAY_FLUSH,
	IMSG_REPLAY_FLUSHED,

	/* --- upgrade mode (credd -> clientd, spec 6.6) ------------------
	 * struct gw_upgrade_mode, whenever the attestation watcher's
	 * verdict changes (and once at start).  While on, clientd charges
	 * nothing and reports max(balance, GW_UPGRADE_BANDWIDTH). */
	IMSG_UPGRADE_MODE,

	/* --- nym-api describe-cache refresh (doc/spec/refresh-described.md)
	 * credd -> master: payload none: "sign a refresh request for
	 * now".  The master signs NodeRefreshBody's plaintext (its own
	 * identity key, its own clock) and answers IMSG_REFRESH_SIGNED;
	 * it also sends one unprompted when its host information changes
	 * after start (rotation, reload).  credd chooses no signed byte. */
	IMSG_REFRESH_SIGN,
	/* master -> credd: struct gw_refresh_signed. */
	IMSG_REFRESH_SIGNED,

	/* --- verloc (verlocd <-> master, doc/spec/verloc.md) ------------
	 * verlocd parses peers' echo packets and their replies to ours (it
	 * holds no secret); the master signs only an echo whose own
	 * signature, by the key inside it, verifies, and only our own
	 * echoes' seq || identity: so verlocd can get nothing but verloc
	 * packets signed. */
	/* verlocd -> master: struct gw_verloc_sign_req; peerid: request
	 * id. */
	IMSG_VERLOC_SIGN,
	/* master -> verlocd: struct gw_verloc_sign_result. */
	IMSG_VERLOC_SIGN_RESULT,
	/* verlocd -> master: struct gw_verloc_echo_req (seq || our own
	 * identity key, 40 bytes); peerid: request id.  The master refuses
	 * any other key. */
	IMSG_VERLOC_ECHO_SIGN,
	/* master -> verlocd: struct gw_verloc_sign_result (the signature
	 * over those 40 bytes). */
	IMSG_VERLOC_ECHO_SIGNED,
	/* verlocd -> master -> credd: payload none: "the nodes to measure,
	 * please" (at the start of every measuring run). */
	IMSG_VERLOC_NODES_FETCH,
	/* credd -> master -> verlocd: struct gw_verloc_nodes + n x struct
	 * gw_verloc_node, entries first..first+n of total; ok 0 (no
	 * entries): nym-api could not be asked.  Every chunk of one list
	 * carries the same total; the list ends at first + n == total. */
	IMSG_VERLOC_NODES,
	/* verlocd -> master -> apid: one run, struct gw_verloc_results + n
	 * x struct gw_verloc_result, entries first..first+n of total (the
	 * same chunking); sent when the run starts, after each batch and
	 * when it ends, for both runs. */
	IMSG_VERLOC_RESULTS,

	/* --- nym-node's statistics routes (apid/node_stats.c) ----------
	 * clientd -> master -> apid: the client sessions of one UTC day,
	 * sent when the day is over: struct gw_session_day + nlisted x
	 * struct gw_session_entry.  Counts only: no client id leaves
	 * clientd. */
	IMSG_SESSION_STATS,
	/* master -> apid: struct gw_node_load, every GW_LOAD_INTERVAL_S
	 * (the master reads /proc, which apid's chroot hides). */
	IMSG_NODE_LOAD,

	IMSG_TYPE_MAX
};

const char	*gw_imsg_type_name(uint32_t);
const char	*gw_proc_name(enum gw_proc);

#define GW_HOSTINFO_MAX		4096

struct gw_setup_peer {
	uint32_t	 proc;		/* enum gw_proc of the other end */
};

enum gw_listener_kind {
	LISTEN_CLIENTS,		/* -> clientd */
	LISTEN_HTTP,		/* -> apid */
	LISTEN_MIX,		/* -> mixd */
	LISTEN_VERLOC,		/* -> verlocd */
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
	uint32_t	 ack_delay_ms;
	uint32_t	 sphinx_threads;	/* 0: one per online CPU */
};

struct gw_conf_clientd {
	struct gw_conf_common	 c;
	uint32_t	 max_connections;
	uint32_t	 max_connections_per_address;
	uint32_t	 max_message_size;
	uint32_t	 handshake_timeout_ms;
	uint32_t	 idle_timeout_ms;
	uint32_t	 max_unauthenticated;
	uint32_t	 max_unauthenticated_per_address;
	uint32_t	 ipv6_prefix;
	int32_t		 enforce_zk_nyms;
};

struct gw_conf_credd {
	struct gw_conf_common	 c;
	char		 nym_api_urls[GW_MAX_APIURLS][GW_URL_MAX];
	uint32_t	 n_nym_api_urls;
	uint32_t	 nym_api_timeout_ms;
	int32_t		 enforce_zk_nyms;
	/* sent as gateway_cosmos_addr in verify requests ("" if unset) */
	char		 cosmos_address[GW_COSMOS_ADDR_MAX];
	/* the gateway's Ed25519 identity, public half only: a ticket's
	 * pay_info must name it (spec 6.3 step 8) */
	uint8_t		 identity_pk[32];
	/* CA bundle for nym-api's TLS, "" = the system store; credd
	 * reads it before it sandboxes itself */
	char		 nym_api_ca_file[PATH_MAX];
	/* upgrade mode (spec 6.6): "" = no watcher */
	char		 attestation_url[GW_URL_MAX];
	uint8_t		 attester_pk[32];
	/* nyxd RPC and the DKG contract: signers of past e-cash epochs
	 * ("" = none) */
	char		 nyxd_url[GW_URL_MAX];
	char		 dkg_contract[GW_COSMOS_ADDR_MAX];
};

struct gw_conf_storaged {
	struct gw_conf_common	 c;
	char		 data_dir[PATH_MAX];	/* "/" when chrooted there */
	char		 data_dir_shown[PATH_MAX];	/* for messages */
	uint64_t	 map_size;
	uint32_t	 inbox_retention_s;
	uint32_t	 inbox_max_messages;
	uint32_t	 commit_interval_ms;
	uint32_t	 commit_batch;
};

/* The node HTTP API: what it announces, nothing secret. */
struct gw_conf_apid {
	struct gw_conf_common	 c;
	uint32_t	 ipv6_prefix;
	int32_t		 enforce_zk_nyms;
	/* announce.ws_port, or the first clients listener's port */
	uint16_t	 ws_port;
	uint16_t	 wss_port;	/* 0: none */
	int32_t		 accept_terms;	/* operator.accept_terms */
	/* metrics.access_token: apid holds only its BLAKE2b-256, compared
	 * with the hash of what a scraper presents (no length leaks). */
	uint32_t	 metrics_token_set;	/* 0: /metrics not served */
	uint8_t		 metrics_token_hash[32];
	/* the first listen.verloc address's port (auxiliary-details) */
	uint16_t	 verloc_port;
	uint16_t	 pad;
};

/* verloc (doc/spec/verloc.md): the listener and the measurer. */
struct gw_conf_verlocd {
	struct gw_conf_common	 c;
	uint32_t	 ipv6_prefix;
	int32_t		 measure;	/* 0: answer peers, measure nobody */
	uint8_t		 identity_pk[32];	/* ours, public half */
	uint32_t	 packets_per_node;
	uint32_t	 packet_timeout_ms;
	uint32_t	 connection_timeout_ms;
	uint32_t	 delay_between_packets_ms;
	uint32_t	 tested_nodes_batch_size;
	uint32_t	 testing_interval_ms;
	uint32_t	 retry_timeout_ms;
};

/* Any worker's slice: what a receiver of IMSG_CONF_* / IMSG_RECONF
 * reads into before checking the exact size for its role. */
union gw_conf_any {
	struct gw_conf_mixd	 mixd;
	struct gw_conf_clientd	 clientd;
	struct gw_conf_credd	 credd;
	struct gw_conf_storaged	 storaged;
	struct gw_conf_apid	 apid;
	struct gw_conf_verlocd	 verlocd;
};

struct gw_key_sphinx {
	uint32_t	 rotation;	/* key-rotation id */
	uint8_t		 secret[32];	/* x25519 private key */
	uint8_t		 public[32];
};

/* The mix port's static Noise key (sphinx-mixport.md 6.3). */
struct gw_key_noise {
	uint8_t		 secret[32];	/* x25519 private key */
	uint8_t		 public[32];
};

#define GW_CTL_ROLE_MAX		16
#define GW_COUNTER_NAME_MAX	48
#define GW_COUNTERS_MAX		128

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

enum test_sandbox_what {
	TEST_SANDBOX_VIOLATE = 0,
	TEST_SANDBOX_LAZY = 1,
	TEST_SANDBOX_NOFILE = 2,	/* soft RLIMIT_NOFILE := value (0:
					 * back to the start's) */
};

struct gw_test_sandbox {
	uint32_t	 proc;		/* enum gw_proc of a worker */
	uint32_t	 what;		/* enum test_sandbox_what */
	uint32_t	 value;
};

struct gw_test_connect {
	uint32_t	 proc;		/* enum gw_proc, PROC_PARENT too */
	uint32_t	 port;
};

struct gw_ctl_result {
	int32_t		 ok;		/* 1 success, 0 failure */
	char		 message[256];	/* NUL-ended */
};

/* --- storaged ----------------------------------------------------- */

/* A client is known by its 32-byte identity (its Nym address). */
#define GW_CLIENT_ID_LEN	32
/* The largest message: a 32 KiB extended packet's plaintext. */
#define GW_MESSAGE_MAX		(32 * 1024)
/* Sequence numbers per delete request. */
#define GW_INBOX_DELETE_MAX	1024

struct gw_store_msg {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	uint64_t	 tag;		/* the sender's, echoed in the result */
	uint64_t	 rx_us;		/* gw_mix_deliver's; 0: none */
};

struct gw_store_result {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	int32_t		 ok;		/* 1 stored durably, 0 dropped */
	int32_t		 reason;	/* enum gw_store_fail when !ok */
	uint64_t	 tag;		/* gw_store_msg's */
};

enum gw_store_fail {
	STORE_FAIL_NONE,
	STORE_FAIL_INBOX_FULL,	/* the client's inbox is at its cap */
	STORE_FAIL_DB_FULL,	/* the map is (nearly) full */
	STORE_FAIL_DB_ERROR,	/* the commit failed */
	STORE_FAIL_UNREGISTERED,	/* no such client registered here */
};

struct gw_inbox_fetch {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	uint64_t	 after_seq;	/* 0: from the start */
	uint32_t	 max;		/* 1..GW_INBOX_FETCH_MAX */
};
#define GW_INBOX_FETCH_MAX	1000

struct gw_inbox_msg {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	uint64_t	 seq;		/* arrival order, unique */
};

struct gw_inbox_end {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	uint32_t	 count;		/* messages in this batch */
	uint32_t	 more;		/* 1: more after the last seq */
};

struct gw_inbox_delete {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	uint32_t	 n;		/* 1..GW_INBOX_DELETE_MAX seqs follow */
};

struct gw_client_id {
	uint8_t		 client[GW_CLIENT_ID_LEN];
};

struct gw_client_key {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	uint8_t		 key[32];	/* shared AES-256-GCM-SIV key */
};

struct gw_client_info {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	int32_t		 found;
	uint8_t		 key[32];
	int64_t		 registered;	/* unix seconds */
	int64_t		 last_auth;	/* last authenticateV2 timestamp */
};

struct gw_client_auth {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	int64_t		 timestamp;
};

struct gw_client_result {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	int32_t		 ok;
};

/* What a ForgetMe deletes (flags of struct gw_client_forget). */
#define GW_FORGET_INBOX		0x01	/* every stored message */
#define GW_FORGET_BANDWIDTH	0x02	/* the balance */
#define GW_FORGET_KEY		0x04	/* shared key, registration, last
					 * authenticateV2 timestamp */
struct gw_client_forget {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	uint32_t	 flags;		/* GW_FORGET_*, at least one */
};

struct gw_bandwidth_adjust {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	int64_t		 delta;		/* bytes, may be negative */
	int64_t		 expiry;	/* unix seconds; 0: unchanged */
	/* credd: with GW_ADJUST_SETTLE, the pending verification of this
	 * serial is deleted in the same transaction as the credit, so a
	 * crash can neither credit a ticket twice nor lose its credit;
	 * with GW_ADJUST_PENDING (a ticket checked locally) the pending
	 * record that follows is written in it instead */
	uint32_t	 flags;
	uint8_t		 pending_serial[32];
};
#define GW_ADJUST_SETTLE	0x1
#define GW_ADJUST_PENDING	0x2

struct gw_bandwidth {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	int64_t		 available;	/* bytes */
	int64_t		 expiry;	/* unix seconds */
	int32_t		 ok;
};

struct gw_spend {
	uint8_t		 serial_hash[32];	/* BLAKE2b of the serial */
	int64_t		 when;
};

struct gw_spend_result {
	uint8_t		 serial_hash[32];
	int32_t		 ok;		/* 1 answered durably, 0 db error */
	int32_t		 fresh;		/* 1 first spend, 0 seen before */
};

/* --- registration signing ------------------------------------------ */

struct gw_hs_sign_req {
	uint8_t		 client_eph[32];	/* G^x from message 1 */
	uint8_t		 salt[16];		/* from message 1 */
};

struct gw_verloc_sign_req {
	uint8_t		 echo[104];	/* a verloc echo packet, as received */
};

struct gw_verloc_sign_result {
	int32_t		 ok;		/* 0: refused (bad echo, rate) */
	uint8_t		 signature[64];	/* Ed25519 over the echo's bytes */
};

struct gw_verloc_echo_req {
	uint8_t		 signed_part[40];	/* be64 seq || our identity */
};

/* Nodes a list or a run holds at most, and entries per message. */
#define GW_VERLOC_NODES_MAX	4096
#define GW_VERLOC_CHUNK		512

struct gw_verloc_nodes {
	int32_t		 ok;		/* 0: no list (nym-api failed) */
	uint32_t	 total;		/* 0..GW_VERLOC_NODES_MAX */
	uint32_t	 first;		/* index of this chunk's first entry */
	uint32_t	 n;		/* entries that follow */
};

struct gw_verloc_node {
	uint8_t		 identity[32];	/* Ed25519 */
	uint8_t		 ip[16];	/* IPv4 in the first 4 bytes */
	uint8_t		 family;	/* 4 or 6 */
	uint8_t		 pad;
	uint16_t	 port;		/* verloc port, host order */
};

enum gw_verloc_state {
	GW_VERLOC_NONE,		/* no such run: "unavailable" */
	GW_VERLOC_RUNNING,	/* "measurementInProgress" */
	GW_VERLOC_FINISHED,	/* {"data": ...} */
};

struct gw_verloc_results {
	uint32_t	 run;		/* 0 previous, 1 current */
	uint32_t	 state;		/* enum gw_verloc_state */
	int64_t		 started_us;	/* unix microseconds */
	int64_t		 finished_us;	/* 0 while running */
	uint32_t	 nodes_tested;
	uint32_t	 total;		/* results in the run so far */
	uint32_t	 first;
	uint32_t	 n;
};

struct gw_verloc_result {
	uint8_t		 identity[32];
	uint32_t	 measured;	/* 0: the node failed this run */
	uint32_t	 pad;
	uint64_t	 minimum_us, mean_us, maximum_us, stddev_us;
};

struct gw_hs_sign_result {
	int32_t		 ok;
	uint8_t		 gw_eph[32];		/* G^y, made by the master */
	uint8_t		 signature[64];		/* Ed25519 over G^y || G^x */
	uint8_t		 key[32];		/* HKDF-BLAKE3(salt, xy) */
};

/* --- packets ------------------------------------------------------- */

/* Queue bytes towards a sibling at which a producer pauses / resumes,
 * and the hard cap no queue between processes passes (composing more
 * fails with ENOBUFS; the marks keep producers far below it). */
#define GW_FLOW_HIGH		(4 * 1024 * 1024)
#define GW_FLOW_LOW		(1 * 1024 * 1024)
#define GW_QUEUE_MAX		(64 * 1024 * 1024)

struct gw_mix_forward {
	uint8_t		 family;	/* 4 or 6 (struct nodeaddr) */
	uint8_t		 packet_type;	/* MixPacket packet type */
	uint8_t		 key_rotation;	/* MixPacket key rotation */
	uint8_t		 pad;
	uint16_t	 port;		/* host order */
	uint8_t		 ip[16];	/* IPv4 in the first 4 bytes */
};

struct gw_mix_deliver {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	uint64_t	 ack_id;	/* 0: no ack waits for this message */
	/* CLOCK_MONOTONIC microseconds (one clock for every process of
	 * the host) when mixd handed it on: delivery_seconds. */
	uint64_t	 rx_us;
};

enum gw_settle_outcome {
	GW_SETTLE_SAFE = 1,
	GW_SETTLE_DROPPED = 2,
};

struct gw_mix_settled {
	uint32_t	 n;		/* 1..GW_SETTLE_MAX entries follow */
	uint32_t	 pad;
};

struct gw_settle {
	uint64_t	 id;		/* gw_mix_deliver's ack_id */
	uint32_t	 outcome;	/* enum gw_settle_outcome */
	uint32_t	 pad;
};
#define GW_SETTLE_MAX		4000

/* --- credentials and topology ------------------------------------- */

#define GW_CRED_MAX		(32 * 1024)

struct gw_cred_req {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	uint32_t	 kind;		/* enum gw_cred_kind */
	/* the client's source, as clientd counts it per address (struct
	 * addrkey: IPv4, or IPv6 cut to its prefix): credd bounds the
	 * tickets in verification per address */
	uint8_t		 addr[ADDRKEY_LEN];
};

enum gw_cred_kind {
	CRED_ECASH_TICKET,	/* ecashCredential: the CredentialSpendingData
				 * bytes, decrypted by clientd (only it holds
				 * the session key) */
	CRED_UPGRADE_JWT,	/* upgradeModeJWT */
};

struct gw_cred_result {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	int32_t		 ok;
	int32_t		 error;		/* enum gw_cred_error when !ok */
	int64_t		 available;	/* balance after crediting, bytes */
	int64_t		 expiry;	/* unix seconds */
	char		 message[160];	/* for the client, NUL-ended */
};

enum gw_cred_error {
	CRED_ERR_NONE,
	CRED_ERR_MALFORMED,	/* cannot be parsed */
	CRED_ERR_DOUBLE_SPEND,	/* serial seen before */
	CRED_ERR_EXPIRED,	/* outside its spend date window */
	CRED_ERR_BAD_VALUE,	/* wrong spend value or type */
	CRED_ERR_UNAVAILABLE,	/* nym-api or storage unreachable */
	CRED_ERR_NOT_ENABLED,	/* enforce_zk_nyms is off */
	CRED_ERR_WRONG_PROVIDER,	/* pay_info names another gateway */
	CRED_ERR_REJECTED,	/* the signers' quorum rejected it */
	CRED_ERR_BUSY,		/* too many tickets in verification, or a
				 * recent rejection: try later */
	CRED_ERR_PENDING,	/* no quorum yet: credited when it comes */
};

/* What clientd reports as the balance while upgrade mode is on. */
#define GW_UPGRADE_BANDWIDTH	40000001LL

/* identity || be64(timestamp) || "describe-cache-refresh-request",
 * signed with the identity key (NodeRefreshBody::plaintext). */
struct gw_refresh_signed {
	uint8_t		 identity[32];	/* Ed25519 public key */
	int64_t		 timestamp;	/* unix seconds, the master's clock */
	uint8_t		 signature[64];
};

struct gw_upgrade_mode {
	int32_t		 on;
	int64_t		 since;		/* unix seconds of the change */
};

struct gw_cred_balance {
	uint8_t		 client[GW_CLIENT_ID_LEN];
	int64_t		 available;	/* the balance in storaged now */
	int64_t		 expiry;	/* unix seconds; 0: unchanged */
};

struct gw_topology_node {
	uint8_t		 family;	/* 4 or 6 */
	uint8_t		 noise_version;	/* 0: no Noise key announced */
	uint16_t	 port;		/* mix port, host order */
	uint8_t		 ip[16];
	uint8_t		 identity[32];	/* Ed25519 */
	uint8_t		 sphinx_key[32];	/* X25519, current rotation */
	uint32_t	 layer;		/* 1..3 mix layers, 0 gateway */
	uint32_t	 node_id;
	uint8_t		 noise_key[32];	/* X25519, if noise_version != 0 */
};

struct gw_rotation_info {
	uint64_t	 epoch;		/* current_absolute_epoch_id */
	uint64_t	 initial_epoch;	/* key_rotation_state.initial_epoch_id */
	uint32_t	 validity_epochs;	/* >= 1 */
	uint32_t	 epoch_secs;	/* epoch_duration, >= 1 */
	int64_t		 epoch_start;	/* current_epoch_start, unix s */
};

struct gw_key_update {
	uint32_t	 primary;	/* rotation id of the primary key */
	uint32_t	 secondary;	/* rotation id, if has_secondary */
	uint8_t		 has_secondary;
	uint8_t		 relabel;	/* 1: the key of rotation 0 is the
					 * primary's (assigned late) */
	uint8_t		 nnew;		/* keys made now, 0..2 */
	uint8_t		 pad;
	struct gw_key_sphinx new[2];
};

struct gw_replay_tags {
	uint32_t	 rotation;	/* key-rotation id */
	uint32_t	 n;		/* 1..GW_REPLAY_TAGS_MAX */
};
#define GW_REPLAY_TAGS_MAX	1984	/* 62 KiB of tags */

struct gw_replay_restore {
	uint32_t		 rotation;
	uint32_t		 pad;
	struct replay_image	 img;
};

struct gw_replay_chunk {
	uint32_t	 rotation;
	uint32_t	 pad;
	uint64_t	 offset;	/* bytes into the bit array */
};

struct gw_topology_end {
	uint32_t	 count;		/* nodes sent since BEGIN */
	uint32_t	 current_rotation;	/* key-rotation id */
	int64_t		 fetched;	/* unix seconds */
};

/* --- pending ticket verifications ---------------------------------- */

#define GW_PENDING_SIGNERS	32

enum gw_pending_vote {
	PENDING_VOTE_NONE,	/* not answered yet */
	PENDING_VOTE_ACCEPT,
	PENDING_VOTE_REJECT,
};

struct gw_pending {
	uint8_t		 serial_hash[32];	/* BLAKE2b-256 of the serial */
	uint8_t		 client[GW_CLIENT_ID_LEN];
	int64_t		 credited_at;	/* unix seconds; 0: credited only
					 * once the signers agree (every
					 * ticket since protocol 3) */
	int64_t		 value;		/* bytes the ticket is worth */
	uint64_t	 epoch_id;	/* DKG epoch of the signers */
	uint32_t	 nsigners;	/* 0..GW_PENDING_SIGNERS */
	uint32_t	 data_len;	/* 1..GW_CRED_MAX bytes follow */
	uint64_t	 signer_id[GW_PENDING_SIGNERS];	/* node_index */
	uint8_t		 vote[GW_PENDING_SIGNERS];	/* gw_pending_vote */
};

struct gw_pending_key {
	uint8_t		 serial_hash[32];
};

struct gw_pending_end {
	uint32_t	 count;		/* entries sent */
};

/*
 * nym's SessionType (common/statistics/src/types.rs), in its order; a
 * RememberMe naming anything else is Unknown, as nym parses it.
 */
enum gw_session_type {
	GW_SESSION_VPN, GW_SESSION_MIXNET, GW_SESSION_WASM,
	GW_SESSION_NATIVE, GW_SESSION_SOCKS5, GW_SESSION_UNKNOWN,
	GW_SESSION_NTYPES
};

/* Finished sessions listed per day: what one message holds.  The
 * counts stay exact past it. */
#define GW_SESSION_LIST_MAX	4000

struct gw_session_day {
	int64_t		 day;		/* unix time of its UTC midnight */
	uint32_t	 unique_users;	/* distinct clients, remembered */
	uint32_t	 sessions_started;
	uint32_t	 sessions_finished;
	uint32_t	 nlisted;	/* entries that follow */
};

struct gw_session_entry {
	uint64_t	 duration_ms;
	uint32_t	 type;		/* enum gw_session_type */
	uint32_t	 pad;
};

/* nym-node's Load tiers (nym-node-requests api/v1/node_load/models.rs),
 * in its order, which is also their rank. */
enum gw_load {
	GW_LOAD_UNKNOWN, GW_LOAD_NEGLIGIBLE, GW_LOAD_LOW, GW_LOAD_MEDIUM,
	GW_LOAD_HIGH, GW_LOAD_VERY_HIGH, GW_LOAD_AT_CAPACITY, GW_LOAD_NTIERS
};

#define GW_LOAD_INTERVAL_S	30

struct gw_node_load {
	uint32_t	 total;		/* enum gw_load */
	uint32_t	 machine;
	uint32_t	 network;
};

#endif
