/*
 * The seccomp allowlists (sandbox.h): promise groups compiled into
 * a libseccomp filter, and the SIGSYS note for the master.
 */
#include <sys/mman.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"
#include "util.h"

static int	 sandbox_installed;
static int	 sandbox_note_fd = -1;

/* Argument-checked calls are added by sandbox_add_special(). */
#define SB_SPECIAL	(-1)

static const struct sandbox_rule sb_stdio[] = {
	{ "read", SB_ALLOW, "channels, sockets" },
	{ "readv", SB_ALLOW, "channels, sockets" },
	{ "write", SB_ALLOW, "stderr logging, sockets" },
	{ "writev", SB_ALLOW, "stderr logging, sockets" },
	{ "close", SB_ALLOW, "closing connections" },
	{ "exit", SB_ALLOW, "thread exit" },
	{ "exit_group", SB_ALLOW, "process exit" },
	{ "brk", SB_ALLOW, "malloc" },
	{ "mmap", SB_SPECIAL, "malloc; never PROT_EXEC" },
	{ "mprotect", SB_SPECIAL, "malloc guard pages; never PROT_EXEC" },
	{ "munmap", SB_ALLOW, "free" },
	{ "mremap", SB_ALLOW, "realloc of large blocks" },
	{ "madvise", SB_ALLOW, "malloc trimming, libsodium DONTDUMP" },
	{ "mlock", SB_ALLOW, "libsodium sodium_malloc key areas" },
	{ "munlock", SB_ALLOW, "libsodium sodium_free" },
	{ "futex", SB_ALLOW, "glibc locks" },
	{ "rt_sigreturn", SB_ALLOW, "signal delivery" },
	{ "rt_sigprocmask", SB_ALLOW, "libevent, glibc" },
	{ "rt_sigaction", SB_ALLOW, "signal handlers" },
	{ "clock_gettime", SB_ALLOW, "timers (vDSO fallback)" },
	{ "clock_nanosleep", SB_ALLOW, "backoff sleeps" },
	{ "nanosleep", SB_ALLOW, "backoff sleeps" },
	{ "gettimeofday", SB_ALLOW, "libevent, timestamps" },
	{ "time", SB_ALLOW, "timestamps" },
	{ "getpid", SB_ALLOW, "imsg headers, syslog" },
	{ "gettid", SB_ALLOW, "glibc" },
	{ "getrandom", SB_ALLOW, "libsodium, libgcrypt" },
	{ "fstat", SB_ALLOW, "stdio buffering" },
	{ "newfstatat", SB_ALLOW, "stdio buffering (fstat via AT_EMPTY_PATH)" },
	{ "lseek", SB_ALLOW, "stdio" },
	{ "fcntl", SB_ALLOW, "O_NONBLOCK, FD_CLOEXEC on new sockets" },
	{ "sched_yield", SB_ALLOW, "glibc spin locks" },
	{ "restart_syscall", SB_ALLOW, "interrupted sleeps" },
	{ "kill", SB_SPECIAL, "raise(SIGABRT) on our own pid only" },
	{ "tgkill", SB_SPECIAL, "abort() on our own pid only" },
	{ "getuid", SB_ALLOW, "glibc, libgcrypt" },
	{ "geteuid", SB_ALLOW, "glibc" },
	{ "getppid", SB_ALLOW, "master liveness check" },
	{ "prlimit64", SB_ALLOW, "descriptor limit checks" },
	/* Found by the lazy-call audit: mixd died on its first topology of
	 * more than about 20 nodes. */
	{ "sysinfo", SB_ALLOW, "glibc qsort() past 1 KiB asks the memory "
	    "size once; OpenSSL entropy" },
	{ "ioctl", ENOTTY, "isatty() from stdio: refused harmlessly" },
	{ "openat", SB_SPECIAL, "refused with EACCES unless SB_RFILES" },
	{ "socket", SB_SPECIAL, "AF_INET/6 with SB_CONNECT; else EACCES "
	    "(a syslog reconnect)" },
#ifdef __SANITIZE_ADDRESS__
	{ "sigaltstack", SB_ALLOW, "ASan's signal stack (sanitizer builds)" },
	{ "getrlimit", SB_ALLOW, "ASan (sanitizer builds)" },
	{ "readlink", EACCES, "ASan report symbolization: refused" },
	{ "open", EACCES, "sanitizer reports read /proc/self/maps: refused, "
	    "so the report itself still prints" },
	{ "prctl", SB_ALLOW, "ASan (sanitizer builds)" },
	{ "sched_getaffinity", SB_ALLOW, "ASan (sanitizer builds)" },
#endif
};

static const struct sandbox_rule sb_ipc[] = {
	{ "sendmsg", SB_ALLOW, "imsg writes, fd passing" },
	{ "recvmsg", SB_ALLOW, "imsg reads, fd passing" },
	{ "sendto", SB_ALLOW, "send(2), syslog" },
	{ "recvfrom", SB_ALLOW, "recv(2)" },
	{ "shutdown", SB_ALLOW, "closing sockets cleanly" },
	{ "getsockopt", SB_ALLOW, "SO_ERROR, SO_TYPE" },
	{ "setsockopt", SB_ALLOW, "TCP_NODELAY, buffer sizes" },
};

static const struct sandbox_rule sb_event[] = {
	{ "epoll_wait", SB_ALLOW, "libevent loop" },
	{ "epoll_pwait", SB_ALLOW, "libevent loop" },
	{ "epoll_ctl", SB_ALLOW, "libevent add/del" },
	{ "poll", SB_ALLOW, "blocking flush of imsg" },
	{ "ppoll", SB_ALLOW, "blocking flush of imsg" },
	{ "pipe2", SB_ALLOW, "libevent notify pipe" },
	{ "eventfd2", SB_ALLOW, "libevent notify" },
	{ "timerfd_create", SB_ALLOW, "libevent precise timers" },
	{ "timerfd_settime", SB_ALLOW, "libevent precise timers" },
};

static const struct sandbox_rule sb_accept[] = {
	{ "accept", SB_ALLOW, "new clients / mix peers" },
	{ "accept4", SB_ALLOW, "new clients / mix peers" },
	{ "getsockname", SB_ALLOW, "local address of a connection" },
	{ "getpeername", SB_ALLOW, "per-address limits" },
};

static const struct sandbox_rule sb_connect[] = {
	{ "connect", SB_ALLOW, "outbound connections" },
	{ "getsockname", SB_ALLOW, "local address of a connection" },
	{ "getpeername", SB_ALLOW, "peer address" },
};

static const struct sandbox_rule sb_threads[] = {
	{ "clone", SB_ALLOW, "libcurl threaded resolver" },
	{ "clone3", SB_ALLOW, "libcurl threaded resolver" },
	{ "set_robust_list", SB_ALLOW, "new threads" },
	{ "rseq", SB_ALLOW, "new threads" },
	{ "sched_getaffinity", SB_ALLOW, "thread start" },
};

static const struct sandbox_rule sb_lmdb[] = {
	{ "pread64", SB_ALLOW, "LMDB page reads" },
	{ "pwrite64", SB_ALLOW, "LMDB page writes" },
	{ "pwritev", SB_ALLOW, "LMDB page writes" },
	{ "fdatasync", SB_ALLOW, "LMDB commit" },
	{ "fsync", SB_ALLOW, "LMDB commit" },
	{ "msync", SB_ALLOW, "LMDB commit with a writable map" },
	{ "ftruncate", SB_ALLOW, "LMDB map growth" },
	{ "flock", SB_ALLOW, "LMDB lock file" },
};

static const struct sandbox_rule sb_rfiles[] = {
	{ "stat", SB_ALLOW, "resolver config freshness" },
	{ "access", SB_ALLOW, "resolver config" },
	{ "uname", SB_ALLOW, "resolver" },
};

static const struct {
	unsigned			 bit;
	const char			*name;
	const struct sandbox_rule	*rules;
	size_t				 n;
} sb_groups[] = {
	{ SB_STDIO, "stdio", sb_stdio, nitems(sb_stdio) },
	{ SB_IPC, "ipc", sb_ipc, nitems(sb_ipc) },
	{ SB_EVENT, "event", sb_event, nitems(sb_event) },
	{ SB_ACCEPT, "accept", sb_accept, nitems(sb_accept) },
	{ SB_CONNECT, "connect", sb_connect, nitems(sb_connect) },
	{ SB_THREADS, "threads", sb_threads, nitems(sb_threads) },
	{ SB_LMDB, "lmdb", sb_lmdb, nitems(sb_lmdb) },
	{ SB_RFILES, "rfiles", sb_rfiles, nitems(sb_rfiles) },
};

static int
sandbox_resolve(const char *name)
{
	int	 nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR)
		fatalx("sandbox: unknown system call %s", name);
	return nr;
}

static void
sandbox_add(scmp_filter_ctx ctx, int nr, uint32_t action, unsigned argc,
    const struct scmp_arg_cmp *args, const char *name)
{
	int	 rv;

	rv = seccomp_rule_add_array(ctx, action, nr, argc, args);
	/* -EEXIST: listed twice by two groups with the same action. */
	if (rv < 0 && rv != -EEXIST)
		fatalx("sandbox: rule for %s: %s", name, strerror(-rv));
}

/* libseccomp's SCMP_A* macros leave fields unset; spell them out. */
static struct scmp_arg_cmp
sb_arg(unsigned arg, enum scmp_compare op, scmp_datum_t a, scmp_datum_t b)
{
	struct scmp_arg_cmp	 c;

	c.arg = arg;
	c.op = op;
	c.datum_a = a;
	c.datum_b = b;
	return c;
}

static void
sandbox_add_special(scmp_filter_ctx ctx, const char *name, unsigned groups)
{
	struct scmp_arg_cmp	 a[2];
	int			 nr = sandbox_resolve(name);

	if (strcmp(name, "mmap") == 0 || strcmp(name, "mprotect") == 0) {
		a[0] = sb_arg(2, SCMP_CMP_MASKED_EQ, PROT_EXEC, 0);
		sandbox_add(ctx, nr, SCMP_ACT_ALLOW, 1, a, name);
	} else if (strcmp(name, "kill") == 0 || strcmp(name, "tgkill") == 0) {
		a[0] = sb_arg(0, SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0);
		sandbox_add(ctx, nr, SCMP_ACT_ALLOW, 1, a, name);
	} else if (strcmp(name, "openat") == 0) {
		if (groups & SB_RFILES) {
			a[0] = sb_arg(2, SCMP_CMP_MASKED_EQ,
			    O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY);
			sandbox_add(ctx, nr, SCMP_ACT_ALLOW, 1, a, name);
			a[0] = sb_arg(2, SCMP_CMP_MASKED_EQ, O_ACCMODE, O_WRONLY);
			sandbox_add(ctx, nr, SCMP_ACT_ERRNO(EACCES), 1, a,
			    name);
			a[0] = sb_arg(2, SCMP_CMP_MASKED_EQ, O_ACCMODE, O_RDWR);
			sandbox_add(ctx, nr, SCMP_ACT_ERRNO(EACCES), 1, a,
			    name);
		} else
			sandbox_add(ctx, nr, SCMP_ACT_ERRNO(EACCES), 0, NULL,
			    name);
	} else if (strcmp(name, "socket") == 0) {
		if (groups & SB_CONNECT) {
			a[0] = sb_arg(0, SCMP_CMP_EQ, AF_INET, 0);
			sandbox_add(ctx, nr, SCMP_ACT_ALLOW, 1, a, name);
			a[0] = sb_arg(0, SCMP_CMP_EQ, AF_INET6, 0);
			sandbox_add(ctx, nr, SCMP_ACT_ALLOW, 1, a, name);
			a[0] = sb_arg(0, SCMP_CMP_EQ, AF_UNIX, 0);
			sandbox_add(ctx, nr, SCMP_ACT_ERRNO(EACCES), 1, a,
			    name);
		} else
			sandbox_add(ctx, nr, SCMP_ACT_ERRNO(EACCES), 0, NULL,
			    name);
	} else
		fatalx("sandbox: no special rule for %s", name);
}

static void
sandbox_add_rules(scmp_filter_ctx ctx, const struct sandbox_rule *r,
    size_t n, unsigned groups)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (r[i].errnum == SB_SPECIAL)
			sandbox_add_special(ctx, r[i].syscall, groups);
		else
			sandbox_add(ctx, sandbox_resolve(r[i].syscall),
			    r[i].errnum == SB_ALLOW ? SCMP_ACT_ALLOW :
			    SCMP_ACT_ERRNO((uint32_t)r[i].errnum), 0, NULL,
			    r[i].syscall);
	}
}

void
sandbox_set_note_fd(int fd)
{
	sandbox_note_fd = fd;
}

/* Decimal digits of v at the end of buf; returns where they start. */
static char *
sandbox_utoa(char *end, unsigned long v)
{
	do
		*--end = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	return end;
}

/*
 * SECCOMP_RET_TRAP lands here, in the thread that made the call, which
 * did not happen.  Only async-signal-safe calls, all in every
 * allowlist: note the call for the master (and on stderr, for -d),
 * then die of the same signal a kill-process filter would send, so
 * supervisors and tests see SIGSYS either way.
 */
static void
sandbox_sigsys(int sig, siginfo_t *si, void *uc)
{
	struct sandbox_note	 n;
	struct sigaction	 sa;
	sigset_t		 set;
	static const char	 pre[] = "sandbox: system call ";
	static const char	 post[] = " is outside the allowlist\n";
	char			 num[24], line[sizeof(pre) + sizeof(num) +
				    sizeof(post)], *p;
	size_t			 len = 0;

	(void)uc;
	memset(&n, 0, sizeof(n));
	n.magic = SANDBOX_NOTE_MAGIC;
	n.pid = (int32_t)getpid();
	n.syscall = si->si_syscall;
	n.arch = si->si_arch;
	if (sandbox_note_fd != -1)
		(void)!write(sandbox_note_fd, &n, sizeof(n));
	p = sandbox_utoa(num + sizeof(num), (unsigned long)(unsigned)
	    si->si_syscall);
	memcpy(line, pre, sizeof(pre) - 1);
	len = sizeof(pre) - 1;
	memcpy(line + len, p, (size_t)(num + sizeof(num) - p));
	len += (size_t)(num + sizeof(num) - p);
	memcpy(line + len, post, sizeof(post) - 1);
	len += sizeof(post) - 1;
	(void)!write(STDERR_FILENO, line, len);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

static void
sandbox_trap_handler(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sandbox_sigsys;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSYS, &sa, NULL) == -1)
		fatal("sandbox: sigaction SIGSYS");
}

const char *
sandbox_syscall_name(const struct sandbox_note *n)
{
	static char	 buf[64];
	char		*name;

	name = seccomp_syscall_resolve_num_arch(n->arch, n->syscall);
	if (name != NULL)
		snprintf(buf, sizeof(buf), "%s (%d)", name, (int)n->syscall);
	else
		snprintf(buf, sizeof(buf), "number %d", (int)n->syscall);
	free(name);
	return buf;
}

void
sandbox_apply(const struct sandbox_policy *pol)
{
	scmp_filter_ctx	 ctx;
	size_t		 i;
	int		 rv;

#ifdef GW_NO_SANDBOX
	/* The rest still compiles, so this build cannot rot. */
	log_warnx("%s: built with GW_NO_SANDBOX: no seccomp filter",
	    pol->name);
	if (pol->start_threads != NULL)
		pol->start_threads(pol->start_arg);
	return;
#endif
	landlock_apply(pol->name, &pol->landlock);
	if (pol->start_threads != NULL)
		pol->start_threads(pol->start_arg);
	sandbox_trap_handler();
	/* Trap, not kill: the handler can say which call it was.  A
	 * compromised process gains nothing by catching SIGSYS itself:
	 * the call still never happens. */
	if ((ctx = seccomp_init(SCMP_ACT_TRAP)) == NULL)
		fatalx("sandbox: seccomp_init");
	if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS) < 0)
		fatalx("sandbox: badarch");
	/* Every thread, or none: seccomp_load fails if one cannot. */
	if (pol->start_threads != NULL &&
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) < 0)
		fatalx("sandbox: tsync");
	for (i = 0; i < nitems(sb_groups); i++)
		if (pol->groups & sb_groups[i].bit)
			sandbox_add_rules(ctx, sb_groups[i].rules,
			    sb_groups[i].n, pol->groups);
	sandbox_add_rules(ctx, pol->rules, pol->nrules, pol->groups);
	if ((rv = seccomp_load(ctx)) < 0)
		fatalx("sandbox: seccomp_load: %s", strerror(-rv));
	seccomp_release(ctx);
	sandbox_installed = 1;
	log_debug("%s: seccomp allowlist in force", pol->name);
}

int
sandbox_active(void)
{
	return sandbox_installed;
}

static int
sandbox_cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
sandbox_collect(char ***lines, size_t *n, const char *group,
    const struct sandbox_rule *r, size_t nr)
{
	size_t	 i;

	for (i = 0; i < nr; i++) {
		char	*l;
		int	 len;

		len = asprintf(&l, "%-18s %-8s %s", r[i].syscall,
		    r[i].errnum == SB_ALLOW ? "allow" :
		    r[i].errnum == SB_SPECIAL ? "args" : "errno",
		    group);
		if (len == -1)
			fatal("asprintf");
		*lines = xreallocarray(*lines, *n + 1, sizeof(char *));
		(*lines)[(*n)++] = l;
	}
}

void
sandbox_print(const struct sandbox_policy *pol, FILE *fp)
{
	char	**lines = NULL;
	size_t	  n = 0, i;

	for (i = 0; i < nitems(sb_groups); i++)
		if (pol->groups & sb_groups[i].bit)
			sandbox_collect(&lines, &n, sb_groups[i].name,
			    sb_groups[i].rules, sb_groups[i].n);
	sandbox_collect(&lines, &n, pol->name, pol->rules, pol->nrules);
	qsort(lines, n, sizeof(char *), sandbox_cmp_line);
	fprintf(fp, "# %s: default trap (SIGSYS, noted, then fatal)\n",
	    pol->name);
	for (i = 0; i < n; i++) {
		fprintf(fp, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
}
