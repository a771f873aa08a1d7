/*
 * Sphinx key rotation (sphinx-mixport.md 7.2), decided by the master.
 *
 * The rotation id is (epoch - initial_epoch) / validity_epochs from
 * nym-api's key-rotation info, which credd fetches just after every
 * epoch boundary.  The primary key is the current rotation's.  In the
 * last epoch of a rotation the next rotation's key is made and
 * pre-announced in host-information, so nym-api and clients know it
 * before packets use it; in the first epoch of a rotation the previous
 * key stays as the overlap key, for packets built with a topology a
 * little out of date; at any other time there is no second key.
 *
 * The master makes keys and writes them (it owns the keys directory)
 * and hands each secret to mixd once; it keeps only the public halves.
 * mixd holds the secrets and a replay filter per key, so a filter lives
 * and dies with its key.  Nothing is acted on until nym-api speaks: an
 * unreachable nym-api leaves the keys as they are.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "gatewayd.h"
#include "log.h"
#include "util.h"

int
rotation_plan(const struct gw_rotation_info *ri, const uint32_t *have,
    size_t nhave, struct rotation_plan *p)
{
	uint64_t	 r, first, last;
	size_t		 i;
	int		 has_r = 0, has_prev = 0, has_next = 0, has_zero = 0;

	memset(p, 0, sizeof(*p));
	if (ri->validity_epochs == 0 || ri->epoch < ri->initial_epoch)
		return -1;
	r = (ri->epoch - ri->initial_epoch) / ri->validity_epochs;
	if (r >= UINT32_MAX)
		return -1;
	first = ri->initial_epoch + r * ri->validity_epochs;
	last = first + ri->validity_epochs - 1;
	for (i = 0; i < nhave; i++) {
		has_zero |= have[i] == 0;
		has_r |= have[i] == r;
		has_prev |= r > 0 && have[i] == r - 1;
		has_next |= have[i] == r + 1;
	}
	p->primary = (uint32_t)r;
	/* A key from before the gateway knew the rotation becomes the
	 * current one rather than being thrown away. */
	if (!has_r && has_zero && nhave == 1) {
		p->relabel = 1;
		has_r = 1;
	}
	if (!has_r)
		p->make[p->nmake++] = (uint32_t)r;
	/* Pre-announcing wins over the overlap when a rotation is one
	 * epoch long: the next key must be known before it is used. */
	if (ri->epoch == last && r + 1 < UINT32_MAX) {
		p->has_secondary = 1;
		p->secondary = (uint32_t)r + 1;
		if (!has_next)
			p->make[p->nmake++] = (uint32_t)r + 1;
	} else if (ri->epoch == first && has_prev) {
		p->has_secondary = 1;
		p->secondary = (uint32_t)r - 1;
	}
	return 0;
}

/* Start-up: every key on disk; the lowest rotation is primary until
 * nym-api says otherwise (right for the pre-announced case). */
void
rotation_load(struct gatewayd *gw)
{
	struct keys_sphinx	 k[KEYS_SPHINX_MAX];
	struct rotation		*rot = &gw->rot;
	char			 err[PATH_MAX + 128];
	size_t			 i, n;

	if (keys_sphinx_load(gw->conf.keys_dir, k, nitems(k), &n, err,
	    sizeof(err)) == -1)
		fatalx("sphinx key: %s", err);
	memset(rot, 0, sizeof(*rot));
	for (i = 0; i < n; i++) {
		rot->keys[i].id = k[i].rotation;
		memcpy(rot->keys[i].pk, k[i].kp.pk, 32);
		memcpy(rot->sk[i], k[i].kp.sk, 32);
	}
	rot->n = n;
	rot->primary = k[0].rotation;
	gw->sphinx = k[0].kp;
	gw->sphinx_rotation = k[0].rotation;
	sodium_memzero(k, sizeof(k));
}

/* Start-up: each key to mixd, primary first; then the master forgets
 * the secrets. */
void
rotation_send_keys(struct gatewayd *gw, struct imsgev *mixd)
{
	struct rotation		*rot = &gw->rot;
	struct gw_key_sphinx	 k;
	size_t			 i;

	for (i = 0; i < rot->n; i++) {
		memset(&k, 0, sizeof(k));
		k.rotation = rot->keys[i].id;
		memcpy(k.secret, rot->sk[i], 32);
		memcpy(k.public, rot->keys[i].pk, 32);
		if (imsgev_compose(mixd, IMSG_KEY_SPHINX, 0, -1, &k,
		    sizeof(k)) == -1)
			fatal("%s", __func__);
	}
	sodium_memzero(&k, sizeof(k));
	sodium_memzero(rot->sk, sizeof(rot->sk));
	sodium_memzero(gw->sphinx.sk, sizeof(gw->sphinx.sk));
}

static struct rotation_key *
rotation_find(struct rotation *rot, uint32_t id)
{
	size_t	 i;

	for (i = 0; i < rot->n; i++)
		if (rot->keys[i].id == id)
			return &rot->keys[i];
	return NULL;
}

/* The key of rotation 0 gets its real id, on disk first. */
static int
rotation_relabel(struct gatewayd *gw, uint32_t id)
{
	struct keys_sphinx	 k[KEYS_SPHINX_MAX];
	char			 err[PATH_MAX + 128];
	size_t			 n;
	int			 rv = -1;

	if (keys_sphinx_load(gw->conf.keys_dir, k, nitems(k), &n, err,
	    sizeof(err)) == -1 || n != 1 || k[0].rotation != 0) {
		log_warnx("rotation: cannot reread the unassigned key: %s",
		    n != 1 ? "keys changed on disk" : err);
		goto out;
	}
	k[0].rotation = id;
	if (keys_sphinx_store(gw->conf.keys_dir, &k[0], err,
	    sizeof(err)) == -1 ||
	    keys_sphinx_remove(gw->conf.keys_dir, 0, err, sizeof(err)) == -1) {
		log_warnx("rotation: %s", err);
		goto out;
	}
	log_info("rotation: the Sphinx key is now rotation %u's", id);
	rv = 0;
out:
	sodium_memzero(k, sizeof(k));
	return rv;
}

static int
rotation_make(struct gatewayd *gw, uint32_t id, struct gw_key_sphinx *out)
{
	struct keys_sphinx	 k;
	char			 err[PATH_MAX + 128];
	int			 rv;

	k.rotation = id;
	randombytes_buf(k.kp.sk, sizeof(k.kp.sk));
	crypto_scalarmult_base(k.kp.pk, k.kp.sk);
	if ((rv = keys_sphinx_store(gw->conf.keys_dir, &k, err,
	    sizeof(err))) == -1)
		log_warnx("rotation: new key for rotation %u: %s", id, err);
	else {
		out->rotation = id;
		memcpy(out->secret, k.kp.sk, 32);
		memcpy(out->public, k.kp.pk, 32);
	}
	sodium_memzero(&k, sizeof(k));
	return rv;
}

/* After mixd has the set: forget what is gone, on disk too. */
static void
rotation_settle(struct gatewayd *gw, const struct rotation_plan *p,
    const struct gw_key_update *u)
{
	struct rotation		*rot = &gw->rot;
	struct rotation_key	 keep[KEYS_SPHINX_MAX], *k;
	char			 err[PATH_MAX + 128];
	size_t			 i, n = 0;

	for (i = 0; i < u->nnew; i++) {
		rot->keys[rot->n].id = u->new[i].rotation;
		memcpy(rot->keys[rot->n].pk, u->new[i].public, 32);
		rot->n++;
	}
	if ((k = rotation_find(rot, p->primary)) != NULL)
		keep[n++] = *k;
	if (p->has_secondary && (k = rotation_find(rot, p->secondary)) !=
	    NULL)
		keep[n++] = *k;
	for (i = 0; i < rot->n; i++) {
		if (rot->keys[i].id == p->primary ||
		    (p->has_secondary && rot->keys[i].id == p->secondary))
			continue;
		if (keys_sphinx_remove(gw->conf.keys_dir, rot->keys[i].id, err,
		    sizeof(err)) == -1)
			log_warnx("rotation: %s", err);
		log_info("rotation: purged the key of rotation %u",
		    rot->keys[i].id);
	}
	memcpy(rot->keys, keep, sizeof(keep));
	rot->n = n;
	rot->primary = p->primary;
	rot->has_secondary = p->has_secondary;
	rot->secondary = p->secondary;
}

static int
rotation_same(const struct rotation *rot, const struct rotation_plan *p)
{
	return p->nmake == 0 && !p->relabel && rot->primary == p->primary &&
	    rot->has_secondary == p->has_secondary &&
	    (!p->has_secondary || rot->secondary == p->secondary) &&
	    rot->n == (size_t)(1 + p->has_secondary);
}

static void
rotation_apply(struct gatewayd *gw, struct rotation_plan *p)
{
	struct rotation		*rot = &gw->rot;
	struct gw_key_update	 u;
	struct rotation_key	*k;
	char			 err[PATH_MAX + 128];
	uint32_t		 old_primary = rot->primary;
	size_t			 i;

	if (p->relabel && rotation_relabel(gw, p->primary) == -1)
		return;
	if (p->relabel)
		rot->keys[0].id = p->primary;
	memset(&u, 0, sizeof(u));
	for (i = 0; i < p->nmake; i++)
		if (rotation_make(gw, p->make[i], &u.new[u.nnew]) == 0)
			u.nnew++;
	/* A key that could not be stored is not used: settle for less. */
	if (u.nnew != p->nmake) {
		for (i = 0; i < u.nnew; i++)
			(void)keys_sphinx_remove(gw->conf.keys_dir,
			    u.new[i].rotation, err, sizeof(err));
		sodium_memzero(&u, sizeof(u));
		return;
	}
	u.primary = p->primary;
	u.has_secondary = p->has_secondary;
	u.secondary = p->secondary;
	u.relabel = p->relabel;
	if (imsgev_compose(gw->workers[PROC_MIXD].iev, IMSG_KEY_SPHINX_UPDATE,
	    0, -1, &u, sizeof(u)) == -1)
		fatal("%s", __func__);
	rotation_settle(gw, p, &u);
	sodium_memzero(&u, sizeof(u));
	replay_store_keys(gw, p->relabel ? p->primary : 0);

	if ((k = rotation_find(rot, rot->primary)) == NULL)
		fatalx("%s: primary key lost", __func__);
	memcpy(gw->sphinx.pk, k->pk, 32);
	gw->sphinx_rotation = k->id;
	if (old_primary != rot->primary || p->relabel) {
		if (keys_sphinx_publish(gw->conf.keys_dir, k->pk, err,
		    sizeof(err)) == -1)
			log_warnx("rotation: %s", err);
		log_info("rotation: primary Sphinx key is rotation %u%s",
		    rot->primary, rot->has_secondary &&
		    rot->secondary < rot->primary ? " (previous kept for "
		    "the overlap epoch)" : "");
	}
	if (rotation_preannounced(gw) != NULL)
		log_info("rotation: pre-announcing the key of rotation %u",
		    rot->secondary);
	hostinfo_send(gw);
}

const struct rotation_key *
rotation_preannounced(const struct gatewayd *gw)
{
	const struct rotation	*rot = &gw->rot;
	size_t			 i;

	if (!rot->has_secondary || rot->secondary != rot->primary + 1)
		return NULL;
	for (i = 0; i < rot->n; i++)
		if (rot->keys[i].id == rot->secondary)
			return &rot->keys[i];
	return NULL;
}

/* credd's IMSG_ROTATION_INFO: checked, planned, applied if new. */
void
rotation_info(struct gatewayd *gw, struct imsg *imsg)
{
	struct gw_rotation_info	 ri;
	struct rotation_plan	 p;
	uint32_t		 have[KEYS_SPHINX_MAX];
	size_t			 i;

	if (imsg->datalen != sizeof(ri))
		fatalx("%s: bad size %zu", __func__, imsg->datalen);
	memcpy(&ri, imsg->data, sizeof(ri));
	for (i = 0; i < gw->rot.n; i++)
		have[i] = gw->rot.keys[i].id;
	if (ri.epoch_secs == 0 || rotation_plan(&ri, have, gw->rot.n,
	    &p) == -1) {
		log_warnx("rotation: nym-api's key-rotation info is "
		    "inconsistent (epoch %llu, initial %llu, validity %u); "
		    "keys unchanged", (unsigned long long)ri.epoch,
		    (unsigned long long)ri.initial_epoch, ri.validity_epochs);
		return;
	}
	if (gw->rot.have_info && ri.epoch < gw->rot.info.epoch) {
		log_warnx("rotation: nym-api went back from epoch %llu to "
		    "%llu; keys unchanged",
		    (unsigned long long)gw->rot.info.epoch,
		    (unsigned long long)ri.epoch);
		return;
	}
	/* Never step back to an older rotation than the keys we have. */
	if (gw->rot.have_info && p.primary < gw->rot.primary)
		return;
	gw->rot.info = ri;
	gw->rot.have_info = 1;
	if (!rotation_same(&gw->rot, &p))
		rotation_apply(gw, &p);
}
