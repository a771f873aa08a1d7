/*
 * libFuzzer harness for everything a peer or client controls before any
 * Sphinx work: the mix-port frame stream (v7/v8), MixPacket v1/v2, node
 * addresses, the client's binary frames, and the final-hop split.
 * Whatever decodes must encode back to the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client_crypto.h"
#include "gwcrypto.h"
#include "mixframe.h"
#include "mixpacket.h"
#include "nodeaddr.h"
#include "sphinx.h"
#include "sphinx_payload.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct gwcrypto_aead	*aead;
static uint8_t			 buf[MIXFRAME_MAX_LEN + 64];
static uint8_t			 pt[1 << 16];

static void
frames(const uint8_t *data, size_t size)
{
	struct mixframe	 f;
	int		 n, h;

	/* Frames back to back, as a connection reads them. */
	while ((n = mixframe_decode(data, size, &f)) > 0) {
		if ((size_t)n > size || f.packet != data + f.hdr_len ||
		    f.hdr_len + f.packet_len != (size_t)n)
			abort();
		/* The header carries the tag as sent, whatever the type. */
		h = mixframe_encode_header(f.version, f.size_tag,
		    f.packet_type, f.rotation, buf);
		if (h != (int)f.hdr_len || memcmp(buf, data, (size_t)h) != 0)
			abort();
		if (mixframe_tag_for(f.packet_type, f.packet_len) ==
		    f.size_tag && (mixframe_encode(f.version, f.packet_type,
		    f.rotation, f.packet, f.packet_len, buf, sizeof(buf)) != n ||
		    memcmp(buf, data, (size_t)n) != 0))
			abort();
		data += n;
		size -= (size_t)n;
	}
}

static void
mixpackets(const uint8_t *data, size_t size)
{
	struct mixpacket	 mp;
	int			 v, n;

	for (v = MIXPACKET_V1; v <= MIXPACKET_V2; v++) {
		if (mixpacket_decode(v, data, size, &mp) != MIXPACKET_OK)
			continue;
		n = mixpacket_encode(v, &mp, buf, sizeof(buf));
		if (n != (int)size || memcmp(buf, data, size) != 0)
			abort();
	}
}

static void
address(const uint8_t *data, size_t size)
{
	struct nodeaddr	 a, b;
	char		 s[NODEADDR_STRLEN];
	uint8_t		 enc[NODEADDR_MAX_LEN];
	int		 n;

	if ((n = nodeaddr_decode(data, size, &a)) < 0)
		return;
	if (nodeaddr_encode(&a, enc, (size_t)n) != n ||
	    memcmp(enc, data, (size_t)n) != 0)
		abort();
	if (nodeaddr_parse(nodeaddr_fmt(&a, s, sizeof(s)), &b) != 0 ||
	    !nodeaddr_eq(&a, &b))
		abort();
}

static void
client_frame(const uint8_t *data, size_t size)
{
	struct sphinx_final_msg	 m;
	size_t			 len;
	uint8_t			 kind;

	if (size > sizeof(pt))
		return;
	if (client_frame_open(aead, data, size, &kind, pt, &len) ==
	    CLIENT_OK && len > size)
		abort();
	if (sphinx_payload_split(size > 2048 ? SPHINX_SIZE_EXT8 :
	    SPHINX_SIZE_REGULAR, data, size, &m) == SPHINX_PAYLOAD_OK &&
	    m.message + m.message_len != data + size)
		abort();
	if (sphinx_payload_split(SPHINX_SIZE_ACK, data, size, &m) !=
	    SPHINX_PAYLOAD_OK)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t	 key[32] = { 1 };

	if (aead == NULL) {
		if (gwcrypto_init() == -1 ||
		    (aead = gwcrypto_aead_new(key)) == NULL)
			abort();
	}
	frames(data, size);
	mixpackets(data, size);
	address(data, size);
	client_frame(data, size);
	return 0;
}
