/*
 * verlocd's intake of the node list the master relays from credd
 * (verlocd/nodelist.c), and the order of a run's results (nym-node's
 * models.rs): chunks must come in order with one total; entries with a
 * bad family, port or key, and our own, are dropped.
 */
#include <string.h>

#include <sodium.h>

#include "testlib.h"
#include "verlocd/verlocd.h"

static size_t
chunk(uint8_t *buf, int ok, uint32_t total, uint32_t first,
    const struct gw_verloc_node *e, uint32_t n)
{
	struct gw_verloc_nodes	 h = { ok, total, first, n };

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), e, n * sizeof(*e));
	return sizeof(h) + n * sizeof(*e);
}

static void
node(struct gw_verloc_node *e, const uint8_t *pk, uint8_t family,
    uint16_t port)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->identity, pk, 32);
	e->family = family;
	e->ip[0] = 127;
	e->ip[3] = 1;
	e->port = port;
}

static void
test_list(void)
{
	static uint8_t		 buf[sizeof(struct gw_verloc_nodes) +
				    8 * sizeof(struct gw_verloc_node)];
	struct gw_verloc_node	 e[6];
	struct vl_list		 l;
	uint8_t			 a[32], b[32], self[32], sk[64], bad[32];
	size_t			 len;

	crypto_sign_keypair(a, sk);
	crypto_sign_keypair(b, sk);
	crypto_sign_keypair(self, sk);
	memset(bad, 0xff, sizeof(bad));		/* not a point */
	node(&e[0], a, 4, 1790);
	node(&e[1], b, 6, 1791);
	node(&e[2], self, 4, 1790);
	node(&e[3], bad, 4, 1790);
	node(&e[4], a, 5, 1790);
	node(&e[5], a, 4, 0);
	memset(&l, 0, sizeof(l));

	T_BEGIN("a list in two chunks: two usable, four dropped");
	len = chunk(buf, 1, 6, 0, e, 4);
	CHECK(vl_list_feed(&l, buf, len, self) == 0);
	len = chunk(buf, 1, 6, 4, e + 4, 2);
	CHECK(vl_list_feed(&l, buf, len, self) == 1);
	CHECK(l.ok && l.n == 2 && l.skipped == 4);
	CHECK(memcmp(l.t[0].identity, a, 32) == 0 && l.t[0].port == 1790 &&
	    l.t[1].family == 6 && l.t[1].port == 1791);
	T_END();
	vl_list_clear(&l);

	T_BEGIN("no list: ok 0 and nothing in it");
	len = chunk(buf, 0, 0, 0, e, 0);
	CHECK(vl_list_feed(&l, buf, len, self) == 1 && !l.ok && l.n == 0);
	len = chunk(buf, 0, 1, 0, e, 1);
	CHECK(vl_list_feed(&l, buf, len, self) == -1);
	T_END();
	vl_list_clear(&l);

	T_BEGIN("out of order, a changed total, a short payload: refused");
	len = chunk(buf, 1, 6, 2, e, 2);
	CHECK(vl_list_feed(&l, buf, len, self) == -1);
	len = chunk(buf, 1, 6, 0, e, 2);
	CHECK(vl_list_feed(&l, buf, len, self) == 0);
	len = chunk(buf, 1, 7, 2, e, 2);
	CHECK(vl_list_feed(&l, buf, len, self) == -1);
	len = chunk(buf, 1, 6, 2, e, 2);
	CHECK(vl_list_feed(&l, buf, len - 1, self) == -1);
	len = chunk(buf, 1, 2, 1, e, 2);
	CHECK(vl_list_feed(&l, buf, len, self) == -1);
	len = chunk(buf, 1, GW_VERLOC_NODES_MAX + 1, 0, e, 1);
	CHECK(vl_list_feed(&l, buf, len, self) == -1);
	T_END();
	vl_list_clear(&l);
}

static void
test_sort(void)
{
	struct vl_result	 r[5];
	size_t			 i;

	memset(r, 0, sizeof(r));
	for (i = 0; i < 5; i++)
		r[i].order = i;
	r[1].measured = 1;
	r[1].st.minimum = 420;
	r[2].measured = 1;
	r[2].st.minimum = 42;
	r[2].st.standard_deviation = 9;
	r[4].measured = 1;
	r[4].st.minimum = 42;
	r[4].st.standard_deviation = 3;
	T_BEGIN("by minimum, then standard deviation; unmeasured last, in list order");
	vl_results_sort(r, 5);
	CHECK(r[0].order == 4 && r[1].order == 2 && r[2].order == 1 &&
	    r[3].order == 0 && r[4].order == 3);
	T_END();
}

int
main(void)
{
	if (sodium_init() == -1)
		return 1;
	test_list();
	test_sort();
	return t_done();
}
