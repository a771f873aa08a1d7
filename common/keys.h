/*
 * The gateway's long-term keys on disk: one PEM-style file per private
 * key (mode 0600) and a .pub beside it.  Read by the master (which keeps
 * the identity key and hands the Sphinx key to mixd only) and by
 * gatewayctl (init, node-details, sign).
 */
#ifndef GW_KEYS_H
#define GW_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define KEYS_IDENTITY_FILE	"ed25519_identity"
#define KEYS_SPHINX_FILE	"x25519_sphinx"
#define KEYS_NOISE_FILE		"x25519_noise"

struct gw_identity {
	uint8_t	 sk[64];	/* libsodium's seed || public */
	uint8_t	 pk[32];
};

struct gw_x25519 {
	uint8_t	 sk[32];
	uint8_t	 pk[32];
};

/* Create the keys directory (0700) and both key pairs; never overwrite. */
int	keys_generate(const char *dir, char *err, size_t errlen);
int	keys_load_identity(const char *dir, struct gw_identity *,
	    char *err, size_t errlen);
/* The Sphinx key in use when no rotation is known (keys_sphinx.c). */
int	keys_load_sphinx(const char *dir, struct gw_x25519 *,
	    char *err, size_t errlen);

/* keys_sphinx.c: one Sphinx key per key rotation (0: not assigned). */
#define KEYS_SPHINX_MAX	2	/* primary + pre-announced or overlap */
struct keys_sphinx {
	uint32_t		 rotation;
	struct gw_x25519	 kp;
};
/* Every key in dir, by rotation ascending; more than max is an error. */
int	keys_sphinx_load(const char *dir, struct keys_sphinx *, size_t max,
	    size_t *n, char *err, size_t errlen);
/* Create or replace the file of k's rotation (never rotation 0). */
int	keys_sphinx_store(const char *dir, const struct keys_sphinx *k,
	    char *err, size_t errlen);
int	keys_sphinx_remove(const char *dir, uint32_t rotation, char *err,
	    size_t errlen);
/* x25519_sphinx.pub := the announced primary's public key. */
int	keys_sphinx_publish(const char *dir, const uint8_t pk[32], char *err,
	    size_t errlen);
/*
 * PEM-style files: one base64 body of exactly keylen bytes between
 * BEGIN/END lines naming tag.  Writing never replaces a file.
 */
#define KEYS_PEM_MAX	64
int	keys_pem_read_n(const char *path, const char *tag, uint8_t *key,
	    size_t keylen, char *err, size_t errlen);
int	keys_pem_write_n(const char *path, const char *tag,
	    const uint8_t *key, size_t keylen, int mode, char *err,
	    size_t errlen);
/* Sets err to "<what>: <problem>" and returns -1. */
int	keys_err(char *err, size_t errlen, const char *what,
	    const char *problem);
/*
 * Refuse a private key file that others may read or that is owned by
 * someone other than root or us: what smtpd's check_file_secrecy does.
 */
int	keys_check_secrecy(const char *path, char *err, size_t errlen);

/*
 * A plain x25519 key pair: dir/file (PEM, 0600) and dir/file.pub (0644).
 * The Sphinx key "gatewayctl init" makes, and the mix port's Noise key
 * (KEYS_NOISE_FILE, sphinx-mixport.md 6.3), which never rotates; a keys
 * directory made before Noise gets it from "gatewayctl init" run again.
 */
int	keys_x25519_exists(const char *dir, const char *file);
/* Never replaces a key; removes a stale .pub first. */
int	keys_x25519_create(const char *dir, const char *file, char *err,
	    size_t errlen);
/* Refuses a private key file others may read (keys_check_secrecy). */
int	keys_x25519_load(const char *dir, const char *file,
	    struct gw_x25519 *, char *err, size_t errlen);

#endif
