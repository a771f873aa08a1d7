/*
 * The long-term key files (keys.h): made, written 0600 with their
 * .pub, read back with their permissions checked.
 */
#include <sys/stat.h>

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

#define PEM_ED25519	"ED25519 PRIVATE KEY"
#define PEM_X25519	"X25519 PRIVATE KEY"
#define PEM_ED25519_PUB	"ED25519 PUBLIC KEY"
#define PEM_X25519_PUB	"X25519 PUBLIC KEY"

/* Every message is "<path>: <problem>". */
int
keys_err(char *err, size_t errlen, const char *what, const char *problem)
{
	snprintf(err, errlen, "%s: %s", what, problem);
	return -1;
}

int
keys_pem_write_n(const char *path, const char *tag, const uint8_t *key,
    size_t keylen, int mode, char *err, size_t errlen)
{
	char	 b64[sodium_base64_ENCODED_LEN(KEYS_PEM_MAX,
		     sodium_base64_VARIANT_ORIGINAL)];
	char	 buf[256];
	int	 n, rv = 0;

	if (keylen > KEYS_PEM_MAX)
		return keys_err(err, errlen, path, "key too long");
	sodium_bin2base64(b64, sizeof(b64), key, keylen,
	    sodium_base64_VARIANT_ORIGINAL);
	n = snprintf(buf, sizeof(buf), "-----BEGIN %s-----\n%s\n"
	    "-----END %s-----\n", tag, b64, tag);
	if (gw_write_file_excl(path, buf, (size_t)n, mode) == -1)
		rv = keys_err(err, errlen, path, strerror(errno));
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(b64, sizeof(b64));
	return rv;
}

static int
keys_pem_write(const char *path, const char *tag, const uint8_t *key,
    int mode, char *err, size_t errlen)
{
	return keys_pem_write_n(path, tag, key, 32, mode, err, errlen);
}

int
keys_pem_read_n(const char *path, const char *tag, uint8_t *key,
    size_t keylen, char *err, size_t errlen)
{
	char	 begin[64], end[64];
	uint8_t	*buf;
	size_t	 len, klen;
	char	*b, *e;
	int	 rv = -1;

	if (gw_read_file(path, &buf, &len, 4096) == -1)
		return keys_err(err, errlen, path, strerror(errno));
	snprintf(begin, sizeof(begin), "-----BEGIN %s-----", tag);
	snprintf(end, sizeof(end), "-----END %s-----", tag);
	b = strstr((char *)buf, begin);
	e = b ? strstr(b, end) : NULL;
	if (b == NULL || e == NULL) {
		keys_err(err, errlen, path, "no key block of the expected type");
		goto out;
	}
	b += strlen(begin);
	if (sodium_base642bin(key, keylen, b, (size_t)(e - b), " \t\r\n",
	    &klen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    klen != keylen) {
		keys_err(err, errlen, path, "malformed key");
		goto out;
	}
	rv = 0;
out:
	sodium_memzero(buf, len);
	free(buf);
	return rv;
}

static int
keys_pem_read(const char *path, const char *tag, uint8_t key[32],
    char *err, size_t errlen)
{
	return keys_pem_read_n(path, tag, key, 32, err, errlen);
}

int
keys_check_secrecy(const char *path, char *err, size_t errlen)
{
	struct stat	 st;

	if (stat(path, &st) == -1)
		return keys_err(err, errlen, path, strerror(errno));
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return keys_err(err, errlen, path,
		    "owned by another user");
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return keys_err(err, errlen, path,
		    "readable by group or others (chmod 600 it)");
	return 0;
}

static void
keys_path(char *buf, size_t len, const char *dir, const char *file,
    const char *suffix)
{
	if ((size_t)snprintf(buf, len, "%s/%s%s", dir, file, suffix) >= len)
		buf[0] = '\0';
}

int
keys_x25519_exists(const char *dir, const char *file)
{
	char	 p[PATH_MAX];

	keys_path(p, sizeof(p), dir, file, "");
	return p[0] != '\0' && access(p, F_OK) == 0;
}

int
keys_x25519_create(const char *dir, const char *file, char *err,
    size_t errlen)
{
	struct gw_x25519	 k;
	char			 p[PATH_MAX], pub[PATH_MAX];
	int			 rv = -1;

	keys_path(p, sizeof(p), dir, file, "");
	keys_path(pub, sizeof(pub), dir, file, ".pub");
	if (p[0] == '\0' || pub[0] == '\0')
		return keys_err(err, errlen, dir, strerror(ENAMETOOLONG));
	if (access(p, F_OK) == 0)
		return keys_err(err, errlen, p,
		    "exists; refusing to overwrite a key");
	randombytes_buf(k.sk, sizeof(k.sk));
	crypto_scalarmult_base(k.pk, k.sk);
	/* A stale .pub of a lost private key would announce a lie. */
	if (unlink(pub) == -1 && errno != ENOENT) {
		keys_err(err, errlen, pub, strerror(errno));
		goto out;
	}
	if (keys_pem_write(p, PEM_X25519, k.sk, 0600, err, errlen) == -1 ||
	    keys_pem_write(pub, PEM_X25519_PUB, k.pk, 0644, err, errlen) == -1)
		goto out;
	rv = 0;
out:
	sodium_memzero(&k, sizeof(k));
	return rv;
}

int
keys_x25519_load(const char *dir, const char *file, struct gw_x25519 *k,
    char *err, size_t errlen)
{
	char	 p[PATH_MAX];

	keys_path(p, sizeof(p), dir, file, "");
	if (p[0] == '\0')
		return keys_err(err, errlen, dir, strerror(ENAMETOOLONG));
	if (keys_check_secrecy(p, err, errlen) == -1 ||
	    keys_pem_read(p, PEM_X25519, k->sk, err, errlen) == -1)
		return -1;
	crypto_scalarmult_base(k->pk, k->sk);
	return 0;
}

/* Parents 0755 as needed, the keys directory itself 0700. */
static int
keys_mkdirs(const char *dir)
{
	char	 p[PATH_MAX], *s;

	if (gw_strlcpy(p, dir, sizeof(p)) >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, 0755) == -1 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	if (mkdir(p, 0700) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

int
keys_generate(const char *dir, char *err, size_t errlen)
{
	struct gw_identity	 id;
	uint8_t			 seed[32];
	char			 p[PATH_MAX];
	int			 rv = -1;

	if (keys_mkdirs(dir) == -1)
		return keys_err(err, errlen, dir, strerror(errno));
	keys_path(p, sizeof(p), dir, KEYS_IDENTITY_FILE, "");
	if (access(p, F_OK) == 0)
		return keys_err(err, errlen, p,
		    "exists; refusing to overwrite a key");
	keys_path(p, sizeof(p), dir, KEYS_SPHINX_FILE, "");
	if (access(p, F_OK) == 0)
		return keys_err(err, errlen, p,
		    "exists; refusing to overwrite a key");

	randombytes_buf(seed, sizeof(seed));
	crypto_sign_seed_keypair(id.pk, id.sk, seed);

	keys_path(p, sizeof(p), dir, KEYS_IDENTITY_FILE, "");
	if (keys_pem_write(p, PEM_ED25519, seed, 0600, err, errlen) == -1)
		goto out;
	keys_path(p, sizeof(p), dir, KEYS_IDENTITY_FILE, ".pub");
	if (keys_pem_write(p, PEM_ED25519_PUB, id.pk, 0644, err, errlen) == -1)
		goto out;
	if (keys_x25519_create(dir, KEYS_SPHINX_FILE, err, errlen) == -1)
		goto out;
	rv = 0;
out:
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(&id, sizeof(id));
	return rv;
}

int
keys_load_identity(const char *dir, struct gw_identity *id, char *err,
    size_t errlen)
{
	char	 p[PATH_MAX];
	uint8_t	 seed[32];
	int	 rv;

	keys_path(p, sizeof(p), dir, KEYS_IDENTITY_FILE, "");
	if (keys_check_secrecy(p, err, errlen) == -1)
		return -1;
	rv = keys_pem_read(p, PEM_ED25519, seed, err, errlen);
	if (rv == 0)
		crypto_sign_seed_keypair(id->pk, id->sk, seed);
	sodium_memzero(seed, sizeof(seed));
	return rv;
}
