/*
 * Opening the JSON vectors in regress/vectors (captured from Nym's own
 * client and its reference model; kept in the repository so a clone
 * alone passes): from $TOP/regress/vectors (regress/run.sh exports TOP),
 * else relative to the repository root.  A missing file is a failure for
 * the caller to report, never a silent pass.
 */
#ifndef GW_COMMON_VECTORS_H
#define GW_COMMON_VECTORS_H

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "testlib.h"

static inline json_t *
load_vector(const char *name)
{
	char		 path[4096];
	const char	*top = getenv("TOP");
	json_error_t	 err;
	json_t		*j = NULL;

	if (top != NULL) {
		snprintf(path, sizeof(path), "%s/regress/vectors/%s", top,
		    name);
		j = json_load_file(path, 0, &err);
	}
	if (j == NULL) {
		snprintf(path, sizeof(path), "regress/vectors/%s", name);
		j = json_load_file(path, 0, &err);
	}
	return j;
}

/* Decode the hex string member key of o into buf: its length, or -1. */
static inline long
jhex(const json_t *o, const char *key, uint8_t *buf, size_t max)
{
	const char	*s = json_string_value(json_object_get(o, key));
	size_t		 n;

	if (s == NULL || t_unhex(s, buf, max, &n) == -1)
		return -1;
	return (long)n;
}

#endif
