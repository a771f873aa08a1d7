/*
 * Bandwidth grants (client-protocol.md 6): free testnet bandwidth
 * unless enforce_zk_nyms, written at once and answered once committed;
 * zk-nym tickets and upgrade-mode JWTs, which credd decides.  The
 * balance itself is the session's (balance.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "clientd.h"
#include "gwcrypto.h"
#include "jsonbytes.h"
#include "log.h"
#include "util.h"

void
bw_claim_free(struct conn *c)
{
	struct gw_bandwidth_adjust	 adj;

	if (c->cd->conf->enforce_zk_nyms) {
		reply_error(c, "This gateway is only accepting coconut "
		    "credentials for bandwidth");
		return;
	}
	bw_expire(c);
	/* Claims add up with no cap; saturate rather than wrap. */
	if (c->bw_avail > INT64_MAX - CLIENTD_FREE_BANDWIDTH)
		c->bw_avail = INT64_MAX - CLIENTD_FREE_BANDWIDTH;
	c->bw_avail += CLIENTD_FREE_BANDWIDTH;
	c->bw_delta += CLIENTD_FREE_BANDWIDTH;
	c->bw_expiry = bw_today();
	memset(&adj, 0, sizeof(adj));
	memcpy(adj.client, c->client, sizeof(adj.client));
	adj.delta = c->bw_delta;
	adj.expiry = c->bw_expiry;
	if (clientd_send(c->cd, PROC_STORAGED, IMSG_BANDWIDTH_ADJUST,
	    REQ_ID(c, REQ_BW_CLAIM), &adj, sizeof(adj)) == -1) {
		reply_error(c, "Internal gateway storage error");
		return;
	}
	c->bw_delta = 0;
	*c->cd->c_bw_claims += 1;
}

void
bw_result(struct conn *c, uint32_t kind, const struct gw_bandwidth *b)
{
	if (kind != REQ_BW_CLAIM || c->state != CS_READY)
		return;
	if (!b->ok)
		reply_error(c, "Internal gateway storage error");
	else
		reply_bandwidth(c, c->bw_avail);
}

/*
 * The decrypted CredentialSpendingData bytes go to credd (the
 * IMSG_CRED_VERIFY contract); credd credits storaged and answers.
 */
static void
bw_ecash(struct conn *c, const uint8_t *ticket, size_t len)
{
	struct gw_cred_req	 req;

	*c->cd->c_cred_requests += 1;
	if (len == 0 || len > GW_CRED_MAX) {
		reply_error(c, "the received encrypted data was malformed");
		return;
	}
	memset(&req, 0, sizeof(req));
	memcpy(req.client, c->client, sizeof(req.client));
	memcpy(req.addr, c->addr.b, sizeof(req.addr));
	req.kind = CRED_ECASH_TICKET;
	if (clientd_send2(c->cd, PROC_CREDD, IMSG_CRED_VERIFY, REQ_ID(c,
	    REQ_PLAIN), &req, sizeof(req), ticket, len) == -1)
		reply_error(c, "failed to verify provided ticket due to an "
		    "internal error");
}

/*
 * upgradeModeJWT (spec 6.6): credd checks the token, because the check
 * ends with a fresh fetch of the attestation that only credd can make.
 * The verdict comes back as an IMSG_CRED_RESULT tagged REQ_UPGRADE_JWT.
 */
static void
bw_upgrade_jwt(struct conn *c, const char *token, size_t len)
{
	struct gw_cred_req	 req;

	/* credd treats any other length as a broken sibling. */
	if (len == 0 || len > GW_CRED_MAX) {
		reply_error(c, "the upgrade mode JWT is malformed");
		return;
	}
	memset(&req, 0, sizeof(req));
	memcpy(req.client, c->client, sizeof(req.client));
	req.kind = CRED_UPGRADE_JWT;
	if (clientd_send2(c->cd, PROC_CREDD, IMSG_CRED_VERIFY, REQ_ID(c,
	    REQ_UPGRADE_JWT), &req, sizeof(req), token, len) == -1)
		reply_error(c, "failed to verify the upgrade mode JWT due "
		    "to an internal error");
}

/*
 * ecashCredential: enc_credential = AEAD(k, iv, CredentialSpendingData
 * bytes) (spec 6.3).  Only clientd holds the session key, so the ticket
 * goes to credd decrypted.
 */
void
bw_ecash_request(struct conn *c, const void *json)
{
	/* Room for one byte more than a nonce: json_bytes stores what it
	 * counts, and a 13-byte array must be told from a missing one. */
	uint8_t	*ct, *pt, nonce[CLIENT_NONCE_LEN + 1];
	int	 n, nl;

	ct = xmalloc(GW_CRED_MAX + CLIENT_TAG_LEN);
	pt = xmalloc(GW_CRED_MAX + CLIENT_TAG_LEN);
	n = json_bytes(json, "enc_credential", ct, GW_CRED_MAX +
	    CLIENT_TAG_LEN);
	nl = json_bytes(json, "iv", nonce, sizeof(nonce));
	if (nl < 0)
		nl = json_bytes(json, "nonce", nonce, sizeof(nonce));
	if (nl != CLIENT_NONCE_LEN)
		reply_error(c, "the provided nonce (or legacy IV) did not "
		    "have the expected length");
	else if (n <= CLIENT_TAG_LEN || gwcrypto_aead_open(c->aead, nonce,
	    ct, (size_t)n, pt) == -1)
		reply_error(c, "failed to decrypt provided credential");
	else
		bw_ecash(c, pt, (size_t)n - CLIENT_TAG_LEN);
	sodium_memzero(pt, GW_CRED_MAX + CLIENT_TAG_LEN);
	free(ct);
	free(pt);
}

/*
 * upgradeModeJWT {"token": JWT} (spec 6.6): already in upgrade mode,
 * the answer is at once (step 1); otherwise credd decides.
 */
void
bw_upgrade_jwt_request(struct conn *c, const void *json)
{
	json_t	*t = json_object_get(json, "token");

	if (!json_is_string(t)) {
		*c->cd->c_requests_bad += 1;
		reply_error(c, t == NULL ? "Provided text request was "
		    "malformed - missing field `token`" : "Provided text "
		    "request was malformed - invalid type for `token`, "
		    "expected a string");
		return;
	}
	if (c->cd->upgrade_mode)
		reply_bandwidth(c, c->bw_avail);
	else
		bw_upgrade_jwt(c, json_string_value(t), json_string_length(t));
}

void
bw_cred_result(struct conn *c, uint32_t kind, const struct gw_cred_result *r)
{
	char	 msg[sizeof(r->message)];

	if (c->state != CS_READY)
		return;
	if (kind == REQ_UPGRADE_JWT) {
		/*
		 * A verdict on a token, not a grant: r->available is not
		 * this client's balance and must not replace it.  credd
		 * accepts a token only while upgrade mode is on, and its
		 * IMSG_UPGRADE_MODE saying so came first on this pipe.
		 */
		if (!r->ok) {
			memcpy(msg, r->message, sizeof(msg));
			msg[sizeof(msg) - 1] = '\0';
			reply_error(c, msg[0] ? msg : "the upgrade mode JWT "
			    "failed to get verified");
		} else
			reply_bandwidth_mode(c, c->bw_avail, 1);
		return;
	}
	if (!r->ok) {
		memcpy(msg, r->message, sizeof(msg));
		msg[sizeof(msg) - 1] = '\0';
		reply_error(c, msg[0] ? msg : "the provided ticket failed "
		    "to get verified");
		return;
	}
	/* credd wrote the grant; what we spent since is still ours. */
	c->bw_avail = r->available + c->bw_delta;
	c->bw_expiry = r->expiry;
	reply_bandwidth(c, c->bw_avail);
}
