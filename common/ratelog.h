/*
 * One log line per kind of event per minute: an attack is seen at the
 * default verbosity without the log becoming the attack's amplifier.
 * The line after a quiet spell says how many were left out.
 */
#ifndef GW_RATELOG_H
#define GW_RATELOG_H

#include <stdint.h>
#include <time.h>

#define RATELOG_S	60

struct ratelog {
	time_t		 last;
	uint64_t	 quiet;		/* events not logged since */
};

void	ratelog_warnx(struct ratelog *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

#endif
