/*
 * nym-api's describe-cache refresh (doc/spec/refresh-described.md):
 * the body nym-node POSTs to /v1/nym-nodes/refresh-described at start
 * so nym-api fetches its host information again.  Only the master
 * holds the identity key, so it signs; credd, which alone talks to
 * nym-api, only asks "sign one for now".  The master builds every
 * byte of the plaintext itself, from its own key and clock, so a
 * compromised credd gets nothing of its choosing signed, and a request
 * within REFRESH_SIGN_MIN_S of the last is answered with the last
 * signature instead of a new one.
 */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "gatewayd.h"
#include "log.h"
#include "util.h"

#define REFRESH_SIGN_MIN_S	1

static struct gw_refresh_signed	 refresh_last;
static time_t			 refresh_last_at;

/* NodeRefreshBody::plaintext: identity || be64(ts) || the label. */
size_t
refresh_plaintext(const uint8_t identity[32], int64_t ts,
    uint8_t out[REFRESH_PLAINTEXT_LEN])
{
	uint64_t	 u = (uint64_t)ts;
	size_t		 i;

	memcpy(out, identity, 32);
	for (i = 0; i < 8; i++)
		out[32 + i] = (uint8_t)(u >> (56 - 8 * i));
	memcpy(out + 40, REFRESH_LABEL, sizeof(REFRESH_LABEL) - 1);
	return REFRESH_PLAINTEXT_LEN;
}

void
refresh_sign(const uint8_t pk[32], const uint8_t sk[64], int64_t ts,
    struct gw_refresh_signed *out)
{
	uint8_t	 pt[REFRESH_PLAINTEXT_LEN];

	memset(out, 0, sizeof(*out));
	memcpy(out->identity, pk, 32);
	out->timestamp = ts;
	refresh_plaintext(pk, ts, pt);
	crypto_sign_detached(out->signature, NULL, pt, sizeof(pt), sk);
}

static void
refresh_send(struct gatewayd *gw, int fresh)
{
	time_t	 now = time(NULL);

	if (fresh || refresh_last_at == 0 ||
	    now - refresh_last_at >= REFRESH_SIGN_MIN_S ||
	    now < refresh_last_at) {
		refresh_sign(gw->identity.pk, gw->identity.sk, (int64_t)now,
		    &refresh_last);
		refresh_last_at = now;
		*counter_get(&gw->counters, "refresh_signed") += 1;
	}
	if (imsgev_compose(gw->workers[PROC_CREDD].iev, IMSG_REFRESH_SIGNED,
	    0, -1, &refresh_last, sizeof(refresh_last)) == -1)
		fatal("%s", __func__);
}

/* credd's IMSG_REFRESH_SIGN (payload none, checked by the role table). */
void
refresh_request(struct gatewayd *gw)
{
	refresh_send(gw, 0);
}

/* The host information changed after start: tell nym-api, via credd. */
void
refresh_push(struct gatewayd *gw)
{
	if (gw->serving && gw->workers[PROC_CREDD].iev != NULL)
		refresh_send(gw, 1);
}
