/*
 * Mix-port framing (Nym's NymCodec, spec 6.2): frames back to back on a
 * TCP (or Noise) byte stream, each a small header and exactly one packet.
 *
 *   v7: 0x07 || size tag || packet type		(3 bytes)
 *   v8: 0x08 || size tag || packet type || rotation	(4 bytes)
 *
 * size tag: 1..7 (sphinx.h SPHINX_TAG_*), packet type: 0 Sphinx, 2 Outfox,
 * rotation: 0 unknown, 1 odd, 2 even.  Nodes send v7 by default and
 * accept both.
 */
#ifndef GW_MIXFRAME_H
#define GW_MIXFRAME_H

#include <stddef.h>
#include <stdint.h>

#define MIXFRAME_V7		7
#define MIXFRAME_V8		8
#define MIXFRAME_V7_HDR_LEN	3
#define MIXFRAME_V8_HDR_LEN	4
#define MIXFRAME_MAX_HDR_LEN	4
#define MIXFRAME_MAX_LEN	(MIXFRAME_MAX_HDR_LEN + 33133)

#define MIXFRAME_TYPE_SPHINX	0
#define MIXFRAME_TYPE_OUTFOX	2

#define MIXFRAME_ROT_UNKNOWN	0
#define MIXFRAME_ROT_ODD	1
#define MIXFRAME_ROT_EVEN	2

/*
 * Errors: any of them means the stream is out of sync, and Nym closes
 * the connection.
 */
enum mixframe_err {
	MIXFRAME_ERR_VERSION = -20,	/* byte 0 not 7 or 8 */
	MIXFRAME_ERR_SIZE_TAG = -21,	/* unknown packet size tag */
	MIXFRAME_ERR_PACKET_TYPE = -22,	/* packet type not 0 or 2 */
	MIXFRAME_ERR_ROTATION = -23,	/* rotation byte not 0, 1 or 2 */
	MIXFRAME_ERR_ARG = -24,		/* encode: bad argument or no room */
};

struct mixframe {
	uint8_t		 version;	/* 7 or 8 */
	uint8_t		 size_tag;
	uint8_t		 packet_type;
	uint8_t		 rotation;	/* 0 for v7 */
	size_t		 hdr_len;
	const uint8_t	*packet;	/* inside the decoded buffer */
	size_t		 packet_len;
};

/*
 * Decode the frame at the start of buf.  Returns the frame's total length
 * (header + packet) when all of it is in buf, 0 if more bytes are needed
 * (a valid header is checked as soon as it is complete), or a negative
 * enum mixframe_err.
 */
int	mixframe_decode(const uint8_t *buf, size_t len, struct mixframe *);
/* Packet length for a frame size tag (Outfox included), 0 if unknown. */
size_t	mixframe_packet_len(uint8_t size_tag);
/* Size tag of a packet of this type and length, 0 if not a known size. */
uint8_t	mixframe_tag_for(uint8_t packet_type, size_t packet_len);
/*
 * Write a frame header (version 7 ignores rotation).  Returns its length
 * (3 or 4) or MIXFRAME_ERR_*.
 */
int	mixframe_encode_header(uint8_t version, uint8_t size_tag,
	    uint8_t packet_type, uint8_t rotation,
	    uint8_t out[MIXFRAME_MAX_HDR_LEN]);
/*
 * Write a whole frame for packet (its length picks the size tag) into out
 * (outlen bytes).  Returns the frame length or MIXFRAME_ERR_*.
 */
int	mixframe_encode(uint8_t version, uint8_t packet_type, uint8_t rotation,
	    const uint8_t *packet, size_t packet_len, uint8_t *out,
	    size_t outlen);
const char *mixframe_strerror(int);

#endif
