/*
 * The gateway's Noise key (sphinx-mixport.md 6.3): a static X25519 key
 * of its own, separate from the Sphinx keys, that nym-nodes use to reach
 * our mix port with Noise_XKpsk3.  One PEM file like the Sphinx key's,
 * "x25519_noise" (0600) and "x25519_noise.pub".  It never rotates, so
 * unlike the Sphinx keys it needs no rotation bookkeeping.
 *
 * A data dir made before Noise existed has no such file: "gatewayctl
 * init" run again adds it (keys_noise_generate never replaces a file).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "keys.h"

#define PEM_NOISE	"X25519 PRIVATE KEY"
#define PEM_NOISE_PUB	"X25519 PUBLIC KEY"

static int
keys_noise_path(char *buf, size_t len, const char *dir, const char *suffix)
{
	int	 n;

	n = snprintf(buf, len, "%s/%s%s", dir, KEYS_NOISE_FILE, suffix);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int
keys_noise_exists(const char *dir)
{
	char	 p[PATH_MAX];

	return keys_noise_path(p, sizeof(p), dir, "") == 0 &&
	    access(p, F_OK) == 0;
}

int
keys_noise_generate(const char *dir, char *err, size_t errlen)
{
	struct gw_x25519	 k;
	char			 p[PATH_MAX], pub[PATH_MAX];
	int			 rv = -1;

	if (keys_noise_path(p, sizeof(p), dir, "") == -1 ||
	    keys_noise_path(pub, sizeof(pub), dir, ".pub") == -1)
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
	if (keys_pem_write_n(p, PEM_NOISE, k.sk, sizeof(k.sk), 0600, err,
	    errlen) == -1 ||
	    keys_pem_write_n(pub, PEM_NOISE_PUB, k.pk, sizeof(k.pk), 0644,
	    err, errlen) == -1)
		goto out;
	rv = 0;
out:
	sodium_memzero(&k, sizeof(k));
	return rv;
}

int
keys_noise_load(const char *dir, struct gw_x25519 *k, char *err,
    size_t errlen)
{
	char	 p[PATH_MAX];

	if (keys_noise_path(p, sizeof(p), dir, "") == -1)
		return keys_err(err, errlen, dir, strerror(ENAMETOOLONG));
	if (keys_check_secrecy(p, err, errlen) == -1)
		return -1;
	if (keys_pem_read_n(p, PEM_NOISE, k->sk, sizeof(k->sk), err,
	    errlen) == -1)
		return -1;
	crypto_scalarmult_base(k->pk, k->sk);
	return 0;
}
