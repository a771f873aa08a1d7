/*
 * The top of clientd's sibling side: each reply of the master, mixd,
 * storaged and credd routed to its session by the request id in the
 * peerid, and to the leaf its state is waiting in.  The role table has
 * checked sender and size (common/messages.c); a reply for a session
 * gone, or for another client than the session's, is dropped.
 */
#include <string.h>

#include <sodium.h>

#include "clientd.h"
#include "log.h"

/* The sibling's reply for a session still there, with its client. */
static struct conn *
clientd_reply_conn(struct clientd *cd, uint32_t peerid, const uint8_t *client)
{
	struct conn	*c = conn_by_id(cd, REQ_CONN(peerid));

	if (c == NULL || conn_closing(c) ||
	    (client != NULL && memcmp(c->client, client, GW_CLIENT_ID_LEN)))
		return NULL;
	return c;
}

int
clientd_dispatch_parent(struct imsgev *iev, struct imsg *imsg)
{
	struct clientd			*cd =
				    ((struct worker *)iev->arg)->role;
	struct gw_hs_sign_result	 r;
	struct conn			*c;

	if (imsg->hdr.type != IMSG_HS_SIGN_RESULT)
		imsg_unexpected(iev, imsg);
	imsg_need(iev, imsg, &r, sizeof(r));
	if ((c = clientd_reply_conn(cd, imsg->hdr.peerid, NULL)) != NULL &&
	    c->state == CS_HS_SIGN) {
		handshake_signed(c, &r);
		conn_flush(c);
	}
	sodium_memzero(&r, sizeof(r));
	return 0;
}

int
clientd_dispatch_mixd(struct imsgev *iev, struct imsg *imsg)
{
	if (imsg->hdr.type != IMSG_MIX_DELIVER)
		imsg_unexpected(iev, imsg);
	delivery_mix(((struct worker *)iev->arg)->role, imsg->data,
	    imsg->datalen);
	return 0;
}

static void
clientd_storaged_inbox(struct clientd *cd, struct imsgev *iev,
    struct imsg *imsg)
{
	struct gw_inbox_msg	 m;
	struct gw_inbox_end	 e;
	struct conn		*c;

	if (imsg->hdr.type == IMSG_INBOX_END) {
		imsg_need(iev, imsg, &e, sizeof(e));
		if ((c = clientd_reply_conn(cd, imsg->hdr.peerid, e.client))
		    == NULL)
			return;
		delivery_inbox_end(c, &e);
		conn_flush(c);
		return;
	}
	if (imsg->datalen <= sizeof(m) ||
	    imsg->datalen - sizeof(m) > GW_MESSAGE_MAX)
		fatalx("INBOX_MESSAGE from storaged: bad size %zu",
		    imsg->datalen);
	memcpy(&m, imsg->data, sizeof(m));
	if ((c = clientd_reply_conn(cd, imsg->hdr.peerid, m.client)) != NULL)
		delivery_inbox_msg(c, m.seq, imsg->data + sizeof(m),
		    imsg->datalen - sizeof(m));
}

int
clientd_dispatch_storaged(struct imsgev *iev, struct imsg *imsg)
{
	struct clientd		*cd = ((struct worker *)iev->arg)->role;
	struct gw_store_result	 sr;
	struct gw_client_result	 cr;
	struct gw_client_info	 ci;
	struct gw_bandwidth	 b;
	struct conn		*c;

	switch (imsg->hdr.type) {
	case IMSG_STORE_RESULT:
		imsg_need(iev, imsg, &sr, sizeof(sr));
		delivery_stored(cd, &sr);
		return 0;
	case IMSG_INBOX_MESSAGE:
	case IMSG_INBOX_END:
		clientd_storaged_inbox(cd, iev, imsg);
		return 0;
	case IMSG_CLIENT_RESULT:
		imsg_need(iev, imsg, &cr, sizeof(cr));
		if ((c = clientd_reply_conn(cd, imsg->hdr.peerid, cr.client)) ==
		    NULL)
			return 0;
		if (c->state == CS_HS_STORE)
			handshake_stored(c, &cr);
		else if (c->state == CS_AUTH_STORE)
			auth_stored(c, &cr);
		else if (c->state == CS_READY)
			forget_done(c, &cr);
		break;
	case IMSG_CLIENT_INFO:
		imsg_need(iev, imsg, &ci, sizeof(ci));
		c = clientd_reply_conn(cd, imsg->hdr.peerid, ci.client);
		if (c != NULL && c->state == CS_AUTH_LOOKUP)
			auth_info(c, &ci);
		sodium_memzero(&ci, sizeof(ci));
		if (c == NULL)
			return 0;
		break;
	case IMSG_BANDWIDTH_RESULT:
		imsg_need(iev, imsg, &b, sizeof(b));
		if ((c = clientd_reply_conn(cd, imsg->hdr.peerid, b.client)) ==
		    NULL)
			return 0;
		if (REQ_KIND(imsg->hdr.peerid) == REQ_PLAIN &&
		    c->state == CS_AUTH_BW)
			router_live(c, &b);
		else
			bw_result(c, REQ_KIND(imsg->hdr.peerid), &b);
		break;
	default:
		imsg_unexpected(iev, imsg);
	}
	conn_flush(c);
	return 0;
}

int
clientd_dispatch_credd(struct imsgev *iev, struct imsg *imsg)
{
	struct clientd		*cd = ((struct worker *)iev->arg)->role;
	struct gw_cred_result	 r;
	struct gw_cred_balance	 cb;
	struct gw_upgrade_mode	 um;
	struct conn		*c;

	switch (imsg->hdr.type) {
	case IMSG_CRED_RESULT:
		imsg_need(iev, imsg, &r, sizeof(r));
		if ((c = clientd_reply_conn(cd, imsg->hdr.peerid, r.client)) ==
		    NULL)
			return 0;
		bw_cred_result(c, REQ_KIND(imsg->hdr.peerid), &r);
		conn_flush(c);
		return 0;
	case IMSG_UPGRADE_MODE:
		imsg_need(iev, imsg, &um, sizeof(um));
		cd->upgrade_mode = um.on != 0;
		return 0;
	case IMSG_CRED_BALANCE:
		imsg_need(iev, imsg, &cb, sizeof(cb));
		/* storaged has the new balance; a live session follows it,
		 * keeping what it spent since. */
		if ((c = session_by_client(cd, cb.client)) != NULL) {
			c->bw_avail = cb.available + c->bw_delta;
			if (cb.expiry != 0)
				c->bw_expiry = cb.expiry;
		}
		return 0;
	default:
		imsg_unexpected(iev, imsg);
	}
}
