/*
 * bls_init(): every constant the layers derive from p and r, and the
 * standard generators, decoded (and so checked) from their well-known
 * compressed encodings rather than written out as limbs.
 */
#include <string.h>

#include <sodium.h>

#include "bls.h"

static const char g1_gen_hex[] =
    "97f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905"
    "a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb";
static const char g2_gen_hex[] =
    "93e02b6052719f607dacd3a088274f65596bd0d09920b61a"
    "b5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e"
    "024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02"
    "b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8";

static struct g1	 g1_gen;
static struct g2	 g2_gen;

const struct g1 *
g1_generator(void)
{
	return &g1_gen;
}

const struct g2 *
g2_generator(void)
{
	return &g2_gen;
}

int
bls_init(void)
{
	static int	 done;
	uint8_t		 b[G2_BYTES];

	if (done)
		return done == 1 ? 0 : -1;
	done = -1;
	fp_init();
	fr_init();
	fp12_init();
	/* The generators are checked the slow way: the fast subgroup tests
	 * are set up from them. */
	if (sodium_hex2bin(b, G1_BYTES, g1_gen_hex, sizeof(g1_gen_hex) - 1,
	    NULL, NULL, NULL) != 0 || g1_decode_unchecked(&g1_gen, b) !=
	    BLS_DECODE_OK || !g1_in_subgroup_naive(&g1_gen) ||
	    g1_init(&g1_gen) == -1)
		return -1;
	if (sodium_hex2bin(b, G2_BYTES, g2_gen_hex, sizeof(g2_gen_hex) - 1,
	    NULL, NULL, NULL) != 0 || g2_decode_unchecked(&g2_gen, b) !=
	    BLS_DECODE_OK || !g2_in_subgroup_naive(&g2_gen) ||
	    g2_init(&g2_gen) == -1)
		return -1;
	done = 1;
	return 0;
}
