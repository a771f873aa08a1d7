/*
 * mixd's inbound path without sockets: frames -> Sphinx -> hand-off.
 * Final-hop packets are delivered and their acks routed (to ourselves:
 * unwrapped again), replays, wrong keys and forward hops are dropped
 * and counted, a bad header breaks only the stream it is in, and a
 * stream cut at every byte decodes the same.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mixd/mixd.h"
#include "mixframe.h"
#include "replay.h"
#include "sphinx_create.h"
#include "testlib.h"

static struct worker	 w;
static struct mixd	 md;
static uint8_t		 pk[32];
static unsigned		 ndeliver, nforward;
static uint8_t		 last_client[32];

static int	 settle_at_once = 1;
static uint64_t	 last_ack;

static void
t_deliver(struct mixd *m, const uint8_t client[32], const uint8_t *msg,
    size_t len, uint64_t ack_id)
{
	(void)msg;
	(void)len;
	memcpy(last_client, client, 32);
	ndeliver++;
	last_ack = ack_id;
	/* As clientd does once the message is safe. */
	if (settle_at_once && ack_id != 0)
		mix_acks_settle(m->acks, ack_id, 1);
}

static void
t_forward(struct mixd *m, const struct nodeaddr *to, uint8_t type,
    uint8_t rotation, const uint8_t *pkt, size_t len)
{
	(void)m;
	(void)to;
	(void)type;
	(void)rotation;
	(void)pkt;
	(void)len;
	nforward++;
}

static const struct mixd_out t_out = { t_deliver, t_forward };

static void
hop(struct sphinx_route_hop *h, const char *a, const uint8_t *k)
{
	struct nodeaddr	 na;

	memset(h, 0, sizeof(*h));
	nodeaddr_parse(a, &na);
	nodeaddr_encode(&na, h->address, sizeof(h->address));
	memcpy(h->pubkey, k, 32);
}

/* A framed packet to client over route (1 or 2 hops) with an ack to
 * ackto; returns the frame length. */
static size_t
frame(uint8_t *out, const struct sphinx_route_hop *route, size_t nhops,
    const uint8_t client[32], const char *ackto, int version)
{
	struct sphinx_route_hop	 ar;
	uint8_t			 msg[SPHINX_SURB_ACK_LEN + 16], am[21];
	uint8_t			 pkt[SPHINX_SIZE_REGULAR], id[16] = { 0 };
	uint8_t			 sender[32];

	randombytes_buf(am, sizeof(am));
	randombytes_buf(sender, sizeof(sender));
	hop(&ar, ackto, pk);
	if (sphinx_surb_ack_create(md.sphinx, 258, &ar, 1, sender, am,
	    sizeof(am), NULL, msg) != SPHINX_OK)
		abort();
	memset(msg + SPHINX_SURB_ACK_LEN, 'm', 16);
	if (sphinx_create(md.sphinx, 258, route, nhops, client, id, msg,
	    sizeof(msg), sizeof(pkt), NULL, pkt) != SPHINX_OK)
		abort();
	return (size_t)mixframe_encode((uint8_t)version, 0, 0, pkt,
	    sizeof(pkt), out, SPHINX_SIZE_REGULAR + 4);
}

int
main(void)
{
	struct sphinx_route_hop	 us, other[2];
	struct mix_rx		 rx;
	uint8_t			 client[32], otherpk[32], sk[32];
	uint8_t			*buf = malloc(8 * SPHINX_SIZE_REGULAR);
	size_t			 n, m, i;
	int			 rc;

	if (sodium_init() == -1 || buf == NULL)
		return 1;
	md.w = &w;
	md.out = &t_out;
	TAILQ_INIT(&md.conns);
	mixd_counters_init(&md, &w.counters);
	{
		struct gw_key_sphinx	 k;

		memset(&k, 0, sizeof(k));
		randombytes_buf(k.secret, sizeof(k.secret));
		crypto_scalarmult_base(pk, k.secret);
		mixd_keys_init(&md, &k, 1);
	}
	nodeaddr_parse("127.0.0.1:1789", &md.self[0]);
	md.nself = 1;
	md.acks = mix_acks_new(&md);
	randombytes_buf(client, sizeof(client));
	hop(&us, "127.0.0.1:1789", pk);
	mix_rx_init(&rx);

	T_BEGIN("final hop: delivered to its client, ack routed on");
	n = frame(buf, &us, 1, client, "10.0.0.1:1789", 7);
	CHECK(mixd_inbound_feed(&md, &rx, buf, n) == 0);
	CHECK(ndeliver == 1 && nforward == 1);
	CHECK(memcmp(last_client, client, 32) == 0);
	CHECK(*md.c.final_deliveries == 1 && *md.c.acks_forwarded == 1);
	T_END();

	T_BEGIN("the same packet again is a replay");
	CHECK(mixd_inbound_feed(&md, &rx, buf, n) == 0);
	CHECK(ndeliver == 1 && *md.c.replays == 1);
	T_END();

	T_BEGIN("an ack to our own address is unwrapped here");
	n = frame(buf, &us, 1, client, "127.0.0.1:1789", 8);
	CHECK(mixd_inbound_feed(&md, &rx, buf, n) == 0);
	CHECK(ndeliver == 3 && nforward == 1);
	CHECK(*md.c.self_deliveries == 1);
	T_END();

	T_BEGIN("a forward hop is no business of a gateway's");
	randombytes_buf(sk, sizeof(sk));
	crypto_scalarmult_base(otherpk, sk);
	other[0] = us;
	hop(&other[1], "10.0.0.2:1789", otherpk);
	n = frame(buf, other, 2, client, "10.0.0.1:1789", 7);
	CHECK(mixd_inbound_feed(&md, &rx, buf, n) == 0);
	CHECK(*md.c.non_final_dropped == 1 && ndeliver == 3);
	T_END();

	T_BEGIN("a packet for another key fails its MAC");
	hop(&other[0], "127.0.0.1:1789", otherpk);
	n = frame(buf, other, 1, client, "10.0.0.1:1789", 7);
	CHECK(mixd_inbound_feed(&md, &rx, buf, n) == 0);
	CHECK(*md.c.sphinx_mac == 1 && ndeliver == 3);
	T_END();

	T_BEGIN("three frames cut at every byte decode the same");
	n = frame(buf, &us, 1, client, "10.0.0.1:1789", 7);
	m = frame(buf + n, &us, 1, client, "10.0.0.1:1789", 8);
	m += frame(buf + n + m, &us, 1, client, "10.0.0.1:1789", 7);
	rc = 0;
	for (i = 0; i < n + m && rc == 0; i++)
		rc = mixd_inbound_feed(&md, &rx, buf + i, 1);
	CHECK(rc == 0 && rx.len == 0);
	CHECK(ndeliver == 6);
	T_END();

	T_BEGIN("a bad frame header ends the stream, counted");
	buf[0] = 0x06;
	CHECK(mixd_inbound_feed(&md, &rx, buf, 16) == -1);
	CHECK(*md.c.frames_bad_header == 1);
	rx.len = 0;
	buf[0] = 0x07;
	buf[1] = 0x09;
	CHECK(mixd_inbound_feed(&md, &rx, buf, 16) == -1);
	CHECK(*md.c.frames_bad_size == 1);
	T_END();

	T_BEGIN("replay filter memory is reported");
	CHECK(*md.c.replay_filter_bytes > 1000000);
	T_END();

	/* Acks held until clientd settles their messages (mix_acks.c). */
	settle_at_once = 0;
	mix_rx_free(&rx);
	mix_rx_init(&rx);
	T_BEGIN("an ack waits for its message to be safe");
	ndeliver = nforward = 0;
	n = frame(buf, &us, 1, client, "10.0.0.1:1789", 7);
	CHECK(mixd_inbound_feed(&md, &rx, buf, n) == 0);
	CHECK(ndeliver == 1 && last_ack != 0 && nforward == 0);
	CHECK(*md.c.acks_held == 1);
	mix_acks_settle(md.acks, last_ack, 1);
	CHECK(nforward == 1 && *md.c.acks_held == 0);
	T_END();

	T_BEGIN("a message not kept sends no ack");
	nforward = 0;
	n = frame(buf, &us, 1, client, "10.0.0.1:1789", 7);
	CHECK(mixd_inbound_feed(&md, &rx, buf, n) == 0);
	m = *md.c.acks_withheld;
	mix_acks_settle(md.acks, last_ack, 0);
	CHECK(nforward == 0 && *md.c.acks_withheld == m + 1);
	/* A second word for the same id changes nothing. */
	mix_acks_settle(md.acks, last_ack, 1);
	CHECK(nforward == 0 && *md.c.acks_held == 0);
	T_END();

	T_BEGIN("acks leave in arrival order, the first holds the rest");
	{
		uint64_t first, second;

		nforward = 0;
		n = frame(buf, &us, 1, client, "10.0.0.1:1789", 7);
		CHECK(mixd_inbound_feed(&md, &rx, buf, n) == 0);
		first = last_ack;
		n = frame(buf, &us, 1, client, "10.0.0.1:1789", 7);
		CHECK(mixd_inbound_feed(&md, &rx, buf, n) == 0);
		second = last_ack;
		CHECK(second == first + 1);
		mix_acks_settle(md.acks, second, 1);
		CHECK(nforward == 0 && *md.c.acks_held == 2);
		mix_acks_settle(md.acks, first, 1);
		CHECK(nforward == 2 && *md.c.acks_held == 0);
		/* Settling an id not held (a lying sibling) is ignored. */
		mix_acks_settle(md.acks, second + 1000, 1);
		CHECK(nforward == 2);
	}
	T_END();

	mix_acks_free(md.acks);
	mix_rx_free(&rx);
	mixd_keys_wipe(&md);
	free(buf);
	return t_done();
}
