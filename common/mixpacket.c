/*
 * MixPacket v1/v2 codec: see mixpacket.h.
 */
#include <string.h>

#include "mixframe.h"
#include "mixpacket.h"
#include "nodeaddr.h"

static int
mixpacket_check(const struct mixpacket *mp)
{
	if (mp->packet_type != MIXPACKET_TYPE_SPHINX &&
	    mp->packet_type != MIXPACKET_TYPE_OUTFOX)
		return MIXPACKET_ERR_PACKET_TYPE;
	if (mp->key_rotation > 2)
		return MIXPACKET_ERR_ROTATION;
	/* Sphinx sizes are >= 365 bytes, so the packet parses. */
	if (mixframe_tag_for(mp->packet_type, mp->packet_len) == 0)
		return MIXPACKET_ERR_SIZE;
	return MIXPACKET_OK;
}

int
mixpacket_decode(int version, const uint8_t *buf, size_t len,
    struct mixpacket *mp)
{
	size_t	 off = 0;
	int	 alen;

	memset(mp, 0, sizeof(*mp));
	if (version != MIXPACKET_V1 && version != MIXPACKET_V2)
		return MIXPACKET_ERR_VERSION;
	if (len < (version == MIXPACKET_V2 ? 2u : 1u))
		return MIXPACKET_ERR_TRUNCATED;
	mp->packet_type = buf[off++];
	if (mp->packet_type != MIXPACKET_TYPE_SPHINX &&
	    mp->packet_type != MIXPACKET_TYPE_OUTFOX)
		return MIXPACKET_ERR_PACKET_TYPE;
	if (version == MIXPACKET_V2)
		mp->key_rotation = buf[off++];
	if (mp->key_rotation > 2)
		return MIXPACKET_ERR_ROTATION;
	if (off >= len)
		return MIXPACKET_ERR_TRUNCATED;
	if ((alen = nodeaddr_decode(buf + off, len - off, &mp->next_hop)) < 0)
		return buf[off] == 4 || buf[off] == 6 ?
		    MIXPACKET_ERR_TRUNCATED : MIXPACKET_ERR_ADDRESS;
	off += (size_t)alen;
	mp->packet = buf + off;
	mp->packet_len = len - off;
	return mixpacket_check(mp);
}

size_t
mixpacket_encoded_len(int version, const struct mixpacket *mp)
{
	size_t	 alen = nodeaddr_len(&mp->next_hop);

	if (alen == 0 || (version != MIXPACKET_V1 && version != MIXPACKET_V2))
		return 0;
	return (version == MIXPACKET_V2 ? 2 : 1) + alen + mp->packet_len;
}

int
mixpacket_encode(int version, const struct mixpacket *mp, uint8_t *out,
    size_t outlen)
{
	size_t	 need, off = 0;
	int	 rc, alen;

	if (version != MIXPACKET_V1 && version != MIXPACKET_V2)
		return MIXPACKET_ERR_VERSION;
	if ((rc = mixpacket_check(mp)) != MIXPACKET_OK)
		return rc;
	if (version == MIXPACKET_V1 && mp->key_rotation != 0)
		return MIXPACKET_ERR_ROTATION;
	if ((need = mixpacket_encoded_len(version, mp)) == 0)
		return MIXPACKET_ERR_ADDRESS;
	if (outlen < need)
		return MIXPACKET_ERR_ARG;
	out[off++] = mp->packet_type;
	if (version == MIXPACKET_V2)
		out[off++] = mp->key_rotation;
	alen = nodeaddr_encode(&mp->next_hop, out + off,
	    nodeaddr_len(&mp->next_hop));
	off += (size_t)alen;
	memcpy(out + off, mp->packet, mp->packet_len);
	return (int)need;
}

const char *
mixpacket_strerror(int err)
{
	switch (err) {
	case MIXPACKET_OK:
		return "ok";
	case MIXPACKET_ERR_VERSION:
		return "unknown MixPacket version";
	case MIXPACKET_ERR_TRUNCATED:
		return "MixPacket truncated";
	case MIXPACKET_ERR_PACKET_TYPE:
		return "unknown packet type";
	case MIXPACKET_ERR_ROTATION:
		return "unknown key rotation";
	case MIXPACKET_ERR_ADDRESS:
		return "invalid next-hop address";
	case MIXPACKET_ERR_SIZE:
		return "packet length is not a known size";
	case MIXPACKET_ERR_ARG:
		return "invalid argument";
	default:
		return "unknown error";
	}
}
