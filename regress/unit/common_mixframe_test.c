/*
 * Mix-port framing v7/v8, MixPacket v1/v2, node addresses and the
 * final-hop payload split: vectors from the spec, round trips, and one
 * distinct error per malformed input.
 */
#include <sys/socket.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "mixframe.h"
#include "mixpacket.h"
#include "nodeaddr.h"
#include "sphinx.h"
#include "sphinx_payload.h"
#include "testlib.h"
#include "util.h"

static uint8_t	 buf[2 * MIXFRAME_MAX_LEN], pkt[SPHINX_MAX_PACKET];

static int
hexeq(const uint8_t *got, const char *hex, size_t n)
{
	uint8_t	 want[64];
	size_t	 wl;

	return t_unhex(hex, want, sizeof(want), &wl) == 0 && wl == n &&
	    memcmp(got, want, n) == 0;
}

static void
test_nodeaddr(void)
{
	struct nodeaddr		 a, b;
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	uint8_t			 out[32];
	char			 s[NODEADDR_STRLEN];

	T_BEGIN("node address: IPv4 1.2.3.4:1789 (spec 1.5 and model)");
	CHECK(nodeaddr_parse("1.2.3.4:1789", &a) == 0);
	CHECK(nodeaddr_encode(&a, out, 7) == 7 &&
	    hexeq(out, "0406fd01020304", 7));
	CHECK(nodeaddr_encode(&a, out, 32) == 7 && hexeq(out,
	    "0406fd0102030400000000000000000000000000000000000000000000000000",
	    32));
	CHECK(nodeaddr_encode(&a, out, 19) == 7 &&
	    hexeq(out, "0406fd01020304000000000000000000000000", 19));
	CHECK(nodeaddr_decode(out, 19, &b) == 7 && nodeaddr_eq(&a, &b));
	CHECK(strcmp(nodeaddr_fmt(&b, s, sizeof(s)), "1.2.3.4:1789") == 0);
	T_END();

	T_BEGIN("node address: IPv6 [2001:db8::1]:1789");
	CHECK(nodeaddr_parse("[2001:db8::1]:1789", &a) == 0);
	CHECK(nodeaddr_encode(&a, out, 19) == 19 &&
	    hexeq(out, "0606fd20010db8000000000000000000000001", 19));
	CHECK(nodeaddr_decode(out, 19, &b) == 19 && nodeaddr_eq(&a, &b));
	CHECK(strcmp(nodeaddr_fmt(&b, s, sizeof(s)),
	    "[2001:db8::1]:1789") == 0);
	CHECK(nodeaddr_to_sockaddr(&a, &ss, &sl) == 0 &&
	    ss.ss_family == AF_INET6);
	CHECK(nodeaddr_from_sockaddr((struct sockaddr *)&ss, &b) == 0 &&
	    nodeaddr_eq(&a, &b));
	T_END();

	T_BEGIN("node address: rejects bad versions, short input, bad text");
	memset(out, 0, sizeof(out));
	out[0] = 5;
	CHECK(nodeaddr_decode(out, 32, &a) == -1);
	out[0] = 6;
	CHECK(nodeaddr_decode(out, 18, &a) == -1);
	out[0] = 4;
	CHECK(nodeaddr_decode(out, 6, &a) == -1);
	CHECK(nodeaddr_decode(out, 0, &a) == -1);
	CHECK(nodeaddr_parse("1.2.3.4", &a) == -1);
	CHECK(nodeaddr_parse("1.2.3.4:65536", &a) == -1);
	CHECK(nodeaddr_parse("2001:db8::1:1789", &a) == -1);
	CHECK(nodeaddr_parse("host:1", &a) == -1);
	CHECK(nodeaddr_encode(&a, out, 32) == -1);	/* family 0 */
	T_END();
}

static void
test_frames(void)
{
	static const uint8_t	 tags[] = { 1, 2, 3, 4, 5, 6, 7 };
	struct mixframe		 f;
	uint8_t			 h[4];
	size_t			 i, plen, cut;
	int			 n, v, codes[4];

	T_BEGIN("frame headers (model vectors)");
	CHECK(mixframe_encode_header(7, 1, 0, 2, h) == 3 &&
	    hexeq(h, "070100", 3));
	CHECK(mixframe_encode_header(7, 2, 0, 0, h) == 3 &&
	    hexeq(h, "070200", 3));
	CHECK(mixframe_encode_header(8, 1, 0, 2, h) == 4 &&
	    hexeq(h, "08010002", 4));
	CHECK(mixframe_encode_header(8, 1, 0, 1, h) == 4 &&
	    hexeq(h, "08010001", 4));
	CHECK(mixframe_encode_header(8, 1, 0, 0, h) == 4 &&
	    hexeq(h, "08010000", 4));
	T_END();

	T_BEGIN("frame round trip v7 and v8, every size, byte by byte");
	for (v = 7; v <= 8; v++)
		for (i = 0; i < nitems(tags); i++) {
			uint8_t	 type = tags[i] >= 6 ? 2 : 0;

			plen = mixframe_packet_len(tags[i]);
			CHECK(plen > 0 && mixframe_tag_for(type, plen) ==
			    tags[i]);
			randombytes_buf(pkt, plen);
			n = mixframe_encode((uint8_t)v, type, 2, pkt, plen,
			    buf, sizeof(buf));
			CHECK(n == (v == 7 ? 3 : 4) + (int)plen);
			/* A second frame right behind the first. */
			memcpy(buf + n, buf, (size_t)n);
			for (cut = 0; cut < (size_t)n; cut += 97)
				CHECK(mixframe_decode(buf, cut, &f) == 0);
			CHECK(mixframe_decode(buf, 2 * (size_t)n, &f) == n);
			CHECK(f.version == v && f.size_tag == tags[i] &&
			    f.packet_type == type && f.packet_len == plen &&
			    f.rotation == (v == 8 ? 2 : 0) &&
			    memcmp(f.packet, pkt, plen) == 0);
			CHECK(mixframe_decode(buf + n, (size_t)n, &f) == n);
		}
	T_END();

	T_BEGIN("bad frame headers: one error each, seen early");
	memcpy(buf, "\x06\x01\x00", 3);
	CHECK((codes[0] = mixframe_decode(buf, 3, &f)) ==
	    MIXFRAME_ERR_VERSION);
	CHECK(mixframe_decode((const uint8_t *)"\x09", 1, &f) ==
	    MIXFRAME_ERR_VERSION);
	CHECK(mixframe_decode((const uint8_t *)"\x00", 1, &f) ==
	    MIXFRAME_ERR_VERSION);
	CHECK((codes[1] = mixframe_decode((const uint8_t *)"\x07\x08", 2,
	    &f)) == MIXFRAME_ERR_SIZE_TAG);
	CHECK(mixframe_decode((const uint8_t *)"\x08\x00", 2, &f) ==
	    MIXFRAME_ERR_SIZE_TAG);
	CHECK((codes[2] = mixframe_decode((const uint8_t *)"\x07\x01\x01", 3,
	    &f)) == MIXFRAME_ERR_PACKET_TYPE);
	CHECK(mixframe_decode((const uint8_t *)"\x08\x01\x03", 3, &f) ==
	    MIXFRAME_ERR_PACKET_TYPE);
	CHECK((codes[3] = mixframe_decode((const uint8_t *)"\x08\x01\x00\x03",
	    4, &f)) == MIXFRAME_ERR_ROTATION);
	CHECK(mixframe_decode((const uint8_t *)"\x08\x01\x00", 3, &f) == 0);
	CHECK(codes[0] != codes[1] && codes[1] != codes[2] &&
	    codes[2] != codes[3] && codes[0] != codes[3] &&
	    codes[0] != codes[2] && codes[1] != codes[3]);
	CHECK(mixframe_encode(7, 0, 0, pkt, 1000, buf, sizeof(buf)) ==
	    MIXFRAME_ERR_ARG);
	CHECK(mixframe_encode(7, 0, 0, pkt, 386, buf, 100) ==
	    MIXFRAME_ERR_ARG);
	CHECK(mixframe_encode_header(8, 1, 0, 3, h) == MIXFRAME_ERR_ROTATION);
	CHECK(mixframe_encode_header(9, 1, 0, 0, h) == MIXFRAME_ERR_VERSION);
	T_END();
}

static void
test_mixpacket(void)
{
	struct mixpacket	 mp, d;
	uint8_t			 enc[SPHINX_MAX_PACKET + 32];
	int			 v, n, fam, codes[6], i, j;

	T_BEGIN("MixPacket v1/v2 round trip, IPv4 and IPv6");
	randombytes_buf(pkt, SPHINX_SIZE_REGULAR);
	for (v = 1; v <= 2; v++)
		for (fam = 4; fam <= 6; fam += 2) {
			memset(&mp, 0, sizeof(mp));
			CHECK(nodeaddr_parse(fam == 4 ? "127.0.0.1:1790" :
			    "[::1]:1790", &mp.next_hop) == 0);
			mp.packet_type = 0;
			mp.key_rotation = v == 2 ? 1 : 0;
			mp.packet = pkt;
			mp.packet_len = SPHINX_SIZE_REGULAR;
			n = mixpacket_encode(v, &mp, enc, sizeof(enc));
			CHECK(n == (int)mixpacket_encoded_len(v, &mp) &&
			    n == v + (fam == 4 ? 7 : 19) + SPHINX_SIZE_REGULAR);
			CHECK(mixpacket_decode(v, enc, (size_t)n, &d) ==
			    MIXPACKET_OK);
			CHECK(d.packet_type == 0 && d.key_rotation ==
			    mp.key_rotation && nodeaddr_eq(&d.next_hop,
			    &mp.next_hop) && d.packet_len == mp.packet_len &&
			    memcmp(d.packet, pkt, d.packet_len) == 0);
		}
	T_END();

	T_BEGIN("MixPacket: one error per malformed field");
	memset(&mp, 0, sizeof(mp));
	nodeaddr_parse("10.0.0.1:1789", &mp.next_hop);
	mp.packet = pkt;
	mp.packet_len = SPHINX_SIZE_ACK;
	n = mixpacket_encode(2, &mp, enc, sizeof(enc));
	CHECK(n == 2 + 7 + SPHINX_SIZE_ACK);
	CHECK((codes[0] = mixpacket_decode(3, enc, (size_t)n, &d)) ==
	    MIXPACKET_ERR_VERSION);
	CHECK((codes[1] = mixpacket_decode(2, enc, 5, &d)) ==
	    MIXPACKET_ERR_TRUNCATED);
	CHECK(mixpacket_decode(2, enc, 1, &d) == MIXPACKET_ERR_TRUNCATED);
	CHECK(mixpacket_decode(2, enc, 2, &d) == MIXPACKET_ERR_TRUNCATED);
	CHECK(mixpacket_decode(1, enc, 0, &d) == MIXPACKET_ERR_TRUNCATED);
	enc[0] = 1;
	CHECK((codes[2] = mixpacket_decode(2, enc, (size_t)n, &d)) ==
	    MIXPACKET_ERR_PACKET_TYPE);
	enc[0] = 0;
	enc[1] = 3;
	CHECK((codes[3] = mixpacket_decode(2, enc, (size_t)n, &d)) ==
	    MIXPACKET_ERR_ROTATION);
	enc[1] = 0;
	enc[2] = 5;
	CHECK((codes[4] = mixpacket_decode(2, enc, (size_t)n, &d)) ==
	    MIXPACKET_ERR_ADDRESS);
	enc[2] = 4;
	CHECK((codes[5] = mixpacket_decode(2, enc, (size_t)n - 1, &d)) ==
	    MIXPACKET_ERR_SIZE);
	enc[0] = 2;	/* Outfox type with a Sphinx size */
	CHECK(mixpacket_decode(2, enc, (size_t)n, &d) == MIXPACKET_ERR_SIZE);
	enc[0] = 0;
	CHECK(mixpacket_decode(2, enc, (size_t)n, &d) == MIXPACKET_OK);
	for (i = 0; i < 6; i++)
		for (j = 0; j < i; j++)
			CHECK(codes[i] != codes[j]);
	mp.key_rotation = 1;
	CHECK(mixpacket_encode(1, &mp, enc, sizeof(enc)) ==
	    MIXPACKET_ERR_ROTATION);
	CHECK(mixpacket_encode(2, &mp, enc, 10) == MIXPACKET_ERR_ARG);
	T_END();
}

static void
test_split(void)
{
	struct sphinx_final_msg	 m;
	uint8_t			 p[2048];

	T_BEGIN("payload split: SURB-ack + message, ack-size message only");
	memset(p, 0, sizeof(p));
	memcpy(p, "\x04\x06\xfe\x0a\x00\x00\x01", 7);
	p[19] = 0xaa;
	memcpy(p + 405, "msg", 3);
	CHECK(sphinx_payload_split(SPHINX_SIZE_REGULAR, p, 408, &m) ==
	    SPHINX_PAYLOAD_OK);
	CHECK(m.has_ack && m.ack_first_hop.port == 1790 &&
	    m.ack_packet == p + 19 && m.ack_packet_len == 386 &&
	    m.message == p + 405 && m.message_len == 3);
	CHECK(sphinx_payload_split(SPHINX_SIZE_EXT8, p, 405, &m) ==
	    SPHINX_PAYLOAD_OK && m.message_len == 0);
	CHECK(sphinx_payload_split(SPHINX_SIZE_ACK, p, 21, &m) ==
	    SPHINX_PAYLOAD_OK && !m.has_ack && m.message == p &&
	    m.message_len == 21);
	T_END();

	T_BEGIN("payload split: short, bad ack address, bad size");
	CHECK(sphinx_payload_split(SPHINX_SIZE_REGULAR, p, 404, &m) ==
	    SPHINX_PAYLOAD_ERR_NO_ACK);
	p[0] = 5;
	CHECK(sphinx_payload_split(SPHINX_SIZE_REGULAR, p, 408, &m) ==
	    SPHINX_PAYLOAD_ERR_ACK_ADDR);
	p[0] = 6;	/* IPv6 fits the 19 bytes */
	CHECK(sphinx_payload_split(SPHINX_SIZE_REGULAR, p, 408, &m) ==
	    SPHINX_PAYLOAD_OK);
	CHECK(sphinx_payload_split(2377, p, 408, &m) ==
	    SPHINX_PAYLOAD_ERR_SIZE);
	T_END();
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_nodeaddr();
	test_frames();
	test_mixpacket();
	test_split();
	return t_done();
}
