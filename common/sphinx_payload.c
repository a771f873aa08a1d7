/*
 * Final-hop plaintext split: see sphinx_payload.h.
 */
#include <string.h>

#include "nodeaddr.h"
#include "sphinx.h"
#include "sphinx_payload.h"

int
sphinx_payload_split(size_t packet_len, const uint8_t *plaintext, size_t len,
    struct sphinx_final_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (sphinx_tag_of_size(packet_len) == 0)
		return SPHINX_PAYLOAD_ERR_SIZE;
	if (packet_len == SPHINX_SIZE_ACK) {
		m->message = plaintext;
		m->message_len = len;
		return SPHINX_PAYLOAD_OK;
	}
	if (len < SPHINX_PAYLOAD_SURB_ACK_LEN)
		return SPHINX_PAYLOAD_ERR_NO_ACK;
	/* The address must parse; its padding is not checked (as Nym). */
	if (nodeaddr_decode(plaintext, SPHINX_PAYLOAD_ACK_ADDR_LEN,
	    &m->ack_first_hop) == -1)
		return SPHINX_PAYLOAD_ERR_ACK_ADDR;
	/* A 386-byte packet always parses as a Sphinx header + payload. */
	m->has_ack = 1;
	m->ack_packet = plaintext + SPHINX_PAYLOAD_ACK_ADDR_LEN;
	m->ack_packet_len = SPHINX_SIZE_ACK;
	m->message = plaintext + SPHINX_PAYLOAD_SURB_ACK_LEN;
	m->message_len = len - SPHINX_PAYLOAD_SURB_ACK_LEN;
	return SPHINX_PAYLOAD_OK;
}

