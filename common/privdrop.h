/*
 * The worker side of privilege separation (ARCHITECTURE.md, Sandboxes): chroot,
 * drop to an unprivileged user and check it took, then the prctl
 * hardening every worker gets.  Run as non-root (development), the
 * chroot and user switch are skipped with a log line; the rest applies.
 */
#ifndef GW_PRIVDROP_H
#define GW_PRIVDROP_H

#include <sys/types.h>

struct passwd;

/*
 * Look the user up now: after chroot there is no /etc/passwd.  Fatal if
 * running as root and the user does not exist.
 */
void	privdrop_lookup(const char *user, uid_t *uid, gid_t *gid);
/* chroot (if dir is not "") and switch to uid/gid; fatal on failure. */
void	privdrop(const char *chroot_dir, uid_t uid, gid_t gid);
/* Not dumpable, no core, parent-death signal, PR_SET_NO_NEW_PRIVS. */
void	privdrop_harden(void);
/* 1 if this process runs with root privileges. */
int	privdrop_is_root(void);

#endif
