/*
 * The master verification key of an e-cash epoch, as nym-api serves it
 * (GET /v1/ecash/master-verification-key?epoch_id=N):
 *
 *   {"key":{"alpha":"<192 hex>","beta_g1":["<96 hex>",...],
 *           "beta_g2":["<192 hex>",...]}}
 *
 * (VerificationKeyResponse; the points' human-readable serde form is
 * lowercase hex of the compressed encoding), or as the bytes of
 * VerificationKeyAuth::to_bytes: alpha || u64 LE n || n G1 || n G2.
 * Either way every point is checked, and the key must be long enough
 * for tickets (beta_g2[0..3] are used).  The bytes are kept: the spend
 * proof's challenge hashes them.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "credd/credd.h"
#include "ecash.h"
#include "util.h"

/* The key's bytes from its decoded points, and what follows from it. */
static void
vk_finish(struct ecash_vk *vk)
{
	const struct ecash_params	*ep = ecash_params();
	uint8_t				*b = vk->bytes;
	uint64_t			 n = vk->n;
	size_t				 i;
	struct g2			 t;

	g2_encode(b, &vk->alpha);
	b += G2_BYTES;
	for (i = 0; i < 8; i++)
		*b++ = (uint8_t)(n >> (8 * i));
	for (i = 0; i < vk->n; i++, b += G1_BYTES)
		g1_encode(b, &vk->beta_g1[i]);
	for (i = 0; i < vk->n; i++, b += G2_BYTES)
		g2_encode(b, &vk->beta_g2[i]);
	vk->nbytes = (size_t)(b - vk->bytes);
	g2_add(&t, &vk->beta_g2[1], &vk->beta_g2[2]);
	g2_mul(&vk->idx_part, &t, &ep->type_idx);
	g2_fixed_init(&vk->alpha_f, &vk->alpha);
	for (i = 0; i < ECASH_VK_MIN; i++)
		g2_fixed_init(&vk->beta_f[i], &vk->beta_g2[i]);
}

static int
vk_size_ok(size_t n, const char **why)
{
	if (n < ECASH_VK_MIN) {
		*why = "key too short for tickets (fewer than 4 betas)";
		return 0;
	}
	if (n > ECASH_VK_MAX) {
		*why = "key too long";
		return 0;
	}
	return 1;
}

struct ecash_vk *
ecash_vk_from_bytes(const uint8_t *b, size_t len, uint64_t epoch_id,
    const char **why)
{
	struct ecash_vk	*vk;
	uint64_t	 n = 0;
	size_t		 i;

	if (ecash_params_init() == -1) {
		*why = "e-cash parameters unusable";
		return NULL;
	}
	if (len < G2_BYTES + 8 || (len - G2_BYTES - 8) %
	    (G1_BYTES + G2_BYTES) != 0) {
		*why = "key length";
		return NULL;
	}
	for (i = 8; i-- > 0;)
		n = n << 8 | b[G2_BYTES + i];
	if (n != (len - G2_BYTES - 8) / (G1_BYTES + G2_BYTES)) {
		*why = "key length does not match its count";
		return NULL;
	}
	if (!vk_size_ok((size_t)n, why))
		return NULL;
	vk = xcalloc(1, sizeof(*vk));
	vk->epoch_id = epoch_id;
	vk->n = (size_t)n;
	*why = "key point does not decode";
	if (g2_decode(&vk->alpha, b) != BLS_DECODE_OK)
		goto bad;
	b += G2_BYTES + 8;
	for (i = 0; i < vk->n; i++, b += G1_BYTES)
		if (g1_decode(&vk->beta_g1[i], b) != BLS_DECODE_OK)
			goto bad;
	for (i = 0; i < vk->n; i++, b += G2_BYTES)
		if (g2_decode(&vk->beta_g2[i], b) != BLS_DECODE_OK)
			goto bad;
	vk_finish(vk);
	*why = NULL;
	return vk;
bad:
	free(vk);
	return NULL;
}

/* A JSON string of exactly n bytes in hex. */
static int
json_hex(const json_t *v, uint8_t *out, size_t n)
{
	const char	*s;
	size_t		 got;

	if (!json_is_string(v) || json_string_length(v) != 2 * n)
		return -1;
	s = json_string_value(v);
	if (sodium_hex2bin(out, n, s, 2 * n, NULL, &got, NULL) != 0 ||
	    got != n)
		return -1;
	return 0;
}

static int
json_g1(const json_t *v, struct g1 *p)
{
	uint8_t	 b[G1_BYTES];

	return json_hex(v, b, sizeof(b)) == 0 &&
	    g1_decode(p, b) == BLS_DECODE_OK ? 0 : -1;
}

static int
json_g2(const json_t *v, struct g2 *p)
{
	uint8_t	 b[G2_BYTES];

	return json_hex(v, b, sizeof(b)) == 0 &&
	    g2_decode(p, b) == BLS_DECODE_OK ? 0 : -1;
}

static int
vk_from_json_key(struct ecash_vk *vk, const json_t *key, const char **why)
{
	const json_t	*g1s, *g2s;
	size_t		 i;

	g1s = json_object_get(key, "beta_g1");
	g2s = json_object_get(key, "beta_g2");
	if (!json_is_array(g1s) || !json_is_array(g2s)) {
		*why = "no beta_g1 or beta_g2 array";
		return -1;
	}
	/* to_bytes writes one count for both: they must agree. */
	if (json_array_size(g1s) != json_array_size(g2s)) {
		*why = "beta_g1 and beta_g2 differ in length";
		return -1;
	}
	if (!vk_size_ok(json_array_size(g2s), why))
		return -1;
	vk->n = json_array_size(g2s);
	*why = "key point does not decode";
	if (json_g2(json_object_get(key, "alpha"), &vk->alpha) == -1)
		return -1;
	for (i = 0; i < vk->n; i++)
		if (json_g1(json_array_get(g1s, i), &vk->beta_g1[i]) == -1 ||
		    json_g2(json_array_get(g2s, i), &vk->beta_g2[i]) == -1)
			return -1;
	return 0;
}

struct ecash_vk *
ecash_vk_from_json(const char *body, size_t len, uint64_t epoch_id,
    const char **why)
{
	struct ecash_vk	*vk;
	json_t		*root, *key;
	json_error_t	 err;

	if (ecash_params_init() == -1) {
		*why = "e-cash parameters unusable";
		return NULL;
	}
	if ((root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err)) ==
	    NULL) {
		*why = "not JSON";
		return NULL;
	}
	if (!json_is_object(key = json_object_get(root, "key"))) {
		*why = "no key object";
		json_decref(root);
		return NULL;
	}
	vk = xcalloc(1, sizeof(*vk));
	vk->epoch_id = epoch_id;
	if (vk_from_json_key(vk, key, why) == -1) {
		json_decref(root);
		free(vk);
		return NULL;
	}
	json_decref(root);
	vk_finish(vk);
	*why = NULL;
	return vk;
}

void
ecash_vk_free(struct ecash_vk *vk)
{
	free(vk);
}

int
ecash_vk_equal(const struct ecash_vk *a, const struct ecash_vk *b)
{
	return a->epoch_id == b->epoch_id && a->nbytes == b->nbytes &&
	    memcmp(a->bytes, b->bytes, a->nbytes) == 0;
}

uint64_t
ecash_vk_epoch(const struct ecash_vk *vk)
{
	return vk->epoch_id;
}

const uint8_t *
ecash_vk_bytes(const struct ecash_vk *vk, size_t *len)
{
	*len = vk->nbytes;
	return vk->bytes;
}
