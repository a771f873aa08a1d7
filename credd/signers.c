/*
 * The ecash signers of the current DKG epoch, over HTTP instead of the
 * chain (spec 6.5): GET /v1/network/signers/status-detailed on the
 * configured nym-api URLs gives each signer's announce_address and
 * node_index, the epoch and the signing threshold.  Cached until the
 * epoch changes; refreshed hourly and whenever a ticket needs it and
 * the cache is empty.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "credd.h"
#include "log.h"

#define SIGNERS_PATH	"/v1/network/signers/status-detailed"
#define SIGNERS_TTL	3600

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

int
signers_parse(const char *buf, size_t len, struct signer_set *set)
{
	json_t		*root, *body, *details, *d, *info, *v;
	json_error_t	 err;
	const char	*url;
	uint64_t	 id, epoch, thr;
	size_t		 i, l;

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
		    "announce_address"))) == NULL || !signer_url_ok(url) ||
		    json_u64(json_object_get(info, "node_index"), &id) == -1)
			continue;
		if (json_u64(json_object_get(d, "dkg_epoch_id"), &epoch) == 0)
			set->epoch_id = epoch;
		for (l = 0; l < set->n; l++)
			if (set->s[l].id == id)
				break;
		if (l < set->n || set->n == SIGNERS_MAX)
			continue;	/* a duplicate, or too many */
		set->s[set->n].id = id;
		snprintf(set->s[set->n].url, sizeof(set->s[0].url), "%s", url);
		/* Joined with "/v1/...": no trailing slash. */
		l = strlen(set->s[set->n].url);
		while (l > 0 && set->s[set->n].url[l - 1] == '/')
			set->s[set->n].url[--l] = '\0';
		set->n++;
	}
	json_decref(root);
	return set->n > 0 ? 0 : -1;
bad:
	json_decref(root);
	return -1;
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
	cd->signers = set;
	cd->signers_known = 1;
	cd->signers_fetched = time(NULL);
	verify_signers_ready(cd, 1);
}

void
signers_refresh(struct credd *cd)
{
	if (cd->signers_fetching)
		return;
	if (cd->signers_known && time(NULL) - cd->signers_fetched <
	    SIGNERS_TTL) {
		verify_signers_ready(cd, 1);
		return;
	}
	cd->signers_fetching = 1;
	nymapi_request(cd->api, cd->bases, cd->nbases, SIGNERS_PATH, NULL,
	    3, signers_done, cd);
}
