/*
 * Sphinx packet creation (sender side, sphinx-packet 0.6.0 semantics): for
 * tests, the test tools and a test mix network.  Routes of 1 to 5 hops,
 * every Nym packet size, header versions 1, 257, 258, 259, 260.
 */
#ifndef GW_SPHINX_CREATE_H
#define GW_SPHINX_CREATE_H

#include <stddef.h>
#include <stdint.h>

#include "sphinx.h"

#define SPHINX_SURB_ACK_ADDR_LEN	19
#define SPHINX_SURB_ACK_LEN	(SPHINX_SURB_ACK_ADDR_LEN + SPHINX_SIZE_ACK)
#define SPHINX_ACK_KEY_LEN	16
#define SPHINX_ACK_IV_LEN	16
#define SPHINX_FRAG_ID_LEN	5
#define SPHINX_ACK_MSG_LEN	(SPHINX_ACK_IV_LEN + SPHINX_FRAG_ID_LEN)

struct sphinx_route_hop {
	uint8_t		 address[SPHINX_ADDR_LEN];	/* padded NodeAddressBytes */
	uint8_t		 pubkey[SPHINX_KEY_LEN];	/* hop's Sphinx X25519 key */
	uint64_t	 delay_ns;	/* held at this hop; last hop: unused */
};

/* Fixed inputs for reproducible packets (vectors); NULL fields: random. */
struct sphinx_create_opts {
	const uint8_t	*initial_secret;	/* 32 bytes */
	const uint8_t	*padding;		/* SPHINX_BETA_LEN bytes */
};

/* Largest message a packet of this length carries (len - 365). */
size_t	sphinx_max_message(size_t packet_len);

/*
 * Build a packet of packet_len bytes (a Nym Sphinx size) into out for the
 * route (1..5 hops, route[0] first), to destination/identifier at the last
 * hop, carrying msg (at most sphinx_max_message(packet_len) bytes).
 * opts may be NULL.  Returns SPHINX_OK or SPHINX_ERR_ARG /
 * SPHINX_ERR_LENGTH / SPHINX_ERR_DH / SPHINX_ERR_CRYPTO.
 */
int	sphinx_create(struct sphinx_ctx *, uint16_t version,
	    const struct sphinx_route_hop *route, size_t nhops,
	    const uint8_t destination[SPHINX_ADDR_LEN],
	    const uint8_t identifier[SPHINX_ID_LEN], const uint8_t *msg,
	    size_t msglen, size_t packet_len,
	    const struct sphinx_create_opts *opts, uint8_t *out);

/*
 * Nym's ack message: iv || AES-128-CTR(ack_key, iv, fragment id).
 * Returns 0 or -1.
 */
int	sphinx_ack_message(const uint8_t key[SPHINX_ACK_KEY_LEN],
	    const uint8_t iv[SPHINX_ACK_IV_LEN],
	    const uint8_t frag_id[SPHINX_FRAG_ID_LEN],
	    uint8_t out[SPHINX_ACK_MSG_LEN]);

/*
 * A SURB-ack, the first 405 bytes of a regular or extended message:
 * route[0]'s address (19 bytes) || a 386-byte ack packet over the route
 * back to the sender (destination = the sender's identity) carrying
 * ack_msg.  Returns as sphinx_create.
 */
int	sphinx_surb_ack_create(struct sphinx_ctx *, uint16_t version,
	    const struct sphinx_route_hop *route, size_t nhops,
	    const uint8_t destination[SPHINX_ADDR_LEN], const uint8_t *ack_msg,
	    size_t ack_msglen, const struct sphinx_create_opts *opts,
	    uint8_t out[SPHINX_SURB_ACK_LEN]);

#endif
