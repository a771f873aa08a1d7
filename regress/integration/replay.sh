#!/bin/sh
# The four final-hop packets captured from Nym's own client
# (regress/vectors/sphinx-real-client.json), sent in v7 frames to the mix
# port of a gateway holding that capture's Sphinx key (issue 12):
#  - they are for a client that never registered here: unwrapped, never
#    stored, and no SURB-ack leaves for them;
#  - after SIGTERM and a new start, the same packets are replays;
#  - after kill -9 of the whole daemon and a new start, too (the tags
#    reached the master's journal within REPLAY_FLUSH_MS);
#  - the filters of two restarts agree with what is on disk.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

VEC=$TOP/regress/vectors/sphinx-real-client.json

# The capture's gateway key (node 1789) as this gateway's Sphinx key.
install_key() {
	python3 - "$VEC" "$GW_DIR/keys" <<'EOF'
import base64, json, os, sys
v = json.load(open(sys.argv[1]))["nodes"]["1789"]
d = sys.argv[2]
for name, hexkey, kind in (("x25519_sphinx", v["sphinx_private_hex"], "PRIVATE"),
                           ("x25519_sphinx.pub", v["sphinx_public_hex"], "PUBLIC")):
    p = os.path.join(d, name)
    with open(p, "w") as f:
        f.write("-----BEGIN X25519 %s KEY-----\n%s\n-----END X25519 %s KEY-----\n"
                % (kind, base64.b64encode(bytes.fromhex(hexkey)).decode(), kind))
    os.chmod(p, 0o600 if kind == "PRIVATE" else 0o644)
EOF
}

# send: the four packets, each in a v7 frame, on one connection
send() {
	python3 - "$VEC" "$GW_MIX" <<'EOF'
import json, socket, sys, time
v = json.load(open(sys.argv[1]))
s = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
for p in v["packets"]:
    final = [h for h in p["hops"] if h["at_port"] == 1789][0]
    prev = p["hops"][p["hops"].index(final) - 1]
    pkt = bytes.fromhex(prev["out_packet_hex"])
    assert len(pkt) == 2413
    s.sendall(bytes([7, 1, 0]) + pkt)
time.sleep(0.5)
s.close()
EOF
}

fresh_gateway() {
	gw_setup || { notok setup "init failed"; exit 1; }
	install_key
	gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
}

fresh_gateway
send
wait_until 10 counter_ge mixd final_deliveries 4
wait_until 10 counter_ge clientd messages_unregistered 4
if counter_is mixd final_deliveries 4 && counter_is mixd sphinx_mac 0 &&
    counter_is storaged dropped_unregistered 4 &&
    counter_is storaged inbox_messages 0 &&
    counter_is storaged messages_stored 0; then
	ok "Nym's client's 4 packets for a client never registered: unwrapped, counted, not stored"
else
	notok "mail for a client never registered is not stored" \
	    "final $(counter mixd final_deliveries) mac $(counter mixd sphinx_mac) unregistered $(counter storaged dropped_unregistered) inbox $(counter storaged inbox_messages)"
fi
wait_until 5 counter_ge mixd acks_withheld 4
counter_is mixd acks_forwarded 0 && counter_is mixd acks_withheld 4 &&
    ok "no SURB-ack leaves for mail that was not kept" ||
    notok "no ack for mail not kept" \
    "forwarded $(counter mixd acks_forwarded) withheld $(counter mixd acks_withheld)"
wait_until 5 counter_ge gatewayd replay_tags_saved 4
counter_is gatewayd replay_tags_saved 4 &&
    ok "their 4 replay tags reached the master's journal" ||
    notok "replay tags saved" "$(counter gatewayd replay_tags_saved)"

# An orderly stop and a new start: the same packets are replays.
gw_stop
[ "$GW_RC" = 0 ] || notok "orderly stop" "exit $GW_RC"
gw_start || { notok "restart" "$(tail -5 "$GW_LOG")"; exit 1; }
grep -q 'replay filter of rotation 0 restored: 4 tags' "$GW_LOG" &&
    ok "the replay filter is restored at start (4 tags)" ||
    notok "the replay filter is restored" "$(grep -i replay "$GW_LOG")"
send
wait_until 10 counter_ge mixd sphinx_replay 4
counter_is mixd sphinx_replay 4 && counter_is mixd final_deliveries 0 &&
    ok "after SIGTERM and a restart the 4 packets are refused as replays" ||
    notok "replays refused after a restart" \
    "replay $(counter mixd sphinx_replay) final $(counter mixd final_deliveries)"
gw_stop

# The image: written when its interval passes (1 s here), the journal
# emptied, and the next start loads the image alone.
GW_TEST_REPLAY_IMAGE_S=1 gw_start || { notok "restart" "$(tail -5 "$GW_LOG")"; exit 1; }
wait_until 10 counter_ge gatewayd replay_images_written 1
gw_stop
if [ -s "$GW_DIR/data/replay/0.img" ] && [ ! -s "$GW_DIR/data/replay/0.jnl" ]; then
	gw_start || { notok "restart" "$(tail -5 "$GW_LOG")"; exit 1; }
	send
	wait_until 10 counter_ge mixd sphinx_replay 4
	grep -q 'replay filter of rotation 0 restored: 4 tags (0 from the journal)' \
	    "$GW_LOG" && counter_is mixd sphinx_replay 4 &&
	    ok "a filter image ($(stat -c %s "$GW_DIR/data/replay/0.img") bytes) replaces the journal and is restored from" ||
	    notok "the filter image is restored" "$(grep -i replay "$GW_LOG")"
	gw_stop
else
	notok "the filter image is written" "$(ls -l "$GW_DIR/data/replay")"
fi
# A damaged image is refused with a clear line; the gateway still runs.
printf 'x' | dd of="$GW_DIR/data/replay/0.img" bs=1 seek=200 conv=notrunc 2>/dev/null
gw_start && grep -q 'replay filter .*0.img is not usable' "$GW_LOG" &&
    ok "a damaged filter image is refused with a clear line, the gateway starts" ||
    notok "a damaged image" "$(grep -i replay "$GW_LOG")"
gw_stop
gw_cleanup
trap - EXIT

# A fresh gateway, then kill -9 of every process at once.
fresh_gateway
send
wait_until 5 counter_ge gatewayd replay_tags_saved 4
pids="$GW_PID $(gw_all_pids)"
kill -KILL $pids
wait "$GW_PID" 2>/dev/null
gone() { [ ! -d "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status"; }
for p in $pids; do wait_until 20 gone "$p"; done
rm -f "$GW_SOCK"
gw_start || { notok "restart after kill -9" "$(tail -5 "$GW_LOG")"; exit 1; }
send
wait_until 10 counter_ge mixd sphinx_replay 4
counter_is mixd sphinx_replay 4 && counter_is mixd final_deliveries 0 &&
    ok "after kill -9 of the whole daemon the 4 packets are still replays" ||
    notok "replays refused after kill -9" \
    "replay $(counter mixd sphinx_replay) final $(counter mixd final_deliveries)"
ls -l "$GW_DIR/data/replay" | sed 's/^/# /'
[ "$(stat -c %a "$GW_DIR/data/replay")" = 700 ] &&
    ok "the replay directory is private to the master (0700)" ||
    notok "replay directory mode" "$(stat -c %a "$GW_DIR/data/replay")"
gw_stop
t_done
