/*
 * MixPacket: a packet and where to send it, as a client hands it to its
 * entry gateway in a ForwardSphinx binary frame (client-protocol 4.3).
 *
 *   v1: packet_type(1) || next_hop || packet
 *   v2: packet_type(1) || key_rotation(1) || next_hop || packet
 *
 * next_hop is an unpadded NymNodeRoutingAddress (7 or 19 bytes); packet is
 * the rest and must have one of the known sizes for its type.  v1 means
 * rotation unknown (0).
 */
#ifndef GW_MIXPACKET_H
#define GW_MIXPACKET_H

#include <stddef.h>
#include <stdint.h>

#include "nodeaddr.h"

#define MIXPACKET_V1		1	/* ForwardSphinx, binary kind 1 */
#define MIXPACKET_V2		2	/* ForwardSphinxV2, binary kind 2 */
#define MIXPACKET_TYPE_SPHINX	0
#define MIXPACKET_TYPE_OUTFOX	2

enum mixpacket_err {
	MIXPACKET_OK = 0,
	MIXPACKET_ERR_VERSION = -40,	/* not v1 or v2 */
	MIXPACKET_ERR_TRUNCATED = -41,	/* too short for its fields */
	MIXPACKET_ERR_PACKET_TYPE = -42,/* type not 0 or 2 */
	MIXPACKET_ERR_ROTATION = -43,	/* rotation not 0, 1 or 2 */
	MIXPACKET_ERR_ADDRESS = -44,	/* next hop not a v4/v6 address */
	MIXPACKET_ERR_SIZE = -45,	/* packet length not a known size */
	MIXPACKET_ERR_ARG = -46,	/* encode: bad field or no room */
};

struct mixpacket {
	uint8_t		 packet_type;
	uint8_t		 key_rotation;
	struct nodeaddr	 next_hop;
	const uint8_t	*packet;	/* decode: inside the input buffer */
	size_t		 packet_len;
};

/* Decode a v1 or v2 MixPacket.  Returns MIXPACKET_OK or an error. */
int	mixpacket_decode(int version, const uint8_t *buf, size_t len,
	    struct mixpacket *);
/* Encoded length, 0 if the address family is invalid. */
size_t	mixpacket_encoded_len(int version, const struct mixpacket *);
/* Encode into out; returns the length or a negative error. */
int	mixpacket_encode(int version, const struct mixpacket *, uint8_t *out,
	    size_t outlen);
const char *mixpacket_strerror(int);

#endif
