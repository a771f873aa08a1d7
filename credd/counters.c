/*
 * credd's counters, as gatewayctl status and /metrics name them.  Kept
 * out of credd.c so that tests and the fuzzer link them without main().
 */
#include "credd.h"

void
credd_counters_init(struct credd *cd)
{
	struct gw_counters	*cs = &cd->w->counters;

	cd->c_tickets = counter_get(cs, "tickets_received");
	cd->c_refused = counter_get(cs, "tickets_refused");
	cd->c_verified = counter_get(cs, "tickets_verified");
	cd->c_revoked = counter_get(cs, "tickets_revoked");
	cd->c_api_fail = counter_get(cs, "nymapi_failures");
	cd->c_topology = counter_get(cs, "topology_updates");
	cd->c_verloc_lists = counter_get(cs, "verloc_node_lists");
	cd->c_upgrade_checks = counter_get(cs, "upgrade_checks");
	cd->c_jwt_ok = counter_get(cs, "upgrade_jwt_ok");
	cd->c_jwt_bad = counter_get(cs, "upgrade_jwt_refused");
	cd->c_dns_lookups = counter_get(cs, "dns_lookups");
	cd->c_dns_failures = counter_get(cs, "dns_failures");
	cd->c_rejected = counter_get(cs, "tickets_rejected");
	cd->c_credited = counter_get(cs, "tickets_credited");
	cd->c_busy = counter_get(cs, "tickets_refused_busy");
	cd->c_cooldown = counter_get(cs, "tickets_refused_cooldown");
	cd->c_local_ok = counter_get(cs, "tickets_verified_locally");
	cd->c_invalid = counter_get(cs, "tickets_invalid");
	cd->c_vk_fail = counter_get(cs, "verification_key_failures");
	cd->c_refresh_sent = counter_get(cs, "refresh_requests_sent");
	cd->c_refresh_failed = counter_get(cs, "refresh_requests_failed");
	cd->c_dkg_ok = counter_get(cs, "signer_sets_fetched");
	cd->c_dkg_fail = counter_get(cs, "signer_sets_failed");
}
