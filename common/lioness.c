/*
 * Lioness (Anderson and Biham) with ChaCha20 and keyed BLAKE2b-256 from
 * libsodium.  Only the four-round construction is written here.
 *
 * ChaCha20 runs with a zero 8-byte nonce and counter 0, which is what the
 * Rust chacha 0.3 crate does; BLAKE2b takes the 64-byte subkey as its key
 * and gives 32 bytes, the width of L.
 */
#include <string.h>

#include <sodium.h>

#include "lioness.h"

#define L_LEN		32
#define K1_OFF		0
#define K2_OFF		32
#define K3_OFF		96
#define K4_OFF		128
#define HASH_KEY_LEN	64

static const uint8_t	 zero_nonce[crypto_stream_chacha20_NONCEBYTES];

/* R ^= ChaCha20(L ^ k) */
static void
lioness_stream(uint8_t *block, size_t len, const uint8_t *k)
{
	uint8_t	 sk[L_LEN];
	size_t	 i;

	for (i = 0; i < L_LEN; i++)
		sk[i] = block[i] ^ k[i];
	crypto_stream_chacha20_xor(block + L_LEN, block + L_LEN, len - L_LEN,
	    zero_nonce, sk);
	sodium_memzero(sk, sizeof(sk));
}

/* L ^= BLAKE2b-256(key = k, R) */
static void
lioness_hash(uint8_t *block, size_t len, const uint8_t *k)
{
	uint8_t	 h[L_LEN];
	size_t	 i;

	crypto_generichash_blake2b(h, sizeof(h), block + L_LEN, len - L_LEN,
	    k, HASH_KEY_LEN);
	for (i = 0; i < L_LEN; i++)
		block[i] ^= h[i];
}

int
lioness_encrypt(const uint8_t key[LIONESS_KEY_LEN], uint8_t *block,
    size_t len)
{
	if (len < LIONESS_MIN_BLOCK)
		return -1;
	lioness_stream(block, len, key + K1_OFF);
	lioness_hash(block, len, key + K2_OFF);
	lioness_stream(block, len, key + K3_OFF);
	lioness_hash(block, len, key + K4_OFF);
	return 0;
}

int
lioness_decrypt(const uint8_t key[LIONESS_KEY_LEN], uint8_t *block,
    size_t len)
{
	if (len < LIONESS_MIN_BLOCK)
		return -1;
	lioness_hash(block, len, key + K4_OFF);
	lioness_stream(block, len, key + K3_OFF);
	lioness_hash(block, len, key + K2_OFF);
	lioness_stream(block, len, key + K1_OFF);
	return 0;
}
