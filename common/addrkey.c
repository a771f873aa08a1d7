/*
 * Address keys for per-address limits: see addrkey.h.
 */
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include "addrkey.h"

void
addrkey_of(const struct sockaddr *sa, unsigned prefix, struct addrkey *k)
{
	static const uint8_t	 mapped[12] = { [10] = 0xff, [11] = 0xff };
	const uint8_t		*a;
	unsigned		 i;

	memset(k, 0, sizeof(*k));
	if (sa == NULL)
		return;
	if (sa->sa_family == AF_INET) {
		k->b[0] = 4;
		memcpy(k->b + 1, &((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr, 4);
		return;
	}
	if (sa->sa_family != AF_INET6)
		return;
	a = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	if (memcmp(a, mapped, sizeof(mapped)) == 0) {
		k->b[0] = 4;
		memcpy(k->b + 1, a + 12, 4);
		return;
	}
	k->b[0] = 6;
	memcpy(k->b + 1, a, 16);
	if (prefix > 128)
		prefix = 128;
	for (i = prefix; i < 128; i++)
		k->b[1 + i / 8] &= (uint8_t)~(0x80u >> (i % 8));
}

int
addrkey_eq(const struct addrkey *a, const struct addrkey *b)
{
	return memcmp(a->b, b->b, ADDRKEY_LEN) == 0;
}

const char *
addrkey_fmt(const struct addrkey *k, unsigned prefix, char *buf, size_t len)
{
	char	 a[INET6_ADDRSTRLEN];

	if (k->b[0] == 4 && inet_ntop(AF_INET, k->b + 1, a, sizeof(a)) != NULL)
		snprintf(buf, len, "%s", a);
	else if (k->b[0] == 6 &&
	    inet_ntop(AF_INET6, k->b + 1, a, sizeof(a)) != NULL)
		snprintf(buf, len, "%s/%u", a, prefix);
	else
		snprintf(buf, len, "?");
	return buf;
}
