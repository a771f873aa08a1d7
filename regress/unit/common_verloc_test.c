/*
 * common/verloc.c: verloc packets (doc/spec/verloc.md) against a vector
 * made from the spec alone (Python's cryptography Ed25519, peer seed
 * 01..20, node seed 21..40, seq 0x0102030405060708; Nym's layout from
 * common/verloc/src/measurements/packet.rs), then every refusal: each
 * size off by one, each bit of the packet flipped, a key not a point,
 * a reply signed by another key.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "testlib.h"
#include "verloc.h"

static const char *reply_hex =
    "010203040506070879b5562e8fe654f94078b112e8a98ba7901f853ae695bed7"
    "e0e3910bad049664cafb6581b314b4b7d27501a060d74abb263754e19349c0f2"
    "faeb6c0701e90760bd5d6e76ef9495b7556f110e83fc8afb594fe5ff7b6d2ace"
    "5cc89a058d5e490da136897696057273d34646133c86450a7310b3dcd445f63e"
    "234e667009227aa02afebe2ff9c0c44e6aabe2ede87f4dff0f9106723a7db2e6"
    "7e93a70e7b8a9c0e";
static const char *node_pk_hex =
    "e7f162a10bec559afea195e4dce84b69568d5d2cb0963eb446c0685e2b17f2f0";

static uint8_t	 reply[VERLOC_REPLY_LEN], node_pk[32];

static void
seeded(uint8_t first, uint8_t pk[32], uint8_t sk[64])
{
	uint8_t	 seed[32];
	int	 i;

	for (i = 0; i < 32; i++)
		seed[i] = (uint8_t)(first + i);
	crypto_sign_seed_keypair(pk, sk, seed);
}

static void
test_vector(void)
{
	uint8_t			 pk[32], sk[64], npk[32], nsk[64];
	uint8_t			 echo[VERLOC_ECHO_LEN], out[VERLOC_REPLY_LEN];
	uint8_t			 sig[64];
	struct verloc_echo	 e;
	size_t			 n;

	T_BEGIN("echo and reply match the spec's vector byte for byte");
	CHECK(t_unhex(reply_hex, reply, sizeof(reply), &n) == 0 &&
	    n == sizeof(reply));
	CHECK(t_unhex(node_pk_hex, node_pk, sizeof(node_pk), &n) == 0);
	seeded(1, pk, sk);
	seeded(33, npk, nsk);
	CHECK(memcmp(npk, node_pk, 32) == 0);
	verloc_echo_make(0x0102030405060708ULL, sk, echo);
	CHECK(memcmp(echo, reply, sizeof(echo)) == 0);
	CHECK(verloc_echo_parse(echo, sizeof(echo), &e) == VERLOC_OK);
	CHECK(e.seq == 0x0102030405060708ULL);
	CHECK(memcmp(e.sender, pk, 32) == 0);
	crypto_sign_detached(sig, NULL, echo, sizeof(echo), nsk);
	verloc_reply_make(echo, sig, out);
	CHECK(memcmp(out, reply, sizeof(out)) == 0);
	CHECK(verloc_reply_parse(reply, sizeof(reply), node_pk, &e) ==
	    VERLOC_OK);
	T_END();
}

static void
test_refusals(void)
{
	uint8_t			 b[VERLOC_REPLY_LEN + 1], other[32], osk[64];
	struct verloc_echo	 e;
	size_t			 i;

	T_BEGIN("wrong sizes, every flipped bit, a non-point key, another "
	    "node's key: all refused");
	memcpy(b, reply, sizeof(reply));
	CHECK(verloc_echo_parse(b, VERLOC_ECHO_LEN - 1, &e) == VERLOC_ESIZE);
	CHECK(verloc_echo_parse(b, VERLOC_ECHO_LEN + 1, &e) == VERLOC_ESIZE);
	CHECK(verloc_echo_parse(b, 0, &e) == VERLOC_ESIZE);
	CHECK(verloc_reply_parse(b, VERLOC_REPLY_LEN - 1, node_pk, &e) ==
	    VERLOC_ESIZE);
	CHECK(verloc_reply_parse(b, VERLOC_REPLY_LEN + 1, node_pk, &e) ==
	    VERLOC_ESIZE);
	for (i = 0; i < VERLOC_REPLY_LEN * 8; i++) {
		b[i / 8] ^= (uint8_t)(1u << (i % 8));
		CHECK(verloc_reply_parse(b, VERLOC_REPLY_LEN, node_pk, &e) !=
		    VERLOC_OK);
		if (i < VERLOC_ECHO_LEN * 8)
			CHECK(verloc_echo_parse(b, VERLOC_ECHO_LEN, &e) !=
			    VERLOC_OK);
		b[i / 8] ^= (uint8_t)(1u << (i % 8));
	}
	CHECK(verloc_reply_parse(b, VERLOC_REPLY_LEN, node_pk, &e) ==
	    VERLOC_OK);
	seeded(99, other, osk);
	CHECK(verloc_reply_parse(b, VERLOC_REPLY_LEN, other, &e) ==
	    VERLOC_ESIG);
	/* y = 2 is not on the curve. */
	memset(b + VERLOC_SEQ_LEN, 0, VERLOC_KEY_LEN);
	b[VERLOC_SEQ_LEN] = 2;
	CHECK(verloc_echo_parse(b, VERLOC_ECHO_LEN, &e) == VERLOC_EKEY);
	T_END();
}

static void
test_stats(void)
{
	/* Nym's models.rs: min, mean = sum/count, max, population standard
	 * deviation in whole microseconds.  10,20,30,40: mean 25, variance
	 * (225+25+25+225)/4 = 125, sqrt 11.18 -> 11. */
	static const uint64_t	 rtt[] = { 20, 40, 10, 30 };
	struct verloc_stats	 st;
	char			 b[64];

	T_BEGIN("statistics and humantime strings as nym-node prints them");
	verloc_stats_of(rtt, 4, &st);
	CHECK(st.minimum == 10 && st.mean == 25 && st.maximum == 40 &&
	    st.standard_deviation == 11);
	verloc_stats_of(rtt, 0, &st);
	CHECK(st.minimum == 0 && st.mean == 0 && st.maximum == 0 &&
	    st.standard_deviation == 0);
	CHECK(verloc_humantime(0, b, sizeof(b)) == 0 && !strcmp(b, "0s"));
	CHECK(verloc_humantime(1250, b, sizeof(b)) == 0 &&
	    !strcmp(b, "1ms 250us"));
	CHECK(verloc_humantime(1000000, b, sizeof(b)) == 0 &&
	    !strcmp(b, "1s"));
	CHECK(verloc_humantime(2ULL * 86400 * 1000000 + 61000001, b,
	    sizeof(b)) == 0 && !strcmp(b, "2days 1m 1s 1us"));
	CHECK(verloc_humantime(86400ULL * 1000000, b, sizeof(b)) == 0 &&
	    !strcmp(b, "1day"));
	CHECK(verloc_humantime(1250, b, 5) == -1);
	T_END();
}

int
main(void)
{
	if (sodium_init() == -1)
		return 1;
	test_vector();
	test_refusals();
	test_stats();
	return t_done();
}
