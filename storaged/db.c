/*
 * The LMDB environment.  Opened after the privilege drop, so its files
 * belong to the storage user, and before the sandbox, which allows no
 * new files.  A corrupt or unreadable environment stops the daemon with
 * a message naming the file and the fix.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "storaged.h"

#define DB_MAXDBS	8
#define META_NEXT_SEQ	"next_seq"

static int
db_dbi(MDB_txn *txn, const char *name, MDB_dbi *dbi)
{
	return mdb_dbi_open(txn, name, MDB_CREATE, dbi);
}

static int
db_load_seq(struct db *db, MDB_txn *txn)
{
	MDB_val	 k = { sizeof(META_NEXT_SEQ) - 1, (void *)(uintptr_t)
		     META_NEXT_SEQ }, v;
	int	 rv;

	rv = mdb_get(txn, db->meta, &k, &v);
	if (rv == MDB_NOTFOUND) {
		db->next_seq = 1;
		return 0;
	}
	if (rv != 0)
		return rv;
	if (v.mv_size != sizeof(uint64_t))
		return MDB_CORRUPTED;
	memcpy(&db->next_seq, v.mv_data, sizeof(uint64_t));
	return 0;
}

int
db_open(struct db *db, const char *dir, const char *shown, uint64_t map_size,
    char *err, size_t errlen)
{
	MDB_txn		*txn;
	MDB_envinfo	 info;
	MDB_stat	 st;
	int		 rv;

	memset(db, 0, sizeof(*db));
	if (shown == NULL || shown[0] == '\0')
		shown = dir;
	snprintf(db->shown, sizeof(db->shown), "%s/db", shown);
	if ((size_t)snprintf(db->path, sizeof(db->path), "%s%sdb", dir,
	    dir[0] != '\0' && dir[strlen(dir) - 1] == '/' ? "" : "/") >=
	    sizeof(db->path)) {
		snprintf(err, errlen, "data directory path too long");
		return -1;
	}
	if ((rv = mdb_env_create(&db->env)) != 0 ||
	    (rv = mdb_env_set_mapsize(db->env, (size_t)map_size)) != 0 ||
	    (rv = mdb_env_set_maxdbs(db->env, DB_MAXDBS)) != 0)
		goto fail;
	/*
	 * MDB_NOTLS: one thread.  No MDB_NOSYNC or MDB_NOMETASYNC: a
	 * commit is durable when it returns, and only then is a write
	 * acknowledged.
	 */
	if ((rv = mdb_env_open(db->env, db->path, MDB_NOTLS, 0600)) != 0)
		goto fail;
	if ((rv = mdb_txn_begin(db->env, NULL, 0, &txn)) != 0)
		goto fail;
	if ((rv = db_dbi(txn, "inbox", &db->inbox)) != 0 ||
	    (rv = db_dbi(txn, "clients", &db->clients)) != 0 ||
	    (rv = db_dbi(txn, "bandwidth", &db->bandwidth)) != 0 ||
	    (rv = db_dbi(txn, "spent", &db->spent)) != 0 ||
	    (rv = db_dbi(txn, "meta", &db->meta)) != 0 ||
	    (rv = db_dbi(txn, "pending", &db->pending)) != 0 ||
	    (rv = db_load_seq(db, txn)) != 0) {
		mdb_txn_abort(txn);
		goto fail;
	}
	if ((rv = mdb_txn_commit(txn)) != 0)
		goto fail;
	db->committed_seq = db->next_seq;
	mdb_env_info(db->env, &info);
	mdb_env_stat(db->env, &st);
	db->mapsize = info.me_mapsize;
	db->pagesize = st.ms_psize;
	return 0;
fail:
	snprintf(err, errlen, "cannot open the database %s/db/data.mdb: "
	    "%s; if it is damaged, restore it from a backup, or move %s/db "
	    "aside to start with an empty one", shown, mdb_strerror(rv),
	    shown);
	if (db->env != NULL)
		mdb_env_close(db->env);
	db->env = NULL;
	return -1;
}

void
db_close(struct db *db)
{
	if (db->txn != NULL)
		db_abort(db);
	if (db->env != NULL)
		mdb_env_close(db->env);
	db->env = NULL;
}

MDB_txn *
db_txn(struct db *db)
{
	int	 rv;

	if (db->txn != NULL)
		return db->txn;
	if ((rv = mdb_txn_begin(db->env, NULL, 0, &db->txn)) != 0) {
		log_warnx("%s: %s", __func__, mdb_strerror(rv));
		db->txn = NULL;
	}
	return db->txn;
}

int
db_commit(struct db *db)
{
	MDB_val	 k = { sizeof(META_NEXT_SEQ) - 1, (void *)(uintptr_t)
		     META_NEXT_SEQ };
	MDB_val	 v = { sizeof(uint64_t), &db->next_seq };
	int	 rv;

	if (db->txn == NULL)
		return 0;
	if (db->broken) {
		db_abort(db);
		return MDB_MAP_FULL;
	}
	if (db->next_seq != db->committed_seq &&
	    (rv = mdb_put(db->txn, db->meta, &k, &v, 0)) != 0) {
		db_abort(db);
		return rv;
	}
	rv = mdb_txn_commit(db->txn);
	db->txn = NULL;
	if (rv != 0) {
		/* The transaction is gone: nothing in it was acknowledged. */
		db->next_seq = db->committed_seq;
		return rv;
	}
	db->committed_seq = db->next_seq;
	return 0;
}

void
db_abort(struct db *db)
{
	if (db->txn != NULL)
		mdb_txn_abort(db->txn);
	db->txn = NULL;
	db->broken = 0;
	db->next_seq = db->committed_seq;
}

unsigned
db_usage_pct(struct db *db)
{
	MDB_envinfo	 info;
	MDB_txn		*txn;
	MDB_cursor	*c;
	MDB_val		 k, v;
	size_t		 used, freep = 0;

	mdb_env_info(db->env, &info);
	used = (info.me_last_pgno + 1) * (size_t)db->pagesize;
	/* Pages on LMDB's free list (dbi 0) will be reused: not used. */
	if (mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn) != 0)
		return db->usage_pct;
	if (mdb_cursor_open(txn, 0, &c) == 0) {
		while (mdb_cursor_get(c, &k, &v, MDB_NEXT) == 0)
			if (v.mv_size >= sizeof(size_t))
				freep += *(const size_t *)v.mv_data;
		mdb_cursor_close(c);
	}
	mdb_txn_abort(txn);
	if (freep * db->pagesize > used)
		freep = 0;
	used -= freep * db->pagesize;
	return (unsigned)(used * 100 / db->mapsize);
}
