/*
 * The registration handshake (client-protocol.md 2).  The identity
 * signature over G^y || G^x is the master's (IMSG_HS_SIGN): clientd
 * never holds the identity key.  Message 1 -> sign request; the
 * master's G^y, signature and derived key -> message 2; message 3 ->
 * verify, storaged keeps the key -> [1] and "register".
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "clientd.h"
#include "gwcrypto.h"
#include "log.h"

#define ERR_HS		"Failed to perform registration handshake: "

/* handshakeError, then the error Nym sends (twice), then drop. */
void
handshake_error(struct conn *c, const char *text)
{
	char	 out[400];

	reply_handshake_error(c, text);
	snprintf(out, sizeof(out), ERR_HS "%s", text);
	reply_error(c, out);
	reply_fatal(c, out);
}

/* Message 3 did not come in time. */
void
handshake_timeout(struct conn *c)
{
	*c->cd->c_timeouts += 1;
	*c->cd->c_reg_fail += 1;
	handshake_error(c, "timed out waiting for a handshake message");
}

static int
hs_send(struct conn *c, const uint8_t *data, size_t len)
{
	char	 prefix[96];

	snprintf(prefix, sizeof(prefix), "{\"type\":\"handshakePayload\","
	    "\"protocol_version\":%u,\"data\":", c->version);
	return reply_bytes(c, prefix, data, len, "}");
}

void
handshake_start(struct conn *c, const uint8_t *data, size_t len,
    int version)
{
	struct gw_hs_sign_req	 req;
	struct conn		*other;

	if (client_hs_parse_init(data, len, &c->hs) != CLIENT_OK ||
	    !crypto_core_ed25519_is_valid_point(c->hs.identity)) {
		*c->cd->c_reg_fail += 1;
		handshake_error(c, "sent request was malformed");
		return;
	}
	if ((other = session_by_client(c->cd, c->hs.identity)) != NULL) {
		/* Registration never pings (spec 3.4). */
		*c->cd->c_reg_fail += 1;
		reply_fatal(c, "There is already an open connection to "
		    "this client");
		return;
	}
	memcpy(c->client, c->hs.identity, sizeof(c->client));
	c->version = version > CLIENTD_PROTOCOL_VERSION ?
	    CLIENTD_PROTOCOL_VERSION : (uint8_t)version;
	memset(&req, 0, sizeof(req));
	memcpy(req.client_eph, c->hs.eph_pub, sizeof(req.client_eph));
	memcpy(req.salt, c->hs.salt, sizeof(req.salt));
	if (clientd_send(c->cd, PROC_PARENT, IMSG_HS_SIGN, REQ_ID(c,
	    REQ_PLAIN), &req, sizeof(req)) == -1) {
		reply_fatal(c, ERR_HS "internal error");
		return;
	}
	session_set_state(c, CS_HS_SIGN);
	conn_wait(c, 1);
}

void
handshake_signed(struct conn *c, const struct gw_hs_sign_result *r)
{
	uint8_t	 msg2[CLIENT_HS_REPLY_LEN], *nonce;

	if (c->state != CS_HS_SIGN)
		return;
	conn_wait(c, 0);
	session_set_state(c, CS_HS_FINAL);
	if (!r->ok) {
		/* A degenerate G^x, or the master's rate limit. */
		*c->cd->c_reg_fail += 1;
		handshake_error(c, "sent request was malformed");
		return;
	}
	memcpy(c->key, r->key, sizeof(c->key));
	memcpy(c->gw_eph, r->gw_eph, sizeof(c->gw_eph));
	if ((c->aead = gwcrypto_aead_new(c->key)) == NULL) {
		handshake_error(c, "failed to either encrypt or decrypt "
		    "provided message");
		return;
	}
	memcpy(msg2, r->gw_eph, 32);
	nonce = msg2 + 32 + CLIENT_SIG_LEN + CLIENT_TAG_LEN;
	randombytes_buf(nonce, CLIENT_NONCE_LEN);
	if (gwcrypto_aead_seal(c->aead, nonce, r->signature, CLIENT_SIG_LEN,
	    msg2 + 32) == -1) {
		handshake_error(c, "failed to either encrypt or decrypt "
		    "provided message");
		return;
	}
	hs_send(c, msg2, sizeof(msg2));
	conn_set_timer(c, CLIENTD_HS_STEP_MS);
}

void
handshake_final(struct conn *c, const uint8_t *data, size_t len)
{
	struct gw_client_key	 k;
	int			 rv;

	rv = client_hs_gateway_verify_final(&c->hs, c->key, c->gw_eph, data,
	    len);
	if (rv != CLIENT_OK) {
		*c->cd->c_reg_fail += 1;
		handshake_error(c, rv == CLIENT_ERR_SIGNATURE ?
		    "received invalid signature" : rv == CLIENT_ERR_DECRYPT ?
		    "failed to either encrypt or decrypt provided message" :
		    "sent request was malformed");
		return;
	}
	memcpy(k.client, c->client, sizeof(k.client));
	memcpy(k.key, c->key, sizeof(k.key));
	rv = clientd_send(c->cd, PROC_STORAGED, IMSG_CLIENT_REGISTER,
	    REQ_ID(c, REQ_PLAIN), &k, sizeof(k));
	sodium_memzero(&k, sizeof(k));
	if (rv == -1) {
		reply_fatal(c, "Internal gateway storage error");
		return;
	}
	session_set_state(c, CS_HS_STORE);
	conn_wait(c, 1);
}

void
handshake_stored(struct conn *c, const struct gw_client_result *r)
{
	struct gw_client_id	 id;

	conn_wait(c, 0);
	if (!r->ok) {
		*c->cd->c_reg_fail += 1;
		reply_fatal(c, "Internal gateway storage error");
		return;
	}
	c->registering = 1;
	c->session_ts = time(NULL);
	memcpy(id.client, c->client, sizeof(id.client));
	if (clientd_send(c->cd, PROC_STORAGED, IMSG_BANDWIDTH_GET,
	    REQ_ID(c, REQ_PLAIN), &id, sizeof(id)) == -1) {
		reply_fatal(c, "Internal gateway storage error");
		return;
	}
	session_set_state(c, CS_AUTH_BW);
	conn_wait(c, 1);
}

/* Registered and live (router_live): finish as spec 2.3 steps 4-6. */
void
handshake_done(struct conn *c)
{
	static const uint8_t	 ok = CLIENT_HS_FINALIZE_OK;
	char			 out[128];
	int			 n;

	hs_send(c, &ok, 1);
	n = snprintf(out, sizeof(out), "{\"type\":\"register\","
	    "\"protocol_version\":%u,\"status\":true,\"upgrade_mode\":%s}",
	    c->version, reply_upgrade_json(c->cd->upgrade_mode));
	conn_send_text(c, out, (size_t)n);
	*c->cd->c_reg_ok += 1;
	histogram_observe(&c->cd->h_handshake,
	    histogram_now_us() - c->accepted_us);
}
