/*
 * Lioness wide-block cipher over ChaCha20 (stream) and keyed BLAKE2b-256
 * (hash), as the Rust crate lioness 0.1.2 builds it for Sphinx payloads:
 * key K1(32) || K2(64) || K3(32) || K4(64), block L(32) || R(rest).
 */
#ifndef GW_LIONESS_H
#define GW_LIONESS_H

#include <stddef.h>
#include <stdint.h>

#define LIONESS_KEY_LEN		192
#define LIONESS_MIN_BLOCK	33	/* L is 32 bytes, R must not be empty */

/* Encrypt block (len >= 33 bytes) in place.  Returns 0, or -1 if too short. */
int	lioness_encrypt(const uint8_t key[LIONESS_KEY_LEN], uint8_t *block,
	    size_t len);
/* Decrypt block (len >= 33 bytes) in place.  Returns 0, or -1 if too short. */
int	lioness_decrypt(const uint8_t key[LIONESS_KEY_LEN], uint8_t *block,
	    size_t len);

#endif
