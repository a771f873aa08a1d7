/*
 * credd/dkg.c's codecs: the JSON-RPC abci_query body of a CosmWasm
 * smart query (checked byte for byte against a protobuf encoding made
 * by hand), the contract's answer unwrapped from nyxd's response
 * (base64 of QuerySmartContractStateResponse), the DKG contract's
 * threshold and its pages of verification-key shares: only verified
 * shares of the asked epoch with a usable address count, and paging
 * stops where the contract's does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credd/credd.h"
#include "testlib.h"

/* A literal and its length. */
#define S(x)	x, strlen(x)
#define DKG	"n19604yflqggs9mk2z26mqygq43q2kr3n932egxx630svywd5mpxjsztfpvx"

/* 0x0a len address 0x12 len query, as prost encodes the request. */
static const char want_body[] =
    "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"abci_query\",\"params\":"
    "{\"path\":\"/cosmwasm.wasm.v1.Query/SmartContractState\",\"data\":\""
    "0A3C6E313936303479666C71676773396D6B327A32366D71796771343371326B7233"
    "6E393332656778783633307376797764356D70786A737A74667076781226"
    "7B226765745F65706F63685F7468726573686F6C64223A7B2265706F63685F6964"
    "223A377D7D\",\"prove\":false}}";

static int
answer(const char *value, char **json, size_t *jlen, const char **why)
{
	char	 buf[1024];

	snprintf(buf, sizeof(buf), "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":"
	    "{\"response\":{\"code\":0,\"log\":\"\",\"info\":\"\",\"index\":"
	    "\"0\",\"key\":null,\"value\":%s,\"proofOps\":null,\"height\":"
	    "\"100\",\"codespace\":\"\"}}}", value);
	return dkg_rpc_answer(buf, strlen(buf), json, jlen, why);
}

static void
test_body(void)
{
	char	 out[1024], q[300];
	int	 n;

	T_BEGIN("dkg: the abci_query body of a smart query, byte for byte");
	n = dkg_rpc_body(out, sizeof(out), DKG,
	    "{\"get_epoch_threshold\":{\"epoch_id\":7}}");
	CHECK(n == (int)strlen(want_body));
	CHECK(strcmp(out, want_body) == 0);
	T_END();

	T_BEGIN("dkg: a body that does not fit is refused, not cut");
	CHECK(dkg_rpc_body(out, 200, DKG, "{\"get_epoch_threshold\":"
	    "{\"epoch_id\":7}}") == -1);
	memset(q, 'x', sizeof(q) - 1);
	q[sizeof(q) - 1] = '\0';
	CHECK(dkg_rpc_body(out, sizeof(out), DKG, q) == -1);
	T_END();
}

static void
test_answer(void)
{
	const char	*why;
	char		*json;
	size_t		 jlen;
	static const char err[] = "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":"
	    "{\"code\":-32603,\"message\":\"internal\"}}";
	static const char failed[] = "{\"result\":{\"response\":{\"code\":18,"
	    "\"log\":\"no such contract\",\"value\":null}}}";

	T_BEGIN("dkg: the contract's JSON out of nyxd's answer");
	CHECK(answer("\"CjN7InNoYXJlcyI6W10sInBlcl9wYWdlIjozMCwic3RhcnRfbmV4"
	    "dF9hZnRlciI6bnVsbH0=\"", &json, &jlen, &why) == 0);
	CHECK(json != NULL && jlen == 51 && strcmp(json, "{\"shares\":[],"
	    "\"per_page\":30,\"start_next_after\":null}") == 0);
	free(json);
	T_END();

	T_BEGIN("dkg: unknown protobuf fields around the data are skipped");
	CHECK(answer("\"EAUKATMaAA==\"", &json, &jlen, &why) == 0);
	CHECK(json != NULL && jlen == 1 && json[0] == '3');
	free(json);
	T_END();

	T_BEGIN("dkg: errors, failed queries and broken values are refused");
	CHECK(dkg_rpc_answer(err, strlen(err), &json, &jlen, &why) == -1 &&
	    json == NULL && why != NULL && strstr(why, "JSON-RPC") != NULL);
	CHECK(dkg_rpc_answer(failed, strlen(failed), &json, &jlen, &why) ==
	    -1 && strstr(why, "query failed") != NULL);
	CHECK(answer("\"CoU=\"", &json, &jlen, &why) == -1 &&
	    strstr(why, "smart query") != NULL);	/* length past the end */
	CHECK(answer("\"not base64!\"", &json, &jlen, &why) == -1 &&
	    strstr(why, "base64") != NULL);
	CHECK(answer("null", &json, &jlen, &why) == -1);
	CHECK(answer("\"\"", &json, &jlen, &why) == -1);	/* no field 1 */
	CHECK(answer("42", &json, &jlen, &why) == -1);
	CHECK(dkg_rpc_answer(S("{\"result\":{}}"), &json, &jlen, &why) ==
	    -1);
	CHECK(dkg_rpc_answer(S("[]"), &json, &jlen, &why) == -1);
	CHECK(dkg_rpc_answer(S("{"), &json, &jlen, &why) == -1);
	T_END();
}

static void
test_threshold(void)
{
	uint64_t	 t = 0;

	T_BEGIN("dkg: the epoch's threshold, or none");
	CHECK(dkg_parse_threshold(S("3"), &t) == 0 && t == 3);
	CHECK(dkg_parse_threshold(S("null"), &t) == -1);
	CHECK(dkg_parse_threshold(S("0"), &t) == -1);
	CHECK(dkg_parse_threshold(S("-2"), &t) == -1);
	CHECK(dkg_parse_threshold(S("\"3\""), &t) == -1);
	CHECK(dkg_parse_threshold(S("3.5"), &t) == -1);
	CHECK(dkg_parse_threshold(S("{}"), &t) == -1);
	CHECK(dkg_parse_threshold(S(""), &t) == -1);
	T_END();
}

#define SHARE(addr, idx, owner, ep, ver) \
	"{\"share\":\"x\",\"announce_address\":\"" addr "\",\"node_index\":" \
	#idx ",\"owner\":\"" owner "\",\"epoch_id\":" #ep ",\"verified\":" \
	#ver "}"

static void
test_shares(void)
{
	struct signer_set	 set;
	char			 next[DKG_OWNER_MAX];
	int			 more;
	static const char page[] = "{\"shares\":["
	    SHARE("https://api1.example/api/", 1, "n1a", 7, true) ","
	    SHARE("https://api2.example", 2, "n1b", 7, false) ","
	    SHARE("https://api3.example", 3, "n1c", 6, true) ","
	    SHARE("ftp://api4.example", 4, "n1d", 7, true) ","
	    SHARE("https://api5.example", 1, "n1e", 7, true) ","
	    SHARE("https://api6.example", 6, "n1f", 7, true)
	    "],\"per_page\":6,\"start_next_after\":\"n1f\"}";
	static const char last[] = "{\"shares\":["
	    SHARE("http://10.0.0.7:8080", 7, "n1g", 7, true)
	    "],\"per_page\":6,\"start_next_after\":\"n1g\"}";
	static const char empty[] = "{\"shares\":[],\"per_page\":30,"
	    "\"start_next_after\":null}";

	T_BEGIN("dkg: verified shares of the epoch with a usable address");
	memset(&set, 0, sizeof(set));
	CHECK(dkg_parse_shares(page, strlen(page), 7, &set, next,
	    sizeof(next), &more) == 6);
	CHECK(set.n == 2 && set.s[0].id == 1 && set.s[1].id == 6);
	CHECK(strcmp(set.s[0].url, "https://api1.example/api") == 0);
	CHECK(strcmp(next, "n1f") == 0 && more == 1);
	T_END();

	T_BEGIN("dkg: a page shorter than per_page, or empty, is the last");
	CHECK(dkg_parse_shares(last, strlen(last), 7, &set, next,
	    sizeof(next), &more) == 1);
	CHECK(set.n == 3 && set.s[2].id == 7 && more == 0);
	CHECK(dkg_parse_shares(empty, strlen(empty), 7, &set, next,
	    sizeof(next), &more) == 0 && more == 0 && next[0] == '\0');
	CHECK(set.n == 3);
	T_END();

	T_BEGIN("dkg: pages that are not the contract's are refused");
	memset(&set, 0, sizeof(set));
	CHECK(dkg_parse_shares(S("{\"shares\":{}}"), 7, &set, next,
	    sizeof(next), &more) == -1);
	CHECK(dkg_parse_shares(S("{\"shares\":[],\"start_next_after\":"
	    "\"n1\\\"x\"}"), 7, &set, next, sizeof(next), &more) == -1);
	CHECK(dkg_parse_shares(S("{\"shares\":[],\"start_next_after\":"
	    "\"N1ABC\"}"), 7, &set, next, sizeof(next), &more) == -1);
	CHECK(dkg_parse_shares(S("{\"shares\":[],\"start_next_after\":5}"),
	    7, &set, next, sizeof(next), &more) == -1);
	CHECK(dkg_parse_shares(S("[1]"), 7, &set, next, sizeof(next),
	    &more) == -1);
	CHECK(dkg_parse_shares(S("{\"shares\":[1,\"x\",null]}"), 7, &set,
	    next, sizeof(next), &more) == 3 && set.n == 0 && more == 0);
	T_END();
}

int
main(void)
{
	test_body();
	test_answer();
	test_threshold();
	test_shares();
	return t_done();
}
