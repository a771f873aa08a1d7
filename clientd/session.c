/*
 * The session layer: the per-connection state machine of
 * client-protocol.md section 0, written only here and only along the
 * transitions the table allows, and the table that finds a session by
 * its client identity (one live session per client, spec 3.4).  The
 * transport finds connections by id (conn_by_id); the top decides what
 * each state does with a frame (router.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "clientd.h"
#include "log.h"

#define S(x)	(1u << (x))

/*
 * From each state, where it may go.  Registration: FRESH -> HS_SIGN ->
 * HS_FINAL -> HS_STORE -> AUTH_BW; authentication: FRESH -> AUTH_LOOKUP
 * [-> AUTH_DUP] -> AUTH_STORE -> AUTH_BW; both end in READY.  Closing is
 * the transport's (conn_closing), from anywhere.
 */
static const uint32_t transitions[CS_NSTATES] = {
	[CS_FRESH] = S(CS_HS_SIGN) | S(CS_AUTH_LOOKUP),
	[CS_HS_SIGN] = S(CS_HS_FINAL),
	[CS_HS_FINAL] = S(CS_HS_STORE),
	[CS_HS_STORE] = S(CS_AUTH_BW),
	[CS_AUTH_LOOKUP] = S(CS_AUTH_DUP) | S(CS_AUTH_STORE),
	[CS_AUTH_DUP] = S(CS_AUTH_STORE),
	[CS_AUTH_STORE] = S(CS_AUTH_BW),
	[CS_AUTH_BW] = S(CS_READY),
	[CS_READY] = 0,
};

static const char *const state_names[CS_NSTATES] = {
	[CS_FRESH] = "FRESH", [CS_HS_SIGN] = "HS_SIGN",
	[CS_HS_FINAL] = "HS_FINAL", [CS_HS_STORE] = "HS_STORE",
	[CS_AUTH_LOOKUP] = "AUTH_LOOKUP", [CS_AUTH_DUP] = "AUTH_DUP",
	[CS_AUTH_STORE] = "AUTH_STORE", [CS_AUTH_BW] = "AUTH_BW",
	[CS_READY] = "READY",
};

void
session_set_state(struct conn *c, enum conn_state to)
{
	if ((unsigned)c->state >= CS_NSTATES || (unsigned)to >= CS_NSTATES ||
	    !(transitions[c->state] & S(to)))
		fatalx("connection %u: no transition %s -> %s", c->id,
		    (unsigned)c->state < CS_NSTATES ?
		    state_names[c->state] : "?", (unsigned)to < CS_NSTATES ?
		    state_names[to] : "?");
	c->state = to;
}

/* Identities are chosen by clients: SipHash under a key made at start
 * keeps them from choosing one bucket for all their sessions. */
static uint32_t
client_bucket(const struct clientd *cd, const uint8_t *client)
{
	uint8_t		 h[crypto_shorthash_BYTES];
	uint32_t	 v;

	crypto_shorthash(h, client, GW_CLIENT_ID_LEN, cd->table_key);
	memcpy(&v, h, sizeof(v));
	return v % CLIENTD_ID_BUCKETS;
}

struct conn *
session_by_client(struct clientd *cd, const uint8_t *client)
{
	struct conn	*c;

	for (c = cd->by_client[client_bucket(cd, client)]; c != NULL;
	    c = c->next_client)
		if (memcmp(c->client, client, GW_CLIENT_ID_LEN) == 0)
			return c;
	return NULL;
}

int
session_activate(struct conn *c)
{
	uint32_t	 b = client_bucket(c->cd, c->client);

	if (c->active)
		return 0;
	if (session_by_client(c->cd, c->client) != NULL)
		return -1;
	c->next_client = c->cd->by_client[b];
	c->cd->by_client[b] = c;
	c->active = 1;
	return 0;
}

static void
session_deactivate(struct conn *c)
{
	struct conn	**pp;

	if (!c->active)
		return;
	for (pp = &c->cd->by_client[client_bucket(c->cd, c->client)];
	    *pp != NULL; pp = &(*pp)->next_client)
		if (*pp == c) {
			*pp = c->next_client;
			break;
		}
	c->active = 0;
}

void
session_ready(struct conn *c)
{
	session_set_state(c, CS_READY);
	c->ready = 1;
	stats_session_started(c);
	admission_authenticated(c);
	conn_set_timer(c, c->cd->conf->idle_timeout_ms);
	conn_read_enable(c, 1);
}

void
session_idle(struct conn *c)
{
	uint64_t	 now = clientd_now_ms();
	uint64_t	 idle = c->cd->conf->idle_timeout_ms;

	if (now - c->last_rx_ms < idle) {
		conn_set_timer(c, (uint32_t)(idle - (now - c->last_rx_ms)));
		return;
	}
	/* Nym clients send nothing while they only listen, but answer
	 * pings: a silent one is asked before it is let go. */
	if (!c->idle_pinged && !c->ping_pending) {
		randombytes_buf(c->ping, sizeof(c->ping));
		conn_ping(c, c->ping, sizeof(c->ping));
		c->idle_pinged = 1;
		conn_set_timer(c, CLIENTD_INITIAL_MSG_MS);
		return;
	}
	*c->cd->c_timeouts += 1;
	conn_close(c, 1000, "idle");
}

struct conn *
session_pong(struct conn *c, const uint8_t *b, size_t len)
{
	struct conn	*waiter;

	if (!c->ready || !c->ping_pending || len != sizeof(c->ping) ||
	    sodium_memcmp(b, c->ping, sizeof(c->ping)) != 0)
		return NULL;
	c->ping_pending = 0;
	if ((waiter = c->dup_new) != NULL) {
		c->dup_new = NULL;
		waiter->dup_old = NULL;
	}
	return waiter;
}

struct conn *
session_leave(struct conn *c)
{
	struct conn	*o, *waiter = NULL;

	session_deactivate(c);
	if ((o = c->dup_new) != NULL) {
		/* The old session went away while being checked. */
		c->dup_new = NULL;
		o->dup_old = NULL;
		waiter = o;
	}
	if ((o = c->dup_old) != NULL) {
		o->dup_new = NULL;
		c->dup_old = NULL;
	}
	return waiter;
}
