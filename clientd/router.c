/*
 * The top of clientd's client side: what each state does with the
 * transport's events and the client's requests (client-protocol.md 0
 * and 4.1), and who goes next when a session goes live.  It is the one
 * place that calls the feature leaves for a client; clientd.c does the
 * same for the siblings' replies.  Text is parsed by jansson, on a
 * message wslay has already bounded to max_message_size; every field is
 * type- and range-checked in the leaf that reads it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "clientd.h"
#include "jsonbytes.h"
#include "log.h"

#define ERR_ONLY	"Only 'Register' or 'Authenticate' requests are allowed"
#define ERR_LEGACY	"the legacy authentication method is no longer " \
			"supported. please update your client"
#define ERR_CONTEXT	"The received request is not valid in the current " \
			"context: "
#define ERR_DUP		"There is already an open connection to this client"
#define ERR_STORAGE	"Internal gateway storage error"

static int
is_handshake(const char *type)
{
	return strcmp(type, "handshakePayload") == 0 ||
	    strcmp(type, "registerHandshakeInitRequest") == 0;
}

/* Handshake messages 1 and 3: {"protocol_version": n?, "data": [..]}. */
static void
router_handshake(struct conn *c, json_t *o, int final)
{
	json_t	*v = json_object_get(o, "protocol_version");
	uint8_t	 data[CLIENT_HS_REPLY_LEN];
	int	 n, version = 0;

	if (v != NULL && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    json_integer_value(v) > 255)
			version = -1;
		else
			version = (int)json_integer_value(v);
	}
	n = json_bytes(o, "data", data, sizeof(data));
	if (final) {
		handshake_final(c, data, n < 0 || version < 0 ? 0 : (size_t)n);
		return;
	}
	if (n < 0 || version < 0) {
		*c->cd->c_reg_fail += 1;
		handshake_error(c, "sent request was malformed");
		return;
	}
	handshake_start(c, data, (size_t)n, version);
}

static void
router_fresh(struct conn *c, json_t *o, const char *type)
{
	if (type == NULL)
		reply_fatal(c, ERR_ONLY);
	else if (strcmp(type, "supportedProtocol") == 0)
		reply_supported(c);
	else if (is_handshake(type))
		router_handshake(c, o, 0);
	else if (strcmp(type, "authenticateV2") == 0)
		auth_request(c, o);
	else if (strcmp(type, "authenticate") == 0)
		reply_fatal(c, ERR_LEGACY);
	else
		reply_fatal(c, ERR_ONLY);
}

static void
router_ready(struct conn *c, json_t *o, const char *type)
{
	char	 why[160];

	if (strcmp(type, "supportedProtocol") == 0)
		reply_supported(c);
	else if (strcmp(type, "claimFreeTestnetBandwidth") == 0)
		bw_claim_free(c);
	else if (strcmp(type, "ecashCredential") == 0)
		bw_ecash_request(c, o);
	else if (strcmp(type, "encryptedRequest") == 0)
		forget_request(c, o);
	else if (is_handshake(type))
		reply_error(c, ERR_CONTEXT "received illegal message of "
		    "type RegisterHandshakeInitRequest in an authenticated "
		    "client");
	else if (strcmp(type, "authenticateV2") == 0)
		reply_error(c, ERR_CONTEXT "received illegal message of "
		    "type AuthenticateV2 in an authenticated client");
	else if (strcmp(type, "authenticate") == 0)
		reply_fatal(c, ERR_LEGACY);
	else if (strcmp(type, "bandwidthCredential") == 0 ||
	    strcmp(type, "bandwidthCredentialV2") == 0)
		reply_error(c, ERR_CONTEXT "coconut credential are not "
		    "longer supported");
	else if (strcmp(type, "upgradeModeJWT") == 0)
		bw_upgrade_jwt_request(c, o);
	else {
		*c->cd->c_requests_bad += 1;
		snprintf(why, sizeof(why), "Provided text request was "
		    "malformed - unknown variant `%.64s`", type);
		reply_error(c, why);
	}
}

static void
router_text(struct conn *c, const uint8_t *msg, size_t len)
{
	json_error_t	 err;
	json_t		*o;
	const char	*type = NULL;
	char		 why[300];

	o = json_loadb((const char *)msg, len, JSON_REJECT_DUPLICATES, &err);
	if (json_is_object(o))
		type = json_string_value(json_object_get(o, "type"));
	switch (c->state) {
	case CS_FRESH:
		router_fresh(c, o, type);
		break;
	case CS_HS_FINAL:
		/* Text that is not a handshake message is skipped. */
		if (type != NULL && is_handshake(type))
			router_handshake(c, o, 1);
		break;
	case CS_READY:
		if (type != NULL) {
			router_ready(c, o, type);
			break;
		}
		*c->cd->c_requests_bad += 1;
		snprintf(why, sizeof(why), "Provided text request was "
		    "malformed - %.200s", o == NULL ? err.text :
		    "missing field `type`");
		reply_error(c, why);
		break;
	default:
		break;
	}
	json_decref(o);
}

static void
router_message(struct conn *c, int opcode, const uint8_t *msg, size_t len)
{
	if (c->wait) {
		/* Nothing is due from the client while a sibling answers. */
		*c->cd->c_proto_errors += 1;
		conn_close(c, 1008, "message while waiting");
		return;
	}
	if (opcode == WSLAY_CONNECTION_CLOSE) {
		conn_close(c, 0, "client closed");
		return;
	}
	switch (c->state) {
	case CS_FRESH:
		if (opcode == WSLAY_TEXT_FRAME) {
			/* The deadline counts from the accept: a drip of
			 * supportedProtocol cannot push it back. */
			conn_set_timer(c, c->cd->conf->handshake_timeout_ms);
			router_text(c, msg, len);
		} else if (opcode == WSLAY_BINARY_FRAME)
			reply_fatal(c, "possibly received a sphinx packet "
			    "without prior authentication. Request is going "
			    "to be ignored");
		else
			reply_fatal(c, ERR_ONLY);
		break;
	case CS_HS_FINAL:
		/* Non-text frames are skipped while a handshake waits. */
		if (opcode == WSLAY_TEXT_FRAME)
			router_text(c, msg, len);
		break;
	case CS_READY:
		if (opcode == WSLAY_TEXT_FRAME)
			router_text(c, msg, len);
		else if (opcode == WSLAY_BINARY_FRAME)
			forward_binary(c, msg, len);
		break;
	default:
		break;
	}
}

static void
router_upgraded(struct conn *c)
{
	conn_set_timer(c, c->cd->conf->handshake_timeout_ms);
}

static void
router_timeout(struct conn *c)
{
	switch (c->state) {
	case CS_FRESH:
		*c->cd->c_timeouts += 1;
		conn_close(c, 1000, "no request in time");
		break;
	case CS_HS_FINAL:
		handshake_timeout(c);
		break;
	case CS_AUTH_DUP:
		/* No pong from the old session in time: it is gone. */
		auth_dup_result(c, 0);
		break;
	case CS_READY:
		session_idle(c);
		break;
	default:
		break;
	}
}

static void
router_deadline(struct conn *c)
{
	if (c->state == CS_HS_FINAL)
		*c->cd->c_reg_fail += 1;
}

static void
router_pong(struct conn *c, const uint8_t *b, size_t len)
{
	struct conn	*waiter;

	if ((waiter = session_pong(c, b, len)) != NULL) {
		auth_dup_result(waiter, 1);
		conn_flush(waiter);
	}
}

/* What the session owes storaged goes before it leaves the tables. */
static void
router_closed(struct conn *c)
{
	struct conn	*waiter;

	if (c->active) {
		writeback_spent(c);
		writeback_deletes(c);
	}
	stats_session_finished(c);
	if ((waiter = session_leave(c)) != NULL)
		auth_dup_result(waiter, 0);
}

static void
router_written(struct conn *c, uint64_t seq, uint64_t ack)
{
	delivery_written(c, seq, ack);
}

static void
router_unwritten(struct clientd *cd, uint64_t ack)
{
	/* Not safe: the ack never leaves and the sender tries again. */
	delivery_settle(cd, ack, 0);
}

const struct conn_events router_events = {
	.upgraded = router_upgraded,
	.message = router_message,
	.pong = router_pong,
	.timeout = router_timeout,
	.deadline = router_deadline,
	.closed = router_closed,
	.written = router_written,
	.unwritten = router_unwritten,
	.room = delivery_room,
};

/*
 * Registered or authenticated, with a balance: the session is live.
 * It joins the client table before the inbox drains, so nothing for it
 * can slip between the drain and the pushes.
 */
void
router_live(struct conn *c, const struct gw_bandwidth *b)
{
	conn_wait(c, 0);
	if (!b->ok) {
		reply_fatal(c, ERR_STORAGE);
		return;
	}
	if (session_activate(c) == -1) {
		/* Another session got in while we waited on storaged. */
		*c->cd->c_auth_duplicate += 1;
		reply_fatal(c, ERR_DUP);
		return;
	}
	bw_load(c, b);
	if (c->registering)
		handshake_done(c);
	else
		auth_done(c);
	session_ready(c);
	delivery_start(c);
}
