/*
 * gatewayd: the master process.  Parses the config, checks keys, binds
 * listeners, starts the four workers and supervises them.
 */
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <sodium.h>

#include "gatewayd.h"
#include "landlock.h"
#include "log.h"
#include "roles.h"
#include "util.h"

static struct gatewayd	 gwd;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: gatewayd [-dnVv] [-f file]\n");
	exit(1);
}

static void
gatewayd_signal(int sig, short ev, void *arg)
{
	struct gatewayd	*gw = arg;
	char		 msg[256];

	(void)ev;
	switch (sig) {
	case SIGTERM:
	case SIGINT:
		log_info("received %s", strsignal(sig));
		parent_stop(gw);
		break;
	case SIGHUP:
		log_info("SIGHUP: reloading %s", gw->conffile);
		parent_reload(gw, msg, sizeof(msg));
		break;
	case SIGCHLD:
		parent_reap(gw);
		break;
	}
}

static void
gatewayd_load_keys(struct gatewayd *gw)
{
	char	 err[PATH_MAX + 128];

	if (keys_load_identity(gw->conf.keys_dir, &gw->identity, err,
	    sizeof(err)) == -1)
		fatalx("identity key: %s (create keys with 'gatewayctl "
		    "init')", err);
	rotation_load(gw);
	/* A data dir from before Noise: init adds the key, keeps the rest. */
	if (gw->conf.noise) {
		if (keys_x25519_load(gw->conf.keys_dir, KEYS_NOISE_FILE,
		    &gw->noise, err, sizeof(err)) == -1)
			fatalx("noise key: %s (add it with 'gatewayctl init', "
			    "which keeps existing keys, or set mixnet.noise: "
			    "false)", err);
		gw->have_noise = 1;
	}
}

static void
gatewayd_signals(struct gatewayd *gw)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	size_t	 i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < nitems(sigs); i++) {
		struct event *ev = evsignal_new(gw->base, sigs[i],
		    gatewayd_signal, gw);
		if (ev == NULL || event_add(ev, NULL) == -1)
			fatalx("signal event");
	}
}

/*
 * The config holds no secrets but decides who the workers run as: it
 * must not be writable by anyone but its owner, root or us.
 */
static int
gatewayd_check_conffile(const char *path)
{
	struct stat	 st;

	if (stat(path, &st) == -1)
		return 0;	/* the parser says what is wrong */
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		fprintf(stderr, "%s: owned by uid %u, not root or us\n", path,
		    (unsigned)st.st_uid);
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		fprintf(stderr, "%s: writable by group or others (chmod "
		    "go-w it)\n", path);
		return -1;
	}
	return 0;
}

/*
 * -n: the config, its file's ownership, and the key files if they
 * exist (missing keys are only a warning: a config can be checked
 * before 'gatewayctl init' made them).
 */
/*
 * Once the workers run, the master needs no outbound TCP ever again
 * (credd alone talks to the network).  Seccomp stays off here: its
 * filter would bind the workers (ARCHITECTURE.md, Sandboxes), Landlock does not
 * reach them as they were started before it.
 */
static void
gatewayd_confine(struct gatewayd *gw)
{
	struct landlock_policy	 ll = { .deny_fs = 0, .net = LL_NET_NONE };

	(void)gw;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		fatal("PR_SET_NO_NEW_PRIVS");
	landlock_apply("gatewayd", &ll);
}

static int
gatewayd_check(struct gatewayd *gw, int print)
{
	struct gw_identity	 id;
	struct gw_x25519	 sx;
	char			 err[PATH_MAX + 128];
	int			 rv = 0;

	if (config_parse_file(&gw->conf, gw->conffile, stderr) != 0)
		return 1;
	if (gatewayd_check_conffile(gw->conffile) == -1)
		return 1;
	if (keys_load_identity(gw->conf.keys_dir, &id, err, sizeof(err)) ==
	    -1 || keys_load_sphinx(gw->conf.keys_dir, &sx, err,
	    sizeof(err)) == -1) {
		if (access(gw->conf.keys_dir, F_OK) == 0) {
			fprintf(stderr, "%s\n", err);
			rv = 1;
		} else
			fprintf(stderr, "warning: no keys in %s yet (create "
			    "them with 'gatewayctl init')\n",
			    gw->conf.keys_dir);
	} else if (gw->conf.noise && keys_x25519_load(gw->conf.keys_dir,
	    KEYS_NOISE_FILE, &sx, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s (add it with 'gatewayctl init')\n", err);
		rv = 1;
	}
	sodium_memzero(&id, sizeof(id));
	sodium_memzero(&sx, sizeof(sx));
	if (rv != 0)
		return rv;
	if (print)
		config_print(&gw->conf, stdout);
	printf("configuration OK\n");
	return 0;
}

int
main(int argc, char *argv[])
{
	struct gatewayd	*gw = &gwd;
	int		 ch, checkonly = 0;

	gw->conffile = GW_CONF_DEFAULT;
	gw->control_fd = -1;
	gw->note_fd = -1;
	while ((ch = getopt(argc, argv, "df:nVv")) != -1) {
		switch (ch) {
		case 'd':
			gw->foreground = 1;
			break;
		case 'f':
			gw->conffile = optarg;
			break;
		case 'n':
			checkonly = 1;
			break;
		case 'V':
			printf("gatewayd %s\n", GW_VERSION);
			return 0;
		case 'v':
			gw->verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (checkonly)
		return gatewayd_check(gw, gw->verbose > 0);

	log_init(gw->foreground, gw->verbose, LOG_DAEMON);
	log_procinit("gatewayd");
	gw_msg_set_self(PROC_PARENT);
	if (sodium_init() == -1)
		fatalx("sodium_init");
	if (config_parse_file(&gw->conf, gw->conffile, stderr) != 0 ||
	    gatewayd_check_conffile(gw->conffile) == -1)
		fatalx("%s: config has errors", gw->conffile);
	if (geteuid() != 0)
		log_info("not running as root: workers keep this uid and are "
		    "not chrooted (development mode); seccomp still applies");
	hostinfo_log_terms(&gw->conf);
	/* Everything that can fail on the operator's files does so before
	 * we detach, so the exit status tells. */
	datadir_prepare(gw);
	gatewayd_load_keys(gw);
	/* Before the mix port opens: what the filters saw last time. */
	replay_store_open(gw);
	control_open(gw);
	listen_open_all(gw);
	if (!gw->foreground && daemon(1, 0) == -1)
		fatal("daemon");
	gw->started = time(NULL);
	if ((gw->base = event_base_new()) == NULL)
		fatalx("event_base_new");
	control_listen(gw);
	replay_store_start(gw);
	gatewayd_signals(gw);
	parent_spawn_workers(gw);
	parent_send_setup(gw);
	gatewayd_confine(gw);
	event_base_dispatch(gw->base);
	parent_shutdown(gw, 1);
}
