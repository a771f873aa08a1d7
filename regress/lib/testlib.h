/*
 * A tiny test harness.  Each test program prints one line per case:
 *   ok - name
 *   not ok - name: why
 *   skip - name: why
 * regress/run.sh counts these; a program that exits non-zero without a
 * "not ok" line (a crash, a sanitizer report) counts as one failure.
 */
#ifndef GW_TESTLIB_H
#define GW_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

extern int	 t_failed_cases;

void	t_ok(const char *name);
void	t_fail(const char *name, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	t_skip(const char *name, const char *why);
/* Exit status for main(): 1 if any case failed. */
int	t_done(void);

/* Tools and benchmarks: monotonic seconds; "<program>: message" on
 * stderr and exit 2. */
double	t_now(void);
void	t_die(const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 1, 2)));

/* Hex helpers for vectors. */
int	t_unhex(const char *hex, uint8_t *out, size_t outmax, size_t *outlen);
uint8_t	*t_unhex_alloc(const char *hex, size_t *outlen);
void	t_hexdump_diff(const uint8_t *a, const uint8_t *b, size_t n);

/*
 * Within one case: CHECK records the first failure and jumps to "out".
 *	T_BEGIN("name"); CHECK(x == 1); T_END();
 */
#define T_BEGIN(n)	do { const char *t_name_ = (n); int t_bad_ = 0; \
			    char t_why_[256] = "";
#define CHECK(c)	do { if (!(c) && !t_bad_) { t_bad_ = 1; \
			    snprintf(t_why_, sizeof(t_why_), "%s:%d: %.160s", \
			    __FILE__, __LINE__, #c); } } while (0)
#define CHECKF(c, ...)	do { if (!(c) && !t_bad_) { t_bad_ = 1; \
			    snprintf(t_why_, sizeof(t_why_), __VA_ARGS__); } \
			} while (0)
#define T_END()		if (t_bad_) t_fail(t_name_, "%s", t_why_); \
			else t_ok(t_name_); } while (0)

#include <stdio.h>

#endif
