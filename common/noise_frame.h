/*
 * Nym's wrapper around Noise on the mix port (common/nymnoise): the
 * 8-byte frame header every Noise message travels in, and the PSK rule.
 *
 *	byte 0	 Noise version (1)
 *	byte 1	 pattern (1 = XKpsk3; 2 = IKpsk2, defined, unused)
 *	byte 2	 type (0 handshake, 1 data)
 *	byte 3-4 length of the Noise message that follows, u16 big-endian
 *	byte 5-7 reserved, zero (not checked on receipt, as Nym)
 *
 * Session rules (spec sphinx-mixport.md 6.3): the responder learns the
 * version from the first handshake frame and derives the PSK from it and
 * its own Noise public key; every later frame must carry that version
 * and the same pattern; handshake payloads are empty; each write is one
 * data frame of at most NOISE_MAX_PLAINTEXT bytes of plaintext.
 */
#ifndef GW_NOISE_FRAME_H
#define GW_NOISE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "noise.h"

#define NOISE_FRAME_HDR_LEN		8
#define NOISE_FRAME_MAX			(NOISE_FRAME_HDR_LEN + NOISE_MAX_MSG)
#define NOISE_NYM_VERSION_1		1
#define NOISE_NYM_PATTERN_XKPSK3	1
#define NOISE_NYM_PATTERN_IKPSK2	2
#define NOISE_NYM_HANDSHAKE		0
#define NOISE_NYM_DATA			1
#define NOISE_NYM_PSK_PREFIX		"NYMTECH_NOISE_dQw4w9WgXcQ"

struct noise_frame_hdr {
	uint8_t		 version;
	uint8_t		 pattern;
	uint8_t		 type;
	uint16_t	 len;
};

void	noise_frame_hdr_encode(const struct noise_frame_hdr *,
	    uint8_t out[NOISE_FRAME_HDR_LEN]);
/*
 * Parse a header as Nym's codec does: an unknown pattern or type is
 * NOISE_E_FRAME; the version is not judged here (see noise_nym_psk).
 */
int	noise_frame_hdr_decode(const uint8_t in[NOISE_FRAME_HDR_LEN],
	    struct noise_frame_hdr *);
/*
 * A frame mid-session must be of the given type and carry the version
 * and pattern agreed on in the first frame; NOISE_E_FRAME otherwise.
 */
int	noise_frame_expect(const struct noise_frame_hdr *, uint8_t type,
	    uint8_t version);

/*
 * psk = SHA-256("NYMTECH_NOISE_dQw4w9WgXcQ" || responder Noise public
 * key) for version 1; NOISE_E_VERSION for any other version.
 */
int	noise_nym_psk(uint8_t version,
	    const uint8_t responder_pub[NOISE_KEY_LEN],
	    uint8_t psk[NOISE_KEY_LEN]);

/*
 * Start a handshake the Nym way: the initiator from the responder's
 * published Noise key, the responder (s_pub its own public key) from
 * the version byte of the first frame.  Empty prologue.
 */
int	noise_nym_hs_initiator(struct noise_hs *, uint8_t version,
	    const uint8_t s_sk[NOISE_KEY_LEN],
	    const uint8_t responder_pub[NOISE_KEY_LEN]);
int	noise_nym_hs_responder(struct noise_hs *,
	    const struct noise_frame_hdr *first,
	    const uint8_t s_sk[NOISE_KEY_LEN]);

/*
 * Our next handshake message (empty payload) as a whole frame in out:
 * header + message.
 */
int	noise_frame_hs_write(struct noise_hs *, uint8_t version,
	    uint8_t *out, size_t outmax, size_t *outlen);
/*
 * Check a handshake frame's header against the session and feed its
 * body to the handshake; a non-empty payload is refused (NOISE_E_LEN),
 * since Nym version 1 sends none.
 */
int	noise_frame_hs_read(struct noise_hs *, uint8_t version,
	    const struct noise_frame_hdr *, const uint8_t *body);

/*
 * One data frame (header + ciphertext) carrying len <= 65519 bytes; pt
 * may be out + NOISE_FRAME_HDR_LEN (sealed in place).  Longer writes
 * are split by the caller: Nym's frames are a byte stream to the mix
 * frame decoder anyway.
 */
int	noise_frame_seal(struct noise_cs *, uint8_t version,
	    const uint8_t *pt, size_t len, uint8_t *out, size_t outmax,
	    size_t *outlen);
/* Check a data frame's header and decrypt its hdr->len-byte body. */
int	noise_frame_open(struct noise_cs *, uint8_t version,
	    const struct noise_frame_hdr *, const uint8_t *body,
	    uint8_t *out, size_t outmax, size_t *outlen);

#endif
