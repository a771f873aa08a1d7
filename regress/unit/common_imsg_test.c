/*
 * common/imsg.c and the libevent glue of common/proc.c over real
 * AF_UNIX SOCK_STREAM socketpairs: framing at every split point, partial
 * writes, size limits, EOF mid-message, exact-size payloads, descriptor
 * passing and the fd FIFO (ARCHITECTURE.md, Channels), fd hygiene.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "gw_imsg.h"
#include "imsg.h"
#include "proc.h"
#include "testlib.h"
#include "util.h"

/* Open descriptors of this process (the directory's own fd excluded). */
static int
count_fds(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		abort();
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

static void
mkpair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1 ||
	    gw_set_nonblock(sv[0]) == -1 || gw_set_nonblock(sv[1]) == -1)
		abort();
}

static void
mkpipe(int p[2])
{
	if (pipe(p) == -1 || gw_set_nonblock(p[0]) == -1)
		abort();
}

static void
closepair(int sv[2])
{
	close(sv[0]);
	close(sv[1]);
}

/* A header (len as given, fd mark and all) and payload at buf. */
static size_t
put_raw(uint8_t *buf, uint32_t type, uint32_t len, uint32_t peerid,
    uint32_t pid, const void *payload, size_t plen)
{
	struct imsg_hdr	 h;

	h.type = type;
	h.len = len;
	h.peerid = peerid;
	h.pid = pid;
	memcpy(buf, &h, sizeof(h));
	if (plen > 0)
		memcpy(buf + sizeof(h), payload, plen);
	return sizeof(h) + plen;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Send buf with one SCM_RIGHTS descriptor, bypassing the library. */
static int
send_with_fd(int sock, const void *buf, size_t len, int fd)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	}		 cm;
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*c;

	memset(&msg, 0, sizeof(msg));
	memset(&cm, 0, sizeof(cm));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cm.buf;
	msg.msg_controllen = sizeof(cm.buf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_len = CMSG_LEN(sizeof(int));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, 0) == (ssize_t)len ? 0 : -1;
}

/* Same pipe (both ends of a pipe share one inode)? */
static int
same_file(int a, int b)
{
	struct stat	 sa, sb;

	if (fstat(a, &sa) == -1 || fstat(b, &sb) == -1)
		return 0;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Write a byte through wfd and read it back from rfd. */
static int
through_pipe(int wfd, int rfd, char c)
{
	char	 got = 0;

	if (write(wfd, &c, 1) != 1 || read(rfd, &got, 1) != 1)
		return 0;
	return got == c;
}

/* The pipe's write ends are all closed: read says EOF, not EAGAIN. */
static int
pipe_at_eof(int rfd)
{
	char	 c;

	return read(rfd, &c, 1) == 0;
}

/* Deterministic payload of message i (its length from plen()). */
static size_t
plen(unsigned i)
{
	return (i * 7919u) % 4000u + (i % 5 == 0 ? 0 : 4);
}

static void
fill(unsigned i, uint8_t *buf, size_t len)
{
	size_t	 j;

	for (j = 0; j < len; j++)
		buf[j] = (uint8_t)(i * 31u + j * 7u + (j >> 8));
}

static int
payload_ok(unsigned i, const struct imsg *imsg)
{
	uint8_t	 want[4096];

	if (imsg->datalen != plen(i))
		return 0;
	fill(i, want, imsg->datalen);
	return imsg->datalen == 0 || memcmp(want, imsg->data,
	    imsg->datalen) == 0;
}

static void
test_round_trip(void)
{
	T_BEGIN("round trip: types, sizes, header fields, wire format");
	struct imsgbuf	 a, b;
	struct imsg	 m;
	struct iovec	 iov[3];
	int		 sv[2], n, got = 0;
	static uint8_t	 big[IMSG_MAXSIZE_DEFAULT], wire[128];
	uint8_t		 one = 0x5a, want[128];
	size_t		 i, wlen;
	ssize_t		 r;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i ^ (i >> 8));
	mkpair(sv);
	imsgbuf_init(&a, sv[0], 0, 0);
	imsgbuf_init(&b, sv[1], 0, 0);
	CHECK(a.maxsize == IMSG_MAXSIZE_DEFAULT);
	CHECK(imsg_compose(&a, IMSG_START, 7, -1, NULL, 0) == 0);
	CHECK(imsg_compose(&a, IMSG_CTL_RESULT, 0xdeadbeef, -1, &one, 1) == 0);
	CHECK(imsg_compose(&a, 1000, 0, -1, big, 1000) == 0);
	/* NULL data means no payload whatever the length says. */
	CHECK(imsg_compose(&a, IMSG_NONE, 1, -1, NULL, 99) == 0);
	/* The largest message, from three pieces. */
	iov[0].iov_base = big;
	iov[0].iov_len = 100;
	iov[1].iov_base = big + 100;
	iov[1].iov_len = 0;
	iov[2].iov_base = big + 100;
	iov[2].iov_len = IMSG_MAXSIZE_DEFAULT - IMSG_HDR_SIZE - 100;
	CHECK(imsg_composev(&a, IMSG_TYPE_MAX - 1, UINT32_MAX, -1, iov,
	    3) == 0);
	CHECK(imsgbuf_queued(&a) == 5 * IMSG_HDR_SIZE + 1 + 1000 +
	    IMSG_MAXSIZE_DEFAULT - IMSG_HDR_SIZE);
	CHECK(imsgbuf_flush(&a) == 0);
	CHECK(imsgbuf_queued(&a) == 0);

	while (got < 5) {
		n = imsgbuf_read(&b);
		if (n == -1 && errno == EAGAIN)
			continue;
		CHECKF(n == 1, "read %d errno %d", n, errno);
		if (n != 1)
			break;
		while ((n = imsg_get(&b, &m)) == 1) {
			CHECK(m.hdr.pid == (uint32_t)getpid());
			CHECK(m.hdr.len == IMSG_HDR_SIZE + m.datalen);
			CHECK(m.fd == -1);
			switch (got++) {
			case 0:
				CHECK(m.hdr.type == IMSG_START);
				CHECK(m.hdr.peerid == 7);
				CHECK(m.datalen == 0);
				break;
			case 1:
				CHECK(m.hdr.type == IMSG_CTL_RESULT);
				CHECK(m.hdr.peerid == 0xdeadbeef);
				CHECK(m.datalen == 1 && m.data[0] == 0x5a);
				break;
			case 2:
				CHECK(m.hdr.type == 1000 && m.hdr.peerid == 0);
				CHECK(m.datalen == 1000 &&
				    memcmp(m.data, big, 1000) == 0);
				break;
			case 3:
				CHECK(m.hdr.type == IMSG_NONE);
				CHECK(m.datalen == 0);
				break;
			case 4:
				CHECK(m.hdr.type == IMSG_TYPE_MAX - 1);
				CHECK(m.hdr.peerid == UINT32_MAX);
				CHECK(m.datalen == IMSG_MAXSIZE_DEFAULT -
				    IMSG_HDR_SIZE);
				CHECK(memcmp(m.data, big, m.datalen) == 0);
				break;
			}
			imsg_free(&m);
		}
		CHECK(n == 0);
	}
	CHECK(got == 5);
	CHECK(imsg_get(&b, &m) == 0);

	/* The bytes on the wire are exactly the documented header. */
	CHECK(imsg_compose(&a, 77, 0x01020304, -1, "hello", 5) == 0);
	CHECK(imsgbuf_flush(&a) == 0);
	r = read(sv[1], wire, sizeof(wire));
	wlen = put_raw(want, 77, 21, 0x01020304, (uint32_t)getpid(),
	    "hello", 5);
	CHECK(r == (ssize_t)wlen && memcmp(wire, want, wlen) == 0);

	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	closepair(sv);
	T_END();
}

/* Messages of the byte-at-a-time stream: payload lengths. */
static const size_t split_lens[] = { 0, 5, 1, 300, 16, 0, 2 };

static size_t
build_stream(uint8_t *buf, size_t *ends)
{
	uint8_t	 p[300];
	size_t	 i, off = 0;

	for (i = 0; i < nitems(split_lens); i++) {
		fill((unsigned)i, p, split_lens[i]);
		off += put_raw(buf + off, 10 + (uint32_t)i,
		    (uint32_t)(IMSG_HDR_SIZE + split_lens[i]), (uint32_t)i,
		    4242, p, split_lens[i]);
		ends[i] = off;
	}
	return off;
}

static int
split_msg_ok(unsigned i, const struct imsg *m)
{
	uint8_t	 p[300];

	fill(i, p, split_lens[i]);
	return m->hdr.type == 10 + i && m->hdr.peerid == i &&
	    m->hdr.pid == 4242 && m->fd == -1 &&
	    m->datalen == split_lens[i] &&
	    (m->datalen == 0 || memcmp(m->data, p, m->datalen) == 0);
}

static void
test_partial_reads(void)
{
	T_BEGIN("partial reads: one byte at a time, never early, all intact");
	struct imsgbuf	 b;
	struct imsg	 m;
	uint8_t		 stream[1024];
	size_t		 ends[nitems(split_lens)], len, pos, expect;
	unsigned	 got = 0;
	int		 sv[2], n;

	len = build_stream(stream, ends);
	mkpair(sv);
	imsgbuf_init(&b, sv[1], 0, 1);
	for (pos = 0; pos < len; pos++) {
		CHECK(write(sv[0], stream + pos, 1) == 1);
		CHECK(imsgbuf_read(&b) == 1);
		/* Nothing more may be pending in the socket. */
		CHECK(imsgbuf_read(&b) == -1 && errno == EAGAIN);
		while ((n = imsg_get(&b, &m)) == 1) {
			CHECKF(got < nitems(split_lens) &&
			    ends[got] <= pos + 1,
			    "message %u complete after %zu bytes", got,
			    pos + 1);
			CHECKF(split_msg_ok(got, &m), "message %u", got);
			got++;
		}
		CHECK(n == 0);
		for (expect = 0; expect < nitems(split_lens) &&
		    ends[expect] <= pos + 1; expect++)
			;
		CHECKF(got == expect, "after %zu bytes: %u messages, want "
		    "%zu", pos + 1, got, expect);
	}
	CHECK(got == nitems(split_lens));
	imsgbuf_clear(&b);
	closepair(sv);
	T_END();

	T_BEGIN("partial reads: every split point of a 2-message stream");
	struct imsgbuf	 b;
	struct imsg	 m;
	uint8_t		 stream[64];
	size_t		 e1, len, k;
	unsigned	 got;
	int		 sv[2], n, fails = 0;
	uint8_t		 p1[5] = { 1, 2, 3, 4, 5 }, p2[9] = "abcdefgh";

	e1 = put_raw(stream, 1, IMSG_HDR_SIZE + 5, 11, 9, p1, 5);
	len = e1 + put_raw(stream + e1, 2, IMSG_HDR_SIZE + 9, 22, 9, p2, 9);
	for (k = 1; k < len; k++) {
		mkpair(sv);
		imsgbuf_init(&b, sv[1], 0, 0);
		got = 0;
		CHECK(write_all(sv[0], stream, k) == 0);
		CHECK(imsgbuf_read(&b) == 1);
		while ((n = imsg_get(&b, &m)) == 1) {
			if (got == 0)
				CHECK(m.hdr.type == 1 && m.hdr.peerid == 11 &&
				    m.datalen == 5 &&
				    memcmp(m.data, p1, 5) == 0);
			got++;
		}
		CHECK(n == 0);
		if (got != (k >= e1 ? 1u : 0u))
			fails++;
		CHECK(write_all(sv[0], stream + k, len - k) == 0);
		CHECK(imsgbuf_read(&b) == 1);
		while ((n = imsg_get(&b, &m)) == 1) {
			if (got == 0)
				CHECK(m.hdr.type == 1 && m.datalen == 5 &&
				    memcmp(m.data, p1, 5) == 0);
			else
				CHECK(m.hdr.type == 2 && m.hdr.peerid == 22 &&
				    m.datalen == 9 &&
				    memcmp(m.data, p2, 9) == 0);
			got++;
		}
		CHECK(n == 0);
		if (got != 2)
			fails++;
		imsgbuf_clear(&b);
		closepair(sv);
	}
	CHECKF(fails == 0, "%d split points went wrong", fails);
	T_END();
}

#define PW_TOTAL	(2 * 1024 * 1024)
#define PW_NFD		12

static void
test_partial_writes(void)
{
	T_BEGIN("partial writes: 2 MB through a small buffer, in order, "
	    "fds on their messages");
	struct imsgbuf	 a, b;
	struct imsg	 m;
	uint8_t		*buf = xmalloc(4096);
	unsigned	 nmsgs = 0, got = 0, i, k, fdmsg[PW_NFD];
	int		 sv[2], pipes[PW_NFD][2], small = 4096, rv, n;
	int		 fd0, zeros = 0, partial = 0, spins = 0, bad = 0;
	size_t		 total = 0, before;

	fd0 = count_fds();
	mkpair(sv);
	CHECK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &small,
	    sizeof(small)) == 0);
	CHECK(setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &small,
	    sizeof(small)) == 0);
	imsgbuf_init(&a, sv[0], 0, 1);
	imsgbuf_init(&b, sv[1], 0, 1);
	for (i = 0; total < PW_TOTAL; i++) {
		total += IMSG_HDR_SIZE + plen(i);
		nmsgs++;
	}
	for (k = 0; k < PW_NFD; k++) {
		fdmsg[k] = k * (nmsgs / PW_NFD) + 3;
		mkpipe(pipes[k]);
	}
	for (i = 0, k = 0; i < nmsgs; i++) {
		int fd = -1;

		if (k < PW_NFD && fdmsg[k] == i)
			fd = pipes[k++][1];
		fill(i, buf, plen(i));
		CHECK(imsg_compose(&a, fd == -1 ? 100 : 101, i, fd, buf,
		    plen(i)) == 0);
	}
	CHECK(imsgbuf_queued(&a) == total);
	while (got < nmsgs && spins++ < 1000000) {
		before = imsgbuf_queued(&a);
		rv = imsgbuf_write(&a);
		CHECKF(rv != -1, "write: %s", strerror(errno));
		if (rv == -1)
			break;
		if (rv == 0) {
			zeros++;
			if (imsgbuf_queued(&a) < before)
				partial++;
		}
		for (;;) {
			n = imsgbuf_read(&b);
			if (n == -1 && errno == EAGAIN)
				break;
			CHECKF(n == 1, "read %d: %s", n, strerror(errno));
			if (n != 1)
				goto out;
			while ((n = imsg_get(&b, &m)) == 1) {
				for (k = 0; k < PW_NFD; k++)
					if (fdmsg[k] == got)
						break;
				if (m.hdr.peerid != got ||
				    m.hdr.type != (k < PW_NFD ? 101u : 100u) ||
				    !payload_ok(got, &m))
					bad++;
				if (k < PW_NFD) {
					if (m.fd == -1 ||
					    !same_file(m.fd, pipes[k][0]) ||
					    !through_pipe(m.fd, pipes[k][0],
					    (char)('a' + k)))
						bad++;
				} else if (m.fd != -1)
					bad++;
				imsg_free(&m);
				got++;
			}
			CHECK(n == 0);
		}
	}
 out:
	CHECKF(got == nmsgs && bad == 0, "%u of %u messages, %d bad", got,
	    nmsgs, bad);
	CHECK(imsgbuf_queued(&a) == 0);
	CHECKF(zeros > 0 && partial > 0, "%d EAGAIN returns, %d partial",
	    zeros, partial);
	/* The library closed its copy of every fd once sent. */
	for (k = 0; k < PW_NFD; k++) {
		CHECKF(pipe_at_eof(pipes[k][0]), "pipe %u still open", k);
		close(pipes[k][0]);
	}
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	closepair(sv);
	free(buf);
	CHECK(count_fds() == fd0);
	T_END();
}

static void
test_oversized(void)
{
	static uint8_t	 p[4096];

	T_BEGIN("oversized: compose refuses payload over maxsize (ERANGE)");
	struct imsgbuf	 a;
	struct iovec	 iov[2];
	int		 sv[2];

	mkpair(sv);
	imsgbuf_init(&a, sv[0], 4096, 1);
	errno = 0;
	CHECK(imsg_compose(&a, 1, 0, -1, p, 4096 - IMSG_HDR_SIZE + 1) == -1 &&
	    errno == ERANGE);
	CHECK(imsgbuf_queued(&a) == 0);
	iov[0].iov_base = p;
	iov[0].iov_len = 4000;
	iov[1].iov_base = p;
	iov[1].iov_len = 81;
	errno = 0;
	CHECK(imsg_composev(&a, 1, 0, -1, iov, 2) == -1 && errno == ERANGE);
	CHECK(imsgbuf_queued(&a) == 0);
	CHECK(imsg_compose(&a, 1, 0, -1, p, 4096 - IMSG_HDR_SIZE) == 0);
	CHECK(imsgbuf_queued(&a) == 4096);
	imsgbuf_clear(&a);
	closepair(sv);
	T_END();

	static const struct {
		const char	*name;
		uint32_t	 len;
	} bad[] = {
		{ "len maxsize+1", 4097 },
		{ "len 2^31-1", 0x7fffffffu },
		{ "len maxsize+1 with fd mark", IMSG_FD_MARK | 4097 },
		{ "len 15", 15 },
		{ "len 0", 0 },
		{ "len 0 with fd mark", IMSG_FD_MARK },
	};
	size_t		 i;

	for (i = 0; i < nitems(bad); i++) {
		char	 name[80];

		snprintf(name, sizeof(name), "oversized: header %s: imsg_get "
		    "ERANGE", bad[i].name);
		T_BEGIN(name);
		struct imsgbuf	 b;
		struct imsg	 m;
		uint8_t		 raw[IMSG_HDR_SIZE];
		int		 sv[2];

		mkpair(sv);
		imsgbuf_init(&b, sv[1], 4096, 1);
		put_raw(raw, 1, bad[i].len, 0, 0, NULL, 0);
		/* Fifteen bytes are not a header yet: no verdict. */
		CHECK(write(sv[0], raw, IMSG_HDR_SIZE - 1) ==
		    IMSG_HDR_SIZE - 1);
		CHECK(imsgbuf_read(&b) == 1);
		CHECK(imsg_get(&b, &m) == 0);
		CHECK(write(sv[0], raw + IMSG_HDR_SIZE - 1, 1) == 1);
		CHECK(imsgbuf_read(&b) == 1);
		errno = 0;
		CHECK(imsg_get(&b, &m) == -1 && errno == ERANGE);
		/* And it stays an error. */
		errno = 0;
		CHECK(imsg_get(&b, &m) == -1 && errno == ERANGE);
		imsgbuf_clear(&b);
		closepair(sv);
		T_END();
	}

	T_BEGIN("oversized: len exactly maxsize and exactly 16 accepted");
	struct imsgbuf	 b;
	struct imsg	 m;
	static uint8_t	 raw[4096 + IMSG_HDR_SIZE];
	int		 sv[2];
	size_t		 n;

	mkpair(sv);
	imsgbuf_init(&b, sv[1], 4096, 0);
	n = put_raw(raw, 3, 4096, 0, 0, p, 4096 - IMSG_HDR_SIZE);
	n += put_raw(raw + n, 4, IMSG_HDR_SIZE, 0, 0, NULL, 0);
	CHECK(write_all(sv[0], raw, n) == 0);
	CHECK(imsgbuf_read(&b) == 1);
	CHECK(imsg_get(&b, &m) == 1 && m.hdr.type == 3 &&
	    m.datalen == 4096 - IMSG_HDR_SIZE);
	CHECK(imsg_get(&b, &m) == 1 && m.hdr.type == 4 && m.datalen == 0);
	CHECK(imsg_get(&b, &m) == 0);
	imsgbuf_clear(&b);
	closepair(sv);
	T_END();
}

static void
test_truncated(void)
{
	T_BEGIN("truncated: 50 of 100 bytes then EOF: no message");
	struct imsgbuf	 b;
	struct imsg	 m;
	uint8_t		 raw[100];
	int		 sv[2];

	memset(raw, 'x', sizeof(raw));
	mkpair(sv);
	imsgbuf_init(&b, sv[1], 0, 1);
	put_raw(raw, 5, 100, 1, 2, NULL, 0);
	CHECK(write(sv[0], raw, 50) == 50);
	close(sv[0]);
	CHECK(imsgbuf_read(&b) == 1);
	CHECK(imsg_get(&b, &m) == 0);
	CHECK(imsgbuf_read(&b) == 0);
	CHECK(imsg_get(&b, &m) == 0);
	CHECK(imsgbuf_read(&b) == 0);
	imsgbuf_clear(&b);
	close(sv[1]);
	T_END();
}

static void
test_exact(void)
{
	T_BEGIN("imsg_get_exact: 1 byte short or long is EBADMSG");
	struct imsgbuf		 a, b;
	struct imsg		 m;
	struct gw_key_sphinx	 k, out;
	uint8_t			 small[16];
	uint64_t		 v = 0x1122334455667788ull, w;
	int			 sv[2], i;

	memset(&k, 0xab, sizeof(k));
	mkpair(sv);
	imsgbuf_init(&a, sv[0], 0, 0);
	imsgbuf_init(&b, sv[1], 0, 0);
	CHECK(imsg_compose(&a, 1, 0, -1, &v, sizeof(v)) == 0);
	CHECK(imsg_compose(&a, IMSG_KEY_SPHINX, 0, -1, &k, sizeof(k)) == 0);
	CHECK(imsg_compose(&a, IMSG_SETUP_DONE, 0, -1, NULL, 0) == 0);
	CHECK(imsgbuf_flush(&a) == 0);
	CHECK(imsgbuf_read(&b) == 1);

	CHECK(imsg_get(&b, &m) == 1);
	memset(small, 0xee, sizeof(small));
	errno = 0;
	CHECK(imsg_get_exact(&m, small, 7) == -1 && errno == EBADMSG);
	errno = 0;
	CHECK(imsg_get_exact(&m, small, 9) == -1 && errno == EBADMSG);
	for (i = 0; i < (int)sizeof(small); i++)
		CHECK(small[i] == 0xee);	/* untouched on failure */
	CHECK(imsg_get_exact(&m, &w, sizeof(w)) == 0 && w == v);

	CHECK(imsg_get(&b, &m) == 1);
	errno = 0;
	CHECK(imsg_get_exact(&m, &out, sizeof(out) - 1) == -1 &&
	    errno == EBADMSG);
	errno = 0;
	CHECK(imsg_get_exact(&m, &out, sizeof(out) + 1) == -1 &&
	    errno == EBADMSG);
	CHECK(imsg_get_exact(&m, &out, sizeof(out)) == 0 &&
	    memcmp(&out, &k, sizeof(k)) == 0);

	CHECK(imsg_get(&b, &m) == 1);
	errno = 0;
	CHECK(imsg_get_exact(&m, &w, 1) == -1 && errno == EBADMSG);
	CHECK(imsg_get_exact(&m, NULL, 0) == 0);
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	closepair(sv);
	T_END();
}

static void
test_fdpass(void)
{
	T_BEGIN("fd passing: a pipe end arrives and works");
	struct imsgbuf	 a, b;
	struct imsg	 m;
	int		 sv[2], p[2], fd0;

	fd0 = count_fds();
	mkpair(sv);
	mkpipe(p);
	imsgbuf_init(&a, sv[0], 0, 1);
	imsgbuf_init(&b, sv[1], 0, 1);
	CHECK(imsg_compose(&a, IMSG_SETUP_PEER, 3, p[1], "x", 1) == 0);
	CHECK(imsgbuf_flush(&a) == 0);
	CHECK(imsgbuf_read(&b) == 1);
	CHECK(imsg_get(&b, &m) == 1);
	CHECK(m.hdr.type == IMSG_SETUP_PEER && m.hdr.len == 17 &&
	    m.datalen == 1 && m.data[0] == 'x');
	CHECK(m.fd != -1 && same_file(m.fd, p[0]));
	CHECK(fcntl(m.fd, F_GETFD) == FD_CLOEXEC);
	CHECK(through_pipe(m.fd, p[0], 'q'));
	imsg_free(&m);
	CHECK(m.fd == -1);
	/* Our only write end was the one we received. */
	CHECK(pipe_at_eof(p[0]));
	close(p[0]);
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	closepair(sv);
	CHECK(count_fds() == fd0);
	T_END();

	/* Read all at once, then get; or get after every read. */
	int	 mode;

	for (mode = 0; mode < 2; mode++) {
		T_BEGIN(mode == 0 ? "fd FIFO: AAAA, BBBB+fd1, CCCC, DDDD+fd2 "
		    "(get after each read)" : "fd FIFO: AAAA, BBBB+fd1, CCCC, "
		    "DDDD+fd2 (read all, then get)");
		struct imsgbuf	 a, b;
		struct imsg	 m;
		int		 sv[2], p1[2], p2[2], n, reads = 0, fd0;
		unsigned	 got = 0;
		static const char *const pl[] = { "AAAA", "BBBB", "CCCC",
		    "DDDD" };

		fd0 = count_fds();
		mkpair(sv);
		mkpipe(p1);
		mkpipe(p2);
		imsgbuf_init(&a, sv[0], 0, 1);
		imsgbuf_init(&b, sv[1], 0, 1);
		CHECK(imsg_compose(&a, 1, 0, -1, "AAAA", 4) == 0);
		CHECK(imsg_compose(&a, 2, 1, p1[1], "BBBB", 4) == 0);
		CHECK(imsg_compose(&a, 3, 2, -1, "CCCC", 4) == 0);
		CHECK(imsg_compose(&a, 4, 3, p2[1], "DDDD", 4) == 0);
		CHECK(imsgbuf_flush(&a) == 0);
		for (;;) {
			n = imsgbuf_read(&b);
			if (n == -1 && errno == EAGAIN)
				break;
			CHECK(n == 1);
			if (n != 1)
				break;
			reads++;
			if (mode == 1)
				continue;
			while (imsg_get(&b, &m) == 1) {
				CHECK(got < 4 && m.hdr.type == got + 1 &&
				    m.datalen == 4 &&
				    memcmp(m.data, pl[got], 4) == 0);
				if (got == 1)
					CHECK(m.fd != -1 &&
					    through_pipe(m.fd, p1[0], '1'));
				else if (got == 3)
					CHECK(m.fd != -1 &&
					    through_pipe(m.fd, p2[0], '2'));
				else
					CHECK(m.fd == -1);
				imsg_free(&m);
				got++;
			}
		}
		if (mode == 1) {
			CHECK(b.rfd_count == 2);
			while (imsg_get(&b, &m) == 1) {
				CHECK(got < 4 && m.hdr.type == got + 1 &&
				    m.datalen == 4 &&
				    memcmp(m.data, pl[got], 4) == 0);
				if (got == 1)
					CHECK(m.fd != -1 &&
					    through_pipe(m.fd, p1[0], '1'));
				else if (got == 3)
					CHECK(m.fd != -1 &&
					    through_pipe(m.fd, p2[0], '2'));
				else
					CHECK(m.fd == -1);
				imsg_free(&m);
				got++;
			}
		}
		/* Linux merges AAAA into the BBBB read. */
		CHECKF(got == 4 && reads >= 2, "%u messages in %d reads", got,
		    reads);
		CHECK(b.rfd_count == 0);
		CHECK(pipe_at_eof(p1[0]) && pipe_at_eof(p2[0]));
		close(p1[0]);
		close(p2[0]);
		imsgbuf_clear(&a);
		imsgbuf_clear(&b);
		closepair(sv);
		CHECK(count_fds() == fd0);
		T_END();
	}

	T_BEGIN("fd mark without a descriptor: EBADMSG");
	struct imsgbuf	 b;
	struct imsg	 m;
	uint8_t		 raw[64];
	int		 sv[2];
	size_t		 n;

	mkpair(sv);
	imsgbuf_init(&b, sv[1], 0, 1);
	n = put_raw(raw, 1, IMSG_HDR_SIZE + 2, 0, 0, "ok", 2);
	n += put_raw(raw + n, 2, IMSG_FD_MARK | (IMSG_HDR_SIZE + 3), 0, 0,
	    "bad", 3);
	CHECK(write_all(sv[0], raw, n) == 0);
	CHECK(imsgbuf_read(&b) == 1);
	CHECK(imsg_get(&b, &m) == 1 && m.hdr.type == 1 && m.fd == -1);
	errno = 0;
	CHECK(imsg_get(&b, &m) == -1 && errno == EBADMSG);
	imsgbuf_clear(&b);
	closepair(sv);
	T_END();

	T_BEGIN("fd mark without a descriptor on a non-fdpass channel: "
	    "EBADMSG");
	struct imsgbuf	 b;
	struct imsg	 m;
	uint8_t		 raw[64];
	int		 sv[2];
	size_t		 n;

	mkpair(sv);
	imsgbuf_init(&b, sv[1], 0, 0);
	n = put_raw(raw, 2, IMSG_FD_MARK | IMSG_HDR_SIZE, 0, 0, NULL, 0);
	CHECK(write_all(sv[0], raw, n) == 0);
	CHECK(imsgbuf_read(&b) == 1);
	errno = 0;
	CHECK(imsg_get(&b, &m) == -1 && errno == EBADMSG);
	imsgbuf_clear(&b);
	closepair(sv);
	T_END();
}

static void
test_fifo_full(void)
{
	T_BEGIN("fd FIFO full: a 17th undrained fd fails the read "
	    "(EBADMSG), not dropped silently");
	struct imsgbuf	 a, b;
	struct imsg	 m;
	int		 sv[2], p[IMSG_FD_FIFO + 1][2], fd0, n, err = 0, i;
	int		 bad = 0;
	unsigned	 got = 0;

	fd0 = count_fds();
	mkpair(sv);
	imsgbuf_init(&a, sv[0], 0, 1);
	imsgbuf_init(&b, sv[1], 0, 1);
	for (i = 0; i < IMSG_FD_FIFO + 1; i++)
		mkpipe(p[i]);
	/* The send FIFO holds 16: send in two batches. */
	for (i = 0; i < IMSG_FD_FIFO + 1; i++) {
		CHECK(imsg_compose(&a, 1, (uint32_t)i, p[i][1], NULL, 0) == 0);
		if (i == IMSG_FD_FIFO - 1)
			CHECK(imsgbuf_flush(&a) == 0);
	}
	CHECK(imsgbuf_flush(&a) == 0);
	/* A reader that does not drain: one fd per read, 17 reads. */
	while ((n = imsgbuf_read(&b)) == 1)
		;
	if (n == -1)
		err = errno;
	CHECKF(err == EBADMSG, "read %d: %s", n, strerror(err));
	/* The 16 whose fds arrived are intact; the channel is dead. */
	while ((n = imsg_get(&b, &m)) == 1) {
		if (m.hdr.peerid != got++ || m.fd == -1 ||
		    !same_file(m.fd, p[m.hdr.peerid][0]))
			bad++;
		imsg_free(&m);
	}
	CHECK(n == 0 && got == IMSG_FD_FIFO);
	CHECKF(bad == 0, "%d messages with the wrong fd (of %u)", bad, got);
	imsgbuf_clear(&a);
	imsgbuf_clear(&b);
	closepair(sv);
	for (i = 0; i < IMSG_FD_FIFO + 1; i++) {
		CHECK(pipe_at_eof(p[i][0]));
		close(p[i][0]);
	}
	CHECK(count_fds() == fd0);
	T_END();
}

static void
test_no_fdpass(void)
{
	T_BEGIN("allow_fdpass=0: a smuggled fd is closed, its message "
	    "refused (EBADMSG)");
	struct imsgbuf	 b;
	struct imsg	 m;
	uint8_t		 raw[64];
	int		 sv[2], p[2], fd0, n, rv, err = 0, delivered = 0;
	size_t		 len;

	mkpair(sv);
	mkpipe(p);
	imsgbuf_init(&b, sv[1], 0, 0);
	len = put_raw(raw, 1, IMSG_FD_MARK | (IMSG_HDR_SIZE + 4), 0, 0,
	    "evil", 4);
	CHECK(send_with_fd(sv[0], raw, len, p[1]) == 0);
	close(p[1]);		/* only the in-flight copy is left */
	fd0 = count_fds();
	for (;;) {
		rv = imsgbuf_read(&b);
		if (rv == -1 && errno == EAGAIN)
			break;
		if (rv != 1) {
			if (rv == -1)
				err = errno;
			break;
		}
		while ((n = imsg_get(&b, &m)) == 1) {
			delivered++;
			imsg_free(&m);
		}
		if (n == -1) {
			err = errno;
			break;
		}
	}
	CHECKF(delivered == 0, "%d messages delivered", delivered);
	CHECKF(err == EBADMSG, "error %d (%s)", err, strerror(err));
	/* Nothing was installed here and the kernel dropped its copy. */
	CHECK(count_fds() == fd0);
	CHECK(pipe_at_eof(p[0]));
	close(p[0]);
	imsgbuf_clear(&b);
	closepair(sv);
	T_END();

	T_BEGIN("allow_fdpass=0: compose with an fd is EINVAL, fd kept");
	struct imsgbuf	 a;
	int		 sv[2], p[2];

	mkpair(sv);
	mkpipe(p);
	imsgbuf_init(&a, sv[0], 0, 0);
	errno = 0;
	CHECK(imsg_compose(&a, 1, 0, p[1], "x", 1) == -1 && errno == EINVAL);
	CHECK(imsgbuf_queued(&a) == 0);
	/* A refused fd still belongs to the caller. */
	CHECK(fcntl(p[1], F_GETFD) != -1);
	imsgbuf_clear(&a);
	CHECK(fcntl(p[1], F_GETFD) != -1);
	close(p[0]);
	close(p[1]);
	closepair(sv);
	T_END();

	T_BEGIN("fdpass: a 17th queued fd is EINVAL (send FIFO full)");
	struct imsgbuf	 a;
	int		 sv[2], p[2], i, fd0, ok = 1;

	fd0 = count_fds();
	mkpair(sv);
	imsgbuf_init(&a, sv[0], 0, 1);
	for (i = 0; i < IMSG_FD_FIFO; i++) {
		mkpipe(p);
		close(p[0]);
		if (imsg_compose(&a, 1, 0, p[1], NULL, 0) == -1)
			ok = 0;
	}
	CHECK(ok);
	mkpipe(p);
	errno = 0;
	CHECK(imsg_compose(&a, 1, 0, p[1], NULL, 0) == -1 && errno == EINVAL);
	close(p[0]);
	close(p[1]);
	imsgbuf_clear(&a);
	closepair(sv);
	CHECK(count_fds() == fd0);
	T_END();
}

static void
test_clear(void)
{
	T_BEGIN("imsgbuf_clear closes queued, unsent fds");
	struct imsgbuf	 a;
	int		 sv[2], p[3][2], fd0, i;

	fd0 = count_fds();
	mkpair(sv);
	imsgbuf_init(&a, sv[0], 0, 1);
	for (i = 0; i < 3; i++) {
		mkpipe(p[i]);
		CHECK(imsg_compose(&a, 1, 0, p[i][1], "z", 1) == 0);
	}
	CHECK(count_fds() == fd0 + 2 + 6);
	imsgbuf_clear(&a);
	CHECK(count_fds() == fd0 + 2 + 3);
	for (i = 0; i < 3; i++) {
		CHECK(pipe_at_eof(p[i][0]));
		close(p[i][0]);
	}
	closepair(sv);
	CHECK(count_fds() == fd0);
	T_END();

	T_BEGIN("imsgbuf_clear closes received fds not yet taken");
	struct imsgbuf	 a, b;
	struct imsg	 m;
	int		 sv[2], p[2], fd0, i;

	fd0 = count_fds();
	mkpair(sv);
	imsgbuf_init(&a, sv[0], 0, 1);
	imsgbuf_init(&b, sv[1], 0, 1);
	for (i = 0; i < 3; i++) {
		mkpipe(p);
		close(p[0]);
		CHECK(imsg_compose(&a, 1, 0, p[1], NULL, 0) == 0);
	}
	CHECK(imsgbuf_flush(&a) == 0);
	CHECK(count_fds() == fd0 + 2);
	while (imsgbuf_read(&b) == 1)
		;
	CHECK(b.rfd_count == 3 && count_fds() == fd0 + 2 + 3);
	/* One taken and freed, one dropped by imsg_free, one left. */
	CHECK(imsg_get(&b, &m) == 1 && m.fd != -1);
	imsg_free(&m);
	CHECK(count_fds() == fd0 + 2 + 2);
	imsgbuf_clear(&b);
	CHECK(count_fds() == fd0 + 2);
	imsgbuf_clear(&a);
	closepair(sv);
	CHECK(count_fds() == fd0);
	T_END();
}

/* --- imsgev ------------------------------------------------------------ */

#define EV_NMSGS	10000

struct evtest {
	struct event_base	*base;
	struct imsgev		*tx, *rx;
	unsigned		 got, replies, sent;
	int			 bad, rx_lost, tx_lost;
	char			 why[64];
};

static int
ev_rx_dispatch(struct imsgev *iev, struct imsg *imsg)
{
	struct evtest	*t = iev->arg;
	uint8_t		 want[64];
	size_t		 len = 4 + t->got % 50;

	memset(want, 0, sizeof(want));
	memcpy(want, &t->got, 4);
	memset(want + 4, (int)(t->got & 0xff), len - 4);
	if (imsg->hdr.type != IMSG_CTL_STATUS || imsg->hdr.peerid != t->got ||
	    imsg->datalen != len || memcmp(imsg->data, want, len) != 0)
		t->bad++;
	if (++t->got == EV_NMSGS) {
		imsgev_free(t->tx);
		t->tx = NULL;
	}
	return 0;
}

static void
ev_rx_lost(struct imsgev *iev, const char *why)
{
	struct evtest	*t = iev->arg;

	t->rx_lost++;
	gw_strlcpy(t->why, why, sizeof(t->why));
	imsgev_free(iev);
	t->rx = NULL;
	if (t->tx == NULL)
		event_base_loopbreak(t->base);	/* before the timeout */
}

static int
ev_tx_dispatch(struct imsgev *iev, struct imsg *imsg)
{
	struct evtest	*t = iev->arg;

	(void)imsg;
	t->bad++;
	return 0;
}

static void
ev_tx_lost(struct imsgev *iev, const char *why)
{
	struct evtest	*t = iev->arg;

	(void)why;
	t->tx_lost++;
	imsgev_free(iev);
	t->tx = NULL;
	if (t->rx == NULL)
		event_base_loopbreak(t->base);
}

static void
test_imsgev(void)
{
	T_BEGIN("imsgev: 10,000 messages in order, lost on peer close");
	struct evtest	 t;
	struct timeval	 tv = { 20, 0 };
	uint8_t		 p[64];
	unsigned	 i;
	int		 sv[2], fd0;

	fd0 = count_fds();
	memset(&t, 0, sizeof(t));
	t.base = event_base_new();
	CHECK(t.base != NULL);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	t.tx = imsgev_new(t.base, sv[0], PROC_MIXD, "tx", 0, 0,
	    ev_tx_dispatch, ev_tx_lost, &t);
	t.rx = imsgev_new(t.base, sv[1], PROC_PARENT, "rx", 0, 0,
	    ev_rx_dispatch, ev_rx_lost, &t);
	for (i = 0; i < EV_NMSGS; i++) {
		size_t len = 4 + i % 50;

		memcpy(p, &i, 4);
		memset(p + 4, (int)(i & 0xff), len - 4);
		CHECK(imsgev_compose(t.tx, IMSG_CTL_STATUS, i, -1, p,
		    len) == 0);
	}
	CHECK(imsgev_queued(t.tx) > 0);
	event_base_loopexit(t.base, &tv);
	event_base_dispatch(t.base);
	CHECKF(!event_base_got_exit(t.base), "timed out");
	CHECKF(t.got == EV_NMSGS && t.bad == 0, "%u messages, %d bad", t.got,
	    t.bad);
	CHECK(t.rx_lost == 1 && strcmp(t.why, "channel closed") == 0);
	CHECK(t.tx_lost == 0);
	imsgev_free(t.rx);
	imsgev_free(t.tx);
	event_base_free(t.base);
	CHECK(count_fds() == fd0);
	T_END();
}

/* Ping-pong: each side composes from inside its dispatch callback. */
#define PP_ROUNDS	1000

static int
pp_dispatch(struct imsgev *iev, struct imsg *imsg)
{
	struct evtest	*t = iev->arg;
	uint32_t	 v;

	if (imsg_get_exact(imsg, &v, sizeof(v)) == -1) {
		t->bad++;
		return 0;
	}
	if (iev == t->rx) {
		/* Echo v+1. */
		if (v != t->replies * 2)
			t->bad++;
		t->replies++;
		v++;
		if (imsgev_compose(iev, 2, 0, -1, &v, sizeof(v)) == -1)
			t->bad++;
		return 0;
	}
	if (v != t->got * 2 + 1)
		t->bad++;
	if (++t->got == PP_ROUNDS) {
		/* Closing ourselves inside dispatch: say so. */
		imsgev_free(iev);
		t->tx = NULL;
		return -1;
	}
	v++;
	if (imsgev_compose(iev, 1, 0, -1, &v, sizeof(v)) == -1)
		t->bad++;
	return 0;
}

static void
test_imsgev_pingpong(void)
{
	T_BEGIN("imsgev: 1,000 round trips composed inside dispatch");
	struct evtest	 t;
	struct timeval	 tv = { 20, 0 };
	uint32_t	 v = 0;
	int		 sv[2], fd0;

	fd0 = count_fds();
	memset(&t, 0, sizeof(t));
	t.base = event_base_new();
	if (t.base == NULL || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	t.tx = imsgev_new(t.base, sv[0], PROC_PARENT, "ping", 0, 0,
	    pp_dispatch, ev_tx_lost, &t);
	t.rx = imsgev_new(t.base, sv[1], PROC_MIXD, "pong", 0, 0,
	    pp_dispatch, ev_rx_lost, &t);
	CHECK(imsgev_compose(t.tx, 1, 0, -1, &v, sizeof(v)) == 0);
	event_base_loopexit(t.base, &tv);
	event_base_dispatch(t.base);
	CHECKF(!event_base_got_exit(t.base), "timed out");
	CHECKF(t.got == PP_ROUNDS && t.replies == PP_ROUNDS && t.bad == 0,
	    "%u replies, %u answers, %d bad", t.replies, t.got, t.bad);
	CHECK(t.rx_lost == 1 && t.tx_lost == 0);
	imsgev_free(t.rx);
	imsgev_free(t.tx);
	event_base_free(t.base);
	CHECK(count_fds() == fd0);
	T_END();
}

static void
test_imsgev_framing(void)
{
	T_BEGIN("imsgev: a bad length on the wire calls lost()");
	struct evtest	 t;
	struct timeval	 tv = { 5, 0 };
	uint8_t		 raw[IMSG_HDR_SIZE];
	int		 sv[2];

	memset(&t, 0, sizeof(t));
	t.base = event_base_new();
	if (t.base == NULL || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	t.rx = imsgev_new(t.base, sv[1], PROC_PARENT, "rx", 0, 0,
	    ev_rx_dispatch, ev_rx_lost, &t);
	put_raw(raw, 1, 3, 0, 0, NULL, 0);
	CHECK(write(sv[0], raw, sizeof(raw)) == (ssize_t)sizeof(raw));
	event_base_loopexit(t.base, &tv);
	event_base_dispatch(t.base);
	CHECKF(!event_base_got_exit(t.base), "timed out");
	CHECK(t.rx_lost == 1 && strcmp(t.why, "bad message length") == 0);
	CHECK(t.got == 0);
	imsgev_free(t.rx);
	close(sv[0]);
	event_base_free(t.base);
	T_END();
}

int
main(void)
{
	test_round_trip();
	test_partial_reads();
	test_partial_writes();
	test_oversized();
	test_truncated();
	test_exact();
	test_fdpass();
	test_fifo_full();
	test_no_fdpass();
	test_clear();
	test_imsgev();
	test_imsgev_pingpong();
	test_imsgev_framing();
	return t_done();
}
