/*
 * libFuzzer harness for Sphinx hop processing and the final-hop split.
 *
 * Input: byte 0 picks the packet size (low 3 bits) and the mode (bit 3);
 * the rest is the packet, zero-padded or cut to that size.
 *   raw mode:     the bytes go to sphinx_process as they are (nearly
 *                 always rejected at the MAC, as random traffic is);
 *   crafted mode: the bytes are the plaintext routing block and payload,
 *                 and the harness wraps them under a fixed key with a
 *                 valid MAC, so the parsing after the MAC is reached;
 *   captured mode (bit 4, raw): the packet is tried under the four mix
 *                 keys of regress/vectors/sphinx-real-client.json, so the
 *                 packets Nym's own client sent (seeds real-*) and their
 *                 mutants are unwrapped as the hops did.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "lioness.h"
#include "sphinx.h"
#include "sphinx_payload.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct sphinx_ctx	*ctx;
static struct sphinx_key	 key;
static uint8_t			 x[32], alpha[32], e[SPHINX_EXPANDED_LEN];
static uint8_t			 ks[SPHINX_ROUTING_LEN];
static uint8_t			 pkt[SPHINX_MAX_PACKET], out[SPHINX_MAX_PACKET];
/* The captured mix nodes' private keys (sphinx-real-client.json). */
static const char *const node_hex[] = {
	"103f8e2df3a9fc15bbc8a9fe6933c657"	/* 1789 */
	    "85e1beb8942c5ee81dc3782eadbe5667",
	"3804edf8abd67cc998c05b13902b2c1e"	/* 1790 */
	    "95abac04323e6320b1b0af0ae5cb2972",
	"480d9e0ff871e86e49b2f0ccb8556545"	/* 1791 */
	    "a25185c47a53e97a67aecbece0ef1e5b",
	"207c3a72cc53f7ca1fd1ff133ac9c66d"	/* 1792 */
	    "1bdd54578984239fba41bdcd904d4f6a",
};
static struct sphinx_key	 node_keys[nitems(node_hex)];
static const struct sphinx_key *node_kp[nitems(node_hex)];

static void
setup(void)
{
	uint8_t	 pub[32], ss[32];
	size_t	 i;

	for (i = 0; i < nitems(node_hex); i++) {
		if (sodium_hex2bin(node_keys[i].sk, sizeof(node_keys[i].sk),
		    node_hex[i], strlen(node_hex[i]), NULL, NULL, NULL) != 0)
			abort();
		node_kp[i] = &node_keys[i];
	}
	if ((ctx = sphinx_ctx_new()) == NULL)
		abort();
	memset(key.sk, 0x42, sizeof(key.sk));
	memset(x, 0x17, sizeof(x));
	if (crypto_scalarmult_base(pub, key.sk) != 0 ||
	    crypto_scalarmult_base(alpha, x) != 0 ||
	    crypto_scalarmult(ss, x, pub) != 0 ||
	    sphinx_expand(ctx, ss, e) == -1 ||
	    sphinx_keystream(ctx, e, ks, sizeof(ks)) == -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	 sizes[8] = { SPHINX_SIZE_ACK,
	    SPHINX_SIZE_REGULAR, SPHINX_SIZE_EXT8, SPHINX_SIZE_EXT16,
	    SPHINX_SIZE_EXT32, SPHINX_SIZE_ACK, SPHINX_SIZE_REGULAR, 365 };
	const struct sphinx_key	*kp = &key, *const *keys = &kp;
	size_t			 nkeys = 1;
	struct sphinx_result	 res;
	struct sphinx_final_msg	 m;
	uint8_t			 pkey[SPHINX_PAYLOAD_KEY_LEN];
	size_t			 len, n, i;
	uint16_t		 version;
	int			 rc;

	if (ctx == NULL)
		setup();
	if (size < 1)
		return 0;
	len = sizes[data[0] & 7];
	n = size - 1 < len ? size - 1 : len;
	memset(pkt, 0, len);
	memcpy(pkt, data + 1, n);

	if (data[0] & 8 && len >= SPHINX_MIN_PACKET) {
		/* The payload layer follows the block's version field. */
		version = (uint16_t)(pkt[48 + 2] << 8 | pkt[48 + 3]);
		/* beta = routing block XOR keystream, valid gamma. */
		for (i = 0; i < SPHINX_BETA_LEN; i++)
			pkt[48 + i] ^= ks[i];
		memcpy(pkt, alpha, 32);
		if (sphinx_header_mac(ctx, e, pkt + 48, pkt + 32) == -1)
			abort();
		if (sphinx_payload_key(ctx, e, version, pkey) == 0)
			lioness_encrypt(pkey, pkt + SPHINX_HEADER_LEN,
			    len - SPHINX_HEADER_LEN);
	} else if (data[0] & 0x10) {
		keys = node_kp;
		nkeys = nitems(node_kp);
	}

	rc = sphinx_process(ctx, keys, nkeys, SPHINX_ACCEPT_ANY, pkt, len, out,
	    &res);
	if (rc == SPHINX_OK && res.flag == SPHINX_FLAG_FINAL) {
		if (res.plaintext < out || res.plaintext + res.plaintext_len >
		    out + len - SPHINX_HEADER_LEN)
			abort();
		if (sphinx_payload_split(len, res.plaintext,
		    res.plaintext_len, &m) == SPHINX_PAYLOAD_OK &&
		    m.message + m.message_len != res.plaintext +
		    res.plaintext_len)
			abort();
	}
	/* The same packet in place must give the same verdict. */
	if (sphinx_process(ctx, keys, nkeys, SPHINX_ACCEPT_ANY, pkt, len, pkt,
	    &res) != rc)
		abort();
	return 0;
}
