/*
 * Pending ticket verifications: the tickets still waiting for the
 * signers' quorum (before their credit, or after it when credd checked
 * them itself) are kept here and survive a restart.  Each record is credd's struct
 * gw_pending followed by the ticket as the client sent it; credd alone
 * interprets them, storaged checks only the sizes.
 */
#include <string.h>

#include "log.h"
#include "storaged.h"

/* A record as credd sent it (rec, len), checked; fatal if bad. */
void
pending_check(const struct imsgev *iev, uint32_t type, const void *rec,
    size_t len)
{
	struct gw_pending	 p;

	if (len < sizeof(p))
		fatalx("%s from %s: short", gw_imsg_type_name(type),
		    iev->name);
	memcpy(&p, rec, sizeof(p));
	if (p.data_len == 0 || p.data_len > GW_CRED_MAX ||
	    p.nsigners > GW_PENDING_SIGNERS ||
	    len != sizeof(p) + p.data_len)
		fatalx("%s from %s: bad lengths", gw_imsg_type_name(type),
		    iev->name);
}

/* Write a checked record in the open transaction; 0 or -1. */
int
pending_write(struct storaged *sd, const void *rec, size_t len)
{
	MDB_val			 k, v;
	MDB_txn			*txn;
	int			 rv;

	/* serial_hash leads struct gw_pending. */
	k.mv_size = 32;
	k.mv_data = (void *)(uintptr_t)rec;
	v.mv_size = len;
	v.mv_data = (void *)(uintptr_t)rec;
	if ((txn = db_txn(&sd->db)) == NULL)
		return -1;
	if ((rv = mdb_put(txn, sd->db.pending, &k, &v, 0)) != 0) {
		log_warnx("%s: %s", __func__, mdb_strerror(rv));
		return -1;
	}
	return 0;
}

void
pending_put(struct storaged *sd, struct imsgev *iev, struct imsg *imsg)
{
	pending_check(iev, imsg->hdr.type, imsg->data, imsg->datalen);
	/* A lost record costs one ticket's verification, never a credit
	 * twice: the serial is already in "spent". */
	if (pending_write(sd, imsg->data, imsg->datalen) == 0)
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
