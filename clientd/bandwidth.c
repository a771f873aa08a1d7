/*
 * Bandwidth (client-protocol.md 6): a balance per session kept in
 * memory, charged per forwarded packet, written back to storaged as a
 * delta every CLIENTD_BW_FLUSH bytes and when the session ends; grants
 * are written at once and answered once committed.  Free testnet
 * bandwidth unless enforce_zk_nyms; tickets go to credd.  While credd
 * says upgrade mode is on (spec 6.6) nothing is charged and responses
 * report at least GW_UPGRADE_BANDWIDTH.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "clientd.h"
#include "log.h"

int64_t
bw_today(void)
{
	time_t	 now = time(NULL);

	return (int64_t)(now - now % 86400);
}

/* Expired balances count as zero (spec 6.1). */
static void
bw_expire(struct conn *c)
{
	if (c->bw_expiry >= bw_today() || c->bw_avail == 0)
		return;
	c->bw_delta -= c->bw_avail;
	c->bw_avail = 0;
}

void
bw_load(struct conn *c, const struct gw_bandwidth *b)
{
	c->bw_avail = b->available;
	c->bw_expiry = b->expiry;
	c->bw_delta = 0;
	bw_expire(c);
	bw_flush(c);
}

/*
 * The balance a response reports: during upgrade mode at least
 * GW_UPGRADE_BANDWIDTH, so a client never thinks it ran out while it
 * is not being charged.
 */
int64_t
bw_report(int upgrade, int64_t avail)
{
	if (upgrade && avail < GW_UPGRADE_BANDWIDTH)
		return GW_UPGRADE_BANDWIDTH;
	return avail;
}

const char *
bw_upgrade_json(int upgrade)
{
	return upgrade ? "true" : "false";
}

/* *avail is the real balance; responses pass it through bw_report. */
int
bw_charge(struct conn *c, int64_t n, int64_t *avail)
{
	bw_expire(c);
	if (c->cd->upgrade_mode) {
		/* Spec 6.6: free while upgrade mode is on. */
		*avail = c->bw_avail;
		return 0;
	}
	if (c->bw_avail < n) {
		*avail = c->bw_avail;
		return -1;
	}
	c->bw_avail -= n;
	c->bw_delta -= n;
	*c->cd->c_bw_spent += (uint64_t)n;
	if (-c->bw_delta >= CLIENTD_BW_FLUSH)
		bw_flush(c);
	*avail = c->bw_avail;
	return 0;
}

void
bw_flush(struct conn *c)
{
	struct gw_bandwidth_adjust	 adj;

	if (c->bw_delta == 0)
		return;
	memset(&adj, 0, sizeof(adj));
	memcpy(adj.client, c->client, sizeof(adj.client));
	adj.delta = c->bw_delta;
	if (clientd_send(c->cd, PROC_STORAGED, IMSG_BANDWIDTH_ADJUST,
	    REQ_ID(c, REQ_BW_FLUSH), &adj, sizeof(adj)) == 0)
		c->bw_delta = 0;
}

void
bw_claim_free(struct conn *c)
{
	struct gw_bandwidth_adjust	 adj;

	if (c->cd->conf->enforce_zk_nyms) {
		session_error(c, "This gateway is only accepting coconut "
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
		session_error(c, "Internal gateway storage error");
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
		session_error(c, "Internal gateway storage error");
	else
		send_bandwidth(c, c->bw_avail);
}

/*
 * The decrypted CredentialSpendingData bytes go to credd (the
 * IMSG_CRED_VERIFY contract); credd credits storaged and answers.
 */
void
bw_ecash(struct conn *c, const uint8_t *ticket, size_t len)
{
	struct gw_cred_req	 req;
	struct iovec		 iov[2];

	*c->cd->c_cred_requests += 1;
	if (len == 0 || len > GW_CRED_MAX) {
		session_error(c, "the received encrypted data was malformed");
		return;
	}
	memset(&req, 0, sizeof(req));
	memcpy(req.client, c->client, sizeof(req.client));
	memcpy(req.addr, c->addr.b, sizeof(req.addr));
	req.kind = CRED_ECASH_TICKET;
	iov[0].iov_base = &req;
	iov[0].iov_len = sizeof(req);
	iov[1].iov_base = (void *)(uintptr_t)ticket;
	iov[1].iov_len = len;
	if (clientd_sendv(c->cd, PROC_CREDD, IMSG_CRED_VERIFY,
	    REQ_ID(c, REQ_PLAIN), iov, 2) == -1)
		session_error(c, "failed to verify provided ticket due to an "
		    "internal error");
}

/*
 * upgradeModeJWT (spec 6.6): credd checks the token, because the check
 * ends with a fresh fetch of the attestation that only credd can make.
 * The verdict comes back as an IMSG_CRED_RESULT tagged REQ_UPGRADE_JWT.
 */
void
bw_upgrade_jwt(struct conn *c, const char *token, size_t len)
{
	struct gw_cred_req	 req;
	struct iovec		 iov[2];

	/* credd treats any other length as a broken sibling. */
	if (len == 0 || len > GW_CRED_MAX) {
		session_error(c, "the upgrade mode JWT is malformed");
		return;
	}
	memset(&req, 0, sizeof(req));
	memcpy(req.client, c->client, sizeof(req.client));
	req.kind = CRED_UPGRADE_JWT;
	iov[0].iov_base = &req;
	iov[0].iov_len = sizeof(req);
	iov[1].iov_base = (void *)(uintptr_t)token;
	iov[1].iov_len = len;
	if (clientd_sendv(c->cd, PROC_CREDD, IMSG_CRED_VERIFY,
	    REQ_ID(c, REQ_UPGRADE_JWT), iov, 2) == -1)
		session_error(c, "failed to verify the upgrade mode JWT due "
		    "to an internal error");
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
			session_error(c, msg[0] ? msg : "the upgrade mode JWT "
			    "failed to get verified");
		} else
			send_bandwidth_mode(c, c->bw_avail, 1);
		return;
	}
	if (!r->ok) {
		memcpy(msg, r->message, sizeof(msg));
		msg[sizeof(msg) - 1] = '\0';
		session_error(c, msg[0] ? msg : "the provided ticket failed "
		    "to get verified");
		return;
	}
	/* credd wrote the grant; what we spent since is still ours. */
	c->bw_avail = r->available + c->bw_delta;
	c->bw_expiry = r->expiry;
	send_bandwidth(c, c->bw_avail);
}
