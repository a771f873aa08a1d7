/*
 * Structure-aware mutation for the *_dispatch harnesses, whose inputs
 * are runs of fixed-size records, each one message from a sibling:
 * sender, type index (into the types the role table lets that sender
 * send), tail count (2 bytes), then the payload.  libFuzzer's byte
 * mutations shift every record after an insertion or deletion, so
 * nearly every mutant is a new run of unrelated messages; this one keeps
 * the records whole and aligned, as a compromised sibling's stream of
 * well-framed imsgs: it mutates one record's payload or header in place,
 * or inserts, drops, repeats or swaps whole records.  One mutation in
 * eight is libFuzzer's own over the raw bytes.
 *
 * A harness defines FUZZ_REC_PREFIX (bytes before the first record) and
 * FUZZ_REC_SIZE (header and payload) and includes this once.
 */
#ifndef FUZZ_RECORDS_H
#define FUZZ_RECORDS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

size_t	LLVMFuzzerMutate(uint8_t *, size_t, size_t);
size_t	LLVMFuzzerCustomMutator(uint8_t *, size_t, size_t, unsigned int);

static uint32_t	 rec_rnd;

static uint32_t
rec_next(void)
{
	rec_rnd ^= rec_rnd << 13;
	rec_rnd ^= rec_rnd >> 17;
	rec_rnd ^= rec_rnd << 5;
	return rec_rnd;
}

size_t
LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max,
    unsigned int seed)
{
	static uint8_t	 tmp[FUZZ_REC_SIZE];
	uint8_t		*r;
	size_t		 n, k, j, cap;

	rec_rnd = seed | 1;
	cap = max < FUZZ_REC_PREFIX ? 0 :
	    (max - FUZZ_REC_PREFIX) / FUZZ_REC_SIZE;
	if (size < FUZZ_REC_PREFIX + 4 || cap == 0 || rec_next() % 8 == 0)
		return LLVMFuzzerMutate(data, size, max);
	/* Whole records only: a short last one is zero-filled, as the
	 * harness reads it. */
	n = (size - FUZZ_REC_PREFIX + FUZZ_REC_SIZE - 1) / FUZZ_REC_SIZE;
	if (n > cap)
		n = cap;
	if (FUZZ_REC_PREFIX + n * FUZZ_REC_SIZE > size)
		memset(data + size, 0, FUZZ_REC_PREFIX + n * FUZZ_REC_SIZE -
		    size);
#define REC(i)	(data + FUZZ_REC_PREFIX + (i) * FUZZ_REC_SIZE)
	k = rec_next() % n;
	r = REC(k);
	switch (rec_next() % 8) {
	case 0:
	case 1:
	case 2:
		/* The payload, its length kept: the next record stays put. */
		j = LLVMFuzzerMutate(r + 4, FUZZ_REC_SIZE - 4,
		    FUZZ_REC_SIZE - 4);
		memset(r + 4 + j, 0, FUZZ_REC_SIZE - 4 - j);
		break;
	case 3:
		/* Another sender, type or tail count. */
		j = rec_next() % 4;
		r[j] = j == 2 && rec_next() % 2 ? (uint8_t)(rec_next() % 4) :
		    (uint8_t)rec_next();
		break;
	case 4:
		/* A new message of a random type, payload zero or another
		 * record's. */
		if (n == cap)
			break;
		memmove(REC(k + 1), r, (n - k) * FUZZ_REC_SIZE);
		if (rec_next() % 2)
			memset(r + 4, 0, FUZZ_REC_SIZE - 4);
		r[0] = (uint8_t)rec_next();
		r[1] = (uint8_t)rec_next();
		r[2] = (uint8_t)(rec_next() % 4);
		r[3] = 0;
		n++;
		break;
	case 5:
		if (n == 1)
			break;
		memmove(r, REC(k + 1), (n - k - 1) * FUZZ_REC_SIZE);
		n--;
		break;
	case 6:
		/* The same message again (a replay, a duplicate reply). */
		if (n == cap)
			break;
		memmove(REC(k + 1), r, (n - k) * FUZZ_REC_SIZE);
		n++;
		break;
	default:
		j = rec_next() % n;
		memcpy(tmp, r, FUZZ_REC_SIZE);
		memcpy(r, REC(j), FUZZ_REC_SIZE);
		memcpy(REC(j), tmp, FUZZ_REC_SIZE);
		break;
	}
#undef REC
	return FUZZ_REC_PREFIX + n * FUZZ_REC_SIZE;
}

#endif
