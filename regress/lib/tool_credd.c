/*
 * A stand-in master, clientd and mixd for one credd and one storaged
 * (the real programs), to test credd before clientd's side exists:
 *
 *   tool_credd BIN DATADIR URLS step...
 *
 * URLS: nym-api base URLs, comma-separated.  Steps, run in order:
 *   start | start-free	start storaged and credd (enforce_zk_nyms on/off)
 *   stop			close both master channels and wait
 *   ticket C S EXPECT	client C (0..255) spends a ticket with serial
 *				seed S; EXPECT ok|double|unavailable|
 *				not-enabled|malformed|expired|rejected|
 *				busy|pending; prints "# took MS ms";
 *				a made-up ticket expected malformed is
 *				sent cut short, a ticket-file one whole
 *   flood C A N		N tickets at once (serials from 100000 up),
 *				from client C at address A, or (C "-")
 *				from N clients at address A; prints
 *				"# flood: RESULT COUNT" per result
 *   balance C N		storaged holds N bytes for client C
 *   notify C N		a CRED_BALANCE for C with balance N comes in
 *				15 s (a late credit or a penalty)
 *   nonotify SECS		no CRED_BALANCE arrives within SECS
 *   topology N		mixd is sent a topology of N node addresses
 *   epoch E		later tickets name ecash epoch E (default 5)
 *   provider self|other	later tickets' pay_info names this gateway
 *				(default) or another one
 *   payinfo fixed|fresh	later tickets' pay_info randomness is the
 *				serial seed alone, or unique (default)
 *   exec CMD		run CMD with sh -c (e.g. to change the stub)
 *   ticket-file FILE|-	later tickets are FILE's bytes (a real one,
 *				regress/vectors/ecash), or made up again
 *   write-ticket FILE S ID	write a ticket with serial seed S whose
 *				pay_info names the gateway of identity ID
 *				(base58), for tool_wsclient forward -T
 *   jwt TOKEN EXPECT	an upgradeModeJWT; EXPECT ok or a substring of
 *				credd's error message
 *   upgrade on|off SECS	credd tells clientd that upgrade mode is on/off
 *				within SECS
 *
 * Environment, read by start: TOOL_CREDD_COSMOS (cosmos_address),
 * TOOL_CREDD_CA (nym_api.ca_file), TOOL_CREDD_ATTEST_URL and
 * TOOL_CREDD_ATTESTER (upgrade_mode.*, hex of the 32-byte key),
 * TOOL_CREDD_IDENTITY (hex: the gateway's identity public key, for the
 * pay_info of real tickets; TEST_IDENTITY below otherwise),
 * TOOL_CREDD_NYXD and TOOL_CREDD_DKG (nyxd.url, nyxd.dkg_contract; none
 * by default).
 *
 * Prints testlib lines; exits non-zero if a step failed.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base58.h"
#include "fakemaster.h"
#include "gw_imsg.h"
#include "imsg.h"
#include "testlib.h"

static const char	*bin, *datadir, *urls;
static struct fm_child credd, storaged;
static struct imsgbuf	 clientd;	/* we are clientd to credd */
static struct imsgbuf	 mixd;		/* and mixd */
static struct imsgbuf	 store;		/* and clientd to storaged */
static int		 failed, running;
static uint32_t		 reqid = 1;
static uint64_t		 ticket_epoch = 5;
static int		 other_provider, fixed_payinfo;
static int		 upgrade_seen = -1;	/* last IMSG_UPGRADE_MODE */
static uint8_t		 file_ticket[GW_CRED_MAX];
static size_t		 file_ticket_len;	/* 0: made-up tickets */

/* An IMSG_UPGRADE_MODE that came in while waiting for something else. */
static void
note_upgrade(struct imsg *imsg)
{
	struct gw_upgrade_mode	 m;

	if (imsg->hdr.type == IMSG_UPGRADE_MODE &&
	    imsg_get_exact(imsg, &m, sizeof(m)) == 0)
		upgrade_seen = m.on;
}
/* The gateway's Ed25519 public key as credd is told it. */
static const uint8_t	 TEST_IDENTITY[32] = {
	0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
	0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
	0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
	0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42, 0x42,
};

static uint8_t	 ticket_provider[32];

static void
say(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
say(int ok, const char *fmt, ...)
{
	va_list	 ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		failed++;
}

static void
spawn(struct fm_child *c, const char *prog)
{
	char	 path[4096];

	snprintf(path, sizeof(path), "%s/%s", bin, prog);
	fm_spawn(c, path, prog);
}

static void
start(int enforce)
{
	struct gw_conf_storaged	 sc;
	struct gw_conf_credd	 cc;
	char			 db[4096], list[4096], *u, *save;
	int			 cs[2], cl[2], mx[2], st[2], i;
	int			 root = geteuid() == 0;
	struct passwd		*pw;

	snprintf(db, sizeof(db), "%s/db", datadir);
	mkdir(datadir, 0755);
	mkdir(db, 0700);
	if (root && ((pw = getpwnam("_gatewayd-db")) == NULL ||
	    chown(db, pw->pw_uid, pw->pw_gid) == -1)) {
		say(0, "prepare %s for _gatewayd-db", db);
		exit(1);
	}
	fm_pair(cs);	/* credd <-> storaged */
	fm_pair(cl);	/* credd <-> us as clientd */
	fm_pair(mx);	/* credd <-> us as mixd */
	fm_pair(st);	/* storaged <-> us as clientd */

	spawn(&storaged, "storaged");
	fm_give_peer(&storaged, PROC_CREDD, cs[0]);
	fm_give_peer(&storaged, PROC_CLIENTD, st[0]);
	memset(&sc, 0, sizeof(sc));
	snprintf(sc.c.user, sizeof(sc.c.user), "_gatewayd-db");
	snprintf(sc.c.chroot_dir, sizeof(sc.c.chroot_dir), "%s",
	    root ? datadir : "");
	snprintf(sc.data_dir, sizeof(sc.data_dir), "%s", root ? "/" : datadir);
	snprintf(sc.data_dir_shown, sizeof(sc.data_dir_shown), "%s", datadir);
	sc.map_size = 64ULL << 20;
	sc.inbox_retention_s = 86400;
	sc.inbox_max_messages = 1000;
	sc.commit_interval_ms = 5;
	sc.commit_batch = 64;
	imsg_compose(&storaged.master, IMSG_CONF_STORAGED, 0, -1, &sc,
	    sizeof(sc));

	spawn(&credd, "credd");
	fm_give_peer(&credd, PROC_STORAGED, cs[1]);
	fm_give_peer(&credd, PROC_CLIENTD, cl[0]);
	fm_give_peer(&credd, PROC_MIXD, mx[0]);
	memset(&cc, 0, sizeof(cc));
	snprintf(cc.c.user, sizeof(cc.c.user), "_gatewayd");
	snprintf(list, sizeof(list), "%s", urls);
	for (u = strtok_r(list, ",", &save); u != NULL &&
	    cc.n_nym_api_urls < GW_MAX_APIURLS;
	    u = strtok_r(NULL, ",", &save))
		snprintf(cc.nym_api_urls[cc.n_nym_api_urls++], GW_URL_MAX,
		    "%s", u);
	cc.nym_api_timeout_ms = 2000;
	cc.enforce_zk_nyms = enforce;
	memcpy(cc.identity_pk, TEST_IDENTITY, sizeof(cc.identity_pk));
	if ((u = getenv("TOOL_CREDD_IDENTITY")) != NULL && strlen(u) == 64)
		for (i = 0; i < 32; i++)
			sscanf(u + 2 * i, "%2hhx", &cc.identity_pk[i]);
	if ((u = getenv("TOOL_CREDD_COSMOS")) != NULL)
		snprintf(cc.cosmos_address, sizeof(cc.cosmos_address), "%s", u);
	if ((u = getenv("TOOL_CREDD_CA")) != NULL)
		snprintf(cc.nym_api_ca_file, sizeof(cc.nym_api_ca_file), "%s",
		    u);
	if ((u = getenv("TOOL_CREDD_ATTEST_URL")) != NULL)
		snprintf(cc.attestation_url, sizeof(cc.attestation_url), "%s",
		    u);
	if ((u = getenv("TOOL_CREDD_ATTESTER")) != NULL && strlen(u) == 64)
		for (i = 0; i < 32; i++)
			sscanf(u + 2 * i, "%2hhx", &cc.attester_pk[i]);
	if ((u = getenv("TOOL_CREDD_NYXD")) != NULL)
		snprintf(cc.nyxd_url, sizeof(cc.nyxd_url), "%s", u);
	if ((u = getenv("TOOL_CREDD_DKG")) != NULL)
		snprintf(cc.dkg_contract, sizeof(cc.dkg_contract), "%s", u);
	imsg_compose(&credd.master, IMSG_CONF_CREDD, 0, -1, &cc, sizeof(cc));

	if (fm_ready(&storaged, 15000) == -1 ||
	    fm_ready(&credd, 15000) == -1) {
		say(0, "credd and storaged start");
		exit(1);
	}
	/* imsg_compose took the passed fds: closed once sent. */
	imsgbuf_init(&clientd, cl[1], GW_IMSG_MAXSIZE, 0);
	imsgbuf_init(&mixd, mx[1], GW_IMSG_MAXSIZE, 0);
	imsgbuf_init(&store, st[1], GW_IMSG_MAXSIZE, 0);
	imsg_compose(&storaged.master, IMSG_START, 0, -1, NULL, 0);
	imsg_compose(&credd.master, IMSG_START, 0, -1, NULL, 0);
	imsgbuf_flush(&storaged.master);
	imsgbuf_flush(&credd.master);
	running = 1;
}

static void
stop_one(struct fm_child *c)
{
	int	 st;

	close(c->master.fd);
	waitpid(c->pid, &st, 0);
	imsgbuf_clear(&c->master);
}

static void
stop(void)
{
	/* Like the master: credd first, then storaged commits and goes. */
	stop_one(&credd);
	stop_one(&storaged);
	close(clientd.fd);
	close(mixd.fd);
	close(store.fd);
	imsgbuf_clear(&clientd);
	imsgbuf_clear(&mixd);
	imsgbuf_clear(&store);
	running = 0;
}

/* A ticket as a client sends it: bincode Payment with stand-in bytes. */
static size_t
put_elem(uint8_t *p, uint8_t len, uint8_t fill)
{
	p[0] = len;
	memset(p + 1, fill, len);
	return 1 + (size_t)len;
}

static size_t
make_ticket(uint8_t *buf, uint32_t seed)
{
	uint8_t		*p = buf + 4, *pay;
	uint32_t	 plen, jdn;
	uint64_t	 now;
	int		 i;

	pay = p;
	p += put_elem(p, 96, 1);		/* kappa */
	p += put_elem(p, 96, 2);		/* kappa_e */
	p += put_elem(p, 48, 3);		/* sig.h */
	p += put_elem(p, 48, 4);		/* sig.s */
	p += put_elem(p, 48, 5);		/* sig_exp.h */
	p += put_elem(p, 48, 6);		/* sig_exp.s */
	*p++ = 1; p += put_elem(p, 96, 7);	/* kappa_k */
	*p++ = 1; p += put_elem(p, 48, 8);	/* omega[0].h */
	p += put_elem(p, 48, 9);		/* omega[0].s */
	*p++ = 1; p += put_elem(p, 48, 0);	/* ss: the serial */
	memcpy(p - 48, &seed, sizeof(seed));
	*p++ = 1; p += put_elem(p, 48, 10);	/* tt */
	*p++ = 1; p += put_elem(p, 48, 11);	/* aa */
	*p++ = 1;				/* spend_value */
	p += put_elem(p, 48, 12);		/* cc */
	*p++ = 0;				/* t_type */
	for (i = 0; i < 3; i++)			/* challenge, r, r_e */
		p += put_elem(p, 32, 13);
	for (i = 0; i < 3; i++) {		/* r_k, l, o_a */
		*p++ = 1;
		p += put_elem(p, 32, 14);
	}
	p += put_elem(p, 32, 15);		/* o_c */
	for (i = 0; i < 3; i++) {		/* mu, o_mu, attributes */
		*p++ = 1;
		p += put_elem(p, 32, 16);
	}
	plen = (uint32_t)(p - pay);
	buf[0] = plen >> 24; buf[1] = plen >> 16; buf[2] = plen >> 8;
	buf[3] = plen;
	/* pay_info: randomness, timestamp (i64 BE), provider */
	memset(p, 0x55, 32);
	memcpy(p, &seed, sizeof(seed));
	if (!fixed_payinfo)	/* unique, so the serial check is reached */
		memcpy(p + 4, &reqid, sizeof(reqid));
	now = (uint64_t)time(NULL);
	for (i = 0; i < 8; i++)
		p[32 + i] = (uint8_t)(now >> (56 - 8 * i));
	memcpy(p + 40, ticket_provider, 32);
	if (other_provider)
		p[40] ^= 1;
	p += 72;
	jdn = (uint32_t)(time(NULL) / 86400 + 2440588);
	*p++ = jdn >> 24; *p++ = jdn >> 16; *p++ = jdn >> 8; *p++ = jdn;
	for (i = 0; i < 8; i++)			/* epoch_id */
		p[i] = (uint8_t)(ticket_epoch >> (56 - 8 * i));
	p += 8;
	return (size_t)(p - buf);
}

static const char *const err_names[] = {
	"ok", "malformed", "double", "expired", "bad-value", "unavailable",
	"not-enabled", "wrong-provider", "rejected", "busy", "pending",
};

static const char *
err_name(int32_t e)
{
	return e >= 0 && (size_t)e < sizeof(err_names) / sizeof(err_names[0]) ?
	    err_names[e] : "?";
}

/* A CRED_VERIFY for a ticket of client from address addr. */
static void
send_ticket(uint8_t client, uint8_t addr, uint32_t seed, uint32_t id,
    int truncate)
{
	uint8_t			 buf[sizeof(struct gw_cred_req) + GW_CRED_MAX];
	struct gw_cred_req	*req = (struct gw_cred_req *)buf;
	size_t			 len;

	memset(buf, 0, sizeof(buf));
	memset(req->client, client, sizeof(req->client));
	req->addr[0] = 4;	/* struct addrkey: 10.0.0.addr */
	req->addr[1] = 10;
	req->addr[4] = addr;
	req->kind = CRED_ECASH_TICKET;
	if (file_ticket_len > 0) {
		memcpy(buf + sizeof(*req), file_ticket, file_ticket_len);
		len = file_ticket_len;
	} else
		len = make_ticket(buf + sizeof(*req), seed);
	if (truncate && file_ticket_len == 0)
		len -= 10;
	imsg_compose(&clientd, IMSG_CRED_VERIFY, id, -1, buf,
	    sizeof(*req) + len);
}

static void
step_ticket(uint8_t client, uint32_t seed, const char *expect)
{
	struct gw_cred_result	 r;
	struct imsg		 imsg;
	uint32_t		 id = reqid++;
	const char		*got;
	double			 t0 = t_now();

	send_ticket(client, client, seed, id, strcmp(expect, "malformed") ==
	    0);
	imsgbuf_flush(&clientd);
	for (;;) {
		if (fm_next(&clientd, &imsg, 20000) != 1) {
			say(0, "ticket %u/%u: no answer from credd", client,
			    seed);
			return;
		}
		if (imsg.hdr.type == IMSG_CRED_RESULT && imsg.hdr.peerid == id)
			break;
		imsg_free(&imsg);	/* a revoke for another test */
	}
	if (imsg_get_exact(&imsg, &r, sizeof(r)) == -1) {
		say(0, "ticket: bad CRED_RESULT");
		return;
	}
	imsg_free(&imsg);
	printf("# took %.0f ms\n", (t_now() - t0) * 1000);
	r.message[sizeof(r.message) - 1] = '\0';
	got = err_name(r.error);
	say(strcmp(got, expect) == 0 && (r.ok == (strcmp(expect, "ok") == 0)),
	    "ticket client %u serial %u: %s (want %s)%s%s%s", client, seed,
	    got, expect, r.ok ? "" : ": \"", r.message, r.ok ? "" : "\"");
	if (r.ok)
		printf("# available %lld expiry %lld\n",
		    (long long)r.available, (long long)r.expiry);
}

static void
step_balance(uint8_t client, long long want)
{
	struct gw_client_id	 id;
	struct gw_bandwidth	 b;
	struct imsg		 imsg;

	memset(&id, client, sizeof(id));
	imsg_compose(&store, IMSG_BANDWIDTH_GET, 1, -1, &id, sizeof(id));
	imsgbuf_flush(&store);
	if (fm_next(&store, &imsg, 10000) != 1 ||
	    imsg_get_exact(&imsg, &b, sizeof(b)) == -1) {
		say(0, "balance of client %u: no answer", client);
		return;
	}
	imsg_free(&imsg);
	say(b.available == want, "client %u holds %lld bytes (want %lld)",
	    client, (long long)b.available, want);
}

/* N tickets sent at once; their answers counted by result. */
static void
step_flood(const char *who, uint8_t addr, uint32_t n)
{
	struct gw_cred_result	 r;
	struct imsg		 imsg;
	uint32_t		 first = reqid, i, got = 0;
	unsigned		 count[sizeof(err_names) / sizeof(err_names[0])];
	/* Fresh serials per address: runs share the spent list. */
	uint32_t		 serial = 100000 + (uint32_t)addr * 10000;

	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++)
		send_ticket(strcmp(who, "-") == 0 ? (uint8_t)(100 + i) :
		    (uint8_t)atoi(who), addr, serial++, reqid++, 0);
	imsgbuf_flush(&clientd);
	while (got < n) {
		if (fm_next(&clientd, &imsg, 30000) != 1)
			break;
		if (imsg.hdr.type == IMSG_CRED_RESULT && imsg.hdr.peerid >=
		    first && imsg.hdr.peerid < first + n &&
		    imsg_get_exact(&imsg, &r, sizeof(r)) == 0 &&
		    r.error >= 0 && (size_t)r.error < sizeof(err_names) /
		    sizeof(err_names[0])) {
			count[r.error]++;
			got++;
		}
		imsg_free(&imsg);
	}
	for (i = 0; i < sizeof(err_names) / sizeof(err_names[0]); i++)
		if (count[i] > 0)
			printf("# flood: %s %u\n", err_names[i], count[i]);
	say(got == n, "flood of %u tickets: %u answered", n, got);
}

static void
step_notify(uint8_t client, long long want, int secs, int expect)
{
	struct gw_cred_balance	 r;
	struct imsg		 imsg;
	time_t			 end = time(NULL) + secs;

	while (time(NULL) < end) {
		if (fm_next(&clientd, &imsg, 500) != 1)
			continue;
		if (imsg.hdr.type != IMSG_CRED_BALANCE ||
		    imsg_get_exact(&imsg, &r, sizeof(r)) == -1) {
			imsg_free(&imsg);
			continue;
		}
		imsg_free(&imsg);
		if (expect && r.client[0] != client)
			continue;
		say(expect && r.available == want, "client %u told its "
		    "balance %lld (want %s%lld)", client,
		    (long long)r.available, expect ? "" : "no notice, ", want);
		return;
	}
	say(!expect, "%s balance notice in %d s", expect ? "no" :
	    "no unexpected", secs);
}

static void
step_topology(uint32_t want)
{
	struct gw_topology_end	 end;
	struct imsg		 imsg;
	uint32_t		 nodes = 0;

	for (;;) {
		if (fm_next(&mixd, &imsg, 20000) != 1) {
			say(0, "mixd got no topology");
			return;
		}
		if (imsg.hdr.type == IMSG_TOPOLOGY_BEGIN)
			nodes = 0;
		else if (imsg.hdr.type == IMSG_TOPOLOGY_NODE &&
		    imsg.datalen == sizeof(struct gw_topology_node))
			nodes++;
		else if (imsg.hdr.type == IMSG_TOPOLOGY_END &&
		    imsg_get_exact(&imsg, &end, sizeof(end)) == 0) {
			imsg_free(&imsg);
			break;
		}
		imsg_free(&imsg);
	}
	say(end.count == want && nodes == want, "mixd got a topology of %u "
	    "node addresses (want %u)", nodes, want);
}

static void
step_jwt(const char *tok, const char *expect)
{
	uint8_t			*buf;
	struct gw_cred_req	*req;
	struct gw_cred_result	 r;
	struct imsg		 imsg;
	size_t			 len = strlen(tok);
	uint32_t		 id = reqid++;
	int			 good;

	buf = calloc(1, sizeof(*req) + len);
	if (buf == NULL)
		exit(1);
	req = (struct gw_cred_req *)buf;
	memset(req->client, 7, sizeof(req->client));
	req->kind = CRED_UPGRADE_JWT;
	memcpy(buf + sizeof(*req), tok, len);
	imsg_compose(&clientd, IMSG_CRED_VERIFY, id, -1, buf,
	    sizeof(*req) + len);
	imsgbuf_flush(&clientd);
	free(buf);
	for (;;) {
		if (fm_next(&clientd, &imsg, 20000) != 1) {
			say(0, "jwt: no answer from credd");
			return;
		}
		if (imsg.hdr.type == IMSG_CRED_RESULT && imsg.hdr.peerid == id)
			break;
		note_upgrade(&imsg);
		imsg_free(&imsg);
	}
	if (imsg_get_exact(&imsg, &r, sizeof(r)) == -1) {
		say(0, "jwt: bad CRED_RESULT");
		return;
	}
	imsg_free(&imsg);
	r.message[sizeof(r.message) - 1] = '\0';
	good = strcmp(expect, "ok") == 0 ? r.ok && r.available ==
	    GW_UPGRADE_BANDWIDTH : !r.ok && strstr(r.message, expect) != NULL;
	say(good, "upgradeModeJWT: %s \"%s\" (want %s)", r.ok ? "accepted" :
	    "refused", r.message, expect);
}

static void
step_upgrade(const char *state, int secs)
{
	struct gw_upgrade_mode	 m;
	struct imsg		 imsg;
	time_t			 end = time(NULL) + secs;
	int			 want = strcmp(state, "on") == 0;

	if (upgrade_seen == want) {
		upgrade_seen = -1;
		say(1, "credd told clientd: upgrade mode %s", state);
		return;
	}
	while (time(NULL) < end) {
		if (fm_next(&clientd, &imsg, 500) != 1)
			continue;
		if (imsg.hdr.type != IMSG_UPGRADE_MODE ||
		    imsg_get_exact(&imsg, &m, sizeof(m)) == -1) {
			imsg_free(&imsg);
			continue;
		}
		imsg_free(&imsg);
		if (m.on == want) {
			say(1, "credd told clientd: upgrade mode %s", state);
			return;
		}
	}
	say(0, "credd did not tell clientd upgrade mode %s in %d s", state,
	    secs);
}

static void
step_ticket_file(const char *path)
{
	FILE	*f;

	file_ticket_len = 0;
	if (strcmp(path, "-") == 0)
		return;
	if ((f = fopen(path, "rb")) == NULL) {
		say(0, "ticket-file %s", path);
		return;
	}
	file_ticket_len = fread(file_ticket, 1, sizeof(file_ticket), f);
	fclose(f);
}

static void
step_write_ticket(const char *path, uint32_t seed, const char *id58)
{
	uint8_t	 buf[4096], saved[32];
	size_t	 len;
	FILE	*fp;

	memcpy(saved, ticket_provider, sizeof(saved));
	if (base58_decode(id58, ticket_provider, sizeof(ticket_provider)) !=
	    (int)sizeof(ticket_provider)) {
		say(0, "write-ticket: bad identity %s", id58);
		return;
	}
	len = make_ticket(buf, seed);
	memcpy(ticket_provider, saved, sizeof(saved));
	if ((fp = fopen(path, "w")) == NULL ||
	    fwrite(buf, 1, len, fp) != len || fclose(fp) != 0) {
		say(0, "write-ticket %s: %s", path, strerror(errno));
		return;
	}
	printf("# wrote a %zu-byte ticket to %s\n", len, path);
}

int
main(int argc, char *argv[])
{
	int	 i;

	memcpy(ticket_provider, TEST_IDENTITY, sizeof(ticket_provider));
	if (argc < 4) {
		fprintf(stderr, "usage: tool_credd BIN DATADIR URLS step...\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	bin = argv[1];
	datadir = argv[2];
	urls = argv[3];
	for (i = 4; i < argc; i++) {
		const char *s = argv[i];

		if (strcmp(s, "start") == 0 || strcmp(s, "start-free") == 0)
			start(strcmp(s, "start") == 0);
		else if (strcmp(s, "stop") == 0 && running)
			stop();
		else if (strcmp(s, "ticket") == 0 && i + 3 < argc) {
			step_ticket((uint8_t)atoi(argv[i + 1]),
			    (uint32_t)atoi(argv[i + 2]), argv[i + 3]);
			i += 3;
		} else if (strcmp(s, "balance") == 0 && i + 2 < argc) {
			step_balance((uint8_t)atoi(argv[i + 1]),
			    atoll(argv[i + 2]));
			i += 2;
		} else if (strcmp(s, "notify") == 0 && i + 2 < argc) {
			step_notify((uint8_t)atoi(argv[i + 1]),
			    atoll(argv[i + 2]), 15, 1);
			i += 2;
		} else if (strcmp(s, "nonotify") == 0 && i + 1 < argc) {
			step_notify(0, 0, atoi(argv[i + 1]), 0);
			i += 1;
		} else if (strcmp(s, "flood") == 0 && i + 3 < argc) {
			step_flood(argv[i + 1], (uint8_t)atoi(argv[i + 2]),
			    (uint32_t)atoi(argv[i + 3]));
			i += 3;
		} else if (strcmp(s, "epoch") == 0 && i + 1 < argc) {
			ticket_epoch = strtoull(argv[++i], NULL, 10);
		} else if (strcmp(s, "provider") == 0 && i + 1 < argc) {
			other_provider = strcmp(argv[++i], "other") == 0;
		} else if (strcmp(s, "payinfo") == 0 && i + 1 < argc) {
			fixed_payinfo = strcmp(argv[++i], "fixed") == 0;
		} else if (strcmp(s, "ticket-file") == 0 && i + 1 < argc) {
			step_ticket_file(argv[++i]);
		} else if (strcmp(s, "write-ticket") == 0 && i + 3 < argc) {
			step_write_ticket(argv[i + 1],
			    (uint32_t)atoi(argv[i + 2]), argv[i + 3]);
			i += 3;
		} else if (strcmp(s, "exec") == 0 && i + 1 < argc) {
			if (system(argv[++i]) != 0)
				say(0, "exec %s", argv[i]);
		} else if (strcmp(s, "jwt") == 0 && i + 2 < argc) {
			step_jwt(argv[i + 1], argv[i + 2]);
			i += 2;
		} else if (strcmp(s, "upgrade") == 0 && i + 2 < argc) {
			step_upgrade(argv[i + 1], atoi(argv[i + 2]));
			i += 2;
		} else if (strcmp(s, "topology") == 0 && i + 1 < argc) {
			step_topology((uint32_t)atoi(argv[i + 1]));
			i += 1;
		} else {
			fprintf(stderr, "tool_credd: bad step %s\n", s);
			return 2;
		}
	}
	if (running)
		stop();
	return failed ? 1 : 0;
}
