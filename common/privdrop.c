/*
 * chroot, the user switch and the prctl hardening (privdrop.h).
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "privdrop.h"

int
privdrop_is_root(void)
{
	return geteuid() == 0;
}

void
privdrop_lookup(const char *user, uid_t *uid, gid_t *gid)
{
	struct passwd	*pw;

	if (!privdrop_is_root()) {
		*uid = geteuid();
		*gid = getegid();
		return;
	}
	errno = 0;
	if ((pw = getpwnam(user)) == NULL)
		fatalx("unknown user %s: create it with "
		    "'useradd --system --no-create-home --shell "
		    "/usr/sbin/nologin %s'", user, user);
	if (pw->pw_uid == 0)
		fatalx("user %s is root: refusing to run a worker as root",
		    user);
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
}

void
privdrop(const char *chroot_dir, uid_t uid, gid_t gid)
{
	uid_t	 ru, eu, su;
	gid_t	 rg, eg, sg;

	if (!privdrop_is_root()) {
		log_debug("not root: no chroot, no user switch");
		return;
	}
	if (chroot_dir != NULL && chroot_dir[0] != '\0') {
		if (chroot(chroot_dir) == -1)
			fatal("chroot %s", chroot_dir);
		if (chdir("/") == -1)
			fatal("chdir /");
	}
	if (setgroups(1, &gid) == -1)
		fatal("setgroups");
	if (setresgid(gid, gid, gid) == -1)
		fatal("setresgid %u", (unsigned)gid);
	if (setresuid(uid, uid, uid) == -1)
		fatal("setresuid %u", (unsigned)uid);
	/* Check the drop took and cannot be undone. */
	if (getresuid(&ru, &eu, &su) == -1 || getresgid(&rg, &eg, &sg) == -1)
		fatal("getresuid");
	if (ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
	    sg != gid)
		fatalx("privilege drop did not take");
	if (setuid(0) != -1 || setgid(0) != -1)
		fatalx("privilege drop is not permanent");
}

void
privdrop_harden(void)
{
	struct rlimit	 rl = { 0, 0 };

	/* Same-uid siblings may not ptrace us or read our memory. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		fatal("PR_SET_DUMPABLE");
	if (setrlimit(RLIMIT_CORE, &rl) == -1)
		fatal("RLIMIT_CORE");
	/* After the uid change, which clears it: die with the master
	 * (SIGKILL: workers ignore SIGTERM, see worker_init). */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		fatal("PR_SET_PDEATHSIG");
	if (getppid() == 1)
		fatalx("master is gone");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("PR_SET_NO_NEW_PRIVS");
}
