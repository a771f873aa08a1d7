/*
 * Sphinx hop processing (forward and final hop): see sphinx.h and
 * doc/spec/sphinx-mixport.md sections 1 to 3.
 *
 * The packet path allocates nothing: the context holds the library
 * handles (HMAC keyed once for each constant HKDF salt, one AES handle)
 * and the scratch buffers, which are wiped after every packet.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "gwcrypto.h"
#include "lioness.h"
#include "replay.h"
#include "sphinx.h"

/* Offsets in the 288-byte expansion E. */
#define E_AES_KEY	0
#define E_MAC_KEY	16
#define E_PAYLOAD_KEY	32	/* 192 bytes (legacy) or 16-byte seed */
#define E_BLINDING	224
#define E_REPLAY_TAG	256
#define E_SEED_LEN	16
#define E_MAC_KEY_LEN	16

/* Offsets in the decrypted 360-byte routing block B. */
#define B_FLAG		0
#define B_VERSION	1
#define B_ADDR		4
#define B_DELAY		36
#define B_NEXT_GAMMA	44
#define B_NEXT_BETA	60
#define B_IDENTIFIER	36

static const uint8_t	 expand_info[] =
    "Dwste mou enan moxlo arketa makru kai ena upomoxlio gia na ton "
    "topothetisw kai tha kinisw thn gh.";
static const uint8_t	 pkey_salt[] =
    "sphinx-payload-key-V01-CS01-HKDF:SHA256-SALT";
static const uint8_t	 pkey_info[] =
    "sphinx-payload-key-V01-CS01-HKDF:SHA256-INFO";

struct sphinx_ctx {
	struct gwcrypto_hmac	*salt_empty;	/* keyed with "" once */
	struct gwcrypto_hmac	*salt_pkey;	/* keyed with pkey_salt once */
	struct gwcrypto_hmac	*work;
	struct gwcrypto_aesctr	*aes;
	uint8_t			 ss[SPHINX_KEY_LEN];
	uint8_t			 e[SPHINX_EXPANDED_LEN];
	uint8_t			 b[SPHINX_ROUTING_LEN];
	uint8_t			 pkey[SPHINX_PAYLOAD_KEY_LEN];
	uint8_t			 alpha[SPHINX_ALPHA_LEN];
	pthread_mutex_t		*replay_lock;	/* NULL: one thread */
};

struct sphinx_ctx *
sphinx_ctx_new(void)
{
	struct sphinx_ctx	*c;

	if (gwcrypto_init() == -1 || (c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->salt_empty = gwcrypto_hmac_new();
	c->salt_pkey = gwcrypto_hmac_new();
	c->work = gwcrypto_hmac_new();
	c->aes = gwcrypto_aesctr_new();
	if (c->salt_empty == NULL || c->salt_pkey == NULL ||
	    c->work == NULL || c->aes == NULL ||
	    gwcrypto_hmac_setkey(c->salt_empty, NULL, 0) == -1 ||
	    gwcrypto_hmac_setkey(c->salt_pkey, pkey_salt,
	    sizeof(pkey_salt) - 1) == -1) {
		sphinx_ctx_free(c);
		return NULL;
	}
	return c;
}

void
sphinx_ctx_free(struct sphinx_ctx *c)
{
	if (c == NULL)
		return;
	gwcrypto_hmac_free(c->salt_empty);
	gwcrypto_hmac_free(c->salt_pkey);
	gwcrypto_hmac_free(c->work);
	gwcrypto_aesctr_free(c->aes);
	sodium_memzero(c, sizeof(*c));
	free(c);
}

void
sphinx_ctx_share_replay(struct sphinx_ctx *c, pthread_mutex_t *lock)
{
	c->replay_lock = lock;
}

/*
 * The filter's test and set as one step under the shared lock: two
 * copies of a packet unwrapped at once on two threads must not both
 * find their bits clear.  The lock is held for the filter's few cache
 * lines only; the public-key work runs outside it.
 */
static int
sphinx_replay_seen(struct sphinx_ctx *c, struct replay_filter *f,
    const uint8_t tag[SPHINX_REPLAY_TAG_LEN])
{
	int	 seen;

	if (c->replay_lock == NULL)
		return replay_check_and_set(f, tag);
	if (pthread_mutex_lock(c->replay_lock) != 0)
		abort();
	seen = replay_check_and_set(f, tag);
	if (pthread_mutex_unlock(c->replay_lock) != 0)
		abort();
	return seen;
}

/* --- building blocks ---------------------------------------------------- */

int
sphinx_expand(struct sphinx_ctx *c, const uint8_t ss[SPHINX_KEY_LEN],
    uint8_t e[SPHINX_EXPANDED_LEN])
{
	return gwcrypto_hkdf_sha256_ctx(c->salt_empty, c->work, ss,
	    SPHINX_KEY_LEN, expand_info, sizeof(expand_info) - 1, e,
	    SPHINX_EXPANDED_LEN);
}

int
sphinx_payload_key(struct sphinx_ctx *c, const uint8_t e[SPHINX_EXPANDED_LEN],
    uint16_t version, uint8_t key[SPHINX_PAYLOAD_KEY_LEN])
{
	if (sphinx_version_legacy_key(version)) {
		memcpy(key, e + E_PAYLOAD_KEY, SPHINX_PAYLOAD_KEY_LEN);
		return 0;
	}
	return gwcrypto_hkdf_sha256_ctx(c->salt_pkey, c->work,
	    e + E_PAYLOAD_KEY, E_SEED_LEN, pkey_info, sizeof(pkey_info) - 1,
	    key, SPHINX_PAYLOAD_KEY_LEN);
}

int
sphinx_header_mac(struct sphinx_ctx *c, const uint8_t e[SPHINX_EXPANDED_LEN],
    const uint8_t beta[SPHINX_BETA_LEN], uint8_t gamma[SPHINX_GAMMA_LEN])
{
	uint8_t	 full[GWCRYPTO_SHA256_LEN];
	int	 rc;

	rc = gwcrypto_hmac_setkey(c->work, e + E_MAC_KEY, E_MAC_KEY_LEN);
	if (rc == 0)
		rc = gwcrypto_hmac_mac(c->work, beta, SPHINX_BETA_LEN, NULL, 0,
		    NULL, 0, full);
	memcpy(gamma, full, SPHINX_GAMMA_LEN);
	return rc;
}

int
sphinx_keystream(struct sphinx_ctx *c, const uint8_t e[SPHINX_EXPANDED_LEN],
    uint8_t *out, size_t len)
{
	static const uint8_t	 zero_iv[GWCRYPTO_AES_IV_LEN];

	return gwcrypto_aes128_ctr(c->aes, e + E_AES_KEY, zero_iv, NULL, out,
	    len);
}

/* --- tables ------------------------------------------------------------- */

size_t
sphinx_size_of_tag(uint8_t tag)
{
	switch (tag) {
	case SPHINX_TAG_REGULAR:
		return SPHINX_SIZE_REGULAR;
	case SPHINX_TAG_ACK:
		return SPHINX_SIZE_ACK;
	case SPHINX_TAG_EXT32:
		return SPHINX_SIZE_EXT32;
	case SPHINX_TAG_EXT8:
		return SPHINX_SIZE_EXT8;
	case SPHINX_TAG_EXT16:
		return SPHINX_SIZE_EXT16;
	default:
		return 0;
	}
}

uint8_t
sphinx_tag_of_size(size_t len)
{
	switch (len) {
	case SPHINX_SIZE_REGULAR:
		return SPHINX_TAG_REGULAR;
	case SPHINX_SIZE_ACK:
		return SPHINX_TAG_ACK;
	case SPHINX_SIZE_EXT32:
		return SPHINX_TAG_EXT32;
	case SPHINX_SIZE_EXT8:
		return SPHINX_TAG_EXT8;
	case SPHINX_SIZE_EXT16:
		return SPHINX_TAG_EXT16;
	default:
		return 0;
	}
}

int
sphinx_version_known(uint16_t v)
{
	return v == SPHINX_VERSION_INITIAL || v == SPHINX_VERSION_LEGACY ||
	    v == SPHINX_VERSION_EXPLICIT_KEYS || v == SPHINX_VERSION_SEEDS ||
	    v == SPHINX_VERSION_SINGLE_SEED;
}

int
sphinx_version_legacy_key(uint16_t v)
{
	return v == SPHINX_VERSION_INITIAL || v == SPHINX_VERSION_LEGACY ||
	    v == SPHINX_VERSION_EXPLICIT_KEYS;
}

const char *
sphinx_strerror(int err)
{
	switch (err) {
	case SPHINX_OK:
		return "ok";
	case SPHINX_ERR_LENGTH:
		return "not a Sphinx packet size";
	case SPHINX_ERR_NO_KEY:
		return "no key for this key rotation";
	case SPHINX_ERR_DH:
		return "degenerate shared secret";
	case SPHINX_ERR_MAC:
		return "header MAC mismatch";
	case SPHINX_ERR_REPLAY:
		return "replayed packet";
	case SPHINX_ERR_FLAG:
		return "unknown routing flag";
	case SPHINX_ERR_VERSION:
		return "unknown header version";
	case SPHINX_ERR_HOP_TYPE:
		return "hop type not accepted";
	case SPHINX_ERR_PAYLOAD:
		return "payload integrity check failed";
	case SPHINX_ERR_PADDING:
		return "payload end marker missing";
	case SPHINX_ERR_ARG:
		return "invalid argument";
	case SPHINX_ERR_CRYPTO:
		return "crypto library failure";
	default:
		return "unknown error";
	}
}

size_t
sphinx_key_candidates(const struct sphinx_key *primary,
    const struct sphinx_key *secondary, uint8_t rotation,
    const struct sphinx_key *cand[2])
{
	size_t	 n = 0;
	uint32_t parity;

	if (rotation == 1 || rotation == 2) {
		/* 1: odd rotation id, 2: even. */
		parity = rotation == 1 ? 1 : 0;
		if (primary != NULL && primary->rotation_id % 2 == parity)
			cand[n++] = primary;
		else if (secondary != NULL &&
		    secondary->rotation_id % 2 == parity)
			cand[n++] = secondary;
		return n;
	}
	if (primary != NULL)
		cand[n++] = primary;
	if (secondary != NULL)
		cand[n++] = secondary;
	return n;
}

/* --- processing --------------------------------------------------------- */

/*
 * Find the key whose MAC matches: ss and E of that key are left in the
 * context.
 */
static int
sphinx_match_key(struct sphinx_ctx *c, const struct sphinx_key *const *keys,
    size_t nkeys, const uint8_t *pkt, const struct sphinx_key **match)
{
	uint8_t	 gamma[SPHINX_GAMMA_LEN];
	size_t	 i;

	for (i = 0; i < nkeys; i++) {
		/* An all-zero result depends on alpha alone: give up. */
		if (crypto_scalarmult(c->ss, keys[i]->sk, pkt) != 0)
			return SPHINX_ERR_DH;
		if (sphinx_expand(c, c->ss, c->e) == -1)
			return SPHINX_ERR_CRYPTO;
		/* Let the filter's cache misses overlap the HMAC. */
		if (keys[i]->replay != NULL)
			replay_prefetch(keys[i]->replay, c->e + E_REPLAY_TAG);
		if (sphinx_header_mac(c, c->e, pkt + SPHINX_ALPHA_LEN +
		    SPHINX_GAMMA_LEN, gamma) == -1)
			return SPHINX_ERR_CRYPTO;
		if (sodium_memcmp(gamma, pkt + SPHINX_ALPHA_LEN,
		    SPHINX_GAMMA_LEN) == 0) {
			*match = keys[i];
			return SPHINX_OK;
		}
	}
	return SPHINX_ERR_MAC;
}

/* Decrypt and check the routing block: flag, version, accepted type. */
static int
sphinx_unwrap_routing(struct sphinx_ctx *c, const uint8_t *pkt, int accept,
    struct sphinx_result *res)
{
	uint8_t	*b = c->b;
	size_t	 i;

	if (sphinx_keystream(c, c->e, b, SPHINX_ROUTING_LEN) == -1)
		return SPHINX_ERR_CRYPTO;
	/* B = (beta || 0^60) XOR keystream */
	for (i = 0; i < SPHINX_BETA_LEN; i++)
		b[i] ^= pkt[SPHINX_ALPHA_LEN + SPHINX_GAMMA_LEN + i];

	res->flag = b[B_FLAG];
	if (res->flag != SPHINX_FLAG_FORWARD && res->flag != SPHINX_FLAG_FINAL)
		return SPHINX_ERR_FLAG;
	res->version = (uint16_t)(b[B_VERSION + 1] << 8 | b[B_VERSION + 2]);
	if (b[B_VERSION] != 0 || !sphinx_version_known(res->version))
		return SPHINX_ERR_VERSION;
	if ((res->flag == SPHINX_FLAG_FORWARD &&
	    (accept & SPHINX_ACCEPT_FORWARD) == 0) ||
	    (res->flag == SPHINX_FLAG_FINAL &&
	    (accept & SPHINX_ACCEPT_FINAL) == 0))
		return SPHINX_ERR_HOP_TYPE;
	return SPHINX_OK;
}

static int
sphinx_forward(struct sphinx_ctx *c, const uint8_t *pkt, size_t len,
    uint8_t *out, struct sphinx_result *res)
{
	const uint8_t	*b = c->b;
	size_t		 plen = len - SPHINX_HEADER_LEN;
	uint64_t	 d = 0;
	int		 i;

	memcpy(res->next_hop, b + B_ADDR, SPHINX_ADDR_LEN);
	for (i = 0; i < 8; i++)
		d = d << 8 | b[B_DELAY + i];
	res->delay_ns = d;
	res->packet_len = len;

	/* alpha' = X25519(blinding factor, alpha), before out is written. */
	if (crypto_scalarmult(c->alpha, c->e + E_BLINDING, pkt) != 0)
		return SPHINX_ERR_DH;
	if (out != pkt)
		memmove(out + SPHINX_HEADER_LEN, pkt + SPHINX_HEADER_LEN, plen);
	if (lioness_decrypt(c->pkey, out + SPHINX_HEADER_LEN, plen) == -1)
		return SPHINX_ERR_LENGTH;
	memcpy(out, c->alpha, SPHINX_ALPHA_LEN);
	/* gamma' || beta' = B[44..360) */
	memcpy(out + SPHINX_ALPHA_LEN, b + B_NEXT_GAMMA,
	    SPHINX_GAMMA_LEN + SPHINX_BETA_LEN);
	return SPHINX_OK;
}

static int
sphinx_final(struct sphinx_ctx *c, const uint8_t *pkt, size_t len,
    uint8_t *out, struct sphinx_result *res)
{
	size_t		 plen = len - SPHINX_HEADER_LEN;
	const uint8_t	*marker;

	memcpy(res->destination, c->b + B_ADDR, SPHINX_ADDR_LEN);
	memcpy(res->identifier, c->b + B_IDENTIFIER, SPHINX_ID_LEN);
	memmove(out, pkt + SPHINX_HEADER_LEN, plen);
	if (lioness_decrypt(c->pkey, out, plen) == -1)
		return SPHINX_ERR_LENGTH;
	res->payload_len = plen;
	/*
	 * The 16 zero bytes are the only integrity check of the payload;
	 * the message ends at the last 0x01 (trailing bytes unchecked).
	 */
	if (!sodium_is_zero(out, 16))
		return SPHINX_ERR_PAYLOAD;
	if ((marker = memrchr(out + 16, 0x01, plen - 16)) == NULL)
		return SPHINX_ERR_PADDING;
	res->plaintext = out + 16;
	res->plaintext_len = (size_t)(marker - (out + 16));
	return SPHINX_OK;
}

int
sphinx_process(struct sphinx_ctx *c, const struct sphinx_key *const *keys,
    size_t nkeys, int accept, const uint8_t *pkt, size_t len, uint8_t *out,
    struct sphinx_result *res)
{
	const struct sphinx_key	*key = NULL;
	int			 rc;

	memset(res, 0, sizeof(*res));
	if (sphinx_tag_of_size(len) == 0)
		return SPHINX_ERR_LENGTH;
	if (nkeys == 0)
		return SPHINX_ERR_NO_KEY;

	if ((rc = sphinx_match_key(c, keys, nkeys, pkt, &key)) != SPHINX_OK)
		goto done;
	res->key = key;
	memcpy(res->replay_tag, c->e + E_REPLAY_TAG, SPHINX_REPLAY_TAG_LEN);
	/* After the MAC, before any decryption (as nym-node). */
	if (key->replay != NULL &&
	    sphinx_replay_seen(c, key->replay, res->replay_tag)) {
		rc = SPHINX_ERR_REPLAY;
		goto done;
	}
	if ((rc = sphinx_unwrap_routing(c, pkt, accept, res)) != SPHINX_OK)
		goto done;
	if (sphinx_payload_key(c, c->e, res->version, c->pkey) == -1) {
		rc = SPHINX_ERR_CRYPTO;
		goto done;
	}
	if (res->flag == SPHINX_FLAG_FORWARD)
		rc = sphinx_forward(c, pkt, len, out, res);
	else
		rc = sphinx_final(c, pkt, len, out, res);
 done:
	sodium_memzero(c->ss, sizeof(c->ss));
	sodium_memzero(c->e, sizeof(c->e));
	sodium_memzero(c->b, sizeof(c->b));
	sodium_memzero(c->pkey, sizeof(c->pkey));
	return rc;
}
