/*
 * Host names for credd's HTTP(S) requests, resolved without glibc's
 * name service switch.
 *
 * getaddrinfo() loads the NSS modules nsswitch.conf names for "hosts"
 * (resolve, mdns4_minimal, myhostname, hesiod, sss, ...) with dlopen()
 * on the first lookup that needs one, and again when nsswitch.conf
 * changes.  A module needs an executable mapping and then makes the
 * system calls it likes (netlink, D-Bus, a daemon's UNIX socket), which
 * no allowlist written here can foresee: the sandbox killed credd on
 * every host whose nsswitch.conf names one (ARCHITECTURE.md, Names).
 * c-ares reads /etc/hosts and /etc/resolv.conf itself and sends its DNS
 * queries from our own event loop, so credd makes the same few calls on
 * every host.  The order is always files, then DNS, whatever
 * nsswitch.conf says; what that leaves out is written in
 * gatewayd.conf(5).
 *
 * Each lookup has a c-ares channel of its own, made when it starts, so a
 * changed resolv.conf applies to the next lookup without a restart.
 * Answers are cached for their TTL (bounded both ways), failures for a
 * few seconds, and lookups of one name under way at once are shared.
 * Callbacks always run from the event loop, never inside the caller.
 */
#include <sys/queue.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ares.h>
#include <event2/event.h>

#include "credd.h"
#include "log.h"
#include "util.h"

#define RES_CACHE_MAX		64
#define RES_TTL_MIN_MS		(30 * 1000)
#define RES_TTL_MAX_MS		(10 * 60 * 1000)
#define RES_NEGATIVE_MS		(5 * 1000)
/* A name that keeps failing is worth one warning a minute. */
#define RES_WARN_MS		(60 * 1000)
/* Per query and server try; c-ares's defaults are 5 s and 4 tries. */
#define RES_TRY_MS		2000
#define RES_TRIES		2

struct res_waiter {
	SLIST_ENTRY(res_waiter)	 entry;
	resolve_cb		 cb;
	void			*arg;
};

struct res_sock {
	SLIST_ENTRY(res_sock)	 entry;
	ares_socket_t		 fd;
	struct event		*ev;
};

/* One name being looked up, with everyone waiting for it. */
struct res_lookup {
	TAILQ_ENTRY(res_lookup)	 entry;
	struct resolver		*res;
	char			 host[RESOLVE_HOST_MAX];
	ares_channel		 ch;
	struct event		*timer;		/* c-ares's retransmissions */
	struct event		*deadline;	/* the whole lookup */
	struct event		*done;		/* finish outside c-ares */
	SLIST_HEAD(, res_sock)	 socks;
	SLIST_HEAD(, res_waiter) waiters;
	int			 finished;
	int			 ok;
	uint64_t		 ttl_ms;
	char			 addrs[RESOLVE_ADDRS_LEN];
	char			 err[128];
};

struct res_entry {
	char			 host[RESOLVE_HOST_MAX];
	int			 ok;
	char			 addrs[RESOLVE_ADDRS_LEN];
	char			 err[128];
	uint64_t		 expires_ms;
	uint64_t		 warned_ms;	/* 0: never */
};

/* A cached answer on its way to the caller through the loop. */
struct res_hit {
	resolve_cb		 cb;
	void			*arg;
	int			 ok;
	char			 text[RESOLVE_ADDRS_LEN];
};

struct resolver {
	struct event_base	*base;
	uint32_t		 timeout_ms;
	TAILQ_HEAD(, res_lookup) lookups;
	struct res_entry	 cache[RES_CACHE_MAX];
	uint64_t		*c_lookups, *c_failures;
};

static void	res_lookup_free(struct res_lookup *);

struct resolver *
resolver_new(struct event_base *base, uint32_t timeout_ms,
    uint64_t *c_lookups, uint64_t *c_failures)
{
	struct resolver	*res = xcalloc(1, sizeof(*res));
	int		 rv;

	/* Before the sandbox: a no-op on Linux today, but required. */
	if ((rv = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS)
		fatalx("ares_library_init: %s", ares_strerror(rv));
	res->base = base;
	res->timeout_ms = timeout_ms;
	res->c_lookups = c_lookups;
	res->c_failures = c_failures;
	TAILQ_INIT(&res->lookups);
	return res;
}

void
resolver_free(struct resolver *res)
{
	struct res_lookup	*l;

	if (res == NULL)
		return;
	/* Waiters are dropped unanswered: only at exit. */
	while ((l = TAILQ_FIRST(&res->lookups)) != NULL)
		res_lookup_free(l);
	ares_library_cleanup();
	free(res);
}

/*
 * A name we are willing to look up, lower-cased, with a single
 * trailing dot removed (libcurl drops it too, and its cache must find
 * our answer): letters, digits, '-', '_' and dots between labels.
 * Anything else, a non-ASCII name included, is refused before libcurl
 * could hand it to libidn2 and iconv.
 */
int
resolve_host_normalize(const char *in, char *out, size_t outlen)
{
	size_t	 n = strlen(in), i, label = 0;

	if (n > 0 && in[n - 1] == '.')
		n--;
	if (n == 0 || n > 253 || n >= outlen)
		return -1;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c == '.') {
			if (label == 0)
				return -1;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				return -1;
		} else
			return -1;
		out[i] = (char)tolower(c);
	}
	if (label == 0)
		return -1;
	out[n] = '\0';
	return 0;
}

/* An IP literal as libcurl sees it in a URL: it needs no lookup. */
int
resolve_is_literal(const char *host)
{
	struct in_addr	 a4;

	return host[0] == '[' || inet_pton(AF_INET, host, &a4) == 1;
}

static struct res_entry *
res_cache_find(struct resolver *res, const char *host)
{
	size_t	 i;

	for (i = 0; i < RES_CACHE_MAX; i++)
		if (res->cache[i].host[0] != '\0' &&
		    strcmp(res->cache[i].host, host) == 0)
			return &res->cache[i];
	return NULL;
}

/* The entry for host: its own, else an empty or the oldest one. */
static struct res_entry *
res_cache_slot(struct resolver *res, const char *host)
{
	struct res_entry	*e, *old = &res->cache[0];
	size_t			 i;

	if ((e = res_cache_find(res, host)) != NULL)
		return e;
	for (i = 0; i < RES_CACHE_MAX; i++) {
		e = &res->cache[i];
		if (e->host[0] == '\0')
			break;
		if (e->expires_ms < old->expires_ms)
			old = e;
	}
	if (i == RES_CACHE_MAX)
		e = old;
	memset(e, 0, sizeof(*e));
	gw_strlcpy(e->host, host, sizeof(e->host));
	return e;
}

static void
res_hit_cb(int fd, short ev, void *arg)
{
	struct res_hit	*h = arg;

	(void)fd;
	(void)ev;
	h->cb(h->ok ? h->text : NULL, h->ok ? NULL : h->text, h->arg);
	free(h);
}

static void
res_answer_later(struct resolver *res, resolve_cb cb, void *arg, int ok,
    const char *text)
{
	struct res_hit	*h = xcalloc(1, sizeof(*h));
	struct timeval	 now = { 0, 0 };

	h->cb = cb;
	h->arg = arg;
	h->ok = ok;
	gw_strlcpy(h->text, text, sizeof(h->text));
	if (event_base_once(res->base, -1, EV_TIMEOUT, res_hit_cb, h,
	    &now) == -1)
		fatalx("%s: event_base_once", __func__);
}

static void
res_sock_free(struct res_sock *s)
{
	event_free(s->ev);
	free(s);
}

static void
res_lookup_free(struct res_lookup *l)
{
	struct res_sock		*s;
	struct res_waiter	*w;

	TAILQ_REMOVE(&l->res->lookups, l, entry);
	/* Marks the query cancelled: res_ares_cb must not act on it. */
	l->finished = 1;
	if (l->ch != NULL)
		ares_destroy(l->ch);
	while ((s = SLIST_FIRST(&l->socks)) != NULL) {
		SLIST_REMOVE_HEAD(&l->socks, entry);
		res_sock_free(s);
	}
	while ((w = SLIST_FIRST(&l->waiters)) != NULL) {
		SLIST_REMOVE_HEAD(&l->waiters, entry);
		free(w);
	}
	event_free(l->timer);
	event_free(l->deadline);
	event_free(l->done);
	free(l);
}

/* After every step of c-ares: when it next wants to be woken. */
static void
res_rearm(struct res_lookup *l)
{
	struct timeval	 tv, *tvp;

	if (l->finished)
		return;
	if ((tvp = ares_timeout(l->ch, NULL, &tv)) != NULL)
		evtimer_add(l->timer, tvp);
	else
		evtimer_del(l->timer);
}

static void
res_sock_cb(int fd, short what, void *arg)
{
	struct res_lookup	*l = arg;

	ares_process_fd(l->ch, (what & EV_READ) ? fd : ARES_SOCKET_BAD,
	    (what & EV_WRITE) ? fd : ARES_SOCKET_BAD);
	res_rearm(l);
}

static void
res_timer_cb(int fd, short what, void *arg)
{
	struct res_lookup	*l = arg;

	(void)fd;
	(void)what;
	ares_process_fd(l->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	res_rearm(l);
}

static void
res_deadline_cb(int fd, short what, void *arg)
{
	struct res_lookup	*l = arg;

	(void)fd;
	(void)what;
	if (l->finished)
		return;
	l->finished = 1;
	snprintf(l->err, sizeof(l->err), "no answer within %u ms",
	    l->res->timeout_ms);
	/* Calls res_ares_cb with ARES_ECANCELLED, which now ignores it. */
	ares_cancel(l->ch);
	event_active(l->done, 0, 0);
}

/* c-ares opens, watches and closes its sockets through this. */
static void
res_sock_state(void *arg, ares_socket_t fd, int readable, int writable)
{
	struct res_lookup	*l = arg;
	struct res_sock		*s;
	short			 kind;

	SLIST_FOREACH(s, &l->socks, entry)
		if (s->fd == fd)
			break;
	if (s != NULL) {
		SLIST_REMOVE(&l->socks, s, res_sock, entry);
		res_sock_free(s);
	}
	if (!readable && !writable)
		return;
	kind = EV_PERSIST | (readable ? EV_READ : 0) |
	    (writable ? EV_WRITE : 0);
	s = xcalloc(1, sizeof(*s));
	s->fd = fd;
	if ((s->ev = event_new(l->res->base, fd, kind, res_sock_cb, l)) ==
	    NULL || event_add(s->ev, NULL) == -1)
		fatalx("%s: event", __func__);
	SLIST_INSERT_HEAD(&l->socks, s, entry);
}

/* "1.2.3.4,[2001:db8::1]": libcurl's CURLOPT_RESOLVE address list. */
static void
res_format(struct res_lookup *l, const struct ares_addrinfo *ai)
{
	const struct ares_addrinfo_node	*n;
	char				 a[INET6_ADDRSTRLEN], one[64];
	int				 count = 0, ttl = -1;
	size_t				 len = 0;

	l->addrs[0] = '\0';
	for (n = ai->nodes; n != NULL && count < RESOLVE_ADDRS_MAX;
	    n = n->ai_next) {
		const void *src;

		if (n->ai_family == AF_INET)
			src = &((const struct sockaddr_in *)
			    (const void *)n->ai_addr)->sin_addr;
		else if (n->ai_family == AF_INET6)
			src = &((const struct sockaddr_in6 *)
			    (const void *)n->ai_addr)->sin6_addr;
		else
			continue;
		if (inet_ntop(n->ai_family, src, a, sizeof(a)) == NULL)
			continue;
		snprintf(one, sizeof(one), n->ai_family == AF_INET6 ?
		    "[%s]" : "%s", a);
		/* The same address once (A records twice, hosts + DNS). */
		if (strstr(l->addrs, one) != NULL)
			continue;
		len += (size_t)snprintf(l->addrs + len, sizeof(l->addrs) - len,
		    "%s%s", count ? "," : "", one);
		count++;
		if (ttl == -1 || n->ai_ttl < ttl)
			ttl = n->ai_ttl;
	}
	l->ok = count > 0;
	if (!l->ok)
		snprintf(l->err, sizeof(l->err), "no IPv4 or IPv6 address");
	l->ttl_ms = ttl > 0 ? (uint64_t)ttl * 1000 : 0;
}

static void
res_ares_cb(void *arg, int status, int timeouts, struct ares_addrinfo *ai)
{
	struct res_lookup	*l = arg;

	(void)timeouts;
	if (!l->finished) {
		if (status == ARES_SUCCESS && ai != NULL)
			res_format(l, ai);
		else
			snprintf(l->err, sizeof(l->err), "%s",
			    ares_strerror(status));
		l->finished = 1;
		event_active(l->done, 0, 0);
	}
	if (ai != NULL)
		ares_freeaddrinfo(ai);
}

static void
res_store(struct resolver *res, const struct res_lookup *l)
{
	struct res_entry	*e = res_cache_slot(res, l->host);
	uint64_t		 now = gw_now_ms(), ttl = l->ttl_ms;

	e->ok = l->ok;
	if (l->ok) {
		gw_strlcpy(e->addrs, l->addrs, sizeof(e->addrs));
		if (ttl < RES_TTL_MIN_MS)
			ttl = RES_TTL_MIN_MS;
		if (ttl > RES_TTL_MAX_MS)
			ttl = RES_TTL_MAX_MS;
		e->expires_ms = now + ttl;
		e->warned_ms = 0;
		return;
	}
	gw_strlcpy(e->err, l->err, sizeof(e->err));
	e->expires_ms = now + RES_NEGATIVE_MS;
	*res->c_failures += 1;
	if (e->warned_ms == 0 || now - e->warned_ms >= RES_WARN_MS) {
		e->warned_ms = now;
		log_warnx("cannot resolve %s: %s (looked up in /etc/hosts, "
		    "then DNS per /etc/resolv.conf); will retry", l->host,
		    l->err);
	} else
		log_debug("cannot resolve %s: %s", l->host, l->err);
}

static void
res_done_cb(int fd, short what, void *arg)
{
	struct res_lookup	*l = arg;
	struct resolver		*res = l->res;
	struct res_waiter	*w;

	(void)fd;
	(void)what;
	res_store(res, l);
	/* A callback may ask for the same name again: the cache answers,
	 * or, for a failure already warned of, this lookup's list. */
	while ((w = SLIST_FIRST(&l->waiters)) != NULL) {
		SLIST_REMOVE_HEAD(&l->waiters, entry);
		w->cb(l->ok ? l->addrs : NULL, l->ok ? NULL : l->err, w->arg);
		free(w);
	}
	res_lookup_free(l);
}

static struct res_lookup *
res_lookup_find(struct resolver *res, const char *host)
{
	struct res_lookup	*l;

	/* A finished one too: its answer is on its way from the loop. */
	TAILQ_FOREACH(l, &res->lookups, entry)
		if (strcmp(l->host, host) == 0)
			return l;
	return NULL;
}

static void
res_lookup_start(struct res_lookup *l)
{
	struct resolver			*res = l->res;
	struct ares_options		 opt;
	struct ares_addrinfo_hints	 hints;
	struct timeval			 tv;
	char				 lookups[] = "fb";
	int				 rv;

	memset(&opt, 0, sizeof(opt));
	opt.sock_state_cb = res_sock_state;
	opt.sock_state_cb_data = l;
	opt.timeout = RES_TRY_MS;
	opt.tries = RES_TRIES;
	/* Files, then DNS ("b"ind): nsswitch.conf's modules are not ours
	 * to run, and c-ares would drop the rest of its line anyway. */
	opt.lookups = lookups;
	rv = ares_init_options(&l->ch, &opt, ARES_OPT_SOCK_STATE_CB |
	    ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_LOOKUPS);
	if (rv != ARES_SUCCESS) {
		l->ch = NULL;
		l->finished = 1;
		snprintf(l->err, sizeof(l->err), "resolver set-up: %s",
		    ares_strerror(rv));
		event_active(l->done, 0, 0);
		return;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	/* No service: a name would be looked up in the services database,
	 * which is NSS again. */
	ares_getaddrinfo(l->ch, l->host, NULL, &hints, res_ares_cb, l);
	tv.tv_sec = res->timeout_ms / 1000;
	tv.tv_usec = (suseconds_t)(res->timeout_ms % 1000) * 1000;
	evtimer_add(l->deadline, &tv);
	res_rearm(l);
}

void
resolve_lookup(struct resolver *res, const char *host, resolve_cb cb,
    void *arg)
{
	struct res_entry	*e;
	struct res_lookup	*l;
	struct res_waiter	*w;
	char			 name[RESOLVE_HOST_MAX];

	if (resolve_host_normalize(host, name, sizeof(name)) == -1) {
		res_answer_later(res, cb, arg, 0, "not a valid host name");
		return;
	}
	if ((e = res_cache_find(res, name)) != NULL &&
	    e->expires_ms > gw_now_ms()) {
		res_answer_later(res, cb, arg, e->ok, e->ok ? e->addrs :
		    e->err);
		return;
	}
	w = xcalloc(1, sizeof(*w));
	w->cb = cb;
	w->arg = arg;
	if ((l = res_lookup_find(res, name)) != NULL) {
		SLIST_INSERT_HEAD(&l->waiters, w, entry);
		return;
	}
	l = xcalloc(1, sizeof(*l));
	l->res = res;
	gw_strlcpy(l->host, name, sizeof(l->host));
	SLIST_INIT(&l->socks);
	SLIST_INIT(&l->waiters);
	SLIST_INSERT_HEAD(&l->waiters, w, entry);
	if ((l->timer = evtimer_new(res->base, res_timer_cb, l)) == NULL ||
	    (l->deadline = evtimer_new(res->base, res_deadline_cb, l)) ==
	    NULL ||
	    (l->done = event_new(res->base, -1, 0, res_done_cb, l)) == NULL)
		fatalx("%s: event", __func__);
	TAILQ_INSERT_TAIL(&res->lookups, l, entry);
	*res->c_lookups += 1;
	res_lookup_start(l);
}
