/*
 * Small helpers glibc 2.36 lacks, and the fatal-on-failure allocation
 * family every process uses (allocation failure is not recoverable in a
 * daemon that must fail closed).
 */
#ifndef GW_UTIL_H
#define GW_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);

size_t	 gw_strlcpy(char *, const char *, size_t);
/* strtonum(3) semantics: *errstr is NULL on success. */
long long gw_strtonum(const char *, long long, long long, const char **);

int	 gw_set_nonblock(int);
/* Monotonic clock in milliseconds. */
uint64_t gw_now_ms(void);
/* Read a whole small file (at most max bytes) into a new buffer. */
int	 gw_read_file(const char *, uint8_t **, size_t *, size_t max);
/* Write a file atomically with the given mode; refuses to overwrite. */
int	 gw_write_file_excl(const char *, const void *, size_t, int mode);

#endif
