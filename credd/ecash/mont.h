/*
 * Multi-precision integers as little-endian arrays of 64-bit limbs, and
 * Montgomery multiplication over them: what Fp (6 limbs) and Fr (4
 * limbs) share.  Everything is static inline so that each field gets a
 * copy specialised for its own limb count.  Verification touches only
 * public data (tickets, keys), so nothing here is constant time.
 */
#ifndef ECASH_MONT_H
#define ECASH_MONT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MONT_MAX_LIMBS	6

typedef unsigned __int128	mont_u128;

/* r = a + b; returns the carry out. */
static inline uint64_t
limbs_add(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n)
{
	mont_u128	 t;
	uint64_t	 c = 0;
	size_t		 i;

	for (i = 0; i < n; i++) {
		t = (mont_u128)a[i] + b[i] + c;
		r[i] = (uint64_t)t;
		c = (uint64_t)(t >> 64);
	}
	return c;
}

/* r = a - b; returns the borrow out. */
static inline uint64_t
limbs_sub(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n)
{
	mont_u128	 t;
	uint64_t	 borrow = 0;
	size_t		 i;

	for (i = 0; i < n; i++) {
		t = (mont_u128)a[i] - b[i] - borrow;
		r[i] = (uint64_t)t;
		borrow = (uint64_t)(t >> 64) & 1;
	}
	return borrow;
}

/* -1, 0, 1 as a <, =, > b. */
static inline int
limbs_cmp(const uint64_t *a, const uint64_t *b, size_t n)
{
	while (n-- > 0) {
		if (a[n] != b[n])
			return a[n] < b[n] ? -1 : 1;
	}
	return 0;
}

static inline int
limbs_is_zero(const uint64_t *a, size_t n)
{
	uint64_t	 acc = 0;
	size_t		 i;

	for (i = 0; i < n; i++)
		acc |= a[i];
	return acc == 0;
}

/* a >>= s, 0 < s < 64. */
static inline void
limbs_shr(uint64_t *a, unsigned s, size_t n)
{
	size_t	 i;

	for (i = 0; i + 1 < n; i++)
		a[i] = a[i] >> s | a[i + 1] << (64 - s);
	a[n - 1] >>= s;
}

/* a /= d for a small d; returns the remainder. */
static inline uint64_t
limbs_div_small(uint64_t *a, uint64_t d, size_t n)
{
	mont_u128	 t;
	uint64_t	 rem = 0;

	while (n-- > 0) {
		t = (mont_u128)rem << 64 | a[n];
		a[n] = (uint64_t)(t / d);
		rem = (uint64_t)(t % d);
	}
	return rem;
}

/* The bit count of a (0 for zero). */
static inline size_t
limbs_bits(const uint64_t *a, size_t n)
{
	while (n > 0 && a[n - 1] == 0)
		n--;
	if (n == 0)
		return 0;
	return 64 * (n - 1) + (64 - (size_t)__builtin_clzll(a[n - 1]));
}

static inline int
limbs_bit(const uint64_t *a, size_t i)
{
	return (int)(a[i / 64] >> (i % 64) & 1);
}

/* Big-endian bytes (n * 8 of them) to limbs and back. */
static inline void
limbs_from_be(uint64_t *a, const uint8_t *b, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		a[n - 1 - i] = 0;
		for (j = 0; j < 8; j++)
			a[n - 1 - i] = a[n - 1 - i] << 8 | b[8 * i + j];
	}
}

static inline void
limbs_to_be(uint8_t *b, const uint64_t *a, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < 8; j++)
			b[8 * i + j] = (uint8_t)(a[n - 1 - i] >> (56 - 8 * j));
}

static inline void
limbs_from_le(uint64_t *a, const uint8_t *b, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < n; i++) {
		a[i] = 0;
		for (j = 8; j-- > 0;)
			a[i] = a[i] << 8 | b[8 * i + j];
	}
}

static inline void
limbs_to_le(uint8_t *b, const uint64_t *a, size_t n)
{
	size_t	 i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < 8; j++)
			b[8 * i + j] = (uint8_t)(a[i] >> (8 * j));
}

/*
 * Modular arithmetic for a modulus m with a spare top bit (m < 2^(64n-1)),
 * which both BLS12-381 moduli have: a sum of two reduced values then
 * never overflows n limbs.
 */
static inline void
mont_add(uint64_t *r, const uint64_t *a, const uint64_t *b,
    const uint64_t *m, size_t n)
{
	limbs_add(r, a, b, n);
	if (limbs_cmp(r, m, n) >= 0)
		limbs_sub(r, r, m, n);
}

static inline void
mont_sub(uint64_t *r, const uint64_t *a, const uint64_t *b,
    const uint64_t *m, size_t n)
{
	if (limbs_sub(r, a, b, n))
		limbs_add(r, r, m, n);
}

/*
 * r = a b R^-1 mod m (R = 2^(64n)), coarsely integrated operand
 * scanning; minv = -m^-1 mod 2^64.  r may alias a or b.
 */
static inline void
mont_mul(uint64_t *r, const uint64_t *a, const uint64_t *b,
    const uint64_t *m, uint64_t minv, size_t n)
{
	uint64_t	 t[MONT_MAX_LIMBS + 2] = { 0 };
	mont_u128	 acc;
	uint64_t	 c, q;
	size_t		 i, j;

	for (i = 0; i < n; i++) {
		c = 0;
		for (j = 0; j < n; j++) {
			acc = (mont_u128)a[j] * b[i] + t[j] + c;
			t[j] = (uint64_t)acc;
			c = (uint64_t)(acc >> 64);
		}
		acc = (mont_u128)t[n] + c;
		t[n] = (uint64_t)acc;
		t[n + 1] = (uint64_t)(acc >> 64);
		/* Add q m so that the lowest limb vanishes, and shift. */
		q = t[0] * minv;
		acc = (mont_u128)q * m[0] + t[0];
		c = (uint64_t)(acc >> 64);
		for (j = 1; j < n; j++) {
			acc = (mont_u128)q * m[j] + t[j] + c;
			t[j - 1] = (uint64_t)acc;
			c = (uint64_t)(acc >> 64);
		}
		acc = (mont_u128)t[n] + c;
		t[n - 1] = (uint64_t)acc;
		t[n] = t[n + 1] + (uint64_t)(acc >> 64);
	}
	if (t[n] != 0 || limbs_cmp(t, m, n) >= 0)
		limbs_sub(t, t, m, n);
	memcpy(r, t, n * sizeof(*r));
}

/* -m^-1 mod 2^64 by Newton's iteration (m odd). */
static inline uint64_t
mont_minv(uint64_t m0)
{
	uint64_t	 x = 1;
	int		 i;

	for (i = 0; i < 6; i++)
		x *= 2 - m0 * x;
	return (uint64_t)0 - x;
}

/* 2^e mod m for e >= 0, by doubling: Montgomery's R and R^2. */
static inline void
mont_pow2(uint64_t *r, unsigned e, const uint64_t *m, size_t n)
{
	memset(r, 0, n * sizeof(*r));
	r[0] = 1;
	while (e-- > 0)
		mont_add(r, r, r, m, n);
}

#endif
