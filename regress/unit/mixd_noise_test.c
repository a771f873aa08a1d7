/*
 * mix_noise.c without sockets: an initiator and a responder session
 * hand each other their bytes.  The handshake completes byte by byte,
 * transport data arrives as one stream whatever the cut, and a wrong
 * key, a wrong PSK version, an oversized handshake frame, a tampered
 * data frame or a refusing sink each kill the session.  Also the
 * topology's Noise lookups (IP only for the responder, v4-mapped IPv6
 * as IPv4).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "gwcrypto.h"
#include "mixd/mixd.h"
#include "testlib.h"

static uint8_t	 got[200000];
static size_t	 ngot;
static int	 refuse;

static int
sink(void *arg, const uint8_t *p, size_t len)
{
	(void)arg;
	if (refuse || ngot + len > sizeof(got))
		return -1;
	memcpy(got + ngot, p, len);
	ngot += len;
	return 0;
}

/* Feed bytes to nz in pieces of at most step; collect the replies. */
static int
feed(struct mix_noise *nz, const uint8_t *p, size_t len, size_t step,
    uint8_t *reply, size_t *rlen)
{
	uint8_t	*space;
	size_t	 room, n, olen;
	int	 rc;

	*rlen = 0;
	while (len > 0) {
		space = mix_noise_space(nz, &room);
		n = len < step ? len : step;
		if (n > room)
			n = room;
		memcpy(space, p, n);
		rc = mix_noise_commit(nz, n, reply + *rlen, 128, &olen, sink,
		    NULL);
		if (rc != NOISE_OK)
			return rc;
		*rlen += olen;
		p += n;
		len -= n;
	}
	return NOISE_OK;
}

/* A whole handshake; 0 if both sides are up. */
static int
pair(struct mix_noise *ini, struct mix_noise *resp, const uint8_t *isk,
    const uint8_t *rsk, const uint8_t *rpub, size_t step)
{
	uint8_t	 m1[128], m2[256], m3[256];
	size_t	 l1, l2, l3, l4;

	mix_noise_init(ini, isk);
	mix_noise_init(resp, rsk);
	if (mix_noise_initiate(ini, 1, rpub, m1, sizeof(m1), &l1) !=
	    NOISE_OK ||
	    feed(resp, m1, l1, step, m2, &l2) != NOISE_OK || l2 == 0 ||
	    feed(ini, m2, l2, step, m3, &l3) != NOISE_OK || l3 == 0 ||
	    feed(resp, m3, l3, step, m1, &l4) != NOISE_OK || l4 != 0)
		return -1;
	return ini->state == MIX_NOISE_UP && resp->state == MIX_NOISE_UP &&
	    ini->established && resp->established ? 0 : -1;
}

int
main(void)
{
	struct mix_noise	 a, b;
	uint8_t			 ask[32], bsk[32], bpub[32], other[32];
	uint8_t			*pt = malloc(100000), *ct = malloc(70000);
	uint8_t			 m1[128], m2[128];
	size_t			 i, off, n, clen, l1, l2;
	int			 rc;

	if (sodium_init() == -1 || gwcrypto_init() == -1 || pt == NULL ||
	    ct == NULL)
		return 1;
	randombytes_buf(ask, sizeof(ask));
	randombytes_buf(bsk, sizeof(bsk));
	crypto_scalarmult_base(bpub, bsk);
	randombytes_buf(pt, 100000);

	T_BEGIN("handshake whole and byte by byte");
	CHECK(pair(&a, &b, ask, bsk, bpub, 1000) == 0);
	mix_noise_free(&a);
	mix_noise_free(&b);
	CHECK(pair(&a, &b, ask, bsk, bpub, 1) == 0);
	T_END();

	T_BEGIN("transport is a stream: any cut, any frame size");
	ngot = 0;
	for (off = 0, i = 0; off < 100000; off += n, i++) {
		n = i % 3 == 0 ? 1 : i % 3 == 1 ? 4000 : NOISE_MAX_PLAINTEXT;
		if (n > 100000 - off)
			n = 100000 - off;
		CHECK(mix_noise_seal(&a, pt + off, n, ct, 70000, &clen) ==
		    NOISE_OK);
		CHECK(feed(&b, ct, clen, 1 + i * 37 % 5000, m1, &l1) ==
		    NOISE_OK && l1 == 0);
	}
	CHECK(ngot == 100000 && memcmp(got, pt, 100000) == 0);
	CHECK(b.cap <= NOISE_FRAME_MAX);
	T_END();

	T_BEGIN("a tampered data frame kills the session");
	CHECK(mix_noise_seal(&a, pt, 100, ct, 70000, &clen) == NOISE_OK);
	ct[clen - 1] ^= 1;
	CHECK(feed(&b, ct, clen, clen, m1, &l1) == NOISE_E_MAC);
	CHECK(b.state == MIX_NOISE_DEAD);
	CHECK(feed(&b, ct, 1, 1, m1, &l1) == NOISE_E_STATE);
	T_END();

	T_BEGIN("the sink's refusal kills the session");
	mix_noise_free(&a);
	mix_noise_free(&b);
	CHECK(pair(&a, &b, ask, bsk, bpub, 64) == 0);
	refuse = 1;
	CHECK(mix_noise_seal(&a, pt, 10, ct, 70000, &clen) == NOISE_OK);
	CHECK(feed(&b, ct, clen, clen, m1, &l1) == MIX_NOISE_E_SINK);
	refuse = 0;
	T_END();

	T_BEGIN("a wrong responder key fails at message 1");
	mix_noise_free(&a);
	mix_noise_free(&b);
	randombytes_buf(other, sizeof(other));
	mix_noise_init(&a, ask);
	mix_noise_init(&b, bsk);
	CHECK(mix_noise_initiate(&a, 1, other, m1, sizeof(m1), &l1) ==
	    NOISE_OK);
	CHECK(feed(&b, m1, l1, l1, m2, &l2) == NOISE_E_MAC && l2 == 0);
	T_END();

	T_BEGIN("an unknown Noise version is refused");
	mix_noise_free(&a);
	mix_noise_free(&b);
	mix_noise_init(&a, ask);
	mix_noise_init(&b, bsk);
	CHECK(mix_noise_initiate(&a, 1, bpub, m1, sizeof(m1), &l1) ==
	    NOISE_OK);
	m1[0] = 2;
	CHECK(feed(&b, m1, l1, l1, m2, &l2) == NOISE_E_VERSION);
	T_END();

	T_BEGIN("a long handshake frame is refused before it is buffered");
	mix_noise_free(&b);
	mix_noise_init(&b, bsk);
	memset(m1, 0, 8);
	m1[0] = 1;
	m1[1] = 1;
	m1[3] = 0xff;
	m1[4] = 0xff;
	rc = feed(&b, m1, 8, 8, m2, &l2);
	CHECK(rc == NOISE_E_LEN && b.cap < 65536);
	T_END();

	T_BEGIN("data before the handshake is refused");
	mix_noise_free(&b);
	mix_noise_init(&b, bsk);
	m1[2] = 1;
	m1[3] = 0;
	m1[4] = 16;
	CHECK(feed(&b, m1, 24, 24, m2, &l2) != NOISE_OK);
	mix_noise_free(&a);
	mix_noise_free(&b);
	T_END();

	T_BEGIN("canonical addresses: v4-mapped IPv6 is IPv4");
	{
		struct nodeaddr	 x, y;

		nodeaddr_parse("[::ffff:10.1.2.3]:1789", &x);
		nodeaddr_parse("10.1.2.3:1789", &y);
		mix_addr_canon(&x);
		CHECK(nodeaddr_eq(&x, &y));
		nodeaddr_parse("[2001:db8::1]:1789", &x);
		y = x;
		mix_addr_canon(&x);
		CHECK(nodeaddr_eq(&x, &y) && x.family == 6);
	}
	T_END();
	free(pt);
	free(ct);
	return t_done();
}
