/*
 * storaged's dispatchers as a compromised clientd or credd would drive
 * them: a run of messages, each one of the types the role table lets
 * that sibling send storaged (common/messages.c), shaped by its row
 * (fixed part, whole entries of the tail) with fuzzed contents, on a
 * real LMDB that lives across inputs.  A message outside its row is
 * refused before any handler, as the channel does; one that breaks the
 * contract in a field is fatal, as in the daemon, and the fixture then
 * restarts on the same database, as the master would.  Nothing a
 * sibling sends may crash storaged, read or write out of bounds, or
 * make it send what its own rows do not allow.
 *
 * Input: records of sender (1 byte), type index (1), tail count (2),
 * then the payload bytes (zero-filled when the input runs out).
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "storaged_fixture.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Mutation that keeps the records whole (fuzz_records.h). */
#define FUZZ_REC_PREFIX	0
#define FUZZ_REC_SIZE	68
#include "fuzz_records.h"

#define RESTART_EVERY	4000	/* inputs on one database, then fresh */

static struct sdfix	 F;
static sigjmp_buf	 fatal_jmp;
static uint32_t		 types[2][IMSG_TYPE_MAX];
static unsigned		 ntypes[2];
static const enum gw_proc senders[2] = { PROC_CLIENTD, PROC_CREDD };

static void __attribute__((noreturn))
on_fatal(void)
{
	siglongjmp(fatal_jmp, 1);
}

static void
fuzz_rows(void)
{
	unsigned	 s;

	for (s = 0; s < 2; s++)
		ntypes[s] = fixture_types(senders[s], PROC_STORAGED, types[s]);
}

static void
fuzz_open(const char *dir)
{
	if (sdfix_open(&F, dir, 32 << 20, 50) == -1)
		abort();
}

/* Read every reply storaged sent, and drop it. */
static void
fuzz_drain(void)
{
	struct imsg	 imsg;
	unsigned	 s;

	for (s = 0; s < 2; s++)
		while (sdfix_reply(&F, senders[s], &imsg))
			imsg_free(&imsg);
}

static void
fuzz_one(unsigned s, uint32_t type, const uint8_t *p, size_t n,
    uint16_t count)
{
	static uint8_t	 buf[GW_IMSG_MAXSIZE];
	size_t		 len;

	len = fixture_shape(type, count, p, n, buf, sizeof(buf));
	sdfix_send(&F, senders[s], type, count, buf, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int	 init, inputs;
	char		 dir[64];
	size_t		 off = 0, n;
	unsigned	 s;
	uint16_t	 count;

	if (!init) {
		log_init(0, 0, 0);	/* syslog: a fuzzer's stderr is its own */
		fuzz_rows();
		fuzz_open(NULL);
		log_on_fatal(on_fatal);
		init = 1;
	}
	if (sigsetjmp(fatal_jmp, 0) != 0) {
		/* The daemon would have exited; the master restarts it. */
		snprintf(dir, sizeof(dir), "%s", F.dir);
		db_abort(&F.sd.db);
		F.sd.npending = 0;
		sdfix_close(&F, 1);
		fuzz_open(dir);
		return 0;
	}
	while (len - off >= 4) {
		s = data[off] & 1;
		if (ntypes[s] == 0)
			break;
		count = (uint16_t)(data[off + 2] | data[off + 3] << 8);
		n = len - off - 4;
		fuzz_one(s, types[s][data[off + 1] % ntypes[s]],
		    data + off + 4, n, count);
		off += 4 + (n < 64 ? n : 64);
		commit_now(&F.sd);
		fuzz_drain();
	}
	if (++inputs % RESTART_EVERY == 0) {
		sdfix_close(&F, 0);
		fuzz_open(NULL);
	}
	return 0;
}
