/*
 * A wall clock that tests can step (test builds only).  mk/flags.mk
 * force-includes this header into every file of a TEST_HOOKS build, so
 * each time() in gatewayd's own code reads gw_test_time(): the real
 * clock plus the offset GW_TEST_CLOCK_STEPS gives for this moment, as
 * "UNIX:OFFSET,..." (from real time UNIX on, the clock reads OFFSET
 * seconds off; at most eight steps, in order).  The daemon's processes
 * get GW_TEST_* from the master, so all of them step together, without
 * libfaketime and without touching the machine's clock.  Monotonic
 * clocks (libevent's timers, gw_now_ms) are not stepped: they are what
 * a real clock step leaves alone too.
 */
#ifndef GW_TESTCLOCK_H
#define GW_TESTCLOCK_H

#ifdef GW_TEST_HOOKS
#include <time.h>

time_t	gw_test_time(time_t *);
#define time(t)	gw_test_time(t)
#endif

#endif
