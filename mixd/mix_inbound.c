/*
 * The gateway's final hop (spec 2.6, 4): pick the key by the frame's
 * rotation byte, unwrap, drop replays (per-rotation Bloom filter, before
 * any decryption), split off the SURB-ack, hold the ack (mix_acks.c) and
 * hand the message to clientd, which settles the ack once the message is
 * safe.  A packet that is not final for us is dropped: a gateway is no
 * mix node.
 *
 * One scratch buffer receives every unwrap; nothing is allocated per
 * packet: the ack is copied into its slot of the held ring.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "histogram.h"
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

static void
mixd_key_drop(struct mixd *md, struct sphinx_key *k)
{
	struct replay_stats	 st;

	sodium_memzero(k->sk, sizeof(k->sk));
	if (k->replay != NULL) {
		replay_get_stats(k->replay, &st);
		*md->c.replay_filter_bytes -= st.bytes;
		replay_free(k->replay);
		k->replay = NULL;
	}
}

/* The key of rotation id among pool[0..n), taken out of it. */
static int
mixd_key_take(struct sphinx_key *pool, int *used, size_t n, uint32_t id,
    struct sphinx_key *out)
{
	size_t	 i, found = n;

	for (i = 0; i < n; i++) {
		if (used[i] || pool[i].rotation_id != id)
			continue;
		if (found != n)
			return -1;	/* two keys for one rotation */
		found = i;
	}
	if (found == n)
		return -1;
	used[found] = 1;
	*out = pool[found];
	return 0;
}

/*
 * The master's rotation step (IMSG_KEY_SPHINX_UPDATE): the new set is
 * taken from the keys held and the keys sent; a key kept keeps its
 * replay filter, a new key gets an empty one, a key left out is wiped
 * with its filter.  A message naming keys we do not have is the
 * master's bug, and serving on with keys nobody agreed on is worse.
 */
void
mixd_keys_update(struct mixd *md, const struct gw_key_update *u)
{
	struct sphinx_key	 pool[WORKER_MAX_KEYS + 2], next[2];
	struct replay_stats	 st;
	int			 used[WORKER_MAX_KEYS + 2];
	size_t			 i, n = 0, nn = 0, relabelled = 0;

	if (u->nnew > 2 || u->has_secondary > 1 || u->relabel > 1 ||
	    (u->has_secondary && u->secondary == u->primary))
		fatalx("%s: malformed key update", __func__);
	/* Packets under way finish with the keys they started with. */
	mix_cpupool_drain(md->pool);
	/* Tags go out under the ids they were seen with. */
	mix_replay_flush(md);
	for (i = 0; i < md->nkeys; i++) {
		pool[n] = md->keys[i];
		if (u->relabel && pool[n].rotation_id == 0) {
			pool[n].rotation_id = u->primary;
			relabelled++;
		}
		n++;
	}
	if (u->relabel && relabelled != 1)
		fatalx("%s: no key of rotation 0 to relabel", __func__);
	for (i = 0; i < u->nnew; i++, n++) {
		memset(&pool[n], 0, sizeof(pool[n]));
		memcpy(pool[n].sk, u->new[i].secret, sizeof(pool[n].sk));
		pool[n].rotation_id = u->new[i].rotation;
	}
	memset(used, 0, sizeof(used));
	if (mixd_key_take(pool, used, n, u->primary, &next[nn++]) == -1 ||
	    (u->has_secondary && mixd_key_take(pool, used, n, u->secondary,
	    &next[nn++]) == -1))
		fatalx("%s: key update names rotation keys not held",
		    __func__);
	for (i = 0; i < n; i++)
		if (!used[i])
			mixd_key_drop(md, &pool[i]);
	for (i = 0; i < nn; i++) {
		if (next[i].replay != NULL)
			continue;
		next[i].replay = replay_new(MIXD_REPLAY_ITEMS, MIXD_REPLAY_FP,
		    0);
		if (next[i].replay == NULL)
			fatal("replay filter");
		replay_get_stats(next[i].replay, &st);
		*md->c.replay_filter_bytes += st.bytes;
	}
	memcpy(md->keys, next, nn * sizeof(next[0]));
	md->nkeys = nn;
	sodium_memzero(pool, sizeof(pool));
	sodium_memzero(next, sizeof(next));
	*md->c.key_updates += 1;
	log_info("sphinx keys: primary rotation %u%s", md->keys[0].rotation_id,
	    nn > 1 ? ", and a second key" : "");
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

/*
 * A packet from a frame: to the unwrap threads when there are any
 * (mix_cpupool.c), else unwrapped here.  A packet we routed to
 * ourselves (depth > 0) is always unwrapped here.
 */
void
mixd_inbound_packet(struct mixd *md, uint8_t packet_type, uint8_t rotation,
    const uint8_t *pkt, size_t len)
{
	const struct sphinx_key	*cand[2];
	struct sphinx_result	 res;
	size_t			 n;
	int			 rc;

	if (packet_type != MIXFRAME_TYPE_SPHINX) {
		*md->c.frames_outfox += 1;
		return;
	}
	if (md->depth == 0 && mix_cpupool_submit(md->pool, packet_type,
	    rotation, pkt, len) == 0)
		return;
	n = sphinx_key_candidates(&md->keys[0], md->nkeys > 1 ?
	    &md->keys[1] : NULL, rotation, cand);
	if (n == 0) {
		*md->c.sphinx_no_key += 1;
		return;
	}
	if (md->depth == 0)
		md->rx_us = histogram_now_us();
	rc = sphinx_process(md->sphinx, cand, n, SPHINX_ACCEPT_FINAL, pkt, len,
	    md->scratch, &res);
	mixd_inbound_result(md, packet_type, rotation, len, rc,
	    rc == SPHINX_OK ? res.key->rotation_id : 0, &res);
	if (md->depth == 0)
		md->rx_us = 0;
}

/*
 * The rest of a packet once unwrapped, on the event loop whichever
 * thread unwrapped it: rc and res are sphinx_process's, rotation_id the
 * matching key's.
 */
void
mixd_inbound_result(struct mixd *md, uint8_t packet_type, uint8_t rotation,
    size_t len, int rc, uint32_t rotation_id, const struct sphinx_result *res)
{
	struct sphinx_final_msg	 m;
	uint64_t		 ack_id = 0;

	if (rc != SPHINX_OK) {
		mixd_sphinx_drop(md, rc);
		return;
	}
	/* In the filter now; to the master, so a restart remembers it. */
	mix_replay_note(md, rotation_id, res->replay_tag);
	rc = sphinx_payload_split(len, res->plaintext, res->plaintext_len, &m);
	if (rc != SPHINX_PAYLOAD_OK) {
		/* No usable ack: Nym drops the message too (spec 4.2). */
		*md->c.payload_bad += 1;
		return;
	}
	if (m.has_ack) {
		if (m.ack_packet_len != SPHINX_SIZE_ACK) {
			*md->c.payload_bad += 1;
			return;
		}
		/* Copied out of the scratch buffer into its slot. */
		if (md->acks != NULL)
			ack_id = mix_acks_hold(md->acks, &m.ack_first_hop,
			    packet_type, rotation, m.ack_packet);
	}
	if (m.message_len == 0 || m.message_len > GW_MESSAGE_MAX) {
		/* Empty: nothing to keep, the ack only waits its turn.
		 * Too large for any client: not kept, so no ack. */
		*md->c.message_empty += 1;
		if (ack_id != 0)
			mix_acks_settle(md->acks, ack_id, m.message_len == 0);
		return;
	}
	*md->c.final_deliveries += 1;
	md->out->deliver(md, res->destination, m.message, m.message_len,
	    ack_id);
}
