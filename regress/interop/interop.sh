#!/bin/sh
# Nym's own client (@nymproject/nym-client-wasm-node, pinned in
# package.json / package-lock.json) against gatewayd on loopback: it
# registers, authenticates, claims free bandwidth, sends a message to
# itself through the gateway and receives it; first with a one-hop route,
# then through three test mix nodes (tool_mixnode -S), which nymapi.py
# lists as layers 1-3:
#   client -> gateway -> mix1 -> mix2 -> mix3 -> gateway -> client,
# and the SURB-ack back over the same layers.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

HERE=$TOP/regress/interop
TOOL=$TOP/$O/regress/bin/tool_mixnode
NAME="nym client round trip"
# node and npm are in mk/deps.txt, which make check installs: missing,
# they are a broken machine, not a reason to skip.  The one skip is an
# npm registry out of reach (npm ping); npm ci failing with the registry
# in reach is a failure.
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || {
	notok "$NAME" "node or npm not installed (make deps installs them)"
	exit 1; }
if [ ! -d "$HERE/node_modules/@nymproject/nym-client-wasm-node" ]; then
	# Asked first and once (npm ci itself retries for minutes offline).
	if ! timeout 60 npm ping --fetch-retries=0 --fetch-timeout=20000 \
	    >/dev/null 2>&1; then
		skip "$NAME" "npm registry unreachable"
		exit 0
	fi
	NPM_LOG=${TMPDIR:-/tmp}/gw-npm-ci.$$
	if ! (cd "$HERE" && timeout 300 npm ci --no-audit --no-fund \
	    >"$NPM_LOG" 2>&1); then
		notok "$NAME" "npm ci failed: $(tail -3 "$NPM_LOG" |
		    tr '\n' ' ')"
		rm -f "$NPM_LOG"
		exit 1
	fi
	rm -f "$NPM_LOG"
fi

gw_setup || { notok setup "init failed"; exit 1; }
API_PORTFILE=$GW_DIR/nymapi.port
MIXNET_OUT=$GW_DIR/mixnet.out
MIXNET_ERR=$GW_DIR/mixnet.err
API_PID= MIXNET_PID=
trap 'kill $API_PID $MIXNET_PID 2>/dev/null; gw_cleanup' EXIT
set -- $("$BIN/gatewayctl" -f "$GW_CONF" node-details | awk '
    /^Identity Key:/ {id=$3} /^Sphinx Key:/ {sx=$3} END {print id, sx}')
GW_ID=$1 GW_SX=$2

# The test mixnet first: the topology has to name its keys and ports.
# -t bounds its life should this script be killed before it stops it.
MIXES=
if [ -x "$TOOL" ]; then
	"$TOOL" -S -v -t 300 >"$MIXNET_OUT" 2>"$MIXNET_ERR" &
	MIXNET_PID=$!
	if wait_until 10 grep -q '^ready$' "$MIXNET_OUT"; then
		MIXES=$(awk '$1 == "node" { split($3, a, ":");
		    printf "%s:%s:%s ", $4, $5, a[2] }' "$MIXNET_OUT")
	else
		notok "test mixnet starts" "$(cat "$MIXNET_ERR")"
		kill "$MIXNET_PID" 2>/dev/null
		MIXNET_PID=
	fi
fi

python3 "$HERE/nymapi.py" "$API_PORTFILE" "$GW_ID" "$GW_SX" "$GW_WS" \
    "$GW_MIX" $MIXES 2>"$GW_DIR/nymapi.log" &
API_PID=$!
wait_until 10 test -s "$API_PORTFILE" || { notok "$NAME" "no nym-api"; exit 1; }
API=http://127.0.0.1:$(cat "$API_PORTFILE")
sed -i "s|https://validator.nymtech.net/api/|$API/|" "$GW_CONF"
gw_start -v || { notok "gatewayd starts" "$(tail -5 "$GW_LOG")"; exit 1; }

# counters: the ones that say how far a message got
counters() {
	"$BIN/gatewayctl" -s "$GW_SOCK" status 2>/dev/null | grep -E \
	    -e 'registrations_ok|auth_ok|topology_nodes|packets_forwarded' \
	    -e 'acks_forwarded|final_deliveries|messages_pushed' \
	    -e 'sphinx_|forward_' | sed 's/^/# /'
}

# roundtrip TEXT [hops]: Nym's client sends TEXT to itself; 60 s at most
# for the message to come back, 90 s for the whole client run.
roundtrip() {
	(cd "$HERE" && timeout -k 5 90 node client.js "$API" "$GW_ID" \
	    "$1" "${2:-direct}" 60 2>&1)
}

text="hello through gatewayd"
out=$(roundtrip "$text")
if echo "$out" | grep -qx "received: $text"; then
	ok "$NAME: register, authenticate, free bandwidth, send to self (one hop)"
else
	notok "$NAME" "$(echo "$out" | tail -5 | tr '\n' ' ')"
	tail -20 "$GW_LOG" | sed 's/^/#   /'
fi
counters

# acks_crossed: the last mix node forwarded at least one ack per message
# packet it forwarded.
acks_crossed() {
	awk '$1 == "tool_mixnode:" && $3 == "2:" && /forward to/ {
		if ($6 == "386") a++; else m++ }
	    END { exit !(m > 0 && a >= m) }' "$MIXNET_ERR"
}

HNAME="$NAME through 3 mix nodes"
if [ -z "$MIXNET_PID" ]; then
	skip "$HNAME" "tool_mixnode not built or not started"
else
	# 15 kB: the client splits it over several Sphinx packets, each
	# with its own SURB-ack, all on the wire at once.
	text="hello through three mix nodes $(head -c 15000 /dev/zero |
	    tr '\0' x)"
	t0=$(date +%s)
	out=$(roundtrip "$text" hops)
	t1=$(date +%s)
	# The client is done once the message is back, but the SURB-acks
	# leave the gateway later (once each message is safe, plus
	# mixnet.ack_delay): wait until the last node has forwarded as many
	# acks (386 bytes) as message packets, for at most 10 s.
	wait_until 10 acks_crossed
	# Its counters come out when it stops.
	kill -TERM "$MIXNET_PID" 2>/dev/null
	wait "$MIXNET_PID" 2>/dev/null
	mixnet_rc=$?
	MIXNET_PID=
	if echo "$out" | grep -qx "received: $text"; then
		ok "$HNAME: a 15 kB message came back (client ran $((t1 - t0)) s)"
	else
		notok "$HNAME" "$(echo "$out" | tail -5 | cut -c 1-200 |
		    tr '\n' ' ')"
		tail -30 "$GW_LOG" | sed 's/^/#   /'
		tail -20 "$MIXNET_ERR" | sed 's/^/#   /'
		grep -E 'nymapi: .*" [45][0-9][0-9] ' "$GW_DIR/nymapi.log" |
		    sed 's/^/#   /'
	fi
	grep '^stats ' "$MIXNET_OUT" | sed 's/^/# mixnet: /'
	grep 'forward to' "$MIXNET_ERR" | head -6 | sed 's/^/# mixnet: /'
	RNAME="$HNAME: packets and SURB-acks crossed mix1, mix2, mix3 in order"
	# Message packets and SURB-acks (386 bytes) each take mix1 -> mix2
	# -> mix3 -> gateway: every node forwards both kinds to the next in
	# line, and no packet failed at any node.  The log counts nodes from
	# 0, the "node" lines by layer from 1: node n's next is layer n + 2.
	if route=$(awk -v gw="127.0.0.1:$GW_MIX" '
	    FILENAME != "-" && $1 == "node" { addr[$2] = $3; next }
	    $1 == "tool_mixnode:" && /forward to/ {
		n = $3; sub(/:$/, "", n)
		want = n + 2 <= 3 ? addr[n + 2] : gw
		if ($NF != want) bad++
		else if ($6 == "386") ack[n]++
		else msg[n]++
	    }
	    $1 == "tool_mixnode:" && !/forward to/ { bad++ }
	    END { for (n = 0; n < 3; n++) {
			printf "%d/%d ", msg[n], ack[n]
			if (msg[n] == 0 || ack[n] == 0) bad++
		}
		printf "(message/ack packets per node), %d astray or failed",
		    bad
		exit bad > 0 }
	    ' "$MIXNET_OUT" - < "$MIXNET_ERR"); then
		ok "$RNAME: $route"
	else
		notok "$RNAME" "$route"
		tail -20 "$MIXNET_ERR" | sed 's/^/#   /'
	fi
	# Under ASan a leak or a bad access in the tool shows here.
	[ "$mixnet_rc" -eq 0 ] && ok "test mixnet stops cleanly" ||
	    notok "test mixnet stops cleanly" "exit $mixnet_rc; $(grep -v \
	    'forward to' "$MIXNET_ERR" | tail -5 | tr '\n' ' ')"
fi
counters
gw_stop
t_done
