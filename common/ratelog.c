/*
 * Rate-limited warnings: see ratelog.h.
 */
#include <stdarg.h>
#include <stdio.h>

#include "log.h"
#include "ratelog.h"

void
ratelog_warnx(struct ratelog *rl, const char *fmt, ...)
{
	char	 msg[512];
	time_t	 now = time(NULL);
	va_list	 ap;

	if (rl->last != 0 && now - rl->last < RATELOG_S) {
		rl->quiet++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (rl->quiet > 0)
		log_warnx("%s (and %llu more in the last %lld s)", msg,
		    (unsigned long long)rl->quiet, (long long)(now - rl->last));
	else
		log_warnx("%s", msg);
	rl->last = now;
	rl->quiet = 0;
}
