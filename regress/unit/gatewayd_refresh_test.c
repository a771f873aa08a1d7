/*
 * The master's refresh-described signature (doc/spec/refresh-described.md).
 * nym-api checks it with NodeRefreshBody::verify_signature
 * (nym-api/nym-api-requests/src/models/node_status.rs): Ed25519 by the
 * node's identity over identity || i64 big-endian timestamp ||
 * "describe-cache-refresh-request".  The vector was made from that rule
 * with python3-cryptography's Ed25519, not with this code: seed
 * 01 02 .. 20, timestamp 1764770000.
 */
#include <string.h>

#include <sodium.h>

#include "gatewayd/gatewayd.h"
#include "testlib.h"

#define PK_HEX	"79b5562e8fe654f94078b112e8a98ba7" \
		"901f853ae695bed7e0e3910bad049664"
#define PT_HEX	PK_HEX "00000000693040d0" \
		"64657363726962652d63616368652d72" \
		"6566726573682d72657175657374"
#define SIG_HEX	"a307577f3c3536c9fbb91b478c63d64f" \
		"f693d0b46d9fa49cf50343169907eceb" \
		"456a3f5e223b5819630bebb1a590404b" \
		"b8d5213ab557b1faeeb633abd167e103"
/* A negative timestamp is two's complement, as i64::to_be_bytes. */
#define NEG_HEX	PK_HEX "fffffffffffffffe" \
		"64657363726962652d63616368652d72" \
		"6566726573682d72657175657374"

int
main(void)
{
	uint8_t			 seed[32], pk[32], sk[64];
	uint8_t			 want[128], pt[REFRESH_PLAINTEXT_LEN];
	uint8_t			 wsig[64];
	struct gw_refresh_signed s;
	size_t			 n, i;

	if (sodium_init() == -1)
		t_die("sodium_init");
	for (i = 0; i < 32; i++)
		seed[i] = (uint8_t)(i + 1);
	crypto_sign_seed_keypair(pk, sk, seed);
	if (t_unhex(PK_HEX, want, sizeof(want), &n) == -1 || n != 32)
		t_die("vector");
	if (memcmp(pk, want, 32) == 0)
		t_ok("the seed gives the vector's identity key");
	else
		t_fail("the seed gives the vector's identity key", "differs");

	if (REFRESH_PLAINTEXT_LEN == 70)
		t_ok("the plaintext is 70 bytes (32 + 8 + 30)");
	else
		t_fail("the plaintext is 70 bytes", "%zu",
		    (size_t)REFRESH_PLAINTEXT_LEN);
	if (t_unhex(PT_HEX, want, sizeof(want), &n) == -1 || n != 70)
		t_die("vector");
	refresh_plaintext(pk, 1764770000, pt);
	if (memcmp(pt, want, 70) == 0)
		t_ok("plaintext: identity || be64(timestamp) || label");
	else {
		t_fail("plaintext: identity || be64(timestamp) || label",
		    "differs");
		t_hexdump_diff(pt, want, 70);
	}
	if (t_unhex(NEG_HEX, want, sizeof(want), &n) == -1 || n != 70)
		t_die("vector");
	refresh_plaintext(pk, -2, pt);
	if (memcmp(pt, want, 70) == 0)
		t_ok("a negative timestamp is two's complement big-endian");
	else
		t_fail("a negative timestamp is two's complement big-endian",
		    "differs");

	refresh_sign(pk, sk, 1764770000, &s);
	if (t_unhex(SIG_HEX, wsig, sizeof(wsig), &n) == -1 || n != 64)
		t_die("vector");
	if (memcmp(s.identity, pk, 32) == 0 && s.timestamp == 1764770000 &&
	    memcmp(s.signature, wsig, 64) == 0)
		t_ok("the signature is the vector's (Ed25519 is deterministic)");
	else
		t_fail("the signature is the vector's", "differs");
	refresh_plaintext(pk, 1764770000, pt);
	if (crypto_sign_verify_detached(s.signature, pt, sizeof(pt), pk) == 0)
		t_ok("the signature verifies over the plaintext");
	else
		t_fail("the signature verifies over the plaintext", "no");
	refresh_plaintext(pk, 1764770001, pt);
	if (crypto_sign_verify_detached(s.signature, pt, sizeof(pt), pk) != 0)
		t_ok("it does not verify for another timestamp");
	else
		t_fail("it does not verify for another timestamp", "it does");
	return t_done();
}
