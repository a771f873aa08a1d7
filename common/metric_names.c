/*
 * The table of metric_names.h, sorted by name (metric_name_find
 * searches it in halves; the unit test checks the order).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metric_names.h"

#define C	METRIC_COUNTER
#define G	METRIC_GAUGE
#define H	METRIC_HISTOGRAM

const struct metric_name metric_names[] = {
	{ "accept_backoffs", NULL, C,
	    "Times accept() failed for lack of descriptors and the "
	    "listener paused." },
	{ "acks_dropped_full", NULL, C,
	    "SURB-acks dropped because the ack delay queue was full." },
	{ "acks_expired", NULL, C,
	    "SURB-acks dropped because they waited too long." },
	{ "acks_forwarded", NULL, C,
	    "SURB-acks forwarded to the next hop." },
	{ "acks_held", NULL, G,
	    "SURB-acks waiting out the ack delay now." },
	{ "acks_late", NULL, C,
	    "SURB-acks sent later than their delay." },
	{ "acks_withheld", NULL, C,
	    "SURB-acks not sent because the message was not delivered." },
	{ "auth_bad_ciphertext", NULL, C,
	    "Client authentications with a bad ciphertext." },
	{ "auth_bad_signature", NULL, C,
	    "Client authentications with a bad signature." },
	{ "auth_bad_version", NULL, C,
	    "Client authentications with a bad version." },
	{ "auth_duplicate", NULL, C,
	    "Client authentications of a client already connected." },
	{ "auth_ok", NULL, C,
	    "Client authentications accepted." },
	{ "auth_replayed", NULL, C,
	    "Client authentications replayed." },
	{ "auth_skewed", NULL, C,
	    "Client authentications with a skewed clock." },
	{ "auth_unknown_client", NULL, C,
	    "Client authentications of an unknown client." },
	{ "bandwidth_free_claims", NULL, C,
	    "Free testnet bandwidth claims." },
	{ "bandwidth_spent", "bandwidth_spent_bytes", C,
	    "Client bandwidth spent." },
	{ "bytes_in", "mix_received_bytes", C,
	    "Bytes of Sphinx packets received on the mix port." },
	{ "client_handshake_seconds", NULL, H,
	    "Seconds from a client connection accepted to its "
	    "registration or authentication; buckets 1 ms to 10 s "
	    "(limits.handshake_timeout)." },
	{ "commit_failures", NULL, C,
	    "LMDB commits that failed." },
	{ "commits", NULL, C,
	    "LMDB write transactions committed." },
	{ "connect_failures", NULL, C,
	    "Outgoing mix connections that failed." },
	{ "connections_accepted", NULL, C,
	    "Client connections accepted." },
	{ "connections_closed", NULL, C,
	    "Client connections closed." },
	{ "connections_in", NULL, C,
	    "Mix connections accepted." },
	{ "connections_in_open", NULL, G,
	    "Mix connections open now." },
	{ "connections_open", NULL, G,
	    "Client connections open now." },
	{ "connections_out", NULL, C,
	    "Outgoing mix connections made." },
	{ "connections_refused", NULL, C,
	    "Mix connections refused at a limit." },
	{ "connections_refused_max", NULL, C,
	    "Client connections refused at the limit." },
	{ "connections_refused_per_address", NULL, C,
	    "Client connections refused: per-address limit." },
	{ "control_evicted", NULL, C,
	    "Control clients closed to make room for another." },
	{ "control_idle_closed", NULL, C,
	    "Control clients closed for idling." },
	{ "control_requests", NULL, C,
	    "Control socket requests served." },
	{ "control_requests_dropped", NULL, C,
	    "Control socket requests dropped." },
	{ "control_slow_dropped", NULL, C,
	    "Control clients dropped for not reading their replies." },
	{ "credential_requests", NULL, C,
	    "Credential requests from clients." },
	{ "db_usage_percent", NULL, G,
	    "Percentage of the LMDB map in use." },
	{ "deliver_no_clientd", NULL, C,
	    "Final packets dropped because clientd was not there." },
	{ "deliver_queue_full", NULL, C,
	    "Final packets dropped because the clientd queue was full." },
	{ "delivery_seconds", NULL, H,
	    "Seconds from mixd handing on a message for a client to its "
	    "frame written to the client's WebSocket (clientd) or its "
	    "inbox commit (storaged); buckets 0.1 ms to 10 s." },
	{ "dns_failures", NULL, C,
	    "DNS lookups that failed." },
	{ "dns_lookups", NULL, C,
	    "DNS lookups made." },
	{ "dropped_db_full", NULL, C,
	    "Messages not stored because the database was full." },
	{ "dropped_inbox_full", NULL, C,
	    "Messages not stored because the client inbox was full." },
	{ "dropped_unregistered", NULL, C,
	    "Messages not stored because the client is not registered." },
	{ "final_deliveries", NULL, C,
	    "Packets whose final hop is this gateway." },
	{ "forward_bad_address", NULL, C,
	    "Packets dropped for a malformed next-hop address." },
	{ "forward_no_topology", NULL, C,
	    "Packets dropped because no topology is known yet." },
	{ "forward_unknown_node", NULL, C,
	    "Packets dropped for a next hop not in the topology." },
	{ "fragmented_messages_refused", NULL, C,
	    "Fragmented WebSocket messages refused." },
	{ "frame_deadlines", NULL, C,
	    "Mix connections closed for a frame not completed in time." },
	{ "frames_bad_header", NULL, C,
	    "Mix frames with a malformed header." },
	{ "frames_bad_size", NULL, C,
	    "Mix frames of a wrong size." },
	{ "frames_outfox", NULL, C,
	    "Outfox mix frames refused." },
	{ "handshake_deadlines", NULL, C,
	    "Client connections closed at the handshake deadline." },
	{ "handshakes_signed", NULL, C,
	    "Noise handshakes signed by the master." },
	{ "http_api_deadlines", NULL, C,
	    "HTTP API connections closed at their deadline." },
	{ "http_api_refused_full", NULL, C,
	    "HTTP API connections refused: table full." },
	{ "http_api_refused_per_address", NULL, C,
	    "HTTP API connections refused: per-address limit." },
	{ "http_api_requests", NULL, C,
	    "HTTP API requests parsed." },
	{ "inbox_clients", NULL, G,
	    "Clients with stored messages now." },
	{ "inbox_delivered", NULL, C,
	    "Stored messages delivered to clients." },
	{ "inbox_fetches", NULL, C,
	    "Inbox fetches served." },
	{ "inbox_messages", NULL, G,
	    "Messages stored in inboxes now." },
	{ "message_empty", NULL, C,
	    "Final payloads with an empty message." },
	{ "messages_acked", NULL, C,
	    "Stored messages the client acknowledged." },
	{ "messages_deleted", NULL, C,
	    "Stored messages deleted." },
	{ "messages_purged", NULL, C,
	    "Stored messages purged past their retention." },
	{ "messages_pushed", NULL, C,
	    "Messages pushed to connected clients." },
	{ "messages_store_failed", NULL, C,
	    "Messages whose store failed." },
	{ "messages_stored", NULL, C,
	    "Messages stored for offline clients." },
	{ "messages_unregistered", NULL, C,
	    "Messages for unregistered clients." },
	{ "mixd_backpressure", NULL, C,
	    "Times clientd paused reading from mixd." },
	{ "noise_handshake_timeouts", NULL, C,
	    "Incoming Noise handshakes that timed out." },
	{ "noise_handshakes_in_failed", NULL, C,
	    "Incoming Noise handshakes that failed." },
	{ "noise_handshakes_in_ok", NULL, C,
	    "Incoming Noise handshakes completed." },
	{ "noise_handshakes_out_failed", NULL, C,
	    "Outgoing Noise handshakes that failed." },
	{ "noise_handshakes_out_ok", NULL, C,
	    "Outgoing Noise handshakes completed." },
	{ "noise_handshakes_out_timeouts", NULL, C,
	    "Outgoing Noise handshakes that timed out." },
	{ "noise_raw_connections_in", NULL, C,
	    "Incoming mix connections without Noise." },
	{ "noise_transport_errors", NULL, C,
	    "Noise transport errors." },
	{ "non_final_dropped", NULL, C,
	    "Non-final packets dropped." },
	{ "nymapi_failures", NULL, C,
	    "nym-api requests that failed." },
	{ "output_paused", NULL, C,
	    "Times a client output was paused." },
	{ "packet_bytes_forwarded", "packets_forwarded_bytes", C,
	    "Bytes of client packets forwarded to the mixnet." },
	{ "packets_dropped", NULL, C,
	    "Client packets dropped." },
	{ "packets_forwarded", NULL, C,
	    "Client packets forwarded to the mixnet." },
	{ "packets_in", NULL, C,
	    "Sphinx packets received on the mix port." },
	{ "packets_malformed", NULL, C,
	    "Client packets malformed." },
	{ "packets_out", NULL, C,
	    "Sphinx packets sent on the mix port." },
	{ "packets_out_of_bandwidth", NULL, C,
	    "Client packets dropped out of bandwidth." },
	{ "payload_bad", NULL, C,
	    "Final payloads that did not decode." },
	{ "peer_lost_drops", NULL, C,
	    "Packets dropped with a lost peer connection." },
	{ "peer_queue_depth_max", NULL, G,
	    "Deepest outgoing peer queue now." },
	{ "peer_queue_full", NULL, C,
	    "Packets dropped for a full peer queue." },
	{ "peers_full", NULL, C,
	    "Outgoing connections refused at the peer limit." },
	{ "peers_open", NULL, G,
	    "Outgoing mix connections open now." },
	{ "protocol_errors", NULL, C,
	    "Client protocol errors." },
	{ "read_pauses", NULL, C,
	    "Times reading from mix peers paused under backpressure." },
	{ "read_timeouts", NULL, C,
	    "Mix connections closed for read timeout." },
	{ "refresh_requests_failed", NULL, C,
	    "Refresh-described requests nym-api refused or that failed." },
	{ "refresh_requests_sent", NULL, C,
	    "Signed refresh-described requests nym-api accepted." },
	{ "refresh_signed", NULL, C,
	    "Refresh-described requests the master signed for credd." },
	{ "registrations_failed", NULL, C,
	    "Client registrations that failed." },
	{ "registrations_ok", NULL, C,
	    "Client registrations completed." },
	{ "reloads", NULL, C,
	    "Configuration reloads applied." },
	{ "replay_filter_bytes", NULL, G,
	    "Bytes held by the replay filters now." },
	{ "replay_images_written", NULL, C,
	    "Replay filter images written." },
	{ "replay_journal_bytes", NULL, C,
	    "Bytes appended to the replay journal." },
	{ "replay_syncs", NULL, C,
	    "Replay journal syncs." },
	{ "replay_tags_restored", NULL, C,
	    "Replay tags restored at start." },
	{ "replay_tags_saved", NULL, C,
	    "Replay tags saved." },
	{ "replay_tags_unknown_key", NULL, C,
	    "Replay tags for an unknown key rotation." },
	{ "replay_tags_unsaved", NULL, C,
	    "Replay tags not saved." },
	{ "requests_malformed", NULL, C,
	    "Client requests malformed." },
	{ "self_deliveries", NULL, C,
	    "Packets addressed to this gateway as next hop." },
	{ "sibling_queue_full", NULL, C,
	    "Messages dropped for a full sibling queue." },
	{ "sign_refused_bad_key", NULL, C,
	    "Signing requests refused for a bad key." },
	{ "sign_refused_rate", NULL, C,
	    "Signing requests refused over the rate." },
	{ "signer_sets_failed", NULL, C,
	    "Past epochs whose signers the DKG contract could not give." },
	{ "signer_sets_fetched", NULL, C,
	    "Past epochs' signer sets read from the DKG contract." },
	{ "slow_clients_dropped", NULL, C,
	    "Clients dropped for reading too slowly." },
	{ "sphinx_key_updates", NULL, C,
	    "Sphinx key updates received." },
	{ "sphinx_length", NULL, C,
	    "Sphinx packets of a wrong length." },
	{ "sphinx_mac", NULL, C,
	    "Sphinx packets with a bad MAC." },
	{ "sphinx_no_key", NULL, C,
	    "Sphinx packets for no key held." },
	{ "sphinx_other", NULL, C,
	    "Sphinx packets refused for other reasons." },
	{ "sphinx_replay", NULL, C,
	    "Sphinx packets replayed." },
	{ "storage_commit_seconds", NULL, H,
	    "Seconds from a message write submitted to its LMDB commit "
	    "done; buckets 0.1 ms to 1 s (storage.commit_interval, "
	    "fdatasync)." },
	{ "storaged_backpressure", NULL, C,
	    "Times clientd paused reading from storaged." },
	{ "tickets_credited", NULL, C,
	    "Tickets credited as bandwidth." },
	{ "tickets_invalid", NULL, C,
	    "Tickets invalid." },
	{ "tickets_received", NULL, C,
	    "Tickets received." },
	{ "tickets_refused", NULL, C,
	    "Tickets refused." },
	{ "tickets_refused_busy", NULL, C,
	    "Tickets refused while busy." },
	{ "tickets_refused_cooldown", NULL, C,
	    "Tickets refused in cooldown." },
	{ "tickets_rejected", NULL, C,
	    "Tickets rejected by verification." },
	{ "tickets_revoked", NULL, C,
	    "Tickets revoked." },
	{ "tickets_verified", NULL, C,
	    "Tickets verified." },
	{ "tickets_verified_locally", NULL, C,
	    "Tickets verified locally." },
	{ "timeouts", NULL, C,
	    "Client connections timed out." },
	{ "topology_nodes", NULL, G,
	    "Nodes in the current topology." },
	{ "topology_updates", NULL, C,
	    "Topology updates applied." },
	{ "unauthenticated_evicted", NULL, C,
	    "Unauthenticated connections evicted." },
	{ "unauthenticated_open", NULL, G,
	    "Unauthenticated connections open now." },
	{ "unauthenticated_refused_per_address", NULL, C,
	    "Unauthenticated connections refused: per-address limit." },
	{ "unknown_peers_evicted", NULL, C,
	    "Unknown peers evicted." },
	{ "unknown_peers_refused", NULL, C,
	    "Unknown peers refused." },
	{ "upgrade_checks", NULL, C,
	    "Upgrade-mode attestation checks." },
	{ "upgrade_jwt_ok", NULL, C,
	    "Upgrade-mode JWTs accepted." },
	{ "upgrade_jwt_refused", NULL, C,
	    "Upgrade-mode JWTs refused." },
	{ "upgrades_refused", NULL, C,
	    "WebSocket upgrades refused." },
	{ "verification_key_failures", NULL, C,
	    "Verification key fetches that failed." },
	{ "verloc_bad_packets", NULL, C,
	    "Verloc echo packets refused as malformed or badly signed." },
	{ "verloc_connections", NULL, C,
	    "Verloc connections accepted from peers." },
	{ "verloc_echo_refused_key", NULL, C,
	    "Own verloc echoes refused: not our identity key." },
	{ "verloc_echo_refused_rate", NULL, C,
	    "Own verloc echoes refused over the signing rate." },
	{ "verloc_echoes_signed", NULL, C,
	    "Own verloc echoes the master signed for the measurer." },
	{ "verloc_list_failures", NULL, C,
	    "Verloc runs put off: no node list, or an empty one." },
	{ "verloc_node_lists", NULL, C,
	    "Verloc node lists fetched from nym-api for verlocd." },
	{ "verloc_nodes_failed", NULL, C,
	    "Nodes the verloc measurer could not measure in a run." },
	{ "verloc_nodes_measured", NULL, C,
	    "Nodes the verloc measurer measured in full." },
	{ "verloc_refused_full", NULL, C,
	    "Verloc connections refused: too many open." },
	{ "verloc_refused_per_address", NULL, C,
	    "Verloc connections refused: too many from one address." },
	{ "verloc_replies", NULL, C,
	    "Verloc replies sent to peers." },
	{ "verloc_replies_signed", NULL, C,
	    "Verloc replies the master signed for verlocd." },
	{ "verloc_runs", NULL, C,
	    "Verloc measuring runs finished." },
	{ "verloc_sign_refused", NULL, C,
	    "Verloc echoes the master would not sign." },
	{ "verloc_sign_refused_bad", NULL, C,
	    "Verloc sign requests refused: the echo's own "
	    "signature failed." },
	{ "verloc_sign_refused_rate", NULL, C,
	    "Verloc sign requests refused over the signing rate." },
	{ "verloc_timeouts", NULL, C,
	    "Verloc connections closed for silence." },
	{ "websocket_errors", NULL, C,
	    "WebSocket errors." },
	{ "workers_started", NULL, C,
	    "Worker processes started." },
};
const unsigned metric_nnames = sizeof(metric_names) / sizeof(metric_names[0]);

static int
metric_cmp(const void *key, const void *row)
{
	return strcmp(key, ((const struct metric_name *)row)->name);
}

const struct metric_name *
metric_name_find(const char *name)
{
	return bsearch(name, metric_names, metric_nnames,
	    sizeof(metric_names[0]), metric_cmp);
}

static const struct metric_name *
hist_row(const char *name, size_t baselen)
{
	char			 base[64];
	const struct metric_name *mn;

	if (baselen == 0 || baselen >= sizeof(base))
		return NULL;
	memcpy(base, name, baselen);
	base[baselen] = '\0';
	mn = metric_name_find(base);
	return mn != NULL && mn->kind == METRIC_HISTOGRAM ? mn : NULL;
}

enum metric_part
metric_hist_part(const char *name, const struct metric_name **row,
    uint32_t *le_us)
{
	const char	*p;
	size_t		 len = strlen(name);
	unsigned long	 v;
	char		*end;

	if ((p = strstr(name, "_bucket_le_")) != NULL &&
	    (*row = hist_row(name, (size_t)(p - name))) != NULL &&
	    p[11] >= '0' && p[11] <= '9') {
		v = strtoul(p + 11, &end, 10);
		if (*end == '\0' && v <= UINT32_MAX) {
			*le_us = (uint32_t)v;
			return METRIC_PART_BUCKET;
		}
	}
	if (len > 7 && strcmp(name + len - 7, "_sum_us") == 0 &&
	    (*row = hist_row(name, len - 7)) != NULL)
		return METRIC_PART_SUM;
	if (len > 6 && strcmp(name + len - 6, "_count") == 0 &&
	    (*row = hist_row(name, len - 6)) != NULL)
		return METRIC_PART_COUNT;
	*row = NULL;
	return METRIC_PART_NONE;
}

int
metric_name_known(const char *name)
{
	const struct metric_name	*mn;
	uint32_t			 le;

	mn = metric_name_find(name);
	if (mn != NULL)
		return mn->kind != METRIC_HISTOGRAM;
	return metric_hist_part(name, &mn, &le) != METRIC_PART_NONE;
}
