/*
 * credd's refresh-described body (doc/spec/refresh-described.md):
 * NodeRefreshBody as serde_json writes it
 * (nym-api/nym-api-requests/src/models/node_status.rs): node_identity
 * bs58 (bs58_ed25519_pubkey), request_timestamp an integer, signature
 * serde bytes, which serde_json writes as an array of 64 numbers
 * (common/crypto/src/asymmetric/ed25519/mod.rs, impl Serialize for
 * Signature).  The expected text was written by Python's json.dumps
 * from the gatewayd_refresh_test vector.
 */
#include <string.h>

#include <jansson.h>

#include "credd/credd.h"
#include "testlib.h"

#define SIG_HEX	"a307577f3c3536c9fbb91b478c63d64f" \
		"f693d0b46d9fa49cf50343169907eceb" \
		"456a3f5e223b5819630bebb1a590404b" \
		"b8d5213ab557b1faeeb633abd167e103"
#define PK_HEX	"79b5562e8fe654f94078b112e8a98ba7" \
		"901f853ae695bed7e0e3910bad049664"
static const char want[] =
    "{\"node_identity\":\"9C6hybhQ6Aycep9jaUnP6uL9ZYvDjUp1aSkFWPUFJtpj\","
    "\"request_timestamp\":1764770000,\"signature\":[163,7,87,127,60,53,"
    "54,201,251,185,27,71,140,99,214,79,246,147,208,180,109,159,164,156,"
    "245,3,67,22,153,7,236,235,69,106,63,94,34,59,88,25,99,11,235,177,"
    "165,144,64,75,184,213,33,58,181,87,177,250,238,182,51,171,209,103,"
    "225,3]}";

int
main(void)
{
	struct gw_refresh_signed s;
	char			 body[512];
	json_t			*j, *sig;
	json_error_t		 err;
	size_t			 n;
	int			 len;

	memset(&s, 0, sizeof(s));
	if (t_unhex(PK_HEX, s.identity, 32, &n) == -1 || n != 32 ||
	    t_unhex(SIG_HEX, s.signature, 64, &n) == -1 || n != 64)
		t_die("vector");
	s.timestamp = 1764770000;
	len = refresh_body(&s, body, sizeof(body));
	if (len > 0 && (size_t)len == strlen(want) && strcmp(body, want) == 0)
		t_ok("the body is NodeRefreshBody's serde_json text");
	else
		t_fail("the body is NodeRefreshBody's serde_json text",
		    "%d: %s", len, body);
	j = json_loads(body, JSON_REJECT_DUPLICATES, &err);
	sig = json_object_get(j, "signature");
	if (j != NULL && json_object_size(j) == 3 && json_array_size(sig) == 64
	    && json_integer_value(json_array_get(sig, 63)) == 3)
		t_ok("it parses as JSON with three fields, 64 signature bytes");
	else
		t_fail("it parses as JSON with three fields", "%s", err.text);
	json_decref(j);

	s.timestamp = INT64_MIN;
	memset(s.signature, 255, 64);
	len = refresh_body(&s, body, sizeof(body));
	if (len > 0 && strstr(body, "\"request_timestamp\":"
	    "-9223372036854775808,") != NULL)
		t_ok("the largest body fits (INT64_MIN, 64 x 255)");
	else
		t_fail("the largest body fits", "%d", len);
	if (refresh_body(&s, body, (size_t)len) == -1 &&
	    refresh_body(&s, body, 10) == -1)
		t_ok("a short buffer is refused, not overrun");
	else
		t_fail("a short buffer is refused", "accepted");
	return t_done();
}
