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
	char		 sigb[BASE58_ENCODED_MAX(64)], ips[GW_HOST_MAX + 8];
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
	if (hostinfo_is_ip(h)) {
		snprintf(ips, sizeof(ips), "\"%s\"", h);
		snprintf(hostname, sizeof(hostname), "null");
	} else {
		ips[0] = '\0';	/* the master resolves no names */
		snprintf(hostname, sizeof(hostname), "\"%s\"", h);
	}
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
