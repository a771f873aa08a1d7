/*
 * The test harness's output and helpers (testlib.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testlib.h"

int	 t_failed_cases;

void
t_ok(const char *name)
{
	printf("ok - %s\n", name);
	fflush(stdout);
}

void
t_fail(const char *name, const char *fmt, ...)
{
	va_list	 ap;

	t_failed_cases++;
	printf("not ok - %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

void
t_skip(const char *name, const char *why)
{
	printf("skip - %s: %s\n", name, why);
	fflush(stdout);
}

int
t_done(void)
{
	return t_failed_cases ? 1 : 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int
t_unhex(const char *hex, uint8_t *out, size_t outmax, size_t *outlen)
{
	size_t	 n = strlen(hex), i;

	if (n % 2 != 0 || n / 2 > outmax)
		return -1;
	for (i = 0; i < n / 2; i++) {
		int hi = hexval((unsigned char)hex[2 * i]);
		int lo = hexval((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*outlen = n / 2;
	return 0;
}

uint8_t *
t_unhex_alloc(const char *hex, size_t *outlen)
{
	size_t	 n = strlen(hex) / 2 + 1;
	uint8_t	*p = malloc(n);

	if (p == NULL || t_unhex(hex, p, n, outlen) == -1) {
		free(p);
		return NULL;
	}
	return p;
}

void
t_hexdump_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (a[i] != b[i]) {
			printf("# first difference at byte %zu: %02x != %02x\n",
			    i, a[i], b[i]);
			return;
		}
}

double
t_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
t_die(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}
