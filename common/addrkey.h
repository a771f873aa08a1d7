/*
 * "Per address", as every limit in gatewayd counts it: an IPv4 address,
 * or an IPv6 address cut to its first limits.ipv6_prefix bits (64 by
 * default: one customer's /64 is one address, or a single host could
 * hold every slot with addresses of its own subnet).  IPv4-mapped IPv6
 * addresses count as the IPv4 address they carry.
 */
#ifndef GW_ADDRKEY_H
#define GW_ADDRKEY_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#define ADDRKEY_LEN	17	/* family (4 or 6), then 16 bytes */

struct addrkey {
	uint8_t		 b[ADDRKEY_LEN];
};

/* The key of sa (AF_INET or AF_INET6; anything else is all zero). */
void	addrkey_of(const struct sockaddr *, unsigned v6_prefix,
	    struct addrkey *);
int	addrkey_eq(const struct addrkey *, const struct addrkey *);
/* "192.0.2.1" or "2001:db8::/64", for logs. */
const char *addrkey_fmt(const struct addrkey *, unsigned v6_prefix,
	    char *, size_t);

#endif
