/*
 * A stand-in master for one storaged, for durability tests:
 *
 *   tool_storaged BIN DATADIR crash N CLIENTS
 *	register CLIENTS clients, stream N messages over them as
 *	"clientd", kill -9 storaged half-way with stores in flight,
 *	restart it, drain every inbox and check that each acknowledged
 *	message is there exactly once; a message for a client never
 *	registered is refused and never stored
 *   tool_storaged BIN DATADIR full MAPSIZE
 *	fill a small map: stores are refused with DB_FULL, storaged lives
 *   tool_storaged BIN DATADIR open
 *	start storaged and report whether it came up (corrupt-file test)
 *
 * Prints testlib lines.  As root it prepares DATADIR as gatewayd does
 * (db/ owned by _gatewayd-db) and storaged chroots there.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fakemaster.h"
#include "gw_imsg.h"
#include "imsg.h"
#include "testlib.h"

#define MSG_LEN		2048

struct child {
	struct fm_child	 fm;		/* pid, our end of its fd 3 */
	struct imsgbuf	 clientd;	/* we play clientd */
};

static const char	*bin, *datadir;
static uint64_t		 mapsize = 64ULL << 20;

static void
die(const char *what)
{
	printf("not ok - tool_storaged: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void
prepare_dir(void)
{
	char		 db[4096];
	struct passwd	*pw;

	snprintf(db, sizeof(db), "%s/db", datadir);
	mkdir(datadir, 0755);
	mkdir(db, 0700);
	if (geteuid() == 0) {
		if ((pw = getpwnam("_gatewayd-db")) == NULL)
			die("no user _gatewayd-db");
		if (chown(db, pw->pw_uid, pw->pw_gid) == -1)
			die("chown");
	}
}

/* A channel to storaged on which we play proc; our end into mine. */
static void
send_peer(struct fm_child *c, struct imsgbuf *mine, uint32_t proc)
{
	int	 sv[2];

	fm_pair(sv);
	fm_give_peer(c, proc, sv[1]);
	imsgbuf_init(mine, sv[0], GW_IMSG_MAXSIZE, 0);
}

static int
start(struct child *c)
{
	struct gw_conf_storaged	 conf;
	int			 root = geteuid() == 0;

	memset(c, 0, sizeof(*c));
	fm_spawn(&c->fm, bin, "storaged");
	send_peer(&c->fm, &c->clientd, PROC_CLIENTD);
	memset(&conf, 0, sizeof(conf));
	snprintf(conf.c.user, sizeof(conf.c.user), "_gatewayd-db");
	snprintf(conf.c.chroot_dir, sizeof(conf.c.chroot_dir), "%s",
	    root ? datadir : "");
	snprintf(conf.data_dir, sizeof(conf.data_dir), "%s",
	    root ? "/" : datadir);
	snprintf(conf.data_dir_shown, sizeof(conf.data_dir_shown), "%s",
	    datadir);
	conf.map_size = mapsize;
	conf.inbox_retention_s = 86400;
	conf.inbox_max_messages = 1000000;
	conf.commit_interval_ms = 5;
	conf.commit_batch = 256;
	imsg_compose(&c->fm.master, IMSG_CONF_STORAGED, 0, -1, &conf,
	    sizeof(conf));
	if (fm_ready(&c->fm, 10000) == -1)
		return -1;
	imsg_compose(&c->fm.master, IMSG_START, 0, -1, NULL, 0);
	imsgbuf_flush(&c->fm.master);
	return 0;
}

static void
stop(struct child *c, int sig)
{
	int	 st;

	/* Like the master: an orderly stop is the channel closing. */
	if (sig == SIGTERM)
		close(c->fm.master.fd);
	else
		kill(c->fm.pid, sig);
	waitpid(c->fm.pid, &st, 0);
	if (sig != SIGTERM)
		close(c->fm.master.fd);
	close(c->clientd.fd);
	imsgbuf_clear(&c->fm.master);
	imsgbuf_clear(&c->clientd);
}

static void
client_id(uint8_t id[GW_CLIENT_ID_LEN], uint32_t n)
{
	memset(id, 0xc0, GW_CLIENT_ID_LEN);
	memcpy(id, &n, sizeof(n));
}

static int
store(struct child *c, uint32_t client, uint32_t msgno)
{
	uint8_t			 buf[sizeof(struct gw_store_msg) + MSG_LEN];
	struct gw_store_msg	 hdr;

	memset(buf, (int)(msgno & 0xff), sizeof(buf));
	memset(&hdr, 0, sizeof(hdr));
	client_id(hdr.client, client);
	hdr.tag = (uint64_t)msgno << 8 | 0x5a;
	memcpy(buf, &hdr, sizeof(hdr));
	memcpy(buf + sizeof(struct gw_store_msg), &msgno, sizeof(msgno));
	return imsg_compose(&c->clientd, IMSG_STORE_MESSAGE, msgno, -1, buf,
	    sizeof(buf));
}

/* Register clients [first, first + n) and wait for each commit. */
static int
register_clients(struct child *c, uint32_t first, uint32_t n)
{
	struct gw_client_key	 k;
	struct gw_client_result	 r;
	struct imsg		 imsg;
	uint32_t		 i;

	for (i = first; i < first + n; i++) {
		memset(&k, 0, sizeof(k));
		client_id(k.client, i);
		memset(k.key, 0x11, sizeof(k.key));
		imsg_compose(&c->clientd, IMSG_CLIENT_REGISTER, i, -1, &k,
		    sizeof(k));
	}
	imsgbuf_flush(&c->clientd);
	for (i = 0; i < n; i++)
		if (fm_next(&c->clientd, &imsg, 10000) != 1 ||
		    imsg.hdr.type != IMSG_CLIENT_RESULT ||
		    imsg_get_exact(&imsg, &r, sizeof(r)) == -1 || !r.ok)
			return -1;
	return 0;
}

/* Drain one client's inbox; marks seen[msgno]; returns count or -1. */
static int
drain(struct child *c, uint32_t client, uint8_t *seen, uint32_t n,
    int *dups, int delete)
{
	struct gw_inbox_fetch	 f;
	struct imsg		 imsg;
	uint64_t		 seqs[GW_INBOX_FETCH_MAX];
	int			 total = 0, more = 1;

	memset(&f, 0, sizeof(f));
	client_id(f.client, client);
	f.max = 100;
	while (more) {
		uint32_t got = 0;

		imsg_compose(&c->clientd, IMSG_INBOX_FETCH, 7, -1, &f,
		    sizeof(f));
		imsgbuf_flush(&c->clientd);
		for (;;) {
			if (fm_next(&c->clientd, &imsg, 10000) != 1)
				return -1;
			if (imsg.hdr.type == IMSG_INBOX_END) {
				struct gw_inbox_end e;
				if (imsg_get_exact(&imsg, &e, sizeof(e)) == -1)
					return -1;
				more = e.more;
				break;
			}
			if (imsg.hdr.type != IMSG_INBOX_MESSAGE ||
			    imsg.datalen != sizeof(struct gw_inbox_msg) +
			    MSG_LEN)
				return -1;
			{
				struct gw_inbox_msg m;
				uint32_t msgno;
				memcpy(&m, imsg.data, sizeof(m));
				memcpy(&msgno, imsg.data + sizeof(m),
				    sizeof(msgno));
				if (msgno >= n)
					return -1;
				if (seen[msgno])
					(*dups)++;
				seen[msgno] = 1;
				f.after_seq = m.seq;
				seqs[got++] = m.seq;
			}
		}
		total += (int)got;
		if (delete && got > 0) {
			uint8_t dbuf[sizeof(struct gw_inbox_delete) +
			    sizeof(seqs)];
			struct gw_inbox_delete d;
			client_id(d.client, client);
			d.n = got;
			memcpy(dbuf, &d, sizeof(d));
			memcpy(dbuf + sizeof(d), seqs, got * sizeof(uint64_t));
			imsg_compose(&c->clientd, IMSG_INBOX_DELETE, 0, -1,
			    dbuf, sizeof(d) + got * sizeof(uint64_t));
		}
	}
	return total;
}

/* A write that needs a commit: its reply proves earlier deletes landed. */
static int
barrier(struct child *c)
{
	struct gw_bandwidth_adjust	 a;
	struct imsg			 imsg;

	memset(&a, 0, sizeof(a));
	a.delta = 1;
	imsg_compose(&c->clientd, IMSG_BANDWIDTH_ADJUST, 9, -1, &a, sizeof(a));
	imsgbuf_flush(&c->clientd);
	return fm_next(&c->clientd, &imsg, 10000) == 1 &&
	    imsg.hdr.type == IMSG_BANDWIDTH_RESULT ? 0 : -1;
}

/* Mail for a client never registered: refused, never stored. */
static void
unregistered_test(struct child *c, uint32_t stranger)
{
	struct gw_store_result	 r;
	struct imsg		 imsg;
	uint8_t			*seen = calloc(4, 1);
	int			 dups = 0, got, i, refused = 0;

	for (i = 0; i < 3; i++)
		store(c, stranger, (uint32_t)i);
	imsgbuf_flush(&c->clientd);
	for (i = 0; i < 3; i++)
		if (fm_next(&c->clientd, &imsg, 10000) == 1 &&
		    imsg.hdr.type == IMSG_STORE_RESULT &&
		    imsg_get_exact(&imsg, &r, sizeof(r)) == 0 && !r.ok &&
		    r.reason == STORE_FAIL_UNREGISTERED &&
		    r.tag == ((uint64_t)i << 8 | 0x5a))
			refused++;
	got = drain(c, stranger, seen, 4, &dups, 0);
	T_BEGIN("mail for a client never registered is refused, not stored");
	CHECKF(refused == 3, "%d of 3 refused as unregistered", refused);
	CHECKF(got == 0, "%d stored", got);
	T_END();
	free(seen);
}

static int
crash_test(uint32_t n, uint32_t nclients)
{
	struct child	 c;
	struct imsg	 imsg;
	uint8_t		*acked = calloc(n, 1), *seen = calloc(n, 1);
	uint32_t	 sent = 0, nacked = 0, i, lost = 0, unacked_seen = 0;
	int		 dups = 0, total = 0, killed = 0;

	if (acked == NULL || seen == NULL || start(&c) == -1)
		die("start storaged");
	if (register_clients(&c, 0, nclients) == -1)
		die("register clients");
	unregistered_test(&c, nclients);
	fcntl(c.clientd.fd, F_SETFL, O_NONBLOCK);
	while (!killed) {
		struct pollfd pfd = { .fd = c.clientd.fd, .events = POLLIN };

		/* Keep a window of stores in flight. */
		while (sent < n && sent - nacked < 2000)
			store(&c, sent % nclients, sent), sent++;
		if (imsgbuf_write(&c.clientd) == -1)
			die("write");
		if (poll(&pfd, 1, 50) > 0 && imsgbuf_read(&c.clientd) <= 0)
			die("read");
		while (imsg_get(&c.clientd, &imsg) == 1) {
			struct gw_store_result r;
			if (imsg.hdr.type != IMSG_STORE_RESULT ||
			    imsg_get_exact(&imsg, &r, sizeof(r)) == -1 ||
			    imsg.hdr.peerid >= n ||
			    r.tag != ((uint64_t)imsg.hdr.peerid << 8 | 0x5a))
				die("bad store result");
			if (r.ok) {
				acked[imsg.hdr.peerid] = 1;
				nacked++;
			}
		}
		if (nacked >= n / 2) {
			stop(&c, SIGKILL);	/* stores in flight */
			killed = 1;
		}
	}
	printf("# sent %u, acknowledged %u before kill -9\n", sent, nacked);
	if (start(&c) == -1)
		die("restart storaged");
	for (i = 0; i < nclients; i++) {
		int got = drain(&c, i, seen, n, &dups, 1);
		if (got < 0)
			die("drain");
		total += got;
	}
	for (i = 0; i < n; i++) {
		if (acked[i] && !seen[i])
			lost++;
		if (!acked[i] && seen[i])
			unacked_seen++;
	}
	printf("# after restart: %d delivered (%u committed but unacked)\n",
	    total, unacked_seen);
	T_BEGIN("kill -9 storaged: no acknowledged message lost");
	CHECKF(lost == 0, "%u acknowledged messages lost", lost);
	T_END();
	T_BEGIN("kill -9 storaged: no message delivered twice");
	CHECKF(dups == 0, "%d duplicates", dups);
	T_END();
	T_BEGIN("kill -9 storaged: acknowledged before the kill");
	CHECKF(nacked > 0 && nacked < sent, "acked %u of %u sent", nacked,
	    sent);
	T_END();
	/* Deletes are durable too: after a committed barrier and another
	 * restart, every inbox is empty. */
	T_BEGIN("delivered messages stay deleted across a restart");
	CHECK(barrier(&c) == 0);
	stop(&c, SIGKILL);
	if (start(&c) == -1)
		die("restart storaged");
	memset(seen, 0, n);
	total = 0;
	for (i = 0; i < nclients; i++)
		total += drain(&c, i, seen, n, &dups, 0);
	CHECKF(total == 0, "%d messages came back", total);
	T_END();
	stop(&c, SIGTERM);
	free(acked);
	free(seen);
	return t_done();
}

static int
full_test(void)
{
	struct child	 c;
	struct imsg	 imsg;
	uint32_t	 i, ok = 0, full = 0;
	int		 more, dups = 0;
	uint8_t		 seen[1];

	if (start(&c) == -1)
		die("start storaged");
	if (register_clients(&c, 0, 2) == -1)
		die("register clients");
	for (i = 0; i < 4000 && full == 0; i++) {
		store(&c, 0, i);
		imsgbuf_flush(&c.clientd);
		if (fm_next(&c.clientd, &imsg, 10000) != 1)
			break;
		{
			struct gw_store_result r;
			if (imsg_get_exact(&imsg, &r, sizeof(r)) == -1)
				break;
			if (r.ok)
				ok++;
			else if (r.reason == STORE_FAIL_DB_FULL)
				full++;
		}
	}
	printf("# %u stored before the map filled\n", ok);
	T_BEGIN("a full map refuses stores with DB_FULL, no crash");
	CHECKF(full > 0 && ok > 0, "ok %u full %u", ok, full);
	CHECK(kill(c.fm.pid, 0) == 0);
	T_END();
	T_BEGIN("storaged still serves reads with a full map");
	(void)seen;
	(void)more;
	{
		uint8_t *s = calloc(4000, 1);
		int got = drain(&c, 0, s, 4000, &dups, 1);
		CHECKF(got == (int)ok, "drained %d, stored %u", got, ok);
		free(s);
	}
	CHECK(barrier(&c) == 0);
	T_END();
	T_BEGIN("after deletes a full map accepts stores again");
	store(&c, 1, 1);
	imsgbuf_flush(&c.clientd);
	{
		struct gw_store_result r;
		CHECK(fm_next(&c.clientd, &imsg, 10000) == 1 &&
		    imsg_get_exact(&imsg, &r, sizeof(r)) == 0 && r.ok == 1);
	}
	T_END();
	stop(&c, SIGTERM);
	return t_done();
}

int
main(int argc, char *argv[])
{
	struct child	 c;

	signal(SIGPIPE, SIG_IGN);
	if (argc < 4) {
		fprintf(stderr, "usage: tool_storaged bin datadir "
		    "crash N CLIENTS | full MAPSIZE | open\n");
		return 2;
	}
	bin = argv[1];
	datadir = argv[2];
	prepare_dir();
	if (strcmp(argv[3], "crash") == 0 && argc == 6)
		return crash_test((uint32_t)atoi(argv[4]),
		    (uint32_t)atoi(argv[5]));
	if (strcmp(argv[3], "full") == 0 && argc == 5) {
		mapsize = strtoull(argv[4], NULL, 10);
		return full_test();
	}
	if (strcmp(argv[3], "open") == 0) {
		if (start(&c) == -1) {
			int st;
			waitpid(c.fm.pid, &st, 0);
			imsgbuf_clear(&c.fm.master);
			imsgbuf_clear(&c.clientd);
			printf("storaged did not start: exit %d\n",
			    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
			return 1;
		}
		stop(&c, SIGTERM);
		printf("storaged started\n");
		return 0;
	}
	return 2;
}
