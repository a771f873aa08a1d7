/*
 * The steppable wall clock of test builds (testclock.h).  It reads the
 * environment, so the first call must come before anything clears it;
 * log functions call time() too, so this file logs nothing.
 */
#ifdef GW_TEST_HOOKS
#include <stdlib.h>
#include <time.h>

#include "testclock.h"

#undef time

#define TESTCLOCK_MAX	8

static struct {
	time_t	 at, offset;
}		 steps[TESTCLOCK_MAX];
static int	 nsteps = -1;

static void
testclock_parse(void)
{
	const char	*s = getenv("GW_TEST_CLOCK_STEPS");
	char		*end;
	long long	 at, off;

	nsteps = 0;
	while (s != NULL && *s != '\0' && nsteps < TESTCLOCK_MAX) {
		at = strtoll(s, &end, 10);
		if (end == s || *end != ':')
			return;
		s = end + 1;
		off = strtoll(s, &end, 10);
		if (end == s || (*end != ',' && *end != '\0'))
			return;
		steps[nsteps].at = (time_t)at;
		steps[nsteps].offset = (time_t)off;
		nsteps++;
		s = *end == ',' ? end + 1 : end;
	}
}

time_t
gw_test_time(time_t *tp)
{
	time_t	 now = time(NULL), off = 0;
	int	 i;

	if (nsteps == -1)
		testclock_parse();
	for (i = 0; i < nsteps && steps[i].at <= now; i++)
		off = steps[i].offset;
	now += off;
	if (tp != NULL)
		*tp = now;
	return now;
}
#else
/* ISO C wants something in every translation unit. */
typedef int	testclock_unused;
#endif
