/*
 * libFuzzer harness for mixd's inbound path as a mix node drives it:
 * one connection's byte stream -> framing -> Sphinx unwrap with mixd's
 * key -> replay filter -> payload split -> delivery hand-off and ack
 * routing (acks to our own address go round again).  The hand-off and
 * the forward are caught here instead of going to clientd and the peer
 * pool, and checked for the bounds mixd promises.
 *
 * Input: byte 0 picks the read size (how the stream is cut up), the
 * rest is the stream.  Seeds in corpus/mixd_inbound hold valid frames
 * for the fixed key below, so the fuzzer starts past the MAC.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "mixd/mixd.h"
#include "mixframe.h"
#include "replay.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct worker	 w;
static struct mixd	 md;
static struct mix_rx	 rx;
static int		 ready;
static volatile uint8_t	 sink;

static void
fz_deliver(struct mixd *m, const uint8_t client[32], const uint8_t *msg,
    size_t len, uint64_t ack_id)
{
	if (len == 0 || len > GW_MESSAGE_MAX)
		abort();
	/* Touch both ends: ASan checks the pointers are in bounds. */
	sink = client[0] ^ client[31] ^ msg[0] ^ msg[len - 1];
	/* As clientd would: safe at once (the ack is then routed). */
	if (ack_id != 0)
		mix_acks_settle(m->acks, ack_id, 1);
}

static void
fz_forward(struct mixd *m, const struct nodeaddr *to, uint8_t type,
    uint8_t rotation, const uint8_t *pkt, size_t len)
{
	(void)m;
	if ((to->family != 4 && to->family != 6) || rotation > 2 ||
	    mixframe_tag_for(type, len) == 0 || pkt == NULL)
		abort();
}

static const struct mixd_out fz_out = {
	.deliver = fz_deliver,
	.forward = fz_forward,
};

static void
fz_init(void)
{
	if (sodium_init() == -1)
		abort();
	w.conf.mixd.testnet = 1;
	md.w = &w;
	md.out = &fz_out;
	TAILQ_INIT(&md.conns);
	mixd_counters_init(&md, &w.counters);
	/* The fixed key the seeds in corpus/mixd_inbound were made for. */
	memset(md.keys[0].sk, 0x42, sizeof(md.keys[0].sk));
	md.keys[0].rotation_id = 0;
	/* Small: cleared for every input, so runs are reproducible. */
	if ((md.keys[0].replay = replay_new(1024, 1e-3, 0)) == NULL)
		abort();
	md.nkeys = 1;
	if ((md.sphinx = sphinx_ctx_new()) == NULL)
		abort();
	md.scratch = malloc(SPHINX_MAX_PACKET);
	/* Our own mix address, for acks that come back to us. */
	nodeaddr_parse("127.0.0.1:1789", &md.self[0]);
	md.nself = 1;
	md.acks = mix_acks_new(&md);
	mix_rx_init(&rx);
	ready = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t	 chunk, n;

	if (!ready)
		fz_init();
	if (size < 1)
		return 0;
	chunk = 1 + (size_t)data[0] * 131;
	data++;
	size--;
	replay_clear(md.keys[0].replay);
	rx.len = 0;
	while (size > 0) {
		n = size < chunk ? size : chunk;
		if (mixd_inbound_feed(&md, &rx, data, n) == -1)
			break;
		if (rx.len > rx.cap || md.depth != 0)
			abort();
		data += n;
		size -= n;
	}
	return 0;
}
