/*
 * The final hop's plaintext, split as nym-node does (spec 4.2): for every
 * size but the ack size, a SURB-ack (19-byte first-hop address || 386-byte
 * ack packet) then the message for the client; an ack-size packet carries
 * only a message.  The split follows the frame's size, not the content.
 */
#ifndef GW_SPHINX_PAYLOAD_H
#define GW_SPHINX_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "nodeaddr.h"

#define SPHINX_PAYLOAD_ACK_ADDR_LEN	19
#define SPHINX_PAYLOAD_SURB_ACK_LEN	405	/* 19 + 386 */

enum sphinx_payload_err {
	SPHINX_PAYLOAD_OK = 0,
	SPHINX_PAYLOAD_ERR_SIZE = -30,		/* not a Sphinx packet size */
	SPHINX_PAYLOAD_ERR_NO_ACK = -31,	/* plaintext shorter than a SURB-ack */
	SPHINX_PAYLOAD_ERR_ACK_ADDR = -32,	/* bad ack first-hop address */
};

struct sphinx_final_msg {
	int		 has_ack;
	struct nodeaddr	 ack_first_hop;		/* has_ack only */
	const uint8_t	*ack_packet;		/* 386 bytes, inside plaintext */
	size_t		 ack_packet_len;
	const uint8_t	*message;		/* inside plaintext */
	size_t		 message_len;
};

/*
 * Split the plaintext of a final-hop packet of packet_len bytes (the frame's
 * size: 386 = ack, otherwise regular/extended).  Pointers in m point into
 * plaintext.  Returns SPHINX_PAYLOAD_OK or a negative error.
 */
int	sphinx_payload_split(size_t packet_len, const uint8_t *plaintext,
	    size_t len, struct sphinx_final_msg *m);

#endif
