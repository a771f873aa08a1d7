/*
 * The Sphinx keys of each key rotation on disk (sphinx-mixport.md 7.2).
 * One private key file per rotation, named for it ("x25519_sphinx_17"),
 * PEM type "X25519 SPHINX PRIVATE KEY" with body rotation_id (u32 BE) ||
 * 32-byte x25519 secret, as nym-node stores it.  Naming files by
 * rotation makes every change one create or one unlink: promoting the
 * pre-announced key renames nothing, so a crash between two steps never
 * leaves two roles pointing at one key or a key without a file.
 *
 * A key made by "gatewayctl init" before the gateway knew the network's
 * rotation lives in "x25519_sphinx" (plain X25519 PEM) and counts as
 * rotation 0, "not assigned yet"; the master renames it once nym-api
 * tells it the current rotation.  "x25519_sphinx.pub" always holds the
 * public half of the key the gateway announces as primary.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keys.h"
#include "util.h"

#define PEM_SPHINX	"X25519 SPHINX PRIVATE KEY"
#define PEM_X25519_PUB	"X25519 PUBLIC KEY"

static int
keys_sphinx_path(char *buf, size_t len, const char *dir, uint32_t rotation,
    const char *suffix)
{
	int	 n;

	if (rotation == 0)
		n = snprintf(buf, len, "%s/%s%s", dir, KEYS_SPHINX_FILE,
		    suffix);
	else
		n = snprintf(buf, len, "%s/%s_%u%s", dir, KEYS_SPHINX_FILE,
		    rotation, suffix);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* "x25519_sphinx_<id>" with id 1..UINT32_MAX in canonical digits. */
static int
keys_sphinx_name_rotation(const char *name, uint32_t *rotation)
{
	const char	*s, *errstr;
	size_t		 plen = strlen(KEYS_SPHINX_FILE);
	long long	 v;

	if (strncmp(name, KEYS_SPHINX_FILE, plen) != 0 || name[plen] != '_')
		return -1;
	s = name + plen + 1;
	if (*s < '1' || *s > '9' || strspn(s, "0123456789") != strlen(s) ||
	    strlen(s) > 10)
		return -1;
	v = gw_strtonum(s, 1, UINT32_MAX, &errstr);
	if (errstr != NULL)
		return -1;
	*rotation = (uint32_t)v;
	return 0;
}

static int
keys_sphinx_read(const char *dir, uint32_t rotation, struct keys_sphinx *k,
    char *err, size_t errlen)
{
	char	 p[PATH_MAX];
	uint8_t	 body[4 + 32];
	uint32_t id;

	memset(k, 0, sizeof(*k));
	if (rotation == 0)
		return keys_x25519_load(dir, KEYS_SPHINX_FILE, &k->kp, err,
		    errlen);
	if (keys_sphinx_path(p, sizeof(p), dir, rotation, "") == -1)
		return keys_err(err, errlen, dir, "path too long");
	if (keys_check_secrecy(p, err, errlen) == -1)
		return -1;
	if (keys_pem_read_n(p, PEM_SPHINX, body, sizeof(body), err,
	    errlen) == -1)
		return -1;
	id = (uint32_t)body[0] << 24 | (uint32_t)body[1] << 16 |
	    (uint32_t)body[2] << 8 | body[3];
	if (id != rotation) {
		sodium_memzero(body, sizeof(body));
		return keys_err(err, errlen, p,
		    "rotation id inside differs from the file name");
	}
	k->rotation = id;
	memcpy(k->kp.sk, body + 4, 32);
	sodium_memzero(body, sizeof(body));
	crypto_scalarmult_base(k->kp.pk, k->kp.sk);
	return 0;
}

static int
keys_sphinx_cmp(const void *a, const void *b)
{
	const struct keys_sphinx *x = a, *y = b;

	return x->rotation < y->rotation ? -1 : x->rotation > y->rotation;
}

int
keys_sphinx_load(const char *dir, struct keys_sphinx *out, size_t max,
    size_t *n, char *err, size_t errlen)
{
	struct keys_sphinx	 k;
	struct dirent		*de;
	DIR			*d;
	char			 p[PATH_MAX];
	uint32_t		 id;
	int			 rv = 0;

	*n = 0;
	if (keys_sphinx_path(p, sizeof(p), dir, 0, "") == 0 &&
	    access(p, F_OK) == 0) {
		if (keys_sphinx_read(dir, 0, &out[0], err, errlen) == -1)
			return -1;
		*n = 1;
	}
	if ((d = opendir(dir)) == NULL)
		return keys_err(err, errlen, dir, strerror(errno));
	while (rv == 0 && (de = readdir(d)) != NULL) {
		if (keys_sphinx_name_rotation(de->d_name, &id) == -1)
			continue;
		if (*n == max) {
			snprintf(p, sizeof(p), "more than %zu Sphinx keys "
			    "(remove the oldest x25519_sphinx_N)", max);
			rv = keys_err(err, errlen, dir, p);
			break;
		}
		if ((rv = keys_sphinx_read(dir, id, &k, err, errlen)) == 0)
			out[(*n)++] = k;
	}
	closedir(d);
	sodium_memzero(&k, sizeof(k));
	if (rv == 0 && *n == 0)
		rv = keys_err(err, errlen, dir, "no Sphinx key");
	if (rv == -1) {
		sodium_memzero(out, max * sizeof(*out));
		*n = 0;
		return -1;
	}
	qsort(out, *n, sizeof(*out), keys_sphinx_cmp);
	return 0;
}

/* Write a whole file under a temporary name, then move it into place. */
static int
keys_sphinx_replace(const char *path, const char *tag, const uint8_t *key,
    size_t keylen, int mode, char *err, size_t errlen)
{
	char	 tmp[PATH_MAX];

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >=
	    sizeof(tmp))
		return keys_err(err, errlen, path, "path too long");
	(void)unlink(tmp);	/* left by a crash */
	if (keys_pem_write_n(tmp, tag, key, keylen, mode, err, errlen) == -1)
		return -1;
	if (rename(tmp, path) == -1) {
		(void)unlink(tmp);
		return keys_err(err, errlen, path, strerror(errno));
	}
	return 0;
}

static void
keys_sphinx_sync_dir(const char *dir)
{
	int	 fd;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
}

int
keys_sphinx_store(const char *dir, const struct keys_sphinx *k, char *err,
    size_t errlen)
{
	char	 p[PATH_MAX];
	uint8_t	 body[4 + 32];
	int	 rv;

	if (k->rotation == 0)
		return keys_err(err, errlen, dir, "rotation 0 is not stored");
	if (keys_sphinx_path(p, sizeof(p), dir, k->rotation, "") == -1)
		return keys_err(err, errlen, dir, "path too long");
	body[0] = k->rotation >> 24;
	body[1] = k->rotation >> 16;
	body[2] = k->rotation >> 8;
	body[3] = k->rotation;
	memcpy(body + 4, k->kp.sk, 32);
	rv = keys_sphinx_replace(p, PEM_SPHINX, body, sizeof(body), 0600, err,
	    errlen);
	sodium_memzero(body, sizeof(body));
	if (rv == 0)
		keys_sphinx_sync_dir(dir);
	return rv;
}

int
keys_sphinx_remove(const char *dir, uint32_t rotation, char *err,
    size_t errlen)
{
	char	 p[PATH_MAX];

	if (keys_sphinx_path(p, sizeof(p), dir, rotation, "") == -1)
		return keys_err(err, errlen, dir, "path too long");
	if (unlink(p) == -1 && errno != ENOENT)
		return keys_err(err, errlen, p, strerror(errno));
	keys_sphinx_sync_dir(dir);
	return 0;
}

int
keys_sphinx_publish(const char *dir, const uint8_t pk[32], char *err,
    size_t errlen)
{
	char	 p[PATH_MAX];

	if (keys_sphinx_path(p, sizeof(p), dir, 0, ".pub") == -1)
		return keys_err(err, errlen, dir, "path too long");
	if (keys_sphinx_replace(p, PEM_X25519_PUB, pk, 32, 0644, err,
	    errlen) == -1)
		return -1;
	keys_sphinx_sync_dir(dir);
	return 0;
}

int
keys_load_sphinx(const char *dir, struct gw_x25519 *sx, char *err,
    size_t errlen)
{
	struct keys_sphinx	 k[KEYS_SPHINX_MAX];
	size_t			 n;

	if (keys_sphinx_load(dir, k, KEYS_SPHINX_MAX, &n, err, errlen) == -1)
		return -1;
	/* The lowest rotation: the one in use unless nym-api says more. */
	*sx = k[0].kp;
	sodium_memzero(k, sizeof(k));
	return 0;
}
