/*
 * Nym's e-cash group parameters (ecash/scheme/setup.rs, constants.rs).
 * The verifier needs hash_g1 only for these five fixed points, so they
 * are written out (as noble computes them; regress checks them against
 * noble's and mcl's hash-to-curve) rather than hashed at start.
 */
#include <string.h>

#include <sodium.h>

#include "ecash.h"

/* hash_g1("gamma1") .. hash_g1("gamma4"), hash_g1("delta"), DST
 * "NYMECASH-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_". */
static const char *const gamma_hex[4] = {
	"8652139d40c534a6fe17819f522f6305a3585155a93ac677"
	"30eccb68eb8c604011d51b464d0ba44ece6d8892e2d5901c",
	"8028940e47569280f5a74daf3eb51f0d255cbf66a43e23c0"
	"e9bba873cfd2b4b958a59fb928b2844bd1c762af47c8f4d2",
	"982b44c8f5c218622c5d746b4eb9eb4005f7a45535887021"
	"4f02bb44e159052f4866264a996f46879a1045c1d016cdb6",
	"af44d3165c8a5fcb1fddef80e97dd62f55fc4ed15195fd69"
	"39dbbbcd3190cb4046d2935d8521ecde3325261e5eaae839",
};
static const char delta_hex[] =
    "84f295c1ca2a84100eba1b47bb43edae2b1a2181acd9d820"
    "bf5efb6241f0ba73ddd746d6c86f1c2b7b66908304d9c47a";

/* Scalar::from_raw of four little-endian u64s: the ASCII string read
 * as a 256-bit little-endian number (below r, so no reduction). */
static const char type_exp_ascii[] = "ZKNYMEXPIRATIONDATE4llCBMEypAxr3";
static const char type_idx_ascii[] = "ZKNYMSINDICESh^7gTYbhnap*12n5GG6";

static struct ecash_params	 params;

static int
g1_from_hex(struct g1 *p, uint8_t b[G1_BYTES], const char *hex)
{
	if (sodium_hex2bin(b, G1_BYTES, hex, strlen(hex), NULL, NULL,
	    NULL) != 0)
		return -1;
	return g1_decode(p, b) == BLS_DECODE_OK ? 0 : -1;
}

int
ecash_params_init(void)
{
	static int	 done;
	uint8_t		 b[G1_BYTES];
	int		 i;

	if (done)
		return done == 1 ? 0 : -1;
	done = -1;
	if (bls_init() == -1)
		return -1;
	for (i = 0; i < 4; i++)
		if (g1_from_hex(&params.gamma[i],
		    params.gammas_bytes + i * G1_BYTES, gamma_hex[i]) == -1)
			return -1;
	if (g1_from_hex(&params.delta, b, delta_hex) == -1 ||
	    fr_from_bytes(&params.type_exp,
	    (const uint8_t *)type_exp_ascii) == -1 ||
	    fr_from_bytes(&params.type_idx,
	    (const uint8_t *)type_idx_ascii) == -1)
		return -1;
	g1_fixed_init(&params.g1_f, g1_generator());
	g1_fixed_init(&params.gamma2_f, &params.gamma[1]);
	g1_fixed_init(&params.delta_f, &params.delta);
	g2_fixed_init(&params.g2_f, g2_generator());
	done = 1;
	return 0;
}

const struct ecash_params *
ecash_params(void)
{
	return &params;
}
