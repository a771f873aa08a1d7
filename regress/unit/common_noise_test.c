/*
 * Noise_XKpsk3_25519_AESGCM_SHA256 (common/noise.c) and Nym's framing and
 * PSK rule (common/noise_frame.c): our initiator against our responder,
 * the failures a peer can cause (wrong PSK, wrong static key, low-order
 * keys, tampering, bad lengths and order), and both roles against an
 * independent implementation, Debian's python3-dissononce, driven over
 * pipes by regress/interop/noise_peer.py with Nym's frames.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "gwcrypto.h"
#include "noise.h"
#include "noise_frame.h"
#include "testlib.h"

#define PYTHON	"/usr/bin/python3"

struct keys {
	uint8_t	 sk[NOISE_KEY_LEN], pub[NOISE_KEY_LEN];
};

static void
keygen(struct keys *k)
{
	randombytes_buf(k->sk, sizeof(k->sk));
	crypto_scalarmult_base(k->pub, k->sk);
}

static uint8_t	 bufa[NOISE_FRAME_MAX], bufb[NOISE_FRAME_MAX];

static void
unhex32(const char *hex, uint8_t out[32])
{
	size_t	 n;

	if (t_unhex(hex, out, 32, &n) == -1 || n != 32)
		memset(out, 0, 32);
}

static int
hexeq32(const uint8_t *got, const char *hex)
{
	uint8_t	 want[32];

	unhex32(hex, want);
	return memcmp(got, want, 32) == 0;
}

/*
 * Run the three handshake messages between i and r; returns NOISE_OK or
 * the first error, with *where = the failing message (1..3).
 */
static int
handshake(struct noise_hs *i, struct noise_hs *r, int *where)
{
	struct noise_hs	*w, *rd;
	size_t		 n, pl;
	int		 m, rc;

	for (m = 1; m <= 3; m++) {
		*where = m;
		w = m == 2 ? r : i;
		rd = m == 2 ? i : r;
		if (noise_hs_step(w) != NOISE_HS_WRITE ||
		    noise_hs_step(rd) != NOISE_HS_READ)
			return NOISE_E_STATE;
		if ((rc = noise_hs_write_message(w, NULL, 0, bufa,
		    sizeof(bufa), &n)) != NOISE_OK)
			return rc;
		if (n != (m == 3 ? NOISE_MSG3_LEN : NOISE_MSG1_LEN))
			return NOISE_E_LEN;
		if ((rc = noise_hs_read_message(rd, bufa, n, NULL, 0,
		    &pl)) != NOISE_OK)
			return rc;
	}
	return NOISE_OK;
}

static int
pair_init(struct noise_hs *i, struct noise_hs *r, const struct keys *ik,
    const struct keys *rk, const uint8_t *rs_seen_by_i,
    const uint8_t *psk_i, const uint8_t *psk_r)
{
	int	 rc;

	if ((rc = noise_hs_init(i, 1, ik->sk, rs_seen_by_i, psk_i, NULL,
	    0)) != NOISE_OK)
		return rc;
	return noise_hs_init(r, 0, rk->sk, NULL, psk_r, NULL, 0);
}

/* Transport in both directions, several sizes, in place and not. */
static int
transport_ok(struct noise_cs *is, struct noise_cs *ir, struct noise_cs *rs,
    struct noise_cs *rr)
{
	static const size_t	 sizes[] = { 0, 1, 15, 16, 17, 1000,
				    NOISE_MAX_PLAINTEXT };
	size_t			 k, n, m;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		randombytes_buf(bufb, sizes[k]);
		if (noise_cs_encrypt(is, bufb, sizes[k], bufa, sizeof(bufa),
		    &n) != NOISE_OK || n != sizes[k] + NOISE_TAG_LEN)
			return 0;
		if (noise_cs_decrypt(rr, bufa, n, bufa, sizeof(bufa), &m) !=
		    NOISE_OK || m != sizes[k] || memcmp(bufa, bufb, m) != 0)
			return 0;
		/* And back, in place. */
		memcpy(bufa, bufb, sizes[k]);
		if (noise_cs_encrypt(rs, bufa, sizes[k], bufa, sizeof(bufa),
		    &n) != NOISE_OK || noise_cs_decrypt(ir, bufa, n, bufa,
		    sizeof(bufa), &m) != NOISE_OK || m != sizes[k] ||
		    memcmp(bufa, bufb, m) != 0)
			return 0;
	}
	return is->n == k && rr->n == k && rs->n == k && ir->n == k;
}

/*
 * Cacophony's vector for this exact protocol (as shipped in snow's
 * tests/vectors/cacophony.txt): three handshake messages with payloads
 * and a prologue, then transport messages alternating from the
 * responder.  Byte-exact ciphertexts and the handshake hash.
 */
static const char *const vec_ct[] = {
	("ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944"
	"e6456dee419b259f3e687d6efaccc920b381e754a3f6f7301de84f959da696ba"),
	("95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843"
	"da57d6ce41120c246e0fc8f9b9d687ba9831b48355cc5da761e7a4c1869e7e"),
	("b6975b8b6124af41e15deeba23507aa21cde524f9a1f22c4271793bc374cce19"
	"65832867697b1860f93db614610ab10d5b552e100d00aaafd4189ee548e6c59b"
	"0c4f79ac540fa2d30089f6"),
	"3d8282543c7df202312946c03e1f3bcf8c5a7fada6808471da994b",
	"ff4e77b08822597d16f87da0299879e92e7dd33b7072e5900fb08e25a8089311bb",
	("5300fe4b9aebd6b2f3cb74f8b9f5857804f546611129c3edf6d7a7f703403762"
	"a0568e2dcc"),
};
static const char *const vec_pt[] = {
	"4c756477696720766f6e204d69736573",
	"4d757272617920526f746862617264",
	"462e20412e20486179656b",
	"4361726c204d656e676572",
	"4a65616e2d426170746973746520536179",
	"457567656e2042f6686d20766f6e2042617765726b",
};

static void
test_vector(void)
{
	struct noise_hs	 i, r;
	struct noise_cs	 cs[4];		/* i send, i recv, r send, r recv */
	uint8_t		 isk[32], iek[32], rpub[32], rsk[32], rek[32];
	uint8_t		 psk[32], hh[32], pt[64], ct[128], got[128];
	size_t		 k, n, ptl, ctl, gl;
	int		 from_i;

	T_BEGIN("noise: cacophony vector Noise_XKpsk3_25519_AESGCM_SHA256");
	unhex32("e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed"
	    "542214d1", isk);
	unhex32("893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da"
	    "977c464a", iek);
	unhex32("31e0303fd6418d2f8c0e78b91f22e8caed0fbe48656dcf4767e4834f"
	    "701b8f62", rpub);
	unhex32("4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114"
	    "246e4893", rsk);
	unhex32("bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63"
	    "da6b375b", rek);
	unhex32("54686973206973206d7920417573747269616e2070657273706563"
	    "7469766521", psk);
	CHECK(noise_hs_init(&i, 1, isk, rpub, psk,
	    (const uint8_t *)"John Galt", 9) == NOISE_OK);
	CHECK(noise_hs_init(&r, 0, rsk, NULL, psk,
	    (const uint8_t *)"John Galt", 9) == NOISE_OK);
	CHECK(noise_hs_set_ephemeral(&i, iek) == NOISE_OK);
	CHECK(noise_hs_set_ephemeral(&r, rek) == NOISE_OK);
	memset(cs, 0, sizeof(cs));
	for (k = 0; k < 6 && !t_bad_; k++) {
		from_i = k % 2 == 0;
		CHECK(t_unhex(vec_pt[k], pt, sizeof(pt), &ptl) == 0);
		CHECK(t_unhex(vec_ct[k], ct, sizeof(ct), &ctl) == 0);
		if (k < 3) {
			CHECK(noise_hs_write_message(from_i ? &i : &r, pt, ptl,
			    got, sizeof(got), &n) == NOISE_OK);
			CHECKF(n == ctl && memcmp(got, ct, n) == 0,
			    "message %zu ciphertext differs", k);
			CHECK(noise_hs_read_message(from_i ? &r : &i, got, n,
			    got, sizeof(got), &gl) == NOISE_OK);
		} else {
			CHECK(noise_cs_encrypt(&cs[from_i ? 0 : 2], pt, ptl,
			    got, sizeof(got), &n) == NOISE_OK);
			CHECKF(n == ctl && memcmp(got, ct, n) == 0,
			    "message %zu ciphertext differs", k);
			CHECK(noise_cs_decrypt(&cs[from_i ? 3 : 1], got, n,
			    got, sizeof(got), &gl) == NOISE_OK);
		}
		CHECK(gl == ptl && memcmp(got, pt, ptl) == 0);
		if (k == 2) {
			CHECK(noise_hs_split(&i, &cs[0], &cs[1]) == NOISE_OK);
			CHECK(noise_hs_split(&r, &cs[2], &cs[3]) == NOISE_OK);
			noise_hs_handshake_hash(&r, hh);
			CHECK(hexeq32(hh, "7d896ec6c2df47dfc0018daf83e13a3de2"
			    "6864da2d7a83c80a14866400af2686"));
		}
	}
	for (k = 0; k < 4; k++)
		noise_cs_free(&cs[k]);
	noise_hs_free(&i);
	noise_hs_free(&r);
	T_END();
}

static void
test_local(void)
{
	struct noise_hs	 i, r;
	struct noise_cs	 is, ir, rs, rr;
	struct keys	 ik, rk, other;
	uint8_t		 psk[32], psk2[32], hi[32], hr[32];
	uint8_t		 zero[32] = { 0 };
	size_t		 n, m;
	int		 where = 0, rc;

	keygen(&ik);
	keygen(&rk);
	keygen(&other);
	randombytes_buf(psk, sizeof(psk));
	memcpy(psk2, psk, sizeof(psk2));
	psk2[31] ^= 1;

	T_BEGIN("noise: our initiator and responder, handshake and transport");
	CHECK(pair_init(&i, &r, &ik, &rk, rk.pub, psk, psk) == NOISE_OK);
	CHECK(noise_hs_remote_static(&r) == NULL);
	CHECKF((rc = handshake(&i, &r, &where)) == NOISE_OK,
	    "message %d: %s", where, noise_strerror(rc));
	CHECK(noise_hs_step(&i) == NOISE_HS_SPLIT);
	CHECK(noise_hs_split(&i, &is, &ir) == NOISE_OK);
	CHECK(noise_hs_split(&r, &rs, &rr) == NOISE_OK);
	noise_hs_handshake_hash(&i, hi);
	noise_hs_handshake_hash(&r, hr);
	CHECK(memcmp(hi, hr, 32) == 0);
	CHECK(noise_hs_remote_static(&r) != NULL &&
	    memcmp(noise_hs_remote_static(&r), ik.pub, 32) == 0);
	CHECK(noise_hs_step(&i) == NOISE_HS_DEAD);
	CHECK(transport_ok(&is, &ir, &rs, &rr));
	/* Tampering: bad MAC, nonce kept, the genuine message still opens. */
	CHECK(noise_cs_encrypt(&is, (const uint8_t *)"abc", 3, bufa,
	    sizeof(bufa), &n) == NOISE_OK);
	bufa[1] ^= 0x80;
	CHECK(noise_cs_decrypt(&rr, bufa, n, bufb, sizeof(bufb), &m) ==
	    NOISE_E_MAC && m == 0 && bufb[0] == 0);
	bufa[1] ^= 0x80;
	CHECK(noise_cs_decrypt(&rr, bufa, n, bufb, sizeof(bufb), &m) ==
	    NOISE_OK && m == 3 && memcmp(bufb, "abc", 3) == 0);
	/* Replay of the same message: the nonce has moved on. */
	CHECK(noise_cs_decrypt(&rr, bufa, n, bufb, sizeof(bufb), &m) ==
	    NOISE_E_MAC);
	/* Wrong direction's key. */
	CHECK(noise_cs_encrypt(&is, (const uint8_t *)"abc", 3, bufa,
	    sizeof(bufa), &n) == NOISE_OK);
	CHECK(noise_cs_decrypt(&ir, bufa, n, bufb, sizeof(bufb), &m) ==
	    NOISE_E_MAC);
	/* Lengths. */
	CHECK(noise_cs_encrypt(&is, bufb, NOISE_MAX_PLAINTEXT + 1, bufa,
	    sizeof(bufa), &n) == NOISE_E_LEN);
	CHECK(noise_cs_encrypt(&is, bufb, 10, bufa, 25, &n) == NOISE_E_LEN);
	CHECK(noise_cs_decrypt(&rr, bufa, 15, bufb, sizeof(bufb), &m) ==
	    NOISE_E_LEN);
	CHECK(noise_cs_decrypt(&rr, bufa, 26, bufb, 9, &m) == NOISE_E_LEN);
	/* The nonce's last value is reserved: stop before it. */
	is.n = UINT64_MAX - 1;
	CHECK(noise_cs_encrypt(&is, bufb, 1, bufa, sizeof(bufa), &n) ==
	    NOISE_OK);
	CHECK(noise_cs_encrypt(&is, bufb, 1, bufa, sizeof(bufa), &n) ==
	    NOISE_E_NONCE);
	noise_cs_free(&is);
	noise_cs_free(&ir);
	noise_cs_free(&rs);
	noise_cs_free(&rr);
	CHECK(noise_cs_encrypt(&is, bufb, 1, bufa, sizeof(bufa), &n) ==
	    NOISE_E_STATE);
	noise_hs_free(&i);
	noise_hs_free(&r);
	T_END();

	T_BEGIN("noise: wrong PSK fails with a bad MAC at message 3");
	CHECK(pair_init(&i, &r, &ik, &rk, rk.pub, psk, psk2) == NOISE_OK);
	rc = handshake(&i, &r, &where);
	CHECKF(rc == NOISE_E_MAC && where == 3, "message %d: %s", where,
	    noise_strerror(rc));
	CHECK(noise_hs_step(&r) == NOISE_HS_DEAD);
	CHECK(noise_hs_split(&r, &rs, &rr) == NOISE_E_STATE);
	CHECK(noise_hs_write_message(&r, NULL, 0, bufa, sizeof(bufa), &n) ==
	    NOISE_E_STATE);
	noise_hs_free(&i);
	noise_hs_free(&r);
	T_END();

	T_BEGIN("noise: wrong responder static key fails with a bad MAC at "
	    "message 1");
	CHECK(pair_init(&i, &r, &ik, &rk, other.pub, psk, psk) == NOISE_OK);
	rc = handshake(&i, &r, &where);
	CHECKF(rc == NOISE_E_MAC && where == 1, "message %d: %s", where,
	    noise_strerror(rc));
	noise_hs_free(&i);
	noise_hs_free(&r);
	T_END();

	T_BEGIN("noise: low-order keys give NOISE_E_KEY");
	CHECK(pair_init(&i, &r, &ik, &rk, zero, psk, psk) == NOISE_OK);
	CHECK(noise_hs_write_message(&i, NULL, 0, bufa, sizeof(bufa), &n) ==
	    NOISE_E_KEY);
	CHECK(noise_hs_step(&i) == NOISE_HS_DEAD);
	memset(bufa, 0, NOISE_MSG1_LEN);	/* e = 0: DH is all zero */
	CHECK(noise_hs_read_message(&r, bufa, NOISE_MSG1_LEN, NULL, 0, &m) ==
	    NOISE_E_KEY);
	noise_hs_free(&i);
	noise_hs_free(&r);
	T_END();

	T_BEGIN("noise: lengths, order and payloads in handshake messages");
	CHECK(pair_init(&i, &r, &ik, &rk, rk.pub, psk, psk) == NOISE_OK);
	CHECK(noise_hs_read_message(&i, bufa, 48, NULL, 0, &m) ==
	    NOISE_E_STATE);
	CHECK(noise_hs_write_message(&r, NULL, 0, bufa, sizeof(bufa), &n) ==
	    NOISE_E_STATE);
	CHECK(noise_hs_split(&i, &is, &ir) == NOISE_E_STATE);
	/* A short output buffer is not fatal for a write. */
	CHECK(noise_hs_write_message(&i, NULL, 0, bufa, 47, &n) ==
	    NOISE_E_LEN);
	CHECK(noise_hs_write_message(&i, (const uint8_t *)"hello", 5, bufa,
	    sizeof(bufa), &n) == NOISE_OK && n == 53);
	CHECK(noise_hs_read_message(&r, bufa, n, bufb, 5, &m) == NOISE_OK &&
	    m == 5 && memcmp(bufb, "hello", 5) == 0);
	CHECK(noise_hs_write_message(&r, (const uint8_t *)"hi", 2, bufa,
	    sizeof(bufa), &n) == NOISE_OK && n == 50);
	/* A payload larger than the reader allows kills the handshake. */
	CHECK(noise_hs_read_message(&i, bufa, n, bufb, 1, &m) == NOISE_E_LEN);
	CHECK(noise_hs_step(&i) == NOISE_HS_DEAD);
	noise_hs_free(&i);
	noise_hs_free(&r);
	CHECK(pair_init(&i, &r, &ik, &rk, rk.pub, psk, psk) == NOISE_OK);
	CHECK(noise_hs_write_message(&i, NULL, 0, bufa, sizeof(bufa), &n) ==
	    NOISE_OK);
	CHECK(noise_hs_read_message(&r, bufa, 47, NULL, 0, &m) ==
	    NOISE_E_LEN);
	CHECK(noise_hs_step(&r) == NOISE_HS_DEAD);
	noise_hs_free(&i);
	noise_hs_free(&r);
	/* Bad arguments: an XK responder cannot know rs in advance. */
	CHECK(noise_hs_init(&r, 0, rk.sk, ik.pub, psk, NULL, 0) ==
	    NOISE_E_STATE);
	noise_hs_free(&r);
	CHECK(noise_hs_init(&i, 1, ik.sk, NULL, psk, NULL, 0) ==
	    NOISE_E_STATE);
	noise_hs_free(&i);
	T_END();

	T_BEGIN("noise: prologues must match");
	CHECK(noise_hs_init(&i, 1, ik.sk, rk.pub, psk,
	    (const uint8_t *)"a", 1) == NOISE_OK);
	CHECK(noise_hs_init(&r, 0, rk.sk, NULL, psk,
	    (const uint8_t *)"b", 1) == NOISE_OK);
	rc = handshake(&i, &r, &where);
	CHECK(rc == NOISE_E_MAC && where == 1);
	noise_hs_free(&i);
	noise_hs_free(&r);
	T_END();
}

static void
test_frames(void)
{
	struct noise_frame_hdr	 h;
	struct noise_hs		 i, r;
	struct noise_cs		 is, ir, rs, rr;
	struct keys		 ik, rk;
	uint8_t			 hdr[8], psk[32], want[32];
	uint8_t			 pub[32];
	size_t			 n, m, k;
	int			 rc;

	T_BEGIN("noise frame: header layout, decoding rules");
	h.version = 1;
	h.pattern = 1;
	h.type = 1;
	h.len = 0x1234;
	noise_frame_hdr_encode(&h, hdr);
	CHECK(memcmp(hdr, "\x01\x01\x01\x12\x34\x00\x00\x00", 8) == 0);
	memcpy(hdr, "\x07\x01\x00\xff\xff\x01\x02\x03", 8);
	/* Reserved bytes and the version are not judged by the codec. */
	CHECK(noise_frame_hdr_decode(hdr, &h) == NOISE_OK && h.version == 7 &&
	    h.pattern == 1 && h.type == 0 && h.len == 0xffff);
	CHECK(noise_frame_expect(&h, NOISE_NYM_HANDSHAKE, 1) == NOISE_E_FRAME);
	hdr[1] = 3;
	CHECK(noise_frame_hdr_decode(hdr, &h) == NOISE_E_FRAME);
	hdr[1] = 2;
	CHECK(noise_frame_hdr_decode(hdr, &h) == NOISE_OK);
	CHECK(noise_frame_expect(&h, NOISE_NYM_HANDSHAKE, 7) == NOISE_E_FRAME);
	hdr[2] = 2;
	CHECK(noise_frame_hdr_decode(hdr, &h) == NOISE_E_FRAME);
	T_END();

	T_BEGIN("noise frame: PSK = SHA-256(\"NYMTECH_NOISE_dQw4w9WgXcQ\" || "
	    "responder key)");
	for (k = 0; k < 32; k++)
		pub[k] = (uint8_t)(k + 1);
	/* Computed with Python's hashlib. */
	t_unhex("80c7197b12b82b24ab3548fa843d9d07196667a6b3674dde9fd963ad6c29"
	    "6a77", want, sizeof(want), &n);
	CHECK(noise_nym_psk(1, pub, psk) == NOISE_OK &&
	    memcmp(psk, want, 32) == 0);
	CHECK(noise_nym_psk(0, pub, psk) == NOISE_E_VERSION);
	CHECK(noise_nym_psk(2, pub, psk) == NOISE_E_VERSION);
	T_END();

	keygen(&ik);
	keygen(&rk);
	T_BEGIN("noise frame: a Nym session, frame by frame");
	CHECK(noise_nym_hs_initiator(&i, 1, ik.sk, rk.pub) == NOISE_OK);
	CHECK(noise_frame_hs_write(&i, 1, bufa, sizeof(bufa), &n) ==
	    NOISE_OK && n == 8 + 48);
	CHECK(memcmp(bufa, "\x01\x01\x00\x00\x30\x00\x00\x00", 8) == 0);
	CHECK(noise_frame_hdr_decode(bufa, &h) == NOISE_OK);
	CHECK(noise_nym_hs_responder(&r, &h, rk.sk) == NOISE_OK);
	CHECK(noise_frame_hs_read(&r, h.version, &h, bufa + 8) == NOISE_OK);
	CHECK(noise_frame_hs_write(&r, 1, bufa, sizeof(bufa), &n) ==
	    NOISE_OK && n == 8 + 48);
	CHECK(noise_frame_hdr_decode(bufa, &h) == NOISE_OK);
	CHECK(noise_frame_hs_read(&i, 1, &h, bufa + 8) == NOISE_OK);
	CHECK(noise_frame_hs_write(&i, 1, bufa, sizeof(bufa), &n) ==
	    NOISE_OK && n == 8 + 64);
	CHECK(noise_frame_hdr_decode(bufa, &h) == NOISE_OK && h.len == 64);
	CHECK(noise_frame_hs_read(&r, 1, &h, bufa + 8) == NOISE_OK);
	CHECK(noise_hs_split(&i, &is, &ir) == NOISE_OK);
	CHECK(noise_hs_split(&r, &rs, &rr) == NOISE_OK);
	CHECK(noise_frame_seal(&is, 1, (const uint8_t *)"mix", 3, bufa,
	    sizeof(bufa), &n) == NOISE_OK && n == 8 + 3 + 16);
	CHECK(memcmp(bufa, "\x01\x01\x01\x00\x13\x00\x00\x00", 8) == 0);
	CHECK(noise_frame_hdr_decode(bufa, &h) == NOISE_OK);
	/* A handshake-typed frame is refused after the handshake. */
	bufa[2] = 0;
	CHECK(noise_frame_hdr_decode(bufa, &h) == NOISE_OK);
	CHECK(noise_frame_open(&rr, 1, &h, bufa + 8, bufb, sizeof(bufb),
	    &m) == NOISE_E_FRAME);
	bufa[2] = 1;
	CHECK(noise_frame_hdr_decode(bufa, &h) == NOISE_OK);
	CHECK(noise_frame_open(&rr, 1, &h, bufa + 8, bufb, sizeof(bufb),
	    &m) == NOISE_OK && m == 3 && memcmp(bufb, "mix", 3) == 0);
	/* Largest write; in place from the body position. */
	memset(bufa + 8, 0x5a, NOISE_MAX_PLAINTEXT);
	CHECK(noise_frame_seal(&rs, 1, bufa + 8, NOISE_MAX_PLAINTEXT, bufa,
	    sizeof(bufa), &n) == NOISE_OK && n == NOISE_FRAME_MAX);
	CHECK(noise_frame_hdr_decode(bufa, &h) == NOISE_OK && h.len == 65535);
	CHECK(noise_frame_open(&ir, 1, &h, bufa + 8, bufb, sizeof(bufb),
	    &m) == NOISE_OK && m == NOISE_MAX_PLAINTEXT && bufb[0] == 0x5a &&
	    bufb[m - 1] == 0x5a);
	noise_cs_free(&is);
	noise_cs_free(&ir);
	noise_cs_free(&rs);
	noise_cs_free(&rr);
	noise_hs_free(&i);
	noise_hs_free(&r);
	T_END();

	T_BEGIN("noise frame: responder refuses unknown version, pattern, "
	    "type, and a version change");
	memcpy(hdr, "\x02\x01\x00\x00\x30\x00\x00\x00", 8);
	CHECK(noise_frame_hdr_decode(hdr, &h) == NOISE_OK);
	CHECK((rc = noise_nym_hs_responder(&r, &h, rk.sk)) ==
	    NOISE_E_VERSION);
	noise_hs_free(&r);
	hdr[0] = 1;
	hdr[1] = 2;
	CHECK(noise_frame_hdr_decode(hdr, &h) == NOISE_OK);
	CHECK(noise_nym_hs_responder(&r, &h, rk.sk) == NOISE_E_FRAME);
	noise_hs_free(&r);
	hdr[1] = 1;
	hdr[2] = 1;
	CHECK(noise_frame_hdr_decode(hdr, &h) == NOISE_OK);
	CHECK(noise_nym_hs_responder(&r, &h, rk.sk) == NOISE_E_FRAME);
	noise_hs_free(&r);
	CHECK(noise_nym_hs_initiator(&i, 1, ik.sk, rk.pub) == NOISE_OK);
	CHECK(noise_frame_hs_write(&i, 1, bufa, sizeof(bufa), &n) ==
	    NOISE_OK);
	CHECK(noise_frame_hdr_decode(bufa, &h) == NOISE_OK);
	CHECK(noise_nym_hs_responder(&r, &h, rk.sk) == NOISE_OK);
	CHECK(noise_frame_hs_read(&r, 1, &h, bufa + 8) == NOISE_OK);
	CHECK(noise_frame_hs_write(&r, 1, bufa, sizeof(bufa), &n) ==
	    NOISE_OK);
	CHECK(noise_frame_hdr_decode(bufa, &h) == NOISE_OK);
	CHECK(noise_frame_hs_read(&i, 1, &h, bufa + 8) == NOISE_OK);
	CHECK(noise_frame_hs_write(&i, 1, bufa, sizeof(bufa), &n) ==
	    NOISE_OK);
	bufa[0] = 2;
	CHECK(noise_frame_hdr_decode(bufa, &h) == NOISE_OK);
	CHECK(noise_frame_hs_read(&r, 1, &h, bufa + 8) == NOISE_E_FRAME);
	noise_hs_free(&i);
	noise_hs_free(&r);
	CHECK(noise_nym_hs_initiator(&i, 3, ik.sk, rk.pub) ==
	    NOISE_E_VERSION);
	noise_hs_free(&i);
	T_END();
}

/* --- against dissononce ------------------------------------------------ */

struct peer {
	pid_t	 pid;
	int	 to, from;
};

static int
dissononce_available(void)
{
	pid_t	 pid;
	int	 st, devnull;

	if (access(PYTHON, X_OK) == -1)
		return 0;
	if ((pid = fork()) == -1)
		return 0;
	if (pid == 0) {
		if ((devnull = open("/dev/null", O_WRONLY)) != -1)
			dup2(devnull, STDERR_FILENO);
		execl(PYTHON, PYTHON, "-c", "import dissononce", (char *)NULL);
		_exit(127);
	}
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0;
}

static int
peer_start(struct peer *p, const char *role, const char *sk, const char *a3,
    const char *a4)
{
	static char	 script[1024];
	const char	*top = getenv("TOP");
	int		 in[2], out[2];

	snprintf(script, sizeof(script), "%s%sregress/interop/noise_peer.py",
	    top ? top : "", top ? "/" : "");
	if (pipe(in) == -1 || pipe(out) == -1)
		return -1;
	if ((p->pid = fork()) == -1)
		return -1;
	if (p->pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		execl(PYTHON, PYTHON, script, role, sk, a3, a4, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	p->to = in[1];
	p->from = out[0];
	return 0;
}

/* Close our ends and return the peer's exit status (-1 if abnormal). */
static int
peer_finish(struct peer *p)
{
	int	 st;

	close(p->to);
	close(p->from);
	while (waitpid(p->pid, &st, 0) == -1)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
write_all(int fd, const uint8_t *b, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = write(fd, b, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
read_exact(int fd, uint8_t *b, size_t n)
{
	ssize_t	 r;

	while (n > 0) {
		if ((r = read(fd, b, n)) == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

/* One frame into buf: header decoded into *h, body at buf + 8. */
static int
read_frame(int fd, struct noise_frame_hdr *h, uint8_t *buf)
{
	if (read_exact(fd, buf, NOISE_FRAME_HDR_LEN) == -1 ||
	    noise_frame_hdr_decode(buf, h) != NOISE_OK)
		return -1;
	return read_exact(fd, buf + NOISE_FRAME_HDR_LEN, h->len);
}

static void
tohex(const uint8_t *b, size_t n, char *out)
{
	size_t	 k;

	for (k = 0; k < n; k++)
		snprintf(out + 2 * k, 3, "%02x", b[k]);
}

/*
 * Our side of a session with the peer: handshake (as initiator if rs
 * is given), then check the peer's handshake hash and that it answers
 * SHA-256 of each of our plaintexts.  Returns NOISE_OK or the first
 * error (NOISE_E_FRAME for i/o trouble), *why naming the stage.
 */
static int
session(struct peer *p, const uint8_t sk[32], const uint8_t *rs,
    const char **why)
{
	static const size_t	 sizes[] = { 0, 1, 1000, NOISE_MAX_PLAINTEXT };
	struct noise_frame_hdr	 h;
	struct noise_hs		 hs;
	struct noise_cs		 send, recv;
	uint8_t			 hh[32], md[32];
	size_t			 n, m, k;
	int			 rc, step;

	memset(&send, 0, sizeof(send));
	memset(&recv, 0, sizeof(recv));
	*why = "i/o";
	if (rs != NULL) {
		if ((rc = noise_nym_hs_initiator(&hs, 1, sk, rs)) != NOISE_OK)
			goto out;
	} else {
		if (read_frame(p->from, &h, bufa) == -1) {
			memset(&hs, 0, sizeof(hs));
			rc = NOISE_E_FRAME;
			goto out;
		}
		if ((rc = noise_nym_hs_responder(&hs, &h, sk)) != NOISE_OK ||
		    (rc = noise_frame_hs_read(&hs, 1, &h, bufa + 8)) !=
		    NOISE_OK)
			goto out;
	}
	*why = "handshake";
	while ((step = noise_hs_step(&hs)) != NOISE_HS_SPLIT) {
		if (step == NOISE_HS_WRITE) {
			if ((rc = noise_frame_hs_write(&hs, 1, bufa,
			    sizeof(bufa), &n)) != NOISE_OK)
				goto out;
			if (write_all(p->to, bufa, n) == -1) {
				rc = NOISE_E_FRAME;
				goto out;
			}
		} else {
			if (read_frame(p->from, &h, bufa) == -1) {
				rc = NOISE_E_FRAME;
				goto out;
			}
			if ((rc = noise_frame_hs_read(&hs, 1, &h, bufa + 8)) !=
			    NOISE_OK)
				goto out;
		}
	}
	if ((rc = noise_hs_split(&hs, &send, &recv)) != NOISE_OK)
		goto out;
	noise_hs_handshake_hash(&hs, hh);

	*why = "peer's handshake hash";
	rc = NOISE_E_FRAME;
	if (read_frame(p->from, &h, bufa) == -1 || noise_frame_open(&recv, 1,
	    &h, bufa + 8, bufb, sizeof(bufb), &m) != NOISE_OK || m != 37 ||
	    memcmp(bufb, "hash:", 5) != 0 || memcmp(bufb + 5, hh, 32) != 0)
		goto out;
	*why = "transport";
	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		randombytes_buf(bufb, sizes[k]);
		crypto_hash_sha256(md, bufb, sizes[k]);
		if (noise_frame_seal(&send, 1, bufb, sizes[k], bufa,
		    sizeof(bufa), &n) != NOISE_OK ||
		    write_all(p->to, bufa, n) == -1 ||
		    read_frame(p->from, &h, bufa) == -1 ||
		    noise_frame_open(&recv, 1, &h, bufa + 8, bufb,
		    sizeof(bufb), &m) != NOISE_OK || m != 32 ||
		    memcmp(bufb, md, 32) != 0)
			goto out;
	}
	rc = NOISE_OK;
	*why = "";
 out:
	noise_cs_free(&send);
	noise_cs_free(&recv);
	noise_hs_free(&hs);
	return rc;
}

static void
test_interop(void)
{
	static const char *const names[] = {
		"noise interop: our initiator, dissononce responder",
		"noise interop: dissononce initiator, our responder",
		("noise interop: dissononce initiator with a wrong PSK, our "
		    "responder fails at message 3"),
	};
	struct peer	 p;
	struct keys	 ours, theirs;
	char		 skhex[65], pubhex[65], pskhex[65];
	uint8_t		 badpsk[32];
	const char	*why;
	size_t		 k;
	int		 rc, st;

	if (!dissononce_available()) {
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			t_skip(names[k], "python3-dissononce not installed");
		return;
	}
	keygen(&ours);
	keygen(&theirs);

	T_BEGIN(names[0]);
	tohex(theirs.sk, 32, skhex);
	CHECK(peer_start(&p, "responder", skhex, NULL, NULL) == 0);
	rc = session(&p, ours.sk, theirs.pub, &why);
	st = peer_finish(&p);
	CHECKF(rc == NOISE_OK, "%s: %s", why, noise_strerror(rc));
	CHECKF(st == 0, "peer exited %d", st);
	T_END();

	T_BEGIN(names[1]);
	tohex(theirs.sk, 32, skhex);
	tohex(ours.pub, 32, pubhex);
	CHECK(peer_start(&p, "initiator", skhex, pubhex, NULL) == 0);
	rc = session(&p, ours.sk, NULL, &why);
	st = peer_finish(&p);
	CHECKF(rc == NOISE_OK, "%s: %s", why, noise_strerror(rc));
	CHECKF(st == 0, "peer exited %d", st);
	T_END();

	T_BEGIN(names[2]);
	CHECK(noise_nym_psk(1, ours.pub, badpsk) == NOISE_OK);
	badpsk[0] ^= 1;
	tohex(badpsk, 32, pskhex);
	CHECK(peer_start(&p, "initiator", skhex, pubhex, pskhex) == 0);
	rc = session(&p, ours.sk, NULL, &why);
	(void)peer_finish(&p);
	CHECKF(rc == NOISE_E_MAC && strcmp(why, "handshake") == 0,
	    "%s: %s", why, noise_strerror(rc));
	T_END();
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);
	T_BEGIN("noise: gwcrypto_init");
	CHECK(gwcrypto_init() == 0);
	T_END();
	test_vector();
	test_local();
	test_frames();
	test_interop();
	return t_done();
}
