#!/bin/sh
# Noise_XKpsk3 on the mix port (issue 8, sphinx-mixport.md 6.3).  A stub
# nym-api lists two nodes with Noise keys: 127.0.0.22 (where
# tool_noisepeer connects from) and 127.0.0.21:PORT (where it listens).
# So gatewayd must expect Noise from the first and speak Noise to the
# second: packets sent inside Noise are delivered and stored, and each
# one's SURB-ack comes back to the tool over a Noise connection mixd
# initiated.  A wrong PSK, a wrong gateway key, raw frames from a Noise
# node and a silent peer are all refused and counted while a good peer
# keeps working; raw TCP from 127.0.0.1 (no Noise key) still works; the
# host-information document announces the key; mixnet.noise: false
# turns it all off.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

PEER=$TOP/$O/regress/bin/tool_noisepeer
MIXNODE=$TOP/$O/regress/bin/tool_mixnode
# Our mix node's Noise secret (a test key) and its public half.
NSK=4d1c0c3f2b6a79e0c0ffee00112233445566778899aabbccddeeff0011223344
N=20

gw_setup || { notok setup "init failed"; exit 1; }
NPORT=$((GW_MIX + 4))		# the tool's node, in gw_ports' free block
SPORT=$((GW_MIX + 2))		# the stub nym-api (base + 3: unused)
NPUB=$("$PEER" -P $NSK)

# A nym-api that knows just the rewarded set and the node list.
cat > "$GW_DIR/stub.py" <<'EOF'
import json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
port, npub, nport = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
def node(i, ip, p, noise):
    return {"basic": {"node_id": i, "ed25519_identity_pubkey":
            "11111111111111111111111111111112", "ip_addresses": [ip],
            "mix_port": p, "x25519_sphinx_pubkey":
            "11111111111111111111111111111112", "role": "Inactive",
            "entry": None, "performance": "1.0"},
            "x25519_noise_versioned_key": None if noise is None else
            {"supported_version": 1, "x25519_pubkey": noise}}
NODES = [node(21, "127.0.0.21", nport, npub),
         node(22, "127.0.0.22", 1789, npub),
         node(23, "127.0.0.23", 1789, None)]
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path.startswith("/v1/nym-nodes/rewarded-set"):
            body = {"epoch_id": 1, "entry_gateways": [], "exit_gateways": [],
                    "layer1": [21], "layer2": [22], "layer3": [23],
                    "standby": []}
        elif self.path.startswith("/v2/unstable/nym-nodes/semi-skimmed"):
            page = int(self.path.split("page=")[1])
            body = {"metadata": {}, "nodes": {"pagination": {"total": 3,
                    "page": page, "size": 100},
                    "data": NODES if page == 0 else []}}
        else:
            self.send_response(404); self.end_headers(); return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
HTTPServer(("127.0.0.1", port), H).serve_forever()
EOF
python3 "$GW_DIR/stub.py" $SPORT "$NPUB" $NPORT 2>"$GW_DIR/stub.log" &
SPID=$!
trap 'kill $SPID 2>/dev/null; gw_cleanup' EXIT
sed -i -e "s|\"https://validator.nymtech.net/api/\"|\"http://127.0.0.1:$SPORT\"|" \
    -e 's|attestation_url: .*|attestation_url: ""|' "$GW_CONF"

expect() {	# name role counter value
	v=$(counter "$2" "$3")
	[ "$v" = "$4" ] && ok "$1" || notok "$1" "$2 $3 = $v, want $4"
}
peer() {	# mode [args]: one tool_noisepeer run against the gateway
	m=$1; shift
	"$PEER" -g 127.0.0.1:$GW_MIX -b 127.0.0.22 -l 127.0.0.21:$NPORT \
	    -s $NSK -n "$GW_DIR/keys/x25519_noise.pub" \
	    -k "$GW_DIR/keys/x25519_sphinx.pub" -m "$m" -t 15 "$@" 2>&1
}

# The key on disk, in node-details and in host-information.
KEY=$(sed -n 2p "$GW_DIR/keys/x25519_noise.pub")
[ -n "$KEY" ] && [ "$(stat -c %a "$GW_DIR/keys/x25519_noise")" = 600 ] &&
    ok "gatewayctl init made a Noise key, private file 0600" ||
    notok "gatewayctl init made a Noise key" "$(ls -l "$GW_DIR/keys")"
B58=$("$BIN/gatewayctl" -j -f "$GW_CONF" node-details | python3 -c '
import json, sys; print(json.load(sys.stdin)["noise_key"])')
[ -n "$B58" ] && [ "$B58" != None ] && ok "node-details prints the Noise key" ||
    notok "node-details prints the Noise key" "$B58"

gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
# Mail is kept for registered clients only.
CLIENT=$(gw_register)
[ -n "$CLIENT" ] || { notok "a client registers" "no id"; exit 1; }
HI=$(curl -s "http://127.0.0.1:$GW_HTTP/api/v1/host-information")
echo "$HI" | python3 -c '
import json, sys
n = json.load(sys.stdin)["data"]["keys"]["x25519_versioned_noise"]
assert n == {"supported_version": 1, "x25519_pubkey": sys.argv[1]}, n
' "$B58" && ok "host-information announces the Noise key (version 1)" ||
    notok "host-information announces the Noise key" "$HI"

wait_counter mixd topology_updates 1 &&
    ok "mixd has the stub's topology" ||
    notok "mixd has the stub's topology" "$(tail -5 "$GW_LOG")"

# (a) both directions: packets in over Noise, acks out over Noise.
out=$(peer good -N $N -c $CLIENT)
echo "$out" | sed 's/^/# /'
echo "$out" | grep -q "^handshake ok" &&
    ok "a Noise initiator completes the handshake with mixd" ||
    notok "a Noise initiator completes the handshake" "$out"
echo "$out" | grep -q "^acks $N handshakes [1-9]" &&
    ok "$N packets in over Noise: every SURB-ack came back over mixd's Noise" ||
    notok "$N SURB-acks came back over Noise" "$out"
wait_counter storaged messages_stored $N
expect "mixd delivered the $N packets" mixd final_deliveries $N
expect "and storaged stored them" storaged messages_stored $N
expect "one inbound Noise handshake" mixd noise_handshakes_in_ok 1
counter_ge mixd noise_handshakes_out_ok 1 &&
    ok "mixd initiated Noise to the node that announces a key" ||
    notok "mixd initiated Noise" "$(counter mixd noise_handshakes_out_ok)"

# (b) bad peers from the Noise node's IP: refused cleanly, counted.
for m in psk key raw silent; do
	out=$(peer $m -N 2)
	echo "$out" | grep -q "^closed by gateway" &&
	    ok "mode $m: the gateway closes the connection" ||
	    notok "mode $m: the gateway closes the connection" "$out"
done
wait_counter mixd noise_handshakes_in_failed 4
expect "four failed handshakes counted" mixd noise_handshakes_in_failed 4
expect "one of them a timeout" mixd noise_handshake_timeouts 1
grep -q "noise handshake from 127.0.0.22" "$GW_LOG" &&
    ok "a failed handshake is logged" ||
    notok "a failed handshake is logged" "$(tail -5 "$GW_LOG")"
out=$(peer good -N 5 -c $CLIENT)
echo "$out" | grep -q "^acks 5 " &&
    ok "a good Noise peer is still served afterwards" ||
    notok "a good Noise peer is still served afterwards" "$out"
expect "two good inbound handshakes in all" mixd noise_handshakes_in_ok 2

# (c) raw TCP from 127.0.0.1, an address with no Noise key.
out=$("$MIXNODE" -g 127.0.0.1:$GW_MIX -k "$GW_DIR/keys/x25519_sphinx.pub" \
    -c $CLIENT -N 10 -d -t 20 2>&1)
echo "$out" | grep -q "^acks 10 " &&
    ok "a raw-TCP mix node without a Noise key still works" ||
    notok "a raw-TCP mix node still works" "$out"
counter_ge mixd noise_raw_connections_in 1 &&
    ok "and its connection is counted as raw" ||
    notok "raw connection counted" "$(counter mixd noise_raw_connections_in)"
wait_counter storaged messages_stored $((N + 15))
expect "all $((N + 15)) good packets stored" storaged messages_stored \
    $((N + 15))

pid=$(gw_pid mixd)
[ -n "$pid" ] && kill -0 "$pid" && ok "mixd still runs" ||
    notok "mixd still runs" "$(tail -5 "$GW_LOG")"
gw_stop
[ "$GW_RC" -eq 0 ] && ok "gatewayd stops cleanly" ||
    notok "gatewayd stops cleanly" "rc $GW_RC; $(tail -5 "$GW_LOG")"

# mixnet.noise: false: no key announced, raw TCP to everyone.
sed -i 's/noise: true/noise: false/' "$GW_CONF"
gw_start || { notok "daemon starts without Noise" "$(tail -5 "$GW_LOG")"; }
curl -s "http://127.0.0.1:$GW_HTTP/api/v1/host-information" |
    grep -q '"x25519_versioned_noise":null' &&
    ok "mixnet.noise: false announces no Noise key" ||
    notok "mixnet.noise: false announces no Noise key" "$(tail -3 "$GW_LOG")"
out=$(peer raw -N 3 -a 0 -t 3)
wait_counter mixd final_deliveries 3
expect "without Noise, raw frames from a Noise node's IP are taken" mixd \
    final_deliveries 3
expect "and no handshake is tried" mixd noise_handshakes_in_failed 0
gw_stop

# An old data dir without a Noise key: the master says what to do, and
# gatewayctl init adds the key without touching the others.
sed -i 's/noise: false/noise: true/' "$GW_CONF"
SX=$(cat "$GW_DIR/keys/x25519_sphinx")
rm -f "$GW_DIR/keys/x25519_noise" "$GW_DIR/keys/x25519_noise.pub"
timeout 10 "$BIN/gatewayd" -d -f "$GW_CONF" > "$GW_LOG" 2>&1
grep -q "noise key:.*gatewayctl init" "$GW_LOG" &&
    ok "without a Noise key the master refuses, naming gatewayctl init" ||
    notok "without a Noise key the master refuses" "$(tail -3 "$GW_LOG")"
msg=$("$BIN/gatewayctl" -f "$GW_CONF" init 2>&1)
[ -s "$GW_DIR/keys/x25519_noise" ] &&
    [ "$(cat "$GW_DIR/keys/x25519_sphinx")" = "$SX" ] &&
    ok "gatewayctl init adds the Noise key and keeps the others" ||
    notok "gatewayctl init adds the Noise key" "$msg"
"$BIN/gatewayctl" -f "$GW_CONF" init >/dev/null 2>&1 &&
    notok "a second init refuses to overwrite" "" ||
    ok "a second init refuses to overwrite"
t_done
