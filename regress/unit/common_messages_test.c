/*
 * common/messages.c: the message rows agree with the process rows
 * (a message may travel only on a channel that exists), they state what
 * ARCHITECTURE.md promises (nothing from mixd reaches storaged; apid
 * speaks to the master alone), and the one validator every channel end
 * runs refuses each way a payload can be wrong.
 */
#include <stdio.h>
#include <string.h>

#include "imsg.h"
#include "roles.h"
#include "testlib.h"

static void
test_every_type_has_a_row(void)
{
	uint32_t	 t, u;

	T_BEGIN("every message type has a row with its own name");
	for (t = IMSG_NONE + 1; t < IMSG_TYPE_MAX; t++) {
		CHECKF(gw_msg(t) != NULL, "type %u", t);
		if (gw_msg(t) == NULL)
			continue;
		CHECKF(gw_msg(t)->unit > 0, "%s unit", gw_msg(t)->name);
		for (u = IMSG_NONE + 1; u < t; u++)
			CHECKF(gw_msg(u) == NULL || strcmp(gw_msg(t)->name,
			    gw_msg(u)->name) != 0, "%s twice",
			    gw_msg(t)->name);
	}
	CHECK(gw_msg(IMSG_NONE) == NULL);
	CHECK(gw_msg(IMSG_TYPE_MAX) == NULL);
	CHECK(strcmp(gw_imsg_type_name(IMSG_MIX_DELIVER), "MIX_DELIVER") == 0);
	CHECK(strcmp(gw_imsg_type_name(9999), "UNKNOWN") == 0);
	T_END();
}

static void
test_routes_use_channels(void)
{
	uint32_t	 t;
	unsigned	 a, b;

	T_BEGIN("every route of every message is a channel of the process rows");
	for (t = IMSG_NONE + 1; t < IMSG_TYPE_MAX; t++)
		for (a = 0; a < PROC_MAX; a++)
			for (b = 0; b < PROC_MAX; b++)
				if (gw_msg_route(t, a, b))
					CHECKF(gw_role_talks(a, b),
					    "%s %s->%s", gw_imsg_type_name(t),
					    gw_role(a)->name,
					    gw_role(b)->name);
	T_END();
}

static void
test_promises(void)
{
	uint32_t	 t;
	unsigned	 p;

	T_BEGIN("no message goes between mixd and storaged; apid and verlocd send to the master alone; only clientd stores, only clientd has handshakes signed and only verlocd verloc packets, keys go to mixd alone");
	for (t = IMSG_NONE + 1; t < IMSG_TYPE_MAX; t++) {
		CHECKF(!gw_msg_route(t, PROC_MIXD, PROC_STORAGED), "%s",
		    gw_imsg_type_name(t));
		CHECKF(!gw_msg_route(t, PROC_STORAGED, PROC_MIXD), "%s",
		    gw_imsg_type_name(t));
		for (p = GW_FIRST_WORKER; p < PROC_MAX; p++) {
			CHECKF(!gw_msg_route(t, PROC_APID, p), "%s",
			    gw_imsg_type_name(t));
			CHECKF(!gw_msg_route(t, PROC_VERLOCD, p), "%s",
			    gw_imsg_type_name(t));
			CHECKF(!gw_msg_route(t, p, PROC_VERLOCD), "%s",
			    gw_imsg_type_name(t));
		}
	}
	/* Only clientd, the decider, writes into an inbox. */
	for (p = 0; p < PROC_MAX; p++)
		CHECK(gw_msg_route(IMSG_STORE_MESSAGE, p, PROC_STORAGED) ==
		    (p == PROC_CLIENTD));
	/* The identity key signs only for clientd's handshakes. */
	for (p = 0; p < PROC_MAX; p++)
		CHECK(gw_msg_route(IMSG_HS_SIGN, p, PROC_PARENT) ==
		    (p == PROC_CLIENTD));
	/* ... and verloc packets for verlocd alone, which parses them. */
	for (p = 0; p < PROC_MAX; p++) {
		CHECK(gw_msg_route(IMSG_VERLOC_SIGN, p, PROC_PARENT) ==
		    (p == PROC_VERLOCD));
		CHECK(gw_msg_route(IMSG_VERLOC_SIGN_RESULT, PROC_PARENT, p) ==
		    (p == PROC_VERLOCD));
		CHECK(gw_msg_route(IMSG_VERLOC_ECHO_SIGN, p, PROC_PARENT) ==
		    (p == PROC_VERLOCD));
		CHECK(gw_msg_route(IMSG_VERLOC_ECHO_SIGNED, PROC_PARENT, p) ==
		    (p == PROC_VERLOCD));
	}
	/* Keys go to mixd alone. */
	for (p = 0; p < PROC_MAX; p++) {
		CHECK(gw_msg_route(IMSG_KEY_SPHINX, PROC_PARENT, p) ==
		    (p == PROC_MIXD));
		CHECK(gw_msg_route(IMSG_KEY_NOISE, PROC_PARENT, p) ==
		    (p == PROC_MIXD));
	}
	T_END();
}

static void
test_smallest_fits(void)
{
	const struct gw_msg	*m;
	uint32_t		 t;

	T_BEGIN("the smallest payload of every row fits a channel message");
	for (t = IMSG_NONE + 1; t < IMSG_TYPE_MAX; t++) {
		if ((m = gw_msg(t)) == NULL)
			continue;
		CHECKF(m->fixed + m->tail_min * m->unit + IMSG_HDR_SIZE <=
		    GW_IMSG_MAXSIZE, "%s", m->name);
		CHECKF(m->tail_min <= m->tail_max, "%s", m->name);
	}
	T_END();
}

#define CK(t, f, to, len, fd)	gw_msg_check(IMSG_##t, PROC_##f, PROC_##to, \
				    (len), (fd))

static void
test_validator(void)
{
	size_t	 sm = sizeof(struct gw_store_msg);
	size_t	 st = sizeof(struct gw_mix_settled);
	size_t	 se = sizeof(struct gw_settle);

	T_BEGIN("the validator: route, descriptor, fixed part, whole entries, tail bounds");
	CHECK(CK(STORE_MESSAGE, CLIENTD, STORAGED, sm + 1, 0) == NULL);
	CHECK(CK(STORE_MESSAGE, CLIENTD, STORAGED, sm + GW_MESSAGE_MAX, 0) ==
	    NULL);
	CHECK(CK(STORE_MESSAGE, CLIENTD, STORAGED, sm, 0) != NULL);
	CHECK(CK(STORE_MESSAGE, CLIENTD, STORAGED, sm + GW_MESSAGE_MAX + 1,
	    0) != NULL);
	CHECK(CK(STORE_MESSAGE, CREDD, STORAGED, sm + 1, 0) != NULL);
	CHECK(CK(STORE_MESSAGE, CLIENTD, STORAGED, sm + 1, 1) != NULL);
	CHECK(CK(STORE_RESULT, STORAGED, CLIENTD,
	    sizeof(struct gw_store_result), 0) == NULL);
	CHECK(CK(STORE_RESULT, STORAGED, CLIENTD,
	    sizeof(struct gw_store_result) - 1, 0) != NULL);
	CHECK(CK(STORE_RESULT, STORAGED, CLIENTD,
	    sizeof(struct gw_store_result) + 1, 0) != NULL);
	CHECK(CK(MIX_SETTLED, CLIENTD, MIXD, st + se, 0) == NULL);
	CHECK(CK(MIX_SETTLED, CLIENTD, MIXD, st + GW_SETTLE_MAX * se, 0) ==
	    NULL);
	CHECK(CK(MIX_SETTLED, CLIENTD, MIXD, st + se + 1, 0) != NULL);
	CHECK(CK(MIX_SETTLED, CLIENTD, MIXD, st, 0) != NULL);
	CHECK(CK(MIX_SETTLED, CLIENTD, MIXD, st + (GW_SETTLE_MAX + 1) * se,
	    0) != NULL);
	CHECK(CK(SETUP_PEER, PARENT, MIXD, sizeof(struct gw_setup_peer), 1) ==
	    NULL);
	CHECK(CK(SETUP_PEER, PARENT, MIXD, sizeof(struct gw_setup_peer), 0) !=
	    NULL);
	CHECK(CK(RECONF, PARENT, APID, sizeof(struct gw_conf_apid), 0) ==
	    NULL);
	/* credd's slice: its URLs make it unlike any other's in size */
	CHECK(CK(RECONF, PARENT, APID, sizeof(struct gw_conf_credd), 0) !=
	    NULL);
	CHECK(CK(RECONF, PARENT, MIXD, sizeof(struct gw_conf_mixd), 0) ==
	    NULL);
	CHECK(CK(START, PARENT, CREDD, 0, 0) == NULL);
	CHECK(CK(START, PARENT, CREDD, 1, 0) != NULL);
	CHECK(CK(START, CLIENTD, CREDD, 0, 0) != NULL);
	CHECK(CK(NODE_HOSTINFO, PARENT, APID, GW_HOSTINFO_MAX, 0) == NULL);
	CHECK(CK(NODE_HOSTINFO, PARENT, CLIENTD, 10, 0) != NULL);
	CHECK(CK(CTL_STATUS_PROC, CLIENTD, PARENT,
	    sizeof(struct gw_ctl_proc) + 3 * sizeof(struct gw_counter), 0) ==
	    NULL);
	CHECK(CK(CTL_STATUS_PROC, PARENT, CLIENTD,
	    sizeof(struct gw_ctl_proc), 0) != NULL);
	CHECK(gw_msg_check(IMSG_TYPE_MAX, PROC_PARENT, PROC_MIXD, 0, 0) !=
	    NULL);
	CHECK(gw_msg_check(IMSG_MIX_FORWARD, PROC_MAX, PROC_MIXD, 100, 0) !=
	    NULL);
	T_END();
}

static void
test_self(void)
{
	T_BEGIN("a process that has not said who it is checks nothing; then it checks both ways");
	CHECK(gw_msg_check_in(IMSG_STORE_MESSAGE, PROC_MIXD, 1, 0) == NULL);
	gw_msg_set_self(PROC_STORAGED);
	CHECK(gw_msg_check_in(IMSG_STORE_MESSAGE, PROC_MIXD,
	    sizeof(struct gw_store_msg) + 1, 0) != NULL);
	CHECK(gw_msg_check_in(IMSG_STORE_MESSAGE, PROC_CLIENTD,
	    sizeof(struct gw_store_msg) + 1, 0) == NULL);
	CHECK(gw_msg_check_out(IMSG_STORE_RESULT, PROC_CLIENTD,
	    sizeof(struct gw_store_result), 0) == NULL);
	CHECK(gw_msg_check_out(IMSG_STORE_RESULT, PROC_MIXD,
	    sizeof(struct gw_store_result), 0) != NULL);
	T_END();
}

int
main(void)
{
	test_every_type_has_a_row();
	test_routes_use_channels();
	test_promises();
	test_smallest_fits();
	test_validator();
	test_self();
	return t_done();
}
