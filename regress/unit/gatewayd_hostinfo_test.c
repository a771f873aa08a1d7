/*
 * The master's signed host-information: nym-api checks an Ed25519
 * signature by the bonded identity over the compact JSON of "data",
 * fields in nym-node's order.
 */
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "base58.h"
#include "gatewayd/gatewayd.h"
#include "testlib.h"

static struct gatewayd	 gw;

static void
setup(const char *host)
{
	uint8_t	 seed[32];

	memset(&gw, 0, sizeof(gw));
	config_defaults(&gw.conf);
	snprintf(gw.conf.announce_host, sizeof(gw.conf.announce_host), "%s",
	    host);
	randombytes_buf(seed, sizeof(seed));
	crypto_sign_seed_keypair(gw.identity.pk, gw.identity.sk, seed);
	randombytes_buf(gw.sphinx.sk, 32);
	crypto_scalarmult_base(gw.sphinx.pk, gw.sphinx.sk);
	gw.sphinx_rotation = 7;
}

int
main(void)
{
	char		 doc[GW_HOSTINFO_MAX], b58[64];
	json_t		*j, *data, *keys;
	json_error_t	 err;
	uint8_t		 sig[64];
	const char	*d, *e;
	int		 n;

	if (sodium_init() == -1)
		return 1;
	setup("1.2.3.4");
	T_BEGIN("host-information is JSON with nym-node's fields");
	n = hostinfo_build(&gw, doc, sizeof(doc));
	CHECK(n > 0);
	j = json_loads(doc, 0, &err);
	CHECK(j != NULL);
	data = json_object_get(j, "data");
	keys = json_object_get(data, "keys");
	CHECK(json_is_array(json_object_get(data, "ip_address")));
	CHECK(strcmp(json_string_value(json_array_get(json_object_get(data,
	    "ip_address"), 0)), "1.2.3.4") == 0);
	CHECK(json_is_null(json_object_get(data, "hostname")));
	base58_encode(gw.identity.pk, 32, b58, sizeof(b58));
	CHECK(strcmp(json_string_value(json_object_get(keys,
	    "ed25519_identity")), b58) == 0);
	base58_encode(gw.sphinx.pk, 32, b58, sizeof(b58));
	CHECK(strcmp(json_string_value(json_object_get(keys,
	    "x25519_sphinx")), b58) == 0);
	CHECK(json_integer_value(json_object_get(json_object_get(keys,
	    "primary_x25519_sphinx_key"), "rotation_id")) == 7);
	CHECK(json_is_null(json_object_get(keys,
	    "pre_announced_x25519_sphinx_key")));
	T_END();

	T_BEGIN("the signature covers the compact data, verifiable by identity");
	d = strstr(doc, "{\"data\":") + 8;
	e = strstr(doc, ",\"signature\":");
	CHECK(d != NULL && e != NULL && e > d);
	CHECK(base58_decode(json_string_value(json_object_get(j,
	    "signature")), sig, sizeof(sig)) == 64);
	CHECK(crypto_sign_verify_detached(sig, (const uint8_t *)d,
	    (size_t)(e - d), gw.identity.pk) == 0);
	/* Field order as nym-node serialises it. */
	CHECK(strncmp(d, "{\"ip_address\":", 14) == 0);
	CHECK(strstr(d, "\"hostname\"") < strstr(d, "\"keys\""));
	T_END();
	json_decref(j);

	T_BEGIN("a host name goes in hostname, the public_ips in ip_address");
	setup("gw.example.org");
	snprintf(gw.conf.announce_ips[0], GW_IP_TEXT_MAX, "192.0.2.1");
	snprintf(gw.conf.announce_ips[1], GW_IP_TEXT_MAX, "2001:db8::1");
	gw.conf.n_announce_ips = 2;
	n = hostinfo_build(&gw, doc, sizeof(doc));
	CHECK(n > 0);
	CHECK(strstr(doc, "\"ip_address\":[\"192.0.2.1\",\"2001:db8::1\"],"
	    "\"hostname\":\"gw.example.org\"") != NULL);
	T_END();

	/* nym-api would list the node with no address: never signed. */
	T_BEGIN("no address at all: no host-information");
	setup("gw.example.org");
	CHECK(hostinfo_build(&gw, doc, sizeof(doc)) == -1);
	T_END();
	return t_done();
}
