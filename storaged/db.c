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

#define DB_MAXDBS	16

void
db_open(struct storaged *sd, const char *data_dir, uint64_t map_size)
{
	int	 rv;

	if ((size_t)snprintf(sd->dbpath, sizeof(sd->dbpath), "%s%sdb",
	    data_dir, data_dir[strlen(data_dir) - 1] == '/' ? "" : "/") >=
	    sizeof(sd->dbpath))
		fatalx("data directory path too long");
	if ((rv = mdb_env_create(&sd->env)) != 0)
		fatalx("mdb_env_create: %s", mdb_strerror(rv));
	if ((rv = mdb_env_set_mapsize(sd->env, (size_t)map_size)) != 0)
		fatalx("map size %llu: %s", (unsigned long long)map_size,
		    mdb_strerror(rv));
	if ((rv = mdb_env_set_maxdbs(sd->env, DB_MAXDBS)) != 0)
		fatalx("mdb_env_set_maxdbs: %s", mdb_strerror(rv));
	/*
	 * MDB_NOTLS: one thread, many read transactions over time.
	 * No MDB_NOSYNC: a commit is durable when it returns, and only
	 * then is a write acknowledged.
	 */
	rv = mdb_env_open(sd->env, sd->dbpath, MDB_NOTLS, 0600);
	if (rv != 0)
		fatalx("cannot open the database in %s/data.mdb: %s; if it "
		    "is damaged, restore it from a backup or move the "
		    "directory aside to start empty", sd->dbpath,
		    mdb_strerror(rv));
	log_debug("database %s open", sd->dbpath);
}

void
db_close(struct storaged *sd)
{
	if (sd->env != NULL) {
		mdb_env_close(sd->env);
		sd->env = NULL;
	}
}
