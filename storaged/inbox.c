/*
 * Inboxes: messages for clients that were offline, in arrival order.
 * Key client(32) || seq(8, big-endian), so a client's messages are one
 * contiguous, ordered range: a batch is one cursor walk.
 */
#include <endian.h>
#include <string.h>

#include "log.h"
#include "storaged.h"

#define INBOX_KEY_LEN	(GW_CLIENT_ID_LEN + 8)
#define INBOX_HDR_LEN	8	/* stored_at, seconds, little-endian */

static void
inbox_key(uint8_t key[INBOX_KEY_LEN], const uint8_t *client, uint64_t seq)
{
	uint64_t be = htobe64(seq);

	memcpy(key, client, GW_CLIENT_ID_LEN);
	memcpy(key + GW_CLIENT_ID_LEN, &be, 8);
}

static uint64_t
inbox_key_seq(const MDB_val *k)
{
	uint64_t be;

	memcpy(&be, (const uint8_t *)k->mv_data + GW_CLIENT_ID_LEN, 8);
	return be64toh(be);
}

void
inbox_init(struct inbox *ib, struct db *db, uint32_t max_per_client)
{
	ib->db = db;
	ib->max_per_client = max_per_client;
	if (ib->counts == NULL)
		ib->counts = inbox_counts_new();
}

int
inbox_load(struct inbox *ib)
{
	MDB_txn		*txn;
	MDB_cursor	*c;
	MDB_val		 k, v;
	int		 rv;

	inbox_counts_clear(ib->counts);
	if ((txn = db_txn(ib->db)) == NULL)
		return -1;
	if ((rv = mdb_cursor_open(txn, ib->db->inbox, &c)) != 0)
		return -1;
	while ((rv = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
		if (k.mv_size != INBOX_KEY_LEN || v.mv_size < INBOX_HDR_LEN) {
			log_warnx("inbox: malformed record skipped");
			continue;
		}
		inbox_counts_add(ib->counts, k.mv_data, 1);
	}
	mdb_cursor_close(c);
	return rv == MDB_NOTFOUND ? 0 : -1;
}

int
inbox_store(struct inbox *ib, const uint8_t *client, const uint8_t *msg,
    size_t len, time_t now, uint64_t *seqp)
{
	uint8_t		 key[INBOX_KEY_LEN];
	MDB_val		 k = { sizeof(key), key }, v;
	MDB_txn		*txn;
	uint64_t	 seq, t = htole64((uint64_t)now);
	int		 rv;

	if (inbox_counts_get(ib->counts, client) >= ib->max_per_client)
		return STORE_FAIL_INBOX_FULL;
	/* Refuse messages early, so deletes and small records still fit. */
	if (ib->db->usage_pct >= DB_REFUSE_PCT || ib->db->broken)
		return STORE_FAIL_DB_FULL;
	if ((txn = db_txn(ib->db)) == NULL)
		return STORE_FAIL_DB_ERROR;
	seq = ib->db->next_seq;
	inbox_key(key, client, seq);
	v.mv_size = INBOX_HDR_LEN + len;
	/* Reserve, then copy once into the map: no staging buffer. */
	rv = mdb_put(txn, ib->db->inbox, &k, &v, MDB_RESERVE |
	    MDB_NOOVERWRITE);
	if (rv == MDB_MAP_FULL || rv == MDB_TXN_FULL) {
		/* LMDB leaves the transaction unusable: abort it whole. */
		ib->db->broken = 1;
		return STORE_FAIL_DB_FULL;
	}
	if (rv != 0) {
		log_warnx("inbox store: %s", mdb_strerror(rv));
		return STORE_FAIL_DB_ERROR;
	}
	memcpy(v.mv_data, &t, INBOX_HDR_LEN);
	memcpy((uint8_t *)v.mv_data + INBOX_HDR_LEN, msg, len);
	ib->db->next_seq = seq + 1;
	inbox_counts_add(ib->counts, client, 1);
	if (seqp != NULL)
		*seqp = seq;
	return STORE_FAIL_NONE;
}

int
inbox_fetch(struct inbox *ib, const uint8_t *client, uint64_t after_seq,
    uint32_t max, inbox_fetch_cb cb, void *arg, int *more)
{
	uint8_t		 key[INBOX_KEY_LEN];
	MDB_val		 k = { sizeof(key), key }, v;
	MDB_txn		*txn;
	MDB_cursor	*c;
	uint32_t	 n = 0;
	int		 rv;

	*more = 0;
	if (inbox_counts_get(ib->counts, client) == 0)
		return 0;
	if ((txn = db_txn(ib->db)) == NULL ||
	    mdb_cursor_open(txn, ib->db->inbox, &c) != 0)
		return -1;
	inbox_key(key, client, after_seq == UINT64_MAX ? after_seq :
	    after_seq + 1);
	rv = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	while (rv == 0) {
		if (k.mv_size != INBOX_KEY_LEN || memcmp(k.mv_data, client,
		    GW_CLIENT_ID_LEN) != 0)
			break;
		if (n == max) {
			*more = 1;
			break;
		}
		if (v.mv_size >= INBOX_HDR_LEN) {
			if (cb(inbox_key_seq(&k), (const uint8_t *)v.mv_data +
			    INBOX_HDR_LEN, v.mv_size - INBOX_HDR_LEN, arg) == -1)
				break;
			n++;
		}
		rv = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	if (rv != 0 && rv != MDB_NOTFOUND)
		return -1;
	return (int)n;
}

int
inbox_delete(struct inbox *ib, const uint8_t *client, const uint64_t *seqs,
    uint32_t n)
{
	uint8_t		 key[INBOX_KEY_LEN];
	MDB_val		 k = { sizeof(key), key };
	MDB_txn		*txn;
	uint32_t	 i;
	int		 deleted = 0, rv;

	if ((txn = db_txn(ib->db)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		inbox_key(key, client, seqs[i]);
		rv = mdb_del(txn, ib->db->inbox, &k, NULL);
		if (rv == MDB_NOTFOUND)
			continue;	/* deleted already: idempotent */
		if (rv != 0) {
			log_warnx("inbox delete: %s", mdb_strerror(rv));
			return -1;
		}
		deleted++;
	}
	inbox_counts_add(ib->counts, client, -deleted);
	return deleted;
}

int
inbox_forget(struct inbox *ib, const uint8_t *client)
{
	uint8_t		 key[INBOX_KEY_LEN];
	MDB_val		 k = { sizeof(key), key }, v;
	MDB_txn		*txn;
	MDB_cursor	*c;
	int		 n = 0, rv;

	if (inbox_counts_get(ib->counts, client) == 0)
		return 0;
	if ((txn = db_txn(ib->db)) == NULL ||
	    mdb_cursor_open(txn, ib->db->inbox, &c) != 0)
		return -1;
	/* The client's messages are one contiguous range from seq 0. */
	inbox_key(key, client, 0);
	rv = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
	while (rv == 0 && k.mv_size == INBOX_KEY_LEN &&
	    memcmp(k.mv_data, client, GW_CLIENT_ID_LEN) == 0) {
		if ((rv = mdb_cursor_del(c, 0)) != 0)
			break;
		n++;
		/* After a delete, NEXT is the record that took its place. */
		rv = mdb_cursor_get(c, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(c);
	inbox_counts_add(ib->counts, client, -n);
	if (rv != 0 && rv != MDB_NOTFOUND) {
		log_warnx("inbox forget: %s", mdb_strerror(rv));
		return -1;
	}
	return n;
}

int
inbox_purge(struct inbox *ib, time_t cutoff, unsigned max)
{
	MDB_txn		*txn;
	MDB_cursor	*c;
	MDB_val		 k, v;
	uint64_t	 t;
	unsigned	 n = 0;
	int		 rv;

	if ((txn = db_txn(ib->db)) == NULL ||
	    mdb_cursor_open(txn, ib->db->inbox, &c) != 0)
		return -1;
	while (n < max && (rv = mdb_cursor_get(c, &k, &v, MDB_NEXT)) == 0) {
		if (v.mv_size >= INBOX_HDR_LEN) {
			memcpy(&t, v.mv_data, sizeof(t));
			if ((time_t)le64toh(t) >= cutoff)
				continue;
		}
		if (k.mv_size == INBOX_KEY_LEN)
			inbox_counts_add(ib->counts, k.mv_data, -1);
		if (mdb_cursor_del(c, 0) != 0)
			break;
		n++;
	}
	mdb_cursor_close(c);
	return (int)n;
}
