/*
 * mixd's sibling dispatchers as a compromised clientd or credd would
 * drive them: runs of messages of the types the role table lets each
 * send mixd (common/messages.c), shaped by their rows: client packets
 * to route and settled acks from clientd (mixd/dispatch.c), the
 * topology from credd (mixd/mix_topology.c).  Routed packets are caught
 * here, as fuzz_mixd_inbound catches them, and checked for what mixd
 * promises of them.  A message outside its row is refused before any
 * handler, as the channel does; one that breaks the contract in a field
 * is fatal, as in the daemon, and the harness starts afresh.
 *
 * Input: records of sender (1 byte), type index (1), tail count (2),
 * then up to 64 bytes of payload (zero-filled).
 */
#include <sys/socket.h>

#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>
#include <sodium.h>

#include "dispatch_fixture.h"
#include "gwcrypto.h"
#include "log.h"
#include "mixd/mixd.h"
#include "mixframe.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Mutation that keeps the records whole (fuzz_records.h). */
#define FUZZ_REC_PREFIX	0
#define FUZZ_REC_SIZE	68
#include "fuzz_records.h"

static const enum gw_proc senders[] = { PROC_CLIENTD, PROC_CREDD };

static struct worker	 w;
static struct mixd	 md;
static struct imsgbuf	 other[PROC_MAX];
static sigjmp_buf	 fatal_jmp;
static struct fixture_senders	 fs;
static volatile uint8_t	 sink;

static void __attribute__((noreturn))
on_fatal(void)
{
	siglongjmp(fatal_jmp, 1);
}

static void
fz_deliver(struct mixd *m, const uint8_t client[32], const uint8_t *msg,
    size_t len, uint64_t ack_id)
{
	if (len == 0 || len > GW_MESSAGE_MAX)
		abort();
	sink = client[0] ^ msg[len - 1];
	if (ack_id != 0)
		mix_acks_settle(m->acks, ack_id, 1);
}

static void
fz_forward(struct mixd *m, const struct nodeaddr *to, uint8_t type,
    uint8_t rotation, const uint8_t *pkt, size_t len)
{
	(void)m;
	/* What clientd may not smuggle past mixd's own checks. */
	if ((to->family != 4 && to->family != 6) || rotation > 2 ||
	    mixframe_tag_for(type, len) == 0 || pkt == NULL)
		abort();
	sink = pkt[0] ^ pkt[len - 1];
}

static const struct mixd_out fz_out = {
	.deliver = fz_deliver,
	.forward = fz_forward,
};

static void
fz_open(void)
{
	static const imsgev_dispatch_cb cb[PROC_MAX] = {
		[PROC_CLIENTD] = mixd_dispatch_clientd,
		[PROC_CREDD] = mixd_dispatch_credd,
	};
	unsigned	 i;

	memset(&w, 0, sizeof(w));
	memset(&md, 0, sizeof(md));
	if ((w.base = event_base_new()) == NULL)
		abort();
	w.self = PROC_MIXD;
	w.name = "mixd";
	w.role = &md;
	md.w = &w;
	md.out = &fz_out;
	TAILQ_INIT(&md.conns);
	mixd_counters_init(&md, &w.counters);
	md.topo = mix_topology_new();
	md.acks = mix_acks_new(&md);
	for (i = 0; i < nitems(senders); i++) {
		enum gw_proc p = senders[i];

		w.peer[p] = fixture_channel(w.base, p, cb[p], &w, &other[p]);
	}
}

static void
fz_close(void)
{
	unsigned	 i;

	for (i = 0; i < nitems(senders); i++) {
		enum gw_proc p = senders[i];

		imsgev_free(w.peer[p]);
		w.peer[p] = NULL;
		close(other[p].fd);
		imsgbuf_clear(&other[p]);
	}
	mix_acks_free(md.acks);
	mix_topology_free(md.topo);
	if (md.pause_ev != NULL)
		event_free(md.pause_ev);
	event_base_free(w.base);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int	 init;
	size_t		 off = 0, n;

	if (!init) {
		if (sodium_init() == -1 || gwcrypto_init() == -1)
			abort();
		log_init(0, 0, 0);
		fs.n = nitems(senders);
		memcpy(fs.p, senders, sizeof(senders));
		fixture_senders_init(&fs, PROC_MIXD);
		gw_msg_set_self(PROC_MIXD);
		log_on_fatal(on_fatal);
		init = 1;
	}
	fz_open();
	if (sigsetjmp(fatal_jmp, 0) != 0) {
		fz_close();
		return 0;
	}
	while ((n = fixture_fuzz_record(data + off, len - off, &fs, w.peer,
	    other, 64, NULL)) > 0)
		off += n;
	fz_close();
	return 0;
}
