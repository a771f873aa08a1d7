/*
 * Nym's Noise framing and PSK rule (common/nymnoise, spec 6.3).
 */
#include <string.h>

#include <gcrypt.h>
#include <sodium.h>

#include "noise.h"
#include "noise_frame.h"

void
noise_frame_hdr_encode(const struct noise_frame_hdr *h,
    uint8_t out[NOISE_FRAME_HDR_LEN])
{
	out[0] = h->version;
	out[1] = h->pattern;
	out[2] = h->type;
	out[3] = h->len >> 8;
	out[4] = h->len & 0xff;
	out[5] = out[6] = out[7] = 0;
}

int
noise_frame_hdr_decode(const uint8_t in[NOISE_FRAME_HDR_LEN],
    struct noise_frame_hdr *h)
{
	memset(h, 0, sizeof(*h));
	if (in[1] != NOISE_NYM_PATTERN_XKPSK3 &&
	    in[1] != NOISE_NYM_PATTERN_IKPSK2)
		return NOISE_E_FRAME;
	if (in[2] != NOISE_NYM_HANDSHAKE && in[2] != NOISE_NYM_DATA)
		return NOISE_E_FRAME;
	h->version = in[0];
	h->pattern = in[1];
	h->type = in[2];
	h->len = (uint16_t)(in[3] << 8 | in[4]);
	return NOISE_OK;
}

int
noise_frame_expect(const struct noise_frame_hdr *h, uint8_t type,
    uint8_t version)
{
	if (h->type != type || h->version != version ||
	    h->pattern != NOISE_NYM_PATTERN_XKPSK3)
		return NOISE_E_FRAME;
	return NOISE_OK;
}

int
noise_nym_psk(uint8_t version, const uint8_t responder_pub[NOISE_KEY_LEN],
    uint8_t psk[NOISE_KEY_LEN])
{
	static const char	 prefix[] = NOISE_NYM_PSK_PREFIX;
	gcry_buffer_t		 iov[2];

	if (version != NOISE_NYM_VERSION_1)
		return NOISE_E_VERSION;
	memset(iov, 0, sizeof(iov));
	/* gcry_buffer_t is not const-qualified; the hash only reads. */
	iov[0].data = (void *)(uintptr_t)prefix;
	iov[0].len = sizeof(prefix) - 1;	/* 25 bytes, no NUL */
	iov[1].data = (void *)(uintptr_t)responder_pub;
	iov[1].len = NOISE_KEY_LEN;
	if (gcry_md_hash_buffers(GCRY_MD_SHA256, 0, psk, iov, 2) != 0)
		return NOISE_E_CRYPTO;
	return NOISE_OK;
}

int
noise_nym_hs_initiator(struct noise_hs *hs, uint8_t version,
    const uint8_t s_sk[NOISE_KEY_LEN],
    const uint8_t responder_pub[NOISE_KEY_LEN])
{
	uint8_t	 psk[NOISE_KEY_LEN];
	int	 rc;

	memset(hs, 0, sizeof(*hs));
	if ((rc = noise_nym_psk(version, responder_pub, psk)) == NOISE_OK)
		rc = noise_hs_init(hs, 1, s_sk, responder_pub, psk, NULL, 0);
	sodium_memzero(psk, sizeof(psk));
	return rc;
}

int
noise_nym_hs_responder(struct noise_hs *hs, const struct noise_frame_hdr *first,
    const uint8_t s_sk[NOISE_KEY_LEN])
{
	uint8_t	 psk[NOISE_KEY_LEN], pub[NOISE_KEY_LEN];
	int	 rc;

	memset(hs, 0, sizeof(*hs));
	/* The first frame fixes the version; only XKpsk3 is configured. */
	if ((rc = noise_frame_expect(first, NOISE_NYM_HANDSHAKE,
	    first->version)) != NOISE_OK)
		return rc;
	if (crypto_scalarmult_base(pub, s_sk) != 0)
		return NOISE_E_KEY;
	if ((rc = noise_nym_psk(first->version, pub, psk)) == NOISE_OK)
		rc = noise_hs_init(hs, 0, s_sk, NULL, psk, NULL, 0);
	sodium_memzero(psk, sizeof(psk));
	return rc;
}

int
noise_frame_hs_write(struct noise_hs *hs, uint8_t version, uint8_t *out,
    size_t outmax, size_t *outlen)
{
	struct noise_frame_hdr	 h;
	size_t			 n;
	int			 rc;

	*outlen = 0;
	if (outmax < NOISE_FRAME_HDR_LEN)
		return NOISE_E_LEN;
	if ((rc = noise_hs_write_message(hs, NULL, 0, out + NOISE_FRAME_HDR_LEN,
	    outmax - NOISE_FRAME_HDR_LEN, &n)) != NOISE_OK)
		return rc;
	h.version = version;
	h.pattern = NOISE_NYM_PATTERN_XKPSK3;
	h.type = NOISE_NYM_HANDSHAKE;
	h.len = (uint16_t)n;		/* <= 64: handshake payloads are empty */
	noise_frame_hdr_encode(&h, out);
	*outlen = NOISE_FRAME_HDR_LEN + n;
	return NOISE_OK;
}

int
noise_frame_hs_read(struct noise_hs *hs, uint8_t version,
    const struct noise_frame_hdr *h, const uint8_t *body)
{
	size_t	 plen;
	int	 rc;

	if ((rc = noise_frame_expect(h, NOISE_NYM_HANDSHAKE, version)) !=
	    NOISE_OK)
		return rc;
	return noise_hs_read_message(hs, body, h->len, NULL, 0, &plen);
}

int
noise_frame_seal(struct noise_cs *cs, uint8_t version, const uint8_t *pt,
    size_t len, uint8_t *out, size_t outmax, size_t *outlen)
{
	struct noise_frame_hdr	 h;
	size_t			 n;
	int			 rc;

	*outlen = 0;
	if (outmax < NOISE_FRAME_HDR_LEN)
		return NOISE_E_LEN;
	if ((rc = noise_cs_encrypt(cs, pt, len, out + NOISE_FRAME_HDR_LEN,
	    outmax - NOISE_FRAME_HDR_LEN, &n)) != NOISE_OK)
		return rc;
	h.version = version;
	h.pattern = NOISE_NYM_PATTERN_XKPSK3;
	h.type = NOISE_NYM_DATA;
	h.len = (uint16_t)n;		/* noise_cs_encrypt caps n at 65535 */
	noise_frame_hdr_encode(&h, out);
	*outlen = NOISE_FRAME_HDR_LEN + n;
	return NOISE_OK;
}

int
noise_frame_open(struct noise_cs *cs, uint8_t version,
    const struct noise_frame_hdr *h, const uint8_t *body, uint8_t *out,
    size_t outmax, size_t *outlen)
{
	int	 rc;

	*outlen = 0;
	if ((rc = noise_frame_expect(h, NOISE_NYM_DATA, version)) != NOISE_OK)
		return rc;
	return noise_cs_decrypt(cs, body, h->len, out, outmax, outlen);
}
