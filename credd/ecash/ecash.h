/*
 * Nym's offline compact e-cash, the verifier's half, on top of bls.h
 * (doc/spec/zknym-verify.md; Nym's common/nym_offline_compact_ecash):
 *
 *   setup.c	the group parameters: gamma1..4, delta, TYPE_EXP, TYPE_IDX
 *   bincode.c	a reader for Nym's bincode (big-endian, varints)
 *   payment.c	CredentialSpendingData bytes to decoded points and scalars
 *   vkey.c	the master verification key, from nym-api's JSON or bytes
 *   spend.c	SpendProof::verify: the challenge, recomputed
 *   check.c	Payment::spend_verify and the gateway's policy; the API in
 *		credd.h
 */
#ifndef ECASH_ECASH_H
#define ECASH_ECASH_H

#include <stddef.h>
#include <stdint.h>

#include "bls.h"

/* Elements in any Vec of a ticket: far more than a ticket of one coin
 * (spend_value must be 1) has, and the ss[] bound of ticket.c. */
#define ECASH_VEC_MAX		64
#define ECASH_PAYINFO_LEN	72
/* beta_g2[] of a key: ticket checks read 0..3; Nym's keys have 5. */
#define ECASH_VK_MIN		4
#define ECASH_VK_MAX		16

/* setup.c --------------------------------------------------------------- */
struct ecash_params {
	struct g1	 gamma[4];	/* hash_g1("gamma1") .. ("gamma4") */
	struct g1	 delta;		/* hash_g1("delta") */
	uint8_t		 gammas_bytes[4 * G1_BYTES];
	struct fr	 type_exp, type_idx;
	/* tables of the bases every spend proof multiplies */
	struct g1_fixed	 g1_f, gamma2_f, delta_f;
	struct g2_fixed	 g2_f;
};

/* bls_init() and the parameters; 0 or -1. */
int	 ecash_params_init(void);
const struct ecash_params *ecash_params(void);

/* bincode.c ------------------------------------------------------------- */
struct bincode {
	const uint8_t	*p;
	size_t		 left;
	int		 bad;		/* sticky: any short or wrong read */
	enum bls_decode	 why;		/* the first element refused */
	const char	*what;		/* and its field name */
};

void		 bincode_init(struct bincode *, const uint8_t *, size_t);
const uint8_t	*bincode_take(struct bincode *, size_t);
uint64_t	 bincode_varint(struct bincode *);
/* A byte string of exactly n bytes after its varint length. */
const uint8_t	*bincode_bytes(struct bincode *, size_t n);
uint8_t		 bincode_u8(struct bincode *);
/* A Vec's length, refused above max. */
size_t		 bincode_vec(struct bincode *, size_t max, const char *what);
/* Length-prefixed (serdect) compressed points and scalars, checked as
 * zkcrypto checks them; what names the field for the first failure. */
void		 bincode_g1(struct bincode *, struct g1 *, const char *what);
void		 bincode_g2(struct bincode *, struct g2 *, const char *what);
void		 bincode_fr(struct bincode *, struct fr *, const char *what);

/* payment.c ------------------------------------------------------------- */
struct ecash_sig {
	struct g1	 h, s;
};

struct ecash_proof {
	struct fr	 challenge, r, r_e, o_c;
	size_t		 nr_k, nl, no_a, nmu, no_mu, nattr;
	struct fr	 r_k[ECASH_VEC_MAX], l[ECASH_VEC_MAX];
	struct fr	 o_a[ECASH_VEC_MAX], mu[ECASH_VEC_MAX];
	struct fr	 o_mu[ECASH_VEC_MAX], attr[ECASH_VEC_MAX];
};

/* CredentialSpendingData: Payment (scheme/mod.rs) and what follows. */
struct ecash_payment {
	struct g2	 kappa, kappa_e;
	struct ecash_sig sig, sig_exp;
	size_t		 nkappa_k, nomega, nss, ntt, naa;
	struct g2	 kappa_k[ECASH_VEC_MAX];
	struct ecash_sig omega[ECASH_VEC_MAX];
	struct g1	 ss[ECASH_VEC_MAX], tt[ECASH_VEC_MAX];
	struct g1	 aa[ECASH_VEC_MAX];
	uint64_t	 spend_value;
	struct g1	 cc;
	uint8_t		 t_type;
	struct ecash_proof proof;
	uint8_t		 pay_info[ECASH_PAYINFO_LEN];
	int32_t		 spend_date;	/* Julian day */
	uint64_t	 epoch_id;
};

enum ecash_parse {
	ECASH_PARSE_OK,
	ECASH_PARSE_FORMAT,	/* lengths, bincode */
	ECASH_PARSE_ELEMENT,	/* a point or scalar refused */
};

/* Parse and decode every element; on ECASH_PARSE_ELEMENT, *what names
 * the field and *why says what was wrong with it. */
enum ecash_parse ecash_payment_parse(struct ecash_payment *, const uint8_t *,
		    size_t, const char **what, enum bls_decode *why);

/* vkey.c ---------------------------------------------------------------- */
struct ecash_vk {
	uint64_t	 epoch_id;
	size_t		 n;		/* beta_g1[] and beta_g2[] */
	struct g2	 alpha;
	struct g1	 beta_g1[ECASH_VK_MAX];
	struct g2	 beta_g2[ECASH_VK_MAX];
	/* VerificationKeyAuth::to_bytes, which the challenge hashes */
	uint8_t		 bytes[G2_BYTES + 8 + ECASH_VK_MAX * (G1_BYTES +
			    G2_BYTES)];
	size_t		 nbytes;
	/* TYPE_IDX (beta_g2[1] + beta_g2[2]): fixed per key */
	struct g2	 idx_part;
	/* tables of alpha and beta_g2[0..3], which every ticket uses */
	struct g2_fixed	 alpha_f, beta_f[ECASH_VK_MIN];
};

/* spend.c --------------------------------------------------------------- */
/* SpendProof::verify for the payment's own proof: 1 valid, 0 not. */
int	 ecash_spend_proof_verify(const struct ecash_payment *,
	    const struct ecash_vk *);

#endif
