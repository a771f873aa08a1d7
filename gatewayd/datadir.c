/*
 * Directories the workers need before they can sandbox themselves.
 * As root: the empty chroot for mixd and clientd (root-owned, 0755), and
 * the data directory (root-owned, 0755, storaged's chroot) holding db/,
 * owned by the storage user alone (0700), so no other worker's user can
 * open the LMDB files even outside its sandbox.
 */
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include "gatewayd.h"
#include "log.h"

static void
datadir_mkdir(const char *path, mode_t mode)
{
	struct stat	 st;

	if (mkdir(path, mode) == -1 && errno != EEXIST)
		fatal("cannot create %s", path);
	if (stat(path, &st) == -1)
		fatal("%s", path);
	if (!S_ISDIR(st.st_mode))
		fatalx("%s is not a directory", path);
}

static void
datadir_own(const char *path, uid_t uid, gid_t gid, mode_t mode)
{
	if (chown(path, uid, gid) == -1)
		fatal("chown %s", path);
	if (chmod(path, mode) == -1)
		fatal("chmod %s", path);
}

void
datadir_prepare(struct gatewayd *gw)
{
	const struct gw_config	*c = &gw->conf;
	struct passwd		*pw;
	char			 db[PATH_MAX];
	uid_t			 uid;
	gid_t			 gid;

	if ((size_t)snprintf(db, sizeof(db), "%s/db", c->data_dir) >=
	    sizeof(db))
		fatalx("data directory path too long");
	datadir_mkdir(c->data_dir, 0755);
	datadir_mkdir(db, 0700);
	if (geteuid() != 0)
		return;
	if ((pw = getpwnam(c->storage_user)) == NULL)
		fatalx("unknown storage user %s: create it with 'useradd "
		    "--system --no-create-home --shell /usr/sbin/nologin %s'",
		    c->storage_user, c->storage_user);
	if (pw->pw_uid == 0)
		fatalx("storage user %s is root", c->storage_user);
	/* getpwnam() reuses its buffer: keep the ids before the next one. */
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (getpwnam(c->user) == NULL)
		fatalx("unknown user %s: create it with 'useradd --system "
		    "--no-create-home --shell /usr/sbin/nologin %s'",
		    c->user, c->user);
	datadir_own(c->data_dir, 0, 0, 0755);
	datadir_own(db, uid, gid, 0700);
	datadir_mkdir(c->chroot_dir, 0755);
	datadir_own(c->chroot_dir, 0, 0, 0755);
}
