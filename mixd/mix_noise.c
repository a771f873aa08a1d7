/*
 * Noise on the mix port (sphinx-mixport.md 6.3): one session per TCP
 * connection, either side, over common/noise*.c.  No sockets here: the
 * callers (mix_listen.c inbound, mix_peers.c outbound) read into
 * mix_noise_space(), hand the count to mix_noise_commit() and write
 * what it answers, so the unit test and the fuzzer drive exactly what a
 * connection does.
 *
 * Nym frames are read into one buffer per session that starts small
 * and grows once to the largest frame the peer sends (at most 64 KiB);
 * data frames are decrypted in place.  Handshake frames longer than
 * message 3 are refused before anything grows, so a peer that never
 * finishes a handshake costs only the small buffer.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "log.h"
#include "mixd.h"
#include "util.h"

#define NZ_BUF_INITIAL	4096
/* Handshake failures logged at warning level at most this often. */
#define NZ_LOG_EVERY_S	10

void
mix_noise_init(struct mix_noise *nz, const uint8_t sk[NOISE_KEY_LEN])
{
	memset(nz, 0, sizeof(*nz));
	nz->sk = sk;
	nz->state = MIX_NOISE_HS;
}

void
mix_noise_free(struct mix_noise *nz)
{
	/* Both free functions wipe the keys before releasing handles. */
	noise_hs_free(&nz->hs);
	noise_cs_free(&nz->tx);
	noise_cs_free(&nz->rx);
	if (nz->buf != NULL) {
		sodium_memzero(nz->buf, nz->cap);
		free(nz->buf);
	}
	memset(nz, 0, sizeof(*nz));
}

int
mix_noise_initiate(struct mix_noise *nz, uint8_t version,
    const uint8_t rs_pub[NOISE_KEY_LEN], uint8_t *out, size_t outmax,
    size_t *outlen)
{
	int	 rc;

	*outlen = 0;
	nz->initiator = 1;
	nz->version = version;
	if ((rc = noise_nym_hs_initiator(&nz->hs, version, nz->sk,
	    rs_pub)) != NOISE_OK ||
	    (rc = noise_frame_hs_write(&nz->hs, version, out, outmax,
	    outlen)) != NOISE_OK) {
		nz->state = MIX_NOISE_DEAD;
		return rc;
	}
	nz->started = 1;
	return NOISE_OK;
}

uint8_t *
mix_noise_space(struct mix_noise *nz, size_t *room)
{
	if (nz->buf == NULL) {
		nz->buf = xcalloc(1, NZ_BUF_INITIAL);
		nz->cap = NZ_BUF_INITIAL;
	}
	*room = nz->cap - nz->len;
	return nz->buf + nz->len;
}

/* One handshake frame: read the peer's message, maybe write ours. */
static int
mix_noise_hs_frame(struct mix_noise *nz, const struct noise_frame_hdr *h,
    const uint8_t *body, uint8_t *out, size_t outmax, size_t *outlen)
{
	size_t	 n;
	int	 rc;

	if (!nz->started) {
		/* Responder: the first frame names the version (and so
		 * the PSK); only XKpsk3 is configured, as nym-node. */
		if (nz->initiator)
			return NOISE_E_STATE;
		if ((rc = noise_nym_hs_responder(&nz->hs, h, nz->sk)) !=
		    NOISE_OK)
			return rc;
		nz->version = h->version;
		nz->started = 1;
	}
	if (noise_hs_step(&nz->hs) != NOISE_HS_READ)
		return NOISE_E_STATE;
	if ((rc = noise_frame_hs_read(&nz->hs, nz->version, h, body)) !=
	    NOISE_OK)
		return rc;
	if (noise_hs_step(&nz->hs) == NOISE_HS_WRITE) {
		if ((rc = noise_frame_hs_write(&nz->hs, nz->version,
		    out + *outlen, outmax - *outlen, &n)) != NOISE_OK)
			return rc;
		*outlen += n;
	}
	if (noise_hs_step(&nz->hs) == NOISE_HS_SPLIT) {
		if ((rc = noise_hs_split(&nz->hs, &nz->tx, &nz->rx)) !=
		    NOISE_OK)
			return rc;
		noise_hs_free(&nz->hs);
		nz->state = MIX_NOISE_UP;
		nz->established = 1;
	}
	return NOISE_OK;
}

int
mix_noise_commit(struct mix_noise *nz, size_t n, uint8_t *out,
    size_t outmax, size_t *outlen, mix_noise_sink sink, void *arg)
{
	struct noise_frame_hdr	 h;
	size_t			 off = 0, want, pt;
	uint8_t			*body;
	int			 rc = NOISE_OK;

	*outlen = 0;
	if (nz->state == MIX_NOISE_DEAD)
		return NOISE_E_STATE;
	nz->len += n;
	while (nz->len - off >= NOISE_FRAME_HDR_LEN) {
		if ((rc = noise_frame_hdr_decode(nz->buf + off, &h)) !=
		    NOISE_OK)
			goto fail;
		/* Nothing but an empty-payload message is due now. */
		if (nz->state == MIX_NOISE_HS && h.len > NOISE_MSG3_LEN) {
			rc = NOISE_E_LEN;
			goto fail;
		}
		want = NOISE_FRAME_HDR_LEN + (size_t)h.len;
		if (nz->len - off < want) {
			if (want > nz->cap) {
				/* Keep the partial frame, room for all of
				 * it: at most NOISE_FRAME_MAX. */
				memmove(nz->buf, nz->buf + off, nz->len - off);
				nz->len -= off;
				off = 0;
				nz->buf = xreallocarray(nz->buf, 1, want);
				nz->cap = want;
			}
			break;
		}
		body = nz->buf + off + NOISE_FRAME_HDR_LEN;
		if (nz->state == MIX_NOISE_HS) {
			if ((rc = mix_noise_hs_frame(nz, &h, body, out, outmax,
			    outlen)) != NOISE_OK)
				goto fail;
		} else {
			if ((rc = noise_frame_open(&nz->rx, nz->version, &h,
			    body, body, h.len, &pt)) != NOISE_OK)
				goto fail;
			/* Mix frames run across Noise frames: a stream. */
			if (pt > 0 && sink(arg, body, pt) == -1) {
				rc = MIX_NOISE_E_SINK;
				goto fail;
			}
		}
		off += want;
	}
	if (off > 0) {
		memmove(nz->buf, nz->buf + off, nz->len - off);
		nz->len -= off;
	}
	return NOISE_OK;
fail:
	nz->state = MIX_NOISE_DEAD;
	return rc;
}

int
mix_noise_seal(struct mix_noise *nz, const uint8_t *pt, size_t len,
    uint8_t *out, size_t outmax, size_t *outlen)
{
	if (nz->state != MIX_NOISE_UP)
		return NOISE_E_STATE;
	return noise_frame_seal(&nz->tx, nz->version, pt, len, out, outmax,
	    outlen);
}

const char *
mix_noise_strerror(int rc)
{
	return rc == MIX_NOISE_E_SINK ? "bad mix frame inside Noise" :
	    noise_strerror(rc);
}

/*
 * A peer that cannot do the handshake may well retry at once: the
 * details go to debug, a summary to the log at most every few seconds.
 */
void
mix_noise_log_fail(struct mixd *md, const struct nodeaddr *peer,
    const char *dir, const char *why)
{
	char	 a[NODEADDR_STRLEN];
	time_t	 now = time(NULL);

	nodeaddr_fmt(peer, a, sizeof(a));
	log_debug("noise %s %s: %s", dir, a, why);
	if (now - md->noise_log_t < NZ_LOG_EVERY_S) {
		md->noise_log_quiet++;
		return;
	}
	if (md->noise_log_quiet > 0)
		log_warnx("noise %s %s: %s (and %u more failures since)", dir,
		    a, why, md->noise_log_quiet);
	else
		log_warnx("noise %s %s: %s", dir, a, why);
	md->noise_log_t = now;
	md->noise_log_quiet = 0;
}
