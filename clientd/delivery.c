/*
 * Mixnet -> client (client-protocol.md 5 and ARCHITECTURE data paths 2,
 * 3).  A message for an online client with room in its send queue is
 * pushed at once; otherwise it goes to its inbox in storaged.  Order is
 * kept: once anything for an online client went to the inbox, later
 * messages follow it there until the inbox has drained.  The inbox
 * drains in batches of 100 while the queue has room; each message is
 * deleted only once wslay has written its frame to the socket.
 *
 * A message from the mixnet carries the id of the SURB-ack mixd holds
 * for it; the ack is settled safe when the frame is written to the
 * socket or storaged has committed the message, and dropped when the
 * connection dies first or storaged refuses it (mix_acks.c).
 */
#include <string.h>

#include <sodium.h>

#include "clientd.h"
#include "log.h"

static int
delivery_push(struct conn *c, const uint8_t *msg, size_t len, uint64_t seq,
    uint64_t ack)
{
	uint8_t	 nonce[CLIENT_NONCE_LEN];
	int	 n;

	randombytes_buf(nonce, sizeof(nonce));
	n = client_frame_seal(c->aead, CLIENT_KIND_PUSHED, nonce, msg, len,
	    c->cd->frame, sizeof(c->cd->frame));
	if (n < 0 || conn_send_binary(c, c->cd->frame, (size_t)n, seq, ack) ==
	    -1)
		return -1;
	return 0;
}

void
delivery_settle_flush(struct clientd *cd)
{
	struct gw_mix_settled	 h;

	if (cd->nsettle == 0)
		return;
	memset(&h, 0, sizeof(h));
	h.n = cd->nsettle;
	/* mixd gone: the acks went with it. */
	(void)clientd_send2(cd, PROC_MIXD, IMSG_MIX_SETTLED, 0, &h, sizeof(h),
	    cd->settle, cd->nsettle * sizeof(cd->settle[0]));
	cd->nsettle = 0;
}

/*
 * Settled acks gather until the current event is done (one message for
 * a whole read of mixd's or storaged's channel), or a batch is full.
 */
void
delivery_settle(struct clientd *cd, uint64_t ack, int safe)
{
	struct gw_settle	*s;

	if (ack == 0)
		return;
	s = &cd->settle[cd->nsettle++];
	memset(s, 0, sizeof(*s));
	s->id = ack;
	s->outcome = safe ? GW_SETTLE_SAFE : GW_SETTLE_DROPPED;
	if (cd->nsettle == GW_SETTLE_MAX || cd->settle_ev == NULL)
		delivery_settle_flush(cd);
	else if (cd->nsettle == 1)
		event_active(cd->settle_ev, 0, 0);
}

void
delivery_stored(struct clientd *cd, const struct gw_store_result *r)
{
	if (!r->ok) {
		*cd->c_store_failed += 1;
		if (r->reason == STORE_FAIL_UNREGISTERED)
			*cd->c_store_unregistered += 1;
	}
	delivery_settle(cd, r->tag, r->ok);
}

static void
delivery_store(struct clientd *cd, const uint8_t *client, const uint8_t *msg,
    size_t len, uint64_t ack, uint64_t rx_us)
{
	struct gw_store_msg	 hdr;

	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.client, client, sizeof(hdr.client));
	hdr.rx_us = rx_us;
	/* Echoed in the result: the ack to settle once committed. */
	hdr.tag = ack;
	if (clientd_send2(cd, PROC_STORAGED, IMSG_STORE_MESSAGE, 0, &hdr,
	    sizeof(hdr), msg, len) == -1) {
		*cd->c_store_failed += 1;
		delivery_settle(cd, ack, 0);
	} else
		*cd->c_stored += 1;
}

/* IMSG_MIX_DELIVER: struct gw_mix_deliver + 1..GW_MESSAGE_MAX bytes. */
void
delivery_mix(struct clientd *cd, const uint8_t *data, size_t len)
{
	struct gw_mix_deliver	 hdr;
	const uint8_t		*msg;
	struct conn		*c;

	if (len <= sizeof(hdr) || len - sizeof(hdr) > GW_MESSAGE_MAX)
		fatalx("MIX_DELIVER from mixd: bad size %zu", len);
	memcpy(&hdr, data, sizeof(hdr));
	msg = data + sizeof(hdr);
	len -= sizeof(hdr);
	c = session_by_client(cd, hdr.client);
	if (c != NULL && c->state == CS_READY && !c->inbox_dirty &&
	    !c->draining && conn_room(c, len + CLIENT_FRAME_OVERHEAD) &&
	    delivery_push(c, msg, len, 0, hdr.ack_id) == 0) {
		/* The frame just queued times the delivery. */
		c->oq[(c->oq_head + c->oq_n - 1) % c->oq_cap].rx_us =
		    hdr.rx_us;
		*cd->c_pushed += 1;
		conn_flush(c);
		return;
	}
	delivery_store(cd, hdr.client, msg, len, hdr.ack_id, hdr.rx_us);
	if (c != NULL) {
		c->inbox_dirty = 1;
		c->store_gen++;
	}
}

void
delivery_start(struct conn *c)
{
	struct gw_inbox_fetch	 f;

	if (c->draining || c->state != CS_READY)
		return;
	memset(&f, 0, sizeof(f));
	memcpy(f.client, c->client, sizeof(f.client));
	f.after_seq = c->drain_after;
	f.max = CLIENTD_INBOX_BATCH;
	if (clientd_send(c->cd, PROC_STORAGED, IMSG_INBOX_FETCH,
	    REQ_ID(c, REQ_PLAIN), &f, sizeof(f)) == -1)
		return;
	c->draining = 1;
	c->drain_gen = c->store_gen;
}

void
delivery_inbox_msg(struct conn *c, uint64_t seq, const uint8_t *msg,
    size_t len)
{
	if (c->state != CS_READY || seq <= c->drain_after)
		return;
	c->drain_after = seq;
	if (delivery_push(c, msg, len, seq, 0) == 0)
		*c->cd->c_inbox_delivered += 1;
}

void
delivery_inbox_end(struct conn *c, const struct gw_inbox_end *e)
{
	c->draining = 0;
	if (c->state != CS_READY)
		return;
	/* Done only if storaged had no more and nothing was stored since. */
	c->inbox_dirty = e->more || c->store_gen != c->drain_gen;
	delivery_room(c);
}

/* The send queue moved: fetch the next batch if there is room. */
void
delivery_room(struct conn *c)
{
	if (!c->ready)
		return;
	writeback_deletes(c);
	if (c->inbox_dirty && !c->draining && c->oq_bytes <= CLIENTD_SENDQ_LOW &&
	    c->oq_n + CLIENTD_INBOX_BATCH <= CLIENTD_SENDQ_MSGS)
		delivery_start(c);
}

/* A frame reached the socket: its inbox message may go, its ack may
 * leave. */
void
delivery_written(struct conn *c, uint64_t seq, uint64_t ack)
{
	if (seq != 0)
		writeback_delivered(c, seq);
	if (ack != 0)
		delivery_settle(c->cd, ack, 1);
}

static void
delivery_settle_cb(int fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	delivery_settle_flush(arg);
}

void
delivery_init(struct clientd *cd)
{
	if (cd->w->base != NULL &&
	    (cd->settle_ev = event_new(cd->w->base, -1, 0, delivery_settle_cb,
	    cd)) == NULL)
		fatalx("%s: event_new", __func__);
}
