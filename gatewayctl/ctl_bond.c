/*
 * What bonding in Nym's wallet asks of an operator: the bonding
 * information to paste in, and the identity key's signature over the
 * contract message the wallet hands back.  The wallet shows that
 * message base58-encoded; the contract checks a signature over the
 * decoded JSON, so that is what --contract-msg signs (nym-node's
 * `sign --contract-msg`, nym-node/src/cli/commands/sign.rs).
 */
#include <arpa/inet.h>

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "base58.h"
#include "gatewayctl.h"
#include "keys.h"
#include "util.h"

/* A wallet's contract message is well under a kilobyte; the bound only
 * keeps the quadratic base58 decode and the output sane. */
#define CTL_CONTRACT_MSG_MAX	(16 * 1024)

struct ctl_signed {
	char	 identity[64];
	char	 signature[BASE58_ENCODED_MAX(crypto_sign_BYTES)];
};

static int
ctl_sign_bytes(struct ctl_opts *o, const uint8_t *msg, size_t len,
    struct ctl_signed *out)
{
	struct gw_config	*conf = xcalloc(1, sizeof(*conf));
	struct gw_identity	 id;
	uint8_t			 sig[crypto_sign_BYTES];
	char			 err[PATH_MAX + 128];
	int			 rv = -1;

	if (ctl_load_config(o, conf) == -1)
		goto out;
	if (keys_load_identity(conf->keys_dir, &id, err, sizeof(err)) == -1) {
		fprintf(stderr, "gatewayctl: %s\n", err);
		goto out;
	}
	crypto_sign_detached(sig, NULL, msg, len, id.sk);
	base58_encode(sig, sizeof(sig), out->signature,
	    sizeof(out->signature));
	base58_encode(id.pk, sizeof(id.pk), out->identity,
	    sizeof(out->identity));
	sodium_memzero(&id, sizeof(id));
	rv = 0;
out:
	free(conf);
	return rv;
}

/*
 * -j prints nym-node's ConsoleSigningOutput fields (encoded_message,
 * encoded_signature: common/types/src/helpers.rs), so scripts written
 * for nym-node read it, and beside them the identity key and the
 * signature under plain names.
 */
static int
ctl_sign_print(struct ctl_opts *o, const char *message,
    const struct ctl_signed *s)
{
	json_t	*j;

	if (!o->json) {
		printf("Identity Key: %s\n", s->identity);
		printf("the base58-encoded signature on: '%s' is:\n%s\n",
		    message, s->signature);
		return 0;
	}
	j = json_pack("{s:s, s:s, s:s, s:s}", "encoded_message", message,
	    "encoded_signature", s->signature, "identity_key", s->identity,
	    "signature", s->signature);
	if (j == NULL) {
		fprintf(stderr, "gatewayctl: the message is not UTF-8 text\n");
		return -1;
	}
	json_dumpf(j, stdout, JSON_INDENT(2));
	printf("\n");
	json_decref(j);
	return 0;
}

/*
 * The wallet's payload: base58 (surrounding white space from a paste
 * is dropped), decoding to one JSON value.  Anything else was copied
 * wrong, and a signature over it would only fail in the wallet.
 */
static int
ctl_contract_msg_decode(const char *in, char **text, size_t *len)
{
	char		*trimmed;
	uint8_t		*buf;
	size_t		 n;
	json_error_t	 jerr;
	json_t		*j;
	int		 got;

	while (isspace((unsigned char)*in))
		in++;
	n = strlen(in);
	while (n > 0 && isspace((unsigned char)in[n - 1]))
		n--;
	if (n == 0 || n > CTL_CONTRACT_MSG_MAX) {
		fprintf(stderr, "gatewayctl: the contract message is %s\n",
		    n == 0 ? "empty" : "too long");
		return -1;
	}
	trimmed = xcalloc(1, n + 1);
	memcpy(trimmed, in, n);
	buf = xcalloc(1, n + 1);
	got = base58_decode(trimmed, buf, n);
	free(trimmed);
	if (got <= 0) {
		fprintf(stderr, "gatewayctl: the contract message is not "
		    "base58: check it was copied whole from the wallet\n");
		free(buf);
		return -1;
	}
	if ((j = json_loadb((const char *)buf, (size_t)got, JSON_DECODE_ANY,
	    &jerr)) == NULL || memchr(buf, '\0', (size_t)got) != NULL) {
		fprintf(stderr, "gatewayctl: the decoded contract message is "
		    "not JSON (%s): check it was copied whole from the "
		    "wallet\n", j == NULL ? jerr.text : "a NUL byte");
		json_decref(j);
		free(buf);
		return -1;
	}
	json_decref(j);
	buf[got] = '\0';
	*text = (char *)buf;
	*len = (size_t)got;
	return 0;
}

static void
ctl_sign_usage(void)
{
	fprintf(stderr, "usage: gatewayctl [-j] sign --contract-msg payload\n"
	    "       gatewayctl [-j] sign --text text\n");
}

int
ctl_sign(struct ctl_opts *o, int argc, char *argv[])
{
	struct ctl_signed	 s;
	char			*text;
	size_t			 len;
	int			 rv;

	if (argc != 3 || (strcmp(argv[1], "--contract-msg") != 0 &&
	    strcmp(argv[1], "--text") != 0)) {
		/* The old bare form signed a pasted payload as it was:
		 * a signature no wallet accepts, so it is gone. */
		ctl_sign_usage();
		return -1;
	}
	if (strcmp(argv[1], "--text") == 0) {
		fprintf(stderr, "Signing the text with the gateway's Ed25519 "
		    "identity key...\n");
		if (ctl_sign_bytes(o, (const uint8_t *)argv[2],
		    strlen(argv[2]), &s) == -1)
			return -1;
		return ctl_sign_print(o, argv[2], &s);
	}
	if (ctl_contract_msg_decode(argv[2], &text, &len) == -1)
		return -1;
	fprintf(stderr, "Signing the decoded contract message with the "
	    "gateway's Ed25519 identity key...\n");
	rv = ctl_sign_bytes(o, (const uint8_t *)text, len, &s);
	if (rv == 0)
		rv = ctl_sign_print(o, text, &s);
	free(text);
	return rv;
}

/*
 * nym-node's rule (nym-node/src/node/bonding_information.rs): the
 * host name, else the first public address that a peer could reach,
 * else a placeholder the operator must replace in the wallet.
 */
static const char *
ctl_bonding_host(const struct gw_config *c, char *buf, size_t len)
{
	char		 ips[GW_MAX_PUBLIC_IPS][GW_IP_TEXT_MAX];
	struct in6_addr	 a6;
	struct in_addr	 a4;

	if (c->announce_host[0] != '\0' && inet_pton(AF_INET,
	    c->announce_host, &a4) != 1 && inet_pton(AF_INET6,
	    c->announce_host, &a6) != 1)
		return c->announce_host;
	if (config_announce_ips(c, ips) > 0) {
		if (inet_pton(AF_INET, ips[0], &a4) == 1) {
			uint32_t h = ntohl(a4.s_addr);

			if ((h >> 24) != 127 && !IN_MULTICAST(h) && h != 0)
				return gw_strlcpy(buf, ips[0], len) < len ?
				    buf : NULL;
		} else if (inet_pton(AF_INET6, ips[0], &a6) == 1 &&
		    !IN6_IS_ADDR_LOOPBACK(&a6) &&
		    !IN6_IS_ADDR_MULTICAST(&a6) &&
		    !IN6_IS_ADDR_UNSPECIFIED(&a6))
			return gw_strlcpy(buf, ips[0], len) < len ? buf : NULL;
	}
	return NULL;
}

int
ctl_bonding_information(struct ctl_opts *o, int argc, char *argv[])
{
	struct gw_config	*conf = xcalloc(1, sizeof(*conf));
	struct gw_identity	 id;
	char			 idb58[64], err[PATH_MAX + 128];
	char			 hostbuf[GW_HOST_MAX];
	const char		*host;
	json_t			*j;
	int			 rv = -1;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: gatewayctl [-j] bonding-information\n");
		goto out;
	}
	if (ctl_load_config(o, conf) == -1)
		goto out;
	if (keys_load_identity(conf->keys_dir, &id, err, sizeof(err)) == -1) {
		fprintf(stderr, "gatewayctl: %s\n", err);
		goto out;
	}
	base58_encode(id.pk, sizeof(id.pk), idb58, sizeof(idb58));
	sodium_memzero(&id, sizeof(id));
	if ((host = ctl_bonding_host(conf, hostbuf, sizeof(hostbuf))) == NULL)
		host = "NO KNOWN VALID HOSTNAMES - YOU NEED TO FILL IT MANUALLY";
	if (o->json) {
		if ((j = json_pack("{s:s, s:s}", "host", host, "identity_key",
		    idb58)) == NULL)
			goto out;
		json_dumpf(j, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(j);
	} else {
		printf("Identity Key: %s\n", idb58);
		printf("Host: %s\n", host);
		printf("Custom HTTP Port: %u (set it in the wallet unless the "
		    "node API answers on 80, 443 or 8080)\n",
		    ctl_listen_port(&conf->listen_http));
	}
	rv = 0;
out:
	free(conf);
	return rv;
}
