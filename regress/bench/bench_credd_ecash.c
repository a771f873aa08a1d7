/*
 * Local zk-nym verification (credd/ecash): tickets verified per second on
 * one core, next to the cost of one pairing and of the parts a ticket
 * costs (decoding its points, the spend proof, the three pairing
 * checks).  Reads the committed fixtures; prints figures, never fails on
 * time.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "credd/credd.h"
#include "credd/ecash/bls.h"
#include "credd/ecash/ecash.h"
#include "testlib.h"

#define FIXTURE	"regress/vectors/ecash/tickets.json"
#define ROUNDS	12

static struct ecash_vk		*vk;
static uint8_t			*ticket, provider[32];
static size_t			 tlen;
static time_t			 tnow;
static struct ecash_payment	*pay;
static volatile int		 sink;

static void
op_verify(void)
{
	struct ecash_result	 res;

	if (ecash_ticket_verify(vk, ticket, tlen, provider, tnow, &res) !=
	    ECASH_OK)
		t_die("the fixture ticket does not verify: %s", res.detail);
}

static void
op_parse(void)
{
	const char	*what;
	enum bls_decode	 why;

	sink ^= ecash_payment_parse(pay, ticket, tlen, &what, &why);
}

static void
op_proof(void)
{
	sink ^= ecash_spend_proof_verify(pay, vk);
}

static void
op_pairing(void)
{
	struct fp12	 e;

	pairing(&e, g1_generator(), g2_generator());
	sink ^= (int)e.c0.c0.c0.l[0];
}

/* e(P, Q) e(-P, Q) = 1: one check of a ticket's three */
static void
op_check(void)
{
	struct g1	 p[2];
	struct g2	 q[2];

	p[0] = *g1_generator();
	g1_neg(&p[1], g1_generator());
	q[0] = q[1] = *g2_generator();
	sink ^= pairing_product_is_one(p, q, 2);
}

static void
op_miller(void)
{
	struct fp12	 f;

	pairing_miller(&f, g1_generator(), g2_generator(), 1);
	sink ^= (int)f.c0.c0.c0.l[0];
}

static void
op_fexp(void)
{
	static struct fp12	 f;

	if (fp12_is_one(&f) || f.c0.c0.c0.l[0] == 0)
		pairing_miller(&f, g1_generator(), g2_generator(), 1);
	pairing_final_exp(&f, &f);
}

static void
op_g1_sub(void)
{
	sink ^= g1_in_subgroup(&pay->cc);
}

static void
op_g2_sub(void)
{
	sink ^= g2_in_subgroup(&pay->kappa);
}

static void
op_g1_mul(void)
{
	struct g1	 r;

	g1_mul(&r, &pay->cc, &pay->proof.challenge);
	sink ^= (int)r.x.l[0];
}

static void
op_g2_mul(void)
{
	struct g2	 r;

	g2_mul(&r, &pay->kappa, &pay->proof.challenge);
	sink ^= (int)r.x.c0.l[0];
}

/* Milliseconds per call: the best of ROUNDS batches of n (shared box). */
static double
ms(void (*f)(void), int n)
{
	double	 best = 1e9, t0, d;
	int	 r, i;

	for (r = 0; r < ROUNDS; r++) {
		t0 = t_now();
		for (i = 0; i < n; i++)
			f();
		if ((d = (t_now() - t0) / n * 1e3) < best)
			best = d;
	}
	return best;
}

static void
load(void)
{
	json_error_t	 err;
	json_t		*root, *t;
	const char	*why, *s;
	uint8_t		*b;
	size_t		 n;

	if ((root = json_load_file(FIXTURE, 0, &err)) == NULL)
		t_die("%s: %s", FIXTURE, err.text);
	s = json_string_value(json_object_get(root, "master_vk_json"));
	if (s == NULL || (vk = ecash_vk_from_json(s, strlen(s),
	    (uint64_t)json_integer_value(json_object_get(root, "epoch_id")),
	    &why)) == NULL)
		t_die("no key");
	b = t_unhex_alloc(json_string_value(json_object_get(root,
	    "provider")) ?: "", &n);
	if (b == NULL || n != 32)
		t_die("no provider");
	memcpy(provider, b, 32);
	free(b);
	t = json_array_get(json_object_get(root, "tickets"), 0);
	ticket = t_unhex_alloc(json_string_value(json_object_get(t,
	    "bytes")) ?: "", &tlen);
	tnow = (time_t)json_integer_value(json_object_get(t, "now"));
	if (ticket == NULL)
		t_die("no ticket");
	json_decref(root);
	if ((pay = malloc(sizeof(*pay))) == NULL)
		t_die("out of memory");
	op_parse();
}

int
main(void)
{
	cpu_set_t	 set;
	double		 v, pr, pf, ck, pa;

	/* one core: the figure is per core */
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	if (ecash_init() == -1)
		t_die("ecash_init");
	load();
	v = ms(op_verify, 4);
	pr = ms(op_parse, 4);
	pf = ms(op_proof, 4);
	ck = ms(op_check, 4);
	pa = ms(op_pairing, 4);
	printf("zk-nym ticket verification: %.1f tickets/s on one core "
	    "(%.2f ms each)\n", 1e3 / v, v);
	printf("  one pairing e(P, Q): %.2f ms (Miller loop %.2f, final "
	    "exponentiation %.2f); a ticket costs %.1f pairings\n", pa,
	    ms(op_miller, 4), ms(op_fexp, 4), v / pa);
	printf("  parts: decode %.2f + spend proof %.2f + 3 pairing checks "
	    "%.2f = %.2f ms\n", pr, pf, 3 * ck, pr + pf + 3 * ck);
	printf("  subgroup check G1 %.3f ms, G2 %.3f ms; scalar "
	    "multiplication G1 %.3f ms, G2 %.3f ms\n", ms(op_g1_sub, 8),
	    ms(op_g2_sub, 8), ms(op_g1_mul, 8), ms(op_g2_mul, 8));
	return 0;
}
