/*
 * Final-hop Sphinx unwraps per second on one core, next to the sum of the
 * primitives one unwrap costs (x25519, expansion HKDF, header HMAC,
 * AES-CTR keystream, payload-key HKDF, Lioness) each timed on its own.
 * The ratio sum / unwrap says how much the glue costs: 1.0 is none.
 * Prints figures only; never fails on time.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "lioness.h"
#include "replay.h"
#include "sphinx.h"
#include "sphinx_create.h"
#include "testlib.h"

#define POOL		2048		/* distinct packets per pass */

static struct sphinx_ctx	*ctx;
static volatile uint8_t		 sink;

/* State shared by the primitive loops. */
static uint8_t	 g_sk[32], g_ss[32], g_e[SPHINX_EXPANDED_LEN];
static uint8_t	 g_key[SPHINX_PAYLOAD_KEY_LEN], g_ks[SPHINX_ROUTING_LEN];
static uint8_t	 g_gamma[16], g_payload[SPHINX_MAX_PACKET];
static const uint8_t *g_pkt;
static size_t	 g_plen;
static uint16_t	 g_version;

static void
p_x25519(void)
{
	if (crypto_scalarmult(g_ss, g_sk, g_pkt) != 0)
		abort();
}

static void
p_expand(void)
{
	sphinx_expand(ctx, g_ss, g_e);
}

static void
p_hmac(void)
{
	sphinx_header_mac(ctx, g_e, g_pkt + 48, g_gamma);
}

static void
p_aesctr(void)
{
	sphinx_keystream(ctx, g_e, g_ks, sizeof(g_ks));
}

static void
p_pkey(void)
{
	sphinx_payload_key(ctx, g_e, g_version, g_key);
}

static void
p_lioness(void)
{
	lioness_decrypt(g_key, g_payload, g_plen);
}

/*
 * The machine is shared (parallel builds, other benchmarks): every figure
 * is the best of ROUNDS batches of BATCH operations, with the unwrap and
 * primitive batches interleaved, so that both see the same conditions.
 */
#define ROUNDS	300
#define BATCH	16

/* Microseconds per call of f over one batch. */
static double
batch_us(void (*f)(void))
{
	double	 t0;
	int	 i;

	t0 = t_now();
	for (i = 0; i < BATCH; i++)
		f();
	sink ^= g_ss[0] ^ g_e[0] ^ g_gamma[0] ^ g_ks[0] ^ g_key[0] ^
	    g_payload[0];
	return (t_now() - t0) / BATCH * 1e6;
}

static double
min_d(double a, double b)
{
	return a < b ? a : b;
}

static void
bench(uint16_t version, size_t size)
{
	static uint8_t			 pool[POOL][SPHINX_SIZE_REGULAR];
	static uint8_t			 big[SPHINX_MAX_PACKET];
	static uint8_t			 out[SPHINX_MAX_PACKET];
	static void			(*prim[6])(void) = { p_x25519,
	    p_expand, p_hmac, p_aesctr, p_pkey, p_lioness };
	struct sphinx_route_hop		 route;
	struct sphinx_key		 key;
	const struct sphinx_key		*kp = &key;
	struct sphinx_result		 res;
	struct replay_filter		*rf;
	struct replay_stats		 st;
	uint8_t				 dest[32], id[16] = { 0 };
	static uint8_t			 msg[SPHINX_MAX_PACKET];
	size_t				 npool, i, j, next = 0, mlen;
	double				 t0, unwrap = 1e9, sum, parts[6];
	int				 r, rc;

	memset(&key, 0, sizeof(key));
	randombytes_buf(key.sk, 32);
	memset(&route, 0, sizeof(route));
	crypto_scalarmult_base(route.pubkey, key.sk);
	randombytes_buf(dest, sizeof(dest));
	mlen = sphinx_max_message(size);
	randombytes_buf(msg, mlen);

	/*
	 * Distinct packets, so the replay filter (sized as for a day at
	 * 50 packets/s, 1e-5) passes every one; the largest size reuses
	 * one packet and runs without the filter.
	 */
	npool = size <= SPHINX_SIZE_REGULAR ? POOL : 1;
	for (i = 0; i < npool; i++)
		if (sphinx_create(ctx, version, &route, 1, dest, id, msg, mlen,
		    size, NULL, npool > 1 ? pool[i] : big) != SPHINX_OK)
			abort();
	rf = replay_new(50 * 86400, 1e-5, 0);
	key.replay = npool > 1 ? rf : NULL;

	memcpy(g_sk, key.sk, 32);
	g_pkt = npool > 1 ? pool[0] : big;
	g_plen = size - SPHINX_HEADER_LEN;
	memcpy(g_payload, g_pkt + SPHINX_HEADER_LEN, g_plen);
	g_version = version;
	p_x25519();
	p_expand();
	p_pkey();
	for (j = 0; j < 6; j++)
		parts[j] = 1e9;

	for (r = 0; r < ROUNDS; r++) {
		t0 = t_now();
		for (i = 0; i < BATCH; i++) {
			rc = sphinx_process(ctx, &kp, 1, SPHINX_ACCEPT_FINAL,
			    npool > 1 ? pool[next] : big, size, out, &res);
			if (rc != SPHINX_OK) {
				printf("unwrap failed: %s\n",
				    sphinx_strerror(rc));
				exit(1);
			}
			if (npool > 1 && ++next == npool) {
				next = 0;
				replay_clear(rf);	/* rare */
			}
		}
		unwrap = min_d(unwrap, (t_now() - t0) / BATCH * 1e6);
		for (j = 0; j < 6; j++) {
			if (j == 4 && sphinx_version_legacy_key(version))
				parts[j] = 0.0;	/* no payload-key HKDF */
			else
				parts[j] = min_d(parts[j], batch_us(prim[j]));
		}
	}
	for (sum = 0, j = 0; j < 6; j++)
		sum += parts[j];

	printf("final hop v%u %zu B: %.0f unwraps/s on one core "
	    "(%.2f us each, %s)\n", version, size, 1e6 / unwrap, unwrap,
	    key.replay != NULL ? "with replay filter" : "no replay filter");
	printf("  primitives: x25519 %.2f + expansion HKDF %.2f + HMAC %.2f "
	    "+ AES-CTR %.2f + payload-key HKDF %.2f + Lioness %.2f = %.2f us"
	    "\n", parts[0], parts[1], parts[2], parts[3], parts[4], parts[5],
	    sum);
	printf("  ratio primitives/unwrap = %.3f\n", sum / unwrap);
	if (key.replay != NULL) {
		replay_get_stats(rf, &st);
		printf("  replay filter: %llu bits (%.1f MiB), %u hashes\n",
		    (unsigned long long)st.bits,
		    (double)st.bytes / 1048576.0, st.hashes);
	}
	replay_free(rf);
}

int
main(void)
{
	cpu_set_t	 set;

	/* One core: the figure is per core. */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	(void)sched_setaffinity(0, sizeof(set), &set);
	if ((ctx = sphinx_ctx_new()) == NULL) {
		printf("sphinx_ctx_new failed\n");
		return 1;
	}
	bench(SPHINX_VERSION_SEEDS, SPHINX_SIZE_REGULAR);
	bench(SPHINX_VERSION_EXPLICIT_KEYS, SPHINX_SIZE_REGULAR);
	bench(SPHINX_VERSION_SEEDS, SPHINX_SIZE_ACK);
	bench(SPHINX_VERSION_SEEDS, SPHINX_SIZE_EXT32);
	sphinx_ctx_free(ctx);
	return 0;
}
