/*
 * The schema of gatewayd.conf(5) as one table, the built-in defaults,
 * and the value syntaxes (durations, sizes, addresses, names) that need
 * no parser state.  config.c walks the YAML against this table;
 * config_print.c writes it back out.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "config_int.h"
#include "log.h"
#include "util.h"

#define OFF(f)	offsetof(struct gw_config, f)
#define SECTION(k, n)	[k] = { n, n, CK_SECTION, -1, 0, 0, 0, 0 }
#define KEY(k, p, n, full, t, f, lo, hi, rs) \
	[k] = { n, full, t, p, OFF(f), lo, hi, rs }

/*
 * The schema, in the order config_print() writes it.  Ranges: counts
 * are bounded by what one host can hold open; timeouts by what still
 * makes sense for a peer on the other side of the world; the message
 * size must hold the largest Nym packet (ExtendedPacket32, 33133 bytes)
 * with its framing, and need not exceed the 64 MiB a Nym client's
 * tungstenite will ever send.
 */
const struct config_key config_keys[] = {
	KEY(K_USER, -1, "user", "user", CK_USER, user, 0, 0, 1),
	KEY(K_STORAGE_USER, -1, "storage_user", "storage_user", CK_USER,
	    storage_user, 0, 0, 1),
	SECTION(K_PATHS, "paths"),
	KEY(K_KEYS, K_PATHS, "keys", "paths.keys", CK_PATH, keys_dir,
	    0, 0, 1),
	KEY(K_DATA, K_PATHS, "data", "paths.data", CK_PATH, data_dir,
	    0, 0, 1),
	KEY(K_CHROOT, K_PATHS, "chroot", "paths.chroot", CK_PATH,
	    chroot_dir, 0, 0, 1),
	KEY(K_CONTROL, K_PATHS, "control_socket", "paths.control_socket",
	    CK_PATH, control_socket, 0, 0, 1),
	SECTION(K_ANNOUNCE, "announce"),
	KEY(K_HOST, K_ANNOUNCE, "host", "announce.host", CK_HOST,
	    announce_host, 0, 0, 0),
	KEY(K_WS_PORT, K_ANNOUNCE, "ws_port", "announce.ws_port", CK_PORT,
	    announce_ws_port, 0, 65535, 0),
	KEY(K_WSS_PORT, K_ANNOUNCE, "wss_port", "announce.wss_port",
	    CK_PORT, announce_wss_port, 0, 65535, 0),
	/* lo 0: an empty list means "derive them" (config_announce_ips). */
	KEY(K_PUBLIC_IPS, K_ANNOUNCE, "public_ips", "announce.public_ips",
	    CK_IPS, announce_ips, 0, GW_MAX_PUBLIC_IPS, 0),
	SECTION(K_OPERATOR, "operator"),
	KEY(K_ACCEPT_TERMS, K_OPERATOR, "accept_terms",
	    "operator.accept_terms", CK_BOOL, accept_terms, 0, 1, 0),
	SECTION(K_LISTEN, "listen"),
	KEY(K_CLIENTS, K_LISTEN, "clients", "listen.clients", CK_LISTEN,
	    listen_clients, 1, GW_MAX_LISTEN, 1),
	KEY(K_MIX, K_LISTEN, "mix", "listen.mix", CK_LISTEN, listen_mix,
	    1, GW_MAX_LISTEN, 1),
	KEY(K_HTTP, K_LISTEN, "http", "listen.http", CK_LISTEN,
	    listen_http, 1, GW_MAX_LISTEN, 1),
	KEY(K_VERLOC, K_LISTEN, "verloc", "listen.verloc", CK_LISTEN,
	    listen_verloc, 1, GW_MAX_LISTEN, 1),
	SECTION(K_NYM_API, "nym_api"),
	KEY(K_URLS, K_NYM_API, "urls", "nym_api.urls", CK_URLS,
	    nym_api_urls, 1, GW_MAX_APIURLS, 0),
	KEY(K_API_TIMEOUT, K_NYM_API, "timeout", "nym_api.timeout", CK_MSEC,
	    nym_api_timeout_ms, 1 * MS_S, 5 * MS_M, 0),
	/* credd reads it before it sandboxes itself: restart. */
	KEY(K_API_CA_FILE, K_NYM_API, "ca_file", "nym_api.ca_file", CK_FILE,
	    nym_api_ca_file, 0, 0, 1),
	SECTION(K_CREDENTIALS, "credentials"),
	KEY(K_ENFORCE_ZK, K_CREDENTIALS, "enforce_zk_nyms",
	    "credentials.enforce_zk_nyms", CK_BOOL, enforce_zk_nyms,
	    0, 1, 0),
	KEY(K_COSMOS_ADDR, K_CREDENTIALS, "cosmos_address",
	    "credentials.cosmos_address", CK_BECH32, cosmos_address,
	    0, 0, 0),
	SECTION(K_MIXNET, "mixnet"),
	/* Landlock's port rule for mixd is set at start: restart. */
	KEY(K_TESTNET, K_MIXNET, "testnet", "mixnet.testnet", CK_BOOL,
	    testnet, 0, 1, 1),
	KEY(K_NOISE, K_MIXNET, "noise", "mixnet.noise", CK_BOOL, noise,
	    0, 1, 1),
	/* Past 5 s the sender's client (ack_wait_addition 1.5 s on top of
	 * the route's delays) would already be retransmitting. */
	KEY(K_ACK_DELAY, K_MIXNET, "ack_delay", "mixnet.ack_delay", CK_MSEC,
	    ack_delay_ms, 0, 5 * MS_S, 0),
	KEY(K_REPLAY_SYNC, K_MIXNET, "replay_sync", "mixnet.replay_sync",
	    CK_MSEC, replay_sync_ms, 100, 1 * MS_M, 0),
	/* mixd starts its threads before its sandbox: restart. */
	KEY(K_SPHINX_THREADS, K_MIXNET, "sphinx_threads",
	    "mixnet.sphinx_threads", CK_UINT, sphinx_threads, 0, 256, 1),
	SECTION(K_UPGRADE, "upgrade_mode"),
	KEY(K_ATTEST_URL, K_UPGRADE, "attestation_url",
	    "upgrade_mode.attestation_url", CK_URL, attestation_url,
	    0, 0, 0),
	KEY(K_ATTESTER_KEY, K_UPGRADE, "attester_public_key",
	    "upgrade_mode.attester_public_key", CK_KEY58, attester_key,
	    0, 0, 0),
	SECTION(K_NYXD, "nyxd"),
	KEY(K_NYXD_URL, K_NYXD, "url", "nyxd.url", CK_URL, nyxd_url,
	    0, 0, 0),
	KEY(K_DKG_CONTRACT, K_NYXD, "dkg_contract", "nyxd.dkg_contract",
	    CK_BECH32, dkg_contract, 0, 0, 0),
	SECTION(K_LIMITS, "limits"),
	KEY(K_MAX_CONN, K_LIMITS, "max_connections",
	    "limits.max_connections", CK_UINT, max_connections,
	    1, 1000000, 0),
	KEY(K_MAX_CONN_ADDR, K_LIMITS, "max_connections_per_address",
	    "limits.max_connections_per_address", CK_UINT,
	    max_connections_per_address, 1, 1000000, 0),
	KEY(K_MAX_MIX_CONN, K_LIMITS, "max_mix_connections",
	    "limits.max_mix_connections", CK_UINT, max_mix_connections,
	    1, 1000000, 0),
	KEY(K_MAX_MSG, K_LIMITS, "max_message_size",
	    "limits.max_message_size", CK_SIZE32, max_message_size,
	    33 * KIB, 64 * MIB, 0),
	KEY(K_HANDSHAKE_TO, K_LIMITS, "handshake_timeout",
	    "limits.handshake_timeout", CK_MSEC, handshake_timeout_ms,
	    1 * MS_S, 10 * MS_M, 0),
	KEY(K_IDLE_TO, K_LIMITS, "idle_timeout", "limits.idle_timeout",
	    CK_MSEC, idle_timeout_ms, 1 * MS_S, 7 * MS_D, 0),
	KEY(K_MIX_READ_TO, K_LIMITS, "mix_read_timeout",
	    "limits.mix_read_timeout", CK_MSEC, mix_read_timeout_ms,
	    1 * MS_S, 1 * MS_H, 0),
	KEY(K_MAX_UNAUTH, K_LIMITS, "max_unauthenticated",
	    "limits.max_unauthenticated", CK_UINT, max_unauthenticated,
	    1, 1000000, 0),
	KEY(K_MAX_UNAUTH_ADDR, K_LIMITS, "max_unauthenticated_per_address",
	    "limits.max_unauthenticated_per_address", CK_UINT,
	    max_unauthenticated_per_address, 1, 1000000, 0),
	/* Nym's nodes are servers with public /64s at least: /32 lumps a
	 * provider's customers together, /128 counts every address. */
	/* Restart: counts already kept are keyed by the old prefix. */
	KEY(K_V6_PREFIX, K_LIMITS, "ipv6_prefix", "limits.ipv6_prefix",
	    CK_UINT, ipv6_prefix, 32, 128, 1),
	SECTION(K_STORAGE, "storage"),
	KEY(K_MAP_SIZE, K_STORAGE, "map_size", "storage.map_size",
	    CK_SIZE64, map_size, 16 * MIB, 4096 * GIB, 1),
	KEY(K_RETENTION, K_STORAGE, "inbox_retention",
	    "storage.inbox_retention", CK_SEC, inbox_retention_s,
	    1 * MS_M, 365 * MS_D, 0),
	KEY(K_INBOX_MAX, K_STORAGE, "inbox_max_messages",
	    "storage.inbox_max_messages", CK_UINT, inbox_max_messages,
	    1, 10000000, 0),
	KEY(K_COMMIT_INTERVAL, K_STORAGE, "commit_interval",
	    "storage.commit_interval", CK_MSEC, commit_interval_ms,
	    0, 1 * MS_S, 0),
	KEY(K_COMMIT_BATCH, K_STORAGE, "commit_batch",
	    "storage.commit_batch", CK_UINT, commit_batch, 1, 65536, 0),
	/* nym-node's [verloc.debug], same names and defaults; verlocd
	 * reads them at start: restart.  Past a minute per packet a node
	 * is not worth waiting for; a run more often than every minute
	 * would be a flood. */
	SECTION(K_VERLOC_SECT, "verloc"),
	KEY(K_VL_MEASURE, K_VERLOC_SECT, "measure", "verloc.measure",
	    CK_BOOL, verloc_measure, 0, 1, 1),
	KEY(K_VL_PACKETS, K_VERLOC_SECT, "packets_per_node",
	    "verloc.packets_per_node", CK_UINT, verloc_packets, 1, 1000, 1),
	KEY(K_VL_PACKET_TO, K_VERLOC_SECT, "packet_timeout",
	    "verloc.packet_timeout", CK_MSEC, verloc_packet_timeout_ms,
	    10, 1 * MS_M, 1),
	KEY(K_VL_CONN_TO, K_VERLOC_SECT, "connection_timeout",
	    "verloc.connection_timeout", CK_MSEC, verloc_conn_timeout_ms,
	    10, 1 * MS_M, 1),
	KEY(K_VL_DELAY, K_VERLOC_SECT, "delay_between_packets",
	    "verloc.delay_between_packets", CK_MSEC, verloc_delay_ms,
	    0, 10 * MS_S, 1),
	KEY(K_VL_BATCH, K_VERLOC_SECT, "tested_nodes_batch_size",
	    "verloc.tested_nodes_batch_size", CK_UINT, verloc_batch,
	    1, 256, 1),
	KEY(K_VL_INTERVAL, K_VERLOC_SECT, "testing_interval",
	    "verloc.testing_interval", CK_MSEC, verloc_interval_ms,
	    1 * MS_M, 7 * MS_D, 1),
	KEY(K_VL_RETRY, K_VERLOC_SECT, "retry_timeout",
	    "verloc.retry_timeout", CK_MSEC, verloc_retry_ms,
	    1 * MS_M, 1 * MS_D, 1),
	SECTION(K_METRICS, "metrics"),
	KEY(K_METRICS_TOKEN, K_METRICS, "access_token",
	    "metrics.access_token", CK_TOKEN, metrics_token, 0, 0, 0),
};
const size_t config_nkeys = nitems(config_keys);
_Static_assert(nitems(config_keys) == K_NKEYS, "config_keys incomplete");

int
config_valid_token(const char *s)
{
	const char	*p = s;

	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	    (*p >= '0' && *p <= '9') || (*p != '\0' && strchr("-._~+/", *p)))
		p++;
	if (p == s && *p != '\0')
		return 0;
	while (*p == '=')
		p++;
	return *p == '\0';
}

int
config_all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/* Suffixes are matched whole, so "ms" and "m" cannot be confused. */
int
config_parse_scaled(const char *s, const struct config_unit *units,
    long long bare, long long *out)
{
	char		 num[24];
	const char	*errstr;
	size_t		 n = 0;
	long long	 v, mul = bare;

	while (s[n] >= '0' && s[n] <= '9')
		n++;
	if (n == 0)
		return -1;
	if (s[n] != '\0') {
		for (; units->name != NULL; units++)
			if (strcmp(s + n, units->name) == 0)
				break;
		if (units->name == NULL)
			return -1;
		mul = units->mul;
	}
	if (n >= sizeof(num))
		return -2;
	memcpy(num, s, n);
	num[n] = '\0';
	v = gw_strtonum(num, 0, LLONG_MAX, &errstr);
	if (errstr != NULL)
		return -2;
	if (v > LLONG_MAX / mul)
		return -2;
	*out = v * mul;
	return 0;
}

const struct config_unit config_duration_units[] = {
	{ "ms", 1 }, { "s", MS_S }, { "m", MS_M }, { "h", MS_H },
	{ "d", MS_D }, { NULL, 0 }
};
const struct config_unit config_size_units[] = {
	{ "K", KIB }, { "k", KIB }, { "M", MIB }, { "m", MIB },
	{ "G", GIB }, { "g", GIB }, { NULL, 0 }
};

/*
 * "a.b.c.d:port" or "[v6]:port", numbers only: the master resolves
 * nothing.  Returns 0, or LISTEN_E* for what is wrong.
 */
int
config_parse_listen(const char *s, struct gw_listen *l)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)&l->ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&l->ss;
	char			 host[INET6_ADDRSTRLEN], ntop[INET6_ADDRSTRLEN];
	const char		*p, *port, *errstr;
	size_t			 hlen;
	long long		 pn;
	int			 v6;

	memset(l, 0, sizeof(*l));
	if ((v6 = (s[0] == '['))) {
		if ((p = strchr(s, ']')) == NULL || p[1] != ':')
			return LISTEN_EMALFORMED;
		hlen = (size_t)(p - s - 1);
		s++;
		port = p + 2;
	} else {
		if ((p = strrchr(s, ':')) == NULL)
			return LISTEN_EMALFORMED;
		if (strchr(s, ':') != p)
			return LISTEN_EBRACKETS;
		hlen = (size_t)(p - s);
		port = p + 1;
	}
	if (hlen == 0 || hlen >= sizeof(host) || !config_all_digits(port))
		return LISTEN_EMALFORMED;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (v6 ? inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1 :
	    inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return LISTEN_EMALFORMED;
	pn = gw_strtonum(port, 1, 65535, &errstr);
	if (errstr != NULL)
		return LISTEN_EPORT;
	if (v6) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)pn);
		l->sslen = sizeof(*sin6);
		inet_ntop(AF_INET6, &sin6->sin6_addr, ntop, sizeof(ntop));
		snprintf(l->text, sizeof(l->text), "[%s]:%lld", ntop, pn);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)pn);
		l->sslen = sizeof(*sin);
		inet_ntop(AF_INET, &sin->sin_addr, ntop, sizeof(ntop));
		snprintf(l->text, sizeof(l->text), "%s:%lld", ntop, pn);
	}
	return LISTEN_OK;
}

int
config_listen_is_wildcard(const struct gw_listen *l)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	if (l->ss.ss_family == AF_INET) {
		sin = (const struct sockaddr_in *)&l->ss;
		return sin->sin_addr.s_addr == htonl(INADDR_ANY);
	}
	sin6 = (const struct sockaddr_in6 *)&l->ss;
	return IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr);
}

/* Would binding both fail?  Same family and port, and an address that
 * is equal or a wildcard on either side. */
int
config_listen_conflict(const struct gw_listen *a, const struct gw_listen *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a->ss.ss_family != b->ss.ss_family)
		return 0;
	if (config_listen_is_wildcard(a) || config_listen_is_wildcard(b)) {
		a4 = (const struct sockaddr_in *)&a->ss;
		b4 = (const struct sockaddr_in *)&b->ss;
		/* sin_port and sin6_port sit at the same offset */
		return a4->sin_port == b4->sin_port;
	}
	if (a->ss.ss_family == AF_INET) {
		a4 = (const struct sockaddr_in *)&a->ss;
		b4 = (const struct sockaddr_in *)&b->ss;
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	}
	a6 = (const struct sockaddr_in6 *)&a->ss;
	b6 = (const struct sockaddr_in6 *)&b->ss;
	return a6->sin6_port == b6->sin6_port &&
	    IN6_ARE_ADDR_EQUAL(&a6->sin6_addr, &b6->sin6_addr);
}

int
config_valid_user(const char *s)
{
	size_t	 i;

	if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
	    s[0] == '_'))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (strchr("abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-", s[i]) == NULL)
			return 0;
	return 1;
}

int
config_has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static void
set_default_listen(struct gw_listen_set *set, const char *a, const char *b)
{
	if (config_parse_listen(a, &set->addr[0]) != LISTEN_OK ||
	    config_parse_listen(b, &set->addr[1]) != LISTEN_OK)
		fatalx("%s: bad built-in address", __func__);
	set->n = 2;
}

void
config_defaults(struct gw_config *c)
{
	memset(c, 0, sizeof(*c));
	gw_strlcpy(c->user, "_gatewayd", sizeof(c->user));
	gw_strlcpy(c->storage_user, "_gatewayd-db", sizeof(c->storage_user));
	gw_strlcpy(c->keys_dir, "/etc/gatewayd/keys", sizeof(c->keys_dir));
	gw_strlcpy(c->data_dir, "/var/lib/gatewayd", sizeof(c->data_dir));
	gw_strlcpy(c->chroot_dir, "/run/gatewayd/empty",
	    sizeof(c->chroot_dir));
	gw_strlcpy(c->control_socket, "/run/gatewayd/gatewayd.sock",
	    sizeof(c->control_socket));
	set_default_listen(&c->listen_clients, "0.0.0.0:9000", "[::]:9000");
	set_default_listen(&c->listen_mix, "0.0.0.0:1789", "[::]:1789");
	set_default_listen(&c->listen_http, "0.0.0.0:8080", "[::]:8080");
	set_default_listen(&c->listen_verloc, "0.0.0.0:1790", "[::]:1790");
	gw_strlcpy(c->nym_api_urls[0], "https://validator.nymtech.net/api/",
	    sizeof(c->nym_api_urls[0]));
	c->n_nym_api_urls = 1;
	c->nym_api_timeout_ms = 10 * MS_S;
	c->enforce_zk_nyms = 0;
	c->testnet = 0;
	c->noise = 1;
	c->ack_delay_ms = 100;
	c->replay_sync_ms = 1 * MS_S;
	/* Mainnet's, spec 6.6 (network-defaults mainnet.rs). */
	gw_strlcpy(c->attestation_url, "https://nymtech.net/.wellknown/"
	    "upgrade-mode/attestation.json", sizeof(c->attestation_url));
	gw_strlcpy(c->attester_key, "3bgffBYcfFkTTXc2npNNn9MkddFZ3H2LrPjXDmnJzrqd",
	    sizeof(c->attester_key));
	/* Mainnet's nyxd RPC and DKG contract (network-defaults
	 * mainnet.rs): the signers of past e-cash epochs. */
	gw_strlcpy(c->nyxd_url, "https://rpc.nymtech.net", sizeof(c->nyxd_url));
	gw_strlcpy(c->dkg_contract, "n19604yflqggs9mk2z26mqygq43q2kr3n932egxx"
	    "630svywd5mpxjsztfpvx", sizeof(c->dkg_contract));
	c->max_connections = 10000;
	c->max_connections_per_address = 64;
	c->max_mix_connections = 4096;
	c->max_message_size = 64 * KIB;
	c->handshake_timeout_ms = 10 * MS_S;
	c->idle_timeout_ms = 300 * MS_S;
	c->mix_read_timeout_ms = 30 * MS_S;
	c->max_unauthenticated = 1024;
	c->max_unauthenticated_per_address = 16;
	c->ipv6_prefix = 64;
	c->map_size = 1 * GIB;
	c->inbox_retention_s = 24 * 60 * 60;
	c->inbox_max_messages = 10000;
	/* nym-node's defaults (common/verloc/src/measurements/config.rs) */
	c->verloc_measure = 1;
	c->verloc_packets = 100;
	c->verloc_packet_timeout_ms = 1500;
	c->verloc_conn_timeout_ms = 5 * MS_S;
	c->verloc_delay_ms = 50;
	c->verloc_batch = 50;
	c->verloc_interval_ms = 12 * MS_H;
	c->verloc_retry_ms = 30 * MS_M;
	c->commit_interval_ms = 5;
	c->commit_batch = 4096;
}

/* The announce rules of gatewayd.conf(5), in one place. */
const char *
config_announce_host(const struct gw_config *c, char *buf, size_t len)
{
	const struct gw_listen	*l;
	const void		*addr;
	unsigned		 i;

	if (c->announce_host[0] != '\0') {
		gw_strlcpy(buf, c->announce_host, len);
		return buf;
	}
	for (i = 0; i < c->listen_clients.n; i++) {
		l = &c->listen_clients.addr[i];
		if (config_listen_is_wildcard(l))
			continue;
		/* IPv6 without brackets, as Nym announces it. */
		if (l->ss.ss_family == AF_INET)
			addr = &((const struct sockaddr_in *)
			    (const void *)&l->ss)->sin_addr;
		else
			addr = &((const struct sockaddr_in6 *)
			    (const void *)&l->ss)->sin6_addr;
		if (inet_ntop(l->ss.ss_family, addr, buf, (socklen_t)len) ==
		    NULL && len > 0)
			buf[0] = '\0';
		return buf;
	}
	if (len > 0)
		buf[0] = '\0';
	return buf;
}

static void
listen_ip_text(const struct gw_listen *l, char *out)
{
	const void	*addr;

	if (l->ss.ss_family == AF_INET)
		addr = &((const struct sockaddr_in *)(const void *)
		    &l->ss)->sin_addr;
	else
		addr = &((const struct sockaddr_in6 *)(const void *)
		    &l->ss)->sin6_addr;
	if (inet_ntop(l->ss.ss_family, addr, out, GW_IP_TEXT_MAX) == NULL)
		out[0] = '\0';
}

static unsigned
ips_add(char out[][GW_IP_TEXT_MAX], unsigned n, const char *ip)
{
	unsigned	 i;

	if (ip[0] == '\0' || n == GW_MAX_PUBLIC_IPS)
		return n;
	for (i = 0; i < n; i++)
		if (strcmp(out[i], ip) == 0)
			return n;
	gw_strlcpy(out[n], ip, GW_IP_TEXT_MAX);
	return n + 1;
}

unsigned
config_announce_ips(const struct gw_config *c, char out[][GW_IP_TEXT_MAX])
{
	const struct gw_listen_set	*sets[] = { &c->listen_clients,
					    &c->listen_mix, &c->listen_http };
	char				 ip[GW_IP_TEXT_MAX];
	struct in6_addr			 a;
	unsigned			 i, j, n = 0;

	for (i = 0; i < c->n_announce_ips && i < GW_MAX_PUBLIC_IPS; i++)
		n = ips_add(out, n, c->announce_ips[i]);
	if (n > 0)
		return n;
	/* An address written as the host is the operator's word. */
	if (inet_pton(AF_INET, c->announce_host, &a) == 1 ||
	    inet_pton(AF_INET6, c->announce_host, &a) == 1)
		return ips_add(out, 0, c->announce_host);
	for (i = 0; i < nitems(sets); i++)
		for (j = 0; j < sets[i]->n && j < GW_MAX_LISTEN; j++) {
			if (config_listen_is_wildcard(&sets[i]->addr[j]))
				continue;
			listen_ip_text(&sets[i]->addr[j], ip);
			n = ips_add(out, n, ip);
		}
	return n;
}

uint16_t
config_announce_ws_port(const struct gw_config *c)
{
	const struct sockaddr_in *sin;

	if (c->announce_ws_port != 0 || c->listen_clients.n == 0)
		return c->announce_ws_port;
	/* sin_port and sin6_port sit at the same offset. */
	sin = (const struct sockaddr_in *)(const void *)
	    &c->listen_clients.addr[0].ss;
	return ntohs(sin->sin_port);
}

/*
 * BIP-173's checksum, a BCH code over GF(32): an error-detecting code,
 * not a cryptographic primitive, so it is written out here.
 */
static uint32_t
bech32_polymod(uint32_t chk, uint8_t v)
{
	static const uint32_t	 gen[5] = { 0x3b6a57b2, 0x26508e6d,
				    0x1ea119fa, 0x3d4233dd, 0x2a1462b3 };
	uint32_t		 top = chk >> 25;
	int			 i;

	chk = (chk & 0x1ffffff) << 5 ^ v;
	for (i = 0; i < 5; i++)
		if ((top >> i) & 1)
			chk ^= gen[i];
	return chk;
}

const char *
config_bech32_error(const char *s, const char *hrp)
{
	static const char	 cs[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
	const char		*sep, *p;
	size_t			 len = strlen(s), hlen = strlen(hrp), ndata, i;
	uint32_t		 chk = 1, acc = 0;
	unsigned		 bits = 0, nbytes = 0;
	int			 lower = 0, upper = 0;

	if (len < hlen + 8 || len > 90)
		return "length must be 8 to 90 characters";
	for (p = s; *p != '\0'; p++) {
		if (*p < 33 || *p > 126)
			return "contains a character outside ASCII 33-126";
		lower |= *p >= 'a' && *p <= 'z';
		upper |= *p >= 'A' && *p <= 'Z';
	}
	if (lower && upper)
		return "mixes upper and lower case";
	if ((sep = strrchr(s, '1')) == NULL || (size_t)(sep - s) != hlen ||
	    strncasecmp(s, hrp, hlen) != 0)
		return "must start with the prefix n1";
	ndata = len - hlen - 1;
	/* The checksum covers the expanded prefix, then the data. */
	for (i = 0; i < hlen; i++)
		chk = bech32_polymod(chk, (uint8_t)(tolower((unsigned char)
		    hrp[i]) >> 5));
	chk = bech32_polymod(chk, 0);
	for (i = 0; i < hlen; i++)
		chk = bech32_polymod(chk, (uint8_t)(tolower((unsigned char)
		    hrp[i]) & 31));
	for (i = 0; i < ndata; i++) {
		if ((p = strchr(cs, tolower((unsigned char)sep[1 + i]))) ==
		    NULL)
			return "contains a character outside bech32's set";
		chk = bech32_polymod(chk, (uint8_t)(p - cs));
		/* 5-bit groups to bytes, checksum (last 6) excluded */
		if (i + 6 < ndata) {
			acc = (acc << 5 | (uint32_t)(p - cs)) & 0xfff;
			if ((bits += 5) >= 8) {
				bits -= 8;
				nbytes++;
			}
		}
	}
	if (chk != 1)
		return "bad checksum";
	if (bits >= 5 || (acc & ((1U << bits) - 1)) != 0 ||
	    (nbytes != 20 && nbytes != 32))
		return "payload must be a 20- or 32-byte account";
	return NULL;
}
