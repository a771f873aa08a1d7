/*
 * The message half of the role table (roles.h): per message type its
 * name, who may send it to whom, and the shape of its payload.  Every
 * channel end checks every message against its row before any
 * dispatcher sees it (gw_msg_check), so a dispatcher reads a payload
 * whose length is already right and a sibling cannot send what its row
 * does not allow; gw_imsg.h says what each payload means.
 */
#include <string.h>

#include "log.h"
#include "roles.h"

#define P	PROC_PARENT
#define M	PROC_MIXD
#define C	PROC_CLIENTD
#define K	PROC_CREDD
#define S	PROC_STORAGED
#define A	PROC_APID
#define V	PROC_VERLOCD
#define R(a, b)		(UINT64_C(1) << ((a) * PROC_MAX + (b)))
_Static_assert(PROC_MAX * PROC_MAX <= 64, "routes: one bit per pair");
#define TO_WORKERS	(R(P, M) | R(P, C) | R(P, K) | R(P, S) | R(P, A) | \
			R(P, V))
#define FROM_WORKERS	(R(M, P) | R(C, P) | R(K, P) | R(S, P) | R(A, P) | \
			R(V, P))

/* A fixed struct and nothing after it. */
#define FIXED(t)		.fixed = sizeof(struct t), .unit = 1
/* A fixed part, then min..max entries of unit bytes. */
#define TAIL(f, u, lo, hi)	.fixed = (f), .unit = (u), .tail_min = (lo), \
				.tail_max = (hi)

static const struct gw_msg msgs[IMSG_TYPE_MAX] = {
	[IMSG_SETUP_PEER] = { "SETUP_PEER", TO_WORKERS,
	    FIXED(gw_setup_peer), .flags = GW_MSG_FD },
	[IMSG_SETUP_LISTENER] = { "SETUP_LISTENER", R(P, M) | R(P, C) |
	    R(P, A) | R(P, V), FIXED(gw_setup_listener), .flags = GW_MSG_FD },
	[IMSG_CONF_MIXD] = { "CONF_MIXD", R(P, M), FIXED(gw_conf_mixd) },
	[IMSG_CONF_CLIENTD] = { "CONF_CLIENTD", R(P, C),
	    FIXED(gw_conf_clientd) },
	[IMSG_CONF_CREDD] = { "CONF_CREDD", R(P, K), FIXED(gw_conf_credd) },
	[IMSG_CONF_STORAGED] = { "CONF_STORAGED", R(P, S),
	    FIXED(gw_conf_storaged) },
	[IMSG_CONF_APID] = { "CONF_APID", R(P, A), FIXED(gw_conf_apid) },
	[IMSG_CONF_VERLOCD] = { "CONF_VERLOCD", R(P, V),
	    FIXED(gw_conf_verlocd) },
	[IMSG_KEY_SPHINX] = { "KEY_SPHINX", R(P, M), FIXED(gw_key_sphinx) },
	[IMSG_KEY_NOISE] = { "KEY_NOISE", R(P, M), FIXED(gw_key_noise) },
	[IMSG_METRICS_REQUEST] = { "METRICS_REQUEST", R(A, P),
	    TAIL(0, 1, 0, 0) },
	[IMSG_NODE_HOSTINFO] = { "NODE_HOSTINFO", R(P, A),
	    TAIL(0, 1, 1, GW_HOSTINFO_MAX) },
	[IMSG_SETUP_DONE] = { "SETUP_DONE", TO_WORKERS, TAIL(0, 1, 0, 0) },
	[IMSG_WORKER_READY] = { "WORKER_READY", FROM_WORKERS,
	    TAIL(0, 1, 0, 0) },
	[IMSG_START] = { "START", TO_WORKERS, TAIL(0, 1, 0, 0) },
	[IMSG_RECONF] = { "RECONF", TO_WORKERS, .unit = 1,
	    .flags = GW_MSG_RECEIVER_CONF },

	/* On worker channels; gatewayctl's side is control.c's. */
	[IMSG_CTL_STATUS] = { "CTL_STATUS", TO_WORKERS, TAIL(0, 1, 0, 0) },
	[IMSG_CTL_STATUS_PROC] = { "CTL_STATUS_PROC", FROM_WORKERS |
	    R(P, A), TAIL(sizeof(struct gw_ctl_proc),
	    sizeof(struct gw_counter), 0, GW_COUNTERS_MAX) },
	[IMSG_CTL_END] = { "CTL_END", R(P, A), TAIL(0, 1, 0, 0) },
	[IMSG_CTL_RELOAD] = { "CTL_RELOAD", 0, TAIL(0, 1, 0, 0) },
	[IMSG_CTL_LOG_VERBOSE] = { "CTL_LOG_VERBOSE", TO_WORKERS,
	    TAIL(sizeof(int32_t), 1, 0, 0) },
	[IMSG_CTL_RESULT] = { "CTL_RESULT", 0, FIXED(gw_ctl_result) },
	[IMSG_CTL_TEST_SANDBOX] = { "CTL_TEST_SANDBOX", TO_WORKERS,
	    FIXED(gw_test_sandbox) },
	[IMSG_CTL_TEST_CONNECT] = { "CTL_TEST_CONNECT", TO_WORKERS,
	    FIXED(gw_test_connect) },

	[IMSG_STORE_MESSAGE] = { "STORE_MESSAGE", R(C, S),
	    TAIL(sizeof(struct gw_store_msg), 1, 1, GW_MESSAGE_MAX) },
	[IMSG_STORE_RESULT] = { "STORE_RESULT", R(S, C),
	    FIXED(gw_store_result) },
	[IMSG_INBOX_FETCH] = { "INBOX_FETCH", R(C, S),
	    FIXED(gw_inbox_fetch) },
	[IMSG_INBOX_MESSAGE] = { "INBOX_MESSAGE", R(S, C),
	    TAIL(sizeof(struct gw_inbox_msg), 1, 1, GW_MESSAGE_MAX) },
	[IMSG_INBOX_END] = { "INBOX_END", R(S, C), FIXED(gw_inbox_end) },
	[IMSG_INBOX_DELETE] = { "INBOX_DELETE", R(C, S),
	    TAIL(sizeof(struct gw_inbox_delete), sizeof(uint64_t), 1,
	    GW_INBOX_DELETE_MAX) },
	[IMSG_CLIENT_REGISTER] = { "CLIENT_REGISTER", R(C, S),
	    FIXED(gw_client_key) },
	[IMSG_CLIENT_LOOKUP] = { "CLIENT_LOOKUP", R(C, S),
	    FIXED(gw_client_id) },
	[IMSG_CLIENT_INFO] = { "CLIENT_INFO", R(S, C),
	    FIXED(gw_client_info) },
	[IMSG_CLIENT_AUTH] = { "CLIENT_AUTH", R(C, S),
	    FIXED(gw_client_auth) },
	[IMSG_CLIENT_RESULT] = { "CLIENT_RESULT", R(S, C),
	    FIXED(gw_client_result) },
	[IMSG_CLIENT_FORGET] = { "CLIENT_FORGET", R(C, S),
	    FIXED(gw_client_forget) },
	/* From credd with GW_ADJUST_PENDING: a gw_pending and its data. */
	[IMSG_BANDWIDTH_ADJUST] = { "BANDWIDTH_ADJUST", R(C, S) | R(K, S),
	    TAIL(sizeof(struct gw_bandwidth_adjust), 1, 0,
	    sizeof(struct gw_pending) + GW_CRED_MAX) },
	[IMSG_BANDWIDTH_GET] = { "BANDWIDTH_GET", R(C, S) | R(K, S),
	    FIXED(gw_client_id) },
	[IMSG_BANDWIDTH_RESULT] = { "BANDWIDTH_RESULT", R(S, C) | R(S, K),
	    FIXED(gw_bandwidth) },
	[IMSG_SPEND_RECORD] = { "SPEND_RECORD", R(K, S), FIXED(gw_spend) },
	[IMSG_SPEND_RESULT] = { "SPEND_RESULT", R(S, K),
	    FIXED(gw_spend_result) },

	[IMSG_HS_SIGN] = { "HS_SIGN", R(C, P), FIXED(gw_hs_sign_req) },
	[IMSG_HS_SIGN_RESULT] = { "HS_SIGN_RESULT", R(P, C),
	    FIXED(gw_hs_sign_result) },
	[IMSG_VERLOC_SIGN] = { "VERLOC_SIGN", R(V, P),
	    FIXED(gw_verloc_sign_req) },
	[IMSG_VERLOC_SIGN_RESULT] = { "VERLOC_SIGN_RESULT", R(P, V),
	    FIXED(gw_verloc_sign_result) },
	[IMSG_VERLOC_ECHO_SIGN] = { "VERLOC_ECHO_SIGN", R(V, P),
	    FIXED(gw_verloc_echo_req) },
	[IMSG_VERLOC_ECHO_SIGNED] = { "VERLOC_ECHO_SIGNED", R(P, V),
	    FIXED(gw_verloc_sign_result) },
	/* Relayed by the master: each leg has its row. */
	[IMSG_VERLOC_NODES_FETCH] = { "VERLOC_NODES_FETCH", R(V, P) |
	    R(P, K), TAIL(0, 1, 0, 0) },
	[IMSG_VERLOC_NODES] = { "VERLOC_NODES", R(K, P) | R(P, V),
	    TAIL(sizeof(struct gw_verloc_nodes), sizeof(struct gw_verloc_node),
	    0, GW_VERLOC_CHUNK) },
	[IMSG_VERLOC_RESULTS] = { "VERLOC_RESULTS", R(V, P) | R(P, A),
	    TAIL(sizeof(struct gw_verloc_results),
	    sizeof(struct gw_verloc_result), 0, GW_VERLOC_CHUNK) },
	[IMSG_SESSION_STATS] = { "SESSION_STATS", R(C, P) | R(P, A),
	    TAIL(sizeof(struct gw_session_day), sizeof(struct gw_session_entry),
	    0, GW_SESSION_LIST_MAX) },
	[IMSG_NODE_LOAD] = { "NODE_LOAD", R(P, A), FIXED(gw_node_load) },

	/* A Sphinx packet: whatever fits the channel; mixd checks its
	 * size against the packet sizes of spec 1.3. */
	[IMSG_MIX_FORWARD] = { "MIX_FORWARD", R(C, M),
	    TAIL(sizeof(struct gw_mix_forward), 1, 1, GW_IMSG_MAXSIZE) },
	[IMSG_MIX_DELIVER] = { "MIX_DELIVER", R(M, C),
	    TAIL(sizeof(struct gw_mix_deliver), 1, 1, GW_MESSAGE_MAX) },
	[IMSG_MIX_SETTLED] = { "MIX_SETTLED", R(C, M),
	    TAIL(sizeof(struct gw_mix_settled), sizeof(struct gw_settle), 1,
	    GW_SETTLE_MAX) },

	[IMSG_CRED_VERIFY] = { "CRED_VERIFY", R(C, K),
	    TAIL(sizeof(struct gw_cred_req), 1, 1, GW_CRED_MAX) },
	[IMSG_CRED_RESULT] = { "CRED_RESULT", R(K, C),
	    FIXED(gw_cred_result) },
	[IMSG_CRED_BALANCE] = { "CRED_BALANCE", R(K, C),
	    FIXED(gw_cred_balance) },
	[IMSG_TOPOLOGY_BEGIN] = { "TOPOLOGY_BEGIN", R(K, M),
	    TAIL(0, 1, 0, 0) },
	[IMSG_TOPOLOGY_NODE] = { "TOPOLOGY_NODE", R(K, M),
	    FIXED(gw_topology_node) },
	[IMSG_TOPOLOGY_END] = { "TOPOLOGY_END", R(K, M),
	    FIXED(gw_topology_end) },
	[IMSG_ROTATION_INFO] = { "ROTATION_INFO", R(K, P),
	    FIXED(gw_rotation_info) },
	[IMSG_KEY_SPHINX_UPDATE] = { "KEY_SPHINX_UPDATE", R(P, M),
	    FIXED(gw_key_update) },

	[IMSG_PENDING_PUT] = { "PENDING_PUT", R(K, S),
	    TAIL(sizeof(struct gw_pending), 1, 1, GW_CRED_MAX) },
	[IMSG_PENDING_DEL] = { "PENDING_DEL", R(K, S),
	    FIXED(gw_pending_key) },
	[IMSG_PENDING_LIST] = { "PENDING_LIST", R(K, S), TAIL(0, 1, 0, 0) },
	[IMSG_PENDING_ENTRY] = { "PENDING_ENTRY", R(S, K),
	    TAIL(sizeof(struct gw_pending), 1, 1, GW_CRED_MAX) },
	[IMSG_PENDING_END] = { "PENDING_END", R(S, K),
	    FIXED(gw_pending_end) },

	[IMSG_REPLAY_TAGS] = { "REPLAY_TAGS", R(M, P),
	    TAIL(sizeof(struct gw_replay_tags), REPLAY_TAG_LEN, 1,
	    GW_REPLAY_TAGS_MAX) },
	[IMSG_REPLAY_RESTORE] = { "REPLAY_RESTORE", R(P, M),
	    FIXED(gw_replay_restore) },
	[IMSG_REPLAY_CHUNK] = { "REPLAY_CHUNK", R(P, M),
	    TAIL(sizeof(struct gw_replay_chunk), 1, 1, GW_IMSG_MAXSIZE) },
	[IMSG_REPLAY_DONE] = { "REPLAY_DONE", R(P, M),
	    TAIL(sizeof(uint32_t), 1, 0, 0) },
	[IMSG_REPLAY_FLUSH] = { "REPLAY_FLUSH", R(P, M), TAIL(0, 1, 0, 0) },
	[IMSG_REPLAY_FLUSHED] = { "REPLAY_FLUSHED", R(M, P),
	    TAIL(0, 1, 0, 0) },

	[IMSG_UPGRADE_MODE] = { "UPGRADE_MODE", R(K, C),
	    FIXED(gw_upgrade_mode) },
	[IMSG_REFRESH_SIGN] = { "REFRESH_SIGN", R(K, P), TAIL(0, 1, 0, 0) },
	[IMSG_REFRESH_SIGNED] = { "REFRESH_SIGNED", R(P, K),
	    FIXED(gw_refresh_signed) },
};

static enum gw_proc	 msg_self = PROC_MAX;	/* unset: nothing checked */

const struct gw_msg *
gw_msg(uint32_t type)
{
	if (type >= IMSG_TYPE_MAX || msgs[type].name == NULL)
		return NULL;
	return &msgs[type];
}

int
gw_msg_route(uint32_t type, enum gw_proc from, enum gw_proc to)
{
	const struct gw_msg	*m = gw_msg(type);

	if (m == NULL || (unsigned)from >= PROC_MAX ||
	    (unsigned)to >= PROC_MAX)
		return 0;
	return (m->routes & R(from, to)) != 0;
}

const char *
gw_msg_check(uint32_t type, enum gw_proc from, enum gw_proc to,
    size_t len, int has_fd)
{
	const struct gw_msg	*m = gw_msg(type);
	size_t			 fixed, n;

	if (m == NULL)
		return "no such message type";
	if (!gw_msg_route(type, from, to))
		return "not allowed on this channel";
	if (has_fd != ((m->flags & GW_MSG_FD) != 0))
		return has_fd ? "carries a descriptor" : "lacks its descriptor";
	fixed = m->flags & GW_MSG_RECEIVER_CONF ? gw_role(to)->conf_size :
	    m->fixed;
	if (len < fixed)
		return "payload too short";
	if ((len - fixed) % m->unit != 0)
		return "payload not whole entries";
	n = (len - fixed) / m->unit;
	if (n < m->tail_min)
		return "payload too short";
	if (n > m->tail_max)
		return "payload too long";
	return NULL;
}

void
gw_msg_set_self(enum gw_proc self)
{
	msg_self = self;
}

const char *
gw_msg_check_in(uint32_t type, enum gw_proc from, size_t len, int has_fd)
{
	if (msg_self == PROC_MAX)
		return NULL;
	return gw_msg_check(type, from, msg_self, len, has_fd);
}

const char *
gw_msg_check_out(uint32_t type, enum gw_proc to, size_t len, int has_fd)
{
	if (msg_self == PROC_MAX)
		return NULL;
	return gw_msg_check(type, msg_self, to, len, has_fd);
}

const char *
gw_imsg_type_name(uint32_t type)
{
	if (type == IMSG_NONE)
		return "NONE";
	return gw_msg(type) != NULL ? msgs[type].name : "UNKNOWN";
}
