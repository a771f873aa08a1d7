/*
 * Sphinx packet processing, byte-compatible with Nym (sphinx-packet 0.6.0,
 * doc/spec/sphinx-mixport.md): one hop's unwrap, at a mix node (forward
 * hop) or at the gateway (final hop).
 *
 * Packet: alpha(32) || gamma(16) || beta(300) || payload, total one of the
 * Nym sizes below.  Per hop: ss = X25519(sk, alpha); E = HKDF-SHA256(ss)
 * (288 bytes); check gamma = HMAC-SHA256(E[16..32), beta)[0..16); replay
 * check on E[256..288); decrypt the routing block with AES-128-CTR; remove
 * one Lioness layer from the payload.
 *
 * Typical final-hop use (mixd): one sphinx_ctx per thread, created once
 * (threads sharing keys share one replay lock, sphinx_ctx_share_replay);
 * per packet a caller buffer of the packet's length:
 *
 *	const struct sphinx_key *cand[2];
 *	n = sphinx_key_candidates(&primary, have_secondary ? &secondary :
 *	    NULL, frame_rotation, cand);
 *	rc = sphinx_process(ctx, cand, n, SPHINX_ACCEPT_FINAL, pkt, len,
 *	    buf, &res);
 *	then sphinx_payload_split(size, res.plaintext, res.plaintext_len, ..)
 */
#ifndef GW_SPHINX_H
#define GW_SPHINX_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct replay_filter;

#define SPHINX_ALPHA_LEN	32
#define SPHINX_GAMMA_LEN	16
#define SPHINX_BETA_LEN		300
#define SPHINX_HEADER_LEN	348
#define SPHINX_SLOT_LEN		60	/* one hop's routing slot */
#define SPHINX_MAX_HOPS		5
#define SPHINX_ADDR_LEN		32	/* NodeAddressBytes / destination */
#define SPHINX_ID_LEN		16	/* SURB identifier */
#define SPHINX_KEY_LEN		32	/* X25519 secret or public key */
#define SPHINX_REPLAY_TAG_LEN	32
#define SPHINX_PAYLOAD_OVERHEAD	17	/* 16 zero bytes + 0x01 marker */
#define SPHINX_MIN_PACKET	(SPHINX_HEADER_LEN + SPHINX_PAYLOAD_OVERHEAD)

/* Nym's Sphinx packet sizes (spec 1.3). */
#define SPHINX_SIZE_ACK		386
#define SPHINX_SIZE_REGULAR	2413
#define SPHINX_SIZE_EXT8	8557
#define SPHINX_SIZE_EXT16	16749
#define SPHINX_SIZE_EXT32	33133
#define SPHINX_MAX_PACKET	SPHINX_SIZE_EXT32

/* Packet-size tags as they appear in mix frames (spec 6.2). */
enum sphinx_size_tag {
	SPHINX_TAG_REGULAR = 1,
	SPHINX_TAG_ACK = 2,
	SPHINX_TAG_EXT32 = 3,
	SPHINX_TAG_EXT8 = 4,
	SPHINX_TAG_EXT16 = 5,
	SPHINX_TAG_OUTFOX_REGULAR = 6,	/* not Sphinx; framed, never parsed */
	SPHINX_TAG_OUTFOX_ACK = 7,
};
#define SPHINX_SIZE_OUTFOX_REGULAR	2377
#define SPHINX_SIZE_OUTFOX_ACK		377

/* Header versions (wire: 0x00 || u16 BE). */
#define SPHINX_VERSION_INITIAL		1	/* legacy 192-byte payload key */
#define SPHINX_VERSION_LEGACY		257	/* legacy */
#define SPHINX_VERSION_EXPLICIT_KEYS	258	/* legacy; Nym clients' default */
#define SPHINX_VERSION_SEEDS		259	/* payload key from 16-byte seed */
#define SPHINX_VERSION_SINGLE_SEED	260	/* as 259 for a hop */

#define SPHINX_FLAG_FORWARD	1
#define SPHINX_FLAG_FINAL	2

/* Error codes: every reason to drop a packet has its own. */
enum sphinx_err {
	SPHINX_OK = 0,
	SPHINX_ERR_LENGTH = -1,		/* not a Nym Sphinx size (truncated) */
	SPHINX_ERR_NO_KEY = -2,		/* no key for the frame's rotation */
	SPHINX_ERR_DH = -3,		/* alpha gives an all-zero secret */
	SPHINX_ERR_MAC = -4,		/* gamma wrong: tampered or wrong key */
	SPHINX_ERR_REPLAY = -5,		/* replay tag already seen */
	SPHINX_ERR_FLAG = -6,		/* routing flag neither 1 nor 2 */
	SPHINX_ERR_VERSION = -7,	/* unknown header version */
	SPHINX_ERR_HOP_TYPE = -8,	/* forward/final hop not accepted here */
	SPHINX_ERR_PAYLOAD = -9,	/* no 16 zero bytes: payload key wrong */
	SPHINX_ERR_PADDING = -10,	/* no 0x01 end marker */
	SPHINX_ERR_ARG = -11,		/* bad argument (route, sizes) */
	SPHINX_ERR_CRYPTO = -12,	/* library failure */
};

/*
 * One Sphinx private key of a key rotation, with that rotation's replay
 * filter (NULL: no replay check).
 */
struct sphinx_key {
	uint8_t			 sk[SPHINX_KEY_LEN];
	uint32_t		 rotation_id;
	struct replay_filter	*replay;
};

/* What one hop learnt.  Filled by sphinx_process. */
struct sphinx_result {
	int			 flag;		/* SPHINX_FLAG_FORWARD/_FINAL */
	uint16_t		 version;
	const struct sphinx_key	*key;		/* the key whose MAC matched */
	uint8_t			 replay_tag[SPHINX_REPLAY_TAG_LEN];
	/* forward hop */
	uint8_t			 next_hop[SPHINX_ADDR_LEN];
	uint64_t		 delay_ns;
	size_t			 packet_len;	/* outgoing packet length */
	/* final hop */
	uint8_t			 destination[SPHINX_ADDR_LEN];
	uint8_t			 identifier[SPHINX_ID_LEN];
	size_t			 payload_len;	/* unwrapped payload length */
	const uint8_t		*plaintext;	/* inside the out buffer */
	size_t			 plaintext_len;
};

#define SPHINX_ACCEPT_FORWARD	0x1
#define SPHINX_ACCEPT_FINAL	0x2
#define SPHINX_ACCEPT_ANY	(SPHINX_ACCEPT_FORWARD | SPHINX_ACCEPT_FINAL)

struct sphinx_ctx;

/*
 * A processing context: library handles and scratch space, reused for
 * every packet (one per thread).  Calls gwcrypto_init().  NULL on failure.
 */
struct sphinx_ctx *sphinx_ctx_new(void);
void	sphinx_ctx_free(struct sphinx_ctx *);
/*
 * Contexts of several threads that share keys (and so replay filters)
 * all get the same lock, taken around each filter's check-and-set.
 */
void	sphinx_ctx_share_replay(struct sphinx_ctx *, pthread_mutex_t *);

/*
 * Unwrap one hop.  keys: 1 or 2 candidates tried in order (the second
 * only if the first's MAC fails); accept: which hop types to process.
 * out: len bytes, may equal pkt (in place).
 *   forward hop: out = the outgoing packet (len bytes), res->next_hop,
 *     delay_ns, packet_len;
 *   final hop: out[0..len-348) = the unwrapped payload; res->plaintext
 *     points at out + 16, plaintext_len bytes (the 0x01 marker excluded).
 * The replay tag of the matching key is recorded in its filter before any
 * decryption.  Returns SPHINX_OK or a negative enum sphinx_err; on error
 * nothing in out or res is meaningful.
 */
int	sphinx_process(struct sphinx_ctx *, const struct sphinx_key *const *keys,
	    size_t nkeys, int accept, const uint8_t *pkt, size_t len,
	    uint8_t *out, struct sphinx_result *res);

/*
 * The keys to try for a frame's key-rotation byte (0 unknown, 1 odd, 2
 * even; v7 frames: 0), nym-node's rule: a known parity picks the key of
 * that parity; unknown tries primary then secondary.  secondary may be
 * NULL.  Returns how many were put in cand (0: none, SPHINX_ERR_NO_KEY).
 */
size_t	sphinx_key_candidates(const struct sphinx_key *primary,
	    const struct sphinx_key *secondary, uint8_t rotation,
	    const struct sphinx_key *cand[2]);

/* Packet length for a size tag, 0 for an unknown tag (Outfox included). */
size_t	sphinx_size_of_tag(uint8_t tag);
/* Size tag for a Sphinx packet length, 0 if not a Nym Sphinx size. */
uint8_t	sphinx_tag_of_size(size_t len);
/* 1 for the versions a hop accepts (1, 257, 258, 259, 260). */
int	sphinx_version_known(uint16_t version);
/* 1 if the version uses the 192-byte key straight from the expansion. */
int	sphinx_version_legacy_key(uint16_t version);
const char *sphinx_strerror(int);

/*
 * Building blocks, exposed for sphinx_create.c, tests and benchmarks.
 */
#define SPHINX_EXPANDED_LEN	288
#define SPHINX_ROUTING_LEN	360	/* beta + one slot */
#define SPHINX_PAYLOAD_KEY_LEN	192

/* E = HKDF-SHA256(salt "", ss, Nym's 97-byte info, 288).  0 or -1. */
int	sphinx_expand(struct sphinx_ctx *, const uint8_t ss[SPHINX_KEY_LEN],
	    uint8_t e[SPHINX_EXPANDED_LEN]);
/* The 192-byte Lioness key of this hop for a version.  0 or -1. */
int	sphinx_payload_key(struct sphinx_ctx *,
	    const uint8_t e[SPHINX_EXPANDED_LEN], uint16_t version,
	    uint8_t key[SPHINX_PAYLOAD_KEY_LEN]);
/* gamma = HMAC-SHA256(E[16..32), beta)[0..16).  0 or -1. */
int	sphinx_header_mac(struct sphinx_ctx *,
	    const uint8_t e[SPHINX_EXPANDED_LEN],
	    const uint8_t beta[SPHINX_BETA_LEN], uint8_t gamma[SPHINX_GAMMA_LEN]);
/* out = first len bytes of the AES-128-CTR(E[0..16), 0) keystream. */
int	sphinx_keystream(struct sphinx_ctx *,
	    const uint8_t e[SPHINX_EXPANDED_LEN], uint8_t *out, size_t len);

#endif
