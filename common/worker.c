/*
 * What every worker does the same way (worker.h): the start-up
 * messages, privilege drop and sandbox, the master's common messages,
 * and the test hooks.
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"
#include "roles.h"
#include "privdrop.h"
#include "util.h"
#include "worker.h"

#define WORKER_CHANNEL_FD	3
#define WORKER_NOTE_FD		4


static void
worker_check_channel(void)
{
	int		 type;
	socklen_t	 len = sizeof(type);
	struct stat	 st;

	/* Only the master starts us, with our channel on fd 3. */
	if (getsockopt(WORKER_CHANNEL_FD, SOL_SOCKET, SO_TYPE, &type,
	    &len) == -1 || type != SOCK_STREAM) {
		fprintf(stderr, "this program is started by gatewayd(8), "
		    "not by hand\n");
		exit(1);
	}
	/* fd 4, a pipe: where a trapped system call is noted. */
	if (fstat(WORKER_NOTE_FD, &st) == 0 && S_ISFIFO(st.st_mode)) {
		sandbox_set_note_fd(WORKER_NOTE_FD);
		closefrom(WORKER_NOTE_FD + 1);
	} else
		closefrom(WORKER_CHANNEL_FD + 1);
	/* Nothing else may have leaked in. */
}

/* Text for apid to serve: it must end inside its bound. */
static void
worker_hostinfo(struct worker *w, const struct imsg *imsg)
{
	if (w->self != PROC_APID || imsg->datalen == 0 ||
	    imsg->datalen > sizeof(w->hostinfo) ||
	    imsg->data[imsg->datalen - 1] != '\0' ||
	    strlen((const char *)imsg->data) != imsg->datalen - 1)
		fatalx("bad NODE_HOSTINFO from master");
	memcpy(w->hostinfo, imsg->data, imsg->datalen);
}

static int
worker_setup_message(struct worker *w, struct imsg *imsg)
{
	struct gw_setup_peer	 peer;
	struct gw_key_sphinx	 key;
	int			 fd = imsg->fd;

	imsg->fd = -1;
	switch (imsg->hdr.type) {
	case IMSG_SETUP_PEER:
		if (fd == -1 || imsg_get_exact(imsg, &peer, sizeof(peer)) ==
		    -1 || peer.proc == PROC_PARENT || peer.proc >= PROC_MAX ||
		    !gw_role_talks(w->self, (enum gw_proc)peer.proc) ||
		    w->peer_fd[peer.proc] != -1)
			fatalx("bad SETUP_PEER from master");
		w->peer_fd[peer.proc] = fd;
		return 0;
	case IMSG_SETUP_LISTENER:
		if (fd == -1 || w->nlisteners == WORKER_MAX_LISTENERS ||
		    imsg_get_exact(imsg, &w->listen_info[w->nlisteners],
		    sizeof(w->listen_info[0])) == -1 ||
		    w->listen_info[w->nlisteners].kind >= 32 ||
		    !(gw_role(w->self)->listeners &
		    ROLE_BIT(w->listen_info[w->nlisteners].kind)))
			fatalx("bad SETUP_LISTENER from master");
		w->listen_info[w->nlisteners].text[
		    sizeof(w->listen_info[0].text) - 1] = '\0';
		w->listen_fd[w->nlisteners++] = fd;
		return 0;
	case IMSG_KEY_SPHINX:
		if (w->self != PROC_MIXD || w->nkeys == WORKER_MAX_KEYS ||
		    imsg_get_exact(imsg, &key, sizeof(key)) == -1)
			fatalx("bad KEY_SPHINX from master");
		w->keys[w->nkeys++] = key;
		sodium_memzero(&key, sizeof(key));
		break;
	case IMSG_KEY_NOISE:
		if (w->self != PROC_MIXD || w->have_noise ||
		    imsg_get_exact(imsg, &w->noise, sizeof(w->noise)) == -1)
			fatalx("bad KEY_NOISE from master");
		w->have_noise = 1;
		break;
	case IMSG_NODE_HOSTINFO:
		worker_hostinfo(w, imsg);
		break;
	case IMSG_SETUP_DONE:
		return 1;
	default:
		if (imsg->hdr.type != gw_role(w->self)->conf_type ||
		    imsg_get_exact(imsg, &w->conf, gw_role(w->self)->conf_size)
		    == -1)
			fatalx("unexpected %s from master during start-up",
			    gw_imsg_type_name(imsg->hdr.type));
		break;
	}
	if (fd != -1)
		fatalx("unexpected descriptor from master");
	return 0;
}

static void
worker_read_setup(struct worker *w)
{
	struct imsgbuf	 ib;
	struct imsg	 imsg;
	struct pollfd	 pfd = { .fd = WORKER_CHANNEL_FD, .events = POLLIN };
	int		 n, done = 0, have_conf = 0;

	imsgbuf_init(&ib, WORKER_CHANNEL_FD, GW_IMSG_MAXSIZE, 1);
	while (!done) {
		if (poll(&pfd, 1, GW_SETUP_TIMEOUT_MS) <= 0)
			fatalx("no start-up messages from master");
		if ((n = imsgbuf_read(&ib)) == 0)
			fatalx("master went away during start-up");
		if (n == -1 && errno != EAGAIN)
			fatal("start-up read");
		while (!done && (n = imsg_get(&ib, &imsg)) == 1) {
			const char *why = gw_msg_check_in(imsg.hdr.type,
			    PROC_PARENT, imsg.datalen, imsg.fd != -1);

			if (why != NULL)
				fatalx("%s from master during start-up: %s",
				    gw_imsg_type_name(imsg.hdr.type), why);
			if (imsg.hdr.type == gw_role(w->self)->conf_type)
				have_conf = 1;
			done = worker_setup_message(w, &imsg);
			imsg_free(&imsg);
		}
		if (n == -1)
			fatalx("bad start-up message from master");
	}
	if (!have_conf)
		fatalx("no configuration from master");
	if (ib.rlen != ib.rpos)
		fatalx("master sent more than start-up");
	imsgbuf_clear(&ib);
}

void
worker_init(struct worker *w, enum gw_proc self,
    const struct sandbox_policy *policy, int argc, char *argv[])
{
	int	 ch, foreground = 0, verbose = 0;
	struct gw_conf_common *c;

	if (argc == 2 && strcmp(argv[1], "-S") == 0) {
		sandbox_print(policy, stdout);
		exit(0);
	}
	memset(w, 0, sizeof(*w));
	w->self = self;
	w->name = gw_proc_name(self);
	gw_msg_set_self(self);
	for (ch = 0; ch < PROC_MAX; ch++)
		w->peer_fd[ch] = -1;
	while ((ch = getopt(argc, argv, "dv")) != -1) {
		switch (ch) {
		case 'd':
			foreground = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			fprintf(stderr, "usage: %s [-dv]\n", w->name);
			exit(1);
		}
	}
	worker_check_channel();
	log_init(foreground, verbose, LOG_DAEMON);
	log_procinit(w->name);
	signal(SIGPIPE, SIG_IGN);
	/* Reload and stop are the master's business: a worker stops when
	 * its channel to the master closes. */
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	w->peer_fd[PROC_PARENT] = WORKER_CHANNEL_FD;
	worker_read_setup(w);
	c = (struct gw_conf_common *)&w->conf;
	c->user[sizeof(c->user) - 1] = '\0';
	c->chroot_dir[sizeof(c->chroot_dir) - 1] = '\0';
	if ((w->base = event_base_new()) == NULL)
		fatalx("event_base_new");
	w->started = time(NULL);
}

const struct gw_conf_common *
worker_common(const struct worker *w)
{
	return (const struct gw_conf_common *)&w->conf;
}

void
worker_drop(struct worker *w, const char *chroot_dir)
{
	uid_t	 uid;
	gid_t	 gid;

	privdrop_lookup(worker_common(w)->user, &uid, &gid);
	privdrop(chroot_dir, uid, gid);
}

/*
 * "Mix ports" for mixd's Landlock rule: Nym's default 1789 and the
 * ports of our own mix listeners (packets to ourselves).  In testnet
 * mode mix nodes may listen anywhere, so the rule is left open.
 */
static void
worker_mix_ports(struct worker *w, struct sandbox_policy *pol,
    uint16_t *ports, size_t max)
{
	size_t		 n = 0;
	unsigned	 i;

	if (w->conf.mixd.testnet) {
		log_info("testnet: mixd may connect to any TCP port");
		pol->landlock.net = LL_NET_OPEN;
		return;
	}
	ports[n++] = 1789;
	for (i = 0; i < w->nlisteners && n < max; i++) {
		const char	*colon = strrchr(w->listen_info[i].text, ':');
		const char	*errstr;
		long long	 p;

		if (w->listen_info[i].kind != LISTEN_MIX || colon == NULL)
			continue;
		p = gw_strtonum(colon + 1, 1, 65535, &errstr);
		if (errstr == NULL && p != 1789)
			ports[n++] = (uint16_t)p;
	}
	pol->landlock.ports = ports;
	pol->landlock.nports = n;
}

void
worker_confine(struct worker *w, const struct sandbox_policy *pol)
{
	struct sandbox_policy	 p = *pol;
	uint16_t		 ports[WORKER_MAX_LISTENERS + 1];

	if (w->self == PROC_MIXD && p.landlock.net == LL_NET_PORTS &&
	    p.landlock.nports == 0)
		worker_mix_ports(w, &p, ports, nitems(ports));
	privdrop_harden();
	p.start_threads = w->start_threads;
	p.start_arg = w->start_arg;
	sandbox_apply(&p);
}

void
worker_sandbox(struct worker *w, const char *chroot_dir,
    const struct sandbox_policy *pol)
{
	worker_drop(w, chroot_dir);
	worker_confine(w, pol);
}

void
worker_test_violation(void)
{
#ifdef GW_TEST_HOOKS
	char	*argv[] = { (char *)(uintptr_t)"/bin/true", NULL };

	log_warnx("test hook: calling execve, outside every allowlist");
	syscall(SYS_execve, argv[0], argv, NULL);
	log_warnx("test hook: execve returned (no sandbox?)");
#endif
}

#ifdef GW_TEST_HOOKS
static int
worker_test_cmp(const void *a, const void *b)
{
	uint32_t	 x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}
#endif

/*
 * Library calls that, on some hosts or past some size, read a file,
 * load code or ask the kernel for something only the first time:
 * made here, inside the sandbox, so a test sees any that would kill
 * a worker in production (the audit of issue 19, ARCHITECTURE.md).
 */
void
worker_test_lazy(const char *who)
{
#ifdef GW_TEST_HOOKS
	uint32_t	*v;
	size_t		 i, n = 4096;
	char		 buf[128];
	struct tm	 tm;
	time_t		 now = time(NULL);
	void		*big;

	/* glibc's qsort asks sysinfo() for the memory size once an
	 * array passes 1 KiB (mixd sorts its topology). */
	v = xreallocarray(NULL, n, sizeof(*v));
	for (i = 0; i < n; i++)
		v[i] = (uint32_t)(i * 2654435761u);
	qsort(v, n, sizeof(*v), worker_test_cmp);
	free(v);
	/* The time zone (syslog's timestamps) and localised texts. */
	localtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%a %d %b %Y %H:%M:%S %Z", &tm);
	snprintf(buf, sizeof(buf), "%s %s %.3f", strerror(EACCES),
	    strsignal(SIGSYS), 1.5);
	/* A large block and giving memory back (mmap, madvise). */
	big = xmalloc(8 << 20);
	memset(big, 1, 8 << 20);
	free(big);
	malloc_trim(0);
	randombytes_buf(buf, sizeof(buf));
	log_warnx("test hook: %s: lazy library calls survived", who);
#else
	(void)who;
#endif
}

void
worker_test_nofile(const char *who, uint32_t n)
{
#ifdef GW_TEST_HOOKS
	static struct rlimit	 orig;
	static int		 saved;
	struct rlimit		 rl;

	if (!saved && getrlimit(RLIMIT_NOFILE, &orig) == 0)
		saved = 1;
	rl = orig;
	if (n != 0)
		rl.rlim_cur = n;
	if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
		log_warn("test hook: %s: setrlimit", who);
	else
		log_warnx("test hook: %s: descriptor limit %llu", who,
		    (unsigned long long)rl.rlim_cur);
#else
	(void)who;
	(void)n;
#endif
}

void
worker_test_connect(const char *who, uint32_t port)
{
#ifdef GW_TEST_HOOKS
	struct sockaddr_in	 sin;
	int			 fd, rv;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("test hook: %s: connect 127.0.0.1:%u: socket", who,
		    port);
		return;
	}
	rv = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	if (rv == 0)
		log_warnx("test hook: %s: connect 127.0.0.1:%u: connected",
		    who, port);
	else
		log_warn("test hook: %s: connect 127.0.0.1:%u: refused", who,
		    port);
	close(fd);
#else
	(void)who;
	(void)port;
#endif
}

static void
worker_peer_clear(struct imsgev *iev)
{
	struct worker	*w = iev->arg;

	w->peer[iev->proc] = NULL;
	imsgev_free(iev);
}

static void
worker_lost(struct imsgev *iev, const char *why)
{
	struct worker	*w = iev->arg;

	/* The master going away is the normal way to stop. */
	if (iev->proc == PROC_PARENT) {
		log_debug("master channel: %s; exiting", why);
		if (w->ops->stop != NULL)
			w->ops->stop(w);
		exit(0);
	}
	/*
	 * A sibling's channel only closes when the sibling dies, and the
	 * master, which supervises, then stops us all.  Exiting here would
	 * race the dead worker's own report and hide the cause.
	 */
	log_warnx("lost channel to %s: %s; waiting for the master",
	    iev->name, why);
	worker_peer_clear(iev);
}

static void
worker_send_status(struct worker *w, uint32_t peerid)
{
	if (w->ops->counters != NULL)
		w->ops->counters(w);
	counters_send(w->peer[PROC_PARENT], peerid, w->name, w->started,
	    sandbox_active(), &w->counters);
}

static int
worker_dispatch_parent(struct imsgev *iev, struct imsg *imsg)
{
	struct worker	*w = iev->arg;
	int32_t		 verbose;
	union gw_conf_any conf;

	switch (imsg->hdr.type) {
	case IMSG_START:
		if (w->serving)
			imsg_unexpected(iev, imsg);
		w->serving = 1;
		log_debug("started");
		if (w->ops->start != NULL)
			w->ops->start(w);
		return 0;
	case IMSG_CTL_STATUS:
		worker_send_status(w, imsg->hdr.peerid);
		return 0;
	case IMSG_NODE_HOSTINFO:
		worker_hostinfo(w, imsg);
		return 0;
	case IMSG_CTL_LOG_VERBOSE:
		imsg_need(iev, imsg, &verbose, sizeof(verbose));
		log_setverbose(verbose);
		return 0;
	case IMSG_RECONF:
		imsg_need(iev, imsg, &conf, gw_role(w->self)->conf_size);
		if (w->ops->reconf != NULL)
			w->ops->reconf(w, &conf);
		return 0;
#ifdef GW_TEST_HOOKS
	case IMSG_CTL_TEST_SANDBOX: {
		struct gw_test_sandbox ts;

		imsg_need(iev, imsg, &ts, sizeof(ts));
		if (ts.what == TEST_SANDBOX_LAZY)
			worker_test_lazy(w->name);
		else if (ts.what == TEST_SANDBOX_NOFILE)
			worker_test_nofile(w->name, ts.value);
		else
			worker_test_violation();
		return 0;
	}
	case IMSG_CTL_TEST_CONNECT: {
		struct gw_test_connect tc;

		imsg_need(iev, imsg, &tc, sizeof(tc));
		worker_test_connect(w->name, tc.port);
		return 0;
	}
#endif
	default:
		if (w->ops->dispatch[PROC_PARENT] != NULL)
			return w->ops->dispatch[PROC_PARENT](iev, imsg);
		imsg_unexpected(iev, imsg);
	}
}

static int
worker_dispatch_unexpected(struct imsgev *iev, struct imsg *imsg)
{
	imsg_unexpected(iev, imsg);
}

void
worker_run(struct worker *w, const struct worker_ops *ops)
{
	int	 p;

	w->ops = ops;
	for (p = 0; p < PROC_MAX; p++) {
		imsgev_dispatch_cb cb;

		if (w->peer_fd[p] == -1)
			continue;
		if (p == PROC_PARENT)
			cb = worker_dispatch_parent;
		else if (ops->dispatch[p] != NULL)
			cb = ops->dispatch[p];
		else
			cb = worker_dispatch_unexpected;
		/* Descriptors flow only at start-up, never afterwards. */
		w->peer[p] = imsgev_new(w->base, w->peer_fd[p], p,
		    gw_proc_name(p), GW_IMSG_MAXSIZE, 0, cb, worker_lost, w);
	}
	if (imsgev_compose(w->peer[PROC_PARENT], IMSG_WORKER_READY, 0, -1,
	    NULL, 0) == -1)
		fatal("%s", __func__);
	log_debug("ready");
	if (event_base_dispatch(w->base) == -1)
		fatalx("event loop failed");
}
