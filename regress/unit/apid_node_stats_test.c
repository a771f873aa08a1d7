/*
 * nym-node's statistics routes as apid answers them: every field name
 * and JSON type of load, packets-stats, mixing and sessions against the
 * shapes in regress/vectors/nym-node-stats (written from nym-node's
 * structs, see its README), the counters each field is made of, and
 * clientd's day refused when its entries disagree with its header.
 */
#include <math.h>
#include <string.h>

#include <jansson.h>

#include "apid/node_api.h"
#include "apid/node_stats.h"
#include "common_vectors.h"
#include "testlib.h"

/* Same keys, same JSON types, all the way down; arrays: every element
 * shaped like the fixture's first. */
static int
same_shape(json_t *want, json_t *got, char *why, size_t len)
{
	const char	*k;
	json_t		*v;
	size_t		 i;

	if (json_typeof(want) != json_typeof(got) &&
	    !(json_is_boolean(want) && json_is_boolean(got))) {
		snprintf(why, len, "type %d, want %d", json_typeof(got),
		    json_typeof(want));
		return 0;
	}
	if (json_is_object(want)) {
		if (json_object_size(want) != json_object_size(got)) {
			snprintf(why, len, "%zu fields, want %zu",
			    json_object_size(got), json_object_size(want));
			return 0;
		}
		json_object_foreach(want, k, v) {
			if (json_object_get(got, k) == NULL) {
				snprintf(why, len, "no field %s", k);
				return 0;
			}
			if (!same_shape(v, json_object_get(got, k), why, len))
				return 0;
		}
	}
	if (json_is_array(want) && json_array_size(want) > 0)
		for (i = 0; i < json_array_size(got); i++)
			if (!same_shape(json_array_get(want, 0),
			    json_array_get(got, i), why, len))
				return 0;
	return 1;
}

static json_t *
route(const struct node_api *api, const char *path)
{
	static struct node_api_resp	 r;
	json_error_t			 err;

	node_api_route(api, "GET", path, NULL, 1000, &r);
	if (r.status != 200)
		return NULL;
	return r.ext != NULL ? json_loadb(r.ext, r.extlen, 0, &err) :
	    json_loadb(r.body, r.len, 0, &err);
}

static void
check_route(const struct node_api *api, const char *path,
    const char *fixture)
{
	char	 name[128], why[128] = "";
	json_t	*want = load_vector(fixture), *got = route(api, path);

	snprintf(name, sizeof(name), "%s has nym-node's fields and types",
	    path);
	T_BEGIN(name);
	CHECKF(want != NULL, "fixture %s missing", fixture);
	CHECKF(got != NULL, "%s: no JSON object", path);
	if (want != NULL && got != NULL)
		CHECKF(same_shape(want, got, why, sizeof(why)), "%s", why);
	json_decref(want);
	json_decref(got);
	T_END();
}

static void
set(struct metrics_proc *p, const char *name, uint64_t v)
{
	struct gw_counter	*c = &p->c[p->p.ncounters++];

	snprintf(c->name, sizeof(c->name), "%s", name);
	c->value = v;
}

static uint64_t
field(const struct node_api *api, const char *path, const char *a,
    const char *b)
{
	json_t		*j = route(api, path), *o;
	uint64_t	 v;

	o = b == NULL ? json_object_get(j, a) :
	    json_object_get(json_object_get(j, a), b);
	v = json_is_integer(o) ? (uint64_t)json_integer_value(o) : 999999;
	json_decref(j);
	return v;
}

int
main(void)
{
	static struct node_stats	 st;
	static struct metrics_proc	 procs[2];
	struct node_api			 api;
	struct gw_node_load		 l = { GW_LOAD_MEDIUM, GW_LOAD_LOW,
					    GW_LOAD_AT_CAPACITY };
	struct {
		struct gw_session_day	 d;
		struct gw_session_entry	 e[3];
	} day;
	json_t				*j;

	memset(&api, 0, sizeof(api));
	T_BEGIN("before anything arrived: 503, not made-up figures");
	CHECK(route(&api, "/api/v1/load") == NULL);
	T_END();

	node_stats_init(&st, 1700000000);
	api.stats = &st;
	check_route(&api, "/api/v1/load", "nym-node-stats/load.json");
	check_route(&api, "/api/v1/metrics/packets-stats",
	    "nym-node-stats/packets-stats.json");
	check_route(&api, "/api/v1/metrics/mixing",
	    "nym-node-stats/mixing.json");
	check_route(&api, "/api/v1/metrics/sessions?output=json",
	    "nym-node-stats/sessions.json");

	T_BEGIN("load: the tiers by nym-node's snake_case names");
	node_stats_load(&st, &l);
	j = route(&api, "/api/v1/load");
	CHECK(j != NULL && strcmp(json_string_value(json_object_get(j,
	    "total")), "medium") == 0 && strcmp(json_string_value(
	    json_object_get(j, "network")), "at_capacity") == 0);
	json_decref(j);
	l.total = 99;	/* hostile: no such tier */
	node_stats_load(&st, &l);
	j = route(&api, "/api/v1/load");
	CHECK(j != NULL && strcmp(json_string_value(json_object_get(j,
	    "total")), "unknown") == 0);
	json_decref(j);
	T_END();

	T_BEGIN("packets-stats: mixd's counters in nym-node's fields");
	snprintf(procs[0].p.role, sizeof(procs[0].p.role), "mixd");
	set(&procs[0], "packets_in", 1000);
	set(&procs[0], "final_deliveries", 900);
	set(&procs[0], "non_final_dropped", 7);
	set(&procs[0], "sphinx_mac", 3);
	set(&procs[0], "frames_bad_size", 2);
	set(&procs[0], "sphinx_replay", 5);
	set(&procs[0], "deliver_queue_full", 4);
	set(&procs[0], "packets_out", 800);
	set(&procs[0], "acks_forwarded", 300);
	set(&procs[0], "peer_queue_full", 6);
	snprintf(procs[1].p.role, sizeof(procs[1].p.role), "clientd");
	set(&procs[1], "packets_in", 55555);	/* another process's */
	node_stats_counters(&st, procs, 2, 1700000030);
	CHECK(field(&api, "/api/v1/metrics/packets-stats", "ingress_mixing",
	    "final_hop_packets_received") == 900);
	CHECK(field(&api, "/api/v1/metrics/packets-stats", "ingress_mixing",
	    "forward_hop_packets_received") == 7);
	CHECK(field(&api, "/api/v1/metrics/packets-stats", "ingress_mixing",
	    "malformed_packets_received") == 5);
	CHECK(field(&api, "/api/v1/metrics/packets-stats", "ingress_mixing",
	    "replayed_packets_received") == 5);
	CHECK(field(&api, "/api/v1/metrics/packets-stats", "ingress_mixing",
	    "final_hop_packets_dropped") == 4);
	CHECK(field(&api, "/api/v1/metrics/packets-stats", "egress_mixing",
	    "forward_hop_packets_sent") == 500);
	CHECK(field(&api, "/api/v1/metrics/packets-stats", "egress_mixing",
	    "ack_packets_sent") == 300);
	CHECK(field(&api, "/api/v1/metrics/packets-stats", "egress_mixing",
	    "forward_hop_packets_dropped") == 6);
	T_END();

	T_BEGIN("mixing: since startup and since the last update");
	CHECK(field(&api, "/api/v1/metrics/mixing", "received_since_startup",
	    NULL) == 1000);
	procs[0].c[0].value = 1600;	/* packets_in */
	node_stats_counters(&st, procs, 2, 1700000060);
	CHECK(field(&api, "/api/v1/metrics/mixing", "received_since_startup",
	    NULL) == 1600);
	CHECK(field(&api, "/api/v1/metrics/mixing",
	    "received_since_last_update", NULL) == 600);
	CHECK(field(&api, "/api/v1/metrics/mixing", "sent_since_last_update",
	    NULL) == 0);
	j = route(&api, "/api/v1/metrics/mixing");
	CHECK(j != NULL && strcmp(json_string_value(json_object_get(j,
	    "update_time")), "2023-11-14T22:14:20Z") == 0 && strcmp(
	    json_string_value(json_object_get(j, "previous_update_time")),
	    "2023-11-14T22:13:50Z") == 0);
	json_decref(j);
	T_END();

	T_BEGIN("sessions: clientd's day, types by nym's names");
	memset(&day, 0, sizeof(day));
	day.d.day = 1700006400;		/* 2023-11-15T00:00:00Z */
	day.d.unique_users = 2;
	day.d.sessions_started = 5;
	day.d.sessions_finished = 9;	/* more than it could list */
	day.d.nlisted = 3;
	day.e[0].duration_ms = 1500;
	day.e[0].type = GW_SESSION_VPN;
	day.e[1].duration_ms = 20;
	day.e[1].type = GW_SESSION_SOCKS5;
	day.e[2].type = 77;		/* hostile: Unknown */
	CHECK(node_stats_sessions(&st, &day, sizeof(day)) == 0);
	check_route(&api, "/api/v1/metrics/sessions",
	    "nym-node-stats/sessions.json");
	j = route(&api, "/api/v1/metrics/sessions");
	CHECK(j != NULL);
	CHECK(strcmp(json_string_value(json_object_get(j, "update_time")),
	    "2023-11-15T00:00:00Z") == 0);
	CHECK(json_integer_value(json_object_get(j, "sessions_finished")) ==
	    9 && json_integer_value(json_object_get(j,
	    "unique_active_users")) == 2);
	CHECK(json_array_size(json_object_get(j, "sessions")) == 3);
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "sessions"), 1), "typ")), "Socks5") == 0);
	CHECK(strcmp(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "sessions"), 2), "typ")), "Unknown") == 0);
	CHECK(json_array_size(json_object_get(j,
	    "unique_active_users_hashes")) == 0);
	json_decref(j);
	T_END();

	T_BEGIN("sessions: a day whose entries disagree is refused");
	CHECK(node_stats_sessions(&st, &day, sizeof(day) - 1) == -1);
	CHECK(node_stats_sessions(&st, &day, sizeof(day.d)) == -1);
	day.d.sessions_finished = 2;	/* fewer than listed */
	CHECK(node_stats_sessions(&st, &day, sizeof(day)) == -1);
	CHECK(node_stats_sessions(&st, &day, 3) == -1);
	T_END();

	node_stats_free(&st);
	return t_done();
}
