/*
 * Commands answered by a running gatewayd over its control socket.
 * Every reply is checked like any input before it is printed.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "gatewayctl.h"
#include "gw_imsg.h"
#include "imsg.h"
#include "metrics.h"
#include "util.h"

#define CTL_TIMEOUT_MS	10000

static int
ctl_connect(struct ctl_opts *o, struct imsgbuf *ib)
{
	struct sockaddr_un	 sun;
	struct gw_config	*conf;
	const char		*path = o->socket;
	int			 fd;

	conf = xcalloc(1, sizeof(*conf));
	if (path == NULL) {
		if (ctl_load_config(o, conf) == -1) {
			free(conf);
			return -1;
		}
		path = conf->control_socket;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (gw_strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		fprintf(stderr, "gatewayctl: socket path too long\n");
		free(conf);
		return -1;
	}
	free(conf);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "gatewayctl: connect %s: %s (is gatewayd "
		    "running?)\n", sun.sun_path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	imsgbuf_init(ib, fd, 64 * 1024, 0);
	return 0;
}

static int
ctl_request(struct imsgbuf *ib, uint32_t type, const void *data, size_t len)
{
	if (imsg_compose(ib, type, GW_IMSG_VERSION, -1, data, len) == -1 ||
	    imsgbuf_flush(ib) == -1) {
		fprintf(stderr, "gatewayctl: send: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* 1: a message, -1: error or timeout (reported). */
static int
ctl_next(struct imsgbuf *ib, struct imsg *imsg)
{
	struct pollfd	 pfd = { .fd = ib->fd, .events = POLLIN };
	int		 n;

	for (;;) {
		if ((n = imsg_get(ib, imsg)) == 1)
			return 1;
		if (n == -1) {
			fprintf(stderr, "gatewayctl: bad reply from gatewayd\n");
			return -1;
		}
		if (poll(&pfd, 1, CTL_TIMEOUT_MS) <= 0) {
			fprintf(stderr, "gatewayctl: no reply from gatewayd\n");
			return -1;
		}
		if ((n = imsgbuf_read(ib)) <= 0) {
			fprintf(stderr, "gatewayctl: gatewayd closed the "
			    "connection\n");
			return -1;
		}
	}
}

static int
ctl_result(struct imsgbuf *ib, const struct imsg *imsg)
{
	struct gw_ctl_result	 r;

	(void)ib;
	if (imsg->hdr.type != IMSG_CTL_RESULT ||
	    imsg_get_exact(imsg, &r, sizeof(r)) == -1) {
		fprintf(stderr, "gatewayctl: unexpected reply\n");
		return -1;
	}
	r.message[sizeof(r.message) - 1] = '\0';
	fprintf(r.ok ? stdout : stderr, "%s%s\n", r.ok ? "" : "gatewayctl: ",
	    r.message);
	return r.ok ? 0 : -1;
}

static json_t *
ctl_proc_json(const struct metrics_proc *m, time_t now)
{
	json_t		*counters = json_object();
	uint32_t	 i;

	for (i = 0; i < m->p.ncounters; i++)
		json_object_set_new(counters, m->c[i].name,
		    json_integer((json_int_t)m->c[i].value));
	return json_pack("{s:s, s:i, s:I, s:I, s:b, s:o}", "role", m->p.role,
	    "pid", (int)m->p.pid, "started", (json_int_t)m->p.started,
	    "uptime_s", (json_int_t)(now - m->p.started), "sandboxed",
	    m->p.sandboxed != 0, "counters", counters);
}

static void
ctl_proc_text(const struct metrics_proc *m, time_t now)
{
	long		 up = (long)(now - m->p.started);
	uint32_t	 i;

	printf("%-10s pid %-7u up %02ld:%02ld:%02ld  sandbox %s\n",
	    m->p.role, m->p.pid, up / 3600, up / 60 % 60, up % 60,
	    m->p.sandboxed ? "yes" : "no");
	for (i = 0; i < m->p.ncounters; i++)
		printf("    %-32s %llu\n", m->c[i].name,
		    (unsigned long long)m->c[i].value);
}

/* Ask for every process's record: 0 and *n filled, or -1 (reported). */
static int
ctl_collect(struct ctl_opts *o, struct metrics_proc *procs, size_t *n)
{
	struct imsgbuf	 ib;
	struct imsg	 imsg;
	int		 rv = -1;

	*n = 0;
	if (ctl_connect(o, &ib) == -1)
		return -1;
	if (ctl_request(&ib, IMSG_CTL_STATUS, NULL, 0) == -1)
		goto out;
	while (ctl_next(&ib, &imsg) == 1) {
		if (imsg.hdr.type == IMSG_CTL_END) {
			rv = 0;
			break;
		}
		if (imsg.hdr.type == IMSG_CTL_RESULT) {
			ctl_result(&ib, &imsg);
			break;
		}
		if (imsg.hdr.type != IMSG_CTL_STATUS_PROC || *n == PROC_MAX ||
		    metrics_proc_decode(imsg.data, imsg.datalen,
		    &procs[*n]) == -1) {
			fprintf(stderr, "gatewayctl: bad status reply\n");
			break;
		}
		(*n)++;
	}
out:
	close(ib.fd);
	imsgbuf_clear(&ib);
	return rv;
}

int
ctl_status(struct ctl_opts *o, int argc, char *argv[])
{
	struct metrics_proc	*procs;
	json_t			*arr, *top;
	time_t			 now = time(NULL);
	size_t			 n, i;
	int			 rv = -1;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: gatewayctl status\n");
		return -1;
	}
	procs = xcalloc(PROC_MAX, sizeof(*procs));
	if (ctl_collect(o, procs, &n) == -1)
		goto out;
	if (o->json) {
		arr = json_array();
		for (i = 0; i < n; i++)
			json_array_append_new(arr, ctl_proc_json(&procs[i],
			    now));
		top = json_pack("{s:s, s:o}", "version", GW_VERSION,
		    "processes", arr);
		json_dumpf(top, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(top);
	} else
		for (i = 0; i < n; i++)
			ctl_proc_text(&procs[i], now);
	rv = 0;
out:
	free(procs);
	return rv;
}

int
ctl_metrics(struct ctl_opts *o, int argc, char *argv[])
{
	struct metrics_proc	*procs;
	size_t			 n;
	int			 rv = -1;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: gatewayctl metrics\n");
		return -1;
	}
	procs = xcalloc(PROC_MAX, sizeof(*procs));
	if (ctl_collect(o, procs, &n) == 0) {
		metrics_write(stdout, procs, n, time(NULL));
		rv = 0;
	}
	free(procs);
	return rv;
}

static int
ctl_simple(struct ctl_opts *o, uint32_t type, const void *data, size_t len)
{
	struct imsgbuf	 ib;
	struct imsg	 imsg;
	int		 rv = -1;

	if (ctl_connect(o, &ib) == -1)
		return -1;
	if (ctl_request(&ib, type, data, len) == 0 &&
	    ctl_next(&ib, &imsg) == 1)
		rv = ctl_result(&ib, &imsg);
	close(ib.fd);
	imsgbuf_clear(&ib);
	return rv;
}

int
ctl_reload(struct ctl_opts *o, int argc, char *argv[])
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: gatewayctl reload\n");
		return -1;
	}
	return ctl_simple(o, IMSG_CTL_RELOAD, NULL, 0);
}

int
ctl_log(struct ctl_opts *o, int argc, char *argv[])
{
	int32_t	 v;

	if (argc != 2 || (strcmp(argv[1], "verbose") != 0 &&
	    strcmp(argv[1], "brief") != 0)) {
		fprintf(stderr, "usage: gatewayctl log verbose|brief\n");
		return -1;
	}
	v = strcmp(argv[1], "verbose") == 0 ? 1 : 0;
	return ctl_simple(o, IMSG_CTL_LOG_VERBOSE, &v, sizeof(v));
}

/* Test builds of gatewayd only: make a worker break its sandbox. */
int
ctl_test_sandbox(struct ctl_opts *o, int argc, char *argv[])
{
	struct gw_test_sandbox	 ts;

	memset(&ts, 0, sizeof(ts));
	if (argc == 4 && strcmp(argv[2], "nofile") == 0) {
		ts.what = TEST_SANDBOX_NOFILE;
		ts.value = (uint32_t)strtoul(argv[3], NULL, 10);
	} else if (argc == 3 && strcmp(argv[2], "lazy") == 0)
		ts.what = TEST_SANDBOX_LAZY;
	else if (argc == 2)
		ts.what = TEST_SANDBOX_VIOLATE;
	else {
		fprintf(stderr, "usage: gatewayctl test-sandbox worker "
		    "[lazy | nofile N]\n");
		return -1;
	}
	for (ts.proc = PROC_MIXD; ts.proc < PROC_MAX; ts.proc++)
		if (strcmp(argv[1], gw_proc_name(ts.proc)) == 0)
			return ctl_simple(o, IMSG_CTL_TEST_SANDBOX, &ts,
			    sizeof(ts));
	fprintf(stderr, "gatewayctl: unknown worker %s\n", argv[1]);
	return -1;
}

/* Test builds of gatewayd only: have a process try an outbound connect. */
int
ctl_test_connect(struct ctl_opts *o, int argc, char *argv[])
{
	struct gw_test_connect	 tc;
	const char		*errstr;
	uint32_t		 p;

	if (argc != 3) {
		fprintf(stderr, "usage: gatewayctl test-connect process port\n");
		return -1;
	}
	memset(&tc, 0, sizeof(tc));
	tc.port = (uint32_t)gw_strtonum(argv[2], 1, 65535, &errstr);
	if (errstr != NULL) {
		fprintf(stderr, "gatewayctl: port %s: %s\n", argv[2], errstr);
		return -1;
	}
	for (p = PROC_PARENT; p < PROC_MAX; p++)
		if (strcmp(argv[1], gw_proc_name(p)) == 0) {
			tc.proc = p;
			return ctl_simple(o, IMSG_CTL_TEST_CONNECT, &tc,
			    sizeof(tc));
		}
	fprintf(stderr, "gatewayctl: unknown process %s\n", argv[1]);
	return -1;
}
