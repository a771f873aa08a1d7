/*
 * log_warnx/fatalx in the OpenBSD daemons' style (log.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int	 log_to_stderr = 1;
static int	 log_verbose;
static char	 log_procname[32] = "gatewayd";
static void	(*log_fatal_hook)(void) __attribute__((noreturn));

void
log_init(int foreground, int verbose, int facility)
{
	log_to_stderr = foreground;
	log_verbose = verbose;
	/* Chrooted workers have no /etc/localtime and no /dev/log later. */
	tzset();
	if (!foreground)
		openlog("gatewayd", LOG_PID | LOG_NDELAY, facility);
}

void
log_procinit(const char *name)
{
	if (name != NULL)
		snprintf(log_procname, sizeof(log_procname), "%s", name);
}

void
log_setverbose(int verbose)
{
	log_verbose = verbose;
}

void
vlog(int pri, const char *fmt, va_list ap)
{
	char	 msg[1024];
	int	 saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_to_stderr) {
		/* One write per line, so lines of the processes never mix. */
		fprintf(stderr, "%s: %s\n", log_procname, msg);
		fflush(stderr);
	} else
		syslog(pri, "%s: %s", log_procname, msg);
	errno = saved;
}

static void vlog_errno(int, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
vlog_errno(int pri, const char *fmt, va_list ap)
{
	char	 buf[1024];
	int	 saved = errno;
	size_t	 n = 0;

	buf[0] = '\0';
	if (fmt != NULL) {
		vsnprintf(buf, sizeof(buf), fmt, ap);
		n = strlen(buf);
	}
	snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? ": " : "",
	    strerror(saved));
	if (log_to_stderr) {
		fprintf(stderr, "%s: %s\n", log_procname, buf);
		fflush(stderr);
	} else
		syslog(pri, "%s: %s", log_procname, buf);
	errno = saved;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog_errno(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, fmt, ap);
	va_end(ap);
	if (log_fatal_hook != NULL)
		log_fatal_hook();
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	if (log_fatal_hook != NULL)
		log_fatal_hook();
	exit(1);
}

void
log_on_fatal(void (*hook)(void) __attribute__((noreturn)))
{
	log_fatal_hook = hook;
}
