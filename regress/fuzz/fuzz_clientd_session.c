/*
 * clientd's client side on arbitrary bytes, without sockets or
 * siblings: the HTTP upgrade, then wslay framing and the state machine
 * (text catalogue, handshake start, authenticateV2 parsing), and, for
 * inputs whose first byte is odd, an authenticated session with a fixed
 * key (request catalogue, binary forward frames, bandwidth).  A client
 * must never crash clientd or make it read or write out of bounds.
 *
 * Plain byte mutation rarely keeps a WebSocket frame's length and mask
 * right, so the custom mutator below works on the authenticated mode's
 * frames: it decodes the stream into frames (unmasked; binary ones
 * opened with the session key), mutates one frame's request JSON or
 * plaintext, or inserts, drops, repeats, swaps or retypes whole frames,
 * and encodes them back masked, lengths right, binary frames sealed
 * under the session key.  One mutation in eight is libFuzzer's own over
 * the raw bytes, so broken framing is still tried.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "clientd/clientd.h"
#include "client_crypto.h"
#include "gwcrypto.h"
#include "util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
size_t	LLVMFuzzerMutate(uint8_t *, size_t, size_t);
size_t	LLVMFuzzerCustomMutator(uint8_t *, size_t, size_t, unsigned int);

static const uint8_t	 session_key[32] = { 1, 2, 3 };

static const char upgrade[] = "GET / HTTP/1.1\r\nHost: x\r\n"
    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Version: 13\r\n\r\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static struct worker	 w;
	static struct clientd	 cd;
	static int		 init;
	struct conn		*c;
	struct sockaddr_in	 sin;

	if (!init) {
		gwcrypto_init();
		w.conf.clientd.max_connections = 10;
		w.conf.clientd.max_connections_per_address = 10;
		w.conf.clientd.max_message_size = 64 * 1024;
		w.conf.clientd.handshake_timeout_ms = 10000;
		w.conf.clientd.idle_timeout_ms = 10000;
		clientd_init(&cd, &w);
		init = 1;
	}
	if (len == 0)
		return 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	if ((c = conn_new(&cd, -1, (struct sockaddr *)&sin)) == NULL)
		return 0;
	if (data[0] & 1) {
		conn_input(c, (const uint8_t *)upgrade, sizeof(upgrade) - 1);
		if (c->link == LINK_WS && c->state == CS_FRESH) {
			/* Authenticated, along the transitions the session
			 * table allows. */
			c->aead = gwcrypto_aead_new(session_key);
			memset(c->client, 7, sizeof(c->client));
			c->bw_avail = data[0] & 2 ? 1 << 20 : 0;
			c->bw_expiry = INT64_MAX;
			session_set_state(c, CS_AUTH_LOOKUP);
			session_set_state(c, CS_AUTH_STORE);
			session_set_state(c, CS_AUTH_BW);
			session_activate(c);
			session_ready(c);
		}
	}
	/* In pieces, as a network delivers them. */
	data++;
	len--;
	while (len > 0 && !conn_closing(c)) {
		size_t	 n = len < 997 ? len : 997;

		conn_input(c, data, n);
		conn_flush(c);
		if ((c = conn_by_id(&cd, cd.next_id)) == NULL)
			return 0;
		data += n;
		len -= n;
	}
	conn_free(c);
	return 0;
}

/* --- structure-aware mutation ------------------------------------------ */

#define MUT_FRAMES	64
#define MUT_PAYLOAD	8192

struct mut_frame {
	uint8_t		 b0;		/* FIN, RSV, opcode */
	uint8_t		 masked;
	uint8_t		 sealed;	/* binary, opened with session_key */
	uint8_t		 kind;		/* of a sealed frame */
	size_t		 len;
	/* Unmasked; the plaintext if sealed. */
	uint8_t		 p[MUT_PAYLOAD];
};

static struct mut_frame	 mf[MUT_FRAMES + 1];
static unsigned		 nmf;
static uint8_t		 mtail[MUT_PAYLOAD];
static size_t		 ntail;
static struct gwcrypto_aead	*mut_aead;
static uint32_t		 mut_rnd;

static const char *const mut_requests[] = {
	"{\"type\":\"supportedProtocol\"}",
	"{\"type\":\"claimFreeTestnetBandwidth\"}",
	"{\"type\":\"ecashCredential\",\"enc_credential\":[1,2,3],"
	    "\"iv\":[0,0,0,0,0,0,0,0,0,0,0,0]}",
	"{\"type\":\"encryptedRequest\",\"ciphertext\":[1,2],"
	    "\"nonce\":[0,0,0,0,0,0,0,0,0,0,0,0]}",
	"{\"type\":\"upgradeModeJWT\",\"token\":\"a.b.c\"}",
	"{\"type\":\"authenticate\",\"address\":\"x\",\"enc_address\":\"y\","
	    "\"iv\":\"z\"}",
	"{\"type\":\"bandwidthCredential\",\"enc_credential\":[],\"iv\":[]}",
	"{\"type\":\"registerHandshakeInitRequest\",\"protocol_version\":3,"
	    "\"data\":[1,2,3]}",
	"{\"type\":\"handshakePayload\",\"protocol_version\":3,"
	    "\"data\":[0]}",
	"{\"type\":\"forgetMe\"}",
	"{\"type\":\"stats\"}",
};

static uint32_t
mut_next(void)
{
	mut_rnd ^= mut_rnd << 13;
	mut_rnd ^= mut_rnd >> 17;
	mut_rnd ^= mut_rnd << 5;
	return mut_rnd;
}

/* The frames after byte 0; whatever does not parse is the tail. */
static void
mut_decode(const uint8_t *d, size_t len)
{
	struct mut_frame	*f;
	size_t			 pos = 0, hdr, plen, i, ptlen;
	uint8_t			 b1, mask[4] = { 0 };

	nmf = 0;
	while (nmf < MUT_FRAMES && len - pos >= 2) {
		b1 = d[pos + 1];
		plen = b1 & 0x7f;
		hdr = 2;
		if (plen == 126) {
			if (len - pos < 4)
				break;
			plen = (size_t)d[pos + 2] << 8 | d[pos + 3];
			hdr = 4;
		} else if (plen == 127) {
			if (len - pos < 10)
				break;
			for (plen = 0, i = 0; i < 8; i++)
				plen = plen << 8 | d[pos + 2 + i];
			hdr = 10;
		}
		if (b1 & 0x80) {
			if (len - pos - hdr < 4)
				break;
			memcpy(mask, d + pos + hdr, 4);
			hdr += 4;
		}
		if (plen > MUT_PAYLOAD || len - pos - hdr < plen)
			break;
		f = &mf[nmf++];
		f->b0 = d[pos];
		f->masked = (b1 & 0x80) != 0;
		f->sealed = 0;
		for (i = 0; i < plen; i++)
			f->p[i] = d[pos + hdr + i] ^
			    (f->masked ? mask[i & 3] : 0);
		f->len = plen;
		if ((f->b0 & 0x0f) == 2 && client_frame_open(mut_aead, f->p,
		    plen, &f->kind, mf[MUT_FRAMES].p, &ptlen) == CLIENT_OK) {
			f->sealed = 1;
			memcpy(f->p, mf[MUT_FRAMES].p, ptlen);
			f->len = ptlen;
		}
		pos += hdr + plen;
	}
	ntail = len - pos < sizeof(mtail) ? len - pos : sizeof(mtail);
	memcpy(mtail, d + pos, ntail);
}

static size_t
mut_encode(uint8_t *out, size_t max)
{
	static uint8_t	 sealed[MUT_PAYLOAD + 64];
	const uint8_t	*p;
	uint8_t		 nonce[CLIENT_NONCE_LEN], mask[4];
	size_t		 pos = 0, plen, hdr, i;
	unsigned	 k;
	int		 n;

	for (k = 0; k < nmf; k++) {
		p = mf[k].p;
		plen = mf[k].len;
		if (mf[k].sealed) {
			for (i = 0; i < sizeof(nonce); i++)
				nonce[i] = (uint8_t)mut_next();
			n = client_frame_seal(mut_aead, mf[k].kind, nonce, p,
			    plen, sealed, sizeof(sealed));
			if (n < 0)
				continue;
			p = sealed;
			plen = (size_t)n;
		}
		hdr = 2 + (plen > 125 ? (plen > 0xffff ? 8 : 2) : 0) +
		    (mf[k].masked ? 4 : 0);
		if (max - pos < hdr + plen)
			break;
		out[pos++] = mf[k].b0;
		if (plen <= 125)
			out[pos++] = (uint8_t)plen;
		else if (plen <= 0xffff) {
			out[pos++] = 126;
			out[pos++] = (uint8_t)(plen >> 8);
			out[pos++] = (uint8_t)plen;
		} else {
			out[pos++] = 127;
			for (i = 0; i < 8; i++)
				out[pos++] = (uint8_t)((uint64_t)plen >>
				    (56 - 8 * i));
		}
		if (mf[k].masked) {
			out[pos - 1 - (plen > 125 ? (plen > 0xffff ? 8 : 2) :
			    0)] |= 0x80;
			for (i = 0; i < 4; i++)
				mask[i] = (uint8_t)mut_next();
			memcpy(out + pos, mask, 4);
			pos += 4;
		}
		for (i = 0; i < plen; i++)
			out[pos + i] = p[i] ^ (mf[k].masked ? mask[i & 3] : 0);
		pos += plen;
	}
	if (max - pos >= ntail) {
		memcpy(out + pos, mtail, ntail);
		pos += ntail;
	}
	return pos;
}

static void
mut_new_frame(struct mut_frame *f)
{
	const char	*r;

	f->masked = 1;
	if (mut_next() % 3 == 0) {
		/* A forward request: kind, then a MixPacket to mutate. */
		f->b0 = 0x82;
		f->sealed = 1;
		f->kind = mut_next() % 2 ? CLIENT_KIND_FORWARD_V2 :
		    CLIENT_KIND_FORWARD_V1;
		f->len = 1 + mut_next() % 64;
		memset(f->p, 0, f->len);
		f->p[0] = (uint8_t)(mut_next() % 3);
		return;
	}
	r = mut_requests[mut_next() % nitems(mut_requests)];
	f->b0 = 0x81;
	f->sealed = 0;
	f->len = strlen(r);
	memcpy(f->p, r, f->len);
}

size_t
LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max,
    unsigned int seed)
{
	static const uint8_t	 ops[] = { 0, 1, 2, 8, 9, 10 };
	struct mut_frame	*f;
	unsigned		 k, j;

	mut_rnd = seed | 1;
	if (mut_aead == NULL && (mut_aead = gwcrypto_aead_new(session_key)) ==
	    NULL)
		abort();
	if (size == 0 || !(data[0] & 1) || max < 2 || mut_next() % 8 == 0)
		return LLVMFuzzerMutate(data, size, max);
	mut_decode(data + 1, size - 1);
	k = nmf > 0 ? mut_next() % nmf : 0;
	f = &mf[k];
	switch (nmf == 0 ? 1 : mut_next() % 8) {
	case 0:
	case 1:
		if (nmf > 0 && mut_next() % 4 != 0) {
			/* The request itself. */
			f->len = LLVMFuzzerMutate(f->p, f->len, f->len * 2 +
			    64 < MUT_PAYLOAD ? f->len * 2 + 64 : MUT_PAYLOAD);
			break;
		}
		if (nmf < MUT_FRAMES) {
			k = nmf > 0 ? mut_next() % (nmf + 1) : 0;
			memmove(&mf[k + 1], &mf[k], (nmf - k) * sizeof(mf[0]));
			mut_new_frame(&mf[k]);
			nmf++;
		}
		break;
	case 2:
		memmove(&mf[k], &mf[k + 1], (nmf - k - 1) * sizeof(mf[0]));
		nmf--;
		break;
	case 3:
		if (nmf < MUT_FRAMES) {
			memmove(&mf[k + 1], &mf[k], (nmf - k) * sizeof(mf[0]));
			nmf++;
		}
		break;
	case 4:
		j = mut_next() % nmf;
		mf[MUT_FRAMES] = mf[j];
		mf[j] = mf[k];
		mf[k] = mf[MUT_FRAMES];
		break;
	case 5:
		/* Opcode, FIN, now and then a reserved bit. */
		f->b0 = (uint8_t)((mut_next() % 4 ? 0x80 : 0) |
		    ops[mut_next() % nitems(ops)] |
		    (mut_next() % 16 == 0 ? 0x40 : 0));
		if ((f->b0 & 0x0f) != 2)
			f->sealed = 0;
		break;
	case 6:
		if ((f->b0 & 0x0f) == 2) {
			f->sealed = !f->sealed;
			f->kind = (uint8_t)(mut_next() % 4);
		} else
			ntail = LLVMFuzzerMutate(mtail, ntail, sizeof(mtail));
		break;
	default:
		/* Byte 0: whether the session has bandwidth. */
		data[0] ^= 2;
		break;
	}
	return 1 + mut_encode(data + 1, max - 1);
}
