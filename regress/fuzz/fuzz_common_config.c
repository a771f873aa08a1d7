/*
 * libFuzzer: config_parse_buffer() over arbitrary bytes must neither
 * crash nor leak, and whatever it accepts must print and parse back
 * (a metrics.access_token prints as "(set)" and is left out of that).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SET	"  access_token: \"(set)\"\n"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static FILE		*devnull;
	struct gw_config	 a, b;
	char			*out = NULL;
	size_t			 outlen;
	FILE			*fp;

	/* Kept open: an fopen per input would dominate the run. */
	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	if (config_parse_buffer(&a, "fuzz", (const char *)data, len,
	    devnull) != 0)
		return 0;
	if ((fp = open_memstream(&out, &outlen)) == NULL)
		abort();
	config_print(&a, fp);
	fclose(fp);
	if (a.metrics_token[0] != '\0') {
		/* A secret prints as "(set)", which is no token, so that a
		 * printed config does not pass again by accident
		 * (config_print.c): the round trip is without it. */
		if (memmem(out, outlen, SET, sizeof(SET) - 1) == NULL)
			abort();
		free(out);
		memset(a.metrics_token, 0, sizeof(a.metrics_token));
		if ((fp = open_memstream(&out, &outlen)) == NULL)
			abort();
		config_print(&a, fp);
		fclose(fp);
	}
	if (config_parse_buffer(&b, "fuzz", out, outlen, devnull) != 0 ||
	    memcmp(&a, &b, sizeof(a)) != 0)
		abort();	/* the round trip is a promise */
	free(out);
	return 0;
}
