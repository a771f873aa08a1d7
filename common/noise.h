/*
 * The Noise protocol framework (revision 34), just the one protocol the
 * Nym mix port speaks: Noise_XKpsk3_25519_AESGCM_SHA256.
 *
 *	XKpsk3:
 *	  <- s
 *	  ...
 *	  -> e, es
 *	  <- e, ee
 *	  -> s, se, psk
 *
 * The state machine (HandshakeState, SymmetricState, CipherState) is
 * ours; the primitives are the libraries': X25519 from libsodium,
 * SHA-256, HMAC-SHA256 and AES-256-GCM from libgcrypt.  Handles are
 * opened once per connection (noise_hs_init, noise_hs_split), so no
 * message allocates.  Nym's 8-byte frame and PSK rules live in
 * noise_frame.h.  Call gwcrypto_init() before anything here.
 */
#ifndef GW_NOISE_H
#define GW_NOISE_H

#include <stddef.h>
#include <stdint.h>

#define NOISE_PROTOCOL_NAME	"Noise_XKpsk3_25519_AESGCM_SHA256"
#define NOISE_KEY_LEN		32	/* X25519 keys, PSK, cipher keys */
#define NOISE_HASH_LEN		32	/* SHA-256 */
#define NOISE_TAG_LEN		16	/* AES-GCM tag */
#define NOISE_MAX_MSG		65535	/* any Noise message */
#define NOISE_MAX_PLAINTEXT	(NOISE_MAX_MSG - NOISE_TAG_LEN)

/* Handshake message sizes with an empty payload (what Nym sends). */
#define NOISE_MSG1_LEN		(NOISE_KEY_LEN + NOISE_TAG_LEN)
#define NOISE_MSG2_LEN		(NOISE_KEY_LEN + NOISE_TAG_LEN)
#define NOISE_MSG3_LEN		(NOISE_KEY_LEN + 2 * NOISE_TAG_LEN)

/* Every function returns NOISE_OK or one of these (all negative). */
#define NOISE_OK	  0
#define NOISE_E_MAC	 -1	/* AEAD tag did not verify */
#define NOISE_E_LEN	 -2	/* message or output buffer length wrong */
#define NOISE_E_STATE	 -3	/* call not valid now (order, failed hs) */
#define NOISE_E_KEY	 -4	/* DH gave all zeros: low-order peer key */
#define NOISE_E_NONCE	 -5	/* 2^64 - 1 messages sent: must close */
#define NOISE_E_CRYPTO	 -6	/* library failure (allocation, gcrypt) */
#define NOISE_E_FRAME	 -7	/* Nym frame header malformed/unexpected */
#define NOISE_E_VERSION	 -8	/* Nym Noise version we cannot speak */

struct gwcrypto_hmac;
struct gcry_cipher_handle;

/*
 * CipherState: an AES-256-GCM handle keyed once plus the 64-bit nonce.
 * Opaque in spirit; the fields are here only so it can live on a stack
 * or inside a connection struct.
 */
struct noise_cs {
	struct gcry_cipher_handle *gcm;
	uint64_t	 n;
	int		 has_key;
};

/* Where a handshake stands: whose turn, or done, or dead. */
enum noise_hs_step {
	NOISE_HS_WRITE = 1,	/* call noise_hs_write_message next */
	NOISE_HS_READ,		/* call noise_hs_read_message next */
	NOISE_HS_SPLIT,		/* all three messages done: split */
	NOISE_HS_DEAD		/* failed or split: only free remains */
};

struct noise_hs {
	int		 initiator;
	int		 msg;		/* next message index, 0..3 */
	int		 failed;
	uint8_t		 ck[NOISE_HASH_LEN];
	uint8_t		 h[NOISE_HASH_LEN];
	struct noise_cs	 cs;
	struct gwcrypto_hmac *hk_salt;	/* HKDF: keyed with ck */
	struct gwcrypto_hmac *hk_work;	/* HKDF: keyed with the PRK */
	uint8_t		 s_sk[NOISE_KEY_LEN], s_pub[NOISE_KEY_LEN];
	uint8_t		 e_sk[NOISE_KEY_LEN], e_pub[NOISE_KEY_LEN];
	uint8_t		 rs[NOISE_KEY_LEN], re[NOISE_KEY_LEN];
	uint8_t		 psk[NOISE_KEY_LEN];
	int		 has_e, has_rs;
};

/*
 * Start a handshake.  s_sk is our static X25519 secret.  The initiator
 * passes the responder's static public key as rs_pub (XK: it must know
 * it); the responder passes NULL and learns the initiator's static key
 * from message 3.  psk is the 32-byte pre-shared key for the psk3
 * token.  prologue may be NULL with length 0 (Nym uses none).
 * Returns NOISE_OK, NOISE_E_STATE for a bad argument combination, or
 * NOISE_E_CRYPTO.  Always pair with noise_hs_free, even after failure.
 */
int	noise_hs_init(struct noise_hs *, int initiator,
	    const uint8_t s_sk[NOISE_KEY_LEN], const uint8_t *rs_pub,
	    const uint8_t psk[NOISE_KEY_LEN], const uint8_t *prologue,
	    size_t prologuelen);
/* Wipe every secret and close the handles. */
void	noise_hs_free(struct noise_hs *);
/*
 * Fix the ephemeral key instead of drawing one (test vectors only; a
 * reused ephemeral key breaks the protocol's security).
 */
int	noise_hs_set_ephemeral(struct noise_hs *,
	    const uint8_t e_sk[NOISE_KEY_LEN]);
enum noise_hs_step noise_hs_step(const struct noise_hs *);

/*
 * Write the next handshake message carrying payload (len may be 0) into
 * out (payload and out must not overlap).  *outlen gets the message
 * length.  Errors leave the handshake dead except NOISE_E_LEN for a
 * too-small out, which may be retried.
 */
int	noise_hs_write_message(struct noise_hs *, const uint8_t *payload,
	    size_t len, uint8_t *out, size_t outmax, size_t *outlen);
/*
 * Read the peer's next handshake message; its payload goes to payload
 * (payloadmax may be 0 when none is expected).  Any error kills the
 * handshake: the connection must be closed.
 */
int	noise_hs_read_message(struct noise_hs *, const uint8_t *msg,
	    size_t len, uint8_t *payload, size_t payloadmax,
	    size_t *payloadlen);
/*
 * After the third message: the transport CipherStates for this side,
 * send and recv (initiator sends with k1, responder with k2).  The
 * handshake is dead afterwards except for noise_hs_handshake_hash and
 * noise_hs_remote_static; free the CipherStates with noise_cs_free.
 */
int	noise_hs_split(struct noise_hs *, struct noise_cs *send,
	    struct noise_cs *recv);
/* h: identical on both sides of a completed handshake. */
void	noise_hs_handshake_hash(const struct noise_hs *,
	    uint8_t out[NOISE_HASH_LEN]);
/* The peer's static public key, or NULL if not known (yet). */
const uint8_t *noise_hs_remote_static(const struct noise_hs *);

/*
 * Transport: out = AESGCM(k, n++, ad = empty, pt), len + 16 bytes, with
 * len <= NOISE_MAX_PLAINTEXT.  pt may equal out.
 */
int	noise_cs_encrypt(struct noise_cs *, const uint8_t *pt, size_t len,
	    uint8_t *out, size_t outmax, size_t *outlen);
/*
 * The reverse; on NOISE_E_MAC the nonce is not advanced and out is
 * zeroed.  ct may equal out.
 */
int	noise_cs_decrypt(struct noise_cs *, const uint8_t *ct, size_t len,
	    uint8_t *out, size_t outmax, size_t *outlen);
void	noise_cs_free(struct noise_cs *);

const char *noise_strerror(int);

#endif
