/*
 * Private to config.c and config_print.c: the one table of keys that the
 * parser, the printer and config_restart_key() all walk, so that a key
 * added in one place cannot be forgotten in the others.
 */
#ifndef GW_CONFIG_INT_H
#define GW_CONFIG_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

#define MS_S	1000LL
#define MS_M	(60 * MS_S)
#define MS_H	(60 * MS_M)
#define MS_D	(24 * MS_H)
#define KIB	1024LL
#define MIB	(1024 * KIB)
#define GIB	(1024 * MIB)

/* Indices into config_keys[]; a section's keys follow it. */
enum {
	K_USER, K_STORAGE_USER,
	K_PATHS, K_KEYS, K_DATA, K_CHROOT, K_CONTROL,
	K_ANNOUNCE, K_HOST, K_WS_PORT, K_WSS_PORT, K_PUBLIC_IPS,
	K_OPERATOR, K_ACCEPT_TERMS,
	K_LISTEN, K_CLIENTS, K_MIX, K_HTTP, K_VERLOC,
	K_NYM_API, K_URLS, K_API_TIMEOUT, K_API_CA_FILE,
	K_CREDENTIALS, K_ENFORCE_ZK, K_COSMOS_ADDR,
	K_MIXNET, K_TESTNET, K_NOISE, K_ACK_DELAY, K_REPLAY_SYNC, K_SPHINX_THREADS,
	K_UPGRADE, K_ATTEST_URL, K_ATTESTER_KEY,
	K_NYXD, K_NYXD_URL, K_DKG_CONTRACT,
	K_LIMITS, K_MAX_CONN, K_MAX_CONN_ADDR, K_MAX_MIX_CONN, K_MAX_MSG,
	K_HANDSHAKE_TO, K_IDLE_TO, K_MIX_READ_TO, K_MAX_UNAUTH,
	K_MAX_UNAUTH_ADDR, K_V6_PREFIX,
	K_STORAGE, K_MAP_SIZE, K_RETENTION, K_INBOX_MAX, K_COMMIT_INTERVAL,
	K_COMMIT_BATCH,
	K_VERLOC_SECT, K_VL_MEASURE, K_VL_PACKETS, K_VL_PACKET_TO,
	K_VL_CONN_TO, K_VL_DELAY, K_VL_BATCH, K_VL_INTERVAL, K_VL_RETRY,
	K_METRICS, K_METRICS_TOKEN,
	K_NKEYS
};

enum config_ktype {
	CK_SECTION,	/* nested mapping; its keys follow it in the table */
	CK_USER,	/* char[GW_USER_MAX], a login name */
	CK_PATH,	/* char[PATH_MAX], not empty */
	CK_HOST,	/* char[GW_HOST_MAX], may be empty */
	CK_PORT,	/* uint16_t */
	CK_LISTEN,	/* struct gw_listen_set */
	CK_URLS,	/* nym_api_urls[] and n_nym_api_urls */
	CK_IPS,		/* announce_ips[] and n_announce_ips */
	CK_BOOL,	/* int */
	CK_UINT,	/* uint32_t */
	CK_MSEC,	/* uint32_t milliseconds, written as a duration */
	CK_SEC,		/* uint32_t seconds, written as a duration */
	CK_SIZE32,	/* uint32_t bytes, written as a size */
	CK_SIZE64,	/* uint64_t bytes, written as a size */
	CK_FILE,	/* char[PATH_MAX], may be empty */
	CK_BECH32,	/* char[GW_COSMOS_ADDR_MAX], "n1..." or empty */
	CK_URL,		/* char[GW_URL_MAX], one URL or empty */
	CK_KEY58,	/* char[GW_KEY58_MAX], base58 of 32 bytes */
	CK_TOKEN	/* char[GW_TOKEN_MAX], a secret, may be empty */
};

struct config_key {
	const char		*name;		/* within its mapping */
	const char		*full;		/* dotted, for messages */
	enum config_ktype	 type;
	int			 parent;	/* index of section, -1: top */
	size_t			 off;		/* in struct gw_config */
	/* Allowed range; milliseconds for durations, bytes for sizes. */
	long long		 min, max;
	int			 restart;	/* a change needs a restart */
};

extern const struct config_key	config_keys[];
extern const size_t		config_nkeys;

/* A suffix and its multiplier; a table ends with a NULL name. */
struct config_unit {
	const char	*name;
	long long	 mul;
};
extern const struct config_unit	config_duration_units[];	/* to ms */
extern const struct config_unit	config_size_units[];		/* to bytes */

/*
 * "<digits><suffix>", scaled by the suffix's unit (bare: by bare).
 * Returns 0, -1 if malformed, -2 if it overflows.
 */
int	config_parse_scaled(const char *, const struct config_unit *,
	    long long bare, long long *);
int	config_all_digits(const char *);

/* Numeric "a.b.c.d:port" or "[v6]:port"; returns a LISTEN_* code. */
enum { LISTEN_OK, LISTEN_EMALFORMED, LISTEN_EBRACKETS, LISTEN_EPORT };
int	config_parse_listen(const char *, struct gw_listen *);
int	config_listen_is_wildcard(const struct gw_listen *);
/* Would binding both fail (same port, equal or wildcard address)? */
int	config_listen_conflict(const struct gw_listen *,
	    const struct gw_listen *);

int	config_valid_user(const char *);
int	config_has_control(const char *);
/* RFC 6750 2.1 b64token, or "". */
int	config_valid_token(const char *);

/* Formatting shared by the printer and the parser's range messages. */
void	config_fmt_duration(char *, size_t, uint64_t ms);
void	config_fmt_size(char *, size_t, uint64_t bytes);
/* Print a string as a YAML scalar, quoting it only when needed. */
void	config_print_scalar(FILE *, const char *);

#endif
