/*
 * credd's sibling dispatchers (credd/verify.c) as a compromised clientd
 * or storaged would drive them: runs of messages of the types the role
 * table lets each send credd (common/messages.c), shaped by their rows,
 * the peerid one of a few request ids so storaged's answers can meet
 * jobs.  credd gets no nym-api to ask (no URL): what would go to the
 * signers fails at once, as with every nym-api down.  A message outside
 * its row is refused before any handler, as the channel does; one that
 * breaks the contract is fatal, as in the daemon, and the harness
 * starts afresh.
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

#include <curl/curl.h>
#include <event2/event.h>
#include <sodium.h>

#include "credd/credd.h"
#include "dispatch_fixture.h"
#include "log.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Mutation that keeps the records whole (fuzz_records.h). */
#define FUZZ_REC_PREFIX	1
#define FUZZ_REC_SIZE	68
#include "fuzz_records.h"

static const enum gw_proc senders[] = { PROC_CLIENTD, PROC_STORAGED };

static struct worker	 w;
static struct credd	 cd;
static struct imsgbuf	 other[PROC_MAX];
static sigjmp_buf	 fatal_jmp;
static struct fixture_senders	 fs;

static void __attribute__((noreturn))
on_fatal(void)
{
	siglongjmp(fatal_jmp, 1);
}

static void
fz_open(int enforce)
{
	static const imsgev_dispatch_cb cb[PROC_MAX] = {
		[PROC_CLIENTD] = credd_dispatch_clientd,
		[PROC_STORAGED] = credd_dispatch_storaged,
	};
	unsigned	 i;

	memset(&w, 0, sizeof(w));
	memset(&cd, 0, sizeof(cd));
	if ((w.base = event_base_new()) == NULL)
		abort();
	w.self = PROC_CREDD;
	w.name = "credd";
	w.role = &cd;
	w.conf.credd.enforce_zk_nyms = enforce;
	w.conf.credd.nym_api_timeout_ms = 1000;
	cd.w = &w;
	cd.retry_ms = 1000;
	credd_counters_init(&cd);
	cd.resolver = resolver_new(w.base, 1000, cd.c_dns_lookups,
	    cd.c_dns_failures);
	cd.api = nymapi_new(w.base, cd.resolver, 1000, NULL, 0);
	verify_init(&cd);
	upgrade_init(&cd);
	for (i = 0; i < nitems(senders); i++) {
		enum gw_proc p = senders[i];

		w.peer[p] = fixture_channel(w.base, p, cb[p], &w, &other[p]);
	}
}

/* nym-api's answers with no URL come from the loop at once. */
static void
fz_loop(void)
{
	event_base_loop(w.base, EVLOOP_NONBLOCK);
}

static void
fz_close(void)
{
	unsigned	 i;

	event_base_loop(w.base, EVLOOP_NONBLOCK);
	verify_free();
	nymapi_free(cd.api);
	resolver_free(cd.resolver);
	upgrade_free(&cd);
	for (i = 0; i < nitems(senders); i++) {
		enum gw_proc p = senders[i];

		imsgev_free(w.peer[p]);
		w.peer[p] = NULL;
		close(other[p].fd);
		imsgbuf_clear(&other[p]);
	}
	event_base_free(w.base);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int	 init;
	size_t		 off = 0, n;

	if (!init) {
		if (sodium_init() == -1 || ecash_init() == -1 ||
		    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			abort();
		log_init(0, 0, 0);
		fs.n = nitems(senders);
		memcpy(fs.p, senders, sizeof(senders));
		fixture_senders_init(&fs, PROC_CREDD);
		gw_msg_set_self(PROC_CREDD);
		log_on_fatal(on_fatal);
		init = 1;
	}
	if (len < 1)
		return 0;
	fz_open(data[0] & 1);
	if (sigsetjmp(fatal_jmp, 0) != 0) {
		fz_close();
		return 0;
	}
	off = 1;
	while ((n = fixture_fuzz_record(data + off, len - off, &fs, w.peer,
	    other, 64, fz_loop)) > 0)
		off += n;
	fz_close();
	return 0;
}
