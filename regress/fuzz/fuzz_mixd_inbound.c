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
 *
 * Mutated bytes almost never keep a MAC right, so the custom mutator
 * below works inside the frames: it splits the stream into mix frames,
 * unwraps one Sphinx packet with the fixed key (routing block and
 * payload in plaintext), mutates the routing block (flags, next hop,
 * delay, version) or the payload, and wraps it again with a valid MAC
 * and the payload re-encrypted; or it repeats (a replay), drops or
 * re-heads whole frames.  One mutation in eight is libFuzzer's own over
 * the raw bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lioness.h"
#include "mixd/mixd.h"
#include "mixframe.h"
#include "replay.h"
#include "sphinx.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
size_t	LLVMFuzzerMutate(uint8_t *, size_t, size_t);
size_t	LLVMFuzzerCustomMutator(uint8_t *, size_t, size_t, unsigned int);

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

/* --- structure-aware mutation ------------------------------------------ */

#define MUT_FRAMES	16

static struct sphinx_ctx	*mut_ctx;
static uint32_t			 mut_rnd;

static uint32_t
mut_next(void)
{
	mut_rnd ^= mut_rnd << 13;
	mut_rnd ^= mut_rnd >> 17;
	mut_rnd ^= mut_rnd << 5;
	return mut_rnd;
}

/* The packet's payload key by its (plaintext) version, or -1. */
static int
mut_pkey(const uint8_t e[SPHINX_EXPANDED_LEN], const uint8_t *plain,
    uint8_t pkey[SPHINX_PAYLOAD_KEY_LEN])
{
	uint16_t	 version = (uint16_t)(plain[2] << 8 | plain[3]);

	return sphinx_payload_key(mut_ctx, e, version, pkey);
}

/* Unwrap the packet with the fixed key, mutate, wrap it again. */
static void
mut_packet(uint8_t *pkt, size_t len)
{
	static uint8_t	 ks[SPHINX_ROUTING_LEN];
	uint8_t		 sk[32], ss[32], e[SPHINX_EXPANDED_LEN];
	uint8_t		 pkey[SPHINX_PAYLOAD_KEY_LEN];
	uint8_t		*beta = pkt + 48, *payload = pkt + SPHINX_HEADER_LEN;
	size_t		 plen = len - SPHINX_HEADER_LEN, i, n;

	memset(sk, 0x42, sizeof(sk));
	if (crypto_scalarmult(ss, sk, pkt) != 0 ||
	    sphinx_expand(mut_ctx, ss, e) == -1 ||
	    sphinx_keystream(mut_ctx, e, ks, sizeof(ks)) == -1)
		return;
	for (i = 0; i < SPHINX_BETA_LEN; i++)
		beta[i] ^= ks[i];
	if (mut_pkey(e, beta, pkey) == 0)
		lioness_decrypt(pkey, payload, plen);
	if (mut_next() % 3 != 0) {
		/* Mostly the first hop's slot: flag, address, delay. */
		n = mut_next() % 2 ? 64 : SPHINX_BETA_LEN;
		i = LLVMFuzzerMutate(beta, n, n);
		memset(beta + i, 0, n - i);
	} else {
		n = plen < 256 ? plen : 256;
		i = LLVMFuzzerMutate(payload, n, n);
		memset(payload + i, 0, n - i);
	}
	if (mut_pkey(e, beta, pkey) == 0)
		lioness_encrypt(pkey, payload, plen);
	for (i = 0; i < SPHINX_BETA_LEN; i++)
		beta[i] ^= ks[i];
	sphinx_header_mac(mut_ctx, e, beta, pkt + 32);
	sodium_memzero(ss, sizeof(ss));
}

size_t
LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max,
    unsigned int seed)
{
	static uint8_t	 tmp[MIXFRAME_MAX_LEN];
	struct mixframe	 f[MUT_FRAMES];
	size_t		 off[MUT_FRAMES], flen[MUT_FRAMES], pos = 1, k;
	unsigned	 nf = 0;
	int		 n;

	mut_rnd = seed | 1;
	if (mut_ctx == NULL && (mut_ctx = sphinx_ctx_new()) == NULL)
		abort();
	if (size < 2 || mut_next() % 8 == 0)
		return LLVMFuzzerMutate(data, size, max);
	while (nf < MUT_FRAMES && (n = mixframe_decode(data + pos, size - pos,
	    &f[nf])) > 0) {
		off[nf] = pos;
		flen[nf] = (size_t)n;
		pos += (size_t)n;
		nf++;
	}
	if (nf == 0)
		return LLVMFuzzerMutate(data, size, max);
	k = mut_next() % nf;
	switch (mut_next() % 8) {
	case 0:
		/* A replay: the frame again, right after. */
		if (max - size < flen[k])
			break;
		memmove(data + off[k] + flen[k], data + off[k],
		    size - off[k]);
		size += flen[k];
		break;
	case 1:
		if (nf == 1)
			break;
		memmove(data + off[k], data + off[k] + flen[k],
		    size - off[k] - flen[k]);
		size -= flen[k];
		break;
	case 2:
		/* Another frame version or rotation around the packet. */
		memcpy(tmp, f[k].packet, f[k].packet_len);
		n = mixframe_encode(mut_next() % 2 ? MIXFRAME_V7 :
		    MIXFRAME_V8, f[k].packet_type, (uint8_t)(mut_next() % 4),
		    tmp, f[k].packet_len, tmp + f[k].packet_len,
		    sizeof(tmp) - f[k].packet_len);
		if (n <= 0 || (size_t)n > flen[k] + max - size)
			break;
		memmove(data + off[k] + n, data + off[k] + flen[k],
		    size - off[k] - flen[k]);
		memcpy(data + off[k], tmp + f[k].packet_len, (size_t)n);
		size = size - flen[k] + (size_t)n;
		break;
	case 3:
		/* How the stream is cut up. */
		data[0] = (uint8_t)mut_next();
		break;
	default:
		if (f[k].packet_type == MIXFRAME_TYPE_SPHINX &&
		    f[k].packet_len >= SPHINX_MIN_PACKET)
			mut_packet(data + off[k] + f[k].hdr_len,
			    f[k].packet_len);
		else
			return LLVMFuzzerMutate(data, size, max);
		break;
	}
	return size;
}
