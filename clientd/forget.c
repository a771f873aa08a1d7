/*
 * encryptedRequest (client-protocol.md 4.1): ForgetMe and RememberMe
 * under the session key.  ForgetMe with client true has storaged delete
 * the inbox, the balance and the key; the ack waits for its commit.  The
 * session stays (as Nym's does) but owns no balance any more, so nothing
 * it later writes back brings the row back.
 */
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "clientd.h"
#include "gwcrypto.h"
#include "jsonbytes.h"

#define ENC_REQ_MAX	4096	/* ForgetMe / RememberMe are tiny */
#define ERR_DECRYPT	"failed to decrypt provided text request"

/* 0: answered (now or once storaged commits); -1: not a ForgetMe. */
static int
forget_me(struct conn *c, json_t *args)
{
	struct gw_client_forget	 f;
	json_t			*cl = json_object_get(args, "client");

	if (!json_is_object(args) || !json_is_boolean(cl) ||
	    !json_is_boolean(json_object_get(args, "stats")))
		return -1;
	if (!json_is_true(cl)) {
		reply_encrypted(c, "{\"ForgetMeAck\":{}}");
		return 0;
	}
	/* Deletes still batched must not land after the forget. */
	writeback_deletes(c);
	memset(&f, 0, sizeof(f));
	memcpy(f.client, c->client, sizeof(f.client));
	f.flags = GW_FORGET_INBOX | GW_FORGET_BANDWIDTH | GW_FORGET_KEY;
	if (clientd_send(c->cd, PROC_STORAGED, IMSG_CLIENT_FORGET,
	    REQ_ID(c, REQ_PLAIN), &f, sizeof(f)) == -1) {
		reply_error(c, "Internal gateway storage error");
		return 0;
	}
	c->bw_avail = c->bw_delta = 0;
	c->forgetting++;
	return 0;
}

/*
 * RememberMe {"session_type": "Vpn"} (gateway-requests text_request:
 * ClientRequest::RememberMe, SessionType in common/statistics): the
 * session counts in the day's statistics when it ends.  A type nym
 * does not know is Unknown, as nym parses it; a malformed body is
 * acknowledged as nym-node does, and remembered as Unknown.
 */
static void
forget_remember(struct conn *c, json_t *body)
{
	json_t		*t = json_is_object(body) ?
			    json_object_get(body, "session_type") : NULL;

	stats_session_remember(c, json_is_string(t) ?
	    stats_session_type(json_string_value(t)) : GW_SESSION_UNKNOWN);
}

void
forget_request(struct conn *c, const void *json)
{
	/* nonce: one byte more, as in bw_ecash_request. */
	uint8_t	 ct[ENC_REQ_MAX], pt[ENC_REQ_MAX], nonce[CLIENT_NONCE_LEN + 1];
	json_t	*p;
	const char *ack = NULL, *key;
	int	 n;

	n = json_bytes(json, "ciphertext", ct, sizeof(ct));
	if (json_bytes(json, "nonce", nonce, sizeof(nonce)) !=
	    CLIENT_NONCE_LEN) {
		reply_error(c, "the provided nonce (or legacy IV) did not "
		    "have the expected length");
		return;
	}
	if (n < CLIENT_TAG_LEN || gwcrypto_aead_open(c->aead, nonce, ct,
	    (size_t)n, pt) == -1) {
		reply_error(c, ERR_DECRYPT);
		return;
	}
	p = json_loadb((const char *)pt, (size_t)n - CLIENT_TAG_LEN, 0, NULL);
	if (json_is_object(p) && json_object_size(p) == 1) {
		key = json_object_iter_key(json_object_iter(p));
		if (strcmp(key, "ForgetMe") == 0) {
			if (forget_me(c, json_object_iter_value(
			    json_object_iter(p))) == 0)
				ack = "";	/* answered there */
		} else if (strcmp(key, "RememberMe") == 0) {
			forget_remember(c, json_object_iter_value(
			    json_object_iter(p)));
			ack = "{\"RememberMeAck\":{}}";
		}
	}
	json_decref(p);
	sodium_memzero(pt, sizeof(pt));
	if (ack == NULL) {
		reply_error(c, ERR_DECRYPT);
		return;
	}
	if (*ack != '\0')
		reply_encrypted(c, ack);
}

/* storaged has committed a ForgetMe. */
void
forget_done(struct conn *c, const struct gw_client_result *r)
{
	if (c->forgetting == 0)
		return;
	c->forgetting--;
	if (!r->ok) {
		reply_error(c, "Internal gateway storage error");
		return;
	}
	reply_encrypted(c, "{\"ForgetMeAck\":{}}");
}
