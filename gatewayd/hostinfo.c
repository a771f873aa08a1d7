/*
 * /api/v1/host-information, built and signed by the master: the
 * signature is Ed25519 by the identity key over the compact JSON of
 * "data", fields in nym-node's order (client-protocol.md 8.1).  The
 * master writes every byte of it from its own config and keys, so
 * apid, which serves it, never holds the identity key and cannot
 * have anything else signed.  Every string in it is base58 or a host
 * name or address the config parser has already checked, so no JSON
 * escaping is needed.
 */
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base58.h"
#include "gatewayd.h"
#include "log.h"
#include "util.h"

static int
hostinfo_is_ip(const char *host)
{
	struct in6_addr	 a;

	return inet_pton(AF_INET, host, &a) == 1 ||
	    inet_pton(AF_INET6, host, &a) == 1;
}

/*
 * ip_address: nym-api takes the node's addresses from here, and the
 * master resolves no names, so they come from the config alone
 * (config_announce_ips); the parser refused a config with none.
 */
static int
hostinfo_ips(const struct gw_config *c, char *out, size_t outlen)
{
	char		 ips[GW_MAX_PUBLIC_IPS][GW_IP_TEXT_MAX];
	unsigned	 i, n;
	size_t		 used = 0;
	int		 w;

	if ((n = config_announce_ips(c, ips)) == 0)
		return -1;
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		w = snprintf(out + used, outlen - used, "%s\"%s\"",
		    i ? "," : "", ips[i]);
		if (w < 0 || (size_t)w >= outlen - used)
			return -1;
		used += (size_t)w;
	}
	return 0;
}

/* The next rotation's key, once made (rotation.c), else null. */
static void
hostinfo_preannounced(const struct gatewayd *gw, char *out, size_t outlen)
{
	const struct rotation_key	*k;
	char				 b[64];

	if ((k = rotation_preannounced(gw)) == NULL) {
		snprintf(out, outlen, "null");
		return;
	}
	base58_encode(k->pk, 32, b, sizeof(b));
	snprintf(out, outlen, "{\"rotation_id\":%u,\"public_key\":\"%s\"}",
	    k->id, b);
}

int
hostinfo_build(const struct gatewayd *gw, char *out, size_t outlen)
{
	char		 data[2048], host[GW_HOST_MAX], idb[64], sxb[64];
	char		 sigb[BASE58_ENCODED_MAX(64)];
	char		 ips[GW_MAX_PUBLIC_IPS * (GW_IP_TEXT_MAX + 3)];
	char		 hostname[GW_HOST_MAX + 8], noise[128], nzb[64];
	char		 pre[128];
	uint8_t		 sig[64];
	const char	*h;
	int		 n;

	if ((h = config_announce_host(&gw->conf, host, sizeof(host))) ==
	    NULL)
		return -1;
	base58_encode(gw->identity.pk, 32, idb, sizeof(idb));
	base58_encode(gw->sphinx.pk, 32, sxb, sizeof(sxb));
	/* Noise version 1 (sphinx-mixport.md 6.3); null: raw TCP only. */
	if (gw->have_noise) {
		base58_encode(gw->noise.pk, 32, nzb, sizeof(nzb));
		snprintf(noise, sizeof(noise), "{\"supported_version\":1,"
		    "\"x25519_pubkey\":\"%s\"}", nzb);
	} else
		snprintf(noise, sizeof(noise), "null");
	if (hostinfo_ips(&gw->conf, ips, sizeof(ips)) == -1)
		return -1;
	if (hostinfo_is_ip(h))
		snprintf(hostname, sizeof(hostname), "null");
	else
		snprintf(hostname, sizeof(hostname), "\"%s\"", h);
	hostinfo_preannounced(gw, pre, sizeof(pre));
	n = snprintf(data, sizeof(data), "{\"ip_address\":[%s],"
	    "\"hostname\":%s,\"keys\":{\"ed25519_identity\":\"%s\","
	    "\"x25519_sphinx\":\"%s\",\"primary_x25519_sphinx_key\":"
	    "{\"rotation_id\":%u,\"public_key\":\"%s\"},"
	    "\"pre_announced_x25519_sphinx_key\":%s,"
	    "\"x25519_versioned_noise\":%s}}", ips, hostname, idb, sxb,
	    gw->sphinx_rotation, sxb, pre, noise);
	if (n < 0 || (size_t)n >= sizeof(data))
		return -1;
	crypto_sign_detached(sig, NULL, (const uint8_t *)data, (size_t)n,
	    gw->identity.sk);
	base58_encode(sig, sizeof(sig), sigb, sizeof(sigb));
	n = snprintf(out, outlen, "{\"data\":%s,\"signature\":\"%s\"}", data,
	    sigb);
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

void
hostinfo_send(struct gatewayd *gw)
{
	char	 doc[GW_HOSTINFO_MAX];
	int	 n;

	if ((n = hostinfo_build(gw, doc, sizeof(doc))) == -1)
		fatalx("cannot build host-information");
	/* The NUL goes along: apid checks the text ends inside. */
	if (imsgev_compose(gw->workers[PROC_APID].iev, IMSG_NODE_HOSTINFO,
	    0, -1, doc, (size_t)n + 1) == -1)
		fatal("%s", __func__);
	/* After start (rotation, reload): nym-api should fetch it anew. */
	refresh_push(gw);
}

/*
 * What nym-api makes of what we announce (nym-api/src/node_status_api/
 * cache/config_score.rs): a node scores 0, so earns nothing and is
 * rarely chosen, unless its build-information says "nym-node" and its
 * auxiliary-details say the operator accepted the terms.  The operator
 * should hear both from us, not find out from the directory.
 */
void
hostinfo_log_terms(const struct gw_config *c)
{
	if (!c->accept_terms)
		log_warnx("operator.accept_terms is false: auxiliary-details "
		    "tells nym-api that you have not accepted Nym's operator "
		    "terms and conditions, and nym-api gives such a node a "
		    "config score of 0; set it to true once you have read "
		    "and accepted them");
	log_info("nym-api scores only nodes whose binary_name is "
	    "\"nym-node\"; this gateway reports \"gatewayd\", so nym-api "
	    "rates its configuration 0 (gatewayd(8): Nym's directory)");
}
