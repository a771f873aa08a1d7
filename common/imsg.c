/*
 * The framed channel itself (imsg.h): reading, writing and passing
 * descriptors, every length checked against what was read.
 */
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"
#include "log.h"
#include "util.h"

/* Room for a few fds per recvmsg: extras beyond the FIFO are closed. */
#define IMSG_CMSG_FDS	4

void
imsgbuf_init(struct imsgbuf *ib, int fd, uint32_t maxsize, int allow_fdpass)
{
	memset(ib, 0, sizeof(*ib));
	if (maxsize == 0)
		maxsize = IMSG_MAXSIZE_DEFAULT;
	if (maxsize < IMSG_HDR_SIZE || maxsize > IMSG_MAXSIZE_LIMIT)
		fatalx("%s: bad maxsize %u", __func__, maxsize);
	ib->fd = fd;
	ib->maxsize = maxsize;
	ib->allow_fdpass = allow_fdpass;
	ib->pid = (uint32_t)getpid();
	/* Twice the largest message, so one always fits after compaction. */
	ib->rsize = 2 * (size_t)maxsize < 65536 ? 65536 : 2 * (size_t)maxsize;
	ib->rbuf = xmalloc(ib->rsize);
}

void
imsgbuf_clear(struct imsgbuf *ib)
{
	unsigned	 i;

	for (i = 0; i < ib->rfd_count; i++)
		close(ib->rfds[(ib->rfd_head + i) % IMSG_FD_FIFO]);
	for (i = 0; i < ib->wfd_count; i++)
		close(ib->wfds[i].fd);
	free(ib->rbuf);
	free(ib->wbuf);
	ib->rbuf = ib->wbuf = NULL;
	ib->rfd_count = ib->wfd_count = 0;
	ib->rsize = ib->rpos = ib->rlen = 0;
	ib->wsize = ib->wpos = ib->wlen = 0;
}

static int
imsgbuf_push_fd(struct imsgbuf *ib, int fd)
{
	if (!ib->allow_fdpass || ib->rfd_count == IMSG_FD_FIFO) {
		/* Nobody may smuggle descriptors in, nor exhaust ours. */
		close(fd);
		/* A full FIFO loses this fd: the next one would pair wrong. */
		return ib->allow_fdpass ? -1 : 0;
	}
	ib->rfds[(ib->rfd_head + ib->rfd_count) % IMSG_FD_FIFO] = fd;
	ib->rfd_count++;
	return 0;
}

int
imsgbuf_read(struct imsgbuf *ib)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int) * IMSG_CMSG_FDS)];
	}		 cmsgbuf;
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cmsg;
	ssize_t		 n;
	int		 dropped = 0;

	if (ib->rpos > 0) {
		memmove(ib->rbuf, ib->rbuf + ib->rpos, ib->rlen - ib->rpos);
		ib->rlen -= ib->rpos;
		ib->rpos = 0;
	}
	if (ib->rlen == ib->rsize) {
		errno = ENOBUFS;
		return -1;
	}
	iov.iov_base = ib->rbuf + ib->rlen;
	iov.iov_len = ib->rsize - ib->rlen;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (ib->allow_fdpass) {
		msg.msg_control = &cmsgbuf.buf;
		msg.msg_controllen = sizeof(cmsgbuf.buf);
	}
again:
	n = recvmsg(ib->fd, &msg, MSG_CMSG_CLOEXEC);
	if (n == -1) {
		if (errno == EINTR)
			goto again;
		return -1;
	}
	for (cmsg = CMSG_FIRSTHDR(&msg); cmsg != NULL;
	    cmsg = CMSG_NXTHDR(&msg, cmsg)) {
		if (cmsg->cmsg_level == SOL_SOCKET &&
		    cmsg->cmsg_type == SCM_RIGHTS) {
			size_t nfd = (cmsg->cmsg_len - CMSG_LEN(0)) /
			    sizeof(int), i;
			for (i = 0; i < nfd; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(cmsg) + i * sizeof(int),
				    sizeof(fd));
				if (imsgbuf_push_fd(ib, fd) == -1)
					dropped = 1;
			}
		}
	}
	if ((msg.msg_flags & MSG_CTRUNC) || dropped) {
		/* A descriptor was lost: the fd/message pairing is gone. */
		errno = EBADMSG;
		return -1;
	}
	if (n == 0)
		return 0;
	ib->rlen += (size_t)n;
	return 1;
}

int
imsg_get(struct imsgbuf *ib, struct imsg *imsg)
{
	struct imsg_hdr	 hdr;
	size_t		 avail = ib->rlen - ib->rpos;
	uint32_t	 len;

	if (avail < IMSG_HDR_SIZE)
		return 0;
	memcpy(&hdr, ib->rbuf + ib->rpos, sizeof(hdr));
	len = hdr.len & ~IMSG_FD_MARK;
	if (len < IMSG_HDR_SIZE || len > ib->maxsize) {
		errno = ERANGE;
		return -1;
	}
	if (avail < len)
		return 0;
	imsg->fd = -1;
	if (hdr.len & IMSG_FD_MARK) {
		if (ib->rfd_count == 0) {
			errno = EBADMSG;
			return -1;
		}
		imsg->fd = ib->rfds[ib->rfd_head];
		ib->rfd_head = (ib->rfd_head + 1) % IMSG_FD_FIFO;
		ib->rfd_count--;
	}
	hdr.len = len;
	imsg->hdr = hdr;
	imsg->data = ib->rbuf + ib->rpos + IMSG_HDR_SIZE;
	imsg->datalen = len - IMSG_HDR_SIZE;
	ib->rpos += len;
	return 1;
}

int
imsg_get_exact(const struct imsg *imsg, void *dst, size_t len)
{
	if (imsg->datalen != len) {
		errno = EBADMSG;
		return -1;
	}
	if (len > 0)
		memcpy(dst, imsg->data, len);
	return 0;
}

void
imsg_free(struct imsg *imsg)
{
	if (imsg->fd != -1) {
		close(imsg->fd);
		imsg->fd = -1;
	}
}

static int
imsgbuf_reserve(struct imsgbuf *ib, size_t need)
{
	size_t	 nsize;

	if (ib->wsize - ib->wlen >= need)
		return 0;
	if (ib->wpos > 0) {
		size_t i;

		memmove(ib->wbuf, ib->wbuf + ib->wpos, ib->wlen - ib->wpos);
		for (i = 0; i < ib->wfd_count; i++)
			ib->wfds[i].off -= ib->wpos;
		ib->wlen -= ib->wpos;
		ib->wpos = 0;
		if (ib->wsize - ib->wlen >= need)
			return 0;
	}
	nsize = ib->wsize ? ib->wsize : 16384;
	while (nsize - ib->wlen < need)
		nsize *= 2;
	ib->wbuf = xreallocarray(ib->wbuf, 1, nsize);
	ib->wsize = nsize;
	return 0;
}

int
imsg_composev(struct imsgbuf *ib, uint32_t type, uint32_t peerid, int fd,
    const struct iovec *iov, int iovcnt)
{
	struct imsg_hdr	 hdr;
	size_t		 len = IMSG_HDR_SIZE;
	int		 i;

	for (i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	if (len > ib->maxsize) {
		errno = ERANGE;
		return -1;
	}
	if (fd != -1 && (!ib->allow_fdpass || ib->wfd_count == IMSG_FD_FIFO)) {
		errno = EINVAL;
		return -1;
	}
	/* Marks make producers pause long before this; reaching it means
	 * the reader is stuck, and a queue must not grow for ever. */
	if (ib->wmax != 0 && imsgbuf_queued(ib) + len > ib->wmax) {
		errno = ENOBUFS;
		return -1;
	}
	imsgbuf_reserve(ib, len);
	hdr.type = type;
	hdr.len = (uint32_t)len | (fd != -1 ? IMSG_FD_MARK : 0);
	hdr.peerid = peerid;
	hdr.pid = ib->pid;
	if (fd != -1) {
		ib->wfds[ib->wfd_count].off = ib->wlen;
		ib->wfds[ib->wfd_count].fd = fd;
		ib->wfd_count++;
	}
	memcpy(ib->wbuf + ib->wlen, &hdr, sizeof(hdr));
	ib->wlen += sizeof(hdr);
	for (i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len == 0)
			continue;
		memcpy(ib->wbuf + ib->wlen, iov[i].iov_base, iov[i].iov_len);
		ib->wlen += iov[i].iov_len;
	}
	ib->wmsgs++;
	return 0;
}

int
imsg_compose(struct imsgbuf *ib, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	struct iovec	 iov;

	iov.iov_base = (void *)(uintptr_t)data;
	iov.iov_len = data == NULL ? 0 : len;
	return imsg_composev(ib, type, peerid, fd, &iov, 1);
}

size_t
imsgbuf_queued(const struct imsgbuf *ib)
{
	return ib->wlen - ib->wpos;
}

int
imsgbuf_write(struct imsgbuf *ib)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	}		 cmsgbuf;
	struct msghdr	 msg;
	struct iovec	 iov;
	size_t		 end = ib->wlen;
	int		 fd = -1;
	ssize_t		 n;

	while (ib->wpos < ib->wlen) {
		end = ib->wlen;
		fd = -1;
		memset(&msg, 0, sizeof(msg));
		/* An fd goes with the first byte of its message, alone. */
		if (ib->wfd_count > 0) {
			if (ib->wfds[0].off == ib->wpos) {
				fd = ib->wfds[0].fd;
				if (ib->wfd_count > 1)
					end = ib->wfds[1].off;
			} else
				end = ib->wfds[0].off;
		}
		iov.iov_base = ib->wbuf + ib->wpos;
		iov.iov_len = end - ib->wpos;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		if (fd != -1) {
			struct cmsghdr *cmsg;

			memset(&cmsgbuf, 0, sizeof(cmsgbuf));
			msg.msg_control = &cmsgbuf.buf;
			msg.msg_controllen = sizeof(cmsgbuf.buf);
			cmsg = CMSG_FIRSTHDR(&msg);
			cmsg->cmsg_len = CMSG_LEN(sizeof(int));
			cmsg->cmsg_level = SOL_SOCKET;
			cmsg->cmsg_type = SCM_RIGHTS;
			memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
		}
		n = sendmsg(ib->fd, &msg, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		if (fd != -1) {
			/* Sent with the first bytes: our copy is done. */
			close(fd);
			memmove(&ib->wfds[0], &ib->wfds[1],
			    (ib->wfd_count - 1) * sizeof(ib->wfds[0]));
			ib->wfd_count--;
		}
		ib->wpos += (size_t)n;
	}
	ib->wpos = ib->wlen = 0;
	return 1;
}

int
imsgbuf_flush(struct imsgbuf *ib)
{
	int	 rv;

	while ((rv = imsgbuf_write(ib)) == 0) {
		struct pollfd pfd = { .fd = ib->fd, .events = POLLOUT };

		/* Blocking callers only: wait until the peer reads. */
		if (poll(&pfd, 1, 10000) == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
	}
	return rv == 1 ? 0 : -1;
}
