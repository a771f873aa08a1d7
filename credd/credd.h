/*
 * credd: zk-nym tickets and every question the gateway asks nym-api.
 *
 *   credd.c	main, dispatch of clientd's and storaged's messages
 *   nymapi.c	HTTP(S) over libcurl's multi interface driven by libevent
 *   resolve.c	host names via c-ares: /etc/hosts, then DNS; never NSS
 *   ticket.c	the ticket's binary form, local checks, the JSON encoder
 *   signers.c	the ecash signers of the current epoch (status-detailed)
 *   dkg.c	a past epoch's signers, from the DKG contract over nyxd
 *   verify.c	a ticket's life: local checks, credit, the signers' quorum
 *   vkeys.c	each epoch's master verification key, agreed by the URLs
 *   topology.c	the rewarded set and node list, handed to mixd
 *   keyrotation.c	nym-api's key-rotation info, handed to the master
 *   upgrade.c	the upgrade-mode attestation watcher and upgradeModeJWT
 *   refresh.c	nym-api's describe-cache refresh, signed by the master
 *   described.c	the described nodes verlocd measures, via the master
 *   ecash/	local zk-nym verification: BLS12-381 and the spend check
 *   clock.c	the time tickets are checked at (test builds can set it)
 *
 * The parsers (ticket.c, signers.c, dkg.c, topology.c) take bytes and return
 * structs, with no sockets, so unit tests and fuzzers can call them.
 */
#ifndef CREDD_H
#define CREDD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "gw_imsg.h"
#include "sandbox.h"
#include "worker.h"

extern const struct sandbox_policy credd_policy;

/* Spec 6.3: types 0..3 and their values in bytes. */
#define TICKET_TYPES		4
/* Spec 6.5: revocation_bandwidth_penalty. */
#define TICKET_PENALTY		10
/* Spec 6.5: minimum_api_quorum, in percent. */
#define VERIFY_QUORUM_PCT	70
/* Spec 6.5: pending_poller. */
#define VERIFY_RETRY_MS		(300 * 1000)
/*
 * Signer load: tickets in their first round of verification at once,
 * per client, per source address and in all; more wait their turn.
 * After the signers reject a ticket, that client and that address get
 * none verified for VERIFY_COOLDOWN_S (VERIFY_COOLDOWNS remembered).
 */
#define VERIFY_MAX_PER_CLIENT	2
#define VERIFY_MAX_PER_ADDR	4
#define VERIFY_MAX_ALL		64
#define VERIFY_JOBS_MAX		4096
#define VERIFY_COOLDOWN_S	60
#define VERIFY_COOLDOWNS	256
/* Spec 8.2: topology_cache_ttl. */
#define TOPOLOGY_REFRESH_MS	(10 * 60 * 1000)
/* The largest answer we read from nym-api. */
#define NYMAPI_BODY_MAX		(4 * 1024 * 1024)
#define SIGNERS_MAX		GW_PENDING_SIGNERS
/* Signer sets kept, one per DKG epoch (tickets of past epochs). */
#define SIGNER_EPOCHS		4
/* Spec 6.3 step 8: pay_info timestamp tolerance, seconds. */
#define PAYINFO_SKEW		30
#define TOPOLOGY_NODES_MAX	8192

/* ticket.c ---------------------------------------------------------- */
#define TICKET_SERIAL_MAX	64	/* ss[] entries we accept */

struct ticket {
	uint64_t	 spend_value;
	uint8_t		 t_type;
	uint32_t	 nserials;
	const uint8_t	*serials;	/* nserials x 48, inside the input */
	uint8_t		 pay_info[72];
	int32_t		 spend_date;	/* Julian day number */
	uint64_t	 epoch_id;
	uint8_t		 serial_hash[32];	/* BLAKE2b-256 of ss[] */
};

/* Parse CredentialSpendingData bytes; 0 or -1 (never fatal). */
int	 ticket_parse(const uint8_t *, size_t, struct ticket *);
/* The JSON body of POST /v1/ecash/verify-ecash-ticket (malloc'd
 * string), or NULL if the bytes do not parse. */
char	*ticket_verify_body(const uint8_t *, size_t, const char *gw_addr);
/* Bytes a ticket of this type is worth; 0 for an unknown type. */
int64_t	 ticket_value(uint8_t t_type);
/* The Julian day number of a unix time's UTC date. */
int32_t	 ticket_julian_day(time_t);
/* Local checks (spec 6.3 steps 3-5, and 8 but for duplicates: the
 * pay_info must name provider, the gateway's Ed25519 key, and be
 * fresh): CRED_ERR_NONE or the error, with the client's message in
 * msg. */
int	 ticket_check(const struct ticket *, const uint8_t provider[32],
	    time_t now, char *msg, size_t msglen);
/* Spec 6.3 step 8: has this pay_info been seen within PAYINFO_SKEW?
 * Records it if not.  1 seen, 0 fresh. */
int	 ticket_payinfo_seen(const uint8_t pay_info[72], time_t now);
void	 ticket_payinfo_forget(const uint8_t pay_info[72]);
/* A signer's answer: 1 accepted, 0 rejected, -1 not an answer. */
int	 ticket_parse_verdict(const char *, size_t);

/* ecash/ (check.c, vkey.c): verify a ticket locally ------------------ */
/*
 * The master verification key of one e-cash epoch, decoded and checked
 * (opaque; ecash/ecash.h).  From nym-api's GET
 * /v1/ecash/master-verification-key?epoch_id=N body, or from the bytes
 * of Nym's VerificationKeyAuth::to_bytes.  NULL with why on failure.
 */
struct ecash_vk;
struct ecash_vk	*ecash_vk_from_json(const char *, size_t, uint64_t epoch_id,
		    const char **why);
struct ecash_vk	*ecash_vk_from_bytes(const uint8_t *, size_t,
		    uint64_t epoch_id, const char **why);
void		 ecash_vk_free(struct ecash_vk *);
/* Same epoch and same key (for agreement between nym-api URLs). */
int		 ecash_vk_equal(const struct ecash_vk *,
		    const struct ecash_vk *);
uint64_t	 ecash_vk_epoch(const struct ecash_vk *);
/* VerificationKeyAuth::to_bytes: for a cache, or a log's digest. */
const uint8_t	*ecash_vk_bytes(const struct ecash_vk *, size_t *);

enum ecash_reason {
	ECASH_OK,
	ECASH_ERR_MALFORMED,	/* not CredentialSpendingData (lengths) */
	ECASH_ERR_ELEMENT,	/* a point or scalar does not decode */
	ECASH_ERR_POLICY,	/* ticket_check: type, value, date, pay_info */
	ECASH_ERR_EPOCH,	/* made for another epoch than the key's */
	ECASH_ERR_SERIAL,	/* the same serial number twice */
	ECASH_ERR_PROOF,	/* the zero-knowledge spend proof fails */
	ECASH_ERR_SIGNATURE,	/* the wallet signature's pairing fails */
	ECASH_ERR_EXPIRATION,	/* the expiration-date signature fails */
	ECASH_ERR_COIN_INDEX,	/* a coin-index signature fails */
	ECASH_ERR_INTERNAL,	/* could not run: the constants failed */
};

struct ecash_result {
	enum ecash_reason	 reason;
	int			 cred_err;	/* CRED_ERR_*, for the client */
	char			 msg[192];	/* the client's, Nym's words */
	char			 detail[96];	/* for the log */
};

/* clock.c: time(NULL), or from GW_TEST_CREDD_NOW in test builds. */
time_t	 credd_now(void);

/* libgcrypt, libsodium and the curve constants, before the sandbox;
 * 0 or -1. */
int	 ecash_init(void);
/*
 * Everything nym-node checks before it credits a ticket but the
 * stateful duplicate checks (pay_info seen, serial spent): ticket_check
 * against provider and now (the injectable clock), the ticket's epoch
 * against the key's, every point and scalar, then Payment::spend_verify
 * (distinct serials, the spend proof, the signature, the expiration
 * signature, the coin-index signatures).  ECASH_OK or the first reason
 * to refuse, in res.  Costs a few tens of ms; touches no state.
 */
enum ecash_reason ecash_ticket_verify(const struct ecash_vk *,
		    const uint8_t *, size_t, const uint8_t provider[32],
		    time_t now, struct ecash_result *res);
const char	*ecash_reason_str(enum ecash_reason);

/* signers.c --------------------------------------------------------- */
struct signer {
	uint64_t	 id;		/* node_index */
	char		 url[GW_URL_MAX];	/* announce_address */
};

struct signer_set {
	uint64_t	 epoch_id;
	uint32_t	 threshold;
	uint32_t	 n;
	struct signer	 s[SIGNERS_MAX];
};

/* Parse status-detailed; 0 or -1 (never fatal). */
int	 signers_parse(const char *, size_t, struct signer_set *);
/* One signer (announce address checked); 0 added, -1 not. */
int	 signers_add(struct signer_set *, uint64_t id, const char *url);

/* dkg.c: a past epoch's signers from the DKG contract over nyxd ----- */
#define DKG_EPOCHS_BACK		(SIGNER_EPOCHS - 1)	/* epochs asked */
#define DKG_PAGES_MAX		8	/* of 30 shares each */
#define DKG_RETRY_S		60	/* an epoch not had: ask again after */
#define DKG_OWNER_MAX		100	/* start_after: an n1... address */

/* The JSON-RPC abci_query body of a smart query; length or -1. */
int	 dkg_rpc_body(char *, size_t, const char *contract, const char *q);
/* The contract's answer in nyxd's response (malloc'd, NUL-terminated);
 * 0, or -1 with why. */
int	 dkg_rpc_answer(const char *, size_t, char **json, size_t *jlen,
	    const char **why);
/* GetEpochThreshold's answer: 0 and *thr, or -1 (null, or not one). */
int	 dkg_parse_threshold(const char *, size_t, uint64_t *thr);
/* A page of GetVerificationKeys: verified shares of epoch join set;
 * next gets start_next_after; *more: another page to ask.  The page's
 * entry count, or -1. */
int	 dkg_parse_shares(const char *, size_t, uint64_t epoch,
	    struct signer_set *, char *next, size_t nextlen, int *more);

/* topology.c -------------------------------------------------------- */
struct topo_rewarded {
	uint64_t	 epoch_id;
	uint32_t	 n;
	struct {
		uint32_t	 node_id;
		uint32_t	 layer;	/* 1..3, 0 gateway */
	}		*ids;
};

/* Parse /v1/nym-nodes/rewarded-set; 0 or -1. */
int	 topology_parse_rewarded(const char *, size_t, struct topo_rewarded *);
void	 topology_rewarded_free(struct topo_rewarded *);
/* Parse one semi-skimmed page, appending nodes of the rewarded set to
 * out (at most max); sets *total to pagination.total.  Returns the
 * page's entry count, or -1. */
int	 topology_parse_nodes(const char *, size_t,
	    const struct topo_rewarded *, struct gw_topology_node *out,
	    size_t *n, size_t max, uint64_t *total);

/* resolve.c --------------------------------------------------------- */
#define RESOLVE_HOST_MAX	256
#define RESOLVE_ADDRS_MAX	8
#define RESOLVE_ADDRS_LEN	(RESOLVE_ADDRS_MAX * 48)

struct resolver;
/* addrs: "a,[b]" (CURLOPT_RESOLVE's list), or NULL with err. */
typedef void	(*resolve_cb)(const char *addrs, const char *err, void *arg);

/* Counters are bumped per lookup started and per lookup failed. */
struct resolver	*resolver_new(struct event_base *, uint32_t timeout_ms,
		    uint64_t *c_lookups, uint64_t *c_failures);
void		 resolver_free(struct resolver *);
/* cb is called exactly once, later, from the event loop. */
void		 resolve_lookup(struct resolver *, const char *host,
		    resolve_cb, void *arg);
/* 0 and the lower-cased name without a trailing dot, or -1. */
int		 resolve_host_normalize(const char *, char *, size_t);
/* An IPv4 literal or a bracketed IPv6 one: never looked up. */
int		 resolve_is_literal(const char *);

/* nymapi.c ---------------------------------------------------------- */
struct nymapi;
/* status: HTTP status, or 0 if no answer (connect, timeout, size). */
typedef void	(*nymapi_cb)(int status, const char *body, size_t len,
		    void *arg);

/* ca: a PEM bundle to trust instead of the system store (NULL: the
 * system's); copied. */
struct nymapi	*nymapi_new(struct event_base *, struct resolver *,
		    uint32_t timeout_ms, const char *ca, size_t calen);
void		 nymapi_free(struct nymapi *);
/*
 * GET (body NULL) or POST (JSON body) path on the first of bases that
 * answers, rotating over them with backoff for at most attempts tries.
 * cb is called exactly once, later, from the event loop.
 */
void	 nymapi_request(struct nymapi *, const char *const *bases, size_t n,
	    const char *path, const char *body, unsigned attempts,
	    nymapi_cb, void *arg);

/* verify.c ---------------------------------------------------------- */
struct credd {
	struct worker		*w;
	struct nymapi		*api;
	struct resolver		*resolver;
	const char		*bases[GW_MAX_APIURLS];
	size_t			 nbases;
	uint32_t		 retry_ms;	/* signers not answering */
	uint32_t		 topology_ms;
	struct signer_set	 signers;	/* current epoch */
	struct signer_set	 sets[SIGNER_EPOCHS];	/* by epoch */
	size_t			 nsets;
	int			 signers_known;
	int			 signers_fetching;
	time_t			 signers_fetched;
	struct event		*topo_ev;
	/* counters */
	uint64_t		*c_tickets, *c_refused, *c_verified;
	uint64_t		*c_revoked, *c_api_fail, *c_topology;
	uint64_t		*c_upgrade_checks, *c_jwt_ok, *c_jwt_bad;
	uint64_t		*c_dns_lookups, *c_dns_failures;
	uint64_t		*c_rejected, *c_credited, *c_busy, *c_cooldown;
	uint64_t		*c_local_ok, *c_invalid, *c_vk_fail;
	uint64_t		*c_refresh_sent, *c_refresh_failed;
	uint64_t		*c_dkg_ok, *c_dkg_fail;
	uint64_t		*c_verloc_lists;
	uint32_t		 vk_retry_s;	/* after a fetch without a key */
	uint32_t		 dkg_retry_s;	/* after an epoch not had */
	/* upgrade.c */
	struct upgrade		*upgrade;
};

void	 verify_init(struct credd *);
/* clientd: IMSG_CRED_VERIFY */
void	 verify_request(struct credd *, struct imsgev *, struct imsg *);
/* storaged: SPEND_RESULT, BANDWIDTH_RESULT, PENDING_ENTRY/END */
void	 verify_storaged(struct credd *, struct imsgev *, struct imsg *);
/* At start: reload the pending verifications. */
void	 verify_start(struct credd *);
void	 signers_refresh(struct credd *, int force);
const struct signer_set *signers_for(const struct credd *, uint64_t epoch);
/* Keep an epoch's set (the oldest epoch goes first). */
void	 signers_store(struct credd *, const struct signer_set *);

enum dkg_state {
	DKG_WAIT,		/* being fetched: verify_signers_ready follows */
	DKG_NONE,		/* cannot be had now (why says) */
};
enum dkg_state	 dkg_want(struct credd *, uint64_t epoch, const char **why);
void		 dkg_forget(void);
/* Called by signers.c when a fetch ends (ok: the set is known). */
void	 verify_signers_ready(struct credd *, int ok);

/* Called by vkeys.c when a key fetch for epoch ends. */
void	 verify_vkey_ready(struct credd *, uint64_t epoch);

/* vkeys.c ----------------------------------------------------------- */
#define VKEY_EPOCHS		4	/* keys kept, one per e-cash epoch */
#define VKEY_RETRY_S		60	/* no key: ask again after this */

enum vkey_state {
	VKEY_READY,		/* the key is known */
	VKEY_WAIT,		/* being fetched: verify_vkey_ready follows */
	VKEY_NONE,		/* none now: the signers alone decide */
};
enum vkey_state	 vkeys_get(struct credd *, uint64_t epoch,
		    const struct ecash_vk **);
void		 vkeys_forget(void);

void	 topology_start(struct credd *);

/* credd.c: an interval in ms; TEST_HOOKS builds read env first. */
uint32_t credd_interval(const char *env, uint32_t dflt);

/* keyrotation.c: nym-api's key-rotation info, for the master */
int	 keyrotation_parse(const char *, size_t, struct gw_rotation_info *);
int	 keyrotation_parse_time(const char *, int64_t *);
void	 keyrotation_start(struct credd *);

/* refresh.c: POST /v1/nym-nodes/refresh-described ------------------ */
/* NodeRefreshBody's JSON (bs58 identity, signature as 64 numbers):
 * its length, or -1 if out is too small. */
int	 refresh_body(const struct gw_refresh_signed *, char *out,
	    size_t outlen);
void	 refresh_start(struct credd *);
void	 refresh_reconf(struct credd *);
void	 refresh_signed(struct credd *, struct imsg *);
void	 refresh_free(void);
/* described.c: GET /v1/nym-nodes/described for verlocd ------------- */
/* Parse one page, appending the usable nodes (not self) to out (at
 * most max); sets *total to pagination.total.  Returns the page's
 * entry count, or -1. */
int	 described_parse(const char *, size_t, const uint8_t self[32],
	    struct gw_verloc_node *out, size_t *n, size_t max,
	    uint64_t *total);
/* IMSG_VERLOC_NODES_FETCH: answered with IMSG_VERLOC_NODES. */
void	 described_request(struct credd *);
/* The master's messages beyond the worker's own (iev->arg: worker). */
int	 credd_dispatch_parent(struct imsgev *, struct imsg *);

/* upgrade.c --------------------------------------------------------- */
/* The JWT's claims and the attestation, parsed (spec 6.6). */
struct attestation {
	char		 starting_time[40];
	uint8_t		 attester[32];
	uint8_t		 issuers[8][32];
	uint32_t	 nissuers;
	char		 signature[128];
};

/* The attestation document: 1 an attestation, 0 JSON null, -1 bad. */
int	 upgrade_parse_attestation(const char *, size_t,
	    struct attestation *);
/* An attestation as a JSON object (jansson json_t *), or -1. */
int	 upgrade_attestation_from_json(const void *, struct attestation *);
int	 upgrade_attestation_equal(const struct attestation *,
	    const struct attestation *);
/*
 * Check an upgradeModeJWT: EdDSA over header.payload with the key in
 * the header's jwk (base58), iss "nym-credential-proxy", time claims
 * within JWT_LEEWAY of now.  Fills the claims' attestation and the
 * issuer key.  0 valid, -1 with why.
 */
int	 upgrade_jwt_check(const char *, size_t, time_t now,
	    struct attestation *, uint8_t issuer[32], const char **why);

void	 upgrade_init(struct credd *);
void	 upgrade_free(struct credd *);
void	 upgrade_start(struct credd *);
void	 upgrade_reconf(struct credd *);
/* clientd's upgradeModeJWT: answers with IMSG_CRED_RESULT. */
void	 upgrade_jwt_request(struct credd *, uint32_t peerid,
	    const uint8_t *client, const uint8_t *, size_t);

/* verify.c: the siblings' messages (iev->arg: the worker). */
int	 credd_dispatch_clientd(struct imsgev *, struct imsg *);
int	 credd_dispatch_storaged(struct imsgev *, struct imsg *);
void	 verify_free(void);
/* counters.c */
void	 credd_counters_init(struct credd *);

#endif
