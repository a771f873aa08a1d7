/*
 * imsg-style framed messages over a SOCK_STREAM socketpair, written for
 * gatewayd (ARCHITECTURE.md, Channels): a 16-byte header in host order
 *
 *	type	u32	a value of enum gw_imsg_type (gw_imsg.h)
 *	len	u32	header + payload; bit 31 set: one fd rides along
 *	peerid	u32	sender's correlation id (session, request)
 *	pid	u32	sender's pid, for logs only
 *
 * followed by the payload.  Linux may merge fd-less chunks in front of
 * an fd-carrying one in a single recvmsg, so received fds go to a FIFO
 * and are attached to the next header that carries the fd mark; on the
 * sending side an fd-carrying message always starts its own sendmsg.
 */
#ifndef GW_IMSG_H
#define GW_IMSG_H

#include <sys/types.h>
#include <sys/uio.h>

#include <stddef.h>
#include <stdint.h>

#define IMSG_HDR_SIZE		16
#define IMSG_FD_MARK		0x80000000u
#define IMSG_MAXSIZE_DEFAULT	(64 * 1024)
#define IMSG_MAXSIZE_LIMIT	(1024 * 1024)
#define IMSG_FD_FIFO		16

struct imsg_hdr {
	uint32_t	 type;
	uint32_t	 len;
	uint32_t	 peerid;
	uint32_t	 pid;
};

struct imsg {
	struct imsg_hdr	 hdr;
	const uint8_t	*data;	/* valid until the next imsgbuf_read() */
	size_t		 datalen;
	int		 fd;	/* -1, or owned by the receiver */
};

struct imsgbuf {
	int		 fd;
	int		 allow_fdpass;
	uint32_t	 maxsize;
	uint32_t	 pid;

	uint8_t		*rbuf;		/* received, not yet consumed */
	size_t		 rsize, rpos, rlen;
	int		 rfds[IMSG_FD_FIFO];
	unsigned	 rfd_head, rfd_count;

	uint8_t		*wbuf;		/* queued for sending */
	size_t		 wsize, wpos, wlen;
	struct imsg_wfd {
		size_t	 off;		/* message start in wbuf */
		int	 fd;
	}		 wfds[IMSG_FD_FIFO];
	unsigned	 wfd_count;
	uint64_t	 wmsgs;		/* messages queued, ever */
	size_t		 wmax;		/* hard cap on queued bytes; 0: none */
};

/* maxsize bounds one message (header included); 0 means the default. */
void	imsgbuf_init(struct imsgbuf *, int fd, uint32_t maxsize,
	    int allow_fdpass);
/* Frees the buffers and closes queued fds; the socket is left open. */
void	imsgbuf_clear(struct imsgbuf *);

/* 1: bytes read, 0: EOF, -1: error (errno; EAGAIN means try later). */
int	imsgbuf_read(struct imsgbuf *);
/* 1: all sent, 0: some left (EAGAIN), -1: error (errno; EPIPE: gone). */
int	imsgbuf_write(struct imsgbuf *);
/* Blocking write of everything queued (start-up and gatewayctl). */
int	imsgbuf_flush(struct imsgbuf *);
/* Bytes queued for sending: what watermarks compare against. */
size_t	imsgbuf_queued(const struct imsgbuf *);

/*
 * 1: a whole message is in *imsg, 0: more bytes needed, -1: framing
 * error (errno ERANGE: bad length, EBADMSG: fd mark with no fd).
 */
int	imsg_get(struct imsgbuf *, struct imsg *);
/* Copy the payload out only if it is exactly len bytes. */
int	imsg_get_exact(const struct imsg *, void *dst, size_t len);
/* Closes an fd the receiver did not take. */
void	imsg_free(struct imsg *);

/* Queue one message; -1 with ERANGE if too big, EINVAL for a bad fd,
 * ENOBUFS if the queue would pass its hard cap (wmax). */
int	imsg_compose(struct imsgbuf *, uint32_t type, uint32_t peerid,
	    int fd, const void *data, size_t len);
int	imsg_composev(struct imsgbuf *, uint32_t type, uint32_t peerid,
	    int fd, const struct iovec *iov, int iovcnt);

#endif
