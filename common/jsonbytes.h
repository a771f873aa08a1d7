/*
 * Nym's JSON byte strings: serde writes a Vec<u8> as an array of decimal
 * integers 0..255.  clientd reads them in requests; the test client and
 * the crypto tests read the gateway's answers the same way.
 */
#ifndef GW_JSONBYTES_H
#define GW_JSONBYTES_H

#include <stddef.h>
#include <stdint.h>

/* Member key of a jansson object as bytes: the length (at most max), or
 * -1 if it is missing, longer than max or not all 0..255. */
int	json_bytes(const void *json, const char *key, uint8_t *buf,
	    size_t max);

#endif
