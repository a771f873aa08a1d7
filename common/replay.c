/*
 * Bloom-filter replay detection for Sphinx replay tags: see replay.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "replay.h"

#define LN2	0.69314718055994530942

struct replay_filter {
	uint64_t	*words;
	uint64_t	 nwords;
	uint64_t	 bits;
	unsigned int	 hashes;
	uint8_t		 key[crypto_shorthash_siphashx24_KEYBYTES];
	uint64_t	 expected_items;
	double		 target_fp;
	uint64_t	 inserted;
	uint64_t	 replays;
	int		 capped;
};

/*
 * Natural log and exp for the sizing formulas only.  No program links
 * libm, and these two series are exact to double precision over the
 * ranges used here (0 < x, 0 <= y < 700).
 */
static double
replay_ln(double x)
{
	double	 z, z2, term, sum;
	int	 e = 0, i;

	while (x >= 2.0) {
		x /= 2.0;
		e++;
	}
	while (x < 1.0) {
		x *= 2.0;
		e--;
	}
	/* ln x = 2 atanh((x - 1) / (x + 1)), |z| < 1/3 */
	z = (x - 1.0) / (x + 1.0);
	z2 = z * z;
	term = z;
	sum = 0.0;
	for (i = 1; i < 80; i += 2) {
		sum += term / i;
		term *= z2;
	}
	return 2.0 * sum + e * LN2;
}

static double
replay_exp_neg(double y)
{
	double	 r, term, sum;
	int	 n = 0, i;

	/* e^-y = 2^-n * e^-r with y = n ln 2 + r, 0 <= r < ln 2 */
	while (y >= LN2) {
		y -= LN2;
		n++;
	}
	r = -y;
	term = 1.0;
	sum = 1.0;
	for (i = 1; i < 30; i++) {
		term *= r / i;
		sum += term;
	}
	while (n-- > 0)
		sum /= 2.0;
	return sum;
}

static unsigned int
replay_hashes_for(uint64_t bits, uint64_t n)
{
	double		 k = (double)bits / (double)n * LN2 + 0.5;
	unsigned int	 h;

	h = k < 1.0 ? 1 : (unsigned int)k;
	return h > REPLAY_MAX_HASHES ? REPLAY_MAX_HASHES : h;
}

int
replay_params(uint64_t n, double p, uint64_t *bits, unsigned int *hashes)
{
	double		 m;
	uint64_t	 b;

	if (n == 0 || !(p > 0.0 && p < 1.0))
		return -1;
	m = (double)n * replay_ln(p) / -(LN2 * LN2);
	if (m >= 1.8e19)
		return -1;
	b = (uint64_t)m;
	if ((double)b < m)
		b++;
	if (b < 64)
		b = 64;
	*bits = b;
	*hashes = replay_hashes_for(b, n);
	return 0;
}

struct replay_filter *
replay_new(uint64_t n, double p, uint64_t max_bytes)
{
	struct replay_filter	*f;
	uint64_t		 bits;
	unsigned int		 hashes;
	int			 capped = 0;

	if (replay_params(n, p, &bits, &hashes) == -1) {
		errno = EINVAL;
		return NULL;
	}
	if (max_bytes != 0 && bits / 8 > max_bytes) {
		if (max_bytes < 8) {
			errno = EINVAL;
			return NULL;
		}
		bits = max_bytes * 8;
		hashes = replay_hashes_for(bits, n);
		capped = 1;
	}
	/* Whole 64-bit words; the bit count stays the computed one. */
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->nwords = (bits + 63) / 64;
	if (f->nwords > SIZE_MAX / sizeof(uint64_t) ||
	    (f->words = calloc((size_t)f->nwords, sizeof(uint64_t))) == NULL) {
		free(f);
		errno = ENOMEM;
		return NULL;
	}
	f->bits = bits;
	f->hashes = hashes;
	f->expected_items = n;
	f->target_fp = p;
	f->capped = capped;
	randombytes_buf(f->key, sizeof(f->key));
	return f;
}

void
replay_free(struct replay_filter *f)
{
	if (f == NULL)
		return;
	free(f->words);
	sodium_memzero(f->key, sizeof(f->key));
	free(f);
}

/* The k bit positions of a tag: h1 + i * h2 (Kirsch-Mitzenmacher). */
static void
replay_positions(const struct replay_filter *f, const uint8_t *tag,
    uint64_t *pos)
{
	uint8_t		 h[crypto_shorthash_siphashx24_BYTES];
	uint64_t	 h1, h2;
	unsigned int	 i;

	crypto_shorthash_siphashx24(h, tag, REPLAY_TAG_LEN, f->key);
	memcpy(&h1, h, 8);
	memcpy(&h2, h + 8, 8);
	h2 |= 1;	/* never a zero stride */
	for (i = 0; i < f->hashes; i++)
		pos[i] = (h1 + (uint64_t)i * h2) % f->bits;
}

int
replay_contains(const struct replay_filter *f,
    const uint8_t tag[REPLAY_TAG_LEN])
{
	uint64_t	 pos[REPLAY_MAX_HASHES];
	unsigned int	 i;

	replay_positions(f, tag, pos);
	for (i = 0; i < f->hashes; i++)
		if ((f->words[pos[i] / 64] & (1ULL << (pos[i] % 64))) == 0)
			return 0;
	return 1;
}

void
replay_prefetch(const struct replay_filter *f,
    const uint8_t tag[REPLAY_TAG_LEN])
{
	uint64_t	 pos[REPLAY_MAX_HASHES];
	unsigned int	 i;

	replay_positions(f, tag, pos);
	for (i = 0; i < f->hashes; i++)
		__builtin_prefetch(&f->words[pos[i] / 64], 1);
}

int
replay_check_and_set(struct replay_filter *f,
    const uint8_t tag[REPLAY_TAG_LEN])
{
	uint64_t	 pos[REPLAY_MAX_HASHES], bit;
	unsigned int	 i;
	int		 present = 1;

	replay_positions(f, tag, pos);
	for (i = 0; i < f->hashes; i++) {
		bit = 1ULL << (pos[i] % 64);
		if ((f->words[pos[i] / 64] & bit) == 0) {
			present = 0;
			f->words[pos[i] / 64] |= bit;
		}
	}
	if (present)
		f->replays++;
	else
		f->inserted++;
	return present;
}

void
replay_clear(struct replay_filter *f)
{
	memset(f->words, 0, (size_t)f->nwords * sizeof(uint64_t));
	randombytes_buf(f->key, sizeof(f->key));
	f->inserted = 0;
	f->replays = 0;
}

void
replay_image_of(const struct replay_filter *f, struct replay_image *img)
{
	memset(img, 0, sizeof(*img));
	img->bits = f->bits;
	img->expected_items = f->expected_items;
	img->inserted = f->inserted;
	img->hashes = f->hashes;
	memcpy(img->key, f->key, sizeof(img->key));
}

const uint8_t *
replay_image_bytes(const struct replay_filter *f, size_t *len)
{
	*len = (size_t)f->nwords * sizeof(uint64_t);
	return (const uint8_t *)f->words;
}

struct replay_filter *
replay_from_image(const struct replay_image *img)
{
	struct replay_filter	*f;

	/* The sizes a sibling or a file may name: never absurd ones. */
	if (img->bits < 64 || img->bits > (1ULL << 36) || img->hashes == 0 ||
	    img->hashes > REPLAY_MAX_HASHES || img->expected_items == 0) {
		errno = EINVAL;
		return NULL;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	f->nwords = (img->bits + 63) / 64;
	if ((f->words = calloc((size_t)f->nwords, sizeof(uint64_t))) == NULL) {
		free(f);
		errno = ENOMEM;
		return NULL;
	}
	f->bits = img->bits;
	f->hashes = img->hashes;
	f->expected_items = img->expected_items;
	f->inserted = img->inserted;
	f->target_fp = 0.0;
	memcpy(f->key, img->key, sizeof(f->key));
	return f;
}

int
replay_load(struct replay_filter *f, uint64_t off, const void *p, size_t len)
{
	uint64_t	 size = f->nwords * sizeof(uint64_t);

	if (off > size || len > size - off)
		return -1;
	memcpy((uint8_t *)f->words + off, p, len);
	return 0;
}

void
replay_get_stats(const struct replay_filter *f, struct replay_stats *st)
{
	double		 q;
	unsigned int	 i;

	memset(st, 0, sizeof(*st));
	st->expected_items = f->expected_items;
	st->target_fp = f->target_fp;
	st->bits = f->bits;
	st->bytes = f->nwords * sizeof(uint64_t);
	st->hashes = f->hashes;
	st->inserted = f->inserted;
	st->replays = f->replays;
	st->capped = f->capped;
	/* (1 - e^(-k n / m))^k */
	q = 1.0 - replay_exp_neg((double)f->hashes *
	    (double)f->expected_items / (double)f->bits);
	st->expected_fp = 1.0;
	for (i = 0; i < f->hashes; i++)
		st->expected_fp *= q;
}
