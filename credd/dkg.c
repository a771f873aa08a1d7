/*
 * The signers of a past DKG epoch, from the DKG contract over nyxd.
 * nym-api serves the current epoch's signers only (signers.c); nym-node
 * reads every epoch's from the contract (credential-verification
 * ecash/state.rs: get_epoch_threshold and get_all_verification_key_shares
 * of the ticket's epoch), and so does credd, for an epoch it never saw:
 * a ticket of the epoch before an epoch change, or any past one after a
 * restart.  doc/spec/zknym-verify.md section 5 has the sources.
 *
 * The questions are CosmWasm smart queries in a CometBFT JSON-RPC
 * abci_query, POSTed to nyxd.url, as Nym's validator-client sends them
 * (path /cosmwasm.wasm.v1.Query/SmartContractState, the protobuf
 * QuerySmartContractStateRequest as hex):
 *
 *   {"get_epoch_threshold":{"epoch_id":E}}		-> u64 or null
 *   {"get_verification_keys":{"epoch_id":E,"limit":30[,"start_after":O]}}
 *	-> {"shares":[ContractVKShare...],"per_page":N,"start_next_after":O}
 *
 * Only shares the contract marks verified count, each its announce
 * address and node_index.  Bounded: only the DKG_EPOCHS_BACK epochs
 * before the current one, one fetch at a time, at most DKG_PAGES_MAX
 * pages, and an epoch the contract could not give is not asked again
 * for DKG_RETRY_S; so clients naming epochs cost nyxd little.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "credd.h"
#include "log.h"
#include "util.h"

#define ABCI_PATH	"/cosmwasm.wasm.v1.Query/SmartContractState"
/* The contract's largest page (VERIFICATION_KEY_SHARES_PAGE_MAX_LIMIT). */
#define DKG_PAGE	30
#define DKG_QUERY_MAX	256
/* A contract's answer we read: far more than SIGNERS_MAX shares. */
#define DKG_ANSWER_MAX	(1024 * 1024)

enum slot_state { S_FREE, S_QUEUED, S_FETCHING, S_FAILED };

struct dkg_slot {
	uint64_t		 epoch;
	enum slot_state		 state;
	time_t			 failed_at;
};

static struct {
	struct credd		*cd;
	struct dkg_slot		 slot[SIGNER_EPOCHS];
	struct dkg_slot		*cur;		/* being fetched */
	unsigned		 gen;		/* the fetch's, for answers */
	struct signer_set	 set;
	uint64_t		 threshold;
	unsigned		 pages;
	char			 next[DKG_OWNER_MAX];
} dk;

static void	dkg_next(void);
static void	dkg_page_done(int, const char *, size_t, void *);
static void	dkg_threshold_done(int, const char *, size_t, void *);

static size_t
pb_varint(uint8_t *p, uint64_t v)
{
	size_t	 n = 0;

	do {
		p[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v != 0);
	return n;
}

/*
 * The JSON-RPC body asking contract the smart query q: abci_query of a
 * QuerySmartContractStateRequest {1: address, 2: query_data}.  Its
 * length, or -1 if out is too small.
 */
int
dkg_rpc_body(char *out, size_t outlen, const char *contract, const char *q)
{
	uint8_t		 pb[16 + GW_COSMOS_ADDR_MAX + DKG_QUERY_MAX];
	size_t		 al = strlen(contract), ql = strlen(q), n = 0, i;
	int		 len;

	if (al >= GW_COSMOS_ADDR_MAX || ql >= DKG_QUERY_MAX)
		return -1;
	pb[n++] = 0x0a;
	n += pb_varint(pb + n, al);
	memcpy(pb + n, contract, al);
	n += al;
	pb[n++] = 0x12;
	n += pb_varint(pb + n, ql);
	memcpy(pb + n, q, ql);
	n += ql;
	len = snprintf(out, outlen, "{\"jsonrpc\":\"2.0\",\"id\":1,"
	    "\"method\":\"abci_query\",\"params\":{\"path\":\"" ABCI_PATH
	    "\",\"data\":\"");
	if (len < 0 || (size_t)len + 2 * n + 32 >= outlen)
		return -1;
	for (i = 0; i < n; i++)
		len += snprintf(out + len, outlen - (size_t)len, "%02X", pb[i]);
	len += snprintf(out + len, outlen - (size_t)len,
	    "\",\"prove\":false}}");
	return len;
}

/* A protobuf varint at *p, within end. */
static int
pb_read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	unsigned	 shift = 0;

	*v = 0;
	while (*p < end && shift < 64) {
		*v |= (uint64_t)(**p & 0x7f) << shift;
		if ((*(*p)++ & 0x80) == 0)
			return 0;
		shift += 7;
	}
	return -1;
}

/* Field 1 (bytes) of QuerySmartContractStateResponse; others skipped. */
static int
pb_field1(const uint8_t *p, size_t len, const uint8_t **data, size_t *dlen)
{
	const uint8_t	*end = p + len;
	uint64_t	 key, v;

	*data = NULL;
	while (p < end) {
		if (pb_read_varint(&p, end, &key) == -1)
			return -1;
		switch (key & 7) {
		case 0:
			if (pb_read_varint(&p, end, &v) == -1)
				return -1;
			break;
		case 1:
		case 5:
			if ((size_t)(end - p) < ((key & 7) == 1 ? 8u : 4u))
				return -1;
			p += (key & 7) == 1 ? 8 : 4;
			break;
		case 2:
			if (pb_read_varint(&p, end, &v) == -1 ||
			    v > (uint64_t)(end - p))
				return -1;
			if (key >> 3 == 1) {
				*data = p;
				*dlen = (size_t)v;
			}
			p += v;
			break;
		default:
			return -1;
		}
	}
	return *data != NULL ? 0 : -1;
}

/*
 * The contract's JSON answer inside nyxd's JSON-RPC response
 * (result.response.value: base64 of the protobuf response), malloc'd
 * and NUL-terminated in *json; or -1 with why.
 */
int
dkg_rpc_answer(const char *buf, size_t len, char **json, size_t *jlen,
    const char **why)
{
	json_t		*root, *resp, *code;
	json_error_t	 err;
	const char	*b64, *end;
	uint8_t		*raw = NULL;
	const uint8_t	*data;
	size_t		 rawlen, dlen = 0;

	*json = NULL;
	*why = "not a JSON-RPC answer";
	if ((root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err)) ==
	    NULL)
		return -1;
	if (json_object_get(root, "error") != NULL &&
	    !json_is_null(json_object_get(root, "error"))) {
		*why = "nyxd answered a JSON-RPC error";
		goto out;
	}
	resp = json_object_get(json_object_get(root, "result"), "response");
	if (!json_is_object(resp))
		goto out;
	/* CometBFT writes code 0 or leaves it out on success. */
	code = json_object_get(resp, "code");
	if (code != NULL && (!json_is_integer(code) ||
	    json_integer_value(code) != 0)) {
		*why = "the contract query failed (unknown contract, or the "
		    "contract refused it)";
		goto out;
	}
	if ((b64 = json_string_value(json_object_get(resp, "value"))) ==
	    NULL) {
		*why = "no value in the answer";
		goto out;
	}
	rawlen = strlen(b64) / 4 * 3 + 3;
	if (rawlen > DKG_ANSWER_MAX + 16) {
		*why = "answer too large";
		goto out;
	}
	raw = xmalloc(rawlen);
	if (sodium_base642bin(raw, rawlen, b64, strlen(b64), NULL, &rawlen,
	    &end, sodium_base64_VARIANT_ORIGINAL) != 0 || *end != '\0') {
		*why = "the value is not base64";
		goto out;
	}
	if (pb_field1(raw, rawlen, &data, &dlen) == -1 ||
	    dlen > DKG_ANSWER_MAX) {
		*why = "the value is not a smart query response";
		goto out;
	}
	*json = xmalloc(dlen + 1);
	memcpy(*json, data, dlen);
	(*json)[dlen] = '\0';
	*jlen = dlen;
	*why = NULL;
out:
	free(raw);
	json_decref(root);
	return *json != NULL ? 0 : -1;
}

/* GetEpochThreshold's answer: a number (null: the DKG never set one). */
int
dkg_parse_threshold(const char *buf, size_t len, uint64_t *thr)
{
	json_t		*v;
	json_error_t	 err;
	int		 rv = -1;

	if ((v = json_loadb(buf, len, JSON_DECODE_ANY, &err)) == NULL)
		return -1;
	if (json_is_integer(v) && json_integer_value(v) > 0) {
		*thr = (uint64_t)json_integer_value(v);
		rv = 0;
	}
	json_decref(v);
	return rv;
}

/* An owner address to send back as start_after: bech32's alphabet. */
static int
owner_ok(const char *s)
{
	size_t	 n = strlen(s);

	if (n == 0 || n >= DKG_OWNER_MAX)
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

/*
 * One page of GetVerificationKeys for epoch: its verified shares of
 * that epoch join set (signers_add checks each).  next gets
 * start_next_after, "" when the contract gave none.  Returns the page's
 * entry count (a page shorter than per_page is the last: 0 comes back
 * in *more), or -1 if it is not such a page.
 */
int
dkg_parse_shares(const char *buf, size_t len, uint64_t epoch,
    struct signer_set *set, char *next, size_t nextlen, int *more)
{
	json_t		*root, *shares, *sh, *v;
	json_error_t	 err;
	const char	*url, *o;
	json_int_t	 per;
	uint64_t	 id;
	size_t		 i;
	int		 n;

	next[0] = '\0';
	*more = 0;
	if ((root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err)) ==
	    NULL)
		return -1;
	shares = json_object_get(root, "shares");
	if (!json_is_array(shares) || json_array_size(shares) > 1000) {
		json_decref(root);
		return -1;
	}
	json_array_foreach(shares, i, sh) {
		if (!json_is_true(json_object_get(sh, "verified")))
			continue;
		v = json_object_get(sh, "epoch_id");
		if (!json_is_integer(v) || json_integer_value(v) < 0 ||
		    (uint64_t)json_integer_value(v) != epoch)
			continue;
		v = json_object_get(sh, "node_index");
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			continue;
		id = (uint64_t)json_integer_value(v);
		if ((url = json_string_value(json_object_get(sh,
		    "announce_address"))) == NULL)
			continue;
		(void)signers_add(set, id, url);
	}
	n = (int)json_array_size(shares);
	v = json_object_get(root, "start_next_after");
	if ((o = json_string_value(v)) != NULL) {
		if (!owner_ok(o) || strlen(o) >= nextlen) {
			json_decref(root);
			return -1;
		}
		snprintf(next, nextlen, "%s", o);
	} else if (v != NULL && !json_is_null(v)) {
		json_decref(root);
		return -1;
	}
	per = json_integer_value(json_object_get(root, "per_page"));
	*more = next[0] != '\0' && n > 0 && (per <= 0 || n >= per);
	json_decref(root);
	return n;
}

static void
dkg_ask(const char *q, nymapi_cb cb)
{
	struct credd	*cd = dk.cd;
	const char	*base = cd->w->conf.credd.nyxd_url;
	char		 body[2 * (16 + GW_COSMOS_ADDR_MAX + DKG_QUERY_MAX) +
			    256];

	if (dkg_rpc_body(body, sizeof(body), cd->w->conf.credd.dkg_contract,
	    q) == -1)
		fatalx("%s: query too long", __func__);
	nymapi_request(cd->api, &base, 1, "/", body, 2, cb,
	    (void *)(uintptr_t)dk.gen);
}

/* The fetch of dk.cur ends: the set is kept, or the epoch waits. */
static void
dkg_end(const char *why)
{
	struct credd	*cd = dk.cd;
	struct dkg_slot	*s = dk.cur;

	dk.cur = NULL;
	dk.gen++;
	if (why != NULL) {
		*cd->c_dkg_fail += 1;
		log_warnx("ecash epoch %llu: no signers from the DKG contract "
		    "at %s: %s", (unsigned long long)s->epoch,
		    cd->w->conf.credd.nyxd_url, why);
		s->state = S_FAILED;
		s->failed_at = time(NULL);
	} else {
		*cd->c_dkg_ok += 1;
		dk.set.epoch_id = s->epoch;
		dk.set.threshold = (uint32_t)dk.threshold;
		log_info("ecash epoch %llu: %u signers from the DKG contract, "
		    "threshold %u", (unsigned long long)s->epoch, dk.set.n,
		    dk.set.threshold);
		signers_store(cd, &dk.set);
		s->state = S_FREE;
	}
	dkg_next();
	verify_signers_ready(cd, 1);
}

/* The answer for this fetch, unwrapped; NULL if it ended. */
static char *
dkg_unwrap(int status, const char *body, size_t len, void *arg,
    size_t *jlen)
{
	const char	*why;
	char		*json, msg[96];

	if (dk.cur == NULL || (unsigned)(uintptr_t)arg != dk.gen)
		return NULL;	/* a fetch forgotten by a reload */
	if (status != 200) {
		snprintf(msg, sizeof(msg), "no answer (HTTP %d)", status);
		*dk.cd->c_api_fail += 1;
		/* why must outlive dkg_end's log line only. */
		dkg_end(msg);
		return NULL;
	}
	if (dkg_rpc_answer(body, len, &json, jlen, &why) == -1) {
		*dk.cd->c_api_fail += 1;
		dkg_end(why);
		return NULL;
	}
	return json;
}

static void
dkg_page(void)
{
	char	 q[DKG_QUERY_MAX];

	if (dk.next[0] == '\0')
		snprintf(q, sizeof(q), "{\"get_verification_keys\":"
		    "{\"epoch_id\":%llu,\"limit\":%d}}",
		    (unsigned long long)dk.cur->epoch, DKG_PAGE);
	else
		snprintf(q, sizeof(q), "{\"get_verification_keys\":"
		    "{\"epoch_id\":%llu,\"limit\":%d,\"start_after\":\"%s\"}}",
		    (unsigned long long)dk.cur->epoch, DKG_PAGE, dk.next);
	dkg_ask(q, dkg_page_done);
}

static void
dkg_page_done(int status, const char *body, size_t len, void *arg)
{
	char	*json, next[DKG_OWNER_MAX], msg[96];
	size_t	 jlen;
	int	 more;

	if ((json = dkg_unwrap(status, body, len, arg, &jlen)) == NULL)
		return;
	if (dkg_parse_shares(json, jlen, dk.cur->epoch, &dk.set, next,
	    sizeof(next), &more) == -1) {
		free(json);
		*dk.cd->c_api_fail += 1;
		dkg_end("not a page of verification key shares");
		return;
	}
	free(json);
	/* The same page again would never end. */
	if (more && strcmp(next, dk.next) == 0)
		more = 0;
	if (more && ++dk.pages >= DKG_PAGES_MAX) {
		dkg_end("more pages of shares than credd reads");
		return;
	}
	if (more) {
		snprintf(dk.next, sizeof(dk.next), "%s", next);
		dkg_page();
		return;
	}
	if (dk.set.n == 0 || dk.set.n < dk.threshold) {
		snprintf(msg, sizeof(msg), "%u verified shares with an "
		    "address, threshold %llu", dk.set.n,
		    (unsigned long long)dk.threshold);
		dkg_end(msg);
		return;
	}
	dkg_end(NULL);
}

static void
dkg_threshold_done(int status, const char *body, size_t len, void *arg)
{
	char	*json;
	size_t	 jlen;

	if ((json = dkg_unwrap(status, body, len, arg, &jlen)) == NULL)
		return;
	if (dkg_parse_threshold(json, jlen, &dk.threshold) == -1 ||
	    dk.threshold > SIGNERS_MAX) {
		free(json);
		dkg_end("the contract has no threshold for the epoch (its DKG "
		    "never completed)");
		return;
	}
	free(json);
	dkg_page();
}

/* The next queued epoch, if none is being fetched. */
static void
dkg_next(void)
{
	char	 q[DKG_QUERY_MAX];
	size_t	 i;

	if (dk.cur != NULL)
		return;
	for (i = 0; i < SIGNER_EPOCHS; i++)
		if (dk.slot[i].state == S_QUEUED)
			break;
	if (i == SIGNER_EPOCHS)
		return;
	dk.cur = &dk.slot[i];
	dk.cur->state = S_FETCHING;
	memset(&dk.set, 0, sizeof(dk.set));
	dk.threshold = 0;
	dk.pages = 0;
	dk.next[0] = '\0';
	log_debug("ecash epoch %llu: asking the DKG contract for its signers",
	    (unsigned long long)dk.cur->epoch);
	snprintf(q, sizeof(q), "{\"get_epoch_threshold\":{\"epoch_id\":%llu}}",
	    (unsigned long long)dk.cur->epoch);
	dkg_ask(q, dkg_threshold_done);
}

/*
 * The signers of a past epoch credd holds no set for: DKG_WAIT (being
 * fetched; verify_signers_ready follows) or DKG_NONE, with why for the
 * log and the client.
 */
enum dkg_state
dkg_want(struct credd *cd, uint64_t epoch, const char **why)
{
	struct dkg_slot	*s = NULL;
	time_t		 now = time(NULL);
	size_t		 i;

	dk.cd = cd;
	if (cd->w->conf.credd.nyxd_url[0] == '\0' ||
	    cd->w->conf.credd.dkg_contract[0] == '\0') {
		*why = "no nyxd to ask the DKG contract (nyxd.url)";
		return DKG_NONE;
	}
	if (!cd->signers_known || epoch >= cd->signers.epoch_id ||
	    cd->signers.epoch_id - epoch > DKG_EPOCHS_BACK) {
		*why = "not one of the epochs just before the current one";
		return DKG_NONE;
	}
	for (i = 0; i < SIGNER_EPOCHS; i++)
		if (dk.slot[i].state != S_FREE && dk.slot[i].epoch == epoch)
			s = &dk.slot[i];
	if (s != NULL && (s->state == S_QUEUED || s->state == S_FETCHING))
		return DKG_WAIT;
	if (s != NULL && now - s->failed_at < (time_t)cd->dkg_retry_s) {
		*why = "the DKG contract could not say who signs it";
		return DKG_NONE;
	}
	for (i = 0; s == NULL && i < SIGNER_EPOCHS; i++)
		if (dk.slot[i].state == S_FREE)
			s = &dk.slot[i];
	for (i = 0; s == NULL && i < SIGNER_EPOCHS; i++)
		if (dk.slot[i].state == S_FAILED && (s == NULL ||
		    dk.slot[i].failed_at < s->failed_at))
			s = &dk.slot[i];
	if (s == NULL) {
		*why = "the gateway is asking about other epochs";
		return DKG_NONE;
	}
	s->epoch = epoch;
	s->state = S_QUEUED;
	dkg_next();
	return DKG_WAIT;
}

/*
 * A reload (another nyxd or contract): epochs it could not give are
 * asked again at once.  A fetch under way ends as it would have: the
 * tickets waiting for it are answered.
 */
void
dkg_forget(void)
{
	size_t	 i;

	for (i = 0; i < SIGNER_EPOCHS; i++)
		if (dk.slot[i].state == S_FAILED)
			dk.slot[i].state = S_FREE;
}
