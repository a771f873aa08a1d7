/*
 * The control socket gatewayctl talks to: imsg over a unix socket.
 * Status is open to anyone the socket's mode lets in (0660); changes
 * (reload, verbosity) need root or the daemon's own uid.  A client's
 * bytes are untrusted: a bad message closes that client only.  What a
 * client can take is bounded too: one that does not read its replies
 * is no longer read once CONTROL_OUT_MAX bytes wait for it and is
 * dropped if they do not drain; one idle for CONTROL_IDLE_MS is let go;
 * and with every slot taken, the longest idle makes room, so the
 * operator always gets in.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accept.h"
#include "gatewayd.h"
#include "log.h"
#include "roles.h"
#include "metrics.h"
#include "ratelog.h"
#include "util.h"
#include "worker.h"

#define CONTROL_MAX_CLIENTS	32
#define CONTROL_MAXSIZE		(64 * 1024)
#define CONTROL_OUT_MAX		(1024 * 1024)
#define CONTROL_OUT_LOW		(256 * 1024)
#define CONTROL_DRAIN_MS	10000
#define CONTROL_IDLE_MS		30000
#define CONTROL_SWEEP_MS	1000

struct control_client {
	struct imsgev	*iev;
	uint32_t	 id;
	uid_t		 uid;
	unsigned	 pending;	/* status replies still to relay */
	uint64_t	 active_ms;	/* last request */
	uint64_t	 paused_ms;	/* 0: reading it */
};

static struct control_client	 ctl_clients[CONTROL_MAX_CLIENTS];
/* apid asking for /metrics is served like a control client. */
#define CTL_ID_METRICS		UINT32_MAX
static unsigned			 ctl_metrics_pending;
static uint32_t			 ctl_next_id = 1;
static struct event		*ctl_ev, *ctl_sweep_ev;
static struct accept_pause	 ctl_accept;
static struct ratelog		 ctl_rl_evict, ctl_rl_slow;
static struct gatewayd		*ctl_gw;

static struct control_client *
control_find(uint32_t id)
{
	size_t	 i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl_clients[i].iev != NULL && ctl_clients[i].id == id)
			return &ctl_clients[i];
	return NULL;
}

static void
control_close(struct control_client *c)
{
	imsgev_free(c->iev);
	memset(c, 0, sizeof(*c));
}

static void
control_lost(struct imsgev *iev, const char *why)
{
	struct control_client *c = iev->arg;

	log_debug("control client %u: %s", c->id, why);
	control_close(c);
}

static void
control_result(struct control_client *c, int ok, const char *msg)
{
	struct gw_ctl_result	 r;

	memset(&r, 0, sizeof(r));
	r.ok = ok;
	gw_strlcpy(r.message, msg, sizeof(r.message));
	imsgev_compose(c->iev, IMSG_CTL_RESULT, 0, -1, &r, sizeof(r));
}

static int
control_privileged(const struct control_client *c)
{
	return c->uid == 0 || c->uid == geteuid();
}

static void
control_status(struct gatewayd *gw, struct control_client *c)
{
	counters_send(c->iev, 0, "gatewayd", gw->started, 0, &gw->counters);
	if (c->pending > 0)
		return;	/* one status request at a time per client */
	c->pending = GW_NWORKERS;
	parent_broadcast(gw, IMSG_CTL_STATUS, c->id, NULL, 0);
}

/* Replies piling up for a client that does not read them. */
static void
control_output(struct control_client *c)
{
	if (c->paused_ms == 0 && imsgev_queued(c->iev) > CONTROL_OUT_MAX) {
		c->paused_ms = gw_now_ms();
		imsgev_pause_read(c->iev, 1);
	}
}

static void
control_sweep(int fd, short what, void *arg)
{
	struct gatewayd		*gw = arg;
	uint64_t		 now = gw_now_ms();
	size_t			 i;

	(void)fd;
	(void)what;
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *c = &ctl_clients[i];

		if (c->iev == NULL)
			continue;
		if (c->paused_ms != 0 &&
		    imsgev_queued(c->iev) < CONTROL_OUT_LOW) {
			c->paused_ms = 0;
			imsgev_pause_read(c->iev, 0);
		} else if (c->paused_ms != 0 &&
		    now - c->paused_ms >= CONTROL_DRAIN_MS) {
			*counter_get(&gw->counters,
			    "control_slow_dropped") += 1;
			ratelog_warnx(&ctl_rl_slow, "control client %u reads "
			    "none of its replies: dropped", c->id);
			control_close(c);
		} else if (c->paused_ms == 0 && c->pending == 0 &&
		    imsgev_queued(c->iev) == 0 &&
		    now - c->active_ms >= CONTROL_IDLE_MS) {
			*counter_get(&gw->counters,
			    "control_idle_closed") += 1;
			control_close(c);
		}
	}
}

/* Every slot taken: the client idle longest makes room. */
static struct control_client *
control_evict(struct gatewayd *gw)
{
	struct control_client	*old = NULL;
	size_t			 i;

	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl_clients[i].iev != NULL && (old == NULL ||
		    ctl_clients[i].active_ms < old->active_ms))
			old = &ctl_clients[i];
	if (old == NULL)
		return NULL;
	*counter_get(&gw->counters, "control_evicted") += 1;
	ratelog_warnx(&ctl_rl_evict, "%d control clients: closing the one "
	    "idle longest for a new one", CONTROL_MAX_CLIENTS);
	control_close(old);
	return old;
}

static int
control_request(struct control_client *c, struct imsg *imsg)
{
	struct gatewayd		*gw = ctl_gw;
	char			 msg[256];
	int32_t			 verbose;

	if (imsg->hdr.peerid != GW_IMSG_VERSION) {
		control_result(c, 0, "gatewayctl and gatewayd versions differ");
		log_warnx("control client %u: protocol version %u, want %u",
		    c->id, imsg->hdr.peerid, GW_IMSG_VERSION);
		return 0;
	}
	*counter_get(&gw->counters, "control_requests") += 1;
	switch (imsg->hdr.type) {
	case IMSG_CTL_STATUS:
		if (!gw->serving) {
			control_result(c, 0, "still starting up");
			return 0;
		}
		control_status(gw, c);
		return 0;
	case IMSG_CTL_RELOAD:
		if (!control_privileged(c)) {
			control_result(c, 0, "permission denied");
			return 0;
		}
		control_result(c, parent_reload(gw, msg, sizeof(msg)) == 0,
		    msg);
		return 0;
	case IMSG_CTL_LOG_VERBOSE:
		if (!control_privileged(c) ||
		    imsg_get_exact(imsg, &verbose, sizeof(verbose)) == -1 ||
		    verbose < 0 || verbose > 3) {
			control_result(c, 0, "bad log verbosity request");
			return 0;
		}
		log_setverbose(verbose);
		parent_broadcast(gw, IMSG_CTL_LOG_VERBOSE, 0, &verbose,
		    sizeof(verbose));
		control_result(c, 1, verbose ? "logging verbose" :
		    "logging brief");
		return 0;
#ifdef GW_TEST_HOOKS
	case IMSG_CTL_TEST_SANDBOX: {
		struct gw_test_sandbox ts;

		if (!control_privileged(c) ||
		    imsg_get_exact(imsg, &ts, sizeof(ts)) == -1 ||
		    ts.proc == PROC_PARENT || ts.proc >= PROC_MAX ||
		    ts.what > TEST_SANDBOX_NOFILE) {
			control_result(c, 0, "bad test request");
			return 0;
		}
		log_warnx("test hook: asking %s to %s", gw_proc_name(ts.proc),
		    ts.what == TEST_SANDBOX_LAZY ? "run its lazy library calls" :
		    ts.what == TEST_SANDBOX_NOFILE ? "set its descriptor limit" :
		    "break its sandbox");
		imsgev_compose(gw->workers[ts.proc].iev, IMSG_CTL_TEST_SANDBOX,
		    0, -1, &ts, sizeof(ts));
		control_result(c, 1, "sent");
		return 0;
	}
	case IMSG_CTL_TEST_CONNECT: {
		struct gw_test_connect tc;

		if (!control_privileged(c) ||
		    imsg_get_exact(imsg, &tc, sizeof(tc)) == -1 ||
		    tc.proc >= PROC_MAX || tc.port == 0 || tc.port > 65535) {
			control_result(c, 0, "bad test request");
			return 0;
		}
		if (tc.proc == PROC_PARENT)
			worker_test_connect("gatewayd", tc.port);
		else
			imsgev_compose(gw->workers[tc.proc].iev,
			    IMSG_CTL_TEST_CONNECT, 0, -1, &tc, sizeof(tc));
		control_result(c, 1, "sent");
		return 0;
	}
#endif
	default:
		log_warnx("control client %u: unknown request %u", c->id,
		    imsg->hdr.type);
		control_close(c);
		return -1;
	}
}

static int
control_dispatch(struct imsgev *iev, struct imsg *imsg)
{
	struct control_client	*c = iev->arg;
	int			 rv;

	c->active_ms = gw_now_ms();
	/* Requests read in the same batch as the one that filled the
	 * queue get no answer: its reader is not reading them. */
	if (imsgev_queued(c->iev) > CONTROL_OUT_MAX) {
		*counter_get(&ctl_gw->counters, "control_requests_dropped") +=
		    1;
		return 0;
	}
	if ((rv = control_request(c, imsg)) == 0)
		control_output(c);
	return rv;
}

void
control_metrics_request(struct gatewayd *gw, struct imsgev *from)
{
	/* One gathering at a time; later askers share its answer. */
	if (ctl_metrics_pending > 0)
		return;
	counters_send(from, 0, "gatewayd", gw->started, 0, &gw->counters);
	ctl_metrics_pending = GW_NWORKERS;
	parent_broadcast(gw, IMSG_CTL_STATUS, CTL_ID_METRICS, NULL, 0);
}

void
control_relay_status(struct gatewayd *gw, struct imsgev *from,
    struct imsg *imsg)
{
	static struct metrics_proc	 m;
	struct control_client		*c;

	/* A sibling's payload is checked like any other input. */
	if (metrics_proc_decode(imsg->data, imsg->datalen, &m) == -1)
		fatalx("bad status record from %s", from->name);
	if (imsg->hdr.peerid == CTL_ID_METRICS) {
		struct imsgev *cd = gw->workers[PROC_APID].iev;

		imsgev_compose(cd, IMSG_CTL_STATUS_PROC, 0, -1, imsg->data,
		    imsg->datalen);
		if (ctl_metrics_pending > 0 && --ctl_metrics_pending == 0)
			imsgev_compose(cd, IMSG_CTL_END, 0, -1, NULL, 0);
		return;
	}
	if ((c = control_find(imsg->hdr.peerid)) == NULL)
		return;	/* the client left meanwhile */
	imsgev_compose(c->iev, IMSG_CTL_STATUS_PROC, 0, -1, imsg->data,
	    imsg->datalen);
	if (c->pending > 0 && --c->pending == 0)
		imsgev_compose(c->iev, IMSG_CTL_END, 0, -1, NULL, 0);
}

static void
control_accept(int lfd, short ev, void *arg)
{
	struct gatewayd		*gw = arg;
	struct control_client	*c = NULL;
	struct ucred		 cred;
	socklen_t		 len = sizeof(cred);
	size_t			 i;
	int			 fd;

	(void)ev;
	if ((fd = accept_pause_accept(&ctl_accept, lfd, NULL, NULL)) == -1)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1) {
		log_warn("control: SO_PEERCRED");
		close(fd);
		return;
	}
	for (i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl_clients[i].iev == NULL) {
			c = &ctl_clients[i];
			break;
		}
	if (c == NULL)
		c = control_evict(gw);
	c->id = ctl_next_id++;
	c->uid = cred.uid;
	c->active_ms = gw_now_ms();
	c->iev = imsgev_new(gw->base, fd, -1, "gatewayctl", CONTROL_MAXSIZE,
	    0, control_dispatch, control_lost, c);
	/* Our replies are not the client's to buffer without end. */
	c->iev->ibuf.wmax = 4 * CONTROL_OUT_MAX;
}

void
control_open(struct gatewayd *gw)
{
	struct sockaddr_un	 sun;
	const char		*path = gw->conf.control_socket;
	mode_t			 old;
	int			 fd;

	ctl_gw = gw;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (gw_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		fatalx("control socket path too long: %s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		fatal("control socket");
	/* A live socket means another gatewayd: the socket is our lock. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		fatalx("control socket %s is in use: is gatewayd already "
		    "running?", path);
	close(fd);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		fatal("control socket");
	if (unlink(path) == -1 && errno != ENOENT)
		fatal("unlink %s", path);
	old = umask(S_IXUSR | S_IXGRP | S_IRWXO);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		fatal("bind %s", path);
	umask(old);
	if (chmod(path, 0660) == -1)
		fatal("chmod %s", path);
	if (listen(fd, 16) == -1)
		fatal("listen %s", path);
	gw->control_fd = fd;
}

void
control_listen(struct gatewayd *gw)
{
	ctl_ev = event_new(gw->base, gw->control_fd, EV_READ | EV_PERSIST,
	    control_accept, gw);
	if (ctl_ev == NULL || event_add(ctl_ev, NULL) == -1)
		fatalx("control event");
	accept_pause_init(&ctl_accept, gw->base, "control socket",
	    counter_get(&gw->counters, "accept_backoffs"));
	accept_pause_add(&ctl_accept, ctl_ev);
	{
		struct timeval tv = { CONTROL_SWEEP_MS / 1000, 0 };

		if ((ctl_sweep_ev = event_new(gw->base, -1, EV_PERSIST,
		    control_sweep, gw)) == NULL ||
		    event_add(ctl_sweep_ev, &tv) == -1)
			fatalx("control sweep");
	}
}

void
control_cleanup(struct gatewayd *gw)
{
	if (gw->control_fd > 0) {
		unlink(gw->conf.control_socket);
		close(gw->control_fd);
		gw->control_fd = -1;
	}
}
