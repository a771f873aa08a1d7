/*
 * Who gets in, who waits and who must go: what a peer can take of
 * clientd is bounded by configuration whatever it sends.
 *
 *  - Connections per address (addrkey.h: an IPv4 address or an IPv6
 *    /64), in all and while still unauthenticated.
 *  - A budget of unauthenticated connections apart from the total: a
 *    stranger cannot hold the slots of clients; when it is spent the
 *    oldest unauthenticated connection makes room for the new one.
 *    Every handshake must also end within handshake_timeout of the
 *    accept, however many messages arrive (conn_set_timer).
 *  - Each client's output (data, replies, pongs: all wslay holds) is
 *    capped: past CLIENTD_SENDQ_MAX its input is no longer read (so it
 *    can queue nothing more) until it drains below CLIENTD_SENDQ_LOW,
 *    and one that does not drain within CLIENTD_DRAIN_MS is dropped.
 *    The kernel's share is fixed (CLIENTD_SOCK_SNDBUF, set at accept):
 *    autotuned, it took up to 4 MB of a reader that stopped reading
 *    before the cap saw anything.
 *  - After load, freed memory goes back to the system (malloc_trim).
 *
 * Every refusal, eviction and drop is counted and logged at most once
 * a minute per kind.
 */
#include <malloc.h>
#include <string.h>

#include "clientd.h"
#include "log.h"

/* The sweep: slow clients' deadlines and giving memory back. */
#define SWEEP_MS		1000
#define TRIM_AFTER_CLOSES	64

static void
admission_sweep(int fd, short what, void *arg)
{
	struct clientd	*cd = arg;
	struct conn	*c, *next;
	uint64_t	 now = clientd_now_ms();

	(void)fd;
	(void)what;
	for (c = TAILQ_FIRST(&cd->slow); c != NULL; c = next) {
		next = TAILQ_NEXT(c, slow_entry);
		if (now - c->out_paused_ms < CLIENTD_DRAIN_MS)
			continue;
		*cd->c_slow_dropped += 1;
		ratelog_warnx(&cd->rl_slow, "dropped a client whose output "
		    "did not drain in %d ms (%zu bytes queued)",
		    CLIENTD_DRAIN_MS, conn_queued(c));
		conn_free(c);
	}
	/* Fragments and queues of closed connections lie scattered over
	 * the heap: without this RSS stays at its peak. */
	if (cd->closed_since_trim >= TRIM_AFTER_CLOSES) {
		malloc_trim(0);
		cd->closed_since_trim = 0;
	}
}

void
admission_init(struct clientd *cd)
{
	struct timeval	 tv = { SWEEP_MS / 1000, (SWEEP_MS % 1000) * 1000 };

	addrcount_init(&cd->addrs);
	addrcount_init(&cd->preaddrs);
	TAILQ_INIT(&cd->preauth);
	TAILQ_INIT(&cd->slow);
	if (cd->w->base != NULL && ((cd->sweep_ev = event_new(cd->w->base,
	    -1, EV_PERSIST, admission_sweep, cd)) == NULL ||
	    event_add(cd->sweep_ev, &tv) == -1))
		fatalx("%s: event", __func__);
}

/* Make room for one more unauthenticated connection: the oldest goes. */
static void
admission_evict(struct clientd *cd)
{
	struct conn	*old = TAILQ_FIRST(&cd->preauth);

	if (old == NULL)
		return;
	*cd->c_preauth_evicted += 1;
	ratelog_warnx(&cd->rl_evict, "%u connections still in the "
	    "handshake: evicting the oldest for a new one",
	    cd->conf->max_unauthenticated);
	conn_free(old);
}

int
admission_admit(struct clientd *cd, const struct addrkey *k)
{
	char	 a[64];

	if (addrcount_get(&cd->preaddrs, k) >=
	    cd->conf->max_unauthenticated_per_address) {
		*cd->c_preauth_refused_addr += 1;
		ratelog_warnx(&cd->rl_preaddr, "%s has %u connections still "
		    "in the handshake: refusing more", addrkey_fmt(k,
		    cd->conf->ipv6_prefix, a, sizeof(a)),
		    cd->conf->max_unauthenticated_per_address);
		return -1;
	}
	if (addrcount_acquire(&cd->addrs, k,
	    cd->conf->max_connections_per_address) == -1) {
		*cd->c_conn_refused_addr += 1;
		ratelog_warnx(&cd->rl_addr, "%s has %u connections: refusing "
		    "more", addrkey_fmt(k, cd->conf->ipv6_prefix, a,
		    sizeof(a)), cd->conf->max_connections_per_address);
		return -1;
	}
	if (cd->npreauth >= cd->conf->max_unauthenticated)
		admission_evict(cd);
	return 0;
}

void
admission_enter(struct conn *c)
{
	struct clientd	*cd = c->cd;

	(void)addrcount_acquire(&cd->preaddrs, &c->addr, UINT32_MAX);
	TAILQ_INSERT_TAIL(&cd->preauth, c, pre_entry);
	c->preauth = 1;
	cd->npreauth++;
	*cd->c_preauth_open = cd->npreauth;
}

/* Authenticated: no longer one of the strangers. */
void
admission_authenticated(struct conn *c)
{
	struct clientd	*cd = c->cd;

	if (!c->preauth)
		return;
	TAILQ_REMOVE(&cd->preauth, c, pre_entry);
	addrcount_release(&cd->preaddrs, &c->addr);
	c->preauth = 0;
	cd->npreauth--;
	*cd->c_preauth_open = cd->npreauth;
}

void
admission_leave(struct conn *c)
{
	struct clientd	*cd = c->cd;

	admission_authenticated(c);
	if (c->out_paused)
		TAILQ_REMOVE(&cd->slow, c, slow_entry);
	c->out_paused = 0;
	if (c->counted)
		addrcount_release(&cd->addrs, &c->addr);
	c->counted = 0;
	cd->closed_since_trim++;
}

/* After input and after output: pause or resume reading this client. */
void
admission_output(struct conn *c)
{
	struct clientd	*cd = c->cd;
	size_t		 q = conn_queued(c);

	if (!c->out_paused && q > CLIENTD_SENDQ_MAX) {
		c->out_paused = 1;
		c->out_paused_ms = clientd_now_ms();
		TAILQ_INSERT_TAIL(&cd->slow, c, slow_entry);
		*cd->c_output_paused += 1;
		ratelog_warnx(&cd->rl_pause, "a client does not read its "
		    "output (%zu bytes queued): not reading it until it does",
		    q);
		conn_read_enable(c, 0);
	} else if (c->out_paused && q < CLIENTD_SENDQ_LOW) {
		c->out_paused = 0;
		TAILQ_REMOVE(&cd->slow, c, slow_entry);
		conn_read_enable(c, 1);
	}
}
