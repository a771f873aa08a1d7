/*
 * The gateway's final hop (spec 2.6, 4): pick the key by the frame's
 * rotation byte, unwrap, drop replays (per-rotation Bloom filter, before
 * any decryption), split off the SURB-ack, hand the message to clientd
 * and send the ack to its first hop at once.  A packet that is not
 * final for us is dropped: a gateway is no mix node.
 *
 * One scratch buffer receives every unwrap; nothing is allocated per
 * packet.  The message is handed off (copied into the imsg queue) before
 * the ack is routed, because an ack to ourselves is unwrapped again
 * into the same scratch buffer.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "mixd.h"
#include "mixframe.h"
#include "replay.h"
#include "sphinx_payload.h"
#include "util.h"

/* An ack to ourselves nests once; nothing legitimate nests deeper. */
#define MIXD_MAX_DEPTH	2

void
mixd_keys_init(struct mixd *md, const struct gw_key_sphinx *k, size_t n)
{
	struct replay_stats	 st;
	size_t			 i;

	if (n == 0 || n > WORKER_MAX_KEYS)
		fatalx("%s: %zu Sphinx keys", __func__, n);
	md->nkeys = n;
	for (i = 0; i < n; i++) {
		memcpy(md->keys[i].sk, k[i].secret, sizeof(md->keys[i].sk));
		md->keys[i].rotation_id = k[i].rotation;
		md->keys[i].replay = replay_new(MIXD_REPLAY_ITEMS,
		    MIXD_REPLAY_FP, 0);
		if (md->keys[i].replay == NULL)
			fatal("replay filter");
		replay_get_stats(md->keys[i].replay, &st);
		*md->c.replay_filter_bytes += st.bytes;
	}
	if ((md->sphinx = sphinx_ctx_new()) == NULL)
		fatalx("sphinx_ctx_new");
	md->scratch = xmalloc(SPHINX_MAX_PACKET);
}

void
mixd_keys_wipe(struct mixd *md)
{
	size_t	 i;

	for (i = 0; i < md->nkeys; i++) {
		sodium_memzero(md->keys[i].sk, sizeof(md->keys[i].sk));
		replay_free(md->keys[i].replay);
		md->keys[i].replay = NULL;
	}
	md->nkeys = 0;
	if (md->scratch != NULL) {
		/* The last plaintext: not a secret, but nobody's business. */
		sodium_memzero(md->scratch, SPHINX_MAX_PACKET);
		free(md->scratch);
		md->scratch = NULL;
	}
	sphinx_ctx_free(md->sphinx);
	md->sphinx = NULL;
}

int
mixd_is_self(const struct mixd *md, const struct nodeaddr *a)
{
	static const uint8_t	 lo6[16] = { [15] = 1 };
	unsigned		 i;
	int			 loopback;

	loopback = (a->family == 4 && a->ip[0] == 127) ||
	    (a->family == 6 && memcmp(a->ip, lo6, 16) == 0);
	for (i = 0; i < md->nself; i++) {
		if (md->self[i].port != a->port)
			continue;
		if (nodeaddr_eq(&md->self[i], a))
			return 1;
		/* A wildcard listener is reached through loopback too. */
		if (md->self_any[i] && loopback)
			return 1;
	}
	return 0;
}

void
mixd_route(struct mixd *md, const struct nodeaddr *to, uint8_t packet_type,
    uint8_t rotation, const uint8_t *pkt, size_t len)
{
	if (mixd_is_self(md, to)) {
		if (md->depth >= MIXD_MAX_DEPTH) {
			*md->c.sphinx_other += 1;
			return;
		}
		*md->c.self_deliveries += 1;
		md->depth++;
		mixd_inbound_packet(md, packet_type, rotation, pkt, len);
		md->depth--;
		return;
	}
	md->out->forward(md, to, packet_type, rotation, pkt, len);
}

/* Count a Sphinx failure by its reason. */
static void
mixd_sphinx_drop(struct mixd *md, int rc)
{
	switch (rc) {
	case SPHINX_ERR_REPLAY:
		*md->c.replays += 1;
		break;
	case SPHINX_ERR_MAC:
		*md->c.sphinx_mac += 1;
		break;
	case SPHINX_ERR_NO_KEY:
		*md->c.sphinx_no_key += 1;
		break;
	case SPHINX_ERR_LENGTH:
		*md->c.sphinx_length += 1;
		break;
	case SPHINX_ERR_HOP_TYPE:
		*md->c.non_final_dropped += 1;
		break;
	default:
		*md->c.sphinx_other += 1;
		break;
	}
}

void
mixd_inbound_packet(struct mixd *md, uint8_t packet_type, uint8_t rotation,
    const uint8_t *pkt, size_t len)
{
	const struct sphinx_key	*cand[2];
	struct sphinx_result	 res;
	struct sphinx_final_msg	 m;
	uint8_t			 ack[SPHINX_SIZE_ACK];
	struct nodeaddr		 ack_to;
	size_t			 n;
	int			 rc, has_ack;

	if (packet_type != MIXFRAME_TYPE_SPHINX) {
		*md->c.frames_outfox += 1;
		return;
	}
	n = sphinx_key_candidates(&md->keys[0], md->nkeys > 1 ?
	    &md->keys[1] : NULL, rotation, cand);
	if (n == 0) {
		*md->c.sphinx_no_key += 1;
		return;
	}
	rc = sphinx_process(md->sphinx, cand, n, SPHINX_ACCEPT_FINAL, pkt, len,
	    md->scratch, &res);
	if (rc != SPHINX_OK) {
		mixd_sphinx_drop(md, rc);
		return;
	}
	rc = sphinx_payload_split(len, res.plaintext, res.plaintext_len, &m);
	if (rc != SPHINX_PAYLOAD_OK) {
		/* No usable ack: Nym drops the message too (spec 4.2). */
		*md->c.payload_bad += 1;
		return;
	}
	/* Keep the ack: the scratch buffer may be reused below. */
	if ((has_ack = m.has_ack) != 0) {
		if (m.ack_packet_len != sizeof(ack)) {
			*md->c.payload_bad += 1;
			return;
		}
		memcpy(ack, m.ack_packet, sizeof(ack));
		ack_to = m.ack_first_hop;
	}
	if (m.message_len == 0 || m.message_len > GW_MESSAGE_MAX)
		*md->c.message_empty += 1;
	else {
		md->out->deliver(md, res.destination, m.message,
		    m.message_len);
		*md->c.final_deliveries += 1;
	}
	if (has_ack) {
		*md->c.acks_forwarded += 1;
		mixd_route(md, &ack_to, packet_type, rotation, ack,
		    sizeof(ack));
	}
}
