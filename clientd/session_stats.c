/*
 * Client sessions per UTC day, as nym-node's gateway keeps them
 * (nym-node/src/node/metrics/handler/client_sessions.rs): every session
 * that starts is counted; one whose client sent RememberMe is, when it
 * ends, a finished session of its type with its duration, and its
 * client a unique user of the day.  When the day is over, its figures
 * go to the master for apid's /api/v1/metrics/sessions, and the new
 * day starts with the clients still connected as its users.
 *
 * Kept in memory: a restart loses the day so far (nym keeps it in
 * SQLite).  Users are counted by a keyed 64-bit hash of their id, so no
 * id leaves clientd, and nothing here outlives the day.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "clientd.h"
#include "log.h"
#include "util.h"

/* Enough for a busy gateway's day (8 MiB); past it users are no longer
 * added and the count is a lower bound (logged once). */
#define STATS_USERS_MAX		(1u << 20)
#define STATS_TICK_S		60

static const char *const session_type_names[GW_SESSION_NTYPES] = {
	"Vpn", "Mixnet", "Wasm", "Native", "Socks5", "Unknown"
};

/* A day; test builds may shorten it (GW_TEST_CLIENTD_DAY_S), so a
 * test sees one end without waiting for midnight. */
static int64_t	 stats_day_s = 86400;

int64_t
stats_utc_day(time_t t)
{
	return (int64_t)t - ((int64_t)t % stats_day_s + stats_day_s) %
	    stats_day_s;
}

static void
stats_test_day(void)
{
#ifdef GW_TEST_HOOKS
	const char	*s = getenv("GW_TEST_CLIENTD_DAY_S"), *errstr;
	long long	 v;

	if (s != NULL) {
		v = gw_strtonum(s, 2, 86400, &errstr);
		if (errstr == NULL) {
			log_warnx("test hook: a day is %lld s", v);
			stats_day_s = v;
		}
	}
#endif
}

enum gw_session_type
stats_session_type(const char *name)
{
	int	 i;

	for (i = 0; i < GW_SESSION_NTYPES; i++)
		if (strcmp(name, session_type_names[i]) == 0)
			return (enum gw_session_type)i;
	return GW_SESSION_UNKNOWN;
}

static uint64_t
stats_wall_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t
stats_user_key(const struct clientd *cd, const uint8_t *client)
{
	uint8_t		 h[crypto_shorthash_BYTES];
	uint64_t	 k;

	crypto_shorthash(h, client, GW_CLIENT_ID_LEN, cd->stats_key);
	memcpy(&k, h, sizeof(k));
	return k;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t	 x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort and drop repeats: the users array holds each client once. */
static void
stats_users_compact(struct session_stats *st)
{
	size_t	 i, n = 0;

	if (st->nusers == 0)
		return;
	qsort(st->users, st->nusers, sizeof(st->users[0]), u64_cmp);
	for (i = 0; i < st->nusers; i++)
		if (n == 0 || st->users[n - 1] != st->users[i])
			st->users[n++] = st->users[i];
	st->nusers = n;
	st->sorted = n;
}

static void
stats_user_add(struct session_stats *st, uint64_t k)
{
	if (st->nusers == st->maxusers) {
		stats_users_compact(st);
		if (st->nusers + st->nusers / 2 + 16 > st->maxusers &&
		    st->maxusers < STATS_USERS_MAX) {
			st->maxusers = st->maxusers == 0 ? 1024 :
			    st->maxusers * 2;
			if (st->maxusers > STATS_USERS_MAX)
				st->maxusers = STATS_USERS_MAX;
			st->users = xreallocarray(st->users, st->maxusers,
			    sizeof(st->users[0]));
		}
		if (st->nusers == st->maxusers) {
			if (!st->users_full)
				log_warnx("session statistics: more than %u "
				    "clients today: the unique user count is "
				    "a lower bound", STATS_USERS_MAX);
			st->users_full = 1;
			return;
		}
	}
	st->users[st->nusers++] = k;
}

void
stats_session_started(struct conn *c)
{
	struct session_stats	*st = &c->cd->stats;

	c->sess_start_ms = stats_wall_ms();
	c->sess_remember = 0;
	c->sess_type = GW_SESSION_UNKNOWN;
	if (st->sessions_started < UINT32_MAX)
		st->sessions_started++;
}

void
stats_session_remember(struct conn *c, enum gw_session_type type)
{
	if (!c->ready)
		return;
	c->sess_remember = 1;
	c->sess_type = type;
}

void
stats_session_finished(struct conn *c)
{
	struct session_stats	*st = &c->cd->stats;
	struct gw_session_entry	*e;
	uint64_t		 now = stats_wall_ms();

	if (!c->ready || !c->sess_remember)
		return;
	c->sess_remember = 0;
	if (st->sessions_finished < UINT32_MAX)
		st->sessions_finished++;
	if (st->nlisted < GW_SESSION_LIST_MAX) {
		e = &st->list[st->nlisted++];
		e->duration_ms = now > c->sess_start_ms ?
		    now - c->sess_start_ms : 0;
		e->type = c->sess_type;
		e->pad = 0;
	}
	stats_user_add(st, stats_user_key(c->cd, c->client));
}

/* The day's figures to the master, then a new day whose users are the
 * clients still connected (nym's reset_stats). */
static void
stats_day_over(struct clientd *cd, int64_t today)
{
	struct session_stats	*st = &cd->stats;
	struct gw_session_day	 d;
	struct conn		*c;

	stats_users_compact(st);
	memset(&d, 0, sizeof(d));
	d.day = st->day;
	d.unique_users = st->nusers > UINT32_MAX ? UINT32_MAX :
	    (uint32_t)st->nusers;
	d.sessions_started = st->sessions_started;
	d.sessions_finished = st->sessions_finished;
	d.nlisted = st->nlisted;
	if (clientd_send2(cd, PROC_PARENT, IMSG_SESSION_STATS, 0, &d,
	    sizeof(d), st->list, st->nlisted * sizeof(st->list[0])) == -1)
		log_warnx("session statistics of the day lost");
	log_debug("session statistics: %u started, %u finished, %u users",
	    d.sessions_started, d.sessions_finished, d.unique_users);
	st->day = today;
	st->sessions_started = st->sessions_finished = st->nlisted = 0;
	st->nusers = st->sorted = 0;
	st->users_full = 0;
	TAILQ_FOREACH(c, &cd->conns, entry)
		if (c->ready && c->sess_remember)
			stats_user_add(st, stats_user_key(cd, c->client));
}

void
stats_tick(struct clientd *cd, time_t now)
{
	int64_t	 today = stats_utc_day(now);

	if (today != cd->stats.day)
		stats_day_over(cd, today);
}

static void
stats_timer(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	stats_tick(arg, time(NULL));
}

void
stats_init(struct clientd *cd)
{
	struct timeval	 tv = { STATS_TICK_S, 0 };

	stats_test_day();
	if (stats_day_s < 2 * STATS_TICK_S)
		tv.tv_sec = 1;
	memset(&cd->stats, 0, sizeof(cd->stats));
	cd->stats.day = stats_utc_day(time(NULL));
	randombytes_buf(cd->stats_key, sizeof(cd->stats_key));
	if (cd->w != NULL && cd->w->base != NULL && ((cd->stats_ev =
	    event_new(cd->w->base, -1, EV_PERSIST, stats_timer, cd)) ==
	    NULL || event_add(cd->stats_ev, &tv) == -1))
		fatalx("%s: event", __func__);
}
