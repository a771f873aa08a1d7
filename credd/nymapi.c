/*
 * HTTP(S) to nym-api and the signers: libcurl's multi interface driven
 * by our libevent loop (CURLMOPT_SOCKETFUNCTION/TIMERFUNCTION and
 * curl_multi_socket_action), so no request ever blocks the channel to
 * clientd.  Every request has a timeout, a response size limit, and is
 * retried with backoff over the given base URLs in turn.  Only http
 * and https, TLS peers verified, no redirects.  Host names are
 * resolved by resolve.c and handed to libcurl as CURLOPT_RESOLVE
 * entries; libcurl's own resolver (getaddrinfo, hence NSS modules the
 * sandbox would kill us for) is refused in CURLOPT_RESOLVER_START.
 */
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "credd.h"
#include "log.h"
#include "util.h"

#define NYMAPI_BACKOFF_MS	500	/* doubled per attempt */
#define NYMAPI_BACKOFF_MAX_MS	30000

struct nymapi {
	struct event_base	*base;
	struct resolver		*res;
	CURLM			*multi;
	struct event		*timer;
	uint32_t		 timeout_ms;
	unsigned		 inflight;
	struct curl_blob	 ca;		/* .data NULL: system store */
};

struct nreq {
	struct nymapi		*api;
	CURL			*easy;
	struct curl_slist	*headers;
	struct curl_slist	*resolve;	/* this attempt's addresses */
	char			 host[RESOLVE_HOST_MAX];
	long			 port;
	int			 literal;	/* an IP in the URL */
	char			**bases;
	size_t			 nbases;
	char			*path;
	char			*body;		/* POST body, or NULL */
	unsigned		 attempt, attempts;
	char			*buf;
	size_t			 len, cap;
	int			 too_big;
	char			 err[CURL_ERROR_SIZE];
	char			 url[GW_URL_MAX + 256];	/* for logs */
	struct event		*backoff;
	nymapi_cb		 cb;
	void			*arg;
};

/* One libevent event per socket curl asks us to watch. */
struct nsock {
	struct event		*ev;
	curl_socket_t		 fd;
};

static void	nreq_start(struct nreq *);

static void
nreq_free(struct nreq *r)
{
	size_t	 i;

	if (r->backoff != NULL)
		event_free(r->backoff);
	curl_slist_free_all(r->headers);
	curl_slist_free_all(r->resolve);
	for (i = 0; i < r->nbases; i++)
		free(r->bases[i]);
	free(r->bases);
	free(r->path);
	free(r->body);
	free(r->buf);
	free(r);
}

static size_t
nreq_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct nreq	*r = arg;
	size_t		 n = size * nmemb;

	/* Past the limit: returning short makes curl fail the transfer. */
	if (n > NYMAPI_BODY_MAX - r->len) {
		r->too_big = 1;
		return 0;
	}
	if (r->len + n + 1 > r->cap) {
		r->cap = (r->len + n + 1) * 2;
		if (r->cap > NYMAPI_BODY_MAX + 1)
			r->cap = NYMAPI_BODY_MAX + 1;
		r->buf = xreallocarray(r->buf, r->cap, 1);
	}
	memcpy(r->buf + r->len, p, n);
	r->len += n;
	r->buf[r->len] = '\0';
	return n;
}

static void
nreq_finish(struct nreq *r, int status)
{
	struct nymapi	*api = r->api;

	api->inflight--;
	r->cb(status, r->buf != NULL ? r->buf : "", r->len, r->arg);
	nreq_free(r);
}

static void
nreq_backoff_cb(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	nreq_start(arg);
}

/* A failed attempt: the next base URL after a delay, or give up. */
static void
nreq_retry(struct nreq *r, const char *why)
{
	struct timeval	 tv;
	uint64_t	 ms;

	log_debug("nym-api %s (attempt %u/%u): %s", r->path, r->attempt,
	    r->attempts, why);
	if (r->attempt >= r->attempts) {
		nreq_finish(r, 0);
		return;
	}
	ms = (uint64_t)NYMAPI_BACKOFF_MS << (r->attempt - 1 < 6 ?
	    r->attempt - 1 : 6);
	if (ms > NYMAPI_BACKOFF_MAX_MS)
		ms = NYMAPI_BACKOFF_MAX_MS;
	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	if (r->backoff == NULL &&
	    (r->backoff = evtimer_new(r->api->base, nreq_backoff_cb, r)) ==
	    NULL)
		fatalx("evtimer_new");
	evtimer_add(r->backoff, &tv);
}

static void
nreq_done(struct nreq *r, CURLcode rc)
{
	long	 status = 0;

	curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_multi_remove_handle(r->api->multi, r->easy);
	curl_easy_cleanup(r->easy);
	r->easy = NULL;
	curl_slist_free_all(r->resolve);
	r->resolve = NULL;
	if (rc != CURLE_OK) {
		/* Not worth a debug line only: an operator must see that
		 * a peer's certificate is not trusted (nym_api.ca_file). */
		if (rc == CURLE_PEER_FAILED_VERIFICATION ||
		    rc == CURLE_SSL_CACERT_BADFILE ||
		    rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_CONNECT_ERROR)
			log_warnx("nym-api %s: TLS certificate not trusted or "
			    "TLS failed: %s", r->url, r->err[0] != '\0' ?
			    r->err : curl_easy_strerror(rc));
		nreq_retry(r, r->too_big ? "answer too large" :
		    r->err[0] != '\0' ? r->err : curl_easy_strerror(rc));
		return;
	}
	/* A server error or overload is worth another URL; a 4xx is an
	 * answer (e.g. "not an active ecash signer"). */
	if (status >= 500 || status == 429) {
		nreq_retry(r, "server error");
		return;
	}
	nreq_finish(r, (int)status);
}

static void
nymapi_check_done(struct nymapi *api)
{
	CURLMsg		*m;
	int		 left;
	struct nreq	*r;

	while ((m = curl_multi_info_read(api->multi, &left)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		r = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &r);
		if (r != NULL)
			nreq_done(r, m->data.result);
	}
}

static void
nymapi_event_cb(int fd, short what, void *arg)
{
	struct nymapi	*api = arg;
	int		 running, flags = 0;

	if (what & EV_READ)
		flags |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(api->multi, fd, flags, &running);
	nymapi_check_done(api);
}

static void
nymapi_timer_cb(int fd, short what, void *arg)
{
	struct nymapi	*api = arg;
	int		 running;

	(void)fd;
	(void)what;
	curl_multi_socket_action(api->multi, CURL_SOCKET_TIMEOUT, 0,
	    &running);
	nymapi_check_done(api);
}

static int
nymapi_socket_cb(CURL *easy, curl_socket_t s, int what, void *userp,
    void *socketp)
{
	struct nymapi	*api = userp;
	struct nsock	*ns = socketp;
	short		 kind;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (ns != NULL) {
			event_free(ns->ev);
			free(ns);
		}
		curl_multi_assign(api->multi, s, NULL);
		return 0;
	}
	kind = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
	    ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
	if (ns == NULL) {
		ns = xcalloc(1, sizeof(*ns));
		ns->fd = s;
		curl_multi_assign(api->multi, s, ns);
	} else
		event_free(ns->ev);
	if ((ns->ev = event_new(api->base, s, kind, nymapi_event_cb, api)) ==
	    NULL || event_add(ns->ev, NULL) == -1)
		fatalx("%s: event", __func__);
	return 0;
}

static int
nymapi_timerfn(CURLM *multi, long timeout_ms, void *userp)
{
	struct nymapi	*api = userp;
	struct timeval	 tv;

	(void)multi;
	if (timeout_ms < 0) {
		evtimer_del(api->timer);
		return 0;
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	evtimer_add(api->timer, &tv);
	return 0;
}

struct nymapi *
nymapi_new(struct event_base *base, struct resolver *res,
    uint32_t timeout_ms, const char *ca, size_t calen)
{
	struct nymapi	*api = xcalloc(1, sizeof(*api));

	api->res = res;
	if (ca != NULL) {
		api->ca.data = xmalloc(calen);
		memcpy(api->ca.data, ca, calen);
		api->ca.len = calen;
		api->ca.flags = CURL_BLOB_NOCOPY;
	}

	api->base = base;
	api->timeout_ms = timeout_ms ? timeout_ms : 10000;
	if ((api->multi = curl_multi_init()) == NULL ||
	    (api->timer = evtimer_new(base, nymapi_timer_cb, api)) == NULL)
		fatalx("%s", __func__);
	curl_multi_setopt(api->multi, CURLMOPT_SOCKETFUNCTION,
	    nymapi_socket_cb);
	curl_multi_setopt(api->multi, CURLMOPT_SOCKETDATA, api);
	curl_multi_setopt(api->multi, CURLMOPT_TIMERFUNCTION, nymapi_timerfn);
	curl_multi_setopt(api->multi, CURLMOPT_TIMERDATA, api);
	/* A handful of hosts: keep the pool of connections small. */
	curl_multi_setopt(api->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 16L);
	return api;
}

void
nymapi_free(struct nymapi *api)
{
	if (api == NULL)
		return;
	curl_multi_cleanup(api->multi);
	event_free(api->timer);
	free(api->ca.data);
	free(api);
}

/*
 * libcurl is about to resolve a name itself.  For an IP literal that is
 * a formality it handles without NSS; for a name it means our
 * CURLOPT_RESOLVE entry was not used, and getaddrinfo() could load a
 * module the sandbox kills us for: refuse, loudly.
 */
static int
nreq_resolver_start(void *resolver_state, void *reserved, void *arg)
{
	struct nreq	*r = arg;

	(void)resolver_state;
	(void)reserved;
	if (r->literal)
		return 0;
	log_warnx("nym-api %s: libcurl would resolve %s itself; refused",
	    r->url, r->host);
	return 1;
}

/* The host and port of url (host lower-cased, IPv6 in brackets). */
static int
nreq_parse_host(struct nreq *r, const char *url)
{
	CURLU	*u;
	char	*host = NULL, *port = NULL;
	int	 rv = -1;

	if ((u = curl_url()) == NULL)
		fatalx("curl_url");
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK)
		goto out;
	r->port = strtol(port, NULL, 10);
	if ((r->literal = resolve_is_literal(host)))
		rv = gw_strlcpy(r->host, host, sizeof(r->host)) <
		    sizeof(r->host) ? 0 : -1;
	else
		rv = resolve_host_normalize(host, r->host, sizeof(r->host));
	if (r->port <= 0 || r->port > 65535)
		rv = -1;
out:
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rv;
}

static void
nreq_transfer(struct nreq *r)
{
	if ((r->easy = curl_easy_init()) == NULL)
		fatalx("curl_easy_init");
	curl_easy_setopt(r->easy, CURLOPT_URL, r->url);
	curl_easy_setopt(r->easy, CURLOPT_ERRORBUFFER, r->err);
	if (r->resolve != NULL)
		curl_easy_setopt(r->easy, CURLOPT_RESOLVE, r->resolve);
	curl_easy_setopt(r->easy, CURLOPT_RESOLVER_START_FUNCTION,
	    nreq_resolver_start);
	curl_easy_setopt(r->easy, CURLOPT_RESOLVER_START_DATA, r);
	/* Read before the sandbox: no CA file is opened per request. */
	if (r->api->ca.data != NULL) {
		curl_easy_setopt(r->easy, CURLOPT_CAINFO_BLOB, &r->api->ca);
		curl_easy_setopt(r->easy, CURLOPT_CAPATH, NULL);
	}
	curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
	curl_easy_setopt(r->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(r->easy, CURLOPT_FOLLOWLOCATION, 0L);
	/* A proxy from the environment would be a name libcurl resolves
	 * (and workers get no environment anyway). */
	curl_easy_setopt(r->easy, CURLOPT_PROXY, "");
	curl_easy_setopt(r->easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(r->easy, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->easy, CURLOPT_TIMEOUT_MS, (long)r->api->timeout_ms);
	curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)r->api->timeout_ms);
	curl_easy_setopt(r->easy, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)NYMAPI_BODY_MAX);
	curl_easy_setopt(r->easy, CURLOPT_USERAGENT, "gatewayd/" GW_VERSION);
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, nreq_write);
	curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->headers);
	if (r->body != NULL) {
		curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(r->body));
	}
	if (curl_multi_add_handle(r->api->multi, r->easy) != CURLM_OK)
		fatalx("curl_multi_add_handle");
}

static void
nreq_resolved(const char *addrs, const char *err, void *arg)
{
	struct nreq	*r = arg;
	char		 entry[RESOLVE_HOST_MAX + RESOLVE_ADDRS_LEN + 16];
	char		 why[RESOLVE_HOST_MAX + 160];

	if (addrs == NULL) {
		snprintf(why, sizeof(why), "cannot resolve %s: %s", r->host,
		    err);
		nreq_retry(r, why);
		return;
	}
	snprintf(entry, sizeof(entry), "%s:%ld:%s", r->host, r->port, addrs);
	if ((r->resolve = curl_slist_append(NULL, entry)) == NULL)
		fatalx("curl_slist_append");
	nreq_transfer(r);
}

static void
nreq_start(struct nreq *r)
{
	char		 url[GW_URL_MAX + 256];
	const char	*b;
	size_t		 bl;

	if (r->nbases == 0) {
		r->attempt++;
		nreq_retry(r, "no nym-api URL configured");
		return;
	}
	/* Rotate: attempt k goes to base k mod n. */
	b = r->bases[r->attempt % r->nbases];
	bl = strlen(b);
	r->attempt++;
	while (bl > 0 && b[bl - 1] == '/')
		bl--;
	if ((size_t)snprintf(url, sizeof(url), "%.*s%s", (int)bl, b,
	    r->path) >= sizeof(url)) {
		nreq_retry(r, "URL too long");
		return;
	}
	r->len = 0;
	r->too_big = 0;
	r->err[0] = '\0';
	snprintf(r->url, sizeof(r->url), "%s", url);
	if (nreq_parse_host(r, url) == -1) {
		nreq_retry(r, "not a URL with a valid host name");
		return;
	}
	if (r->literal)
		nreq_transfer(r);
	else
		resolve_lookup(r->api->res, r->host, nreq_resolved, r);
}

void
nymapi_request(struct nymapi *api, const char *const *bases, size_t n,
    const char *path, const char *body, unsigned attempts, nymapi_cb cb,
    void *arg)
{
	struct nreq	*r = xcalloc(1, sizeof(*r));
	size_t		 i;

	r->api = api;
	r->nbases = n;
	r->bases = xreallocarray(NULL, n ? n : 1, sizeof(char *));
	for (i = 0; i < n; i++)
		r->bases[i] = xstrdup(bases[i]);
	r->path = xstrdup(path);
	r->body = body != NULL ? xstrdup(body) : NULL;
	r->attempts = attempts ? attempts : 1;
	r->cb = cb;
	r->arg = arg;
	r->headers = curl_slist_append(NULL, "Accept: application/json");
	if (body != NULL)
		r->headers = curl_slist_append(r->headers,
		    "Content-Type: application/json");
	api->inflight++;
	if (n == 0) {
		/* Nowhere to ask: answered from the loop, never inline. */
		struct timeval tv = { 0, 0 };

		r->attempts = 1;
		if ((r->backoff = evtimer_new(api->base, nreq_backoff_cb, r)) ==
		    NULL)
			fatalx("evtimer_new");
		evtimer_add(r->backoff, &tv);
		return;
	}
	nreq_start(r);
}
