/*
 * libFuzzer harness for common/imsg.c: the input is written into one end
 * of a real AF_UNIX SOCK_STREAM socketpair in chunks interleaved with
 * imsgbuf_read()/imsg_get() on the other end, until EOF or a framing
 * error.  Every message is checked against the framing invariants and
 * its payload decoded as each fixed-size struct of gw_imsg.h.
 *
 * Input layout:
 *	byte 0	bits 0-5: chunk size - 1 (1..64)
 *		bit 6: every chunk carries an SCM_RIGHTS fd (/dev/null)
 *		bit 7: the receiving channel allows fd passing
 *	byte 1	bit 0: maxsize GW_IMSG_MAXSIZE (else 4096)
 *		bits 1-3: chunks written per read, minus one (1..8)
 *	rest	the byte stream
 *
 * Descriptors open before and after each input must be the same set.
 */
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gw_imsg.h"
#include "imsg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FD_SCAN		64

static int		 nullfd = -1;
static volatile size_t	 sink;

static void
fd_snapshot(uint8_t open_fds[FD_SCAN])
{
	int	 fd;

	for (fd = 0; fd < FD_SCAN; fd++)
		open_fds[fd] = fcntl(fd, F_GETFD) != -1;
}

static ssize_t
send_chunk(int sock, const uint8_t *buf, size_t len, int with_fd)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	}		 cm;
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*c;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = (void *)(uintptr_t)buf;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (with_fd) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.buf;
		msg.msg_controllen = sizeof(cm.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_len = CMSG_LEN(sizeof(int));
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(c), &nullfd, sizeof(int));
	}
	return sendmsg(sock, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* A fixed-size NUL-ended string field, as a careful receiver checks it. */
static void
str_field(const char *s, size_t max)
{
	sink += memchr(s, '\0', max) != NULL;
}

/* Decode the payload as every struct a receiver might expect. */
static void
decode(const struct imsg *m)
{
	union {
		struct gw_setup_peer		 peer;
		struct gw_setup_listener	 lis;
		struct gw_conf_mixd		 mixd;
		struct gw_conf_clientd		 clientd;
		struct gw_conf_apid		 apid;
		struct gw_conf_credd		 credd;
		struct gw_conf_storaged		 storaged;
		struct gw_key_sphinx		 key;
		struct gw_ctl_proc		 proc;
		struct gw_counter		 counter;
		struct gw_ctl_result		 result;
		int32_t				 verbose;
		uint32_t			 u32;
	}			 u;
	struct gw_ctl_proc	 p;
	struct gw_counter	 c;
	size_t			 i, off;

#define TRY(field, check) do {						\
	if (imsg_get_exact(m, &u.field, sizeof(u.field)) == 0) {	\
		check;							\
	} else if (errno != EBADMSG)					\
		abort();						\
	if (m->datalen != sizeof(u.field) &&				\
	    imsg_get_exact(m, &u.field, sizeof(u.field)) == 0)		\
		abort();						\
} while (0)

	TRY(peer, sink += u.peer.proc < PROC_MAX);
	TRY(lis, str_field(u.lis.text, sizeof(u.lis.text)));
	TRY(mixd, str_field(u.mixd.c.user, sizeof(u.mixd.c.user));
	    str_field(u.mixd.c.chroot_dir, sizeof(u.mixd.c.chroot_dir)));
	TRY(clientd, str_field(u.clientd.c.user, sizeof(u.clientd.c.user)));
	TRY(apid, str_field(u.apid.c.chroot_dir, sizeof(u.apid.c.chroot_dir));
	    sink += u.apid.ws_port);
	TRY(credd, for (i = 0; i < GW_MAX_APIURLS; i++)
	    str_field(u.credd.nym_api_urls[i], GW_URL_MAX);
	    sink += u.credd.n_nym_api_urls <= GW_MAX_APIURLS);
	TRY(storaged, str_field(u.storaged.data_dir,
	    sizeof(u.storaged.data_dir)));
	TRY(key, sink += u.key.secret[0] ^ u.key.public[31]);
	TRY(proc, str_field(u.proc.role, sizeof(u.proc.role)));
	TRY(counter, str_field(u.counter.name, sizeof(u.counter.name)));
	TRY(result, str_field(u.result.message, sizeof(u.result.message)));
	TRY(verbose, sink += (size_t)u.verbose);
	TRY(u32, sink += u.u32);
#undef TRY

	/* IMSG_CTL_STATUS_PROC: a header, then ncounters counters. */
	if (m->datalen < sizeof(p))
		return;
	memcpy(&p, m->data, sizeof(p));
	if (p.ncounters > GW_COUNTERS_MAX ||
	    m->datalen != sizeof(p) + p.ncounters * sizeof(c))
		return;
	for (i = 0, off = sizeof(p); i < p.ncounters; i++, off += sizeof(c)) {
		memcpy(&c, m->data + off, sizeof(c));
		str_field(c.name, sizeof(c.name));
	}
}

static void
check(const struct imsgbuf *ib, const struct imsg *m, int fds_possible)
{
	if (m->hdr.len & IMSG_FD_MARK || m->hdr.len < IMSG_HDR_SIZE ||
	    m->hdr.len > ib->maxsize ||
	    m->datalen != m->hdr.len - IMSG_HDR_SIZE)
		abort();
	if (m->data < ib->rbuf || m->data + m->datalen > ib->rbuf + ib->rlen)
		abort();
	if (m->fd != -1 && (!fds_possible || fcntl(m->fd, F_GETFD) == -1))
		abort();
	if (ib->rpos > ib->rlen || ib->rlen > ib->rsize ||
	    ib->rfd_count > IMSG_FD_FIFO)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t		 before[FD_SCAN], after[FD_SCAN];
	struct imsgbuf	 ib;
	struct imsg	 m;
	size_t		 chunk, pos = 0;
	uint32_t	 maxsize;
	ssize_t		 n;
	int		 sv[2], with_fd, fdpass, per_read, i, r, g, done = 0;
	int		 spins = 0;

	if (size < 2)
		return 0;
	if (nullfd == -1 && (nullfd = open("/dev/null", O_RDWR |
	    O_CLOEXEC)) == -1)
		abort();
	chunk = (size_t)(data[0] & 0x3f) + 1;
	with_fd = (data[0] & 0x40) != 0;
	fdpass = (data[0] & 0x80) != 0;
	maxsize = (data[1] & 1) ? GW_IMSG_MAXSIZE : 4096;
	per_read = ((data[1] >> 1) & 7) + 1;
	data += 2;
	size -= 2;

	fd_snapshot(before);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1)
		abort();
	imsgbuf_init(&ib, sv[1], maxsize, fdpass);
	if (size == 0)
		shutdown(sv[0], SHUT_WR);
	while (!done) {
		if (++spins > 1000000)
			abort();	/* no progress: a hang */
		for (i = 0; i < per_read && pos < size; i++) {
			size_t len = size - pos < chunk ? size - pos : chunk;

			n = send_chunk(sv[0], data + pos, len, with_fd);
			if (n == -1) {
				/* Full, or too many fds in flight. */
				if (errno == EAGAIN || errno == EWOULDBLOCK ||
				    errno == ETOOMANYREFS)
					break;
				abort();
			}
			pos += (size_t)n;
			if (pos == size)
				shutdown(sv[0], SHUT_WR);
		}
		r = imsgbuf_read(&ib);
		if (r == 0 || (r == -1 && errno != EAGAIN))
			done = 1;
		while ((g = imsg_get(&ib, &m)) == 1) {
			check(&ib, &m, fdpass && with_fd);
			decode(&m);
			imsg_free(&m);
		}
		if (g == -1) {
			if (errno != ERANGE && errno != EBADMSG)
				abort();
			done = 1;
		}
	}
	imsgbuf_clear(&ib);
	close(sv[0]);
	close(sv[1]);
	fd_snapshot(after);
	if (memcmp(before, after, sizeof(before)) != 0)
		abort();	/* a descriptor leaked */
	return 0;
}
