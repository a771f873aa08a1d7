/*
 * credd's resolver (credd/resolve.c): which names it accepts, how they
 * are normalised for libcurl's cache, and lookups through c-ares of a
 * name /etc/hosts gives (localhost), shared while under way, cached
 * after, and always answered from the loop, never inside the call.
 */
#include <string.h>

#include <event2/event.h>

#include "credd/credd.h"
#include "testlib.h"

struct answer {
	int	 called;
	char	 addrs[RESOLVE_ADDRS_LEN];
	char	 err[128];
};

static void
got(const char *addrs, const char *err, void *arg)
{
	struct answer	*a = arg;

	a->called++;
	snprintf(a->addrs, sizeof(a->addrs), "%s", addrs ? addrs : "");
	snprintf(a->err, sizeof(a->err), "%s", err ? err : "");
}

static int
norm_ok(const char *in, const char *want)
{
	char	 out[RESOLVE_HOST_MAX];

	return resolve_host_normalize(in, out, sizeof(out)) == 0 &&
	    strcmp(out, want) == 0;
}

static int
norm_bad(const char *in)
{
	char	 out[RESOLVE_HOST_MAX];

	return resolve_host_normalize(in, out, sizeof(out)) == -1;
}

static void
test_names(void)
{
	char	 label[80], longname[300];

	memset(label, 'a', 64);
	label[64] = '\0';
	memset(longname, 'a', 254);
	longname[254] = '\0';
	T_BEGIN("host names are lower-cased and lose one trailing dot");
	CHECK(norm_ok("Validator.NymTech.net", "validator.nymtech.net"));
	CHECK(norm_ok("validator.nymtech.net.", "validator.nymtech.net"));
	CHECK(norm_ok("signer_1.example-host.org", "signer_1.example-host.org"));
	T_END();
	T_BEGIN("malformed and non-ASCII names are refused before any lookup");
	CHECK(norm_bad(""));
	CHECK(norm_bad("."));
	CHECK(norm_bad("a..b"));
	CHECK(norm_bad(".a"));
	CHECK(norm_bad("a.b.."));
	CHECK(norm_bad("h\xc3\xa9.example"));
	CHECK(norm_bad("a b"));
	CHECK(norm_bad("a/b"));
	CHECK(norm_bad(label));
	CHECK(norm_bad(longname));
	T_END();
	T_BEGIN("IP literals are told apart from names");
	CHECK(resolve_is_literal("127.0.0.1"));
	CHECK(resolve_is_literal("[::1]"));
	CHECK(!resolve_is_literal("localhost"));
	CHECK(!resolve_is_literal("1.2.3.example"));
	T_END();
}

static void
test_lookups(void)
{
	struct event_base	*base = event_base_new();
	uint64_t		 lookups = 0, failures = 0;
	struct resolver		*res = resolver_new(base, 5000, &lookups,
				    &failures);
	struct answer		 a = { 0 }, b = { 0 }, c = { 0 }, d = { 0 };

	T_BEGIN("two lookups of one name share one query, answered later");
	resolve_lookup(res, "localhost", got, &a);
	resolve_lookup(res, "LOCALHOST.", got, &b);
	CHECK(a.called == 0 && b.called == 0);
	CHECKF(lookups == 1, "%llu lookups", (unsigned long long)lookups);
	event_base_dispatch(base);
	CHECKF(a.called == 1 && b.called == 1, "called %d %d", a.called,
	    b.called);
	CHECKF(strstr(a.addrs, "127.0.0.1") != NULL, "addrs %.100s err %.100s",
	    a.addrs, a.err);
	CHECK(strcmp(a.addrs, b.addrs) == 0);
	T_END();

	T_BEGIN("a fresh answer comes from the cache, still from the loop");
	resolve_lookup(res, "localhost", got, &c);
	CHECK(c.called == 0);
	event_base_dispatch(base);
	CHECK(c.called == 1 && strcmp(c.addrs, a.addrs) == 0);
	CHECK(lookups == 1 && failures == 0);
	T_END();

	T_BEGIN("an invalid name fails without a query");
	resolve_lookup(res, "bad..name", got, &d);
	event_base_dispatch(base);
	CHECK(d.called == 1 && d.addrs[0] == '\0');
	CHECK(strcmp(d.err, "not a valid host name") == 0);
	CHECK(lookups == 1);
	T_END();

	resolver_free(res);
	event_base_free(base);
}

int
main(void)
{
	test_names();
	test_lookups();
	return t_done();
}
