/*
 * credd/ticket.c on the tickets issued through Nym's own wasm
 * (regress/vectors/ecash/tickets.json): the bincode walk finds each
 * ticket's type, value, serials, pay_info, date and epoch; every
 * truncation and any trailing byte is refused; the local checks give
 * Nym's gateway's words for a wrong date, provider, value, type and a
 * stale pay_info; the nym-api body carries the ticket's fields; a
 * pay_info counts as seen once; a signer's verdict is read exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "credd/credd.h"
#include "testlib.h"

#define FIXTURE		"regress/vectors/ecash/tickets.json"
#define DAY		86400

static json_t	*root;
static uint8_t	 provider[32];

static uint8_t *
ticket_bytes(size_t i, size_t *len, time_t *now, int *t_type)
{
	json_t	*t = json_array_get(json_object_get(root, "tickets"), i);

	if (t == NULL)
		return NULL;
	*now = (time_t)json_integer_value(json_object_get(t, "now"));
	*t_type = (int)json_integer_value(json_object_get(t, "t_type"));
	return t_unhex_alloc(json_string_value(json_object_get(t, "bytes")),
	    len);
}

static void
test_parse(void)
{
	struct ticket	 t;
	uint8_t		*b, h[32];
	size_t		 i, len, n = 0;
	time_t		 now;
	int		 type;

	T_BEGIN("each fixture ticket parses: type, one ticket's value, serials, date of its day, epoch 7, provider, serial hash");
	for (i = 0; (b = ticket_bytes(i, &len, &now, &type)) != NULL; i++) {
		n++;
		CHECKF(ticket_parse(b, len, &t) == 0, "ticket %zu", i);
		CHECK(t.t_type == type && t.spend_value == 1);
		CHECK(t.nserials >= 1 && t.nserials <= TICKET_SERIAL_MAX);
		CHECK(t.serials > b && t.serials + t.nserials * 48 <= b + len);
		CHECK(t.spend_date == ticket_julian_day(now));
		CHECK(t.epoch_id == 7);
		CHECK(memcmp(t.pay_info + 40, provider, 32) == 0);
		crypto_generichash(h, sizeof(h), t.serials,
		    (size_t)t.nserials * 48, NULL, 0);
		CHECK(memcmp(h, t.serial_hash, 32) == 0);
		CHECK(ticket_value(t.t_type) > 0);
		free(b);
	}
	CHECKF(n == 5, "%zu tickets", n);
	CHECK(ticket_value(4) == 0 && ticket_value(0) == 200000000);
	T_END();
}

static void
test_truncated(void)
{
	struct ticket	 t;
	uint8_t		*b, *c;
	size_t		 len, cut, refused = 0;
	time_t		 now;
	int		 type;

	T_BEGIN("every truncation of a ticket is refused, and so is a trailing byte or a payment length off by one");
	b = ticket_bytes(0, &len, &now, &type);
	CHECK(b != NULL);
	for (cut = 0; b != NULL && cut < len; cut++)
		refused += ticket_parse(b, cut, &t) == -1;
	CHECKF(refused == len, "%zu of %zu", refused, len);
	if (b != NULL) {
		c = malloc(len + 1);
		memcpy(c, b, len);
		c[len] = 0;
		CHECK(ticket_parse(c, len + 1, &t) == -1);
		c[3] ^= 1;	/* payment_len's low byte */
		CHECK(ticket_parse(c, len, &t) == -1);
		CHECK(ticket_verify_body(c, len, "n1x") == NULL);
		free(c);
	}
	free(b);
	T_END();
}

static void
test_check(void)
{
	struct ticket	 t;
	uint8_t		*b, other[32];
	size_t		 len;
	time_t		 now;
	int		 type;
	char		 msg[200];

	T_BEGIN("local checks: its day passes; the next day, another provider, a stale pay_info, two tickets, an unknown type are refused in Nym's words");
	b = ticket_bytes(0, &len, &now, &type);
	CHECK(b != NULL && ticket_parse(b, len, &t) == 0);
	CHECK(ticket_check(&t, provider, now, msg, sizeof(msg)) ==
	    CRED_ERR_NONE);
	CHECK(ticket_check(&t, provider, now + DAY, msg, sizeof(msg)) ==
	    CRED_ERR_EXPIRED && strstr(msg, "invalid spending date") != NULL);
	memcpy(other, provider, 32);
	other[0] ^= 1;
	CHECK(ticket_check(&t, other, now, msg, sizeof(msg)) ==
	    CRED_ERR_WRONG_PROVIDER && strstr(msg, "does not match") != NULL);
	CHECK(ticket_check(&t, provider, now + PAYINFO_SKEW + 1, msg,
	    sizeof(msg)) == CRED_ERR_EXPIRED &&
	    strstr(msg, "timestamp is invalid") != NULL);
	t.spend_value = 2;
	CHECK(ticket_check(&t, provider, now, msg, sizeof(msg)) ==
	    CRED_ERR_BAD_VALUE && strstr(msg, "more than a single") != NULL);
	t.spend_value = 1;
	t.t_type = TICKET_TYPES;
	CHECK(ticket_check(&t, provider, now, msg, sizeof(msg)) ==
	    CRED_ERR_BAD_VALUE && strstr(msg, "unknown ticketbook") != NULL);
	free(b);
	T_END();
}

static void
test_body(void)
{
	json_t		*j, *cred, *pay;
	json_error_t	 err;
	uint8_t		*b;
	size_t		 len;
	time_t		 now;
	int		 type;
	char		*s;

	T_BEGIN("the nym-api body: the ticket's payment fields, pay_info as 72 numbers, spend_date [year, day], epoch, our address");
	b = ticket_bytes(2, &len, &now, &type);
	s = b != NULL ? ticket_verify_body(b, len, "n1gateway") : NULL;
	CHECK(s != NULL);
	j = s != NULL ? json_loads(s, 0, &err) : NULL;
	CHECK(j != NULL);
	cred = json_object_get(j, "credential");
	pay = json_object_get(cred, "payment");
	CHECK(json_is_string(json_object_get(pay, "kappa")) &&
	    strlen(json_string_value(json_object_get(pay, "kappa"))) == 192);
	CHECK(json_integer_value(json_object_get(pay, "t_type")) == type);
	CHECK(json_integer_value(json_object_get(pay, "spend_value")) == 1);
	CHECK(json_array_size(json_object_get(pay, "ss")) >= 1);
	CHECK(json_is_object(json_object_get(pay, "zk_proof")));
	CHECK(json_array_size(json_object_get(cred, "pay_info")) == 72);
	CHECK(json_array_size(json_object_get(cred, "spend_date")) == 2);
	CHECK(json_integer_value(json_object_get(cred, "epoch_id")) == 7);
	CHECK(strcmp(json_string_value(json_object_get(j,
	    "gateway_cosmos_addr")), "n1gateway") == 0);
	json_decref(j);
	free(s);
	free(b);
	T_END();
}

static void
test_payinfo_verdict(void)
{
	struct ticket	 t;
	uint8_t		*b;
	size_t		 len;
	time_t		 now;
	int		 type;

	T_BEGIN("a pay_info is fresh once, then seen; forgotten, fresh again; verdicts Ok, Err, and nothing else");
	b = ticket_bytes(1, &len, &now, &type);
	CHECK(b != NULL && ticket_parse(b, len, &t) == 0);
	CHECK(ticket_payinfo_seen(t.pay_info, now) == 0);
	CHECK(ticket_payinfo_seen(t.pay_info, now) == 1);
	ticket_payinfo_forget(t.pay_info);
	CHECK(ticket_payinfo_seen(t.pay_info, now) == 0);
	free(b);
#define V(s)	ticket_parse_verdict(s, strlen(s))
	CHECK(V("{\"verified\":{\"Ok\":null}}") == 1);
	CHECK(V("{\"verified\":{\"Err\":\"spent\"}}") == 0);
	CHECK(V("{\"verified\":{\"Ok\":null,\"Err\":1}}") == -1);
	CHECK(V("{\"verified\":{}}") == -1);
	CHECK(V("{\"verified\":true}") == -1);
	CHECK(V("{\"verified\":{\"Ok\":null},\"verified\":1}") == -1);
	CHECK(V("not json") == -1);
#undef V
	T_END();
}

int
main(void)
{
	json_error_t	 err;
	size_t		 n;
	const char	*p;

	if ((root = json_load_file(FIXTURE, 0, &err)) == NULL)
		t_die("%s: %s", FIXTURE, err.text);
	p = json_string_value(json_object_get(root, "provider"));
	if (p == NULL || t_unhex(p, provider, sizeof(provider), &n) == -1 ||
	    n != 32)
		t_die("%s: no provider", FIXTURE);
	test_parse();
	test_truncated();
	test_check();
	test_body();
	test_payinfo_verdict();
	json_decref(root);
	return t_done();
}
