/*
 * common/roles.c: the role table is consistent, and it states the
 * channel rules ARCHITECTURE.md promises (mixd never reaches storaged;
 * only the master talks to everyone).
 */
#include <stdio.h>
#include <string.h>

#include "roles.h"
#include "testlib.h"

static void
test_symmetric(void)
{
	unsigned	 a, b;

	T_BEGIN("every channel in the role table is listed at both ends");
	for (a = 0; a < PROC_MAX; a++)
		for (b = 0; b < PROC_MAX; b++)
			CHECKF(gw_role_talks(a, b) == gw_role_talks(b, a),
			    "%s/%s", gw_role(a)->name, gw_role(b)->name);
	for (a = 0; a < PROC_MAX; a++)
		CHECKF(!gw_role_talks(a, a), "%s to itself", gw_role(a)->name);
	T_END();
}

static void
test_channels(void)
{
	unsigned	 p, n = 0, a, b;

	T_BEGIN("mixd and storaged have no channel; apid and verlocd talk to the master alone; the master has one to each worker");
	CHECK(!gw_role_talks(PROC_MIXD, PROC_STORAGED));
	for (p = GW_FIRST_WORKER; p < PROC_MAX; p++)
		CHECKF(!gw_role_talks(PROC_APID, p) &&
		    !gw_role_talks(PROC_VERLOCD, p), "apid or verlocd/%s",
		    gw_role(p)->name);
	for (p = GW_FIRST_WORKER; p < PROC_MAX; p++)
		CHECK(gw_role_talks(PROC_PARENT, p));
	for (a = GW_FIRST_WORKER; a < PROC_MAX; a++)
		for (b = a + 1; b < PROC_MAX; b++)
			n += gw_role_talks(a, b);
	CHECKF(n == 5, "%u sibling channels", n);
	T_END();
}

static void
test_rows(void)
{
	unsigned	 p, q;

	T_BEGIN("each worker has its own name, config message and user");
	for (p = GW_FIRST_WORKER; p < PROC_MAX; p++) {
		CHECK(gw_role(p)->conf_type != IMSG_NONE);
		CHECK(gw_role(p)->conf_size > 0);
		CHECK(gw_role(p)->user != ROLE_USER_ROOT);
		for (q = 0; q < p; q++) {
			CHECK(strcmp(gw_role(p)->name, gw_role(q)->name) != 0);
			CHECK(gw_role(p)->conf_type != gw_role(q)->conf_type);
		}
	}
	CHECK(gw_role(PROC_STORAGED)->user == ROLE_USER_STORAGE);
	CHECK(strcmp(gw_proc_name(PROC_CREDD), "credd") == 0);
	T_END();
}

static void
test_listeners(void)
{
	T_BEGIN("each listener kind has one worker: mix to mixd, clients to clientd, HTTP to apid, verloc to verlocd");
	CHECK(gw_role_for_listener(LISTEN_MIX) == PROC_MIXD);
	CHECK(gw_role_for_listener(LISTEN_CLIENTS) == PROC_CLIENTD);
	CHECK(gw_role_for_listener(LISTEN_HTTP) == PROC_APID);
	CHECK(gw_role_for_listener(LISTEN_VERLOC) == PROC_VERLOCD);
	CHECK(!(gw_role(PROC_APID)->listeners & ROLE_BIT(LISTEN_VERLOC)));
	T_END();
}

int
main(void)
{
	test_symmetric();
	test_channels();
	test_rows();
	test_listeners();
	return t_done();
}
