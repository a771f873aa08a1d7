/*
 * X25519 for mixd's unwrap (issue 15): libsodium's crypto_scalarmult,
 * which mixd uses, against OpenSSL 3's EVP_PKEY_derive with a reused
 * context, both as a bare derive (peer key set once) and as mixd would
 * need it (each packet's alpha a new peer key).  Both must give the
 * same bytes for every alpha tried, or the figures mean nothing.
 * One core; the best of five passes.  Figures only.
 */
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "testlib.h"

#define N	4000

static uint8_t	 sk[32], alphas[N][32], out[32];

static double
us_sodium(void)
{
	double	 t0 = t_now();
	int	 i;

	for (i = 0; i < N; i++)
		if (crypto_scalarmult(out, sk, alphas[i]) != 0)
			abort();
	return (t_now() - t0) / N * 1e6;
}

static EVP_PKEY *
peer_of(const uint8_t a[32])
{
	EVP_PKEY	*p;

	if ((p = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, a, 32)) ==
	    NULL)
		abort();
	return p;
}

static void
derive(EVP_PKEY_CTX *c, uint8_t ss[32])
{
	size_t	 len = 32;

	if (EVP_PKEY_derive(c, ss, &len) != 1 || len != 32)
		abort();
}

/* Peer key set once: the derive alone. */
static double
us_openssl_bare(EVP_PKEY_CTX *c)
{
	EVP_PKEY	*p = peer_of(alphas[0]);
	double		 t0;
	int		 i;

	if (EVP_PKEY_derive_set_peer(c, p) != 1)
		abort();
	t0 = t_now();
	for (i = 0; i < N; i++)
		derive(c, out);
	EVP_PKEY_free(p);
	return (t_now() - t0) / N * 1e6;
}

/* A new peer key per alpha, as each packet would need. */
static double
us_openssl_per_packet(EVP_PKEY_CTX *c)
{
	EVP_PKEY	*p;
	double		 t0 = t_now();
	int		 i;

	for (i = 0; i < N; i++) {
		p = peer_of(alphas[i]);
		if (EVP_PKEY_derive_set_peer(c, p) != 1)
			abort();
		derive(c, out);
		EVP_PKEY_free(p);
	}
	return (t_now() - t0) / N * 1e6;
}

static double
min_d(double a, double b)
{
	return a < b ? a : b;
}

int
main(void)
{
	cpu_set_t	 set;
	EVP_PKEY	*key, *p;
	EVP_PKEY_CTX	*c;
	uint8_t		 e[32], a[32], b[32];
	double		 s = 1e9, o1 = 1e9, o2 = 1e9;
	int		 i, pass, same = 0;

	CPU_ZERO(&set);
	CPU_SET(0, &set);
	(void)sched_setaffinity(0, sizeof(set), &set);
	if (sodium_init() == -1)
		return 1;
	randombytes_buf(sk, sizeof(sk));
	for (i = 0; i < N; i++) {
		randombytes_buf(e, sizeof(e));
		if (crypto_scalarmult_base(alphas[i], e) != 0)
			abort();
	}
	if ((key = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk,
	    32)) == NULL || (c = EVP_PKEY_CTX_new(key, NULL)) == NULL ||
	    EVP_PKEY_derive_init(c) != 1) {
		printf("x25519: OpenSSL has no X25519 here\n");
		return 1;
	}
	for (i = 0; i < N; i++) {
		p = peer_of(alphas[i]);
		if (EVP_PKEY_derive_set_peer(c, p) != 1 ||
		    crypto_scalarmult(a, sk, alphas[i]) != 0)
			abort();
		derive(c, b);
		same += memcmp(a, b, 32) == 0;
		EVP_PKEY_free(p);
	}
	for (pass = 0; pass < 5; pass++) {
		s = min_d(s, us_sodium());
		o1 = min_d(o1, us_openssl_bare(c));
		o2 = min_d(o2, us_openssl_per_packet(c));
	}
	printf("x25519: %d of %d alphas give the same secret in both\n", same,
	    N);
	printf("x25519: libsodium crypto_scalarmult %.2f us (mixd's); OpenSSL "
	    "%s EVP_PKEY_derive %.2f us with the peer set once, %.2f us with "
	    "a new peer key per packet\n", s, OPENSSL_VERSION_STR, o1, o2);
	printf("x25519: OpenSSL per packet / libsodium = %.3f (below 1 would "
	    "make mixd faster)\n", o2 / s);
	EVP_PKEY_CTX_free(c);
	EVP_PKEY_free(key);
	sodium_memzero(sk, sizeof(sk));
	return same == N ? 0 : 1;
}
