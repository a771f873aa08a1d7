/*
 * Starting, wiring and supervising the workers.  Any worker lost is the
 * whole daemon lost: the master stops the rest and exits non-zero, and
 * the service manager restarts everything clean (ARCHITECTURE.md, Processes).
 */
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base58.h"
#include "gatewayd.h"
#include "log.h"
#include "roles.h"
#include "sandbox.h"
#include "util.h"

/* Socket buffers between processes: room for bursts of packets. */
#define PARENT_SOCKBUF		(256 * 1024)
/* How long workers get to exit, before and after SIGKILL. */
#define PARENT_STOP_MS		5000

/* Every worker, in the role table's order (common/roles.c). */
#define FOREACH_WORKER(p) \
	for ((p) = GW_FIRST_WORKER; (p) < PROC_MAX; (p)++)

static int	parent_dispatch_worker(struct imsgev *, struct imsg *);
static void	parent_stop_now(struct gatewayd *);
static void	parent_lost_worker(struct imsgev *, const char *);

static void
parent_socketpair(int sv[2])
{
	int	 sz = PARENT_SOCKBUF, i;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("socketpair");
	for (i = 0; i < 2; i++) {
		/* Best effort: the kernel caps these at wmem_max. */
		setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
		setsockopt(sv[i], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
}

/* Test builds also pass GW_TEST_* (credd's intervals); at most: */
#define PARENT_TEST_ENV_MAX	16

/* Only sanitizer settings pass to the workers; nothing else. */
static char **
parent_worker_env(void)
{
	static const char *const keep[] = {
		"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"
	};
	static char	*env[nitems(keep) + PARENT_TEST_ENV_MAX + 1];
	size_t		 i, n = 0;
#ifdef GW_TEST_HOOKS
	extern char	**environ;
	char		**e;

	for (e = environ; *e != NULL && n < PARENT_TEST_ENV_MAX; e++)
		if (strncmp(*e, "GW_TEST_", 8) == 0)
			env[n++] = *e;
#endif

	for (i = 0; i < nitems(keep); i++) {
		const char *v = getenv(keep[i]);
		/* LeakSanitizer cannot run in a worker once it dropped
		 * privileges and sandboxed itself (ARCHITECTURE.md, Sandboxes). */
		const char *extra = i == 0 && v != NULL ? ":detect_leaks=0" :
		    "";

		if (v != NULL &&
		    asprintf(&env[n], "%s=%s%s", keep[i], v, extra) != -1)
			n++;
	}
	env[n] = NULL;
	return env;
}

static pid_t
parent_exec_worker(struct gatewayd *gw, enum gw_proc p, int fd, int note)
{
	char	 path[PATH_MAX];
	char	*argv[8];
	int	 argc = 0, v;
	pid_t	 pid;

	snprintf(path, sizeof(path), "%s/%s", GW_EXECDIR, gw_proc_name(p));
	argv[argc++] = (char *)(uintptr_t)gw_proc_name(p);
	if (gw->foreground)
		argv[argc++] = (char *)(uintptr_t)"-d";
	for (v = 0; v < gw->verbose && v < 2; v++)
		argv[argc++] = (char *)(uintptr_t)"-v";
	argv[argc] = NULL;

	switch (pid = fork()) {
	case -1:
		fatal("fork");
	case 0:
		/* The channel becomes fd 3, the note pipe fd 4, and they
		 * alone survive exec (both moved out of the way first). */
		if ((fd = fcntl(fd, F_DUPFD_CLOEXEC, 10)) == -1 ||
		    (note = fcntl(note, F_DUPFD_CLOEXEC, 10)) == -1 ||
		    dup2(fd, 3) == -1 || dup2(note, 4) == -1)
			_exit(127);
		execve(path, argv, parent_worker_env());
		fprintf(stderr, "gatewayd: exec %s: %s\n", path,
		    strerror(errno));
		_exit(127);
	}
	return pid;
}

void
parent_spawn_workers(struct gatewayd *gw)
{
	enum gw_proc	 p;
	int		 sv[2], note[2];

	/* One pipe for every worker's last words (sandbox_note). */
	if (pipe2(note, O_CLOEXEC | O_NONBLOCK) == -1)
		fatal("pipe2");
	gw->note_fd = note[0];
	FOREACH_WORKER(p) {
		struct gw_worker	*w = &gw->workers[p];

		parent_socketpair(sv);
		w->proc = p;
		w->pid = parent_exec_worker(gw, p, sv[1], note[1]);
		close(sv[1]);
		/* Descriptors go down to workers, never up. */
		w->iev = imsgev_new(gw->base, sv[0], p, gw_proc_name(p),
		    GW_IMSG_MAXSIZE, 1, parent_dispatch_worker,
		    parent_lost_worker, gw);
		*counter_get(&gw->counters, "workers_started") += 1;
		log_debug("started %s, pid %d", gw_proc_name(p), (int)w->pid);
	}
	close(note[1]);
}

static void
parent_send(struct gatewayd *gw, enum gw_proc p, uint32_t type, int fd,
    const void *data, size_t len)
{
	if (imsgev_compose(gw->workers[p].iev, type, 0, fd, data, len) == -1)
		fatal("send %s to %s", gw_imsg_type_name(type),
		    gw_proc_name(p));
}

/* User and root as the role table gives them; a root only as root. */
static void
slice_common(const struct gatewayd *gw, struct gw_conf_common *c,
    enum gw_proc p)
{
	const struct gw_role	*r = gw_role(p);
	const char		*dir = "";

	gw_strlcpy(c->user, r->user == ROLE_USER_STORAGE ?
	    gw->conf.storage_user : gw->conf.user, sizeof(c->user));
	if (r->root == ROLE_ROOT_CHROOT)
		dir = gw->conf.chroot_dir;
	else if (r->root == ROLE_ROOT_DATA && geteuid() == 0)
		dir = gw->conf.data_dir;
	gw_strlcpy(c->chroot_dir, dir, sizeof(c->chroot_dir));
	c->verbose = gw->verbose;
	c->foreground = gw->foreground;
}

static void
slice_mixd(const struct gatewayd *gw, struct gw_conf_mixd *s)
{
	const struct gw_config *c = &gw->conf;

	memset(s, 0, sizeof(*s));
	slice_common(gw, &s->c, PROC_MIXD);
	s->max_mix_connections = c->max_mix_connections;
	s->mix_read_timeout_ms = c->mix_read_timeout_ms;
	s->testnet = c->testnet;
	s->ack_delay_ms = c->ack_delay_ms;
	s->sphinx_threads = c->sphinx_threads;
}

static void
slice_clientd(const struct gatewayd *gw, struct gw_conf_clientd *s)
{
	const struct gw_config *c = &gw->conf;

	memset(s, 0, sizeof(*s));
	slice_common(gw, &s->c, PROC_CLIENTD);
	s->max_connections = c->max_connections;
	s->max_connections_per_address = c->max_connections_per_address;
	s->max_message_size = c->max_message_size;
	s->handshake_timeout_ms = c->handshake_timeout_ms;
	s->idle_timeout_ms = c->idle_timeout_ms;
	s->max_unauthenticated = c->max_unauthenticated;
	s->max_unauthenticated_per_address =
	    c->max_unauthenticated_per_address;
	s->ipv6_prefix = c->ipv6_prefix;
	s->enforce_zk_nyms = c->enforce_zk_nyms;
}

/* The announced ws port: configured, or the first clients listener's. */
static uint16_t
slice_ws_port(const struct gatewayd *gw)
{
	const char	*colon, *errstr;
	unsigned	 i;
	long long	 p;

	if (gw->conf.announce_ws_port != 0)
		return gw->conf.announce_ws_port;
	for (i = 0; i < gw->nlisteners; i++) {
		if (gw->listeners[i].kind != LISTEN_CLIENTS ||
		    (colon = strrchr(gw->listeners[i].text, ':')) == NULL)
			continue;
		p = gw_strtonum(colon + 1, 1, 65535, &errstr);
		if (errstr == NULL)
			return (uint16_t)p;
	}
	return 0;
}

/* The port of the first listen.verloc address (auxiliary-details). */
static uint16_t
slice_verloc_port(const struct gatewayd *gw)
{
	const char	*colon, *errstr;
	unsigned	 i;
	long long	 p;

	for (i = 0; i < gw->nlisteners; i++) {
		if (gw->listeners[i].kind != LISTEN_VERLOC ||
		    (colon = strrchr(gw->listeners[i].text, ':')) == NULL)
			continue;
		p = gw_strtonum(colon + 1, 1, 65535, &errstr);
		if (errstr == NULL)
			return (uint16_t)p;
	}
	return 0;
}

static void
slice_apid(const struct gatewayd *gw, struct gw_conf_apid *s)
{
	memset(s, 0, sizeof(*s));
	slice_common(gw, &s->c, PROC_APID);
	s->ipv6_prefix = gw->conf.ipv6_prefix;
	s->enforce_zk_nyms = gw->conf.enforce_zk_nyms;
	s->ws_port = slice_ws_port(gw);
	s->wss_port = gw->conf.announce_wss_port;
	s->accept_terms = gw->conf.accept_terms;
	s->verloc_port = slice_verloc_port(gw);
	if (gw->conf.metrics_token[0] != '\0') {
		s->metrics_token_set = 1;
		crypto_generichash(s->metrics_token_hash,
		    sizeof(s->metrics_token_hash),
		    (const uint8_t *)gw->conf.metrics_token,
		    strlen(gw->conf.metrics_token), NULL, 0);
	}
}

static void
slice_verlocd(const struct gatewayd *gw, struct gw_conf_verlocd *s)
{
	const struct gw_config *c = &gw->conf;

	memset(s, 0, sizeof(*s));
	slice_common(gw, &s->c, PROC_VERLOCD);
	s->ipv6_prefix = c->ipv6_prefix;
	s->measure = c->verloc_measure;
	/* The public half: our echoes carry it, the list skips it. */
	memcpy(s->identity_pk, gw->identity.pk, sizeof(s->identity_pk));
	s->packets_per_node = c->verloc_packets;
	s->packet_timeout_ms = c->verloc_packet_timeout_ms;
	s->connection_timeout_ms = c->verloc_conn_timeout_ms;
	s->delay_between_packets_ms = c->verloc_delay_ms;
	s->tested_nodes_batch_size = c->verloc_batch;
	s->testing_interval_ms = c->verloc_interval_ms;
	s->retry_timeout_ms = c->verloc_retry_ms;
}

static void
slice_credd(const struct gatewayd *gw, struct gw_conf_credd *s)
{
	const struct gw_config *c = &gw->conf;
	unsigned	 i;

	memset(s, 0, sizeof(*s));
	slice_common(gw, &s->c, PROC_CREDD);
	for (i = 0; i < c->n_nym_api_urls && i < GW_MAX_APIURLS; i++)
		gw_strlcpy(s->nym_api_urls[i], c->nym_api_urls[i],
		    GW_URL_MAX);
	s->n_nym_api_urls = i;
	s->nym_api_timeout_ms = c->nym_api_timeout_ms;
	s->enforce_zk_nyms = c->enforce_zk_nyms;
	gw_strlcpy(s->cosmos_address, c->cosmos_address,
	    sizeof(s->cosmos_address));
	/* The public half only: pay_info names it (spec 6.3). */
	memcpy(s->identity_pk, gw->identity.pk, sizeof(s->identity_pk));
	gw_strlcpy(s->nym_api_ca_file, c->nym_api_ca_file,
	    sizeof(s->nym_api_ca_file));
	gw_strlcpy(s->attestation_url, c->attestation_url,
	    sizeof(s->attestation_url));
	gw_strlcpy(s->nyxd_url, c->nyxd_url, sizeof(s->nyxd_url));
	gw_strlcpy(s->dkg_contract, c->dkg_contract, sizeof(s->dkg_contract));
	/* Checked by the config parser. */
	if (base58_decode(c->attester_key, s->attester_pk,
	    sizeof(s->attester_pk)) != (int)sizeof(s->attester_pk))
		fatalx("%s: bad attester key", __func__);
}

static void
slice_storaged(const struct gatewayd *gw, struct gw_conf_storaged *s)
{
	const struct gw_config *c = &gw->conf;

	memset(s, 0, sizeof(*s));
	slice_common(gw, &s->c, PROC_STORAGED);
	/* Chrooted into it as root (the role table), so it is "/". */
	gw_strlcpy(s->data_dir, s->c.chroot_dir[0] != '\0' ? "/" : c->data_dir,
	    sizeof(s->data_dir));
	gw_strlcpy(s->data_dir_shown, c->data_dir, sizeof(s->data_dir_shown));
	s->map_size = c->map_size;
	s->inbox_retention_s = c->inbox_retention_s;
	s->inbox_max_messages = c->inbox_max_messages;
	s->commit_interval_ms = c->commit_interval_ms;
	s->commit_batch = c->commit_batch;
}

static void
parent_send_slice(struct gatewayd *gw, enum gw_proc p, uint32_t type)
{
	union gw_conf_any s;
	size_t	 len = 0;

	switch (p) {
	case PROC_MIXD:
		slice_mixd(gw, &s.mixd);
		len = sizeof(s.mixd);
		break;
	case PROC_CLIENTD:
		slice_clientd(gw, &s.clientd);
		len = sizeof(s.clientd);
		break;
	case PROC_CREDD:
		slice_credd(gw, &s.credd);
		len = sizeof(s.credd);
		break;
	case PROC_STORAGED:
		slice_storaged(gw, &s.storaged);
		len = sizeof(s.storaged);
		break;
	case PROC_APID:
		slice_apid(gw, &s.apid);
		len = sizeof(s.apid);
		break;
	case PROC_VERLOCD:
		slice_verlocd(gw, &s.verlocd);
		len = sizeof(s.verlocd);
		break;
	default:
		fatalx("%s: bad proc", __func__);
	}
	if (type == IMSG_NONE)
		type = gw_role(p)->conf_type;
	parent_send(gw, p, type, -1, &s, len);
	sodium_memzero(&s, sizeof(s));	/* the token's hash */
}

static void
parent_send_sphinx_key(struct gatewayd *gw)
{
	/* mixd holds the Sphinx keys from now on; the master does not. */
	rotation_send_keys(gw, gw->workers[PROC_MIXD].iev);
}

/* Without it mixd speaks raw TCP to everyone (mixnet.noise: false). */
static void
parent_send_noise_key(struct gatewayd *gw)
{
	struct gw_key_noise	 k;

	if (!gw->have_noise)
		return;
	memcpy(k.secret, gw->noise.sk, sizeof(k.secret));
	memcpy(k.public, gw->noise.pk, sizeof(k.public));
	parent_send(gw, PROC_MIXD, IMSG_KEY_NOISE, -1, &k, sizeof(k));
	sodium_memzero(&k, sizeof(k));
	/* Only mixd needs it; the master keeps the public half. */
	sodium_memzero(gw->noise.sk, sizeof(gw->noise.sk));
}

void
parent_send_setup(struct gatewayd *gw)
{
	struct gw_setup_peer	 peer;
	struct gw_setup_listener li;
	enum gw_proc		 a, b, p;
	unsigned		 l;
	int			 sv[2];

	FOREACH_WORKER(a)
	for (b = a + 1; b < PROC_MAX; b++) {
		if (!gw_role_talks(a, b))
			continue;
		parent_socketpair(sv);
		peer.proc = b;
		parent_send(gw, a, IMSG_SETUP_PEER, sv[0], &peer,
		    sizeof(peer));
		peer.proc = a;
		parent_send(gw, b, IMSG_SETUP_PEER, sv[1], &peer,
		    sizeof(peer));
	}
	for (l = 0; l < gw->nlisteners; l++) {
		struct gw_listener *gl = &gw->listeners[l];

		memset(&li, 0, sizeof(li));
		li.kind = gl->kind;
		gw_strlcpy(li.text, gl->text, sizeof(li.text));
		parent_send(gw, gw_role_for_listener(gl->kind),
		    IMSG_SETUP_LISTENER, gl->fd, &li, sizeof(li));
		gl->fd = -1;	/* closed once sent */
	}
	FOREACH_WORKER(p)
		parent_send_slice(gw, p, IMSG_NONE);
	hostinfo_send(gw);
	parent_send_sphinx_key(gw);
	parent_send_noise_key(gw);
	FOREACH_WORKER(p)
		parent_send(gw, p, IMSG_SETUP_DONE, -1, NULL, 0);
}

/* How long an orderly stop waits for mixd's last replay tags. */
#define PARENT_FLUSH_MS		3000

static void
parent_stop_now(struct gatewayd *gw)
{
	replay_store_close(gw);
	parent_shutdown(gw, 0);
}

static void
parent_stop_timeout(int fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	log_warnx("mixd did not flush its replay tags in %d ms; stopping",
	    PARENT_FLUSH_MS);
	parent_stop_now(arg);
}

void
parent_stop(struct gatewayd *gw)
{
	struct timeval	 tv = { PARENT_FLUSH_MS / 1000, 0 };

	if (gw->stopping)
		return;
	gw->stopping = 1;
	if (gw->workers[PROC_MIXD].iev == NULL || imsgev_compose(
	    gw->workers[PROC_MIXD].iev, IMSG_REPLAY_FLUSH, 0, -1, NULL, 0) ==
	    -1)
		parent_stop_now(gw);
	if ((gw->stop_ev = evtimer_new(gw->base, parent_stop_timeout, gw)) ==
	    NULL || evtimer_add(gw->stop_ev, &tv) == -1)
		parent_stop_now(gw);
}

void
parent_broadcast(struct gatewayd *gw, uint32_t type, uint32_t peerid,
    const void *data, size_t len)
{
	size_t	 i;

	for (i = 0; i < GW_NWORKERS; i++) {
		struct gw_worker *w = &gw->workers[(GW_FIRST_WORKER + i)];

		if (w->iev != NULL && imsgev_compose(w->iev, type, peerid, -1,
		    data, len) == -1)
			fatal("%s", __func__);
	}
}

void
parent_all_ready(struct gatewayd *gw)
{
	const char	*sock;
	size_t		 i;

	if (gw->serving || !gw->replay_restored)
		return;
	for (i = 0; i < GW_NWORKERS; i++)
		if (!gw->workers[(GW_FIRST_WORKER + i)].ready)
			return;
	gw->serving = 1;
	parent_broadcast(gw, IMSG_START, 0, NULL, 0);
	load_start(gw);
	log_info("startup: %s %s, %u listeners, serving", "gatewayd",
	    GW_VERSION, gw->nlisteners);
	/* systemd Type=notify, without libsystemd: one datagram. */
	if ((sock = getenv("NOTIFY_SOCKET")) != NULL)
		sd_notify_ready(sock);
}

static void
parent_relay(struct gatewayd *gw, struct imsg *imsg, enum gw_proc to)
{
	if (gw->workers[to].iev != NULL && imsgev_compose(gw->workers[to].iev,
	    imsg->hdr.type, imsg->hdr.peerid, -1, imsg->data, imsg->datalen) ==
	    -1)
		fatal("%s", __func__);
}

/* Who may send what, and its size, the role table has checked
 * (messages.c); what is left here is the state it may come in. */
static int
parent_dispatch_worker(struct imsgev *iev, struct imsg *imsg)
{
	struct gatewayd		*gw = iev->arg;
	struct gw_worker	*w = &gw->workers[iev->proc];

	switch (imsg->hdr.type) {
	case IMSG_WORKER_READY:
		if (w->ready)
			imsg_unexpected(iev, imsg);
		w->ready = 1;
		log_debug("%s ready", iev->name);
		/* The filters before START, which opens the mix port; not
		 * during start-up, whose messages mixd reads on their own. */
		if (iev->proc == PROC_MIXD)
			replay_store_send(gw);
		parent_all_ready(gw);
		return 0;
	case IMSG_REPLAY_TAGS:
		replay_store_tags(gw, iev, imsg);
		return 0;
	case IMSG_REPLAY_FLUSHED:
		if (!gw->stopping)
			imsg_unexpected(iev, imsg);
		parent_stop_now(gw);
		return 0;
	case IMSG_CTL_STATUS_PROC:
		control_relay_status(gw, iev, imsg);
		return 0;
	case IMSG_METRICS_REQUEST:
		control_metrics_request(gw, iev);
		return 0;
	case IMSG_HS_SIGN:
		if (!gw->serving)
			imsg_unexpected(iev, imsg);
		sign_handshake(gw, iev, imsg);
		return 0;
	case IMSG_VERLOC_SIGN:
		sign_verloc(gw, iev, imsg);
		return 0;
	case IMSG_VERLOC_ECHO_SIGN:
		if (!gw->serving)
			imsg_unexpected(iev, imsg);
		sign_verloc_echo(gw, iev, imsg);
		return 0;
	case IMSG_VERLOC_NODES_FETCH:
	case IMSG_VERLOC_NODES:
	case IMSG_VERLOC_RESULTS:
		/* verlocd's list from credd, its results for apid: the
		 * rows checked both legs, the receivers check the rest. */
		parent_relay(gw, imsg, imsg->hdr.type == IMSG_VERLOC_NODES ?
		    PROC_VERLOCD : imsg->hdr.type == IMSG_VERLOC_RESULTS ?
		    PROC_APID : PROC_CREDD);
		return 0;
	case IMSG_ROTATION_INFO:
		rotation_info(gw, imsg);
		return 0;
	case IMSG_SESSION_STATS:
		/* clientd's day, for apid; the rows checked both legs. */
		if (imsgev_compose(gw->workers[PROC_APID].iev,
		    IMSG_SESSION_STATS, 0, -1, imsg->data, imsg->datalen) == -1)
			fatal("%s", __func__);
		return 0;
	case IMSG_REFRESH_SIGN:
		if (!gw->serving)
			imsg_unexpected(iev, imsg);
		refresh_request(gw);
		return 0;
	default:
		imsg_unexpected(iev, imsg);
	}
}

/* Every note waiting in the pipe, for the deaths about to be logged. */
static size_t
parent_read_notes(struct gatewayd *gw, struct sandbox_note *notes,
    size_t max)
{
	size_t	 n = 0;

	while (n < max && gw->note_fd != -1 &&
	    read(gw->note_fd, &notes[n], sizeof(notes[n])) ==
	    (ssize_t)sizeof(notes[n]))
		if (notes[n].magic == SANDBOX_NOTE_MAGIC)
			n++;
	return n;
}

static void
parent_log_exit(const struct gw_worker *w, int status,
    const struct sandbox_note *notes, size_t nnotes)
{
	size_t	 i;

	for (i = 0; WIFSIGNALED(status) && i < nnotes; i++)
		if (notes[i].pid == (int32_t)w->pid) {
			log_warnx("lost child: %s pid %d terminated; signal "
			    "%d (%s): system call %s is outside its "
			    "allowlist", gw_proc_name(w->proc), (int)w->pid,
			    WTERMSIG(status), strsignal(WTERMSIG(status)),
			    sandbox_syscall_name(&notes[i]));
			return;
		}
	if (WIFSIGNALED(status))
		log_warnx("lost child: %s pid %d terminated; signal %d (%s)",
		    gw_proc_name(w->proc), (int)w->pid, WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else if (WIFEXITED(status))
		log_warnx("lost child: %s pid %d exited with status %d",
		    gw_proc_name(w->proc), (int)w->pid, WEXITSTATUS(status));
}

/*
 * Collect every worker that has ended and log it, deaths by signal
 * first: when one worker dies its siblings exit on the closed channel,
 * and the operator needs the cause, not the echo.  Returns how many.
 */
static int
parent_sweep(struct gatewayd *gw)
{
	struct gw_worker	*dead[GW_NWORKERS];
	int			 status[GW_NWORKERS];
	struct sandbox_note	 notes[2 * GW_NWORKERS];
	size_t			 i, n = 0, nnotes;
	int			 pass;

	for (i = 0; i < GW_NWORKERS; i++) {
		struct gw_worker *w = &gw->workers[(GW_FIRST_WORKER + i)];

		if (w->pid <= 0 || w->reaped)
			continue;
		if (waitpid(w->pid, &status[n], WNOHANG) == w->pid) {
			w->reaped = 1;
			dead[n++] = w;
		}
	}
	nnotes = n > 0 ? parent_read_notes(gw, notes, nitems(notes)) : 0;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++)
			if (WIFSIGNALED(status[i]) == (pass == 0))
				parent_log_exit(dead[i], status[i], notes,
				    nnotes);
	return (int)n;
}

/* SIGCHLD: any worker that ends while we serve ends the daemon. */
void
parent_reap(struct gatewayd *gw)
{
	if (gw->exiting)
		return;
	if (parent_sweep(gw) > 0)
		parent_shutdown(gw, 1);
	/* Not ours (a stray child): reap it quietly. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void
parent_lost_worker(struct imsgev *iev, const char *why)
{
	struct gatewayd		*gw = iev->arg;
	struct gw_worker	*w = &gw->workers[iev->proc];
	int			 tries, found = 0;

	if (gw->exiting)
		return;
	/* Usually the worker died: wait briefly to say how. */
	for (tries = 0; tries < 200 && !found; tries++) {
		if ((found = parent_sweep(gw)) == 0)
			usleep(10000);
	}
	if (!found)
		log_warnx("lost child: %s pid %d: channel %s", iev->name,
		    (int)w->pid, why);
	parent_shutdown(gw, 1);
}

/* Wait for every worker until the deadline; returns how many remain. */
static int
parent_wait_all(struct gatewayd *gw, uint64_t deadline)
{
	size_t	 i;
	int	 alive, st;

	do {
		alive = 0;
		for (i = 0; i < GW_NWORKERS; i++) {
			struct gw_worker *w = &gw->workers[(GW_FIRST_WORKER + i)];

			if (w->pid <= 0 || w->reaped)
				continue;
			if (waitpid(w->pid, &st, WNOHANG) == w->pid)
				w->reaped = 1;
			else
				alive++;
		}
		if (alive)
			usleep(10000);
	} while (alive && gw_now_ms() < deadline);
	return alive;
}

/*
 * Workers stop when their channel to the master closes (storaged
 * commits first); they ignore SIGTERM, so a service manager that
 * signals the whole group cannot turn an orderly stop into a "lost
 * child".  Stragglers get SIGKILL, and nothing here blocks for ever.
 */
void
parent_shutdown(struct gatewayd *gw, int status)
{
	size_t	 i;

	gw->exiting = 1;
	for (i = 0; i < GW_NWORKERS; i++) {
		struct gw_worker *w = &gw->workers[(GW_FIRST_WORKER + i)];

		if (w->iev != NULL) {
			imsgbuf_write(&w->iev->ibuf);	/* last words */
			imsgev_free(w->iev);
			w->iev = NULL;
		}
	}
	if (parent_wait_all(gw, gw_now_ms() + PARENT_STOP_MS) > 0) {
		for (i = 0; i < GW_NWORKERS; i++) {
			struct gw_worker *w = &gw->workers[(GW_FIRST_WORKER + i)];

			if (w->pid <= 0 || w->reaped)
				continue;
			log_warnx("%s pid %d did not stop; killing it",
			    gw_proc_name(w->proc), (int)w->pid);
			if (kill(w->pid, SIGKILL) == -1)
				log_warn("kill %s pid %d",
				    gw_proc_name(w->proc), (int)w->pid);
		}
		if (parent_wait_all(gw, gw_now_ms() + PARENT_STOP_MS) > 0)
			log_warnx("workers did not exit; leaving them to "
			    "the parent-death signal");
	}
	control_cleanup(gw);
	replay_store_close(gw);
	sodium_memzero(&gw->identity, sizeof(gw->identity));
	sodium_memzero(gw->conf.metrics_token, sizeof(gw->conf.metrics_token));
	log_info("%s", status == 0 ? "terminating" : "terminating on error");
	exit(status);
}

/* Parse with every error line logged: stderr is gone once detached. */
static int
parent_parse_logged(struct gw_config *conf, const char *path)
{
	char	*buf = NULL, *line, *save;
	size_t	 len = 0;
	FILE	*fp;
	int	 errors;

	if ((fp = open_memstream(&buf, &len)) == NULL)
		fatal("open_memstream");
	errors = config_parse_file(conf, path, fp);
	fclose(fp);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		log_warnx("%s", line);
	free(buf);
	return errors;
}

int
parent_reload(struct gatewayd *gw, char *msg, size_t msglen)
{
	struct gw_config	*nconf;
	const char		*key;
	enum gw_proc		 p;

	nconf = xcalloc(1, sizeof(*nconf));
	if (parent_parse_logged(nconf, gw->conffile) != 0) {
		snprintf(msg, msglen, "%s: config has errors, not reloading",
		    gw->conffile);
		goto fail;
	}
	if ((key = config_restart_key(&gw->conf, nconf)) != NULL) {
		snprintf(msg, msglen, "%s: %s changed: restart gatewayd to "
		    "apply it; not reloading", gw->conffile, key);
		goto fail;
	}
	if (nconf->accept_terms != gw->conf.accept_terms)
		log_info("operator.accept_terms is now %s",
		    nconf->accept_terms ? "true" : "false");
	sodium_memzero(gw->conf.metrics_token, sizeof(gw->conf.metrics_token));
	gw->conf = *nconf;
	sodium_memzero(nconf, sizeof(*nconf));
	free(nconf);
	FOREACH_WORKER(p)
		parent_send_slice(gw, p, IMSG_RECONF);
	/* announce.host is in the signed host-information. */
	hostinfo_send(gw);
	replay_store_reconf(gw);
	*counter_get(&gw->counters, "reloads") += 1;
	snprintf(msg, msglen, "%s: configuration reloaded", gw->conffile);
	log_info("%s", msg);
	return 0;
fail:
	sodium_memzero(nconf, sizeof(*nconf));
	free(nconf);
	log_warnx("%s", msg);
	return -1;
}
