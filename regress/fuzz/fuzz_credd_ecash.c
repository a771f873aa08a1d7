/*
 * credd/ecash's parsers of hostile bytes: a client's ticket (decoded to
 * points and scalars, and verified end to end against the committed test
 * key), and the master verification key as nym-api's JSON or as Nym's
 * bytes.  The first byte picks the parser; none may crash, leak, read
 * past its input or return a refusal without a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "credd/credd.h"
#include "credd/ecash/ecash.h"

#define FIXTURE	"regress/vectors/ecash/tickets.json"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct ecash_vk	*vk;
static uint8_t		 provider[32];
static time_t		 now;

/* The fixture's key, provider and first ticket's now; run.sh runs us
 * from the top of the tree.  Without it, mode 3 only parses. */
static void
load(void)
{
	static int	 done;
	json_error_t	 err;
	json_t		*root;
	const char	*s, *why;
	size_t		 n;

	if (done++)
		return;
	if (ecash_init() == -1 || (root = json_load_file(FIXTURE, 0, &err)) ==
	    NULL)
		return;
	s = json_string_value(json_object_get(root, "master_vk_json"));
	if (s != NULL)
		vk = ecash_vk_from_json(s, strlen(s), (uint64_t)
		    json_integer_value(json_object_get(root, "epoch_id")),
		    &why);
	s = json_string_value(json_object_get(root, "provider"));
	if (s == NULL || sodium_hex2bin(provider, sizeof(provider), s,
	    strlen(s), NULL, &n, NULL) != 0 || n != sizeof(provider))
		memset(provider, 0, sizeof(provider));
	now = (time_t)json_integer_value(json_object_get(json_array_get(
	    json_object_get(root, "tickets"), 0), "now"));
	json_decref(root);
}

static void
parse_ticket(const uint8_t *b, size_t len)
{
	static struct ecash_payment	 m;
	const char			*what;
	enum bls_decode			 why;
	enum ecash_parse		 r;

	r = ecash_payment_parse(&m, b, len, &what, &why);
	if (r == ECASH_PARSE_ELEMENT && (what == NULL || why ==
	    BLS_DECODE_OK))
		abort();
	if (r == ECASH_PARSE_OK && (m.nss > ECASH_VEC_MAX ||
	    m.nkappa_k > ECASH_VEC_MAX || m.proof.nattr > ECASH_VEC_MAX))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct ecash_result	 res;
	struct ecash_vk		*k;
	const char		*why = NULL;
	char			*s;

	if (len < 1)
		return 0;
	load();
	switch (data[0] % 4) {
	case 0:
		parse_ticket(data + 1, len - 1);
		break;
	case 1:
		/* JSON text with a length: no NUL needed */
		s = malloc(len - 1 + 1);
		memcpy(s, data + 1, len - 1);
		if ((k = ecash_vk_from_json(s, len - 1, 1, &why)) != NULL)
			ecash_vk_free(k);
		else if (why == NULL)
			abort();
		free(s);
		break;
	case 2:
		if ((k = ecash_vk_from_bytes(data + 1, len - 1, 1, &why)) !=
		    NULL)
			ecash_vk_free(k);
		else if (why == NULL)
			abort();
		break;
	case 3:
		if (vk == NULL) {
			parse_ticket(data + 1, len - 1);
			break;
		}
		ecash_ticket_verify(vk, data + 1, len - 1, provider, now, &res);
		if (res.reason != ECASH_OK && res.detail[0] == '\0')
			abort();
		break;
	}
	return 0;
}
