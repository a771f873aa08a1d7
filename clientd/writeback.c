/*
 * What a session owes storaged, sent in batches rather than per event:
 * the bandwidth it spent (a delta every CLIENTD_BW_FLUSH bytes and when
 * it ends) and the inbox messages whose frames reached the socket
 * (deleted CLIENTD_INBOX_BATCH at a time, and before anything that must
 * see them gone, such as a ForgetMe).  Neither is answered: a delta or
 * a delete lost to a crash costs at most a batch of bandwidth or one
 * redelivery.
 */
#include <string.h>

#include "clientd.h"

void
writeback_spent(struct conn *c)
{
	struct gw_bandwidth_adjust	 adj;

	if (c->bw_delta == 0)
		return;
	memset(&adj, 0, sizeof(adj));
	memcpy(adj.client, c->client, sizeof(adj.client));
	adj.delta = c->bw_delta;
	if (clientd_send(c->cd, PROC_STORAGED, IMSG_BANDWIDTH_ADJUST,
	    REQ_ID(c, REQ_BW_FLUSH), &adj, sizeof(adj)) == 0)
		c->bw_delta = 0;
}

void
writeback_delivered(struct conn *c, uint64_t seq)
{
	c->del[c->ndel++] = seq;
	if (c->ndel == CLIENTD_INBOX_BATCH)
		writeback_deletes(c);
}

void
writeback_deletes(struct conn *c)
{
	struct gw_inbox_delete	 d;

	if (c->ndel == 0)
		return;
	memcpy(d.client, c->client, sizeof(d.client));
	d.n = c->ndel;
	clientd_send2(c->cd, PROC_STORAGED, IMSG_INBOX_DELETE, 0, &d, sizeof(d),
	    c->del, c->ndel * sizeof(c->del[0]));
	c->ndel = 0;
}
