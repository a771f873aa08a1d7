/*
 * The parsed configuration (etc/gatewayd.yaml, gatewayd.conf(5)).
 * Only the master and gatewayctl parse the file; workers receive their
 * slice over imsg (gw_imsg.h) and never open it.
 */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <sys/socket.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>

#define GW_CONF_DEFAULT		"/etc/gatewayd/gatewayd.yaml"
#define GW_MAX_LISTEN		8
#define GW_MAX_APIURLS		8
#define GW_MAX_PUBLIC_IPS	8
#define GW_IP_TEXT_MAX		46	/* INET6_ADDRSTRLEN */
#define GW_URL_MAX		512
#define GW_HOST_MAX		256
/* metrics.access_token: RFC 6750 b64token, NUL-ended */
#define GW_TOKEN_MAX		256
#define GW_USER_MAX		32
/* bech32: at most 90 characters (BIP-173) */
#define GW_COSMOS_ADDR_MAX	91
/* base58 of a 32-byte key: at most 44 characters */
#define GW_KEY58_MAX		64

struct gw_listen {
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			 text[64];	/* as written, for logs */
};

struct gw_listen_set {
	struct gw_listen	 addr[GW_MAX_LISTEN];
	unsigned		 n;
};

struct gw_config {
	char		 path[PATH_MAX];	/* file it came from, or "" */

	/* who: users the workers drop to */
	char		 user[GW_USER_MAX];		/* mixd clientd credd */
	char		 storage_user[GW_USER_MAX];	/* storaged, data dir */

	/* where */
	char		 keys_dir[PATH_MAX];
	char		 data_dir[PATH_MAX];
	char		 chroot_dir[PATH_MAX];		/* empty, root-owned */
	char		 control_socket[PATH_MAX];

	/* announced to the network (node-details, HTTP API) */
	char		 announce_host[GW_HOST_MAX];
	uint16_t	 announce_ws_port;	/* 0: first clients port */
	uint16_t	 announce_wss_port;	/* 0: none */
	/* host-information's ip_address, normalized (inet_ntop); none
	 * given: config_announce_ips() derives them */
	char		 announce_ips[GW_MAX_PUBLIC_IPS][GW_IP_TEXT_MAX];
	unsigned	 n_announce_ips;

	/* the operator's word, reported in auxiliary-details */
	int		 accept_terms;

	/* listeners: IPv4 and IPv6 */
	struct gw_listen_set	 listen_clients;
	struct gw_listen_set	 listen_mix;
	struct gw_listen_set	 listen_http;
	struct gw_listen_set	 listen_verloc;

	/* nym-api */
	char		 nym_api_urls[GW_MAX_APIURLS][GW_URL_MAX];
	unsigned	 n_nym_api_urls;
	uint32_t	 nym_api_timeout_ms;
	char		 nym_api_ca_file[PATH_MAX];	/* "": system */

	/* credentials and network */
	int		 enforce_zk_nyms;	/* 0: free testnet bandwidth */
	char		 cosmos_address[GW_COSMOS_ADDR_MAX];	/* n1... */
	int		 testnet;		/* allow private mix addresses */
	int		 noise;			/* Noise on the mix port */
	uint32_t	 ack_delay_ms;		/* every SURB-ack waits this */
	uint32_t	 replay_sync_ms;	/* replay tags made durable */
	uint32_t	 sphinx_threads;	/* mixd unwrap threads, 0: CPUs */

	/* upgrade mode (spec 6.6) */
	char		 attestation_url[GW_URL_MAX];	/* "": off */
	char		 attester_key[GW_KEY58_MAX];	/* base58 */

	/* nyxd: the DKG contract, for past e-cash epochs' signers */
	char		 nyxd_url[GW_URL_MAX];		/* "": off */
	char		 dkg_contract[GW_COSMOS_ADDR_MAX];	/* n1... */

	/* limits */
	uint32_t	 max_connections;	/* clients */
	uint32_t	 max_connections_per_address;
	uint32_t	 max_mix_connections;
	uint32_t	 max_message_size;	/* one WebSocket message */
	uint32_t	 handshake_timeout_ms;
	uint32_t	 idle_timeout_ms;
	uint32_t	 mix_read_timeout_ms;
	uint32_t	 max_unauthenticated;	/* still in the handshake */
	uint32_t	 max_unauthenticated_per_address;
	uint32_t	 ipv6_prefix;		/* bits that make an address */

	/* storage */
	uint64_t	 map_size;		/* LMDB map, bytes */
	uint32_t	 inbox_retention_s;
	uint32_t	 inbox_max_messages;	/* per client */
	uint32_t	 commit_interval_ms;	/* group commit */
	uint32_t	 commit_batch;		/* messages per commit */

	/* verloc's measurer (nym-node's VerlocDebug) */
	int		 verloc_measure;	/* 0: answer, measure nobody */
	uint32_t	 verloc_packets;	/* packets_per_node */
	uint32_t	 verloc_packet_timeout_ms;
	uint32_t	 verloc_conn_timeout_ms;
	uint32_t	 verloc_delay_ms;	/* delay_between_packets */
	uint32_t	 verloc_batch;		/* tested_nodes_batch_size */
	uint32_t	 verloc_interval_ms;	/* testing_interval */
	uint32_t	 verloc_retry_ms;	/* retry_timeout */

	/* Prometheus on the HTTP API: "" serves it to nobody */
	char		 metrics_token[GW_TOKEN_MAX];
};

/* Defaults, also the embedded config that `make run` starts from. */
void	config_defaults(struct gw_config *);

/*
 * Parse a YAML file into *conf (which is first set to defaults).  Every
 * problem is printed to errfp as "file:line:col: message" and counted;
 * returns the number of errors (0: usable).
 */
int	config_parse_file(struct gw_config *, const char *path, FILE *errfp);
/* The same over a buffer; name is used in messages. */
int	config_parse_buffer(struct gw_config *, const char *name,
	    const char *buf, size_t len, FILE *errfp);

/*
 * Keys whose change needs a restart: returns the YAML name of the first
 * one that differs between old and new, or NULL if a reload can apply.
 */
const char *config_restart_key(const struct gw_config *old,
	    const struct gw_config *new);

/* Print the normalized config as YAML (gatewayd -nv). */
void	config_print(const struct gw_config *, FILE *);

/*
 * What the gateway announces (node-details, HTTP API), by the rules of
 * gatewayd.conf(5): announce.host, or else the first listen.clients
 * address that is not a wildcard (IPv6 without brackets, as Nym writes
 * it); the parser rejects a config where neither exists.  The ws port is
 * announce.ws_port, or else the port of the first listen.clients address.
 */
const char *config_announce_host(const struct gw_config *, char *buf,
	    size_t len);
uint16_t config_announce_ws_port(const struct gw_config *);
/*
 * host-information's ip_address: announce.public_ips, or else
 * announce.host when it is an address, or else every distinct
 * non-wildcard listen address (clients, mix, http).  Returns how many were written
 * to out (at most GW_MAX_PUBLIC_IPS); the parser rejects a config where
 * this is 0, because nym-api takes a node's addresses from this list.
 */
unsigned config_announce_ips(const struct gw_config *,
	    char out[][GW_IP_TEXT_MAX]);

/*
 * A bech32 (BIP-173) address with human-readable part hrp and a 20- or
 * 32-byte payload: NULL if valid, else what is wrong.
 */
const char *config_bech32_error(const char *, const char *hrp);

#endif
