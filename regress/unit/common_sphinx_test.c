/*
 * Sphinx processing and creation against the vectors in regress/vectors
 * (packets from Nym's own client, and the Python model's), round trips for
 * every version, size and route length, and every rejection path.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "gwcrypto.h"
#include "lioness.h"
#include "nodeaddr.h"
#include "replay.h"
#include "sphinx.h"
#include "sphinx_create.h"
#include "sphinx_payload.h"
#include "common_vectors.h"
#include "testlib.h"
#include "util.h"

#define BUFSZ	(SPHINX_MAX_PACKET + 64)

static struct sphinx_ctx	*ctx;
static uint8_t			 pkt[BUFSZ], out[BUFSZ], want[BUFSZ];

static long long
jint(const json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_string(v))
		return strtoll(json_string_value(v), NULL, 10);
	return -1;
}

/* The model's deterministic input: SHA256(label || 0) || SHA256(label || 1).. */
static void
model_h(const char *label, uint8_t *out_, size_t n)
{
	uint8_t		 in[128], d[32];
	size_t		 l = strlen(label), done = 0;
	unsigned int	 c = 0;

	memcpy(in, label, l);
	while (done < n) {
		in[l] = (uint8_t)c++;
		crypto_hash_sha256(d, in, l + 1);
		memcpy(out_ + done, d, n - done < 32 ? n - done : 32);
		done += 32;
	}
}

static int
process1(const uint8_t *sk, struct replay_filter *rf, int accept,
    const uint8_t *p, size_t len, uint8_t *o, struct sphinx_result *res)
{
	struct sphinx_key		 k;
	const struct sphinx_key		*kp = &k;

	memset(&k, 0, sizeof(k));
	memcpy(k.sk, sk, 32);
	k.replay = rf;
	return sphinx_process(ctx, &kp, 1, accept, p, len, o, res);
}

/* --- vectors from Nym's client ------------------------------------------ */

static void
test_real_client(void)
{
	json_t		*v, *nodes, *packets, *p, *h;
	size_t		 i, j;

	if ((v = load_vector("sphinx-real-client.json")) == NULL) {
		t_fail("real client vectors", "cannot open "
		    "regress/vectors/sphinx-real-client.json");
		return;
	}
	nodes = json_object_get(v, "nodes");
	packets = json_object_get(v, "packets");
	json_array_foreach(packets, i, p) {
		char	 name[64];
		long	 len;

		snprintf(name, sizeof(name), "real client packet %zu", i);
		T_BEGIN(name);
		len = jhex(p, "packet_hex", pkt, sizeof(pkt));
		CHECK(len == SPHINX_SIZE_REGULAR);
		json_array_foreach(json_object_get(p, "hops"), j, h) {
			struct sphinx_result	 res;
			struct nodeaddr		 na, nb;
			uint8_t			 sk[32], b[BUFSZ];
			char			 port[16];
			json_t			*node;
			long			 n;
			int			 rc;

			if (t_bad_)
				break;
			snprintf(port, sizeof(port), "%lld",
			    jint(h, "at_port"));
			node = json_object_get(nodes, port);
			CHECKF(jhex(node, "sphinx_private_hex", sk, 32) == 32,
			    "no key for port %s", port);
			rc = process1(sk, NULL, SPHINX_ACCEPT_ANY, pkt,
			    (size_t)len, out, &res);
			CHECKF(rc == SPHINX_OK, "hop %zu: %s", j,
			    sphinx_strerror(rc));
			if (rc != SPHINX_OK)
				break;
			CHECK(jhex(h, "replay_tag_hex", b, 32) == 32 &&
			    memcmp(b, res.replay_tag, 32) == 0);
			CHECK(res.flag == jint(h, "flag"));
			CHECK(res.version == jint(h, "version"));
			if (res.flag == SPHINX_FLAG_FORWARD) {
				CHECK(jhex(h, "next_hop_bytes_hex", b, 32) ==
				    32 && memcmp(b, res.next_hop, 32) == 0);
				CHECK(nodeaddr_parse(json_string_value(
				    json_object_get(h, "next_hop")), &na) == 0);
				CHECK(nodeaddr_decode(res.next_hop, 32, &nb) ==
				    7 && nodeaddr_eq(&na, &nb));
				CHECK((long long)res.delay_ns ==
				    jint(h, "delay_ns"));
				n = jhex(h, "out_packet_hex", b, sizeof(b));
				CHECKF(n == len && memcmp(b, out, (size_t)n) ==
				    0, "hop %zu outgoing packet differs", j);
				memcpy(pkt, out, (size_t)len);
			} else {
				struct sphinx_final_msg	 m;

				CHECK(jhex(h, "destination_hex", b, 32) == 32 &&
				    memcmp(b, res.destination, 32) == 0);
				CHECK(jhex(h, "identifier_hex", b, 16) == 16 &&
				    memcmp(b, res.identifier, 16) == 0);
				n = jhex(h, "plaintext_hex", b, sizeof(b));
				CHECKF(n == (long)res.payload_len &&
				    memcmp(b, out, (size_t)n) == 0,
				    "final plaintext differs");
				CHECK(sphinx_payload_split((size_t)len,
				    res.plaintext, res.plaintext_len, &m) ==
				    SPHINX_PAYLOAD_OK && m.has_ack);
			}
		}
		T_END();
	}

	/* The same packet twice under one replay filter. */
	T_BEGIN("real client packet replayed at first hop");
	struct replay_filter	*rf = replay_new(1000, 1e-6, 0);
	struct sphinx_result	 res;
	uint8_t			 sk[32];
	long			 len;

	p = json_array_get(packets, 0);
	len = jhex(p, "packet_hex", pkt, sizeof(pkt));
	h = json_array_get(json_object_get(p, "hops"), 0);
	CHECK(jhex(json_object_get(nodes, "1790"), "sphinx_private_hex", sk,
	    32) == 32);
	CHECK(rf != NULL);
	if (rf != NULL && len > 0) {
		CHECK(process1(sk, rf, SPHINX_ACCEPT_ANY, pkt, (size_t)len,
		    out, &res) == SPHINX_OK);
		CHECK(process1(sk, rf, SPHINX_ACCEPT_ANY, pkt, (size_t)len,
		    out, &res) == SPHINX_ERR_REPLAY);
	}
	replay_free(rf);
	T_END();
	json_decref(v);
}

/* --- the Python model's vectors ------------------------------------------ */

static void
test_model_upstream(json_t *v)
{
	json_t	*u = json_object_get(v, "upstream_expanded_shared_secret");
	uint8_t	 sk2[32], pk1[32], ss[32], e[288], key[192], b[512];

	T_BEGIN("upstream expanded shared secret (sphinx-packet 0.6.0)");
	CHECK(jhex(u, "sk2", sk2, 32) == 32 && jhex(u, "pk1", pk1, 32) == 32);
	CHECK(crypto_scalarmult(ss, sk2, pk1) == 0);
	CHECK(jhex(u, "shared_secret", b, 32) == 32 && memcmp(b, ss, 32) == 0);
	CHECK(sphinx_expand(ctx, ss, e) == 0);
	CHECK(jhex(u, "full_288_byte_expansion (derived)", b, 288) == 288 &&
	    memcmp(b, e, 288) == 0);
	CHECK(jhex(u, "blinding_factor_224_256", b, 32) == 32 &&
	    memcmp(b, e + 224, 32) == 0);
	CHECK(sphinx_payload_key(ctx, e, 259, key) == 0);
	CHECK(jhex(u, "payload_key_from_seed (derived, v259)", b, 192) ==
	    192 && memcmp(b, key, 192) == 0);
	CHECK(sphinx_payload_key(ctx, e, 258, key) == 0);
	CHECK(jhex(u, "legacy_payload_key_32_224", b, 192) == 192 &&
	    memcmp(b, key, 192) == 0);
	T_END();

	T_BEGIN("upstream Lioness vector (lioness 0.1.2)");
	u = json_object_get(v, "upstream_lioness");
	CHECK(jhex(u, "key", key, 192) == 192);
	CHECK(jhex(u, "input", b, sizeof(b)) == 512);
	CHECK(jhex(u, "output", want, sizeof(want)) == 512);
	CHECK(lioness_encrypt(key, b, 512) == 0 && memcmp(b, want, 512) == 0);
	CHECK(lioness_decrypt(key, b, 512) == 0);
	CHECK(jhex(u, "input", want, sizeof(want)) == 512 &&
	    memcmp(b, want, 512) == 0);
	CHECK(lioness_encrypt(key, b, 32) == -1);
	T_END();
}

/* Walk a model route, checking every per-hop value the model recorded. */
static void
model_walk(const char *name, json_t *vec, const char *skkey, int single)
{
	json_t			*hops = json_object_get(vec, "processing"), *h;
	struct sphinx_result	 res;
	uint8_t			 sk[32], b[BUFSZ], d[32], ss[32], e[288];
	long			 len;
	size_t			 j, skl;
	int			 rc;

	T_BEGIN(name);
	len = jhex(vec, "packet_hex", pkt, sizeof(pkt));
	CHECK(len > 0);
	json_array_foreach(hops, j, h) {
		if (t_bad_)
			break;
		if (single)
			CHECK(jhex(vec, skkey, sk, 32) == 32);
		else
			CHECK(t_unhex(json_string_value(json_array_get(
			    json_object_get(vec, skkey), j)), sk, 32,
			    &skl) == 0 && skl == 32);
		/* Intermediate values through the building blocks. */
		CHECK(crypto_scalarmult(ss, sk, pkt) == 0);
		CHECK(jhex(h, "shared_secret", b, 32) == 32 &&
		    memcmp(b, ss, 32) == 0);
		CHECK(sphinx_expand(ctx, ss, e) == 0);
		CHECK(jhex(h, "expanded_288", b, 288) == 288 &&
		    memcmp(b, e, 288) == 0);

		rc = process1(sk, NULL, SPHINX_ACCEPT_ANY, pkt, (size_t)len,
		    out, &res);
		CHECKF(rc == SPHINX_OK, "hop %zu: %s", j, sphinx_strerror(rc));
		if (rc != SPHINX_OK)
			break;
		CHECK(jhex(h, "replay_tag", b, 32) == 32 &&
		    memcmp(b, res.replay_tag, 32) == 0);
		CHECK(res.flag == jint(h, "flag"));
		CHECK(res.version == jint(h, "sphinx_version"));
		if (res.flag == SPHINX_FLAG_FORWARD) {
			CHECK(jhex(h, "next_addr", b, 32) == 32 &&
			    memcmp(b, res.next_hop, 32) == 0);
			CHECK((long long)res.delay_ns == jint(h, "delay_ns"));
			CHECK(jhex(h, "new_alpha", b, 32) == 32 &&
			    memcmp(b, out, 32) == 0);
			crypto_hash_sha256(d, out, (size_t)len);
			CHECKF(jhex(h, "next_packet_sha256", b, 32) == 32 &&
			    memcmp(b, d, 32) == 0, "hop %zu packet hash", j);
			memcpy(pkt, out, (size_t)len);
		} else {
			CHECK(jhex(h, "destination", b, 32) == 32 &&
			    memcmp(b, res.destination, 32) == 0);
			CHECK(jhex(h, "payload_after_unwrap", b, sizeof(b)) ==
			    (long)res.payload_len &&
			    memcmp(b, out, res.payload_len) == 0);
			CHECK(jhex(h, "plaintext", b, sizeof(b)) ==
			    (long)res.plaintext_len &&
			    memcmp(b, res.plaintext, res.plaintext_len) == 0);
		}
	}
	T_END();
}

static void
model_route(const char *label, int n, uint16_t port,
    struct sphinx_route_hop *route, uint8_t sks[][32])
{
	char		 l[64];
	struct nodeaddr	 a;
	int		 i;

	for (i = 0; i < n; i++) {
		snprintf(l, sizeof(l), "%s-sk-%d", label, i);
		model_h(l, sks[i], 32);
		crypto_scalarmult_base(route[i].pubkey, sks[i]);
		memset(&a, 0, sizeof(a));
		a.family = 4;
		a.port = port;
		a.ip[0] = 10;
		a.ip[3] = (uint8_t)(i + 1);
		nodeaddr_encode(&a, route[i].address, 32);
		route[i].delay_ns = 0;
	}
}

static void
test_model_single_hop(json_t *v, int version)
{
	char				 k[64], name[96];
	json_t				*vec;
	struct sphinx_route_hop		 route[1];
	struct sphinx_create_opts	 o;
	uint8_t				 sks[1][32], x[32], pad[300], dest[32];
	uint8_t				 id[16], msg[64], key[16], iv[16], frag[5];
	long				 len;

	snprintf(k, sizeof(k), "derived_single_hop_ack_v%d", version);
	vec = json_object_get(v, k);
	snprintf(name, sizeof(name), "model %s: processing", k);
	model_walk(name, vec, "gateway_sphinx_sk", 1);

	snprintf(name, sizeof(name), "model %s: creation byte for byte", k);
	T_BEGIN(name);
	model_route("gw1", 1, 1789, route, sks);
	snprintf(k, sizeof(k), "v1-initial-secret-%d", version);
	model_h(k, x, 32);
	model_h("v1-pad", pad, 300);
	model_h("client-ed25519-identity", dest, 32);
	memset(id, 0, sizeof(id));
	CHECK(jhex(vec, "ack_key", key, 16) == 16 &&
	    jhex(vec, "ack_iv", iv, 16) == 16 &&
	    jhex(vec, "frag_id", frag, 5) == 5);
	CHECK(sphinx_ack_message(key, iv, frag, msg) == 0);
	CHECK(jhex(vec, "expected_plaintext", want, sizeof(want)) == 21 &&
	    memcmp(want, msg, 21) == 0);
	o.initial_secret = x;
	o.padding = pad;
	CHECK(sphinx_create(ctx, (uint16_t)version, route, 1, dest, id, msg,
	    21, SPHINX_SIZE_ACK, &o, out) == SPHINX_OK);
	len = jhex(vec, "packet_hex", want, sizeof(want));
	CHECK(len == SPHINX_SIZE_ACK && memcmp(want, out, 386) == 0);
	T_END();
}

static void
test_model_four_hop(json_t *v, int version)
{
	char				 k[64], name[96];
	json_t				*vec;
	struct sphinx_route_hop		 route[4], aroute[4];
	struct sphinx_create_opts	 o;
	struct sphinx_result		 res;
	struct sphinx_final_msg		 m;
	uint8_t				 sks[4][32], asks[4][32], x[32];
	uint8_t				 pad[300], dest[32], id[16], key[16];
	uint8_t				 iv[16], frag[5] = { 10, 11, 12, 13, 14 };
	uint8_t				 ackmsg[21], d[32], plain[2048];
	uint8_t				 sender[32];
	size_t				 mlen, i;
	long				 len;
	int				 rc;

	snprintf(k, sizeof(k), "derived_four_hop_regular_v%d", version);
	vec = json_object_get(v, k);
	snprintf(name, sizeof(name), "model %s: processing", k);
	model_walk(name, vec, "node_sks", 0);

	snprintf(name, sizeof(name), "model %s: final split", k);
	T_BEGIN(name);
	/* Run the route again to get at the final plaintext. */
	len = jhex(vec, "packet_hex", pkt, sizeof(pkt));
	model_route("route", 4, 1789, route, sks);
	for (i = 0; i < 4 && len > 0; i++) {
		rc = process1(sks[i], NULL, SPHINX_ACCEPT_ANY, pkt,
		    (size_t)len, out, &res);
		CHECK(rc == SPHINX_OK);
		if (rc != SPHINX_OK)
			break;
		if (i < 3)
			memcpy(pkt, out, (size_t)len);
	}
	CHECK(sphinx_payload_split((size_t)len, res.plaintext,
	    res.plaintext_len, &m) == SPHINX_PAYLOAD_OK);
	CHECK(m.has_ack);
	CHECK(jhex(vec, "expected_forward_ack_next_hop_19B", want, 19) == 19 &&
	    memcmp(want, res.plaintext, 19) == 0);
	CHECK(m.ack_first_hop.family == 4 && m.ack_first_hop.port == 1790);
	CHECK(jhex(vec, "ack_packet_hex", want, sizeof(want)) == 386 &&
	    m.ack_packet_len == 386 && memcmp(want, m.ack_packet, 386) == 0);
	mlen = (size_t)jhex(vec, "expected_message_to_client", want,
	    sizeof(want));
	CHECK(m.message_len == mlen && memcmp(want, m.message, mlen) == 0);
	T_END();

	snprintf(name, sizeof(name), "model %s: creation byte for byte", k);
	T_BEGIN(name);
	/* The SURB-ack first: its own route, keys and padding. */
	model_route("ackroute", 4, 1790, aroute, asks);
	aroute[0].delay_ns = 5000000;
	aroute[1].delay_ns = 6000000;
	aroute[2].delay_ns = 7000000;
	model_h("ack-key", key, 16);
	model_h("ack-iv2", iv, 16);
	CHECK(sphinx_ack_message(key, iv, frag, ackmsg) == 0);
	snprintf(k, sizeof(k), "ack-initial-%d", version);
	model_h(k, x, 32);
	model_h("ack-pad", pad, 300);
	model_h("sender-ed25519-identity", sender, 32);
	o.initial_secret = x;
	o.padding = pad;
	CHECK(sphinx_surb_ack_create(ctx, (uint16_t)version, aroute, 4, sender,
	    ackmsg, sizeof(ackmsg), &o, plain) == SPHINX_OK);
	CHECK(jhex(vec, "ack_packet_hex", want, sizeof(want)) == 386 &&
	    memcmp(want, plain + 19, 386) == 0);
	mlen = (size_t)jhex(vec, "expected_message_to_client", plain + 405,
	    sizeof(plain) - 405);
	route[0].delay_ns = 1000000;
	route[1].delay_ns = 2000000;
	route[2].delay_ns = 3000000;
	snprintf(k, sizeof(k), "v2-initial-%d", version);
	model_h(k, x, 32);
	model_h("v2-pad", pad, 300);
	model_h("client-ed25519-identity", dest, 32);
	memset(id, 0, sizeof(id));
	CHECK(sphinx_create(ctx, (uint16_t)version, route, 4, dest, id, plain,
	    405 + mlen, SPHINX_SIZE_REGULAR, &o, out) == SPHINX_OK);
	crypto_hash_sha256(d, out, SPHINX_SIZE_REGULAR);
	CHECK(jhex(vec, "packet_sha256", want, 32) == 32 &&
	    memcmp(want, d, 32) == 0);
	T_END();

	snprintf(name, sizeof(name), "model derived_four_hop_regular_v%d: "
	    "ack travels its route", version);
	T_BEGIN(name);
	len = jhex(vec, "ack_packet_hex", pkt, sizeof(pkt));
	for (i = 0; i < 4 && len > 0; i++) {
		rc = process1(asks[i], NULL, SPHINX_ACCEPT_ANY, pkt,
		    (size_t)len, out, &res);
		CHECK(rc == SPHINX_OK);
		if (rc != SPHINX_OK)
			break;
		if (i < 3)
			memcpy(pkt, out, (size_t)len);
	}
	CHECK(res.flag == SPHINX_FLAG_FINAL && res.plaintext_len == 21 &&
	    memcmp(res.plaintext, ackmsg, 21) == 0);
	CHECK(memcmp(res.destination, sender, 32) == 0);
	CHECK(sphinx_payload_split(SPHINX_SIZE_ACK, res.plaintext,
	    res.plaintext_len, &m) == SPHINX_PAYLOAD_OK && !m.has_ack &&
	    m.message_len == 21);
	T_END();
}

static void
test_model(void)
{
	json_t	*v;

	if ((v = load_vector("sphinx-model-vectors.json")) == NULL) {
		t_fail("model vectors", "cannot open "
		    "regress/vectors/sphinx-model-vectors.json");
		return;
	}
	test_model_upstream(v);
	test_model_single_hop(v, 258);
	test_model_single_hop(v, 259);
	test_model_four_hop(v, 258);
	test_model_four_hop(v, 259);
	json_decref(v);
}

/* --- round trips ---------------------------------------------------------- */

static void
random_route(struct sphinx_route_hop *route, uint8_t sks[][32], size_t n)
{
	struct nodeaddr	 a;
	size_t		 i;

	for (i = 0; i < n; i++) {
		randombytes_buf(sks[i], 32);
		crypto_scalarmult_base(route[i].pubkey, sks[i]);
		memset(&a, 0, sizeof(a));
		a.family = i % 2 ? 6 : 4;
		a.port = (uint16_t)(1789 + i);
		randombytes_buf(a.ip, sizeof(a.ip));
		nodeaddr_encode(&a, route[i].address, 32);
		route[i].delay_ns = randombytes_uniform(1000000000) + i;
	}
}

static void
test_roundtrip(void)
{
	static const uint16_t	 versions[] = { 1, 257, 258, 259, 260 };
	static const size_t	 sizes[] = { SPHINX_SIZE_ACK,
	    SPHINX_SIZE_REGULAR, SPHINX_SIZE_EXT8, SPHINX_SIZE_EXT16,
	    SPHINX_SIZE_EXT32 };
	static uint8_t		 msg[SPHINX_MAX_PACKET];
	struct sphinx_route_hop	 route[SPHINX_MAX_HOPS];
	struct sphinx_result	 res;
	uint8_t			 sks[SPHINX_MAX_HOPS][32], dest[32], id[16];
	size_t			 vi, si, n, i, mlen;
	char			 name[96];
	int			 rc;

	for (vi = 0; vi < nitems(versions); vi++)
		for (si = 0; si < nitems(sizes); si++) {
			snprintf(name, sizeof(name), "round trip v%u %zu bytes,"
			    " 1 to 5 hops", versions[vi], sizes[si]);
			T_BEGIN(name);
			for (n = 1; n <= SPHINX_MAX_HOPS && !t_bad_; n++) {
				random_route(route, sks, n);
				randombytes_buf(dest, sizeof(dest));
				randombytes_buf(id, sizeof(id));
				/* Full, and short with a 0x01 inside. */
				mlen = n % 2 ? sphinx_max_message(sizes[si]) :
				    n * 3;
				randombytes_buf(msg, mlen);
				if (mlen > 1)
					msg[mlen - 1] = 0x01;
				rc = sphinx_create(ctx, versions[vi], route, n,
				    dest, id, msg, mlen, sizes[si], NULL, pkt);
				CHECKF(rc == SPHINX_OK, "create: %s",
				    sphinx_strerror(rc));
				for (i = 0; i < n && !t_bad_; i++) {
					rc = process1(sks[i], NULL,
					    SPHINX_ACCEPT_ANY, pkt, sizes[si],
					    pkt, &res);	/* in place */
					CHECKF(rc == SPHINX_OK, "%zu hops, hop "
					    "%zu: %s", n, i,
					    sphinx_strerror(rc));
					CHECK(res.version == versions[vi]);
					if (rc != SPHINX_OK || i + 1 == n)
						continue;
					CHECK(res.flag == SPHINX_FLAG_FORWARD);
					CHECK(memcmp(res.next_hop,
					    route[i + 1].address, 32) == 0);
					CHECK(res.delay_ns == route[i].delay_ns);
				}
				if (t_bad_)
					break;
				CHECK(res.flag == SPHINX_FLAG_FINAL);
				CHECK(memcmp(res.destination, dest, 32) == 0);
				CHECK(memcmp(res.identifier, id, 16) == 0);
				CHECKF(res.plaintext_len == mlen &&
				    memcmp(res.plaintext, msg, mlen) == 0,
				    "%zu hops: plaintext differs", n);
			}
			T_END();
		}
}

/* A regular packet with a SURB-ack, then the ack back to its sender. */
static void
test_surb_ack_roundtrip(void)
{
	struct sphinx_route_hop	 route[4], aroute[3];
	struct sphinx_result	 res;
	struct sphinx_final_msg	 m;
	uint8_t			 sks[4][32], asks[3][32], dest[32], sender[32];
	uint8_t			 id[16] = { 0 }, key[16], iv[16];
	uint8_t			 frag[5] = { 1, 2, 3, 4, 5 }, ackmsg[21];
	uint8_t			 plain[2048], ackpkt[386];
	const char		 text[] = "hello through the mixnet";
	size_t			 i;

	T_BEGIN("SURB-ack round trip (4-hop packet, 3-hop ack route)");
	random_route(route, sks, 4);
	random_route(aroute, asks, 3);
	randombytes_buf(dest, 32);
	randombytes_buf(sender, 32);
	randombytes_buf(key, 16);
	randombytes_buf(iv, 16);
	CHECK(sphinx_ack_message(key, iv, frag, ackmsg) == 0);
	CHECK(sphinx_surb_ack_create(ctx, 258, aroute, 3, sender, ackmsg, 21,
	    NULL, plain) == SPHINX_OK);
	memcpy(plain + 405, text, sizeof(text));
	CHECK(sphinx_create(ctx, 258, route, 4, dest, id, plain,
	    405 + sizeof(text), SPHINX_SIZE_REGULAR, NULL, pkt) == SPHINX_OK);
	for (i = 0; i < 4 && !t_bad_; i++) {
		CHECK(process1(sks[i], NULL, SPHINX_ACCEPT_ANY, pkt,
		    SPHINX_SIZE_REGULAR, pkt, &res) == SPHINX_OK);
	}
	CHECK(sphinx_payload_split(SPHINX_SIZE_REGULAR, res.plaintext,
	    res.plaintext_len, &m) == SPHINX_PAYLOAD_OK);
	CHECK(m.has_ack && m.message_len == sizeof(text) &&
	    memcmp(m.message, text, sizeof(text)) == 0);
	CHECK(memcmp(plain, aroute[0].address, 19) == 0);
	memcpy(ackpkt, m.ack_packet, 386);
	for (i = 0; i < 3 && !t_bad_; i++)
		CHECK(process1(asks[i], NULL, SPHINX_ACCEPT_ANY, ackpkt, 386,
		    ackpkt, &res) == SPHINX_OK);
	CHECK(res.flag == SPHINX_FLAG_FINAL && res.plaintext_len == 21 &&
	    memcmp(res.plaintext, ackmsg, 21) == 0 &&
	    memcmp(res.destination, sender, 32) == 0);
	T_END();
}

/* --- rejections ----------------------------------------------------------- */

/*
 * A one-hop packet with a valid MAC around an arbitrary routing block and
 * payload plaintext, for the checks after the MAC.
 */
static void
craft(const uint8_t sk_pub[32], const uint8_t block[52], uint16_t version,
    const uint8_t *payload, size_t len, uint8_t *p)
{
	uint8_t	 x[32], ss[32], e[288], ks[360], key[192];
	size_t	 i;

	randombytes_buf(x, 32);
	crypto_scalarmult_base(p, x);
	if (crypto_scalarmult(ss, x, sk_pub) != 0)
		abort();
	sphinx_expand(ctx, ss, e);
	sphinx_keystream(ctx, e, ks, sizeof(ks));
	randombytes_buf(p + 48, 300);
	memcpy(p + 48, block, 52);
	for (i = 0; i < 300; i++)
		p[48 + i] ^= ks[i];
	sphinx_header_mac(ctx, e, p + 48, p + 32);
	memcpy(p + 348, payload + 348, len - 348);
	sphinx_payload_key(ctx, e, version, key);
	lioness_encrypt(key, p + 348, len - 348);
}

static void
test_errors(void)
{
	struct sphinx_route_hop	 route[2];
	struct sphinx_result	 res;
	struct sphinx_key	 k1, k2;
	const struct sphinx_key	*cand[2];
	uint8_t			 sks[2][32], dest[32] = { 1 }, id[16] = { 0 };
	uint8_t			 good[SPHINX_SIZE_REGULAR], blk[52];
	uint8_t			 pay[SPHINX_SIZE_REGULAR];
	int			 codes[16], nc = 0, i, j;

	random_route(route, sks, 2);
	sphinx_create(ctx, 259, route, 1, dest, id, (const uint8_t *)"m", 1,
	    SPHINX_SIZE_REGULAR, NULL, good);

	T_BEGIN("reject: bad MAC (one bit of beta)");
	memcpy(pkt, good, sizeof(good));
	pkt[100] ^= 0x04;
	CHECK((codes[nc++] = process1(sks[0], NULL, SPHINX_ACCEPT_ANY, pkt,
	    sizeof(good), out, &res)) == SPHINX_ERR_MAC);
	memcpy(pkt, good, sizeof(good));
	pkt[40] ^= 0x80;	/* gamma */
	CHECK(process1(sks[0], NULL, SPHINX_ACCEPT_ANY, pkt, sizeof(good),
	    out, &res) == SPHINX_ERR_MAC);
	T_END();

	T_BEGIN("reject: wrong node key (MAC fails, never a crash)");
	CHECK(process1(sks[1], NULL, SPHINX_ACCEPT_ANY, good, sizeof(good),
	    out, &res) == SPHINX_ERR_MAC);
	T_END();

	T_BEGIN("reject: no key for the frame's rotation");
	memset(&k1, 0, sizeof(k1));
	memcpy(k1.sk, sks[0], 32);
	k1.rotation_id = 7;
	CHECK(sphinx_key_candidates(&k1, NULL, 2, cand) == 0);
	CHECK((codes[nc++] = sphinx_process(ctx, cand, 0, SPHINX_ACCEPT_ANY,
	    good, sizeof(good), out, &res)) == SPHINX_ERR_NO_KEY);
	T_END();

	T_BEGIN("key rotation: parity picks the key, unknown tries both");
	memset(&k2, 0, sizeof(k2));
	memcpy(k2.sk, sks[1], 32);
	k2.rotation_id = 8;
	CHECK(sphinx_key_candidates(&k2, &k1, 1, cand) == 1 && cand[0] == &k1);
	CHECK(sphinx_key_candidates(&k2, &k1, 2, cand) == 1 && cand[0] == &k2);
	CHECK(sphinx_key_candidates(&k2, &k1, 0, cand) == 2 &&
	    cand[0] == &k2 && cand[1] == &k1);
	CHECK(sphinx_process(ctx, cand, 2, SPHINX_ACCEPT_ANY, good,
	    sizeof(good), out, &res) == SPHINX_OK && res.key == &k1);
	CHECK(sphinx_process(ctx, cand, 1, SPHINX_ACCEPT_ANY, good,
	    sizeof(good), out, &res) == SPHINX_ERR_MAC);
	T_END();

	T_BEGIN("reject: truncated or odd-sized packets");
	CHECK((codes[nc++] = process1(sks[0], NULL, SPHINX_ACCEPT_ANY, good,
	    sizeof(good) - 1, out, &res)) == SPHINX_ERR_LENGTH);
	CHECK(process1(sks[0], NULL, SPHINX_ACCEPT_ANY, good, 0, out, &res) ==
	    SPHINX_ERR_LENGTH);
	CHECK(process1(sks[0], NULL, SPHINX_ACCEPT_ANY, good, 365, out,
	    &res) == SPHINX_ERR_LENGTH);
	CHECK(process1(sks[0], NULL, SPHINX_ACCEPT_ANY, good, 2377, out,
	    &res) == SPHINX_ERR_LENGTH);
	T_END();

	T_BEGIN("reject: degenerate alpha");
	memcpy(pkt, good, sizeof(good));
	memset(pkt, 0, 32);
	CHECK((codes[nc++] = process1(sks[0], NULL, SPHINX_ACCEPT_ANY, pkt,
	    sizeof(good), out, &res)) == SPHINX_ERR_DH);
	T_END();

	memset(pay, 0, sizeof(pay));
	pay[348 + 20] = 0x01;
	memset(blk, 0, sizeof(blk));
	blk[0] = 3;
	blk[2] = 1;
	blk[3] = 3;
	T_BEGIN("reject: unknown routing flag");
	craft(route[0].pubkey, blk, 259, pay, sizeof(pay), pkt);
	CHECK((codes[nc++] = process1(sks[0], NULL, SPHINX_ACCEPT_ANY, pkt,
	    sizeof(pay), out, &res)) == SPHINX_ERR_FLAG);
	blk[0] = 0;
	craft(route[0].pubkey, blk, 259, pay, sizeof(pay), pkt);
	CHECK(process1(sks[0], NULL, SPHINX_ACCEPT_ANY, pkt, sizeof(pay), out,
	    &res) == SPHINX_ERR_FLAG);
	T_END();

	T_BEGIN("reject: unknown header version");
	blk[0] = 2;
	blk[3] = 5;	/* 261 */
	craft(route[0].pubkey, blk, 259, pay, sizeof(pay), pkt);
	CHECK((codes[nc++] = process1(sks[0], NULL, SPHINX_ACCEPT_ANY, pkt,
	    sizeof(pay), out, &res)) == SPHINX_ERR_VERSION);
	blk[1] = 1;	/* 0x01 0x01 0x03: high byte set */
	blk[3] = 3;
	craft(route[0].pubkey, blk, 259, pay, sizeof(pay), pkt);
	CHECK(process1(sks[0], NULL, SPHINX_ACCEPT_ANY, pkt, sizeof(pay), out,
	    &res) == SPHINX_ERR_VERSION);
	blk[1] = 0;
	T_END();

	T_BEGIN("reject: payload under another key / no end marker");
	craft(route[0].pubkey, blk, 258, pay, sizeof(pay), pkt);  /* v259 hdr */
	CHECK((codes[nc++] = process1(sks[0], NULL, SPHINX_ACCEPT_ANY, pkt,
	    sizeof(pay), out, &res)) == SPHINX_ERR_PAYLOAD);
	pay[348 + 20] = 0;
	craft(route[0].pubkey, blk, 259, pay, sizeof(pay), pkt);
	CHECK((codes[nc++] = process1(sks[0], NULL, SPHINX_ACCEPT_ANY, pkt,
	    sizeof(pay), out, &res)) == SPHINX_ERR_PADDING);
	pay[348 + 20] = 0x01;
	craft(route[0].pubkey, blk, 259, pay, sizeof(pay), pkt);
	CHECK(process1(sks[0], NULL, SPHINX_ACCEPT_ANY, pkt, sizeof(pay), out,
	    &res) == SPHINX_OK && res.plaintext_len == 4);
	T_END();

	T_BEGIN("reject: forward hop where only final hops are accepted");
	sphinx_create(ctx, 258, route, 2, dest, id, (const uint8_t *)"m", 1,
	    SPHINX_SIZE_REGULAR, NULL, pkt);
	CHECK((codes[nc++] = process1(sks[0], NULL, SPHINX_ACCEPT_FINAL, pkt,
	    SPHINX_SIZE_REGULAR, out, &res)) == SPHINX_ERR_HOP_TYPE);
	CHECK(process1(sks[0], NULL, SPHINX_ACCEPT_FORWARD, good,
	    SPHINX_SIZE_REGULAR, out, &res) == SPHINX_ERR_HOP_TYPE);
	T_END();

	T_BEGIN("reject: replay");
	struct replay_filter	*rf = replay_new(100, 1e-9, 0);
	CHECK(process1(sks[0], rf, SPHINX_ACCEPT_ANY, good, sizeof(good), out,
	    &res) == SPHINX_OK);
	CHECK((codes[nc++] = process1(sks[0], rf, SPHINX_ACCEPT_ANY, good,
	    sizeof(good), out, &res)) == SPHINX_ERR_REPLAY);
	replay_free(rf);
	T_END();

	T_BEGIN("reject: create with bad arguments");
	CHECK((codes[nc++] = sphinx_create(ctx, 258, route, 0, dest, id, NULL,
	    0, SPHINX_SIZE_ACK, NULL, pkt)) == SPHINX_ERR_ARG);
	CHECK(sphinx_create(ctx, 258, route, 6, dest, id, NULL, 0,
	    SPHINX_SIZE_ACK, NULL, pkt) == SPHINX_ERR_ARG);
	CHECK(sphinx_create(ctx, 300, route, 1, dest, id, NULL, 0,
	    SPHINX_SIZE_ACK, NULL, pkt) == SPHINX_ERR_ARG);
	CHECK(sphinx_create(ctx, 258, route, 1, dest, id, pay, 22,
	    SPHINX_SIZE_ACK, NULL, pkt) == SPHINX_ERR_ARG);
	CHECK(sphinx_create(ctx, 258, route, 1, dest, id, pay, 1, 1000, NULL,
	    pkt) == SPHINX_ERR_LENGTH);
	T_END();

	T_BEGIN("every rejection has its own error code and text");
	for (i = 0; i < nc; i++) {
		CHECKF(codes[i] < 0, "code %d not an error", codes[i]);
		for (j = 0; j < i; j++)
			CHECKF(codes[i] != codes[j], "codes %d and %d equal",
			    i, j);
		CHECK(strcmp(sphinx_strerror(codes[i]), "unknown error") != 0);
	}
	CHECK(nc == 11);
	T_END();
}

int
main(void)
{
	if ((ctx = sphinx_ctx_new()) == NULL) {
		t_fail("sphinx context", "sphinx_ctx_new failed");
		return t_done();
	}
	test_real_client();
	test_model();
	test_roundtrip();
	test_surb_ack_roundtrip();
	test_errors();
	sphinx_ctx_free(ctx);
	return t_done();
}
