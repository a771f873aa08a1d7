#ifndef STORAGED_H
#define STORAGED_H

#include <lmdb.h>

#include "sandbox.h"
#include "worker.h"

extern const struct sandbox_policy storaged_policy;

struct storaged {
	struct worker	*w;
	MDB_env		*env;
	char		 dbpath[PATH_MAX];
};

/* db.c */
void	db_open(struct storaged *, const char *data_dir, uint64_t map_size);
void	db_close(struct storaged *);

#endif
