/*
 * Nym's JSON byte arrays (jsonbytes.h), read with every element
 * checked to be an integer 0..255.
 */
#include <jansson.h>

#include "jsonbytes.h"

int
json_bytes(const void *json, const char *key, uint8_t *buf, size_t max)
{
	json_t	*a = json_object_get(json, key), *e;
	size_t	 i;

	if (!json_is_array(a) || json_array_size(a) > max)
		return -1;
	json_array_foreach(a, i, e) {
		if (!json_is_integer(e) || json_integer_value(e) < 0 ||
		    json_integer_value(e) > 255)
			return -1;
		buf[i] = (uint8_t)json_integer_value(e);
	}
	return (int)json_array_size(a);
}
