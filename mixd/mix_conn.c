/*
 * Framing of one inbound mix stream (spec 6.2): v7 and v8 frames back
 * to back.  No sockets here, so the fuzzer drives exactly what a
 * connection does.  A bad header means the stream is out of sync and
 * closes only this connection; a bad packet inside a good frame is
 * dropped by the Sphinx layer and the stream goes on.
 *
 * The buffer starts at a size for regular packets and grows once to a
 * whole extended frame when a header asks for it, so an idle connection
 * costs little and a busy one never allocates per packet.
 */
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mixd.h"
#include "mixframe.h"
#include "util.h"

#define MIX_RX_INITIAL	(4 * (MIXFRAME_MAX_HDR_LEN + SPHINX_SIZE_REGULAR))

void
mix_rx_init(struct mix_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
}

void
mix_rx_free(struct mix_rx *rx)
{
	free(rx->buf);
	memset(rx, 0, sizeof(*rx));
}

static void
mix_rx_grow(struct mix_rx *rx, size_t want)
{
	if (want <= rx->cap)
		return;
	rx->buf = xreallocarray(rx->buf, 1, want);
	rx->cap = want;
}

uint8_t *
mix_rx_space(struct mix_rx *rx, size_t *room)
{
	if (rx->buf == NULL)
		mix_rx_grow(rx, MIX_RX_INITIAL);
	*room = rx->cap - rx->len;
	return rx->buf + rx->len;
}

/* Count a framing error by its reason. */
static void
mix_rx_bad(struct mixd *md, int err)
{
	if (err == MIXFRAME_ERR_SIZE_TAG)
		*md->c.frames_bad_size += 1;
	else
		*md->c.frames_bad_header += 1;
	log_debug("mix frame: %s; closing", mixframe_strerror(err));
}

/* One whole frame. */
static void
mix_rx_frame(struct mixd *md, const struct mixframe *f)
{
	*md->c.packets_in += 1;
	*md->c.bytes_in += f->hdr_len + f->packet_len;
	if (f->packet_type != MIXFRAME_TYPE_SPHINX) {
		/* Outfox is framed on the network but not used: skip it. */
		*md->c.frames_outfox += 1;
		return;
	}
	mixd_inbound_packet(md, f->packet_type, f->rotation, f->packet,
	    f->packet_len);
}

/*
 * Decode every whole frame in buf.  Returns bytes consumed, or -1 on a
 * framing error.  *need: the length of the incomplete frame at the end
 * once its header is known, else 0.
 */
static ssize_t
mix_rx_frames(struct mixd *md, struct mix_rx *rx, size_t *need)
{
	const uint8_t	*buf = rx->buf;
	size_t		 len = rx->len;
	struct mixframe	 f;
	size_t		 off = 0;
	int		 n;

	*need = 0;
	while (off < len) {
		n = mixframe_decode(buf + off, len - off, &f);
		if (n < 0) {
			mix_rx_bad(md, n);
			return -1;
		}
		if (n == 0) {
			if (f.hdr_len != 0)
				*need = f.hdr_len + f.packet_len;
			break;
		}
		mix_rx_frame(md, &f);
		rx->frames++;
		off += (size_t)n;
	}
	return (ssize_t)off;
}

int
mix_rx_commit(struct mixd *md, struct mix_rx *rx, size_t n)
{
	ssize_t	 used;
	size_t	 need;

	rx->len += n;
	if ((used = mix_rx_frames(md, rx, &need)) == -1)
		return -1;
	/* Keep the partial frame at the front; at most one frame long. */
	if (used > 0 && (size_t)used < rx->len)
		memmove(rx->buf, rx->buf + used, rx->len - (size_t)used);
	rx->len -= (size_t)used;
	if (need > rx->cap)
		mix_rx_grow(rx, need);
	return 0;
}

int
mixd_inbound_feed(struct mixd *md, struct mix_rx *rx, const uint8_t *data,
    size_t len)
{
	uint8_t	*p;
	size_t	 room, n;

	while (len > 0) {
		p = mix_rx_space(rx, &room);
		if (room == 0)
			return -1;	/* cannot be: the buffer holds a frame */
		n = len < room ? len : room;
		memcpy(p, data, n);
		if (mix_rx_commit(md, rx, n) == -1)
			return -1;
		data += n;
		len -= n;
	}
	return 0;
}
