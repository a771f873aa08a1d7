/*
 * Small records: registered clients (shared key, registration time, last
 * authenticateV2 timestamp, so a replay is refused after a restart
 * too), bandwidth balances, and spent ticket serials (kept for ever, as
 * Nym's gateway does: a serial must never be spendable twice).
 */
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "storaged.h"

struct client_rec {
	uint8_t		 key[32];
	int64_t		 registered;
	int64_t		 last_auth;
};

struct bandwidth_rec {
	int64_t		 available;
	int64_t		 expiry;
};

static int
rec_get(struct db *db, MDB_dbi dbi, const uint8_t *id, void *rec,
    size_t len)
{
	MDB_val	 k = { GW_CLIENT_ID_LEN, (void *)(uintptr_t)id }, v;
	MDB_txn	*txn;
	int	 rv;

	if ((txn = db_txn(db)) == NULL)
		return -1;
	if ((rv = mdb_get(txn, dbi, &k, &v)) == MDB_NOTFOUND)
		return 0;
	if (rv != 0 || v.mv_size != len) {
		log_warnx("%s: %s", __func__, rv ? mdb_strerror(rv) :
		    "record of the wrong size");
		return -1;
	}
	memcpy(rec, v.mv_data, len);
	return 1;
}

static int
rec_put(struct db *db, MDB_dbi dbi, const uint8_t *id, const void *rec,
    size_t len)
{
	MDB_val	 k = { GW_CLIENT_ID_LEN, (void *)(uintptr_t)id };
	MDB_val	 v = { len, (void *)(uintptr_t)rec };
	MDB_txn	*txn;
	int	 rv;

	if ((txn = db_txn(db)) == NULL)
		return -1;
	if ((rv = mdb_put(txn, dbi, &k, &v, 0)) != 0) {
		log_warnx("%s: %s", __func__, mdb_strerror(rv));
		return -1;
	}
	return 0;
}

/* 1 if the client has a registration here, 0 if not, -1 on error. */
int
clients_known(struct db *db, const uint8_t *client)
{
	MDB_val	 k = { GW_CLIENT_ID_LEN, (void *)(uintptr_t)client }, v;
	MDB_txn	*txn;
	int	 rv;

	if ((txn = db_txn(db)) == NULL)
		return -1;
	if ((rv = mdb_get(txn, db->clients, &k, &v)) == MDB_NOTFOUND)
		return 0;
	return rv == 0 ? 1 : -1;
}

int
clients_register(struct db *db, const uint8_t *client, const uint8_t key[32],
    time_t now)
{
	struct client_rec	 r;
	int			 rv;

	/* Re-registering replaces the key and keeps the rest. */
	if ((rv = rec_get(db, db->clients, client, &r, sizeof(r))) == -1)
		return -1;
	if (rv == 0) {
		memset(&r, 0, sizeof(r));
		r.registered = now;
	}
	memcpy(r.key, key, sizeof(r.key));
	rv = rec_put(db, db->clients, client, &r, sizeof(r));
	sodium_memzero(&r, sizeof(r));
	return rv;
}

int
clients_lookup(struct db *db, struct gw_client_info *info)
{
	struct client_rec	 r;
	int			 rv;

	info->found = 0;
	if ((rv = rec_get(db, db->clients, info->client, &r, sizeof(r))) != 1)
		return rv;
	info->found = 1;
	memcpy(info->key, r.key, sizeof(info->key));
	info->registered = r.registered;
	info->last_auth = r.last_auth;
	sodium_memzero(&r, sizeof(r));
	return 1;
}

int
clients_auth(struct db *db, const uint8_t *client, int64_t timestamp)
{
	struct client_rec	 r;
	int			 rv;

	if ((rv = rec_get(db, db->clients, client, &r, sizeof(r))) != 1)
		return rv == 0 ? 0 : -1;
	if (timestamp <= r.last_auth) {
		sodium_memzero(&r, sizeof(r));
		return 0;
	}
	r.last_auth = timestamp;
	rv = rec_put(db, db->clients, client, &r, sizeof(r));
	sodium_memzero(&r, sizeof(r));
	return rv == 0 ? 1 : -1;
}

static int
rec_del(struct db *db, MDB_dbi dbi, const uint8_t *id)
{
	MDB_val	 k = { GW_CLIENT_ID_LEN, (void *)(uintptr_t)id };
	MDB_txn	*txn;
	int	 rv;

	if ((txn = db_txn(db)) == NULL)
		return -1;
	if ((rv = mdb_del(txn, dbi, &k, NULL)) != 0 && rv != MDB_NOTFOUND) {
		log_warnx("%s: %s", __func__, mdb_strerror(rv));
		return -1;
	}
	return 0;
}

/*
 * ForgetMe (spec 4.1): the key row goes whole, with the last
 * authenticateV2 timestamp: without a key no old request can pass the
 * ciphertext check, and a new registration makes a new key.
 */
int
clients_forget(struct db *db, const uint8_t *client, uint32_t flags)
{
	if ((flags & GW_FORGET_KEY) && rec_del(db, db->clients, client) == -1)
		return -1;
	if ((flags & GW_FORGET_BANDWIDTH) &&
	    rec_del(db, db->bandwidth, client) == -1)
		return -1;
	return 0;
}

int
bandwidth_get(struct db *db, struct gw_bandwidth *out)
{
	struct bandwidth_rec	 r;
	int			 rv;

	out->available = 0;
	out->expiry = 0;
	out->ok = 0;
	if ((rv = rec_get(db, db->bandwidth, out->client, &r, sizeof(r))) ==
	    -1)
		return -1;
	if (rv == 1) {
		out->available = r.available;
		out->expiry = r.expiry;
	}
	out->ok = 1;
	return 0;
}

int
bandwidth_adjust(struct db *db, const struct gw_bandwidth_adjust *adj,
    struct gw_bandwidth *out)
{
	struct bandwidth_rec	 r;
	int			 rv;

	memcpy(out->client, adj->client, sizeof(out->client));
	out->ok = 0;
	if ((rv = rec_get(db, db->bandwidth, adj->client, &r, sizeof(r))) ==
	    -1)
		return -1;
	if (rv == 0)
		memset(&r, 0, sizeof(r));
	/* Saturate: a hostile delta must not wrap a balance around. */
	if (adj->delta > 0 && r.available > INT64_MAX - adj->delta)
		r.available = INT64_MAX;
	else if (adj->delta < 0 && r.available < INT64_MIN - adj->delta)
		r.available = INT64_MIN;
	else
		r.available += adj->delta;
	if (adj->expiry != 0)
		r.expiry = adj->expiry;
	if (rec_put(db, db->bandwidth, adj->client, &r, sizeof(r)) == -1)
		return -1;
	out->available = r.available;
	out->expiry = r.expiry;
	out->ok = 1;
	return 0;
}

int
spent_record(struct db *db, const uint8_t hash[32], int64_t when)
{
	MDB_val	 k = { 32, (void *)(uintptr_t)hash };
	MDB_val	 v = { sizeof(when), &when };
	MDB_txn	*txn;
	int	 rv;

	if ((txn = db_txn(db)) == NULL)
		return -1;
	rv = mdb_put(txn, db->spent, &k, &v, MDB_NOOVERWRITE);
	if (rv == MDB_KEYEXIST)
		return 0;
	if (rv != 0) {
		log_warnx("%s: %s", __func__, mdb_strerror(rv));
		return -1;
	}
	return 1;
}
