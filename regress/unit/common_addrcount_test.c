/*
 * What "one address" is for the per-address limits (common/addrkey.c)
 * and the counts kept per address (common/addrcount.c): IPv6 cut to
 * the prefix, IPv4-mapped addresses folded into IPv4, counts that
 * refuse at the cap and free their entry at zero.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "addrcount.h"
#include "addrkey.h"
#include "testlib.h"

static struct addrkey
key6(const char *text, unsigned prefix)
{
	struct sockaddr_in6	 s6;
	struct addrkey		 k;

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	if (inet_pton(AF_INET6, text, &s6.sin6_addr) != 1)
		t_die("bad test address %s", text);
	addrkey_of((struct sockaddr *)&s6, prefix, &k);
	return k;
}

static struct addrkey
key4(const char *text)
{
	struct sockaddr_in	 s4;
	struct addrkey		 k;

	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	s4.sin_port = htons(9000);
	if (inet_pton(AF_INET, text, &s4.sin_addr) != 1)
		t_die("bad test address %s", text);
	addrkey_of((struct sockaddr *)&s4, 64, &k);
	return k;
}

static void
test_keys(void)
{
	struct addrkey		 a, b, z;
	struct sockaddr_un	 un;
	char			 buf[64];

	T_BEGIN("IPv6 addresses of one /64 are one address, of two /64s two");
	a = key6("2001:db8:1:2::1", 64);
	b = key6("2001:db8:1:2:ffff:ffff:ffff:ffff", 64);
	CHECK(addrkey_eq(&a, &b));
	b = key6("2001:db8:1:3::1", 64);
	CHECK(!addrkey_eq(&a, &b));
	CHECK(strcmp(addrkey_fmt(&a, 64, buf, sizeof(buf)),
	    "2001:db8:1:2::/64") == 0);
	T_END();

	T_BEGIN("the prefix cuts at any bit: /48 and /57, /128 keeps all");
	a = key6("2001:db8:1:2::1", 48);
	b = key6("2001:db8:1:ff00::1", 48);
	CHECK(addrkey_eq(&a, &b));
	a = key6("2001:db8:1:82::", 57);
	b = key6("2001:db8:1:2::", 57);
	CHECK(!addrkey_eq(&a, &b));	/* bit 56 is inside a /57 */
	a = key6("2001:db8:1:42::", 57);
	CHECK(addrkey_eq(&a, &b));	/* bit 57 is not */
	a = key6("2001:db8::1", 128);
	b = key6("2001:db8::2", 128);
	CHECK(!addrkey_eq(&a, &b));
	a = key6("2001:db8::1", 200);	/* out of range: as /128 */
	CHECK(!addrkey_eq(&a, &b));
	T_END();

	T_BEGIN("IPv4-mapped IPv6 counts as its IPv4 address, ports ignored");
	a = key6("::ffff:192.0.2.7", 64);
	b = key4("192.0.2.7");
	CHECK(addrkey_eq(&a, &b));
	CHECK(strcmp(addrkey_fmt(&a, 64, buf, sizeof(buf)), "192.0.2.7") == 0);
	b = key4("192.0.2.8");
	CHECK(!addrkey_eq(&a, &b));
	T_END();

	T_BEGIN("an IPv4 address and an IPv6 one with the same bytes differ");
	a = key4("192.0.2.7");
	b = key6("c000:207::", 128);
	CHECK(!addrkey_eq(&a, &b));
	T_END();

	T_BEGIN("no address (AF_UNIX, NULL) is the all-zero key, printed ?");
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	addrkey_of((struct sockaddr *)&un, 64, &a);
	addrkey_of(NULL, 64, &b);
	memset(&z, 0, sizeof(z));
	CHECK(addrkey_eq(&a, &z) && addrkey_eq(&b, &z));
	CHECK(strcmp(addrkey_fmt(&a, 64, buf, sizeof(buf)), "?") == 0);
	T_END();
}

static void
test_counts(void)
{
	struct addrcount	 t;
	struct addrkey		 a, b;
	char			 text[32];
	int			 i, refused = 0;

	addrcount_init(&t);
	a = key4("198.51.100.1");
	b = key6("2001:db8:5::9", 64);

	T_BEGIN("acquire refuses at the cap, per address");
	for (i = 0; i < 3; i++)
		CHECK(addrcount_acquire(&t, &a, 3) == 0);
	CHECK(addrcount_acquire(&t, &a, 3) == -1);
	CHECK(addrcount_get(&t, &a) == 3);
	CHECK(addrcount_acquire(&t, &b, 3) == 0);
	CHECK(addrcount_get(&t, &b) == 1);
	CHECK(addrcount_acquire(&t, &b, 0) == -1);	/* a cap of 0 */
	T_END();

	T_BEGIN("release makes room and frees the entry at zero");
	addrcount_release(&t, &a);
	CHECK(addrcount_acquire(&t, &a, 3) == 0);
	for (i = 0; i < 3; i++)
		addrcount_release(&t, &a);
	CHECK(addrcount_get(&t, &a) == 0);
	CHECK(t.entries == 1);
	addrcount_release(&t, &a);	/* one too many: ignored */
	CHECK(addrcount_get(&t, &a) == 0 && t.entries == 1);
	addrcount_release(&t, &b);
	CHECK(t.entries == 0);
	T_END();

	T_BEGIN("100,000 addresses, one each: all admitted, all freed");
	for (i = 0; i < 100000; i++) {
		snprintf(text, sizeof(text), "10.%d.%d.%d", i >> 16,
		    (i >> 8) & 255, i & 255);
		a = key4(text);
		refused += addrcount_acquire(&t, &a, 1) == -1;
		refused += addrcount_acquire(&t, &a, 1) == 0;
	}
	CHECK(refused == 0);
	CHECK(t.entries == 100000);
	for (i = 0; i < 100000; i++) {
		snprintf(text, sizeof(text), "10.%d.%d.%d", i >> 16,
		    (i >> 8) & 255, i & 255);
		a = key4(text);
		addrcount_release(&t, &a);
	}
	CHECK(t.entries == 0);
	T_END();
}

int
main(void)
{
	if (sodium_init() == -1)
		t_die("sodium_init");
	test_keys();
	test_counts();
	return t_done();
}
