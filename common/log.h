/*
 * Logging in the style of the OpenBSD daemons: stderr in the foreground
 * (-d), syslog otherwise; every line carries the process name.
 */
#ifndef GW_LOG_H
#define GW_LOG_H

#include <stdarg.h>

void	log_init(int foreground, int verbose, int facility);
void	log_procinit(const char *name);
void	log_setverbose(int verbose);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	vlog(int pri, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
void	fatal(const char *, ...)
	    __attribute__((noreturn, format(printf, 1, 2)));
void	fatalx(const char *, ...)
	    __attribute__((noreturn, format(printf, 1, 2)));
/* Fuzzers and tests only: called by fatal() and fatalx() after the
 * message, in place of exit; it must not return (longjmp). */
void	log_on_fatal(void (*)(void) __attribute__((noreturn)));

#endif
