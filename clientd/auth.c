/*
 * authenticateV2 (client-protocol.md 3): the checks in Nym's order.
 * The stored key and the last timestamp come from storaged; the new
 * timestamp is kept there only if later than the last (the check and
 * the write are one step in storaged), so a replay is refused across
 * restarts too.  A live session for the same client is pinged first.
 * The balance that follows makes the session live (router_live).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "clientd.h"
#include "gwcrypto.h"
#include "jsonbytes.h"
#include "log.h"

#define ERR_DUP		"There is already an open connection to this client"
#define ERR_STORAGE	"Internal gateway storage error"
#define B64_FIELD_MAX	256	/* the ciphertext and the nonce */

/*
 * A standard-base64 string member: its decoded length (at most max bytes
 * are kept; max + 1 means longer), or -1 if it is missing or not base64
 * (to Nym's serde the request then does not parse at all).
 */
static int
json_b64(const json_t *json, const char *key, uint8_t *buf, size_t max)
{
	json_t	*s = json_object_get(json, key);
	uint8_t	 tmp[B64_FIELD_MAX];
	size_t	 n;

	if (!json_is_string(s) || max >= sizeof(tmp))
		return -1;
	/* A longer string is too long whatever it decodes to. */
	if (json_string_length(s) > sizeof(tmp) * 4 / 3)
		return (int)max + 1;
	if (sodium_base642bin(tmp, sizeof(tmp), json_string_value(s),
	    json_string_length(s), NULL, &n, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	if (n > max)
		return (int)max + 1;
	memcpy(buf, tmp, n);
	return (int)n;
}

void
auth_request(struct conn *c, const void *json)
{
	json_t			*v;
	struct gw_client_id	 id;
	uint8_t			 sig[CLIENT_SIG_LEN];
	int64_t			 ver, ts, now = time(NULL);
	int			 ctlen, noncelen, rv;
	char			 why[200];

	v = json_object_get(json, "protocolVersion");
	ver = json_is_integer(v) ? json_integer_value(v) : -1;
	v = json_object_get(json, "requestUnixTimestamp");
	ts = json_is_integer(v) ? json_integer_value(v) : -1;
	ctlen = json_b64(json, "addressCiphertext", c->auth_ct,
	    sizeof(c->auth_ct));
	noncelen = json_b64(json, "nonce", c->auth_nonce,
	    sizeof(c->auth_nonce));
	if (ver < 0 || ver > 255 || ts < 0 || ctlen < 0 || noncelen < 0 ||
	    json_bytes(json, "clientIdentity", c->client, sizeof(c->client))
	    != (int)sizeof(c->client) ||
	    json_bytes(json, "requestSignature", sig, sizeof(sig)) !=
	    (int)sizeof(sig)) {
		reply_fatal(c, "Only 'Register' or 'Authenticate' requests "
		    "are allowed");
		return;
	}
	if (ver < 4 || ver > CLIENTD_PROTOCOL_VERSION) {
		*c->cd->c_auth_bad_version += 1;
		snprintf(why, sizeof(why), "Attempted to negotiate connection "
		    "with client using incompatible protocol version. Ours is "
		    "%d and the client reports %" PRId64,
		    CLIENTD_PROTOCOL_VERSION, ver);
		reply_fatal(c, why);
		return;
	}
	if (ts < now - CLIENTD_AUTH_SKEW_S || ts - CLIENTD_AUTH_SKEW_S > now) {
		*c->cd->c_auth_skew += 1;
		snprintf(why, sizeof(why), "the provided request timestamp is "
		    "excessively skewed. got %" PRId64 " whilst the server "
		    "time is %" PRId64, ts, now);
		reply_fatal(c, why);
		return;
	}
	/* A bad length fails as the ciphertext or nonce check would. */
	if (noncelen != CLIENT_NONCE_LEN) {
		*c->cd->c_auth_bad_ct += 1;
		reply_fatal(c, "the provided nonce (or legacy IV) did not "
		    "have the expected length");
		return;
	}
	if (ctlen != CLIENT_AUTH_CT_LEN) {
		*c->cd->c_auth_bad_ct += 1;
		reply_fatal(c, "failed to verify provided address ciphertext");
		return;
	}
	rv = client_auth_v2_verify_signature((uint8_t)ver, c->client,
	    c->auth_ct, (size_t)ctlen, c->auth_nonce, (size_t)noncelen,
	    (uint64_t)ts, sig);
	if (rv == CLIENT_ERR_NONCE_LEN) {
		*c->cd->c_auth_bad_ct += 1;
		reply_fatal(c, "the provided nonce (or legacy IV) did not "
		    "have the expected length");
		return;
	}
	if (rv != CLIENT_OK) {
		*c->cd->c_auth_bad_sig += 1;
		reply_fatal(c, "failed to verify request signature");
		return;
	}
	c->version = (uint8_t)ver;
	c->auth_ts = ts;
	memcpy(id.client, c->client, sizeof(id.client));
	if (clientd_send(c->cd, PROC_STORAGED, IMSG_CLIENT_LOOKUP,
	    REQ_ID(c, REQ_PLAIN), &id, sizeof(id)) == -1) {
		reply_fatal(c, ERR_STORAGE);
		return;
	}
	session_set_state(c, CS_AUTH_LOOKUP);
	conn_wait(c, 1);
}

static void
auth_proceed(struct conn *c)
{
	struct gw_client_auth	 a;

	memset(&a, 0, sizeof(a));
	memcpy(a.client, c->client, sizeof(a.client));
	a.timestamp = c->auth_ts;
	if (clientd_send(c->cd, PROC_STORAGED, IMSG_CLIENT_AUTH,
	    REQ_ID(c, REQ_PLAIN), &a, sizeof(a)) == -1) {
		reply_fatal(c, ERR_STORAGE);
		return;
	}
	session_set_state(c, CS_AUTH_STORE);
	conn_wait(c, 1);
}

void
auth_info(struct conn *c, const struct gw_client_info *info)
{
	struct conn	*old;

	conn_wait(c, 0);
	if (!info->found) {
		*c->cd->c_auth_unknown += 1;
		reply_fatal(c, "the client is not registered");
		return;
	}
	if ((c->aead = gwcrypto_aead_new(info->key)) == NULL) {
		reply_fatal(c, ERR_STORAGE);
		return;
	}
	if (client_auth_v2_verify_ciphertext(c->aead, c->client, c->auth_ct,
	    sizeof(c->auth_ct), c->auth_nonce, sizeof(c->auth_nonce)) !=
	    CLIENT_OK) {
		*c->cd->c_auth_bad_ct += 1;
		reply_fatal(c, "failed to verify provided address ciphertext");
		return;
	}
	if (c->auth_ts <= info->last_auth) {
		*c->cd->c_auth_replay += 1;
		reply_fatal(c, "the provided request timestamp is smaller or "
		    "equal to one previously used");
		return;
	}
	if ((old = session_by_client(c->cd, c->client)) != NULL) {
		if (c->auth_ts <= old->session_ts) {
			*c->cd->c_auth_duplicate += 1;
			reply_fatal(c, "attempted to overwrite client session "
			    "with a stale authentication");
			return;
		}
		if (old->ping_pending || old->dup_new != NULL) {
			/* Busy: as good as active. */
			*c->cd->c_auth_duplicate += 1;
			reply_fatal(c, ERR_DUP);
			return;
		}
		randombytes_buf(old->ping, sizeof(old->ping));
		if (conn_ping(old, old->ping, sizeof(old->ping)) == -1) {
			conn_close(old, 1000, "replaced");
			auth_proceed(c);
			return;
		}
		old->ping_pending = 1;
		old->dup_new = c;
		c->dup_old = old;
		session_set_state(c, CS_AUTH_DUP);
		conn_wait(c, 1);
		conn_set_timer(c, CLIENTD_PONG_WAIT_MS);
		conn_flush(old);
		return;
	}
	auth_proceed(c);
}

/* The old session answered (active 1) or not (0) within 1 s. */
void
auth_dup_result(struct conn *c, int active)
{
	struct conn	*old;

	if (c->state != CS_AUTH_DUP)
		return;
	if ((old = c->dup_old) != NULL) {
		old->dup_new = NULL;
		old->ping_pending = 0;
		c->dup_old = NULL;
	}
	conn_wait(c, 0);
	if (active) {
		*c->cd->c_auth_duplicate += 1;
		reply_fatal(c, ERR_DUP);
		return;
	}
	if (old != NULL)
		conn_close(old, 1000, "replaced by a new session");
	auth_proceed(c);
}

void
auth_stored(struct conn *c, const struct gw_client_result *r)
{
	struct gw_client_id	 id;

	conn_wait(c, 0);
	if (!r->ok) {
		/* Another session stored a later timestamp meanwhile. */
		*c->cd->c_auth_replay += 1;
		reply_fatal(c, "the provided request timestamp is smaller or "
		    "equal to one previously used");
		return;
	}
	c->session_ts = c->auth_ts;
	memcpy(id.client, c->client, sizeof(id.client));
	if (clientd_send(c->cd, PROC_STORAGED, IMSG_BANDWIDTH_GET,
	    REQ_ID(c, REQ_PLAIN), &id, sizeof(id)) == -1) {
		reply_fatal(c, ERR_STORAGE);
		return;
	}
	session_set_state(c, CS_AUTH_BW);
	conn_wait(c, 1);
}

/* Authenticated and live (router_live): tell the client. */
void
auth_done(struct conn *c)
{
	char	 out[160];
	int	 n;

	n = snprintf(out, sizeof(out), "{\"type\":\"authenticate\","
	    "\"protocol_version\":%u,\"status\":true,"
	    "\"bandwidth_remaining\":%" PRId64 ",\"upgrade_mode\":%s}",
	    c->version, reply_balance(c->cd->upgrade_mode, c->bw_avail),
	    reply_upgrade_json(c->cd->upgrade_mode));
	conn_send_text(c, out, (size_t)n);
	*c->cd->c_auth_ok += 1;
	histogram_observe(&c->cd->h_handshake,
	    histogram_now_us() - c->accepted_us);
}
