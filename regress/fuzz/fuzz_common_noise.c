/*
 * libFuzzer harness for the Noise responder (common/noise.c,
 * common/noise_frame.c): what a mix node sends to our mix port.
 *
 * First byte even: the rest is a stream of Nym Noise frames fed to a
 * fresh responder: first frame, message 3, then data frames (the fuzzer
 * cannot compute X25519 and GCM tags, so this mostly exercises framing
 * and the handshake's length and state rules).
 * First byte odd: a genuine handshake with our initiator first (fixed
 * keys), then the rest drives transport: each chunk either seals a real
 * frame and flips at most one bit of it before the responder opens it,
 * or hands the responder raw bytes as a data frame.
 * Nothing may crash, leak, or report success for a frame it should not.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "gwcrypto.h"
#include "noise.h"
#include "noise_frame.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint8_t	 r_sk[32], r_pub[32], i_sk[32], e_i[32], e_r[32];
static uint8_t	 buf[NOISE_FRAME_MAX], out[NOISE_FRAME_MAX];

static void
setup(void)
{
	static int	 done;
	int		 k;

	if (done)
		return;
	if (gwcrypto_init() == -1)
		abort();
	for (k = 0; k < 32; k++) {
		r_sk[k] = (uint8_t)(0x10 + k);
		i_sk[k] = (uint8_t)(0x40 + k);
		e_i[k] = (uint8_t)(0x70 + k);
		e_r[k] = (uint8_t)(0xa0 + k);
	}
	crypto_scalarmult_base(r_pub, r_sk);
	done = 1;
}

/* Next frame from the input; NULL at the end. */
static const uint8_t *
next_frame(const uint8_t **data, size_t *size, struct noise_frame_hdr *h)
{
	const uint8_t	*body;

	if (*size < NOISE_FRAME_HDR_LEN ||
	    noise_frame_hdr_decode(*data, h) != NOISE_OK ||
	    *size - NOISE_FRAME_HDR_LEN < h->len)
		return NULL;
	body = *data + NOISE_FRAME_HDR_LEN;
	*data += NOISE_FRAME_HDR_LEN + h->len;
	*size -= NOISE_FRAME_HDR_LEN + h->len;
	return body;
}

static void
raw_responder(const uint8_t *data, size_t size)
{
	struct noise_frame_hdr	 h;
	struct noise_hs		 hs;
	struct noise_cs		 send, recv;
	const uint8_t		*body;
	size_t			 n;
	uint8_t			 version;

	if ((body = next_frame(&data, &size, &h)) == NULL)
		return;
	version = h.version;
	if (noise_nym_hs_responder(&hs, &h, r_sk) != NOISE_OK ||
	    noise_hs_set_ephemeral(&hs, e_r) != NOISE_OK ||
	    noise_frame_hs_read(&hs, version, &h, body) != NOISE_OK ||
	    noise_frame_hs_write(&hs, version, out, sizeof(out), &n) !=
	    NOISE_OK || (body = next_frame(&data, &size, &h)) == NULL ||
	    noise_frame_hs_read(&hs, version, &h, body) != NOISE_OK) {
		noise_hs_free(&hs);
		return;
	}
	/*
	 * XKpsk3 lets any initiator in (its static key is not checked and
	 * the PSK derives from our public key), so a completed handshake
	 * is legitimate; go on with data frames.
	 */
	if (noise_hs_split(&hs, &send, &recv) == NOISE_OK)
		while ((body = next_frame(&data, &size, &h)) != NULL &&
		    noise_frame_open(&recv, version, &h, body, out,
		    sizeof(out), &n) == NOISE_OK)
			;
	noise_cs_free(&send);
	noise_cs_free(&recv);
	noise_hs_free(&hs);
}

static int
handshake(struct noise_hs *i, struct noise_hs *r)
{
	struct noise_frame_hdr	 h;
	size_t			 n;
	int			 m;

	if (noise_nym_hs_initiator(i, 1, i_sk, r_pub) != NOISE_OK ||
	    noise_hs_set_ephemeral(i, e_i) != NOISE_OK ||
	    noise_frame_hs_write(i, 1, buf, sizeof(buf), &n) != NOISE_OK ||
	    noise_frame_hdr_decode(buf, &h) != NOISE_OK ||
	    noise_nym_hs_responder(r, &h, r_sk) != NOISE_OK ||
	    noise_hs_set_ephemeral(r, e_r) != NOISE_OK ||
	    noise_frame_hs_read(r, 1, &h, buf + 8) != NOISE_OK)
		return -1;
	for (m = 2; m <= 3; m++) {
		struct noise_hs	*w = m == 2 ? r : i, *rd = m == 2 ? i : r;

		if (noise_frame_hs_write(w, 1, buf, sizeof(buf), &n) !=
		    NOISE_OK || noise_frame_hdr_decode(buf, &h) != NOISE_OK ||
		    noise_frame_hs_read(rd, 1, &h, buf + 8) != NOISE_OK)
			return -1;
	}
	return 0;
}

static void
transport(const uint8_t *data, size_t size)
{
	struct noise_frame_hdr	 h;
	struct noise_hs		 i, r;
	struct noise_cs		 is, ir, rs, rr;
	const uint8_t		*body;
	size_t			 n, m, len, bit;
	int			 rc;

	memset(&is, 0, sizeof(is));
	memset(&ir, 0, sizeof(ir));
	memset(&rs, 0, sizeof(rs));
	memset(&rr, 0, sizeof(rr));
	if (handshake(&i, &r) == -1)
		abort();	/* our own two sides must agree */
	if (noise_hs_split(&i, &is, &ir) != NOISE_OK ||
	    noise_hs_split(&r, &rs, &rr) != NOISE_OK)
		abort();
	while (size >= 4) {
		if (data[0] & 1) {
			/* A genuine frame with bit `bit` flipped (or none). */
			len = (size_t)(data[1] << 8 | data[2]) % 2048;
			bit = data[3];
			data += 4;
			size -= 4;
			if (len > size)
				len = size;
			if (noise_frame_seal(&is, 1, data, len, buf,
			    sizeof(buf), &n) != NOISE_OK)
				abort();
			if (bit < 255)
				buf[(bit * 7) % n] ^= (uint8_t)(1 << (bit % 8));
			if (noise_frame_hdr_decode(buf, &h) != NOISE_OK) {
				if (bit == 255)
					abort();
				break;
			}
			rc = noise_frame_open(&rr, 1, &h, buf + 8, out,
			    sizeof(out), &m);
			/* Untouched frames open; a flipped body bit never. */
			if (bit == 255 && (rc != NOISE_OK || m != len ||
			    memcmp(out, data, len) != 0))
				abort();
			if (bit < 255 && (bit * 7) % n >= 8 && rc == NOISE_OK)
				abort();
			data += len;
			size -= len;
			if (rc != NOISE_OK)
				break;	/* the connection would close */
		} else {
			data++;
			size--;
			if ((body = next_frame(&data, &size, &h)) == NULL)
				break;
			if (noise_frame_open(&rr, 1, &h, body, out,
			    sizeof(out), &m) == NOISE_OK)
				abort();	/* forged tag */
			break;
		}
	}
	noise_cs_free(&is);
	noise_cs_free(&ir);
	noise_cs_free(&rs);
	noise_cs_free(&rr);
	noise_hs_free(&i);
	noise_hs_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	if (size < 1)
		return 0;
	if (data[0] & 1)
		transport(data + 1, size - 1);
	else
		raw_responder(data + 1, size - 1);
	return 0;
}
