/*
 * Replay filter: nym-node's sizing (spec 9.1 V3), check-and-set, the
 * false-positive rate it was sized for, and the memory cap.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "replay.h"
#include "testlib.h"

static void
test_params(void)
{
	uint64_t	 bits;
	unsigned int	 k;

	T_BEGIN("sizing as nym-node (n 725760000, p 1e-5)");
	CHECK(replay_params(725760000ULL, 1e-5, &bits, &k) == 0);
	CHECKF(bits == 17391129920ULL, "bits %llu", (unsigned long long)bits);
	CHECK(k == 17);
	CHECK(replay_params(180000000ULL, 1e-5, &bits, &k) == 0);
	CHECKF(bits > 4310000000ULL && bits < 4320000000ULL, "bits %llu",
	    (unsigned long long)bits);
	T_END();

	T_BEGIN("sizing rejects n 0 and p outside (0, 1)");
	CHECK(replay_params(0, 1e-5, &bits, &k) == -1);
	CHECK(replay_params(10, 0.0, &bits, &k) == -1);
	CHECK(replay_params(10, 1.0, &bits, &k) == -1);
	CHECK(replay_new(10, -1.0, 0) == NULL && errno == EINVAL);
	T_END();
}

static void
test_filter(void)
{
	enum { N = 20000, PROBES = 200000 };
	static uint8_t		 tags[N][REPLAY_TAG_LEN];
	struct replay_filter	*f;
	struct replay_stats	 st;
	uint8_t			 t[REPLAY_TAG_LEN];
	size_t			 i, fresh = 0, seen = 0, fp = 0;

	T_BEGIN("check-and-set: new once, replay afterwards");
	f = replay_new(N, 1e-9, 0);
	CHECK(f != NULL);
	for (i = 0; f != NULL && i < N; i++) {
		randombytes_buf(tags[i], REPLAY_TAG_LEN);
		fresh += replay_check_and_set(f, tags[i]) == 0;
	}
	for (i = 0; f != NULL && i < N; i++)
		seen += replay_check_and_set(f, tags[i]) == 1;
	CHECK(fresh == N && seen == N);
	if (f != NULL) {
		replay_get_stats(f, &st);
		CHECK(st.inserted == N && st.replays == N && !st.capped);
		CHECK(st.bytes * 8 >= st.bits && st.bytes < st.bits / 8 + 8);
		replay_clear(f);
		CHECK(replay_contains(f, tags[0]) == 0);
		replay_get_stats(f, &st);
		CHECK(st.inserted == 0);
	}
	replay_free(f);
	T_END();

	T_BEGIN("false-positive rate near the target (n 20000, p 1%)");
	f = replay_new(N, 0.01, 0);
	CHECK(f != NULL);
	for (i = 0; f != NULL && i < N; i++)
		replay_check_and_set(f, tags[i]);
	for (i = 0; f != NULL && i < PROBES; i++) {
		randombytes_buf(t, sizeof(t));
		fp += replay_contains(f, t);
	}
	CHECKF(fp < PROBES / 100 * 3 / 2, "%zu false positives in %d", fp,
	    PROBES);
	if (f != NULL) {
		replay_get_stats(f, &st);
		CHECKF(st.expected_fp > 0.005 && st.expected_fp < 0.015,
		    "expected fp %g", st.expected_fp);
		printf("# n %d p 0.01: %llu bits, %u hashes, measured fp %.4f, "
		    "expected %.4f\n", N, (unsigned long long)st.bits,
		    st.hashes, (double)fp / PROBES, st.expected_fp);
	}
	replay_free(f);
	T_END();

	T_BEGIN("memory cap bounds the filter and reports the achieved rate");
	f = replay_new(1000000000ULL, 1e-5, 1 << 20);
	CHECK(f != NULL);
	if (f != NULL) {
		replay_get_stats(f, &st);
		CHECK(st.capped && st.bytes <= (1 << 20));
		CHECK(st.hashes >= 1 && st.expected_fp > st.target_fp);
		randombytes_buf(t, sizeof(t));
		CHECK(replay_check_and_set(f, t) == 0 &&
		    replay_check_and_set(f, t) == 1);
	}
	replay_free(f);
	T_END();
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_params();
	test_filter();
	return t_done();
}
