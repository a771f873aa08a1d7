/*
 * Mix-port frame codec v7/v8: see mixframe.h.
 */
#include <string.h>

#include "mixframe.h"
#include "sphinx.h"

size_t
mixframe_packet_len(uint8_t tag)
{
	switch (tag) {
	case SPHINX_TAG_OUTFOX_REGULAR:
		return SPHINX_SIZE_OUTFOX_REGULAR;
	case SPHINX_TAG_OUTFOX_ACK:
		return SPHINX_SIZE_OUTFOX_ACK;
	default:
		return sphinx_size_of_tag(tag);
	}
}

uint8_t
mixframe_tag_for(uint8_t type, size_t len)
{
	if (type == MIXFRAME_TYPE_SPHINX)
		return sphinx_tag_of_size(len);
	if (type == MIXFRAME_TYPE_OUTFOX) {
		if (len == SPHINX_SIZE_OUTFOX_REGULAR)
			return SPHINX_TAG_OUTFOX_REGULAR;
		if (len == SPHINX_SIZE_OUTFOX_ACK)
			return SPHINX_TAG_OUTFOX_ACK;
	}
	return 0;
}

int
mixframe_decode(const uint8_t *buf, size_t len, struct mixframe *f)
{
	size_t	 hdr;

	memset(f, 0, sizeof(*f));
	if (len < 1)
		return 0;
	if (buf[0] != MIXFRAME_V7 && buf[0] != MIXFRAME_V8)
		return MIXFRAME_ERR_VERSION;
	hdr = buf[0] == MIXFRAME_V7 ? MIXFRAME_V7_HDR_LEN : MIXFRAME_V8_HDR_LEN;
	/* Check each header byte as soon as it has arrived. */
	if (len >= 2 && mixframe_packet_len(buf[1]) == 0)
		return MIXFRAME_ERR_SIZE_TAG;
	if (len >= 3 && buf[2] != MIXFRAME_TYPE_SPHINX &&
	    buf[2] != MIXFRAME_TYPE_OUTFOX)
		return MIXFRAME_ERR_PACKET_TYPE;
	if (hdr == MIXFRAME_V8_HDR_LEN && len >= 4 &&
	    buf[3] > MIXFRAME_ROT_EVEN)
		return MIXFRAME_ERR_ROTATION;
	if (len < hdr)
		return 0;

	f->version = buf[0];
	f->size_tag = buf[1];
	f->packet_type = buf[2];
	f->rotation = hdr == MIXFRAME_V8_HDR_LEN ? buf[3] : MIXFRAME_ROT_UNKNOWN;
	f->hdr_len = hdr;
	f->packet_len = mixframe_packet_len(f->size_tag);
	if (len - hdr < f->packet_len)
		return 0;
	f->packet = buf + hdr;
	return (int)(hdr + f->packet_len);
}

int
mixframe_encode_header(uint8_t version, uint8_t tag, uint8_t type,
    uint8_t rotation, uint8_t out[MIXFRAME_MAX_HDR_LEN])
{
	if (version != MIXFRAME_V7 && version != MIXFRAME_V8)
		return MIXFRAME_ERR_VERSION;
	if (mixframe_packet_len(tag) == 0)
		return MIXFRAME_ERR_SIZE_TAG;
	if (type != MIXFRAME_TYPE_SPHINX && type != MIXFRAME_TYPE_OUTFOX)
		return MIXFRAME_ERR_PACKET_TYPE;
	out[0] = version;
	out[1] = tag;
	out[2] = type;
	if (version == MIXFRAME_V7)
		return MIXFRAME_V7_HDR_LEN;
	if (rotation > MIXFRAME_ROT_EVEN)
		return MIXFRAME_ERR_ROTATION;
	out[3] = rotation;
	return MIXFRAME_V8_HDR_LEN;
}

int
mixframe_encode(uint8_t version, uint8_t type, uint8_t rotation,
    const uint8_t *packet, size_t len, uint8_t *out, size_t outlen)
{
	uint8_t	 hdr[MIXFRAME_MAX_HDR_LEN], tag;
	int	 hlen;

	if ((tag = mixframe_tag_for(type, len)) == 0)
		return MIXFRAME_ERR_ARG;
	if ((hlen = mixframe_encode_header(version, tag, type, rotation,
	    hdr)) < 0)
		return hlen;
	if (outlen < (size_t)hlen + len)
		return MIXFRAME_ERR_ARG;
	memcpy(out, hdr, (size_t)hlen);
	memmove(out + hlen, packet, len);
	return hlen + (int)len;
}

const char *
mixframe_strerror(int err)
{
	switch (err) {
	case MIXFRAME_ERR_VERSION:
		return "unsupported frame version";
	case MIXFRAME_ERR_SIZE_TAG:
		return "unknown packet size tag";
	case MIXFRAME_ERR_PACKET_TYPE:
		return "unknown packet type";
	case MIXFRAME_ERR_ROTATION:
		return "unknown key rotation";
	case MIXFRAME_ERR_ARG:
		return "invalid argument";
	default:
		return err >= 0 ? "ok" : "unknown error";
	}
}
