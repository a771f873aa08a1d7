/*
 * clientd: Nym clients over WebSocket (client-protocol.md).  One struct
 * conn per TCP connection.  Layers, each calling only those below it:
 *
 *   top         siblings.c (the siblings' replies), router.c (the
 *               client's frames and the transport's events, by state)
 *   leaves      handshake.c auth.c bandwidth.c forward.c delivery.c
 *               forget.c: one feature each; they never call each other
 *   replies     replies.c: what the client is answered, JSON and errors
 *   session     session.c (the tables, and the one place the state
 *               changes, by a table of allowed transitions), balance.c
 *               (the balance), writeback.c (what a session owes storaged)
 *   transport   ws_conn.c ws_http.c admission.c: sockets, the upgrade,
 *               wslay, the output queue, the caps; it reports up only
 *               through struct conn_events
 *
 * clientd_core.c (sending to siblings, backpressure, counters) is below
 * them all.  A sibling's reply finds its session again by the request
 * id in the imsg peerid.
 */
#ifndef CLIENTD_H
#define CLIENTD_H

#include <sys/queue.h>
#include <sys/socket.h>

#include <stdint.h>
#include <time.h>

#include <event2/event.h>
#include <sodium.h>
#include <wslay/wslay.h>

#include "accept.h"
#include "addrcount.h"
#include "client_crypto.h"
#include "histogram.h"
#include "ratelog.h"
#include "sandbox.h"
#include "worker.h"

extern const struct sandbox_policy clientd_policy;

#define CLIENTD_PROTOCOL_VERSION	6
#define CLIENTD_UPGRADE_TIMEOUT_MS	1500	/* spec 1: TCP accept -> 101 */
#define CLIENTD_INITIAL_MSG_MS		10000	/* spec 0: each pre-auth msg */
#define CLIENTD_HS_STEP_MS		5000	/* spec 2: each handshake msg */
#define CLIENTD_PONG_WAIT_MS		1000	/* spec 3.4 */
#define CLIENTD_CLOSE_LINGER_MS		1000	/* flush before close */
#define CLIENTD_HTTP_MAX		8192	/* upgrade request head */
#define CLIENTD_SENDQ_MAX		(1024 * 1024)	/* bytes per client */
/* The kernel's share of a client's output (it doubles the figure): fixed,
 * not autotuned to 4 MB, so what a reader that stopped reading holds is
 * this plus CLIENTD_SENDQ_MAX, and the cap notices it. */
#define CLIENTD_SOCK_SNDBUF		(128 * 1024)
#define CLIENTD_SENDQ_LOW		(256 * 1024)	/* resume the inbox */
#define CLIENTD_DRAIN_MS		10000	/* output stuck: drop */
/* Frames of one message: Nym's clients send one; a few thousand
 * one-byte fragments would cost wslay a block each. */
#define CLIENTD_MAX_FRAGMENTS		64
#define CLIENTD_SENDQ_MSGS		1024	/* frames per client */
#define CLIENTD_INBOX_BATCH		100	/* spec 5 */
#define CLIENTD_AUTH_SKEW_S		120	/* spec 3.2 */
#define CLIENTD_FREE_BANDWIDTH		(64LL * 1024 * 1024 * 1024)
#define CLIENTD_BW_FLUSH		(512 * 1024)	/* spec 6.1 */
#define CLIENTD_ID_BUCKETS		16384

/* The peerid of a request: the connection id and what is awaited. */
#define REQ_ID(c, kind)		(((c)->id << 2) | (kind))
#define REQ_CONN(peerid)	((peerid) >> 2)
#define REQ_KIND(peerid)	((peerid) & 3)
enum req_kind {
	REQ_PLAIN,		/* the state says what the reply means */
	REQ_BW_CLAIM,		/* a bandwidth grant: answer the client */
	REQ_BW_FLUSH,		/* spent bytes written back: no answer */
	REQ_UPGRADE_JWT,	/* upgradeModeJWT: not a ticket, no grant */
};

/* The transport's own: the socket, not the session. */
enum conn_link {
	LINK_HTTP,		/* reading the upgrade request */
	LINK_WS,		/* upgraded: frames both ways */
	LINK_CLOSING,		/* flushing the last frames */
};

/* The session's (session.c writes it, by its table of transitions). */
enum conn_state {
	CS_FRESH,		/* upgraded: supportedProtocol/register/auth */
	CS_HS_SIGN,		/* waiting for the master's signature */
	CS_HS_FINAL,		/* waiting for handshake message 3 */
	CS_HS_STORE,		/* waiting for storaged to keep the key */
	CS_AUTH_LOOKUP,		/* waiting for the stored key */
	CS_AUTH_DUP,		/* waiting for the old session's pong */
	CS_AUTH_STORE,		/* waiting for the timestamp to be kept */
	CS_AUTH_BW,		/* waiting for the balance */
	CS_READY,		/* authenticated */
	CS_NSTATES
};

/* One message queued to the client: when written, delete its seq
 * (inbox) or settle its ack (pushed from the mixnet). */
struct outmsg {
	uint64_t	 seq;		/* inbox seq, 0 if none */
	uint64_t	 ack;		/* mixd's ack id, 0 if none */
	uint32_t	 len;
	uint64_t	 rx_us;		/* from mixd: delivery_seconds */
};

struct clientd;

struct conn {
	struct clientd		*cd;
	uint32_t		 id;
	int			 fd;
	enum conn_link		 link;
	int			 ready;		/* authenticated (session) */
	int			 left;		/* ev->closed told */
	enum conn_state		 state;
	struct addrkey		 addr;		/* per-address limits */
	int			 counted;	/* in cd->addrs */
	int			 preauth;	/* in cd->preauth */
	uint64_t		 accepted_ms;	/* the handshake deadline */
	uint64_t		 accepted_us;	/* the handshake histogram */
	int			 out_paused;	/* in cd->slow */
	uint64_t		 out_paused_ms;
	uint32_t		 frags;		/* of the message being read */
	int			 lingering;	/* closed, reading to EOF */
	struct event		*rev, *wev, *timer;
	int			 reading;	/* rev is added */
	int			 wait;		/* on a sibling: no input */
	int			 closing_fatal;	/* count as an error */
	int			 close_pending;	/* close frame after the data */
	uint16_t		 close_code;
	uint64_t		 last_rx_ms;
	int			 idle_pinged;

	/* Upgrade request, then the 101 (or error) response. */
	char			*hbuf;
	size_t			 hlen;
	char			 raw[256];
	size_t			 rawlen, rawoff;
	const uint8_t		*in;		/* bytes for wslay */
	size_t			 inlen;
	wslay_event_context_ptr	 ws;

	/* Session. */
	uint8_t			 client[GW_CLIENT_ID_LEN];
	/* session_stats.c: this session, for the day's statistics */
	uint64_t		 sess_start_ms;	/* wall clock */
	int			 sess_remember;	/* RememberMe seen */
	uint32_t		 sess_type;	/* enum gw_session_type */
	int			 active;	/* in the client table */
	uint8_t			 version;	/* negotiated */
	struct gwcrypto_aead	*aead;
	struct client_hs_init	 hs;
	uint8_t			 gw_eph[32];
	uint8_t			 key[32];
	int64_t			 session_ts;	/* spec 3.4 */
	int			 registering;	/* register, not auth */
	uint32_t		 forgetting;	/* ForgetMe awaiting storaged */
	int64_t			 auth_ts;
	uint8_t			 auth_ct[CLIENT_AUTH_CT_LEN];
	uint8_t			 auth_nonce[CLIENT_NONCE_LEN];

	/* Duplicate check: the new session waits on the old one's pong. */
	struct conn		*dup_old;	/* new -> old */
	struct conn		*dup_new;	/* old -> new */
	uint8_t			 ping[8];
	int			 ping_pending;

	/* Bandwidth: the local balance and what storaged has not seen. */
	int64_t			 bw_avail;
	int64_t			 bw_expiry;
	int64_t			 bw_delta;

	/* Send queue (mirrors wslay's, so written frames can be told). */
	struct outmsg		*oq;
	uint32_t		 oq_cap, oq_head, oq_n;
	size_t			 oq_bytes;

	/* Inbox. */
	int			 draining;
	int			 inbox_dirty;	/* stored while online */
	uint32_t		 store_gen, drain_gen;
	uint64_t		 drain_after;
	uint64_t		 del[CLIENTD_INBOX_BATCH];
	uint32_t		 ndel;

	struct conn		*next_id;	/* id hash */
	struct conn		*next_client;	/* client hash (active) */
	TAILQ_ENTRY(conn)	 entry;
	TAILQ_ENTRY(conn)	 pre_entry;	/* cd->preauth, oldest first */
	TAILQ_ENTRY(conn)	 slow_entry;	/* cd->slow */
};
TAILQ_HEAD(connlist, conn);

/* What the transport reports up; the top sets it (router.c). */
struct conn_events {
	void	(*upgraded)(struct conn *);
	void	(*message)(struct conn *, int opcode, const uint8_t *,
		    size_t);
	void	(*pong)(struct conn *, const uint8_t *, size_t);
	void	(*timeout)(struct conn *);
	/* Not authenticated by the handshake deadline: closing now. */
	void	(*deadline)(struct conn *);
	/* Leaving: close or free, called once. */
	void	(*closed)(struct conn *);
	/* A queued message's frame is on the socket. */
	void	(*written)(struct conn *, uint64_t seq, uint64_t ack);
	/* A queued message that will never be written (ack != 0 only). */
	void	(*unwritten)(struct clientd *, uint64_t ack);
	/* The send queue moved. */
	void	(*room)(struct conn *);
};

/* session_stats.c: today's client sessions (nym-node's per-day stats) */
struct session_stats {
	int64_t			 day;		/* UTC midnight, unix time */
	uint32_t		 sessions_started;
	uint32_t		 sessions_finished;
	uint32_t		 nlisted;
	struct gw_session_entry	 list[GW_SESSION_LIST_MAX];
	uint64_t		*users;		/* keyed hashes of client ids */
	size_t			 nusers, maxusers, sorted;
	int			 users_full;
};

struct clientd {
	struct worker		*w;
	const struct conn_events *ev;
	struct gw_conf_clientd	*conf;
	struct connlist		 conns;
	uint32_t		 nconns;
	uint32_t		 next_id;
	struct conn		*by_id[CLIENTD_ID_BUCKETS];
	struct conn		*by_client[CLIENTD_ID_BUCKETS];
	uint8_t			 table_key[16];	/* by_client's SipHash */
	struct session_stats	 stats;
	uint8_t			 stats_key[crypto_shorthash_KEYBYTES];
	struct event		*stats_ev;
	/* admission.c */
	struct addrcount	 addrs, preaddrs;
	struct connlist		 preauth, slow;
	uint32_t		 npreauth;
	struct event		*sweep_ev;
	uint32_t		 closed_since_trim;
	struct ratelog		 rl_slow, rl_evict, rl_preaddr, rl_addr;
	struct ratelog		 rl_pause, rl_frags, rl_deadline, rl_max;
	struct event		*listen_ev[WORKER_MAX_LISTENERS];
	struct event		*flow_ev;	/* backpressure poll */
	struct accept_pause	 accept_pause;	/* every listener, EMFILE */
	int			 paused;	/* mixd queue high */
	int			 mixd_paused;	/* storaged queue high */
	/* credd's verdict (IMSG_UPGRADE_MODE, spec 6.6): while set,
	 * nothing is charged and responses say so (bw_report). */
	int			 upgrade_mode;
	uint8_t			 scratch[GW_IMSG_MAXSIZE + 64];
	uint8_t			 frame[GW_IMSG_MAXSIZE + 64];
	/* Settled acks on their way to mixd (IMSG_MIX_SETTLED). */
	struct gw_settle	 settle[GW_SETTLE_MAX];
	uint32_t		 nsettle;
	struct event		*settle_ev;

	/* Counters (stable pointers into w->counters). */
	uint64_t	*c_conn_accepted, *c_conn_refused_max,
			*c_conn_refused_addr, *c_conn_open, *c_conn_closed,
			*c_upgrade_fail, *c_timeouts, *c_ws_errors,
			*c_proto_errors,
			*c_reg_ok, *c_reg_fail,
			*c_auth_ok, *c_auth_bad_version, *c_auth_skew,
			*c_auth_bad_sig, *c_auth_unknown, *c_auth_bad_ct,
			*c_auth_replay, *c_auth_duplicate,
			*c_fwd_packets, *c_fwd_bytes, *c_fwd_malformed,
			*c_fwd_no_bandwidth, *c_fwd_dropped,
			*c_pushed, *c_stored, *c_store_failed,
			*c_store_unregistered,
			*c_inbox_delivered, *c_bw_spent, *c_bw_claims,
			*c_cred_requests, *c_requests_bad, *c_paused,
			*c_storaged_paused, *c_queue_full,
			*c_accept_backoffs, *c_slow_dropped, *c_preauth_evicted,
			*c_preauth_refused_addr, *c_preauth_open,
			*c_output_paused, *c_fragments_refused,
			*c_handshake_deadline;
	/* accept -> registered or authenticated */
	struct histogram	 h_handshake;
	/* mixd handed a message on -> its frame written */
	struct histogram	 h_delivery;
};

/* clientd_core.c: below every layer. */
int	 clientd_send(struct clientd *, enum gw_proc, uint32_t type,
	    uint32_t peerid, const void *, size_t);
int	 clientd_sendv(struct clientd *, enum gw_proc, uint32_t type,
	    uint32_t peerid, const struct iovec *, int);
/* A fixed struct and the bytes that follow it. */
int	 clientd_send2(struct clientd *, enum gw_proc, uint32_t type,
	    uint32_t peerid, const void *head, size_t hlen, const void *tail,
	    size_t tlen);
void	 clientd_init(struct clientd *, struct worker *);
void	 clientd_flow_check(struct clientd *);

/* --- transport ------------------------------------------------------ */

/* ws_http.c: the RFC 6455 upgrade, without sockets. */
#define WS_HTTP_MORE	0
#define WS_HTTP_DONE	1
int	 ws_http_parse(const char *, size_t, size_t *headlen, int *status,
	    char accept[29]);
int	 ws_http_response(int status, const char *accept, char *, size_t);
int	 ws_http_accept_key(const char *key, size_t keylen, char out[29]);

/* ws_conn.c: connections, wslay glue, output queue. */
struct conn *conn_new(struct clientd *, int fd, const struct sockaddr *);
struct conn *conn_by_id(struct clientd *, uint32_t);
void	 conn_free(struct conn *);
void	 conn_input(struct conn *, const uint8_t *, size_t);
void	 conn_flush(struct conn *);
void	 conn_close(struct conn *, uint16_t code, const char *why);
int	 conn_closing(const struct conn *);
void	 conn_set_timer(struct conn *, uint32_t ms);
void	 conn_wait(struct conn *, int);
void	 conn_read_enable(struct conn *, int);
int	 conn_send_text(struct conn *, const char *, size_t);
int	 conn_send_binary(struct conn *, const uint8_t *, size_t,
	    uint64_t seq, uint64_t ack);
int	 conn_ping(struct conn *, const uint8_t *, size_t);
int	 conn_room(const struct conn *, size_t);
/* Bytes waiting to go to the client: frames of every kind, raw HTTP. */
size_t	 conn_queued(const struct conn *);
void	 conn_accept(int, short, void *);
void	 conn_timeout(int, short, void *);
uint64_t clientd_now_ms(void);

/* admission.c: per-address caps, the unauthenticated budget, output
 * caps and slow clients. */
void	 admission_init(struct clientd *);
/* May this address have one more connection?  0, or -1 (refused and
 * counted).  Makes room in the unauthenticated budget if need be. */
int	 admission_admit(struct clientd *, const struct addrkey *);
void	 admission_enter(struct conn *);
void	 admission_authenticated(struct conn *);
void	 admission_leave(struct conn *);
void	 admission_output(struct conn *);

/* --- session -------------------------------------------------------- */

/* session.c: the tables and the state machine. */
struct conn *session_by_client(struct clientd *, const uint8_t *);
/* The one writer of c->state: fatal if the table does not allow it. */
void	 session_set_state(struct conn *, enum conn_state);
/* Into the client table; -1 if another session has this client. */
int	 session_activate(struct conn *);
/* Authenticated (from CS_AUTH_BW): frames flow, the idle timer runs. */
void	 session_ready(struct conn *);
/* The idle timer of a ready session: ping a silent client, then go. */
void	 session_idle(struct conn *);
/* The pong a duplicate check waited for: the new session that waited
 * on this one, or NULL. */
struct conn *session_pong(struct conn *, const uint8_t *, size_t);
/* Leaving (idempotent): out of the tables; the new session that was
 * waiting on this one's pong, or NULL. */
struct conn *session_leave(struct conn *);

/* balance.c: the session's balance, in memory. */
int64_t	 bw_today(void);
void	 bw_load(struct conn *, const struct gw_bandwidth *);
void	 bw_expire(struct conn *);
int	 bw_charge(struct conn *, int64_t, int64_t *avail);

/* writeback.c: what a session owes storaged, sent in batches. */
void	 writeback_spent(struct conn *);
void	 writeback_delivered(struct conn *, uint64_t seq);
void	 writeback_deletes(struct conn *);

/* --- replies -------------------------------------------------------- */

/* replies.c */
/* {"type":"error"}: fatal for a listening Nym client (spec 4.2). */
int	 reply_error(struct conn *, const char *msg);
/* The error, then the connection is dropped. */
int	 reply_fatal(struct conn *, const char *msg);
int	 reply_handshake_error(struct conn *, const char *msg);
int	 reply_supported(struct conn *);
/* A JSON member holding bytes as an array of numbers. */
int	 reply_bytes(struct conn *, const char *prefix, const uint8_t *,
	    size_t, const char *suffix);
int	 reply_bandwidth(struct conn *, int64_t);
int	 reply_bandwidth_mode(struct conn *, int64_t, int upgrade);
/* {"type":"encryptedResponse"}: ack under the session key. */
void	 reply_encrypted(struct conn *, const char *ack);
/* The balance a response reports, and its upgrade_mode member. */
int64_t	 reply_balance(int upgrade, int64_t avail);
const char *reply_upgrade_json(int upgrade);

/* --- leaves --------------------------------------------------------- */

/* handshake.c */
void	 handshake_start(struct conn *, const uint8_t *, size_t,
	    int version);
void	 handshake_signed(struct conn *, const struct gw_hs_sign_result *);
void	 handshake_final(struct conn *, const uint8_t *, size_t);
void	 handshake_error(struct conn *, const char *);
void	 handshake_timeout(struct conn *);
void	 handshake_stored(struct conn *, const struct gw_client_result *);
void	 handshake_done(struct conn *);

/* auth.c */
void	 auth_request(struct conn *, const void *json);
void	 auth_info(struct conn *, const struct gw_client_info *);
void	 auth_stored(struct conn *, const struct gw_client_result *);
void	 auth_dup_result(struct conn *, int active);
void	 auth_done(struct conn *);

/* bandwidth.c: grants and credentials. */
void	 bw_claim_free(struct conn *);
void	 bw_result(struct conn *, uint32_t kind, const struct gw_bandwidth *);
void	 bw_ecash_request(struct conn *, const void *json);
void	 bw_upgrade_jwt_request(struct conn *, const void *json);
void	 bw_cred_result(struct conn *, uint32_t kind,
	    const struct gw_cred_result *);

/* forward.c */
void	 forward_binary(struct conn *, const uint8_t *, size_t);

/* session_stats.c: client sessions per UTC day, sent to the master
 * when the day is over (IMSG_SESSION_STATS). */
void	 stats_init(struct clientd *);
void	 stats_tick(struct clientd *, time_t now);
void	 stats_session_started(struct conn *);
void	 stats_session_remember(struct conn *, enum gw_session_type);
void	 stats_session_finished(struct conn *);
enum gw_session_type stats_session_type(const char *);
int64_t	 stats_utc_day(time_t);

/* forget.c: ForgetMe / RememberMe under the session key. */
void	 forget_request(struct conn *, const void *json);
void	 forget_done(struct conn *, const struct gw_client_result *);

/* delivery.c */
void	 delivery_init(struct clientd *);
void	 delivery_mix(struct clientd *, const uint8_t *, size_t);
void	 delivery_start(struct conn *);
void	 delivery_inbox_msg(struct conn *, uint64_t, const uint8_t *, size_t);
void	 delivery_inbox_end(struct conn *, const struct gw_inbox_end *);
void	 delivery_written(struct conn *, uint64_t seq, uint64_t ack);
void	 delivery_room(struct conn *);
/* The message of mixd's ack id is safe (or lost): tell mixd, batched. */
void	 delivery_settle(struct clientd *, uint64_t ack, int safe);
void	 delivery_settle_flush(struct clientd *);
/* storaged's answer to a store. */
void	 delivery_stored(struct clientd *, const struct gw_store_result *);

/* --- top ------------------------------------------------------------ */

/* siblings.c: the siblings' replies (iev->arg: the worker). */
int	 clientd_dispatch_parent(struct imsgev *, struct imsg *);
int	 clientd_dispatch_mixd(struct imsgev *, struct imsg *);
int	 clientd_dispatch_storaged(struct imsgev *, struct imsg *);
int	 clientd_dispatch_credd(struct imsgev *, struct imsg *);

/* router.c: the transport's events and the client's requests. */
extern const struct conn_events	 router_events;
/* Registered or authenticated, and the balance is here: live. */
void	 router_live(struct conn *, const struct gw_bandwidth *);

#endif
