/*
 * storaged's requests (storaged/requests.c) on a real LMDB, driven as
 * clientd and credd drive them: registration and lookup, mail only for
 * registered clients, fetch in arrival order, delete, the per-client
 * cap, authenticateV2 replays, bandwidth, spent serials, forget, what
 * survives a reopen, what the role table refuses before any handler,
 * and that a request breaking the contract is fatal.
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include "storaged_fixture.h"
#include "testlib.h"

static struct sdfix	 F;
static jmp_buf		 fatal_jmp;
static int		 fatals;

static void __attribute__((noreturn))
on_fatal(void)
{
	fatals++;
	longjmp(fatal_jmp, 1);
}

static void
client_id(uint8_t id[GW_CLIENT_ID_LEN], int n)
{
	memset(id, 0, GW_CLIENT_ID_LEN);
	id[0] = (uint8_t)n;
	id[31] = 0xc1;
}

/* The next reply to p, of this type, copied exactly; -1 if not so. */
static int
reply(enum gw_proc p, uint32_t type, void *dst, size_t len)
{
	struct imsg	 imsg;
	int		 rv;

	if (!sdfix_reply(&F, p, &imsg))
		return -1;
	rv = imsg.hdr.type == type && imsg_get_exact(&imsg, dst, len) == 0 ?
	    0 : -1;
	imsg_free(&imsg);
	return rv;
}

static int
do_register(int n)
{
	struct gw_client_key	 k;
	struct gw_client_result	 r;

	client_id(k.client, n);
	memset(k.key, 0x40 + n, sizeof(k.key));
	sdfix_send(&F, PROC_CLIENTD, IMSG_CLIENT_REGISTER, 7, &k, sizeof(k));
	return reply(PROC_CLIENTD, IMSG_CLIENT_RESULT, &r, sizeof(r)) == 0 &&
	    r.ok == 1 ? 0 : -1;
}

static int
do_store(int n, const char *text, uint64_t tag, struct gw_store_result *r)
{
	uint8_t			 buf[sizeof(struct gw_store_msg) + 256];
	struct gw_store_msg	 m;
	size_t			 len = strlen(text);

	client_id(m.client, n);
	m.tag = tag;
	memcpy(buf, &m, sizeof(m));
	memcpy(buf + sizeof(m), text, len);
	sdfix_send(&F, PROC_CLIENTD, IMSG_STORE_MESSAGE, 9, buf,
	    sizeof(m) + len);
	return reply(PROC_CLIENTD, IMSG_STORE_RESULT, r, sizeof(*r));
}

/* Fetch n's inbox: the messages' texts joined by '|' into out, the
 * seqs into seqs; the count INBOX_END gave, or -1. */
static int
do_fetch(int n, char *out, size_t outlen, uint64_t *seqs)
{
	struct gw_inbox_fetch	 f;
	struct gw_inbox_msg	 m;
	struct gw_inbox_end	 e;
	struct imsg		 imsg;
	unsigned		 got = 0;
	size_t			 off = 0, l;

	memset(&f, 0, sizeof(f));
	client_id(f.client, n);
	f.max = 100;
	sdfix_send(&F, PROC_CLIENTD, IMSG_INBOX_FETCH, 3, &f, sizeof(f));
	out[0] = '\0';
	while (sdfix_reply(&F, PROC_CLIENTD, &imsg)) {
		if (imsg.hdr.type == IMSG_INBOX_END) {
			int ok = imsg_get_exact(&imsg, &e, sizeof(e)) == 0 &&
			    e.count == got;

			imsg_free(&imsg);
			return ok ? (int)got : -1;
		}
		if (imsg.hdr.type != IMSG_INBOX_MESSAGE ||
		    imsg.datalen < sizeof(m)) {
			imsg_free(&imsg);
			return -1;
		}
		memcpy(&m, imsg.data, sizeof(m));
		seqs[got++] = m.seq;
		l = imsg.datalen - sizeof(m);
		if (off + l + 2 < outlen) {
			if (off > 0)
				out[off++] = '|';
			memcpy(out + off, imsg.data + sizeof(m), l);
			off += l;
			out[off] = '\0';
		}
		imsg_free(&imsg);
	}
	return -1;
}

static void
test_register_lookup(void)
{
	struct gw_client_id	 id;
	struct gw_client_info	 info;

	T_BEGIN("register, then lookup finds the client with its key; an unknown one is not found");
	CHECK(do_register(1) == 0);
	client_id(id.client, 1);
	sdfix_send(&F, PROC_CLIENTD, IMSG_CLIENT_LOOKUP, 4, &id, sizeof(id));
	CHECK(reply(PROC_CLIENTD, IMSG_CLIENT_INFO, &info, sizeof(info)) == 0);
	CHECK(info.found == 1 && info.key[0] == 0x41 && info.key[31] == 0x41);
	client_id(id.client, 99);
	sdfix_send(&F, PROC_CLIENTD, IMSG_CLIENT_LOOKUP, 4, &id, sizeof(id));
	CHECK(reply(PROC_CLIENTD, IMSG_CLIENT_INFO, &info, sizeof(info)) == 0);
	CHECK(info.found == 0);
	T_END();
}

static void
test_store_fetch_delete(void)
{
	struct gw_store_result	 r;
	char			 out[512];
	uint64_t		 seqs[8];
	uint8_t			 buf[sizeof(struct gw_inbox_delete) + 8];
	struct gw_inbox_delete	 d;

	T_BEGIN("mail for a stranger is refused; for a client it is stored, fetched in order, deleted");
	CHECK(do_store(50, "nobody", 1, &r) == 0);
	CHECK(r.ok == 0 && r.reason == STORE_FAIL_UNREGISTERED && r.tag == 1);
	CHECK(do_store(1, "first", 11, &r) == 0 && r.ok == 1 && r.tag == 11);
	CHECK(do_store(1, "second", 12, &r) == 0 && r.ok == 1 && r.tag == 12);
	CHECK(do_fetch(1, out, sizeof(out), seqs) == 2);
	CHECKF(strcmp(out, "first|second") == 0, "got %.60s", out);
	CHECK(seqs[0] < seqs[1]);
	CHECK(do_fetch(50, out, sizeof(out), seqs) == 0);
	memset(&d, 0, sizeof(d));
	client_id(d.client, 1);
	d.n = 1;
	memcpy(buf, &d, sizeof(d));
	memcpy(buf + sizeof(d), &seqs[0], 8);
	sdfix_send(&F, PROC_CLIENTD, IMSG_INBOX_DELETE, 0, buf, sizeof(buf));
	CHECK(do_fetch(1, out, sizeof(out), seqs) == 1);
	CHECKF(strcmp(out, "second") == 0, "got %.60s", out);
	T_END();
}

static void
test_inbox_cap(void)
{
	struct gw_store_result	 r;
	int			 i, stored = 0, full = 0;

	T_BEGIN("a full inbox refuses more, as INBOX_FULL, and other inboxes still take mail");
	CHECK(do_register(2) == 0);
	for (i = 0; i < 6; i++) {
		CHECK(do_store(2, "m", (uint64_t)i, &r) == 0);
		stored += r.ok == 1;
		full += r.ok == 0 && r.reason == STORE_FAIL_INBOX_FULL;
	}
	CHECKF(stored == 4 && full == 2, "stored %d full %d", stored, full);
	CHECK(do_store(1, "third", 13, &r) == 0 && r.ok == 1);
	T_END();
}

static void
test_auth_replay(void)
{
	struct gw_client_auth	 a;
	struct gw_client_result	 r;

	T_BEGIN("authenticateV2 timestamps: a later one is stored, the same or an earlier one is a replay");
	client_id(a.client, 1);
	a.timestamp = 1000;
	sdfix_send(&F, PROC_CLIENTD, IMSG_CLIENT_AUTH, 0, &a, sizeof(a));
	CHECK(reply(PROC_CLIENTD, IMSG_CLIENT_RESULT, &r, sizeof(r)) == 0 &&
	    r.ok == 1);
	sdfix_send(&F, PROC_CLIENTD, IMSG_CLIENT_AUTH, 0, &a, sizeof(a));
	CHECK(reply(PROC_CLIENTD, IMSG_CLIENT_RESULT, &r, sizeof(r)) == 0 &&
	    r.ok == 0);
	a.timestamp = 999;
	sdfix_send(&F, PROC_CLIENTD, IMSG_CLIENT_AUTH, 0, &a, sizeof(a));
	CHECK(reply(PROC_CLIENTD, IMSG_CLIENT_RESULT, &r, sizeof(r)) == 0 &&
	    r.ok == 0);
	client_id(a.client, 77);
	a.timestamp = 5000;
	sdfix_send(&F, PROC_CLIENTD, IMSG_CLIENT_AUTH, 0, &a, sizeof(a));
	CHECK(reply(PROC_CLIENTD, IMSG_CLIENT_RESULT, &r, sizeof(r)) == 0 &&
	    r.ok == 0);
	T_END();
}

static void
test_bandwidth_spend(void)
{
	struct gw_bandwidth_adjust	 adj;
	struct gw_client_id		 id;
	struct gw_bandwidth		 b;
	struct gw_spend			 s;
	struct gw_spend_result		 sr;

	T_BEGIN("bandwidth: adjust from clientd and credd, read back; a serial is fresh once");
	memset(&adj, 0, sizeof(adj));
	client_id(adj.client, 1);
	adj.delta = 5000;
	adj.expiry = 1900000000;
	sdfix_send(&F, PROC_CREDD, IMSG_BANDWIDTH_ADJUST, 0, &adj, sizeof(adj));
	CHECK(reply(PROC_CREDD, IMSG_BANDWIDTH_RESULT, &b, sizeof(b)) == 0);
	CHECKF(b.ok == 1 && b.available == 5000 && b.expiry == 1900000000,
	    "ok %d available %lld", b.ok, (long long)b.available);
	adj.delta = -1200;
	adj.expiry = 0;
	sdfix_send(&F, PROC_CLIENTD, IMSG_BANDWIDTH_ADJUST, 0, &adj,
	    sizeof(adj));
	CHECK(reply(PROC_CLIENTD, IMSG_BANDWIDTH_RESULT, &b, sizeof(b)) == 0);
	client_id(id.client, 1);
	sdfix_send(&F, PROC_CLIENTD, IMSG_BANDWIDTH_GET, 0, &id, sizeof(id));
	CHECK(reply(PROC_CLIENTD, IMSG_BANDWIDTH_RESULT, &b, sizeof(b)) == 0);
	CHECKF(b.available == 3800 && b.expiry == 1900000000, "available %lld",
	    (long long)b.available);
	memset(&s, 0, sizeof(s));
	memset(s.serial_hash, 0x5e, sizeof(s.serial_hash));
	s.when = 1800000000;
	sdfix_send(&F, PROC_CREDD, IMSG_SPEND_RECORD, 0, &s, sizeof(s));
	CHECK(reply(PROC_CREDD, IMSG_SPEND_RESULT, &sr, sizeof(sr)) == 0 &&
	    sr.ok == 1 && sr.fresh == 1);
	sdfix_send(&F, PROC_CREDD, IMSG_SPEND_RECORD, 0, &s, sizeof(s));
	CHECK(reply(PROC_CREDD, IMSG_SPEND_RESULT, &sr, sizeof(sr)) == 0 &&
	    sr.ok == 1 && sr.fresh == 0);
	T_END();
}

static void
test_role_table_refuses(void)
{
	uint8_t			 buf[sizeof(struct gw_store_msg) + 1];
	struct gw_spend		 s;
	struct imsg		 imsg;

	T_BEGIN("before any handler: credd may not store mail, clientd may not record spends, sizes are exact");
	memset(buf, 0, sizeof(buf));
	memset(&s, 0, sizeof(s));
	CHECK(sdfix_send(&F, PROC_CREDD, IMSG_STORE_MESSAGE, 0, buf,
	    sizeof(buf)) != NULL);
	CHECK(sdfix_send(&F, PROC_CLIENTD, IMSG_SPEND_RECORD, 0, &s,
	    sizeof(s)) != NULL);
	CHECK(sdfix_send(&F, PROC_CLIENTD, IMSG_STORE_MESSAGE, 0, buf,
	    sizeof(struct gw_store_msg)) != NULL);
	CHECK(sdfix_send(&F, PROC_CREDD, IMSG_SPEND_RECORD, 0, &s,
	    sizeof(s) - 1) != NULL);
	CHECK(sdfix_send(&F, PROC_CLIENTD, IMSG_MIX_DELIVER, 0, buf,
	    sizeof(buf)) != NULL);
	CHECK(!sdfix_reply(&F, PROC_CLIENTD, &imsg));
	CHECK(!sdfix_reply(&F, PROC_CREDD, &imsg));
	T_END();
}

static void
test_contract_fatal(void)
{
	struct gw_inbox_fetch		 f;
	struct gw_client_forget		 fg;
	struct gw_bandwidth_adjust	 adj;
	volatile int			 step = 0;

	T_BEGIN("a request that breaks the contract is fatal: fetch of 0, unknown forget flags, a settle from clientd");
	log_on_fatal(on_fatal);
	fatals = 0;
	memset(&f, 0, sizeof(f));
	memset(&fg, 0, sizeof(fg));
	memset(&adj, 0, sizeof(adj));
	setjmp(fatal_jmp);
	switch (step++) {
	case 0:
		sdfix_send(&F, PROC_CLIENTD, IMSG_INBOX_FETCH, 0, &f,
		    sizeof(f));
		break;
	case 1:
		fg.flags = 0x80;
		sdfix_send(&F, PROC_CLIENTD, IMSG_CLIENT_FORGET, 0, &fg,
		    sizeof(fg));
		break;
	case 2:
		adj.flags = GW_ADJUST_SETTLE;
		sdfix_send(&F, PROC_CLIENTD, IMSG_BANDWIDTH_ADJUST, 0, &adj,
		    sizeof(adj));
		break;
	default:
		break;
	}
	CHECKF(fatals == 3, "%d fatal", fatals);
	T_END();
}

static void
test_forget(void)
{
	struct gw_client_forget	 fg;
	struct gw_client_result	 r;
	struct gw_client_id	 id;
	struct gw_client_info	 info;
	char			 out[64];
	uint64_t		 seqs[8];

	T_BEGIN("forget inbox and key: the inbox is empty and the client unknown; mail for it is refused");
	memset(&fg, 0, sizeof(fg));
	client_id(fg.client, 2);
	fg.flags = GW_FORGET_INBOX | GW_FORGET_KEY;
	sdfix_send(&F, PROC_CLIENTD, IMSG_CLIENT_FORGET, 0, &fg, sizeof(fg));
	CHECK(reply(PROC_CLIENTD, IMSG_CLIENT_RESULT, &r, sizeof(r)) == 0 &&
	    r.ok == 1);
	CHECK(do_fetch(2, out, sizeof(out), seqs) == 0);
	client_id(id.client, 2);
	sdfix_send(&F, PROC_CLIENTD, IMSG_CLIENT_LOOKUP, 0, &id, sizeof(id));
	CHECK(reply(PROC_CLIENTD, IMSG_CLIENT_INFO, &info, sizeof(info)) == 0 &&
	    info.found == 0);
	{
		struct gw_store_result sr;

		CHECK(do_store(2, "late", 1, &sr) == 0 && sr.ok == 0 &&
		    sr.reason == STORE_FAIL_UNREGISTERED);
	}
	T_END();
}

static void
test_reopen(void)
{
	char		 dir[64], out[128];
	uint64_t	 seqs[8];
	struct gw_store_result r;

	T_BEGIN("what was answered survives a reopen: the inbox, in order; new mail gets a later seq");
	snprintf(dir, sizeof(dir), "%s", F.dir);
	sdfix_close(&F, 1);
	CHECK(sdfix_open(&F, dir, 1 << 24, 4) == 0);
	CHECK(do_fetch(1, out, sizeof(out), seqs) == 2);
	CHECKF(strcmp(out, "second|third") == 0, "got %.60s", out);
	CHECK(do_store(1, "fourth", 14, &r) == 0 && r.ok == 1);
	{
		uint64_t last = seqs[1];

		CHECK(do_fetch(1, out, sizeof(out), seqs) == 3 &&
		    seqs[2] > last);
	}
	T_END();
}

int
main(void)
{
	log_init(1, 0, 0);
	if (sdfix_open(&F, NULL, 1 << 24, 4) == -1)
		t_die("cannot open a database");
	test_register_lookup();
	test_store_fetch_delete();
	test_inbox_cap();
	test_auth_replay();
	test_bandwidth_spend();
	test_role_table_refuses();
	test_contract_fatal();
	test_forget();
	test_reopen();
	sdfix_close(&F, 0);
	return t_done();
}
