/*
 * SURB-acks held until their message is safe (ARCHITECTURE.md, Acks).
 *
 * The sender's client stops retransmitting a fragment once its ack is
 * back, so an ack is a promise: it leaves only when clientd reports the
 * message written to the client's socket or committed by storaged
 * (IMSG_MIX_SETTLED).  A message that was not kept (no registration,
 * inbox full, client gone) gets no ack and the sender tries again.
 *
 * Every ack leaves at the same time after its packet was unwrapped,
 * ack_delay, whichever of the two happened, so an observer timing acks
 * cannot tell an online recipient from an offline one.  Only a store
 * slower than the delay shows (acks_late counts it; the operator raises
 * mixnet.ack_delay or looks at the disk).
 *
 * The held acks are a ring in arrival order, indexed by id; ids are
 * consecutive, so a settle finds its slot at once.  The head leaves
 * first: a message still pending holds the acks behind it, which only
 * makes their timing more uniform.  Nothing is allocated per packet.
 */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <sodium.h>

#include "log.h"
#include "mixd.h"
#include "util.h"

#define ACKS_MIN_CAP	1024

enum ack_state {
	ACK_FREE,
	ACK_PENDING,		/* its message not yet safe */
	ACK_SAFE,		/* leaves at due_ms */
	ACK_DROPPED,		/* its message was not kept: never leaves */
};

struct mix_ack {
	uint64_t	 due_ms;
	uint8_t		 state;
	uint8_t		 packet_type;
	uint8_t		 rotation;
	struct nodeaddr	 to;
	uint8_t		 pkt[SPHINX_SIZE_ACK];
};

struct mix_acks {
	struct mixd	*md;
	struct mix_ack	*ring;
	uint64_t	 cap;		/* a power of two */
	uint64_t	 head, tail;	/* ids held: [head, tail) */
	struct event	*timer;
};

static struct mix_ack *
acks_slot(struct mix_acks *a, uint64_t id)
{
	return &a->ring[id & (a->cap - 1)];
}

struct mix_acks *
mix_acks_new(struct mixd *md)
{
	struct mix_acks	*a = xcalloc(1, sizeof(*a));

	a->md = md;
	/* Ids start at 1: 0 means "no ack waits" on the wire. */
	a->head = a->tail = 1;
	if (md->w != NULL && md->w->base != NULL &&
	    (a->timer = evtimer_new(md->w->base, mix_acks_timer, a)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	return a;
}

void
mix_acks_free(struct mix_acks *a)
{
	if (a == NULL)
		return;
	if (a->timer != NULL)
		event_free(a->timer);
	if (a->ring != NULL)
		sodium_memzero(a->ring, a->cap * sizeof(*a->ring));
	free(a->ring);
	free(a);
}

uint64_t
mix_acks_held(const struct mix_acks *a)
{
	return a->tail - a->head;
}

/* Double the ring; every held ack keeps its id. */
static int
acks_grow(struct mix_acks *a)
{
	struct mix_ack	*nr;
	uint64_t	 ncap = a->cap ? a->cap * 2 : ACKS_MIN_CAP, id;

	if (ncap > MIXD_ACKS_MAX)
		return -1;
	nr = xreallocarray(NULL, ncap, sizeof(*nr));
	for (id = a->head; id < a->tail; id++)
		nr[id & (ncap - 1)] = *acks_slot(a, id);
	free(a->ring);
	a->ring = nr;
	a->cap = ncap;
	return 0;
}

uint64_t
mix_acks_hold(struct mix_acks *a, const struct nodeaddr *to,
    uint8_t packet_type, uint8_t rotation, const uint8_t *pkt)
{
	struct mixd	*md = a->md;
	struct mix_ack	*e;
	uint64_t	 id;

	if (a->tail - a->head == a->cap && acks_grow(a) == -1) {
		/* mix_listen_flow pauses reading long before this. */
		*md->c.acks_dropped_full += 1;
		return 0;
	}
	id = a->tail++;
	e = acks_slot(a, id);
	e->due_ms = gw_now_ms() + md->ack_delay_ms;
	e->state = ACK_PENDING;
	e->packet_type = packet_type;
	e->rotation = rotation;
	e->to = *to;
	memcpy(e->pkt, pkt, sizeof(e->pkt));
	*md->c.acks_held = a->tail - a->head;
	return id;
}

static void
acks_arm(struct mix_acks *a, uint64_t now)
{
	struct mix_ack	*e;
	struct timeval	 tv;
	uint64_t	 at;

	if (a->timer == NULL)
		return;
	if (a->head == a->tail) {
		evtimer_del(a->timer);
		return;
	}
	e = acks_slot(a, a->head);
	at = e->state == ACK_PENDING ? e->due_ms + MIXD_ACK_GIVEUP_MS :
	    e->due_ms;
	at = at > now ? at - now : 0;
	tv.tv_sec = (time_t)(at / 1000);
	tv.tv_usec = (suseconds_t)(at % 1000) * 1000;
	evtimer_add(a->timer, &tv);
}

/* Send every ack at the head that is settled and due. */
static void
acks_run(struct mix_acks *a)
{
	struct mixd	*md = a->md;
	struct mix_ack	*e, ack;
	uint64_t	 now = gw_now_ms();

	while (a->head < a->tail) {
		e = acks_slot(a, a->head);
		if (e->state == ACK_PENDING) {
			if (now < e->due_ms + MIXD_ACK_GIVEUP_MS)
				break;
			/* clientd never said: the message is not known safe. */
			*md->c.acks_expired += 1;
			e->state = ACK_DROPPED;
		}
		if (e->state == ACK_SAFE && now < e->due_ms)
			break;
		ack = *e;
		e->state = ACK_FREE;
		a->head++;
		if (ack.state == ACK_SAFE) {
			*md->c.acks_forwarded += 1;
			/* May unwrap an ack to ourselves: no slot is used. */
			mixd_route(md, &ack.to, ack.packet_type, ack.rotation,
			    ack.pkt, sizeof(ack.pkt));
		}
	}
	*md->c.acks_held = a->tail - a->head;
	acks_arm(a, now);
}

void
mix_acks_timer(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	acks_run(arg);
	mix_listen_flow(((struct mix_acks *)arg)->md);
}

void
mix_acks_settle(struct mix_acks *a, uint64_t id, int safe)
{
	struct mixd	*md = a->md;
	struct mix_ack	*e;

	/* Not held (expired, or a lying sibling): nothing to do. */
	if (id < a->head || id >= a->tail)
		return;
	e = acks_slot(a, id);
	if (e->state != ACK_PENDING)
		return;
	if (!safe) {
		e->state = ACK_DROPPED;
		*md->c.acks_withheld += 1;
	} else {
		e->state = ACK_SAFE;
		if (gw_now_ms() > e->due_ms)
			*md->c.acks_late += 1;
	}
	if (id == a->head)
		acks_run(a);
}

/* IMSG_MIX_SETTLED: struct gw_mix_settled + n x struct gw_settle. */
void
mix_acks_settled(struct mixd *md, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_mix_settled	 h;
	struct gw_settle	 s;
	size_t			 i;

	if (imsg->datalen < sizeof(h))
		fatalx("MIX_SETTLED from %s: short", iev->name);
	memcpy(&h, imsg->data, sizeof(h));
	if (h.n == 0 || h.n > GW_SETTLE_MAX ||
	    imsg->datalen != sizeof(h) + h.n * sizeof(s))
		fatalx("MIX_SETTLED from %s: bad count", iev->name);
	for (i = 0; i < h.n; i++) {
		memcpy(&s, imsg->data + sizeof(h) + i * sizeof(s), sizeof(s));
		if (s.outcome != GW_SETTLE_SAFE &&
		    s.outcome != GW_SETTLE_DROPPED)
			fatalx("MIX_SETTLED from %s: outcome %u", iev->name,
			    s.outcome);
		mix_acks_settle(md->acks, s.id, s.outcome == GW_SETTLE_SAFE);
	}
}
