/*
 * Sphinx key rotation (sphinx-mixport.md 7.2): which keys the master
 * wants for an epoch, and the key files it keeps them in.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "gatewayd/gatewayd.h"
#include "testlib.h"

/* Rotations of 4 epochs from epoch 100: rotation r = epochs
 * 100 + 4r .. 103 + 4r. */
static struct gw_rotation_info
info(uint64_t epoch)
{
	struct gw_rotation_info	 ri;

	memset(&ri, 0, sizeof(ri));
	ri.epoch = epoch;
	ri.initial_epoch = 100;
	ri.validity_epochs = 4;
	ri.epoch_secs = 3600;
	return ri;
}

static int
plan(uint64_t epoch, const uint32_t *have, size_t n, struct rotation_plan *p)
{
	struct gw_rotation_info	 ri = info(epoch);

	return rotation_plan(&ri, have, n, p);
}

static void
test_plan(void)
{
	struct rotation_plan	 p;
	struct gw_rotation_info	 ri;
	uint32_t		 h[2];

	T_BEGIN("mid-rotation: the current key alone");
	h[0] = 2;
	CHECK(plan(109, h, 1, &p) == 0);
	CHECK(p.primary == 2 && !p.has_secondary && p.nmake == 0 &&
	    !p.relabel);
	T_END();

	T_BEGIN("last epoch of a rotation: the next key is made and kept");
	CHECK(plan(111, h, 1, &p) == 0);
	CHECK(p.primary == 2 && p.has_secondary && p.secondary == 3);
	CHECK(p.nmake == 1 && p.make[0] == 3);
	h[1] = 3;
	CHECK(plan(111, h, 2, &p) == 0);
	CHECK(p.has_secondary && p.secondary == 3 && p.nmake == 0);
	T_END();

	T_BEGIN("first epoch of a rotation: the pre-announced key is primary, "
	    "the old one overlaps");
	CHECK(plan(112, h, 2, &p) == 0);
	CHECK(p.primary == 3 && p.has_secondary && p.secondary == 2 &&
	    p.nmake == 0);
	T_END();

	T_BEGIN("second epoch of a rotation: the old key is purged");
	CHECK(plan(113, h, 2, &p) == 0);
	CHECK(p.primary == 3 && !p.has_secondary && p.nmake == 0);
	T_END();

	T_BEGIN("missed the pre-announcement: a new primary is made");
	h[0] = 2;
	CHECK(plan(112, h, 1, &p) == 0);
	CHECK(p.primary == 3 && p.nmake == 1 && p.make[0] == 3);
	CHECK(p.has_secondary && p.secondary == 2);
	CHECK(plan(120, h, 1, &p) == 0);	/* long gone: no overlap */
	CHECK(p.primary == 5 && p.nmake == 1 && !p.has_secondary);
	T_END();

	T_BEGIN("back in the last epoch after a long absence: two new keys");
	CHECK(plan(119, h, 1, &p) == 0);
	CHECK(p.primary == 4 && p.nmake == 2 && p.make[0] == 4 &&
	    p.make[1] == 5 && p.secondary == 5);
	T_END();

	T_BEGIN("a key from before rotation was known becomes the current");
	h[0] = 0;
	CHECK(plan(109, h, 1, &p) == 0);
	CHECK(p.relabel && p.primary == 2 && p.nmake == 0);
	CHECK(plan(101, h, 1, &p) == 0);	/* rotation 0 is itself */
	CHECK(!p.relabel && p.primary == 0 && p.nmake == 0);
	T_END();

	T_BEGIN("one-epoch rotations: pre-announcing wins over the overlap");
	ri = info(105);
	ri.validity_epochs = 1;
	h[0] = 5;
	CHECK(rotation_plan(&ri, h, 1, &p) == 0);
	CHECK(p.primary == 5 && p.secondary == 6 && p.nmake == 1);
	T_END();

	T_BEGIN("inconsistent info is refused");
	ri = info(99);
	CHECK(rotation_plan(&ri, h, 1, &p) == -1);
	ri = info(105);
	ri.validity_epochs = 0;
	CHECK(rotation_plan(&ri, h, 1, &p) == -1);
	ri = info(100);
	ri.initial_epoch = 0;
	ri.epoch = (uint64_t)UINT32_MAX * 4 + 8;
	CHECK(rotation_plan(&ri, h, 1, &p) == -1);
	T_END();
}

static void
test_files(void)
{
	char			 dir[] = "/tmp/gwrotXXXXXX", path[256], err[512];
	struct keys_sphinx	 k[KEYS_SPHINX_MAX], a;
	struct gw_x25519	 sx;
	FILE			*f;
	size_t			 n;

	T_BEGIN("rotation key files: stored, listed in order, removed");
	CHECK(mkdtemp(dir) != NULL);
	CHECK(keys_sphinx_load(dir, k, KEYS_SPHINX_MAX, &n, err,
	    sizeof(err)) == -1);		/* none */
	memset(&a, 0, sizeof(a));
	a.rotation = 9;
	randombytes_buf(a.kp.sk, 32);
	CHECK(keys_sphinx_store(dir, &a, err, sizeof(err)) == 0);
	a.rotation = 10;
	a.kp.sk[0] ^= 1;
	CHECK(keys_sphinx_store(dir, &a, err, sizeof(err)) == 0);
	CHECK(keys_sphinx_load(dir, k, KEYS_SPHINX_MAX, &n, err,
	    sizeof(err)) == 0);
	CHECK(n == 2 && k[0].rotation == 9 && k[1].rotation == 10);
	CHECK(memcmp(k[1].kp.sk, a.kp.sk, 32) == 0);
	CHECK(keys_load_sphinx(dir, &sx, err, sizeof(err)) == 0);
	CHECK(memcmp(sx.pk, k[0].kp.pk, 32) == 0);
	a.rotation = 11;
	CHECK(keys_sphinx_store(dir, &a, err, sizeof(err)) == 0);
	CHECK(keys_sphinx_load(dir, k, KEYS_SPHINX_MAX, &n, err,
	    sizeof(err)) == -1);		/* three is too many */
	CHECKF(strstr(err, "more than 2") != NULL, "%.200s", err);
	CHECK(keys_sphinx_remove(dir, 9, err, sizeof(err)) == 0);
	CHECK(keys_sphinx_load(dir, k, KEYS_SPHINX_MAX, &n, err,
	    sizeof(err)) == 0 && n == 2 && k[0].rotation == 10);
	T_END();

	T_BEGIN("rotation key files: a file whose id differs from its name "
	    "is refused");
	snprintf(path, sizeof(path), "%s/x25519_sphinx_11", dir);
	CHECK(unlink(path) == 0);
	snprintf(path, sizeof(path), "%s/x25519_sphinx_10", dir);
	snprintf(err, sizeof(err), "%s/x25519_sphinx_12", dir);
	CHECK(rename(path, err) == 0);
	CHECK(keys_sphinx_load(dir, k, KEYS_SPHINX_MAX, &n, err,
	    sizeof(err)) == -1);
	CHECKF(strstr(err, "differs") != NULL, "%.200s", err);
	snprintf(path, sizeof(path), "%s/x25519_sphinx_12", dir);
	CHECK(unlink(path) == 0);
	T_END();

	T_BEGIN("rotation key files: readable by others is refused");
	snprintf(path, sizeof(path), "%s/x25519_sphinx_13", dir);
	a.rotation = 13;
	CHECK(keys_sphinx_store(dir, &a, err, sizeof(err)) == 0);
	CHECK(chmod(path, 0644) == 0);
	CHECK(keys_sphinx_load(dir, k, KEYS_SPHINX_MAX, &n, err,
	    sizeof(err)) == -1);
	CHECK(unlink(path) == 0);
	snprintf(path, sizeof(path), "%s/x25519_sphinx_014", dir);
	f = fopen(path, "w");	/* not a rotation name: ignored */
	CHECK(f != NULL);
	fclose(f);
	CHECK(keys_sphinx_load(dir, k, KEYS_SPHINX_MAX, &n, err,
	    sizeof(err)) == -1);		/* nothing left */
	CHECK(unlink(path) == 0);
	CHECK(keys_sphinx_publish(dir, a.kp.pk, err, sizeof(err)) == 0);
	snprintf(path, sizeof(path), "%s/x25519_sphinx.pub", dir);
	CHECK(unlink(path) == 0);
	CHECK(rmdir(dir) == 0);
	T_END();
	sodium_memzero(&a, sizeof(a));
	sodium_memzero(k, sizeof(k));
}

int
main(void)
{
	if (sodium_init() == -1)
		return 1;
	test_plan();
	test_files();
	return t_done();
}
