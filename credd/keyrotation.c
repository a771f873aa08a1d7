/*
 * nym-api's key-rotation info (GET /v1/epoch/key-rotation-info), for
 * the master, which decides the Sphinx keys (sphinx-mixport.md 7.2).
 *
 * Rotation steps happen at epoch boundaries, so the fetch is timed by
 * the epoch: just after the boundary the last answer predicts, and
 * again soon while nym-api has not moved on (epochs end when nym-api
 * advances them, not by the clock alone).  Between boundaries one
 * fetch per topology interval notices a changed schedule.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "credd.h"
#include "log.h"
#include "util.h"

#define ROTATION_PATH		"/v1/epoch/key-rotation-info"
#define ROTATION_LATE_MIN_MS	100	/* after the predicted boundary */
#define ROTATION_LATE_MAX_MS	5000
#define ROTATION_STUCK_MAX_MS	30000	/* nym-api not yet moved on */
#define ROTATION_FAIL_MS	30000

static struct event		*rot_ev;
static struct gw_rotation_info	 rot_last;
static int			 rot_have;

static int
keyrot_int(json_t *o, const char *key, uint64_t max, uint64_t *out)
{
	json_t	*v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max)
		return -1;
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* RFC 3339 as nym-api writes it: "2026-11-22T10:00:00[.frac](Z|+hh:mm)". */
int
keyrotation_parse_time(const char *s, int64_t *out)
{
	struct tm	 tm;
	int		 y, mo, d, h, mi, sec, n = 0, oh = 0, om = 0, sign = 0;
	time_t		 t;

	if (s == NULL || strlen(s) > 64 || sscanf(s,
	    "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
	    n != 19)
		return -1;
	s += n;
	if (*s == '.') {
		s++;
		if (strspn(s, "0123456789") == 0)
			return -1;
		s += strspn(s, "0123456789");
	}
	if (strcmp(s, "Z") == 0 || strcmp(s, "z") == 0)
		sign = 0;
	else if ((*s == '+' || *s == '-') && strlen(s) == 6 &&
	    sscanf(s + 1, "%2d:%2d", &oh, &om) == 2 && oh < 24 && om < 60)
		sign = *s == '+' ? 1 : -1;
	else
		return -1;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*out = (int64_t)t - sign * (oh * 3600 + om * 60);
	return 0;
}

int
keyrotation_parse(const char *buf, size_t len, struct gw_rotation_info *ri)
{
	json_t		*root, *state, *dur;
	json_error_t	 err;
	uint64_t	 validity, secs, nanos;
	int		 rv = -1;

	memset(ri, 0, sizeof(*ri));
	if ((root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &err)) == NULL)
		return -1;
	state = json_object_get(root, "key_rotation_state");
	dur = json_object_get(root, "epoch_duration");
	if (keyrot_int(root, "current_absolute_epoch_id", UINT32_MAX,
	    &ri->epoch) == -1 ||
	    keyrot_int(state, "initial_epoch_id", UINT32_MAX,
	    &ri->initial_epoch) == -1 ||
	    keyrot_int(state, "validity_epochs", UINT32_MAX, &validity) == -1 ||
	    keyrot_int(dur, "secs", 366ULL * 86400, &secs) == -1 ||
	    keyrot_int(dur, "nanos", 999999999, &nanos) == -1 ||
	    keyrotation_parse_time(json_string_value(json_object_get(root,
	    "current_epoch_start")), &ri->epoch_start) == -1)
		goto out;
	/* An epoch shorter than a second is no schedule we can keep. */
	if (validity == 0 || secs == 0 || ri->epoch < ri->initial_epoch)
		goto out;
	ri->validity_epochs = (uint32_t)validity;
	ri->epoch_secs = (uint32_t)secs;
	rv = 0;
out:
	json_decref(root);
	return rv;
}

static void
keyrotation_schedule(uint64_t ms)
{
	struct timeval	 tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	evtimer_add(rot_ev, &tv);
}

/* Milliseconds until just after the next epoch boundary. */
static uint64_t
keyrotation_next_ms(const struct credd *cd, const struct gw_rotation_info *ri,
    int stuck)
{
	uint64_t	 epoch_ms = (uint64_t)ri->epoch_secs * 1000;
	uint64_t	 late = epoch_ms / 20, ms;
	int64_t		 end_ms, now_ms = (int64_t)time(NULL) * 1000;

	if (late < ROTATION_LATE_MIN_MS)
		late = ROTATION_LATE_MIN_MS;
	if (late > ROTATION_LATE_MAX_MS)
		late = ROTATION_LATE_MAX_MS;
	if (stuck) {
		ms = epoch_ms / 10 < ROTATION_STUCK_MAX_MS ? epoch_ms / 10 :
		    ROTATION_STUCK_MAX_MS;
		return ms < ROTATION_LATE_MIN_MS ? ROTATION_LATE_MIN_MS : ms;
	}
	end_ms = (ri->epoch_start + (int64_t)ri->epoch_secs) * 1000;
	ms = end_ms > now_ms ? (uint64_t)(end_ms - now_ms) + late : late;
	return ms < cd->topology_ms ? ms : cd->topology_ms;
}

static void
keyrotation_done(int status, const char *body, size_t len, void *arg)
{
	struct credd		*cd = arg;
	struct gw_rotation_info	 ri;
	int			 stuck;

	if (status != 200 || keyrotation_parse(body, len, &ri) == -1) {
		*cd->c_api_fail += 1;
		log_warnx("key rotation: %s failed (HTTP %d); Sphinx keys "
		    "unchanged", ROTATION_PATH, status);
		keyrotation_schedule(ROTATION_FAIL_MS < cd->topology_ms ?
		    ROTATION_FAIL_MS : cd->topology_ms);
		return;
	}
	/* Past the predicted end but the same epoch: nym-api is late. */
	stuck = rot_have && ri.epoch == rot_last.epoch &&
	    (int64_t)time(NULL) >= ri.epoch_start + (int64_t)ri.epoch_secs;
	if (!rot_have || memcmp(&ri, &rot_last, sizeof(ri)) != 0)
		imsgev_compose(cd->w->peer[PROC_PARENT], IMSG_ROTATION_INFO, 0,
		    -1, &ri, sizeof(ri));
	rot_last = ri;
	rot_have = 1;
	keyrotation_schedule(keyrotation_next_ms(cd, &ri, stuck));
}

static void
keyrotation_tick(int fd, short ev, void *arg)
{
	struct credd	*cd = arg;

	(void)fd;
	(void)ev;
	nymapi_request(cd->api, cd->bases, cd->nbases, ROTATION_PATH, NULL, 3,
	    keyrotation_done, cd);
}

void
keyrotation_start(struct credd *cd)
{
	if ((rot_ev = evtimer_new(cd->w->base, keyrotation_tick, cd)) == NULL)
		fatalx("evtimer_new");
	keyrotation_schedule(0);
}
