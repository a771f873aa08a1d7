/*
 * clientd's feature leaves through the daemon's own layers and sibling
 * dispatchers (regress/lib/clientd_fixture.h): delivery (pushed at once
 * and its ack settled safe once written; stored for a client offline,
 * settled as storaged answers; the inbox drained in order and deleted
 * once written, new mail kept behind it), bandwidth (a free claim
 * written and answered; refused when zk-nyms are enforced; a grant from
 * credd keeps what was spent since), ForgetMe (pending deletes first,
 * acked once storaged commits), one live session per client, and the
 * session's transition table.
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "clientd_fixture.h"
#include "log.h"
#include "testlib.h"

static struct cdfix	 F;
static jmp_buf		 fatal_jmp;

static void __attribute__((noreturn))
on_fatal(void)
{
	longjmp(fatal_jmp, 1);
}

static const uint8_t	 KEY[32] = { 9, 8, 7 };

static void
id_of(uint8_t id[32], int n)
{
	memset(id, 0, 32);
	id[0] = (uint8_t)n;
	id[31] = 0x5a;
}

/* The next message to p of this type, fixed part copied; its tail
 * length in *tail. */
static int
sent(enum gw_proc p, uint32_t type, void *fixed, size_t flen, uint8_t *tail,
    size_t *tlen, uint32_t *peerid)
{
	struct imsg	 imsg;
	int		 ok;

	if (!cdfix_to(&F, p, &imsg))
		return -1;
	ok = imsg.hdr.type == type && imsg.datalen >= flen;
	if (ok) {
		memcpy(fixed, imsg.data, flen);
		if (tlen != NULL) {
			*tlen = imsg.datalen - flen;
			if (tail != NULL)
				memcpy(tail, imsg.data + flen, *tlen);
		}
		if (peerid != NULL)
			*peerid = imsg.hdr.peerid;
	}
	imsg_free(&imsg);
	return ok ? 0 : -1;
}

static void
mix_deliver(const uint8_t id[32], uint64_t ack, const char *text)
{
	uint8_t			 buf[sizeof(struct gw_mix_deliver) + 64];
	struct gw_mix_deliver	 d;

	memset(&d, 0, sizeof(d));
	memcpy(d.client, id, 32);
	d.ack_id = ack;
	memcpy(buf, &d, sizeof(d));
	memcpy(buf + sizeof(d), text, strlen(text));
	cdfix_from(&F, PROC_MIXD, IMSG_MIX_DELIVER, 0, buf,
	    sizeof(d) + strlen(text));
}

/* The next pushed frame, opened with KEY: its text in out. */
static int
pushed(struct cdclient *k, char *out, size_t outmax)
{
	static uint8_t	 frame[70000], pt[70000];
	struct gwcrypto_aead *a = gwcrypto_aead_new(KEY);
	size_t		 len, ptlen;
	uint8_t		 kind;
	int		 rv = -1;

	if (cdclient_frame(k, frame, sizeof(frame), &len) == 2 &&
	    client_frame_open(a, frame, len, &kind, pt, &ptlen) ==
	    CLIENT_OK && kind == CLIENT_KIND_PUSHED && ptlen < outmax) {
		memcpy(out, pt, ptlen);
		out[ptlen] = '\0';
		rv = 0;
	}
	gwcrypto_aead_free(a);
	return rv;
}

/* The settled acks clientd sends mixd now: "id:S|D,..." */
static void
settled(char *out, size_t outmax)
{
	struct gw_mix_settled	 h;
	struct gw_settle	 s[16];
	size_t			 tl, i, o = 0;

	out[0] = '\0';
	delivery_settle_flush(&F.cd);
	if (sent(PROC_MIXD, IMSG_MIX_SETTLED, &h, sizeof(h), (uint8_t *)s,
	    &tl, NULL) == -1)
		return;
	for (i = 0; i < h.n && i < 16 && o + 24 < outmax; i++)
		o += (size_t)snprintf(out + o, outmax - o, "%s%llu:%c",
		    i ? "," : "", (unsigned long long)s[i].id,
		    s[i].outcome == GW_SETTLE_SAFE ? 'S' : 'D');
}

static struct cdclient	 A;
static uint8_t		 ID_A[32], ID_B[32];

static void
test_push(void)
{
	char	 got[128], acks[128];

	T_BEGIN("delivery: a message for a live client is pushed at once; its ack is settled safe once the frame is written");
	CHECK(cdclient_open(&F, &A) == 0);
	CHECK(cdclient_live(&F, &A, ID_A, KEY, 1000) == 0);
	cdfix_drain(&F, PROC_STORAGED);	/* the first inbox fetch */
	cdclient_drain(&A);		/* "authenticate" */
	A.c->draining = 0;
	mix_deliver(ID_A, 77, "hello");
	CHECK(pushed(&A, got, sizeof(got)) == 0);
	CHECKF(strcmp(got, "hello") == 0, "got %.60s", got);
	settled(acks, sizeof(acks));
	CHECKF(strcmp(acks, "77:S") == 0, "settled %s", acks);
	T_END();
}

static void
test_offline(void)
{
	struct gw_store_msg	 m;
	struct gw_store_result	 r;
	uint8_t			 tail[64];
	size_t			 tl;
	char			 acks[128];

	T_BEGIN("delivery: for a client offline, stored with its ack as tag; settled safe or dropped as storaged answers");
	mix_deliver(ID_B, 78, "later");
	CHECK(sent(PROC_STORAGED, IMSG_STORE_MESSAGE, &m, sizeof(m), tail,
	    &tl, NULL) == 0);
	CHECK(m.tag == 78 && memcmp(m.client, ID_B, 32) == 0 && tl == 5 &&
	    memcmp(tail, "later", 5) == 0);
	settled(acks, sizeof(acks));
	CHECKF(acks[0] == '\0', "settled early: %s", acks);
	memset(&r, 0, sizeof(r));
	memcpy(r.client, ID_B, 32);
	r.ok = 1;
	r.tag = 78;
	cdfix_from(&F, PROC_STORAGED, IMSG_STORE_RESULT, 0, &r, sizeof(r));
	r.ok = 0;
	r.reason = STORE_FAIL_INBOX_FULL;
	r.tag = 79;
	cdfix_from(&F, PROC_STORAGED, IMSG_STORE_RESULT, 0, &r, sizeof(r));
	settled(acks, sizeof(acks));
	CHECKF(strcmp(acks, "78:S,79:D") == 0, "settled %s", acks);
	T_END();
}

static void
test_inbox(void)
{
	struct gw_inbox_fetch	 f;
	struct gw_inbox_msg	 m;
	struct gw_inbox_end	 e;
	struct gw_inbox_delete	 d;
	struct gw_store_msg	 sm;
	uint8_t			 buf[sizeof(m) + 16], tail[64];
	uint64_t		 seq;
	size_t			 tl;
	uint32_t		 pid;
	char			 got[64];

	T_BEGIN("the inbox: fetched, pushed, deleted once written; mail arriving meanwhile is stored behind it and fetched next");
	delivery_start(A.c);
	CHECK(sent(PROC_STORAGED, IMSG_INBOX_FETCH, &f, sizeof(f), NULL, NULL,
	    &pid) == 0 && f.after_seq == 0 && f.max == CLIENTD_INBOX_BATCH);
	/* While it drains, new mail queues behind the inbox. */
	mix_deliver(ID_A, 80, "newer");
	CHECK(sent(PROC_STORAGED, IMSG_STORE_MESSAGE, &sm, sizeof(sm), tail,
	    &tl, NULL) == 0 && sm.tag == 80);
	memset(&m, 0, sizeof(m));
	memcpy(m.client, ID_A, 32);
	m.seq = 5;
	memcpy(buf, &m, sizeof(m));
	memcpy(buf + sizeof(m), "older", 5);
	cdfix_from(&F, PROC_STORAGED, IMSG_INBOX_MESSAGE, pid, buf,
	    sizeof(m) + 5);
	/* Queued, not yet written: no delete. */
	CHECK(!cdfix_to(&F, PROC_STORAGED, &(struct imsg){ 0 }));
	memset(&e, 0, sizeof(e));
	memcpy(e.client, ID_A, 32);
	e.count = 1;
	cdfix_from(&F, PROC_STORAGED, IMSG_INBOX_END, pid, &e, sizeof(e));
	/* Stored while draining: the inbox is dirty, so fetch again. */
	CHECK(sent(PROC_STORAGED, IMSG_INBOX_FETCH, &f, sizeof(f), NULL, NULL,
	    NULL) == 0 && f.after_seq == 5);
	/* The end of the batch flushed the frame out: its delete. */
	CHECK(pushed(&A, got, sizeof(got)) == 0 && strcmp(got, "older") == 0);
	CHECK(sent(PROC_STORAGED, IMSG_INBOX_DELETE, &d, sizeof(d),
	    (uint8_t *)&seq, &tl, NULL) == 0 && d.n == 1 && seq == 5);
	T_END();
}

static void
test_bandwidth(void)
{
	struct gw_bandwidth_adjust	 adj;
	struct gw_bandwidth		 b;
	struct gw_cred_result		 r;
	uint8_t				 fr[512];
	size_t				 len;
	uint32_t			 pid;
	char				 want[160];

	T_BEGIN("bandwidth: a free claim is written and answered once stored; a credd grant keeps what was spent since; enforced zk-nyms refuse the claim");
	cdfix_drain(&F, PROC_STORAGED);
	cdclient_drain(&A);
	cdclient_text(&A, "{\"type\":\"claimFreeTestnetBandwidth\"}");
	CHECK(sent(PROC_STORAGED, IMSG_BANDWIDTH_ADJUST, &adj, sizeof(adj),
	    NULL, NULL, &pid) == 0 && adj.delta == CLIENTD_FREE_BANDWIDTH &&
	    REQ_KIND(pid) == REQ_BW_CLAIM);
	CHECK(cdclient_frame(&A, fr, sizeof(fr), &len) == -1);
	memset(&b, 0, sizeof(b));
	memcpy(b.client, ID_A, 32);
	b.ok = 1;
	cdfix_from(&F, PROC_STORAGED, IMSG_BANDWIDTH_RESULT, pid, &b,
	    sizeof(b));
	conn_flush(A.c);
	snprintf(want, sizeof(want), "{\"type\":\"bandwidth\","
	    "\"available_total\":%lld,\"upgrade_mode\":false}",
	    (long long)(CLIENTD_FREE_BANDWIDTH + 1000));
	CHECK(cdclient_frame(&A, fr, sizeof(fr), &len) == 1);
	CHECKF(strcmp((char *)fr, want) == 0, "got %.100s", fr);
	A.c->bw_delta = -300;	/* spent since credd was asked */
	memset(&r, 0, sizeof(r));
	memcpy(r.client, ID_A, 32);
	r.ok = 1;
	r.available = 5000;
	r.expiry = INT64_MAX / 2;
	cdfix_from(&F, PROC_CREDD, IMSG_CRED_RESULT, REQ_ID(A.c, REQ_PLAIN),
	    &r, sizeof(r));
	conn_flush(A.c);
	CHECK(cdclient_frame(&A, fr, sizeof(fr), &len) == 1);
	CHECKF(strstr((char *)fr, "\"available_total\":4700,") != NULL,
	    "got %.100s", fr);
	F.w.conf.clientd.enforce_zk_nyms = 1;
	cdclient_text(&A, "{\"type\":\"claimFreeTestnetBandwidth\"}");
	CHECK(cdclient_frame(&A, fr, sizeof(fr), &len) == 1 &&
	    strstr((char *)fr, "\"type\":\"error\"") != NULL);
	F.w.conf.clientd.enforce_zk_nyms = 0;
	CHECK(!cdfix_to(&F, PROC_STORAGED, &(struct imsg){ 0 }));
	T_END();
}

static void
test_forget(void)
{
	struct gw_client_forget	 fg;
	struct gw_client_result	 r;
	struct gw_inbox_delete	 d;
	struct gwcrypto_aead	*a = gwcrypto_aead_new(KEY);
	const char		*req = "{\"ForgetMe\":{\"client\":true,"
				    "\"stats\":false}}";
	uint8_t			 nonce[CLIENT_NONCE_LEN] = { 1 }, ct[128];
	uint8_t			 fr[1024];
	char			 json[1024];
	size_t			 i, o, len;
	uint32_t		 pid;

	T_BEGIN("ForgetMe: the batched deletes go first, then the forget; acked encrypted once storaged commits");
	cdfix_drain(&F, PROC_STORAGED);
	writeback_delivered(A.c, 6);	/* written, delete not yet sent */
	gwcrypto_aead_seal(a, nonce, (const uint8_t *)req, strlen(req), ct);
	o = (size_t)snprintf(json, sizeof(json), "{\"type\":\"encryptedRequest\","
	    "\"ciphertext\":[");
	for (i = 0; i < strlen(req) + CLIENT_TAG_LEN; i++)
		o += (size_t)snprintf(json + o, sizeof(json) - o, "%s%u",
		    i ? "," : "", ct[i]);
	o += (size_t)snprintf(json + o, sizeof(json) - o, "],\"nonce\":[");
	for (i = 0; i < sizeof(nonce); i++)
		o += (size_t)snprintf(json + o, sizeof(json) - o, "%s%u",
		    i ? "," : "", nonce[i]);
	snprintf(json + o, sizeof(json) - o, "]}");
	cdclient_text(&A, json);
	CHECK(sent(PROC_STORAGED, IMSG_INBOX_DELETE, &d, sizeof(d), NULL,
	    NULL, NULL) == 0 && d.n == 1);
	CHECK(sent(PROC_STORAGED, IMSG_CLIENT_FORGET, &fg, sizeof(fg), NULL,
	    NULL, &pid) == 0 && fg.flags == (GW_FORGET_INBOX |
	    GW_FORGET_BANDWIDTH | GW_FORGET_KEY));
	CHECK(A.c->bw_avail == 0 && A.c->bw_delta == 0);
	CHECK(cdclient_frame(&A, fr, sizeof(fr), &len) == -1);
	memset(&r, 0, sizeof(r));
	memcpy(r.client, ID_A, 32);
	r.ok = 1;
	cdfix_from(&F, PROC_STORAGED, IMSG_CLIENT_RESULT, pid, &r, sizeof(r));
	conn_flush(A.c);
	CHECK(cdclient_frame(&A, fr, sizeof(fr), &len) == 1 &&
	    strncmp((char *)fr, "{\"type\":\"encryptedResponse\"", 27) == 0);
	gwcrypto_aead_free(a);
	T_END();
}

/* A request, then whether its answer is the nonce-length error. */
static int
nonce_refused(const char *json)
{
	uint8_t	 fr[1024];
	size_t	 len;

	cdclient_drain(&A);
	cdclient_text(&A, json);
	return cdclient_frame(&A, fr, sizeof(fr), &len) == 1 &&
	    strstr((char *)fr, "did not have the expected length") != NULL;
}

static void
test_nonce_length(void)
{
	static const char *const reqs[] = {
		"{\"type\":\"ecashCredential\",\"enc_credential\":[1,2],"
		    "\"iv\":[1,2,3,4,5,6,7,8,9,10,11,12,13]}",
		"{\"type\":\"ecashCredential\",\"enc_credential\":[1,2],"
		    "\"nonce\":[1,2,3,4,5,6,7,8,9,10,11,12,13]}",
		"{\"type\":\"encryptedRequest\",\"ciphertext\":[1,2],"
		    "\"nonce\":[1,2,3,4,5,6,7,8,9,10,11,12,13]}",
		"{\"type\":\"encryptedRequest\",\"ciphertext\":[1,2],"
		    "\"nonce\":[1,2,3,4,5,6,7,8,9,10,11]}",
	};
	size_t	 i;

	/* Found by fuzz_clientd_session: a 13-byte nonce was written into
	 * a 12-byte buffer before its length was checked. */
	T_BEGIN("a nonce (or IV) one byte too long or short is refused with its error, nothing written past it");
	for (i = 0; i < nitems(reqs); i++)
		CHECKF(nonce_refused(reqs[i]), "request %zu", i);
	CHECK(!cdfix_to(&F, PROC_CREDD, &(struct imsg){ 0 }));
	T_END();
}

static void
test_one_session(void)
{
	struct cdclient	*k = xcalloc(1, sizeof(*k));
	uint8_t		 fr[512];
	size_t		 len;
	struct conn	*c;
	uint32_t	 id;

	T_BEGIN("one live session per client: a second one going live for the same client is told and dropped");
	CHECK(cdclient_open(&F, k) == 0);
	id = k->c->id;
	CHECK(cdclient_live(&F, k, ID_A, KEY, 10) == -1);
	CHECK(cdclient_frame(k, fr, sizeof(fr), &len) == 1 &&
	    strstr((char *)fr, "There is already an open connection") !=
	    NULL);
	/* Closing, or gone already once its close frame was out. */
	c = conn_by_id(&F.cd, id);
	CHECK(c == NULL || conn_closing(c));
	CHECK(session_by_client(&F.cd, ID_A) == A.c);
	if (c != NULL)
		conn_free(c);
	close(k->fd);
	free(k);
	T_END();
}

static void
test_transitions(void)
{
	volatile int	 fatals = 0;
	struct cdclient	*k = xcalloc(1, sizeof(*k));

	T_BEGIN("the session's table: READY only after AUTH_BW; a jump it does not list is fatal");
	CHECK(cdclient_open(&F, k) == 0);
	log_on_fatal(on_fatal);
	if (setjmp(fatal_jmp) == 0)
		session_set_state(k->c, CS_READY);
	else
		fatals++;
	if (setjmp(fatal_jmp) == 0)
		session_set_state(k->c, CS_HS_STORE);
	else
		fatals++;
	CHECK(fatals == 2 && k->c->state == CS_FRESH);
	session_set_state(k->c, CS_HS_SIGN);
	CHECK(k->c->state == CS_HS_SIGN);
	conn_free(k->c);
	close(k->fd);
	free(k);
	T_END();
}

int
main(void)
{
	log_init(1, 0, 0);
	if (cdfix_open(&F) == -1)
		t_die("fixture");
	id_of(ID_A, 1);
	id_of(ID_B, 2);
	test_push();
	test_offline();
	test_inbox();
	test_bandwidth();
	test_forget();
	test_nonce_length();
	test_one_session();
	test_transitions();
	conn_free(A.c);
	close(A.fd);
	return t_done();
}
