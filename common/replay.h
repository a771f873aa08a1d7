/*
 * Sphinx replay filter: one Bloom filter per key rotation over the 32-byte
 * replay tag (the last 32 bytes of the expanded shared secret).
 *
 * Sized from the expected number of packets n (rate x rotation lifetime)
 * and the false-positive target p, as nym-node does:
 *	bits   = ceil(n * ln p / -(ln 2)^2)
 *	hashes = round(bits / n * ln 2)
 * and capped at a memory limit, in which case the hash count is re-chosen
 * for the capped size and the achieved false-positive rate is reported.
 *
 * Bit positions come from SipHash-128 of the tag under a random per-filter
 * key (double hashing), so a sender who knows its own tags cannot aim them
 * at chosen bits.  Not thread-safe.
 */
#ifndef GW_REPLAY_H
#define GW_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#define REPLAY_TAG_LEN		32
#define REPLAY_MAX_HASHES	64
/* Per key rotation: items and false-positive target, as nym-node's
 * defaults size them; mixd and the master's copy agree on them. */
#define REPLAY_DEFAULT_ITEMS	10000000ULL
#define REPLAY_DEFAULT_FP	1e-3

struct replay_filter;

struct replay_stats {
	uint64_t	 expected_items;	/* n it was sized for */
	double		 target_fp;		/* p asked for */
	double		 expected_fp;		/* p at n items with the real size */
	uint64_t	 bits;
	uint64_t	 bytes;			/* memory held by the bit array */
	unsigned int	 hashes;
	uint64_t	 inserted;		/* distinct tags added so far */
	uint64_t	 replays;		/* check_and_set hits so far */
	int		 capped;		/* 1 if max_bytes reduced the size */
};

/*
 * Compute the size for n items and false-positive rate p (0 < p < 1)
 * without allocating.  Returns 0, or -1 on a bad argument.
 */
int	replay_params(uint64_t n, double p, uint64_t *bits, unsigned int *hashes);
/*
 * A new empty filter for n items at rate p, using at most max_bytes of
 * memory (0: no cap).  NULL on a bad argument (errno EINVAL) or when the
 * memory cannot be had (ENOMEM).
 */
struct replay_filter *replay_new(uint64_t n, double p, uint64_t max_bytes);
void	replay_free(struct replay_filter *);
/*
 * Check-and-set: returns 1 if the tag was (probably) seen before, 0 if it
 * is new (and is now recorded).
 */
int	replay_check_and_set(struct replay_filter *,
	    const uint8_t tag[REPLAY_TAG_LEN]);
/* 1 if the tag is (probably) present, without recording it. */
int	replay_contains(const struct replay_filter *,
	    const uint8_t tag[REPLAY_TAG_LEN]);
/*
 * Start loading the tag's bit positions into cache (a hint, no effect on
 * the result): call it a little before replay_check_and_set.
 */
void	replay_prefetch(const struct replay_filter *,
	    const uint8_t tag[REPLAY_TAG_LEN]);
/* Forget every tag (the filter keeps its size and gets a new hash key). */
void	replay_clear(struct replay_filter *);
void	replay_get_stats(const struct replay_filter *, struct replay_stats *);

/*
 * A filter's parameters and hash key, so that another process or a
 * later start can rebuild it: the bit array travels separately, as
 * image_bytes bytes of this host's 64-bit words.
 */
#define REPLAY_KEY_LEN		16
struct replay_image {
	uint64_t	 bits;
	uint64_t	 expected_items;
	uint64_t	 inserted;
	uint32_t	 hashes;
	uint32_t	 pad;
	uint8_t		 key[REPLAY_KEY_LEN];
};

void	replay_image_of(const struct replay_filter *, struct replay_image *);
/* The bit array and its size in bytes (a multiple of 8). */
const uint8_t *replay_image_bytes(const struct replay_filter *, size_t *);
/* An empty filter with img's parameters and key; NULL if they are out
 * of range (errno EINVAL) or memory is short.  Fill with replay_load. */
struct replay_filter *replay_from_image(const struct replay_image *);
/* len bytes of the bit array at byte offset off: 0, or -1 if outside. */
int	replay_load(struct replay_filter *, uint64_t off, const void *,
	    size_t len);

#endif
