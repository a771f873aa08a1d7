/*
 * nymclient: a small Nym gateway client over WebSocket, for tests and
 * benchmarks on loopback (client-protocol.md sections 1-5).  It speaks
 * the client side of what clientd serves: the HTTP/1.1 upgrade, masked
 * client frames (wslay's client mode), the registration handshake
 * (section 2, with common/client_crypto.c's client half), authenticateV2
 * (section 3), claimFreeTestnetBandwidth, encryptedRequest, ForwardSphinx
 * and ForwardSphinxV2 frames, and pushed messages decrypted with the
 * shared key.  It is test code: it trusts nothing from the gateway but
 * aborts on nothing either; every failure is a return value with a
 * reason in nymclient_error().
 *
 * Two ways to drive it:
 *
 * Blocking, with timeouts (shell tools, simple tests):
 *	c = nymclient_new(gw_identity);		(or nymclient_load(path))
 *	nymclient_connect(c, "127.0.0.1", port, 2000);
 *	nymclient_register(c, 5000);		(or nymclient_authenticate)
 *	nymclient_claim_free(c, 5000, &bw);
 *	while (nymclient_recv(c, &m, 1000) == 1) ... m.kind, m.data, m.len
 *	nymclient_save(c, path); nymclient_free(c);
 *
 * Non-blocking, many clients in one thread (benchmarks): every
 * operation has a _start form that only queues bytes; the caller polls
 * nymclient_fd() for nymclient_events() and calls nymclient_step(),
 * which does the I/O and moves the state machine on without blocking.
 * nymclient_state() tells where a client is (NC_READY once registered
 * or authenticated, NC_FAILED with a reason on error) and
 * nymclient_next() pops what arrived.  The blocking calls are exactly
 * the _start calls plus a poll()/step loop, so both ways behave alike.
 *
 * Messages that arrive are queued in order: Text frames the state
 * machine does not consume (bandwidth, send, error, ...), pushed
 * messages (Binary kind 1, decrypted: the final-hop payload), Binary
 * frames that do not open, and the close.  Pushed messages that arrive
 * while a handshake or authentication is still running are queued too.
 *
 * Not thread-safe; one client per thread or all in one loop.  Needs
 * gwcrypto_init() (nymclient_new calls it).
 */
#ifndef NYMCLIENT_H
#define NYMCLIENT_H

#include <stddef.h>
#include <stdint.h>

struct nymclient;

enum nymclient_state {
	NC_IDLE,		/* not connected */
	NC_CONNECTING,		/* TCP connect and HTTP upgrade */
	NC_OPEN,		/* upgraded, nothing sent yet (FRESH) */
	NC_HS_REPLY,		/* sent handshake message 1, awaiting 2 */
	NC_HS_FINAL,		/* sent message 3, awaiting [1] */
	NC_HS_REGISTER,		/* awaiting {"type":"register"} */
	NC_AUTH,		/* sent authenticateV2, awaiting the reply */
	NC_READY,		/* registered or authenticated */
	NC_CLOSED,		/* the gateway closed (or we did) */
	NC_FAILED,		/* see nymclient_error() */
};

enum nymclient_msg_kind {
	NCM_TEXT,		/* a Text frame, as received */
	NCM_PUSHED,		/* Binary kind 1, decrypted payload */
	NCM_BINARY,		/* a Binary frame that did not open: raw */
	NCM_CLOSE,		/* the close frame: data = code (2 bytes BE) */
};

struct nymclient_msg {
	enum nymclient_msg_kind	 kind;
	uint8_t			*data;	/* NUL-ended too; owned by caller */
	size_t			 len;
};

/* A fresh random identity that expects gateway identity gw_id. */
struct nymclient *nymclient_new(const uint8_t gw_id[32]);
void	 nymclient_free(struct nymclient *);
/*
 * Keys on disk: identity seed, gateway identity, shared key (if
 * registered) and the last authenticateV2 timestamp, as "name hex"
 * lines, mode 0600.  0 or -1 (errno or nymclient_error on load).
 */
int	 nymclient_save(const struct nymclient *, const char *path);
struct nymclient *nymclient_load(const char *path);

/* The identity (= Nym address on the gateway), and the shared key. */
void	 nymclient_identity(const struct nymclient *, uint8_t out[32]);
int	 nymclient_has_key(const struct nymclient *);
/* Forget the session key (as a client whose key was lost would). */
void	 nymclient_drop_key(struct nymclient *);
/* Tests: sign handshake message 3 with another key (a bad signature). */
void	 nymclient_test_bad_signature(struct nymclient *, int on);

enum nymclient_state nymclient_state(const struct nymclient *);
const char *nymclient_state_name(enum nymclient_state);
/* Why the last operation failed: the gateway's error text if any. */
const char *nymclient_error(const struct nymclient *);
/* The negotiated protocol version, and the bandwidth last reported by
 * authenticate / bandwidth / send responses (-1 before any). */
int	 nymclient_version(const struct nymclient *);
int64_t	 nymclient_bandwidth(const struct nymclient *);

/* --- non-blocking use -------------------------------------------- */

/* Begin a TCP connect and upgrade to ip:port (IPv4 or IPv6 literal). */
int	 nymclient_connect_start(struct nymclient *, const char *ip,
	    uint16_t port);
/* Handshake message 1; needs NC_OPEN.  NC_READY when registered. */
int	 nymclient_register_start(struct nymclient *);
/* authenticateV2 with timestamp ts (0: now, or the last used + 1 if
 * that is later); needs NC_OPEN and a key.  NC_READY on success. */
int	 nymclient_auth_start(struct nymclient *, int64_t ts);
/* The authenticateV2 text for ts, exactly as auth_start would send it
 * (for replays); records ts as used.  Length or -1. */
int	 nymclient_auth_request(struct nymclient *, int64_t ts, char *out,
	    size_t outlen);
int	 nymclient_fd(const struct nymclient *);
/* POLLIN and/or POLLOUT the client waits for (0: nothing to do). */
short	 nymclient_events(const struct nymclient *);
/* Do all I/O possible now.  0, or -1 once failed or closed. */
int	 nymclient_step(struct nymclient *);
/* Pop a queued message: 1 if one, 0 if none. */
int	 nymclient_next(struct nymclient *, struct nymclient_msg *);
/* Queued messages (for counting without popping). */
size_t	 nymclient_pending(const struct nymclient *);

/* Queue frames (sent on the next step; any state after NC_OPEN). */
int	 nymclient_send_text(struct nymclient *, const void *, size_t);
int	 nymclient_send_binary(struct nymclient *, const void *, size_t);
/* claimFreeTestnetBandwidth; the answer arrives as NCM_TEXT. */
int	 nymclient_claim_free_start(struct nymclient *);
/* Binary kind (1 or 2) || 0x01 || nonce || GCM-SIV(mixpacket). */
int	 nymclient_forward_start(struct nymclient *, uint8_t kind,
	    const uint8_t *mixpacket, size_t len);
/* encryptedRequest carrying the JSON plaintext json. */
int	 nymclient_encrypted_start(struct nymclient *, const char *json);
/* ecashCredential with these CredentialSpendingData bytes. */
int	 nymclient_ticket_start(struct nymclient *, const uint8_t *, size_t);
/* Decrypt an encryptedResponse text into out (NUL-ended): length or -1. */
int	 nymclient_encrypted_open(struct nymclient *, const char *text,
	    size_t len, char *out, size_t outlen);
/* Close frame, then the socket once it is sent or on free. */
int	 nymclient_close_start(struct nymclient *, uint16_t code);

/* --- blocking use (each returns 0, or -1 with nymclient_error) ---- */

int	 nymclient_connect(struct nymclient *, const char *ip, uint16_t port,
	    int timeout_ms);
int	 nymclient_register(struct nymclient *, int timeout_ms);
int	 nymclient_authenticate(struct nymclient *, int timeout_ms);
/* claimFreeTestnetBandwidth and its "bandwidth" answer. */
int	 nymclient_claim_free(struct nymclient *, int timeout_ms,
	    int64_t *available);
/* An encryptedRequest and its decrypted answer (other messages that
 * arrive meanwhile stay queued). */
int	 nymclient_encrypted(struct nymclient *, const char *json,
	    char *reply, size_t replylen, int timeout_ms);
/* Wait for the first queued Text frame whose "type" is one of types
 * (NULL-ended) and unlink it into m; other messages stay queued. */
int	 nymclient_wait_text(struct nymclient *, const char *const *types,
	    struct nymclient_msg *m, int timeout_ms);
/* Raw frames, e.g. malformed requests; nothing is checked. */
int	 nymclient_send_raw_text(struct nymclient *, const char *, size_t);
int	 nymclient_send_raw_binary(struct nymclient *, const uint8_t *,
	    size_t);
/* Wait up to timeout_ms for a message: 1 got one, 0 timed out, -1
 * closed or failed with nothing queued. */
int	 nymclient_recv(struct nymclient *, struct nymclient_msg *,
	    int timeout_ms);
/* Step until everything queued has been written (or timeout). */
int	 nymclient_flush(struct nymclient *, int timeout_ms);
void	 nymclient_msg_free(struct nymclient_msg *);

#endif
