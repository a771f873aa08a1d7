/*
 * The per-connection state machine of client-protocol.md section 0:
 * which frames each state takes, its timers, and the tables that find a
 * session again: by connection id (sibling replies carry it in the
 * peerid), by client identity (one live session per client, spec 3.4),
 * and the per-address connection counts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "clientd.h"
#include "log.h"

static uint32_t
hash32(const uint8_t *b, size_t len)
{
	uint32_t	 h = 2166136261u;
	size_t		 i;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

struct conn *
session_by_id(struct clientd *cd, uint32_t id)
{
	struct conn	*c;

	for (c = cd->by_id[id % CLIENTD_ID_BUCKETS]; c != NULL; c = c->next_id)
		if (c->id == id)
			return c;
	return NULL;
}

struct conn *
session_by_client(struct clientd *cd, const uint8_t *client)
{
	struct conn	*c;

	/* Client ids are public keys: the table is not keyed secretly,
	 * but one key per session caps what a flood can chain here. */
	for (c = cd->by_client[hash32(client, GW_CLIENT_ID_LEN) %
	    CLIENTD_ID_BUCKETS]; c != NULL; c = c->next_client)
		if (memcmp(c->client, client, GW_CLIENT_ID_LEN) == 0)
			return c;
	return NULL;
}

void
session_activate(struct conn *c)
{
	uint32_t	 b = hash32(c->client, GW_CLIENT_ID_LEN) %
			    CLIENTD_ID_BUCKETS;

	if (c->active)
		return;
	c->next_client = c->cd->by_client[b];
	c->cd->by_client[b] = c;
	c->active = 1;
}

static void
session_deactivate(struct conn *c)
{
	struct conn	**pp;

	if (!c->active)
		return;
	for (pp = &c->cd->by_client[hash32(c->client, GW_CLIENT_ID_LEN) %
	    CLIENTD_ID_BUCKETS]; *pp != NULL; pp = &(*pp)->next_client)
		if (*pp == c) {
			*pp = c->next_client;
			break;
		}
	c->active = 0;
}

/* {"type":"error"}: fatal for a listening Nym client (spec 4.2). */
int
session_error(struct conn *c, const char *msg)
{
	char	 esc[512], out[600];
	int	 n;

	if (json_escape(msg, esc, sizeof(esc)) == -1)
		return -1;
	n = snprintf(out, sizeof(out), "{\"type\":\"error\",\"message\":\"%s\"}",
	    esc);
	if (n < 0 || (size_t)n >= sizeof(out))
		return -1;
	return conn_send_text(c, out, (size_t)n);
}

/* The error, then the connection is dropped. */
int
session_fatal(struct conn *c, const char *msg)
{
	*c->cd->c_proto_errors += 1;
	session_error(c, msg);
	conn_close(c, 1000, msg);
	return -1;
}

void
session_upgraded(struct conn *c)
{
	conn_set_timer(c, c->cd->conf->handshake_timeout_ms);
}

void
session_ready(struct conn *c)
{
	c->state = CS_READY;
	admission_authenticated(c);
	conn_set_timer(c, c->cd->conf->idle_timeout_ms);
	conn_read_enable(c, 1);
}

void
session_message(struct conn *c, int opcode, const uint8_t *msg, size_t len)
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
			requests_text(c, msg, len);
		} else if (opcode == WSLAY_BINARY_FRAME)
			session_fatal(c, "possibly received a sphinx packet "
			    "without prior authentication. Request is going "
			    "to be ignored");
		else
			session_fatal(c, "Only 'Register' or 'Authenticate' "
			    "requests are allowed");
		break;
	case CS_HS_FINAL:
		/* Non-text frames are skipped while a handshake waits. */
		if (opcode == WSLAY_TEXT_FRAME)
			requests_text(c, msg, len);
		break;
	case CS_READY:
		if (opcode == WSLAY_TEXT_FRAME)
			requests_text(c, msg, len);
		else if (opcode == WSLAY_BINARY_FRAME)
			forward_binary(c, msg, len);
		break;
	default:
		break;
	}
}

void
session_timeout(struct conn *c)
{
	uint64_t	 now, idle;

	switch (c->state) {
	case CS_FRESH:
		*c->cd->c_timeouts += 1;
		conn_close(c, 1000, "no request in time");
		break;
	case CS_HS_FINAL:
		*c->cd->c_timeouts += 1;
		*c->cd->c_reg_fail += 1;
		hs_error(c, "timed out waiting for a handshake message");
		break;
	case CS_AUTH_DUP:
		/* No pong from the old session in time: it is gone. */
		auth_dup_result(c, 0);
		break;
	case CS_READY:
		now = clientd_now_ms();
		idle = c->cd->conf->idle_timeout_ms;
		if (now - c->last_rx_ms < idle) {
			conn_set_timer(c, (uint32_t)(idle - (now -
			    c->last_rx_ms)));
			break;
		}
		/* Nym clients send nothing while they only listen, but
		 * answer pings: a silent one is asked before it is let go. */
		if (!c->idle_pinged && !c->ping_pending) {
			randombytes_buf(c->ping, sizeof(c->ping));
			conn_ping(c, c->ping, sizeof(c->ping));
			c->idle_pinged = 1;
			conn_set_timer(c, CLIENTD_INITIAL_MSG_MS);
			break;
		}
		*c->cd->c_timeouts += 1;
		conn_close(c, 1000, "idle");
		break;
	default:
		break;
	}
}

void
session_pong(struct conn *c, const uint8_t *b, size_t len)
{
	struct conn	*waiter;

	if (!c->ping_pending || len != sizeof(c->ping) ||
	    sodium_memcmp(b, c->ping, sizeof(c->ping)) != 0)
		return;
	c->ping_pending = 0;
	if ((waiter = c->dup_new) != NULL) {
		c->dup_new = NULL;
		waiter->dup_old = NULL;
		auth_dup_result(waiter, 1);
		conn_flush(waiter);
	}
}

/* Leaving the session (close or free): idempotent. */
void
session_closed(struct conn *c)
{
	struct conn	*o;

	if (c->active) {
		bw_flush(c);
		delivery_flush_deletes(c);
		session_deactivate(c);
	}
	if ((o = c->dup_new) != NULL) {
		/* The old session went away while being checked. */
		c->dup_new = NULL;
		o->dup_old = NULL;
		auth_dup_result(o, 0);
	}
	if ((o = c->dup_old) != NULL) {
		o->dup_new = NULL;
		c->dup_old = NULL;
	}
}
