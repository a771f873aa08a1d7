/*
 * The master verification key of each e-cash epoch, for checking
 * tickets locally (ecash/).  A key decides what credd credits, so one
 * nym-api's word is not enough when the operator named several: each
 * configured URL is asked on its own, every key that comes back must be
 * the same, and at least two must answer when two or more are
 * configured.  Any disagreement, or too few answers, leaves the epoch
 * without a key for VKEY_RETRY_S: tickets then wait for the signers'
 * quorum before anything is credited, as when no key exists at all.
 *
 * Only epochs whose signer set credd already holds are fetched
 * (verify.c asks after signers_for), so clients naming made-up epochs
 * cannot make credd fetch keys; at most VKEY_EPOCHS are kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "credd.h"
#include "log.h"
#include "util.h"

#define VKEY_PATH	"/v1/ecash/master-verification-key?epoch_id=%llu"

struct vkey_slot {
	uint64_t		 epoch;
	struct ecash_vk		*vk;		/* agreed key, or NULL */
	time_t			 failed_at;	/* last fetch without a key */
	time_t			 used;		/* for eviction */
	unsigned		 outstanding;	/* answers still to come */
	struct ecash_vk		*got[GW_MAX_APIURLS];
	unsigned		 ngot;
	int			 disagree;
};

struct vkey_ctx {
	struct credd		*cd;
	uint64_t		 epoch;
	unsigned		 gen;		/* the slot's fetch */
};

static struct vkey_slot	 slots[VKEY_EPOCHS];
static unsigned		 slot_gen[VKEY_EPOCHS];

static struct vkey_slot *
slot_find(uint64_t epoch)
{
	size_t	 i;

	for (i = 0; i < VKEY_EPOCHS; i++)
		if ((slots[i].vk != NULL || slots[i].failed_at != 0 ||
		    slots[i].outstanding > 0) && slots[i].epoch == epoch)
			return &slots[i];
	return NULL;
}

static void
slot_clear_got(struct vkey_slot *s)
{
	unsigned	 i;

	for (i = 0; i < s->ngot; i++)
		ecash_vk_free(s->got[i]);
	s->ngot = 0;
	s->disagree = 0;
}

/* A free slot, or the least recently used one not being fetched. */
static struct vkey_slot *
slot_take(uint64_t epoch)
{
	struct vkey_slot	*s, *old = NULL;
	size_t			 i;

	for (i = 0; i < VKEY_EPOCHS; i++) {
		s = &slots[i];
		if (s->outstanding > 0)
			continue;
		if (s->vk == NULL && s->failed_at == 0) {
			old = s;
			break;
		}
		if (old == NULL || s->used < old->used)
			old = s;
	}
	if (old == NULL)
		return NULL;
	ecash_vk_free(old->vk);
	slot_clear_got(old);
	memset(old, 0, sizeof(*old));
	old->epoch = epoch;
	slot_gen[old - slots]++;
	return old;
}

/* All URLs have answered: settle on a key, or on none for a while. */
static void
slot_settle(struct credd *cd, struct vkey_slot *s)
{
	unsigned	 need = cd->nbases >= 2 ? 2 : 1;

	if (s->disagree) {
		*cd->c_vk_fail += 1;
		log_warnx("ecash epoch %llu: the nym-api URLs disagree on the "
		    "master verification key; tickets wait for the signers",
		    (unsigned long long)s->epoch);
	} else if (s->ngot < need) {
		*cd->c_vk_fail += 1;
		log_warnx("ecash epoch %llu: the master verification key came "
		    "from %u of %zu nym-api URLs (%u needed); tickets wait "
		    "for the signers", (unsigned long long)s->epoch, s->ngot,
		    cd->nbases, need);
	} else {
		s->vk = s->got[0];
		s->got[0] = NULL;
		log_info("ecash epoch %llu: master verification key agreed by "
		    "%u nym-api URLs", (unsigned long long)s->epoch, s->ngot);
	}
	slot_clear_got(s);
	if (s->vk == NULL)
		s->failed_at = time(NULL);
	verify_vkey_ready(cd, s->epoch);
}

static void
vkey_answer(int status, const char *body, size_t len, void *arg)
{
	struct vkey_ctx		*vc = arg;
	struct credd		*cd = vc->cd;
	struct vkey_slot	*s = slot_find(vc->epoch);
	struct ecash_vk		*vk = NULL;
	const char		*why = NULL;

	if (s == NULL || slot_gen[s - slots] != vc->gen ||
	    s->outstanding == 0) {
		free(vc);
		return;
	}
	free(vc);
	s->outstanding--;
	if (status != 200)
		why = "no answer";
	else if ((vk = ecash_vk_from_json(body, len, s->epoch, &why)) ==
	    NULL)
		*cd->c_api_fail += 1;
	if (vk == NULL)
		log_warnx("ecash epoch %llu: master verification key: %s "
		    "(HTTP %d)", (unsigned long long)s->epoch, why, status);
	else if (s->ngot > 0 && !ecash_vk_equal(s->got[0], vk)) {
		s->disagree = 1;
		ecash_vk_free(vk);
	} else
		s->got[s->ngot++] = vk;
	if (s->outstanding == 0)
		slot_settle(cd, s);
}

static void
vkey_fetch(struct credd *cd, struct vkey_slot *s)
{
	struct vkey_ctx	*vc;
	char		 path[96];
	size_t		 i;

	snprintf(path, sizeof(path), VKEY_PATH, (unsigned long long)s->epoch);
	s->outstanding = (unsigned)cd->nbases;
	for (i = 0; i < cd->nbases; i++) {
		vc = xcalloc(1, sizeof(*vc));
		vc->cd = cd;
		vc->epoch = s->epoch;
		vc->gen = slot_gen[s - slots];
		nymapi_request(cd->api, &cd->bases[i], 1, path, NULL, 2,
		    vkey_answer, vc);
	}
}

/*
 * The key of an epoch: VKEY_READY with *vk set, VKEY_WAIT (a fetch is
 * under way; verify_vkey_ready follows) or VKEY_NONE (none now: verify
 * by the signers alone).
 */
enum vkey_state
vkeys_get(struct credd *cd, uint64_t epoch, const struct ecash_vk **vk)
{
	struct vkey_slot	*s;
	time_t			 now = time(NULL);

	*vk = NULL;
	if (cd->nbases == 0)
		return VKEY_NONE;
	if ((s = slot_find(epoch)) != NULL) {
		s->used = now;
		if (s->vk != NULL) {
			*vk = s->vk;
			return VKEY_READY;
		}
		if (s->outstanding > 0)
			return VKEY_WAIT;
		if (now - s->failed_at < (time_t)cd->vk_retry_s)
			return VKEY_NONE;
		s->failed_at = 0;
	} else if ((s = slot_take(epoch)) == NULL)
		return VKEY_NONE;	/* every slot busy fetching */
	s->used = now;
	vkey_fetch(cd, s);
	return VKEY_WAIT;
}

/* The URLs changed (reload): keys are fetched again from the new ones. */
void
vkeys_forget(void)
{
	size_t	 i;

	for (i = 0; i < VKEY_EPOCHS; i++) {
		if (slots[i].outstanding > 0)
			continue;	/* its answers settle it */
		ecash_vk_free(slots[i].vk);
		slot_clear_got(&slots[i]);
		memset(&slots[i], 0, sizeof(slots[i]));
		slot_gen[i]++;
	}
}
