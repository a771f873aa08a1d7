/*
 * /api/v1/load's tiers as nym-node works them out (nym-node-requests
 * api/v1/node_load/models.rs, From<f64> for Load; nym-node/src/node/
 * http/state/load.rs for the machine and total rules).
 */
#include <math.h>

#include "gatewayd/gatewayd.h"
#include "testlib.h"

int
main(void)
{
	T_BEGIN("load tiers: nym-node's bounds, inclusive above");
	CHECK(load_tier(0.0) == GW_LOAD_UNKNOWN);
	CHECK(load_tier(NAN) == GW_LOAD_UNKNOWN);
	CHECK(load_tier(INFINITY) == GW_LOAD_UNKNOWN);
	CHECK(load_tier(0.05) == GW_LOAD_NEGLIGIBLE);
	CHECK(load_tier(0.1) == GW_LOAD_NEGLIGIBLE);
	CHECK(load_tier(0.1001) == GW_LOAD_LOW);
	CHECK(load_tier(0.3) == GW_LOAD_LOW);
	CHECK(load_tier(0.6) == GW_LOAD_MEDIUM);
	CHECK(load_tier(0.8) == GW_LOAD_HIGH);
	CHECK(load_tier(0.95) == GW_LOAD_VERY_HIGH);
	CHECK(load_tier(0.951) == GW_LOAD_AT_CAPACITY);
	CHECK(load_tier(7.0) == GW_LOAD_AT_CAPACITY);
	T_END();

	T_BEGIN("machine: memory and big swap raise the CPU's tier by one");
	CHECK(load_machine(0.2, 0.05, 0, 0) == GW_LOAD_LOW);
	CHECK(load_machine(0.2, 0.9, 0, 0) == GW_LOAD_MEDIUM);
	/* swap of 1 GiB or less does not count */
	CHECK(load_machine(0.2, 0.05, 0.99, 1ULL << 30) == GW_LOAD_LOW);
	CHECK(load_machine(0.2, 0.05, 0.99, 2ULL << 30) == GW_LOAD_MEDIUM);
	CHECK(load_machine(0.2, 0.9, 0.99, 2ULL << 30) == GW_LOAD_HIGH);
	CHECK(load_machine(0.99, 0.99, 0.99, 2ULL << 30) ==
	    GW_LOAD_AT_CAPACITY);
	T_END();

	T_BEGIN("total: the machine's, one up unless busier than the network");
	CHECK(load_total(GW_LOAD_LOW, GW_LOAD_UNKNOWN) == GW_LOAD_LOW);
	CHECK(load_total(GW_LOAD_LOW, GW_LOAD_LOW) == GW_LOAD_MEDIUM);
	CHECK(load_total(GW_LOAD_LOW, GW_LOAD_HIGH) == GW_LOAD_MEDIUM);
	CHECK(load_total(GW_LOAD_UNKNOWN, GW_LOAD_LOW) == GW_LOAD_UNKNOWN);
	T_END();
	return t_done();
}
