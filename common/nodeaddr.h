/*
 * Nym's NymNodeRoutingAddress: a mix node's socket address as it appears
 * in Sphinx headers, SURB-acks and MixPackets.
 *
 *   0x04 || port (u16 BE) || IPv4 (4)	 7 bytes
 *   0x06 || port (u16 BE) || IPv6 (16)	19 bytes
 *
 * Zero-padded to 32 bytes in a Sphinx header and to 19 in a SURB-ack.
 */
#ifndef GW_NODEADDR_H
#define GW_NODEADDR_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#define NODEADDR_V4_LEN		7
#define NODEADDR_V6_LEN		19
#define NODEADDR_MAX_LEN	19	/* also the SURB-ack padded form */
#define NODEADDR_SPHINX_LEN	32	/* NodeAddressBytes in a header */
#define NODEADDR_STRLEN		64	/* "[ipv6]:port" and the NUL */

struct nodeaddr {
	uint8_t		 family;	/* 4 or 6 */
	uint16_t	 port;
	uint8_t		 ip[16];	/* IPv4 in the first 4 bytes */
};

/*
 * Decode the prefix of buf; trailing bytes (padding) are ignored.
 * Returns the encoded length (7 or 19), or -1 for an unknown version byte
 * or too few bytes.
 */
int	nodeaddr_decode(const uint8_t *buf, size_t len, struct nodeaddr *);
/* Encoded length of a (7 or 19), 0 if its family is invalid. */
size_t	nodeaddr_len(const struct nodeaddr *);
/*
 * Encode into out, zero-padding to outlen (7/19 unpadded, 19 or 32
 * padded).  Returns the unpadded length, or -1 if outlen is too small or
 * the family invalid.
 */
int	nodeaddr_encode(const struct nodeaddr *, uint8_t *out, size_t outlen);
/* Parse "1.2.3.4:1789" or "[2001:db8::1]:1789".  0 or -1. */
int	nodeaddr_parse(const char *, struct nodeaddr *);
/* Format as nodeaddr_parse reads it; buf of NODEADDR_STRLEN bytes. */
const char *nodeaddr_fmt(const struct nodeaddr *, char *buf, size_t len);
/* To and from a socket address.  0 or -1 (unsupported family). */
int	nodeaddr_to_sockaddr(const struct nodeaddr *,
	    struct sockaddr_storage *, socklen_t *);
int	nodeaddr_from_sockaddr(const struct sockaddr *, struct nodeaddr *);
/* 1 if equal, 0 if not. */
int	nodeaddr_eq(const struct nodeaddr *, const struct nodeaddr *);

#endif
