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
 * Verloc replies (doc/spec/verloc.md): verlocd sends an echo packet as
 * a peer sent it; the master signs its 104 bytes only if the echo's own
 * signature verifies under the key inside it.  So whatever verlocd asks,
 * the signed text is seq || key || a valid signature by that key of
 * seq || key: a verloc echo and nothing else (a handshake's signed
 * text is 64 bytes, never 104).  Its own bucket, so a verloc flood
 * cannot starve registrations.
 */
#define VERLOC_SIGN_RATE	1000
#define VERLOC_SIGN_BURST	2000

struct bucket {
	double		 tokens;
	uint64_t	 last_ms;
};

static struct bucket	 verloc_replies = { VERLOC_SIGN_BURST, 0 };
static struct bucket	 verloc_echoes = { VERLOC_SIGN_BURST, 0 };

static int
verloc_sign_allowed(struct bucket *b)
{
	uint64_t	 now = gw_now_ms();

	b->tokens += (double)(now - b->last_ms) * VERLOC_SIGN_RATE / 1000.0;
	if (b->tokens > VERLOC_SIGN_BURST)
		b->tokens = VERLOC_SIGN_BURST;
	b->last_ms = now;
	if (b->tokens < 1.0)
		return 0;
	b->tokens -= 1.0;
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
	if (!verloc_sign_allowed(&verloc_replies)) {
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

/*
 * Our own echo packets (the measurer's, doc/spec/verloc.md 4): verlocd
 * asks for seq || key, 40 bytes, and the key must be our own identity,
 * so the signed text is always an echo of ours: 40 bytes, which is
 * neither a handshake's 64, a reply's 104 nor a refresh request's 70.
 * A bucket of its own: a measuring run cannot starve the replies to
 * peers, nor they it.
 */
void
sign_verloc_echo(struct gatewayd *gw, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_verloc_echo_req	 req;
	struct gw_verloc_sign_result	 res;

	imsg_need(iev, imsg, &req, sizeof(req));
	memset(&res, 0, sizeof(res));
	if (sodium_memcmp(req.signed_part + VERLOC_SEQ_LEN, gw->identity.pk,
	    VERLOC_KEY_LEN) != 0) {
		*counter_get(&gw->counters, "verloc_echo_refused_key") += 1;
		goto reply;
	}
	if (!verloc_sign_allowed(&verloc_echoes)) {
		*counter_get(&gw->counters, "verloc_echo_refused_rate") += 1;
		goto reply;
	}
	crypto_sign_detached(res.signature, NULL, req.signed_part,
	    sizeof(req.signed_part), gw->identity.sk);
	res.ok = 1;
	*counter_get(&gw->counters, "verloc_echoes_signed") += 1;
reply:
	if (imsgev_compose(iev, IMSG_VERLOC_ECHO_SIGNED, imsg->hdr.peerid, -1,
	    &res, sizeof(res)) == -1)
		fatal("%s", __func__);
}
