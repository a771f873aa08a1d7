/*
 * credd_now(): the injectable clock ticket checks run on.  Test builds
 * (make check builds with TEST_HOOKS) start it at GW_TEST_CREDD_NOW.
 */
#include <stdlib.h>
#include <time.h>

#include "credd/credd.h"
#include "testlib.h"

int
main(void)
{
	time_t	 t;

	T_BEGIN("credd_now starts at GW_TEST_CREDD_NOW and runs on");
#ifdef GW_TEST_HOOKS
	setenv("GW_TEST_CREDD_NOW", "1779278400", 1);	/* 2026-05-20 */
	t = credd_now();
	CHECK(t >= 1779278400 && t <= 1779278402);
	/* read once: later changes are not a second clock */
	setenv("GW_TEST_CREDD_NOW", "42", 1);
	t = credd_now();
	CHECK(t >= 1779278400 && t <= 1779278402);
#else
	t = credd_now();
	CHECK(t >= time(NULL) - 1 && t <= time(NULL) + 1);
#endif
	T_END();
	return t_done();
}
