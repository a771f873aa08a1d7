/*
 * mixd's counters for gatewayctl status: named once here, kept as
 * pointers so the hot path only increments.
 */
#include "mixd.h"

void
mixd_counters_init(struct mixd *md, struct gw_counters *cs)
{
	struct mixd_counters	*c = &md->c;

	c->packets_in = counter_get(cs, "packets_in");
	c->bytes_in = counter_get(cs, "bytes_in");
	c->packets_out = counter_get(cs, "packets_out");
	c->final_deliveries = counter_get(cs, "final_deliveries");
	c->acks_forwarded = counter_get(cs, "acks_forwarded");
	c->self_deliveries = counter_get(cs, "self_deliveries");
	c->replays = counter_get(cs, "sphinx_replay");
	c->sphinx_mac = counter_get(cs, "sphinx_mac");
	c->sphinx_no_key = counter_get(cs, "sphinx_no_key");
	c->sphinx_length = counter_get(cs, "sphinx_length");
	c->sphinx_other = counter_get(cs, "sphinx_other");
	c->non_final_dropped = counter_get(cs, "non_final_dropped");
	c->payload_bad = counter_get(cs, "payload_bad");
	c->message_empty = counter_get(cs, "message_empty");
	c->deliver_no_clientd = counter_get(cs, "deliver_no_clientd");
	c->frames_bad_header = counter_get(cs, "frames_bad_header");
	c->frames_bad_size = counter_get(cs, "frames_bad_size");
	c->frames_outfox = counter_get(cs, "frames_outfox");
	c->connections_in = counter_get(cs, "connections_in");
	c->connections_in_open = counter_get(cs, "connections_in_open");
	c->connections_refused = counter_get(cs, "connections_refused");
	c->read_timeouts = counter_get(cs, "read_timeouts");
	c->read_pauses = counter_get(cs, "read_pauses");
	c->connections_out = counter_get(cs, "connections_out");
	c->connect_failures = counter_get(cs, "connect_failures");
	c->peers_open = counter_get(cs, "peers_open");
	c->peers_full = counter_get(cs, "peers_full");
	c->peer_queue_full = counter_get(cs, "peer_queue_full");
	c->peer_lost_drops = counter_get(cs, "peer_lost_drops");
	c->peer_queue_max = counter_get(cs, "peer_queue_depth_max");
	c->forward_unknown_node = counter_get(cs, "forward_unknown_node");
	c->forward_no_topology = counter_get(cs, "forward_no_topology");
	c->forward_bad_address = counter_get(cs, "forward_bad_address");
	c->topology_nodes = counter_get(cs, "topology_nodes");
	c->topology_updates = counter_get(cs, "topology_updates");
	c->replay_filter_bytes = counter_get(cs, "replay_filter_bytes");
	c->noise_in_ok = counter_get(cs, "noise_handshakes_in_ok");
	c->noise_in_failed = counter_get(cs, "noise_handshakes_in_failed");
	c->noise_in_timeouts = counter_get(cs, "noise_handshake_timeouts");
	c->noise_out_ok = counter_get(cs, "noise_handshakes_out_ok");
	c->noise_out_failed = counter_get(cs, "noise_handshakes_out_failed");
	c->noise_out_timeouts = counter_get(cs,
	    "noise_handshakes_out_timeouts");
	c->noise_raw_in = counter_get(cs, "noise_raw_connections_in");
	c->noise_bad_frames = counter_get(cs, "noise_transport_errors");
	c->key_updates = counter_get(cs, "sphinx_key_updates");
	c->acks_held = counter_get(cs, "acks_held");
	c->acks_withheld = counter_get(cs, "acks_withheld");
	c->acks_late = counter_get(cs, "acks_late");
	c->acks_expired = counter_get(cs, "acks_expired");
	c->acks_dropped_full = counter_get(cs, "acks_dropped_full");
	c->deliver_queue_full = counter_get(cs, "deliver_queue_full");
	c->accept_backoffs = counter_get(cs, "accept_backoffs");
	c->replay_tags_unsaved = counter_get(cs, "replay_tags_unsaved");
	c->replay_tags_restored = counter_get(cs, "replay_tags_restored");
	c->frame_deadlines = counter_get(cs, "frame_deadlines");
	c->unknown_evicted = counter_get(cs, "unknown_peers_evicted");
	c->unknown_refused = counter_get(cs, "unknown_peers_refused");
}
