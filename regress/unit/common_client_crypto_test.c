/*
 * Client channel crypto against regress/vectors/client-handshake.json
 * (captured from Nym's own client) and the hand-made vectors of
 * client-protocol.md 10.2: the gateway's handshake replies byte for byte,
 * the shared key, authenticateV2, and the binary frames.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "client_crypto.h"
#include "gwcrypto.h"
#include "jsonbytes.h"
#include "mixpacket.h"
#include "sphinx.h"
#include "common_vectors.h"
#include "testlib.h"

static void
unhex(const char *hex, uint8_t *out, size_t n)
{
	size_t	 l;

	if (t_unhex(hex, out, n, &l) == -1 || l != n)
		memset(out, 0, n);
}


/* The data of handshake step i (a JSON text holding a bytes-array). */
static long
step_data(json_t *v, size_t i, uint8_t *buf, size_t max)
{
	json_t		*step = json_array_get(json_object_get(v, "steps"), i);
	json_t		*msg;
	json_error_t	 err;
	long		 n;

	msg = json_loads(json_string_value(json_object_get(step, "text")), 0,
	    &err);
	if (msg == NULL)
		return -1;
	n = json_bytes(msg, "data", buf, max);
	json_decref(msg);
	return n;
}

static long
b64(const json_t *o, const char *key, uint8_t *buf, size_t max)
{
	const char	*s = json_string_value(json_object_get(o, key));
	size_t		 n;

	if (s == NULL || sodium_base642bin(buf, max, s, strlen(s), NULL, &n,
	    NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		return -1;
	return (long)n;
}

static void
test_nym_client(void)
{
	json_t			*v, *req, *f;
	json_error_t		 err;
	struct client_hs_init	 in;
	struct gwcrypto_aead	*a = NULL;
	struct mixpacket	 mp;
	uint8_t			 seed[32], pk[32], sk[64], eph[32], gwpub[32];
	uint8_t			 nonce[12], key[32], want[32], data[256];
	uint8_t			 reply[CLIENT_HS_REPLY_LEN], id[32], ct[64];
	uint8_t			 sig[64], frame[8192], pt[8192], exp[8192];
	size_t			 i, ptlen;
	long			 n;
	uint8_t			 kind;

	if ((v = load_vector("client-handshake.json")) == NULL) {
		t_fail("client handshake vectors", "cannot open "
		    "regress/vectors/client-handshake.json");
		return;
	}

	T_BEGIN("Nym client handshake: gateway reply byte for byte, key");
	CHECK(jhex(v, "gateway_identity_private_seed_hex", seed, 32) == 32);
	CHECK(crypto_sign_seed_keypair(pk, sk, seed) == 0);
	CHECK(jhex(v, "gateway_identity_public_hex", want, 32) == 32 &&
	    memcmp(pk, want, 32) == 0);
	n = step_data(v, 2, data, sizeof(data));
	CHECKF(n == CLIENT_HS_INIT_LEN, "message 1 has %ld bytes", n);
	CHECK(client_hs_parse_init(data, (size_t)n, &in) == CLIENT_OK);
	CHECK(jhex(v, "gateway_ephemeral_x25519_private_hex", eph, 32) == 32);
	CHECK(jhex(v, "gateway_nonce_hex", nonce, 12) == 12);
	CHECK(client_hs_gateway_reply(&in, sk, eph, nonce, key, reply) ==
	    CLIENT_OK);
	CHECK(jhex(v, "expected_shared_key_hex", want, 32) == 32 &&
	    memcmp(key, want, 32) == 0);
	n = step_data(v, 3, data, sizeof(data));
	CHECK(n == CLIENT_HS_REPLY_LEN && memcmp(data, reply, (size_t)n) == 0);
	T_END();

	T_BEGIN("Nym client handshake: client's final message verifies");
	crypto_scalarmult_base(gwpub, eph);
	n = step_data(v, 4, data, sizeof(data));
	CHECK(n == CLIENT_HS_FINAL_LEN);
	CHECK(client_hs_gateway_verify_final(&in, key, gwpub, data,
	    (size_t)n) == CLIENT_OK);
	data[5] ^= 1;
	CHECK(client_hs_gateway_verify_final(&in, key, gwpub, data,
	    (size_t)n) == CLIENT_ERR_DECRYPT);
	data[5] ^= 1;
	CHECK(client_hs_gateway_verify_final(&in, key, in.eph_pub, data,
	    (size_t)n) == CLIENT_ERR_SIGNATURE);
	CHECK(step_data(v, 5, data, sizeof(data)) == 1 &&
	    data[0] == CLIENT_HS_FINALIZE_OK);
	T_END();

	T_BEGIN("Nym client authenticateV2 verifies");
	req = json_loads(json_string_value(json_object_get(json_object_get(v,
	    "authenticate_v2"), "request_text")), 0, &err);
	CHECK(req != NULL);
	CHECK(jhex(json_object_get(v, "authenticate_v2"), "shared_key_hex",
	    key, 32) == 32);
	a = gwcrypto_aead_new(key);
	CHECK(a != NULL);
	if (req != NULL && a != NULL) {
		long	 ctl, nl;
		uint64_t ts;
		int	 ver;

		ver = (int)json_integer_value(json_object_get(req,
		    "protocolVersion"));
		ts = (uint64_t)json_integer_value(json_object_get(req,
		    "requestUnixTimestamp"));
		CHECK(json_bytes(req, "clientIdentity", id, 32) == 32);
		CHECK(memcmp(id, in.identity, 32) == 0);
		CHECK((ctl = b64(req, "addressCiphertext", ct, sizeof(ct))) ==
		    48);
		CHECK((nl = b64(req, "nonce", nonce, sizeof(nonce))) == 12);
		CHECK(json_bytes(req, "requestSignature", sig, 64) == 64);
		CHECK(client_auth_v2_verify_signature((uint8_t)ver, id, ct,
		    (size_t)ctl, nonce, (size_t)nl, ts, sig) == CLIENT_OK);
		CHECK(client_auth_v2_verify_ciphertext(a, id, ct, (size_t)ctl,
		    nonce, (size_t)nl) == CLIENT_OK);
		CHECK(client_auth_v2_verify_signature((uint8_t)ver, id, ct,
		    (size_t)ctl, nonce, (size_t)nl, ts + 1, sig) ==
		    CLIENT_ERR_SIGNATURE);
		CHECK(client_auth_v2_verify_ciphertext(a, id, ct, (size_t)ctl,
		    nonce, 11) == CLIENT_ERR_NONCE_LEN);
		ct[0] ^= 1;
		CHECK(client_auth_v2_verify_ciphertext(a, id, ct, (size_t)ctl,
		    nonce, (size_t)nl) == CLIENT_ERR_ADDRESS_CT);
	}
	json_decref(req);
	T_END();

	json_array_foreach(json_object_get(v, "client_binary_frames"), i, f) {
		char	 name[96];

		snprintf(name, sizeof(name), "Nym client binary frame %zu "
		    "decrypts to its MixPacket", i);
		T_BEGIN(name);
		n = jhex(f, "frame_hex", frame, sizeof(frame));
		CHECK(n > CLIENT_FRAME_OVERHEAD && a != NULL);
		if (n > 0 && a != NULL) {
			CHECK(client_frame_open(a, frame, (size_t)n, &kind,
			    pt, &ptlen) == CLIENT_OK);
			CHECK(kind == CLIENT_KIND_FORWARD_V1);
			n = jhex(f, "expected_plaintext_mix_packet_hex", exp,
			    sizeof(exp));
			CHECK(n == (long)ptlen && memcmp(exp, pt, ptlen) == 0);
			CHECK(mixpacket_decode(kind, pt, ptlen, &mp) ==
			    MIXPACKET_OK && mp.packet_len ==
			    SPHINX_SIZE_REGULAR && mp.next_hop.port == 1790);
		}
		T_END();
	}
	gwcrypto_aead_free(a);
	json_decref(v);
}

/* client-protocol.md 10.2: both sides, every byte. */
static void
test_spec_vectors(void)
{
	struct client_hs_init	 in;
	struct gwcrypto_aead	*a = NULL;
	uint8_t			 cseed[32], gseed[32], cpk[32], csk[64];
	uint8_t			 gpk[32], gsk[64], ceph[32], geph[32];
	uint8_t			 salt[16], ng[12], nc[12], key[32], key2[32];
	uint8_t			 m1[80], m2[124], m3[92], want[256];
	uint8_t			 msg[101], sig[64], pt[64], out[128];
	uint8_t			 ct[48], gpub[32];
	size_t			 ptlen;
	uint8_t			 kind;
	int			 n;

	unhex("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	    "20", cseed, 32);
	unhex("2122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	    "40", gseed, 32);
	crypto_sign_seed_keypair(cpk, csk, cseed);
	crypto_sign_seed_keypair(gpk, gsk, gseed);
	memset(ceph, 0x41, 32);
	memset(geph, 0x42, 32);
	unhex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", salt, 16);
	unhex("c0c1c2c3c4c5c6c7c8c9cacb", ng, 12);
	unhex("d0d1d2d3d4d5d6d7d8d9dadb", nc, 12);

	T_BEGIN("spec 10.2 handshake: messages 1 to 3 byte for byte");
	CHECK(client_hs_client_init(cpk, ceph, salt, m1) == CLIENT_OK);
	unhex("79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad0496"
	    "647a1a4e709bf085ac494aba0469b9b1eda0ab1f78b16aabb79ffeda90623e85"
	    "22a0a1a2a3a4a5a6a7a8a9aaabacadaeaf", want, 80);
	CHECK(memcmp(m1, want, 80) == 0);
	CHECK(client_hs_parse_init(m1, 80, &in) == CLIENT_OK);
	CHECK(client_hs_parse_init(m1, 79, &in) == CLIENT_ERR_LENGTH);
	CHECK(client_hs_gateway_reply(&in, gsk, geph, ng, key, m2) ==
	    CLIENT_OK);
	unhex("a2696c152abbba39899171bb6bbb37c61340caf4b0af66ab899b8af05fda22"
	    "74", want, 32);
	CHECK(memcmp(key, want, 32) == 0);
	unhex("132c442be010fbd57e72603328aa76e71fccc1503aae219327d14d9c9993f4"
	    "7270c6945af56ff41e44c1a0314e99b8e746393b90e69817933506b9e9f83d09"
	    "b646a9da12e99564347c50a28c657d9ae40070197412e3c82b32247dfc9c4f86"
	    "3a086b6f51ce028e6a675e9e1eaf68c1eac0c1c2c3c4c5c6c7c8c9cacb",
	    want, 124);
	CHECK(memcmp(m2, want, 124) == 0);
	CHECK(client_hs_client_finish(csk, gpk, ceph, salt, m2, 124, nc, key2,
	    m3) == CLIENT_OK);
	CHECK(memcmp(key, key2, 32) == 0);
	unhex("338269dcc32184d9e5a67cde17aeb344673070626f966a1eecf22ef684de90"
	    "227059956a1862b2722476c20ce80fd13acec914102ae9f59d2403f4af50c254"
	    "a63faea3cfdb083ece6ebf0f948c316bead0d1d2d3d4d5d6d7d8d9dadb",
	    want, 92);
	CHECK(memcmp(m3, want, 92) == 0);
	crypto_scalarmult_base(gpub, geph);
	CHECK(client_hs_gateway_verify_final(&in, key, gpub, m3, 92) ==
	    CLIENT_OK);
	CHECK(client_hs_gateway_verify_final(&in, key, gpub, m3, 91) ==
	    CLIENT_ERR_LENGTH);
	/* A reply signed by someone else is refused by the client. */
	CHECK(client_hs_client_finish(csk, cpk, ceph, salt, m2, 124, nc, key2,
	    m3) == CLIENT_ERR_SIGNATURE);
	T_END();

	a = gwcrypto_aead_new(key);
	T_BEGIN("spec 10.2 authenticateV2: ciphertext and signed bytes");
	CHECK(a != NULL);
	unhex("e0e1e2e3e4e5e6e7e8e9eaeb", nc, 12);
	CHECK(a != NULL && gwcrypto_aead_seal(a, nc, cpk, 32, ct) == 0);
	unhex("6db176f74b17a837a7bc870e02ea654732908d8d6e4b7a57817ed7e093e5ad"
	    "4d2a6789ac5108afa7fb4ae454cf344251", want, 48);
	CHECK(memcmp(ct, want, 48) == 0);
	CHECK(client_auth_v2_message(6, cpk, ct, nc, 1750000000ULL, msg) ==
	    CLIENT_OK);
	CHECK(msg[0] == 6 && memcmp(msg + 93, "\x00\x00\x00\x00\x68\x4e\xe1"
	    "\x80", 8) == 0);
	unhex("a7dbab0f4acea3b27ea939e6086309289df1edb5caf4e3042bf03d951ef4c5"
	    "62f81970bb9cce9cf7ef50d0e97c1238fab6c7962e09880f6be4fc0e16862e3b"
	    "0e", sig, 64);
	CHECK(client_auth_v2_verify_signature(6, cpk, ct, 48, nc, 12,
	    1750000000ULL, sig) == CLIENT_OK);
	CHECK(client_auth_v2_verify_signature(6, cpk, ct, 47, nc, 12,
	    1750000000ULL, sig) == CLIENT_ERR_LENGTH);
	CHECK(a != NULL && client_auth_v2_verify_ciphertext(a, cpk, ct, 48,
	    nc, 12) == CLIENT_OK);
	T_END();

	T_BEGIN("spec 10.2 binary frames: ForwardSphinxV2 and PushedMixMessage");
	unhex("101112131415161718191a1b", nc, 12);
	memcpy(pt, "\x00\x01\x04\x06\xfd\x01\x02\x03\x04SPHINX-PACKET-BYTES",
	    28);
	n = a != NULL ? client_frame_seal(a, 2, nc, pt, 28, out,
	    sizeof(out)) : -1;
	unhex("0201101112131415161718191a1b793a523caff194ba9cdf6f9f7ade409783"
	    "3ee676b8d317893a0212116079cdefb96966290b1f16b9a9157189", want, 58);
	CHECK(n == 58 && memcmp(out, want, 58) == 0);
	unhex("202122232425262728292a2b", nc, 12);
	n = a != NULL ? client_frame_seal(a, CLIENT_KIND_PUSHED, nc,
	    (const uint8_t *)"final-hop payload", 17, out, sizeof(out)) : -1;
	unhex("0101202122232425262728292a2b6e7eb14f22f8b1d4e0e760f7578f6e4fc3"
	    "7dfed0495d540b15217000164eeb694a", want, 47);
	CHECK(n == 47 && memcmp(out, want, 47) == 0);
	CHECK(a != NULL && client_frame_open(a, out, 47, &kind, pt,
	    &ptlen) == CLIENT_OK && kind == 1 && ptlen == 17 &&
	    memcmp(pt, "final-hop payload", 17) == 0);
	T_END();

	T_BEGIN("binary frames: short, bad flag, tampered, plain");
	CHECK(a != NULL);
	if (a != NULL) {
		CHECK(client_frame_open(a, out, 1, &kind, pt, &ptlen) ==
		    CLIENT_ERR_FRAME_SHORT);
		CHECK(client_frame_open(a, out, 29, &kind, pt, &ptlen) ==
		    CLIENT_ERR_FRAME_SHORT);
		out[1] = 2;
		CHECK(client_frame_open(a, out, 47, &kind, pt, &ptlen) ==
		    CLIENT_ERR_ENC_FLAG);
		out[1] = 1;
		out[20] ^= 1;
		CHECK(client_frame_open(a, out, 47, &kind, pt, &ptlen) ==
		    CLIENT_ERR_DECRYPT);
		out[1] = 0;
		CHECK(client_frame_open(a, out, 47, &kind, pt, &ptlen) ==
		    CLIENT_OK && ptlen == 33);
		CHECK(client_frame_open(a, out, 13, &kind, pt, &ptlen) ==
		    CLIENT_ERR_FRAME_SHORT);
		CHECK(client_frame_seal(a, 1, nc, pt, 17, out, 46) ==
		    CLIENT_ERR_ARG);
	}
	T_END();
	gwcrypto_aead_free(a);
}

int
main(void)
{
	if (gwcrypto_init() == -1) {
		t_fail("gwcrypto_init", "libgcrypt or libsodium unusable");
		return t_done();
	}
	test_nym_client();
	test_spec_vectors();
	return t_done();
}
