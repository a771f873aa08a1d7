/*
 * Verloc packets (verloc.h, doc/spec/verloc.md; Nym's
 * common/verloc/src/measurements/packet.rs).  Integers are big-endian.
 */
#include <stdio.h>
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

/* floor(sqrt(v)), bit by bit: no libm in every program for one call. */
static uint64_t
isqrt128(unsigned __int128 v)
{
	unsigned __int128	 r = 0, bit = (unsigned __int128)1 << 126;

	while (bit > v)
		bit >>= 2;
	while (bit != 0) {
		if (v >= r + bit) {
			v -= r + bit;
			r = (r >> 1) + bit;
		} else
			r >>= 1;
		bit >>= 2;
	}
	return (uint64_t)r;
}

void
verloc_stats_of(const uint64_t *rtt, size_t n, struct verloc_stats *st)
{
	unsigned __int128	 var = 0;
	uint64_t		 sum = 0, d;
	size_t			 i;

	memset(st, 0, sizeof(*st));
	if (n == 0)
		return;
	st->minimum = UINT64_MAX;
	for (i = 0; i < n; i++) {
		st->minimum = rtt[i] < st->minimum ? rtt[i] : st->minimum;
		st->maximum = rtt[i] > st->maximum ? rtt[i] : st->maximum;
		sum += rtt[i];
	}
	st->mean = sum / n;
	for (i = 0; i < n; i++) {
		d = rtt[i] > st->mean ? rtt[i] - st->mean : st->mean - rtt[i];
		var += (unsigned __int128)d * d;
	}
	st->standard_deviation = isqrt128(var / n);
}

/* humantime's format_duration: nonzero parts, largest first, separated
 * by spaces; days plural-suffixed ("2days"), the rest as h m s ms us.
 * (Years and months, 31557600 s and 2630016 s, do not occur in a
 * round trip but are kept so no value prints wrong.) */
int
verloc_humantime(uint64_t us, char *buf, size_t len)
{
	static const struct {
		const char	*name;
		uint64_t	 us;
		int		 plural;
	} parts[] = {
		{ "year", 31557600ULL * 1000000, 1 },
		{ "month", 2630016ULL * 1000000, 1 },
		{ "day", 86400ULL * 1000000, 1 },
		{ "h", 3600ULL * 1000000, 0 },
		{ "m", 60ULL * 1000000, 0 },
		{ "s", 1000000, 0 },
		{ "ms", 1000, 0 },
		{ "us", 1, 0 },
	};
	size_t		 i, off = 0;
	uint64_t	 v;
	int		 n;

	if (us == 0)
		return snprintf(buf, len, "0s") < (int)len ? 0 : -1;
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if ((v = us / parts[i].us) == 0)
			continue;
		us -= v * parts[i].us;
		n = snprintf(buf + off, len - off, "%s%llu%s%s",
		    off ? " " : "", (unsigned long long)v, parts[i].name,
		    parts[i].plural && v > 1 ? "s" : "");
		if (n < 0 || (size_t)n >= len - off)
			return -1;
		off += (size_t)n;
	}
	return 0;
}
