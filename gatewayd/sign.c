/*
 * Registration signing: the only use of the identity key at run time.
 * clientd sends the client's ephemeral key and salt (fixed size, checked
 * exactly); the master makes the gateway's ephemeral key pair itself,
 * signs G^y || G^x, derives the session key and returns the three.  So
 * every signed message begins with a fresh key of the master's own
 * choosing, and a compromised clientd gets no chosen text signed.  A
 * token bucket bounds the CPU a flood of requests can take from us.
 */
#include <string.h>

#include <sodium.h>

#include "client_crypto.h"
#include "gatewayd.h"
#include "log.h"
#include "util.h"
#include "verloc.h"

#define SIGN_RATE	2000	/* signatures per second, sustained */
#define SIGN_BURST	4000

static double	 sign_tokens = SIGN_BURST;
static uint64_t	 sign_last_ms;

static int
sign_allowed(void)
{
	uint64_t	 now = gw_now_ms();

	sign_tokens += (double)(now - sign_last_ms) * SIGN_RATE / 1000.0;
	if (sign_tokens > SIGN_BURST)
		sign_tokens = SIGN_BURST;
	sign_last_ms = now;
	if (sign_tokens < 1.0)
		return 0;
	sign_tokens -= 1.0;
	return 1;
}

void
sign_handshake(struct gatewayd *gw, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_hs_sign_req		 req;
	struct gw_hs_sign_result	 res;
	uint8_t				 y[32], msg[64];

	imsg_need(iev, imsg, &req, sizeof(req));
	memset(&res, 0, sizeof(res));
	if (!sign_allowed()) {
		*counter_get(&gw->counters, "sign_refused_rate") += 1;
		goto reply;
	}
	randombytes_buf(y, sizeof(y));
	crypto_scalarmult_base(res.gw_eph, y);
	memcpy(msg, res.gw_eph, 32);
	memcpy(msg + 32, req.client_eph, 32);
	crypto_sign_detached(res.signature, NULL, msg, sizeof(msg),
	    gw->identity.sk);
	if (client_hs_derive_key(y, req.client_eph, req.salt, res.key) !=
	    CLIENT_OK) {
		/* A low-order point from the client: no shared secret. */
		memset(&res, 0, sizeof(res));
		*counter_get(&gw->counters, "sign_refused_bad_key") += 1;
		goto reply;
	}
	res.ok = 1;
	*counter_get(&gw->counters, "handshakes_signed") += 1;
reply:
	sodium_memzero(y, sizeof(y));
	if (imsgev_compose(iev, IMSG_HS_SIGN_RESULT, imsg->hdr.peerid, -1,
	    &res, sizeof(res)) == -1)
		fatal("%s", __func__);
	sodium_memzero(&res, sizeof(res));
}

/*
 * Verloc replies (doc/spec/verloc.md): apid sends an echo packet as a
 * peer sent it; the master signs its 104 bytes only if the echo's own
 * signature verifies under the key inside it.  So whatever apid asks,
 * the signed text is seq || key || a valid signature by that key of
 * seq || key: a verloc echo and nothing else (a handshake's signed
 * text is 64 bytes, never 104).  Its own bucket, so a verloc flood
 * cannot starve registrations.
 */
#define VERLOC_SIGN_RATE	1000
#define VERLOC_SIGN_BURST	2000

static double	 verloc_tokens = VERLOC_SIGN_BURST;
static uint64_t	 verloc_last_ms;

static int
verloc_sign_allowed(void)
{
	uint64_t	 now = gw_now_ms();

	verloc_tokens += (double)(now - verloc_last_ms) * VERLOC_SIGN_RATE /
	    1000.0;
	if (verloc_tokens > VERLOC_SIGN_BURST)
		verloc_tokens = VERLOC_SIGN_BURST;
	verloc_last_ms = now;
	if (verloc_tokens < 1.0)
		return 0;
	verloc_tokens -= 1.0;
	return 1;
}

void
sign_verloc(struct gatewayd *gw, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_verloc_sign_req	 req;
	struct gw_verloc_sign_result	 res;
	struct verloc_echo		 e;

	imsg_need(iev, imsg, &req, sizeof(req));
	memset(&res, 0, sizeof(res));
	if (!verloc_sign_allowed()) {
		*counter_get(&gw->counters, "verloc_sign_refused_rate") += 1;
		goto reply;
	}
	if (verloc_echo_parse(req.echo, sizeof(req.echo), &e) != VERLOC_OK) {
		*counter_get(&gw->counters, "verloc_sign_refused_bad") += 1;
		goto reply;
	}
	crypto_sign_detached(res.signature, NULL, req.echo, sizeof(req.echo),
	    gw->identity.sk);
	res.ok = 1;
	*counter_get(&gw->counters, "verloc_replies_signed") += 1;
reply:
	if (imsgev_compose(iev, IMSG_VERLOC_SIGN_RESULT, imsg->hdr.peerid, -1,
	    &res, sizeof(res)) == -1)
		fatal("%s", __func__);
}
