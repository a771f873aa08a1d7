/*
 * libFuzzer harness for the verloc packet parser (common/verloc.c,
 * doc/spec/verloc.md): the bytes a peer sends the verloc port and the
 * replies a measured node sends back.  Whatever parses must say what
 * its bytes say; nothing may read past the input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "verloc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The node key of the seed corpus's reply (regress/unit/common_verloc_test.c). */
static const uint8_t node_pk[32] = {
	0xe7, 0xf1, 0x62, 0xa1, 0x0b, 0xec, 0x55, 0x9a, 0xfe, 0xa1, 0x95,
	0xe4, 0xdc, 0xe8, 0x4b, 0x69, 0x56, 0x8d, 0x5d, 0x2c, 0xb0, 0x96,
	0x3e, 0xb4, 0x46, 0xc0, 0x68, 0x5e, 0x2b, 0x17, 0xf2, 0xf0,
};

static void
check_echo(const uint8_t *p, const struct verloc_echo *e)
{
	uint64_t	 seq = 0;
	int		 i;

	for (i = 0; i < 8; i++)
		seq = seq << 8 | p[i];
	if (e->seq != seq || memcmp(e->sender, p + 8, 32) != 0 ||
	    memcmp(e->sig, p + 40, 64) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct verloc_echo	 e;
	uint8_t			*copy;

	if (sodium_init() == -1)
		abort();
	/* An exact-size heap copy: ASan sees any read past the end. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		abort();
	memcpy(copy, data, size);
	if (verloc_echo_parse(copy, size, &e) == VERLOC_OK) {
		if (size != VERLOC_ECHO_LEN)
			abort();
		check_echo(copy, &e);
	}
	if (verloc_reply_parse(copy, size, node_pk, &e) == VERLOC_OK) {
		if (size != VERLOC_REPLY_LEN ||
		    verloc_echo_parse(copy, VERLOC_ECHO_LEN, &e) != VERLOC_OK)
			abort();
		check_echo(copy, &e);
	}
	/* The first 104 bytes of anything longer: the stream as cut. */
	if (size > VERLOC_ECHO_LEN &&
	    verloc_echo_parse(copy, VERLOC_ECHO_LEN, &e) == VERLOC_OK)
		check_echo(copy, &e);
	free(copy);
	return 0;
}
