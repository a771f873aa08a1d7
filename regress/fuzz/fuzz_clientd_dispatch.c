/*
 * clientd's sibling dispatchers (clientd/siblings.c) as a compromised
 * master, mixd, storaged or credd would drive them: runs of messages of
 * the types the role table lets each send clientd (common/messages.c),
 * shaped by their rows, the peerid naming one of a few live and
 * half-made sessions and the client field often one of theirs, so the
 * replies reach the leaves in every state.  A message outside its row
 * is refused before any handler, as the channel does; one that breaks
 * the contract is fatal, as in the daemon, and the fixture starts
 * afresh.  Nothing a sibling sends may crash clientd or make it read or
 * write out of bounds, leak, or send what its own rows forbid.
 *
 * Input: records of sender (1 byte), type index (1), session (1), tail
 * count (1), then up to 48 bytes of payload (zero-filled).
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clientd_fixture.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Mutation that keeps the records whole (fuzz_records.h). */
#define FUZZ_REC_PREFIX	0
#define FUZZ_REC_SIZE	52
#include "fuzz_records.h"

#define NCLIENTS	4

static struct cdfix	 F;
static struct cdclient	 K[NCLIENTS];
static uint32_t		 ids[NCLIENTS];
static uint8_t		 cid[NCLIENTS][32];
static sigjmp_buf	 fatal_jmp;
static uint32_t		 types[nitems(cdfix_sibs)][IMSG_TYPE_MAX];
static unsigned		 ntypes[nitems(cdfix_sibs)];

static void __attribute__((noreturn))
on_fatal(void)
{
	siglongjmp(fatal_jmp, 1);
}

/* Sessions in several states: live, registering, authenticating. */
static void
fuzz_open(void)
{
	static const uint8_t	 key[32] = { 4, 2 };
	unsigned		 i;

	if (cdfix_open(&F) == -1)
		abort();
	for (i = 0; i < NCLIENTS; i++) {
		memset(cid[i], 0, 32);
		cid[i][0] = (uint8_t)(i + 1);
		if (cdclient_open(&F, &K[i]) == -1)
			abort();
		ids[i] = K[i].c->id;
		memcpy(K[i].c->client, cid[i], 32);
		switch (i) {
		case 0:
		case 1:
			cdclient_live(&F, &K[i], cid[i], key, 1 << 20);
			break;
		case 2:
			session_set_state(K[i].c, CS_HS_SIGN);
			conn_wait(K[i].c, 1);
			break;
		default:
			session_set_state(K[i].c, CS_AUTH_LOOKUP);
			conn_wait(K[i].c, 1);
			break;
		}
	}
}

static void
fuzz_close(void)
{
	unsigned	 i;

	cdfix_close(&F);
	for (i = 0; i < NCLIENTS; i++)
		close(K[i].fd);
}

static void
fuzz_rows(void)
{
	unsigned	 s;

	for (s = 0; s < nitems(cdfix_sibs); s++)
		ntypes[s] = fixture_types(cdfix_sibs[s], PROC_CLIENTD,
		    types[s]);
}

static void
fuzz_drain(void)
{
	unsigned	 i;

	for (i = 0; i < nitems(cdfix_sibs); i++)
		cdfix_drain(&F, cdfix_sibs[i]);
	for (i = 0; i < NCLIENTS; i++)
		if (conn_by_id(&F.cd, ids[i]) != NULL)
			cdclient_drain(&K[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static uint8_t	 buf[GW_IMSG_MAXSIZE];
	static int	 init;
	size_t		 off = 0, n, plen;
	unsigned	 s, k;
	uint32_t	 type, peerid;

	if (!init) {
		log_init(0, 0, 0);
		fuzz_rows();
		log_on_fatal(on_fatal);
		init = 1;
	}
	fuzz_open();
	if (sigsetjmp(fatal_jmp, 0) != 0) {
		fuzz_close();
		return 0;
	}
	while (len - off >= 4) {
		s = data[off] % nitems(cdfix_sibs);
		if (ntypes[s] == 0)
			break;
		type = types[s][data[off + 1] % ntypes[s]];
		k = data[off + 2] % NCLIENTS;
		peerid = (ids[k] << 2) | (data[off + 2] >> 6);
		n = len - off - 4 < 48 ? len - off - 4 : 48;
		plen = fixture_shape(type, data[off + 3], data + off + 4, n,
		    buf, sizeof(buf));
		/* Most payloads start with the client they are for. */
		if (plen >= 32 && (data[off + 3] & 0x80))
			memcpy(buf, cid[k], 32);
		cdfix_from(&F, cdfix_sibs[s], type, peerid, buf, plen);
		delivery_settle_flush(&F.cd);
		for (k = 0; k < NCLIENTS; k++) {
			struct conn *c = conn_by_id(&F.cd, ids[k]);

			if (c != NULL)
				conn_flush(c);
		}
		fuzz_drain();
		off += 4 + n;
	}
	fuzz_close();
	return 0;
}
