/*
 * A session's balance (client-protocol.md 6), kept in memory: loaded
 * from storaged when the session goes live, charged per forwarded packet
 * and written back as a delta (writeback.c).  While credd says upgrade
 * mode is on (spec 6.6) nothing is charged.
 */
#include <time.h>

#include "clientd.h"

int64_t
bw_today(void)
{
	time_t	 now = time(NULL);

	return (int64_t)(now - now % 86400);
}

/* Expired balances count as zero (spec 6.1). */
void
bw_expire(struct conn *c)
{
	if (c->bw_expiry >= bw_today() || c->bw_avail == 0)
		return;
	c->bw_delta -= c->bw_avail;
	c->bw_avail = 0;
}

void
bw_load(struct conn *c, const struct gw_bandwidth *b)
{
	c->bw_avail = b->available;
	c->bw_expiry = b->expiry;
	c->bw_delta = 0;
	bw_expire(c);
	writeback_spent(c);
}

/* *avail is the real balance; responses pass it through reply_balance. */
int
bw_charge(struct conn *c, int64_t n, int64_t *avail)
{
	bw_expire(c);
	if (c->cd->upgrade_mode) {
		/* Spec 6.6: free while upgrade mode is on. */
		*avail = c->bw_avail;
		return 0;
	}
	if (c->bw_avail < n) {
		*avail = c->bw_avail;
		return -1;
	}
	c->bw_avail -= n;
	c->bw_delta -= n;
	*c->cd->c_bw_spent += (uint64_t)n;
	if (-c->bw_delta >= CLIENTD_BW_FLUSH)
		writeback_spent(c);
	*avail = c->bw_avail;
	return 0;
}
