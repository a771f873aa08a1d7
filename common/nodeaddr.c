/*
 * NymNodeRoutingAddress encoding and conversions: see nodeaddr.h.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodeaddr.h"

int
nodeaddr_decode(const uint8_t *buf, size_t len, struct nodeaddr *a)
{
	size_t	 iplen;

	if (len < 1)
		return -1;
	switch (buf[0]) {
	case 4:
		iplen = 4;
		break;
	case 6:
		iplen = 16;
		break;
	default:
		return -1;
	}
	if (len < 3 + iplen)
		return -1;
	memset(a, 0, sizeof(*a));
	a->family = buf[0];
	a->port = (uint16_t)(buf[1] << 8 | buf[2]);
	memcpy(a->ip, buf + 3, iplen);
	return (int)(3 + iplen);
}

size_t
nodeaddr_len(const struct nodeaddr *a)
{
	switch (a->family) {
	case 4:
		return NODEADDR_V4_LEN;
	case 6:
		return NODEADDR_V6_LEN;
	default:
		return 0;
	}
}

int
nodeaddr_encode(const struct nodeaddr *a, uint8_t *out, size_t outlen)
{
	size_t	 n;

	if ((n = nodeaddr_len(a)) == 0 || outlen < n)
		return -1;
	memset(out, 0, outlen);
	out[0] = a->family;
	out[1] = a->port >> 8;
	out[2] = a->port & 0xff;
	memcpy(out + 3, a->ip, n - 3);
	return (int)n;
}

int
nodeaddr_parse(const char *s, struct nodeaddr *a)
{
	char		 host[INET6_ADDRSTRLEN + 2];
	const char	*colon, *h;
	size_t		 hlen;
	char		*end;
	long		 port;

	memset(a, 0, sizeof(*a));
	if ((colon = strrchr(s, ':')) == NULL)
		return -1;
	h = s;
	hlen = (size_t)(colon - s);
	if (hlen >= 2 && s[0] == '[' && s[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof(host))
		return -1;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (colon[1] < '0' || colon[1] > '9')
		return -1;
	port = strtol(colon + 1, &end, 10);
	if (*end != '\0' || port < 0 || port > 65535)
		return -1;
	a->port = (uint16_t)port;
	if (inet_pton(AF_INET, host, a->ip) == 1)
		a->family = 4;
	else if (h != s && inet_pton(AF_INET6, host, a->ip) == 1)
		a->family = 6;
	else
		return -1;
	return 0;
}

const char *
nodeaddr_fmt(const struct nodeaddr *a, char *buf, size_t len)
{
	char	 ip[INET6_ADDRSTRLEN];

	if (a->family == 4 && inet_ntop(AF_INET, a->ip, ip, sizeof(ip)))
		snprintf(buf, len, "%s:%u", ip, a->port);
	else if (a->family == 6 && inet_ntop(AF_INET6, a->ip, ip, sizeof(ip)))
		snprintf(buf, len, "[%s]:%u", ip, a->port);
	else
		snprintf(buf, len, "(invalid)");
	return buf;
}

int
nodeaddr_to_sockaddr(const struct nodeaddr *a, struct sockaddr_storage *ss,
    socklen_t *sslen)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	switch (a->family) {
	case 4:
		sin->sin_family = AF_INET;
		sin->sin_port = htons(a->port);
		memcpy(&sin->sin_addr, a->ip, 4);
		*sslen = sizeof(*sin);
		return 0;
	case 6:
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(a->port);
		memcpy(&sin6->sin6_addr, a->ip, 16);
		*sslen = sizeof(*sin6);
		return 0;
	default:
		return -1;
	}
}

int
nodeaddr_from_sockaddr(const struct sockaddr *sa, struct nodeaddr *a)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	memset(a, 0, sizeof(*a));
	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)(const void *)sa;
		a->family = 4;
		a->port = ntohs(sin->sin_port);
		memcpy(a->ip, &sin->sin_addr, 4);
		return 0;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		a->family = 6;
		a->port = ntohs(sin6->sin6_port);
		memcpy(a->ip, &sin6->sin6_addr, 16);
		return 0;
	default:
		return -1;
	}
}

int
nodeaddr_eq(const struct nodeaddr *a, const struct nodeaddr *b)
{
	size_t	 n = a->family == 4 ? 4 : 16;

	return a->family == b->family && a->port == b->port &&
	    memcmp(a->ip, b->ip, n) == 0;
}
