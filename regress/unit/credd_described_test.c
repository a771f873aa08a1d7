/*
 * credd's parser of nym-api's GET /v1/nym-nodes/described
 * (PaginatedResponse<NymNodeDescriptionV1>, doc/spec/verloc.md 4): per
 * node the identity, the first address and the verloc port, 1790 when
 * null or absent; a node without a usable key, address or port, and
 * our own, are left out; a page that is not that shape is refused.
 */
#include <arpa/inet.h>

#include <string.h>

#include "credd/credd.h"
#include "testlib.h"

#define K1	"8qbHbw2BbbTHBW1sbeqakYXVKRQM8Ne7pLK7m6CVfeR"	/* 0x02 x 32 */
#define K2	"CktRuQ2mttgRGkXJtyksdKHjUdc2C4TgDzyB98oEzy8"	/* 0x03 */
#define K3	"GgBaCs3NCBuZN12kCJgAW63ydqohFkHEdfdEXBPzLHq"	/* 0x04 */
#define SELF	"LbUiWL3xVV8hTFYBVdbTNrpDo41NKS6o3LHHuDzjfcY"	/* 0x05 */

#define NODE(key, ips, aux) "{\"node_id\":1,\"contract_node_type\":"	\
	"\"nym_node\",\"description\":{\"host_information\":{"		\
	"\"ip_address\":" ips ",\"hostname\":null,\"keys\":{\"ed25519\":"	\
	key ",\"x25519\":" "\"" K1 "\"}}" aux ",\"mixnet_websockets\":"	\
	"{\"ws_port\":9000,\"wss_port\":null}}}"
#define AUX(p)	",\"auxiliary_details\":{\"location\":null,"		\
	"\"announce_ports\":{\"verloc_port\":" p ",\"mix_port\":null}}"

static int
parse(const char *s, struct gw_verloc_node *out, size_t *n, size_t max,
    uint64_t *total)
{
	uint8_t	 self[32];

	memset(self, 5, sizeof(self));
	*n = 0;
	return described_parse(s, strlen(s), self, out, n, max, total);
}

int
main(void)
{
	static const char page[] = "{\"pagination\":{\"total\":10,\"page\":0,"
	    "\"size\":10},\"data\":["
	    NODE("\"" K1 "\"", "[\"192.0.2.1\",\"192.0.2.2\"]", AUX("1791")) ","
	    NODE("\"" K2 "\"", "[\"2001:db8::1\"]", AUX("null")) ","
	    NODE("\"" K3 "\"", "[\"192.0.2.3\"]", "") ","
	    NODE("\"" SELF "\"", "[\"192.0.2.4\"]", AUX("1790")) ","
	    NODE("\"" K1 "\"", "[]", AUX("1790")) ","
	    NODE("\"" K1 "\"", "[\"gw.example.org\"]", AUX("1790")) ","
	    NODE("\"short\"", "[\"192.0.2.5\"]", AUX("1790")) ","
	    NODE("\"" K1 "\"", "[\"192.0.2.6\"]", AUX("0")) ","
	    NODE("\"" K1 "\"", "[\"192.0.2.7\"]", AUX("\"1790\"")) ","
	    NODE("7", "[\"192.0.2.8\"]", AUX("70000")) "]}";
	struct gw_verloc_node	 out[16];
	uint8_t			 k[32], ip[16];
	uint64_t		 total = 0;
	size_t			 n;

	T_BEGIN("ten nodes on the page, three usable");
	CHECK(parse(page, out, &n, 16, &total) == 10 && n == 3 &&
	    total == 10);
	T_END();
	T_BEGIN("identity, first address and the announced verloc port");
	memset(k, 2, sizeof(k));
	inet_pton(AF_INET, "192.0.2.1", ip);
	CHECK(memcmp(out[0].identity, k, 32) == 0 && out[0].family == 4 &&
	    memcmp(out[0].ip, ip, 4) == 0 && out[0].port == 1791);
	T_END();
	T_BEGIN("IPv6, and a null verloc_port is 1790");
	memset(k, 3, sizeof(k));
	inet_pton(AF_INET6, "2001:db8::1", ip);
	CHECK(memcmp(out[1].identity, k, 32) == 0 && out[1].family == 6 &&
	    memcmp(out[1].ip, ip, 16) == 0 && out[1].port == 1790);
	T_END();
	T_BEGIN("no auxiliary_details: 1790 (serde's default)");
	CHECK(out[2].port == 1790 && out[2].identity[0] == 4);
	T_END();
	T_BEGIN("at most max nodes, the page still counted whole");
	CHECK(parse(page, out, &n, 2, &total) == 10 && n == 2);
	T_END();
	T_BEGIN("not the shape: no data array, no total, not JSON");
	CHECK(parse("{\"pagination\":{\"total\":1},\"data\":{}}", out, &n,
	    16, &total) == -1);
	CHECK(parse("{\"data\":[]}", out, &n, 16, &total) == -1);
	CHECK(parse("{\"pagination\":{\"total\":-1},\"data\":[]}", out, &n,
	    16, &total) == -1);
	CHECK(parse("[", out, &n, 16, &total) == -1);
	CHECK(parse("{\"pagination\":{\"total\":0},\"data\":[1,\"x\",null]}",
	    out, &n, 16, &total) == 3 && n == 0);
	T_END();
	return t_done();
}
