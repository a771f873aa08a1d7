/*
 * credd's node list parser and the Noise key beside "basic"
 * (x25519_noise_versioned_key, spec sphinx-mixport.md 6.3): a version 1
 * key is passed on, null or a malformed key is no key, and an unknown
 * version is passed on as is for mixd to judge.
 */
#include <stdlib.h>
#include <string.h>

#include "credd/credd.h"
#include "testlib.h"

#define NODE(id, ip, noise) "{\"basic\":{\"node_id\":" #id ","	\
	"\"ed25519_identity_pubkey\":\"11111111111111111111111111111112\","\
	"\"ip_addresses\":[\"" ip "\"],\"mix_port\":1789,"		\
	"\"x25519_sphinx_pubkey\":\"11111111111111111111111111111112\"},"\
	"\"x25519_noise_versioned_key\":" noise "}"
/* base58 of 32 bytes 0..0 1 is 1111...12 */
#define KEY	"\"11111111111111111111111111111112\""

int
main(void)
{
	static const char page[] = "{\"nodes\":{\"pagination\":{\"total\":5},"
	    "\"data\":[" NODE(1, "10.0.0.1", "{\"supported_version\":1,"
	    "\"x25519_pubkey\":" KEY "}") ","
	    NODE(2, "10.0.0.2", "null") ","
	    NODE(3, "10.0.0.3", "{\"supported_version\":1,"
	    "\"x25519_pubkey\":\"short\"}") ","
	    NODE(4, "10.0.0.4", "{\"supported_version\":7,"
	    "\"x25519_pubkey\":" KEY "}") ","
	    NODE(5, "10.0.0.5", "{\"supported_version\":\"1\","
	    "\"x25519_pubkey\":" KEY "}") "]}}";
	struct topo_rewarded	 rs;
	struct gw_topology_node	 out[8];
	uint32_t		 ids[5] = { 1, 2, 3, 4, 5 };
	uint8_t			 want[32];
	uint64_t		 total;
	size_t			 n = 0, i;

	memset(&rs, 0, sizeof(rs));
	rs.n = 5;
	rs.ids = (void *)calloc(5, sizeof(*rs.ids));
	for (i = 0; i < 5; i++) {
		rs.ids[i].node_id = ids[i];
		rs.ids[i].layer = 1;
	}
	memset(want, 0, sizeof(want));
	want[31] = 1;

	T_BEGIN("five nodes parsed");
	CHECK(topology_parse_nodes(page, sizeof(page) - 1, &rs, out, &n, 8,
	    &total) == 5 && n == 5 && total == 5);
	T_END();
	T_BEGIN("a version 1 key is passed on");
	CHECK(out[0].noise_version == 1 &&
	    memcmp(out[0].noise_key, want, 32) == 0);
	T_END();
	T_BEGIN("null, a bad key or a string version: no key");
	CHECK(out[1].noise_version == 0 && out[2].noise_version == 0 &&
	    out[4].noise_version == 0);
	CHECK(memcmp(out[2].noise_key, (uint8_t[32]){ 0 }, 32) == 0);
	T_END();
	T_BEGIN("an unknown version is passed on for mixd to judge");
	CHECK(out[3].noise_version == 7);
	T_END();
	topology_rewarded_free(&rs);
	return t_done();
}
