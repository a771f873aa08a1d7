/*
 * Verloc packets (verloc.h, doc/spec/verloc.md; Nym's
 * common/verloc/src/measurements/packet.rs).  Integers are big-endian.
 */
#include <string.h>

#include <sodium.h>

#include "verloc.h"

static void
put_be64(uint8_t *p, uint64_t v)
{
	int	 i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get_be64(const uint8_t *p)
{
	uint64_t	 v = 0;
	int		 i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

void
verloc_echo_make(uint64_t seq, const uint8_t sk[64],
    uint8_t out[VERLOC_ECHO_LEN])
{
	put_be64(out, seq);
	/* libsodium's secret key ends with the public key. */
	memcpy(out + VERLOC_SEQ_LEN, sk + 32, VERLOC_KEY_LEN);
	crypto_sign_detached(out + VERLOC_SIGNED_LEN, NULL, out,
	    VERLOC_SIGNED_LEN, sk);
}

enum verloc_err
verloc_echo_parse(const uint8_t *p, size_t len, struct verloc_echo *e)
{
	if (len != VERLOC_ECHO_LEN)
		return VERLOC_ESIZE;
	/* Nym refuses a key that does not decompress before the
	 * signature check; libsodium's verify refuses it as well, but
	 * telling the two apart helps whoever reads the log. */
	if (crypto_core_ed25519_is_valid_point(p + VERLOC_SEQ_LEN) != 1)
		return VERLOC_EKEY;
	if (crypto_sign_verify_detached(p + VERLOC_SIGNED_LEN, p,
	    VERLOC_SIGNED_LEN, p + VERLOC_SEQ_LEN) != 0)
		return VERLOC_ESIG;
	e->seq = get_be64(p);
	memcpy(e->sender, p + VERLOC_SEQ_LEN, VERLOC_KEY_LEN);
	memcpy(e->sig, p + VERLOC_SIGNED_LEN, VERLOC_SIG_LEN);
	return VERLOC_OK;
}

void
verloc_reply_make(const uint8_t echo[VERLOC_ECHO_LEN],
    const uint8_t sig[VERLOC_SIG_LEN], uint8_t out[VERLOC_REPLY_LEN])
{
	memcpy(out, echo, VERLOC_ECHO_LEN);
	memcpy(out + VERLOC_ECHO_LEN, sig, VERLOC_SIG_LEN);
}

enum verloc_err
verloc_reply_parse(const uint8_t *p, size_t len,
    const uint8_t node[VERLOC_KEY_LEN], struct verloc_echo *e)
{
	enum verloc_err	 err;

	if (len != VERLOC_REPLY_LEN)
		return VERLOC_ESIZE;
	if ((err = verloc_echo_parse(p, VERLOC_ECHO_LEN, e)) != VERLOC_OK)
		return err;
	if (crypto_sign_verify_detached(p + VERLOC_ECHO_LEN, p,
	    VERLOC_ECHO_LEN, node) != 0)
		return VERLOC_ESIG;
	return VERLOC_OK;
}

const char *
verloc_strerror(enum verloc_err err)
{
	switch (err) {
	case VERLOC_OK:
		return "ok";
	case VERLOC_ESIZE:
		return "wrong size";
	case VERLOC_EKEY:
		return "malformed sender key";
	case VERLOC_ESIG:
		return "bad signature";
	}
	return "?";
}
