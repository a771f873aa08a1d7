/*
 * credd's clock for ticket checks.  A ticket is valid on its spend date
 * only and its pay_info for 30 s, so tests of the running daemon with
 * committed tickets (regress/vectors/ecash) must set the clock: test
 * builds read GW_TEST_CREDD_NOW (unix seconds) once and run the clock
 * from there.  Release builds have no hook.
 */
#include <stdlib.h>
#include <time.h>

#include "credd.h"
#include "log.h"
#include "util.h"

time_t
credd_now(void)
{
#ifdef GW_TEST_HOOKS
	static int	 read;
	static time_t	 offset;
	const char	*s, *errstr;
	long long	 v;

	if (!read) {
		read = 1;
		if ((s = getenv("GW_TEST_CREDD_NOW")) != NULL) {
			v = gw_strtonum(s, 0, 1LL << 40, &errstr);
			if (errstr == NULL) {
				offset = (time_t)v - time(NULL);
				log_warnx("test hook: GW_TEST_CREDD_NOW=%lld",
				    v);
			}
		}
	}
	return time(NULL) + offset;
#else
	return time(NULL);
#endif
}
