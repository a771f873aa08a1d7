/*
 * Pending ticket verifications: credd credits a ticket at once and asks
 * the signers afterwards, so the tickets still waiting for a quorum are
 * kept here and survive a restart.  Each record is credd's struct
 * gw_pending followed by the ticket as the client sent it; credd alone
 * interprets them, storaged checks only the sizes.
 */
#include <string.h>

#include "log.h"
#include "storaged.h"

static void
pending_check(const struct imsgev *iev, const struct imsg *imsg,
    struct gw_pending *p)
{
	if (imsg->datalen < sizeof(*p))
		fatalx("%s from %s: short", gw_imsg_type_name(imsg->hdr.type),
		    iev->name);
	memcpy(p, imsg->data, sizeof(*p));
	if (p->data_len == 0 || p->data_len > GW_CRED_MAX ||
	    p->nsigners > GW_PENDING_SIGNERS ||
	    imsg->datalen != sizeof(*p) + p->data_len)
		fatalx("%s from %s: bad lengths",
		    gw_imsg_type_name(imsg->hdr.type), iev->name);
}

void
pending_put(struct storaged *sd, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_pending	 p;
	MDB_val			 k, v;
	MDB_txn			*txn;
	int			 rv;

	pending_check(iev, imsg, &p);
	k.mv_size = sizeof(p.serial_hash);
	k.mv_data = p.serial_hash;
	v.mv_size = imsg->datalen;
	v.mv_data = (void *)(uintptr_t)imsg->data;
	if ((txn = db_txn(&sd->db)) == NULL)
		return;
	/* A lost record costs one ticket's verification, never a credit
	 * twice: the serial is already in "spent". */
	if ((rv = mdb_put(txn, sd->db.pending, &k, &v, 0)) != 0) {
		log_warnx("%s: %s", __func__, mdb_strerror(rv));
		return;
	}
	commit_wrote(sd);
}

/* Drop a pending record in the open transaction: 1 gone, 0 none. */
int
pending_remove(struct storaged *sd, const uint8_t serial_hash[32])
{
	MDB_val			 k;
	MDB_txn			*txn;
	int			 rv;

	k.mv_size = 32;
	k.mv_data = (void *)(uintptr_t)serial_hash;
	if ((txn = db_txn(&sd->db)) == NULL)
		return -1;
	rv = mdb_del(txn, sd->db.pending, &k, NULL);
	if (rv != 0 && rv != MDB_NOTFOUND) {
		log_warnx("%s: %s", __func__, mdb_strerror(rv));
		return -1;
	}
	return rv == 0;
}

void
pending_del(struct storaged *sd, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_pending_key	 key;

	imsg_need(iev, imsg, &key, sizeof(key));
	if (pending_remove(sd, key.serial_hash) == 1)
		commit_wrote(sd);
}

void
pending_list(struct storaged *sd, struct imsgev *iev, struct imsg *imsg)
{
	struct gw_pending_end	 end;
	struct gw_pending	 p;
	MDB_cursor		*cur;
	MDB_val			 k, v;
	MDB_txn			*txn;
	int			 rv;

	if (imsg->datalen != 0)
		fatalx("PENDING_LIST from %s: bad size", iev->name);
	memset(&end, 0, sizeof(end));
	if ((txn = db_txn(&sd->db)) == NULL ||
	    mdb_cursor_open(txn, sd->db.pending, &cur) != 0)
		goto done;
	for (rv = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rv == 0;
	    rv = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		/* Our own records; a damaged one is skipped, not sent. */
		if (v.mv_size < sizeof(p))
			continue;
		memcpy(&p, v.mv_data, sizeof(p));
		if (p.data_len == 0 || p.data_len > GW_CRED_MAX ||
		    p.nsigners > GW_PENDING_SIGNERS ||
		    v.mv_size != sizeof(p) + p.data_len)
			continue;
		if (imsgev_compose(iev, IMSG_PENDING_ENTRY, imsg->hdr.peerid,
		    -1, v.mv_data, v.mv_size) == -1)
			fatal("%s", __func__);
		end.count++;
	}
	mdb_cursor_close(cur);
done:
	imsgev_compose(iev, IMSG_PENDING_END, imsg->hdr.peerid, -1, &end,
	    sizeof(end));
}
