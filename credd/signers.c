/*
 * The ecash signers of the current DKG epoch, over HTTP instead of the
 * chain (spec 6.5): GET /v1/network/signers/status-detailed on the
 * configured nym-api URLs gives each signer's announce_address and
 * node_index, the epoch and the signing threshold.  A ticket is verified
 * by the signers of its own epoch (spec 6.5: the gateway asks the
 * api_clients of the ticket's epoch_id), so the sets of the last
 * SIGNER_EPOCHS epochs seen are kept.  nym-api serves the current
 * epoch only: the set of an older epoch credd never saw comes from the
 * DKG contract over nyxd (dkg.c), as nym-node gets every epoch's.
 * Refreshed hourly, when the cache is empty, and when a ticket names a
 * newer epoch.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "credd.h"
#include "log.h"

#define SIGNERS_PATH	"/v1/network/signers/status-detailed"
#define SIGNERS_TTL	3600
/* Forced refreshes (a ticket of a newer epoch), at most this often. */
#define SIGNERS_FORCE_MIN	2

static int
json_u64(json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* An announce address we are willing to POST tickets to. */
static int
signer_url_ok(const char *u)
{
	size_t	 len = strlen(u);

	if (len == 0 || len >= GW_URL_MAX - 64)
		return 0;
	if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
		return 0;
	for (; *u != '\0'; u++)
		if (*u <= ' ' || *u == 0x7f)
			return 0;
	return 1;
}

/*
 * One signer into set: its announce address checked, no trailing
 * slash (paths "/v1/..." are joined to it), a node_index seen before
 * or one past SIGNERS_MAX dropped.  0 added, -1 not.
 */
int
signers_add(struct signer_set *set, uint64_t id, const char *url)
{
	size_t	 l;

	if (!signer_url_ok(url))
		return -1;
	for (l = 0; l < set->n; l++)
		if (set->s[l].id == id)
			return -1;
	if (set->n == SIGNERS_MAX)
		return -1;
	set->s[set->n].id = id;
	snprintf(set->s[set->n].url, sizeof(set->s[0].url), "%s", url);
	l = strlen(set->s[set->n].url);
	while (l > 0 && set->s[set->n].url[l - 1] == '/')
		set->s[set->n].url[--l] = '\0';
	set->n++;
	return 0;
}

int
signers_parse(const char *buf, size_t len, struct signer_set *set)
{
	json_t		*root, *body, *details, *d, *info, *v;
	json_error_t	 err;
	const char	*url;
	uint64_t	 id, epoch, thr;
	size_t		 i;

	memset(set, 0, sizeof(*set));
	if ((root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err)) == NULL)
		return -1;
	/* SignedMessage {"body":..., "signature":...}, or the bare body. */
	if ((body = json_object_get(root, "body")) == NULL)
		body = root;
	details = json_object_get(body, "details");
	if (!json_is_array(details))
		goto bad;
	v = json_object_get(json_object_get(body, "overview"),
	    "signingThreshold");
	if (json_u64(v, &thr) == 0 && thr <= SIGNERS_MAX)
		set->threshold = (uint32_t)thr;
	v = json_object_get(json_object_get(body, "overview"), "epochId");
	if (json_u64(v, &epoch) == 0)
		set->epoch_id = epoch;
	json_array_foreach(details, i, d) {
		info = json_object_get(d, "information");
		if (!json_is_object(info))
			continue;
		/* Only shares the DKG verified sign for the epoch. */
		v = json_object_get(info, "share_verified");
		if (v != NULL && !json_is_true(v))
			continue;
		if ((url = json_string_value(json_object_get(info,
		    "announce_address"))) == NULL ||
		    json_u64(json_object_get(info, "node_index"), &id) == -1)
			continue;
		if (json_u64(json_object_get(d, "dkg_epoch_id"), &epoch) == 0)
			set->epoch_id = epoch;
		(void)signers_add(set, id, url);
	}
	json_decref(root);
	return set->n > 0 ? 0 : -1;
bad:
	json_decref(root);
	return -1;
}

/* The cached set of an epoch, or NULL. */
const struct signer_set *
signers_for(const struct credd *cd, uint64_t epoch)
{
	size_t	 i;

	for (i = 0; i < cd->nsets; i++)
		if (cd->sets[i].epoch_id == epoch)
			return &cd->sets[i];
	return NULL;
}

/* Keep the set of each epoch seen, the oldest epoch going first. */
void
signers_store(struct credd *cd, const struct signer_set *set)
{
	size_t	 i, old = 0;

	for (i = 0; i < cd->nsets; i++)
		if (cd->sets[i].epoch_id == set->epoch_id) {
			cd->sets[i] = *set;
			return;
		}
	if (cd->nsets < SIGNER_EPOCHS) {
		cd->sets[cd->nsets++] = *set;
		return;
	}
	for (i = 1; i < cd->nsets; i++)
		if (cd->sets[i].epoch_id < cd->sets[old].epoch_id)
			old = i;
	cd->sets[old] = *set;
}

static void
signers_done(int status, const char *body, size_t len, void *arg)
{
	struct credd		*cd = arg;
	struct signer_set	 set;

	cd->signers_fetching = 0;
	if (status != 200 || signers_parse(body, len, &set) == -1) {
		*cd->c_api_fail += 1;
		log_warnx("nym-api: no usable signer list (HTTP %d)", status);
		verify_signers_ready(cd, cd->signers_known);
		return;
	}
	if (!cd->signers_known || set.epoch_id != cd->signers.epoch_id)
		log_info("ecash epoch %llu: %u signers, threshold %u",
		    (unsigned long long)set.epoch_id, set.n, set.threshold);
	/* An epoch only moves forward; an older answer (another nym-api
	 * lagging behind) is cached but does not become current. */
	if (!cd->signers_known || set.epoch_id >= cd->signers.epoch_id)
		cd->signers = set;
	signers_store(cd, &set);
	cd->signers_known = 1;
	cd->signers_fetched = time(NULL);
	verify_signers_ready(cd, 1);
}

/*
 * force: a ticket names an epoch newer than the current one; ask now
 * rather than wait for the TTL, but not more often than every
 * SIGNERS_FORCE_MIN seconds, whatever clients claim.
 */
void
signers_refresh(struct credd *cd, int force)
{
	time_t	 now = time(NULL);

	if (cd->signers_fetching)
		return;
	if (cd->signers_known && (now - cd->signers_fetched < SIGNERS_TTL) &&
	    (!force || now - cd->signers_fetched < SIGNERS_FORCE_MIN)) {
		verify_signers_ready(cd, 1);
		return;
	}
	cd->signers_fetching = 1;
	nymapi_request(cd->api, cd->bases, cd->nbases, SIGNERS_PATH, NULL,
	    3, signers_done, cd);
}
