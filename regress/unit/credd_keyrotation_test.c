/*
 * nym-api's key-rotation info (GET /v1/epoch/key-rotation-info), as
 * nym-client-interop.md records its shape, into the numbers the master
 * plans Sphinx keys with.
 */
#include <string.h>

#include "credd/credd.h"
#include "testlib.h"

static const char good[] =
    "{\"key_rotation_state\":{\"validity_epochs\":24,"
    "\"initial_epoch_id\":27000},\"current_absolute_epoch_id\":28010,"
    "\"current_epoch_start\":\"2026-11-22T10:00:00.123456789Z\","
    "\"epoch_duration\":{\"secs\":3600,\"nanos\":0},"
    "\"progress\":{\"current_key_rotation_id\":42,"
    "\"current_rotation_starting_epoch\":28008,"
    "\"current_rotation_ending_epoch\":28031}}";

static int
parse_with(const char *from, const char *to)
{
	char			 buf[sizeof(good) + 64];
	const char		*p = strstr(good, from);
	struct gw_rotation_info	 ri;
	size_t			 off;

	if (p == NULL)
		return -2;
	off = (size_t)(p - good);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)off, good, to,
	    p + strlen(from));
	return keyrotation_parse(buf, strlen(buf), &ri);
}

int
main(void)
{
	struct gw_rotation_info	 ri;
	int64_t			 t;

	T_BEGIN("key-rotation info: every field the master needs");
	CHECK(keyrotation_parse(good, strlen(good), &ri) == 0);
	CHECK(ri.epoch == 28010 && ri.initial_epoch == 27000);
	CHECK(ri.validity_epochs == 24 && ri.epoch_secs == 3600);
	CHECK(ri.epoch_start == 1795341600);	/* 2026-11-22T10:00:00Z */
	T_END();

	T_BEGIN("RFC 3339 times: fractions and offsets");
	CHECK(keyrotation_parse_time("2026-11-22T10:00:00Z", &t) == 0 &&
	    t == 1795341600);
	CHECK(keyrotation_parse_time("2026-11-22T11:30:00+01:30", &t) == 0 &&
	    t == 1795341600);
	CHECK(keyrotation_parse_time("2026-11-22T08:00:00.5-02:00", &t) ==
	    0 && t == 1795341600);
	CHECK(keyrotation_parse_time("2026-11-22 10:00:00Z", &t) == -1);
	CHECK(keyrotation_parse_time("2026-11-22T10:00:00", &t) == -1);
	CHECK(keyrotation_parse_time("2026-11-22T10:00:00.Z", &t) == -1);
	CHECK(keyrotation_parse_time("2026-13-22T10:00:00Z", &t) == -1);
	CHECK(keyrotation_parse_time("2026-11-22T10:00:00Zjunk", &t) == -1);
	CHECK(keyrotation_parse_time("2026-11-22T10:00:00+1:00", &t) == -1);
	CHECK(keyrotation_parse_time(NULL, &t) == -1);
	T_END();

	T_BEGIN("key-rotation info: bad or inconsistent answers are refused");
	CHECK(parse_with("\"validity_epochs\":24", "\"validity_epochs\":0") ==
	    -1);
	CHECK(parse_with("\"secs\":3600", "\"secs\":0") == -1);
	CHECK(parse_with("\"secs\":3600", "\"secs\":\"3600\"") == -1);
	CHECK(parse_with("\"nanos\":0", "\"nanos\":1000000000") == -1);
	CHECK(parse_with("28010", "26999") == -1);	/* before initial */
	CHECK(parse_with("28010", "-1") == -1);
	CHECK(parse_with("28010", "4294967296") == -1);
	CHECK(parse_with("\"2026-11-22T10:00:00.123456789Z\"", "null") ==
	    -1);
	CHECK(parse_with("\"key_rotation_state\"", "\"state\"") == -1);
	CHECK(keyrotation_parse("[]", 2, &ri) == -1);
	CHECK(keyrotation_parse("{", 1, &ri) == -1);
	CHECK(parse_with("{\"key_rotation_state\"",
	    "{\"current_absolute_epoch_id\":1,\"key_rotation_state\"") == -1);
	T_END();
	return t_done();
}
