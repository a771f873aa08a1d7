/*
 * Sphinx packet creation: see sphinx_create.h and spec 9.3.
 */
#include <string.h>

#include <sodium.h>

#include "gwcrypto.h"
#include "lioness.h"
#include "sphinx.h"
#include "sphinx_create.h"

#define E_BLINDING	224
#define FINAL_PREFIX	(4 + SPHINX_ADDR_LEN + SPHINX_ID_LEN)	/* 52 */

/* Per-hop secrets of one route, wiped before returning. */
struct route_keys {
	uint8_t	 e[SPHINX_MAX_HOPS][SPHINX_EXPANDED_LEN];
	uint8_t	 ks[SPHINX_MAX_HOPS][SPHINX_ROUTING_LEN];
	uint8_t	 acc[SPHINX_KEY_LEN];
	uint8_t	 tmp[SPHINX_KEY_LEN];
	uint8_t	 pkey[SPHINX_PAYLOAD_KEY_LEN];
};

size_t
sphinx_max_message(size_t packet_len)
{
	if (packet_len < SPHINX_MIN_PACKET)
		return 0;
	return packet_len - SPHINX_MIN_PACKET;
}

/*
 * Shared secret of hop i as the sender sees it: pub_i multiplied by x and
 * by every earlier hop's blinding factor.
 */
static int
route_derive(struct sphinx_ctx *c, const uint8_t *x,
    const struct sphinx_route_hop *route, size_t n, struct route_keys *k)
{
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		if (crypto_scalarmult(k->acc, x, route[i].pubkey) != 0)
			return SPHINX_ERR_DH;
		for (j = 0; j < i; j++) {
			/* Never let crypto_scalarmult's output alias its input. */
			memcpy(k->tmp, k->acc, sizeof(k->tmp));
			if (crypto_scalarmult(k->acc, k->e[j] + E_BLINDING,
			    k->tmp) != 0)
				return SPHINX_ERR_DH;
		}
		if (sphinx_expand(c, k->acc, k->e[i]) == -1 ||
		    sphinx_keystream(c, k->e[i], k->ks[i],
		    SPHINX_ROUTING_LEN) == -1)
			return SPHINX_ERR_CRYPTO;
	}
	return SPHINX_OK;
}

static void
xor_into(uint8_t *dst, const uint8_t *src, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		dst[i] ^= src[i];
}

static int
build_header(struct sphinx_ctx *c, uint16_t version,
    const struct sphinx_route_hop *route, size_t n, const uint8_t *dest,
    const uint8_t *ident, const uint8_t *pad, struct route_keys *k,
    uint8_t *hdr)
{
	uint8_t	 beta[SPHINX_BETA_LEN], p[SPHINX_BETA_LEN];
	uint8_t	 filler[SPHINX_BETA_LEN], gamma[SPHINX_GAMMA_LEN];
	size_t	 i, flen = 0, plen;
	int	 h, b;

	/* Filler: what the earlier hops' slot shifts will append. */
	memset(filler, 0, sizeof(filler));
	for (i = 1; i < n; i++) {
		flen = SPHINX_SLOT_LEN * i;
		xor_into(filler, k->ks[i - 1] + SPHINX_ROUTING_LEN - flen,
		    flen);
	}

	/* The final hop's block, padded, then the filler. */
	plen = SPHINX_BETA_LEN - flen;
	p[0] = SPHINX_FLAG_FINAL;
	p[1] = 0;
	p[2] = version >> 8;
	p[3] = version & 0xff;
	memcpy(p + 4, dest, SPHINX_ADDR_LEN);
	memcpy(p + 4 + SPHINX_ADDR_LEN, ident, SPHINX_ID_LEN);
	memcpy(p + FINAL_PREFIX, pad, plen - FINAL_PREFIX);
	memcpy(beta, p, plen);
	xor_into(beta, k->ks[n - 1], plen);
	memcpy(beta + plen, filler, flen);
	if (sphinx_header_mac(c, k->e[n - 1], beta, gamma) == -1)
		return SPHINX_ERR_CRYPTO;

	/* Wrap outwards: each hop's slot in front of the next hop's beta. */
	for (h = (int)n - 2; h >= 0; h--) {
		p[0] = SPHINX_FLAG_FORWARD;
		p[1] = 0;
		p[2] = version >> 8;
		p[3] = version & 0xff;
		memcpy(p + 4, route[h + 1].address, SPHINX_ADDR_LEN);
		for (b = 0; b < 8; b++)
			p[36 + b] = (uint8_t)(route[h].delay_ns >> (56 - 8 * b));
		memcpy(p + 44, gamma, SPHINX_GAMMA_LEN);
		memcpy(p + 60, beta, SPHINX_BETA_LEN - SPHINX_SLOT_LEN);
		memcpy(beta, p, SPHINX_BETA_LEN);
		xor_into(beta, k->ks[h], SPHINX_BETA_LEN);
		if (sphinx_header_mac(c, k->e[h], beta, gamma) == -1)
			return SPHINX_ERR_CRYPTO;
	}
	memcpy(hdr + SPHINX_ALPHA_LEN, gamma, SPHINX_GAMMA_LEN);
	memcpy(hdr + SPHINX_ALPHA_LEN + SPHINX_GAMMA_LEN, beta,
	    SPHINX_BETA_LEN);
	return SPHINX_OK;
}

int
sphinx_create(struct sphinx_ctx *c, uint16_t version,
    const struct sphinx_route_hop *route, size_t n,
    const uint8_t destination[SPHINX_ADDR_LEN],
    const uint8_t identifier[SPHINX_ID_LEN], const uint8_t *msg,
    size_t msglen, size_t packet_len, const struct sphinx_create_opts *opts,
    uint8_t *out)
{
	struct route_keys	 k;
	uint8_t			 x[SPHINX_KEY_LEN], pad[SPHINX_BETA_LEN];
	uint8_t			*payload = out + SPHINX_HEADER_LEN;
	size_t			 plen, i;
	int			 rc;

	if (n < 1 || n > SPHINX_MAX_HOPS || !sphinx_version_known(version))
		return SPHINX_ERR_ARG;
	if (sphinx_tag_of_size(packet_len) == 0)
		return SPHINX_ERR_LENGTH;
	if (msglen > sphinx_max_message(packet_len))
		return SPHINX_ERR_ARG;

	if (opts != NULL && opts->initial_secret != NULL)
		memcpy(x, opts->initial_secret, sizeof(x));
	else
		randombytes_buf(x, sizeof(x));
	if (opts != NULL && opts->padding != NULL)
		memcpy(pad, opts->padding, sizeof(pad));
	else
		randombytes_buf(pad, sizeof(pad));

	if ((rc = route_derive(c, x, route, n, &k)) != SPHINX_OK)
		goto done;
	if (crypto_scalarmult_base(out, x) != 0) {
		rc = SPHINX_ERR_DH;
		goto done;
	}
	if ((rc = build_header(c, version, route, n, destination, identifier,
	    pad, &k, out)) != SPHINX_OK)
		goto done;

	/* 16 zeros || msg || 0x01 || zeros, then one layer per hop. */
	plen = packet_len - SPHINX_HEADER_LEN;
	memset(payload, 0, plen);
	memcpy(payload + 16, msg, msglen);
	payload[16 + msglen] = 0x01;
	for (i = n; i-- > 0; ) {
		if (sphinx_payload_key(c, k.e[i], version, k.pkey) == -1) {
			rc = SPHINX_ERR_CRYPTO;
			goto done;
		}
		if (lioness_encrypt(k.pkey, payload, plen) == -1) {
			rc = SPHINX_ERR_LENGTH;
			goto done;
		}
	}
	rc = SPHINX_OK;
 done:
	sodium_memzero(&k, sizeof(k));
	sodium_memzero(x, sizeof(x));
	return rc;
}

int
sphinx_ack_message(const uint8_t key[SPHINX_ACK_KEY_LEN],
    const uint8_t iv[SPHINX_ACK_IV_LEN],
    const uint8_t frag_id[SPHINX_FRAG_ID_LEN], uint8_t out[SPHINX_ACK_MSG_LEN])
{
	struct gwcrypto_aesctr	*a;
	int			 rc;

	if (gwcrypto_init() == -1 || (a = gwcrypto_aesctr_new()) == NULL)
		return -1;
	memcpy(out, iv, SPHINX_ACK_IV_LEN);
	rc = gwcrypto_aes128_ctr(a, key, iv, frag_id, out + SPHINX_ACK_IV_LEN,
	    SPHINX_FRAG_ID_LEN);
	gwcrypto_aesctr_free(a);
	return rc;
}

int
sphinx_surb_ack_create(struct sphinx_ctx *c, uint16_t version,
    const struct sphinx_route_hop *route, size_t n,
    const uint8_t destination[SPHINX_ADDR_LEN], const uint8_t *ack_msg,
    size_t ack_msglen, const struct sphinx_create_opts *opts,
    uint8_t out[SPHINX_SURB_ACK_LEN])
{
	static const uint8_t	 zero_id[SPHINX_ID_LEN];

	if (n < 1 || n > SPHINX_MAX_HOPS)
		return SPHINX_ERR_ARG;
	memcpy(out, route[0].address, SPHINX_SURB_ACK_ADDR_LEN);
	return sphinx_create(c, version, route, n, destination, zero_id,
	    ack_msg, ack_msglen, SPHINX_SIZE_ACK, opts,
	    out + SPHINX_SURB_ACK_ADDR_LEN);
}
