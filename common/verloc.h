/*
 * Verloc, Nym's round-trip latency probe (doc/spec/verloc.md): a peer
 * sends echo packets seq || its identity key || its signature of the
 * two; the node answers each with the echo followed by its own
 * signature of the echo's bytes.  Pure functions, so the listener, the
 * master that signs, the tests and the fuzzer share one parser.
 */
#ifndef GW_VERLOC_H
#define GW_VERLOC_H

#include <stddef.h>
#include <stdint.h>

#define VERLOC_SEQ_LEN		8
#define VERLOC_KEY_LEN		32
#define VERLOC_SIG_LEN		64
#define VERLOC_SIGNED_LEN	(VERLOC_SEQ_LEN + VERLOC_KEY_LEN)
#define VERLOC_ECHO_LEN		(VERLOC_SIGNED_LEN + VERLOC_SIG_LEN)	/* 104 */
#define VERLOC_REPLY_LEN	(VERLOC_ECHO_LEN + VERLOC_SIG_LEN)	/* 168 */
#define VERLOC_PORT		1790

enum verloc_err {
	VERLOC_OK = 0,
	VERLOC_ESIZE,		/* not exactly one packet */
	VERLOC_EKEY,		/* the sender key is not a point */
	VERLOC_ESIG,		/* a signature does not verify */
};

struct verloc_echo {
	uint64_t	 seq;
	uint8_t		 sender[VERLOC_KEY_LEN];
	uint8_t		 sig[VERLOC_SIG_LEN];
};

/* An echo packet of `seq' signed with the ed25519 key pair (sk, pk). */
void		 verloc_echo_make(uint64_t seq, const uint8_t sk[64],
		    uint8_t out[VERLOC_ECHO_LEN]);
/* Parses and verifies an echo packet: VERLOC_OK, or why not. */
enum verloc_err	 verloc_echo_parse(const uint8_t *, size_t,
		    struct verloc_echo *);
/* The reply: the verified echo, then sig (the node's signature of it). */
void		 verloc_reply_make(const uint8_t echo[VERLOC_ECHO_LEN],
		    const uint8_t sig[VERLOC_SIG_LEN],
		    uint8_t out[VERLOC_REPLY_LEN]);
/* Parses a reply from the node whose identity key is `node': its echo
 * and the node's signature over that echo must both verify. */
enum verloc_err	 verloc_reply_parse(const uint8_t *, size_t,
		    const uint8_t node[VERLOC_KEY_LEN], struct verloc_echo *);
const char	*verloc_strerror(enum verloc_err);

/* One node's run (Nym's VerlocMeasurement, models.rs), microseconds. */
struct verloc_stats {
	uint64_t	 minimum, mean, maximum, standard_deviation;
};

/* Over n round-trip times in microseconds (all zero when n is 0); the
 * standard deviation is the population one, truncated, as Nym's. */
void		 verloc_stats_of(const uint64_t *rtt_us, size_t n,
		    struct verloc_stats *);
/* A duration as Rust's humantime prints it ("1ms 250us", "0s"), which
 * is how nym-node's JSON carries them; -1 if it does not fit. */
int		 verloc_humantime(uint64_t us, char *, size_t);

#endif
