/*
 * mixd's unwrap threads (mix_cpupool.c) without sockets: packets handed
 * to the pool come out as the inline path would deliver them, and the
 * replay check stays exact under concurrency: four copies of a packet
 * queued back to back reach four threads at once, and for every packet
 * exactly one copy is delivered, many times over.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mixd/mixd.h"
#include "mixframe.h"
#include "sphinx_create.h"
#include "testlib.h"

#define NPACKETS	600
#define COPIES		4
#define NTHREADS	4

static struct worker	 w;
static struct mixd	 md;
static uint8_t		 pk[32];
static unsigned		 ndeliver, nforward;
static unsigned		 seen[NPACKETS];
static int		 bad_msg;

/* The message carries its packet's number in its first bytes. */
static void
t_deliver(struct mixd *m, const uint8_t client[32], const uint8_t *msg,
    size_t len, uint64_t ack_id)
{
	unsigned	 i;

	(void)client;
	ndeliver++;
	if (len < sizeof(i)) {
		bad_msg++;
		return;
	}
	memcpy(&i, msg, sizeof(i));
	if (i >= NPACKETS)
		bad_msg++;
	else
		seen[i]++;
	if (ack_id != 0)
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

/* Packet number i for client, with an ack to a mix node. */
static void
packet(uint8_t *pkt, unsigned i, const uint8_t client[32])
{
	struct sphinx_route_hop	 us, ar;
	uint8_t			 msg[SPHINX_SURB_ACK_LEN + 64], am[21];
	uint8_t			 id[16] = { 0 }, sender[32];

	randombytes_buf(am, sizeof(am));
	randombytes_buf(sender, sizeof(sender));
	hop(&us, "127.0.0.1:1789", pk);
	hop(&ar, "10.0.0.1:1789", pk);
	if (sphinx_surb_ack_create(md.sphinx, 258, &ar, 1, sender, am,
	    sizeof(am), NULL, msg) != SPHINX_OK)
		abort();
	memset(msg + SPHINX_SURB_ACK_LEN, 'm', 64);
	memcpy(msg + SPHINX_SURB_ACK_LEN, &i, sizeof(i));
	if (sphinx_create(md.sphinx, 258, &us, 1, client, id, msg,
	    sizeof(msg), SPHINX_SIZE_REGULAR, NULL, pkt) != SPHINX_OK)
		abort();
}

int
main(void)
{
	struct gw_key_sphinx	 k;
	uint8_t			 client[32];
	uint8_t			*pkts;
	unsigned		 i, c, once, round;
	int			 queued;

	if (sodium_init() == -1)
		return 1;
	pkts = malloc((size_t)NPACKETS * SPHINX_SIZE_REGULAR);
	if (pkts == NULL)
		return 1;
	md.w = &w;
	md.out = &t_out;
	TAILQ_INIT(&md.conns);
	mixd_counters_init(&md, &w.counters);
	memset(&k, 0, sizeof(k));
	randombytes_buf(k.secret, sizeof(k.secret));
	crypto_scalarmult_base(pk, k.secret);
	mixd_keys_init(&md, &k, 1);
	nodeaddr_parse("127.0.0.1:1789", &md.self[0]);
	md.nself = 1;
	md.acks = mix_acks_new(&md);
	randombytes_buf(client, sizeof(client));
	for (i = 0; i < NPACKETS; i++)
		packet(pkts + (size_t)i * SPHINX_SIZE_REGULAR, i, client);

	T_BEGIN("pool sizes: 0 is the CPUs we may use, fewer than 2 none");
	CHECK(mix_cpupool_size(0) >= 1 && mix_cpupool_size(3) == 3);
	CHECK(mix_cpupool_new(&md, 1) == NULL);
	CHECK(mix_cpupool_threads(NULL) == 1);
	T_END();

	if ((md.pool = mix_cpupool_new(&md, NTHREADS)) == NULL)
		abort();
	mix_cpupool_start(md.pool);

	T_BEGIN("a packet given to the threads is delivered once drained");
	CHECK(mix_cpupool_submit(md.pool, MIXFRAME_TYPE_SPHINX, 0, pkts,
	    SPHINX_SIZE_REGULAR) == 0);
	mix_cpupool_drain(md.pool);
	CHECK(ndeliver == 1 && seen[0] == 1 && nforward == 1);
	CHECK(*md.c.final_deliveries == 1 && bad_msg == 0);
	T_END();

	T_BEGIN("the same packet again, from a thread, is a replay");
	mixd_inbound_packet(&md, MIXFRAME_TYPE_SPHINX, 0, pkts,
	    SPHINX_SIZE_REGULAR);
	mix_cpupool_drain(md.pool);
	CHECK(ndeliver == 1 && *md.c.replays == 1);
	T_END();

	T_BEGIN("four copies at once on four threads: exactly one passes");
	queued = 0;
	for (i = 1; i < NPACKETS; i++)
		for (c = 0; c < COPIES; c++)
			queued += mix_cpupool_submit(md.pool,
			    MIXFRAME_TYPE_SPHINX, 0, pkts +
			    (size_t)i * SPHINX_SIZE_REGULAR,
			    SPHINX_SIZE_REGULAR) == 0;
	mix_cpupool_drain(md.pool);
	CHECK(queued == (NPACKETS - 1) * COPIES);
	once = 0;
	for (i = 0; i < NPACKETS; i++)
		once += seen[i] == 1;
	CHECK(once == NPACKETS && bad_msg == 0);
	CHECK(ndeliver == NPACKETS);
	CHECK(*md.c.replays == 1 + (NPACKETS - 1) * (COPIES - 1));
	T_END();

	T_BEGIN("the race repeated: every copy again is a replay");
	for (round = 0; round < 3; round++)
		for (i = 0; i < NPACKETS; i++)
			(void)mix_cpupool_submit(md.pool,
			    MIXFRAME_TYPE_SPHINX, 0, pkts +
			    (size_t)i * SPHINX_SIZE_REGULAR,
			    SPHINX_SIZE_REGULAR);
	mix_cpupool_drain(md.pool);
	CHECK(ndeliver == NPACKETS);
	CHECK(*md.c.replays == 1 + (NPACKETS - 1) * (COPIES - 1) +
	    3 * NPACKETS);
	T_END();

	T_BEGIN("a damaged packet fails its MAC on a thread, counted");
	pkts[40] ^= 1;
	CHECK(mix_cpupool_submit(md.pool, MIXFRAME_TYPE_SPHINX, 0, pkts,
	    SPHINX_SIZE_REGULAR) == 0);
	mix_cpupool_drain(md.pool);
	CHECK(*md.c.sphinx_mac == 1 && ndeliver == NPACKETS);
	T_END();

	T_BEGIN("nested (an ack to ourselves) and oversized stay inline");
	md.depth = 1;
	mixd_inbound_packet(&md, MIXFRAME_TYPE_SPHINX, 0, pkts,
	    SPHINX_SIZE_REGULAR);
	md.depth = 0;
	CHECK(*md.c.sphinx_mac == 2);
	CHECK(mix_cpupool_submit(md.pool, MIXFRAME_TYPE_SPHINX, 0, pkts,
	    SPHINX_MAX_PACKET + 1) == -1);
	T_END();

	mix_cpupool_free(md.pool);
	md.pool = NULL;
	mix_acks_free(md.acks);
	mixd_keys_wipe(&md);
	free(pkts);
	return t_done();
}
