#!/bin/sh
# Nym's own client (@nymproject/nym-client-wasm-node, pinned in
# package.json / package-lock.json) against gatewayd on loopback: it
# registers, authenticates, claims free bandwidth, sends a message to
# itself through the gateway (one-hop route) and receives it.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

HERE=$TOP/regress/interop
NAME="nym client round trip"
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || {
	skip "$NAME" "node or npm not installed"; exit 0; }
if [ ! -d "$HERE/node_modules/@nymproject/nym-client-wasm-node" ]; then
	if ! (cd "$HERE" && timeout 300 npm ci --no-audit --no-fund \
	    >/dev/null 2>&1); then
		skip "$NAME" "npm registry unreachable"
		exit 0
	fi
fi

gw_setup || { notok setup "init failed"; exit 1; }
API_PORTFILE=$GW_DIR/nymapi.port
set -- $("$BIN/gatewayctl" -f "$GW_CONF" node-details | awk '
    /^Identity Key:/ {id=$3} /^Sphinx Key:/ {sx=$3} END {print id, sx}')
GW_ID=$1 GW_SX=$2
python3 "$HERE/nymapi.py" "$API_PORTFILE" "$GW_ID" "$GW_SX" "$GW_WS" \
    "$GW_MIX" 2>"$GW_DIR/nymapi.log" &
API_PID=$!
trap 'kill $API_PID 2>/dev/null; gw_cleanup' EXIT
wait_until 10 test -s "$API_PORTFILE" || { notok "$NAME" "no nym-api"; exit 1; }
API=http://127.0.0.1:$(cat "$API_PORTFILE")
sed -i "s|https://validator.nymtech.net/api/|$API/|" "$GW_CONF"
gw_start -v || { notok "gatewayd starts" "$(tail -5 "$GW_LOG")"; exit 1; }

out=$(cd "$HERE" && timeout 120 node client.js "$API" "$GW_ID" \
    "hello through gatewayd" 2>&1)
if echo "$out" | grep -q '^received: hello through gatewayd$'; then
	ok "$NAME: register, authenticate, free bandwidth, send to self (one hop)"
else
	notok "$NAME" "$(echo "$out" | tail -5 | tr '\n' ' ')"
	tail -20 "$GW_LOG" | sed 's/^/#   /'
fi
status=$("$BIN/gatewayctl" -s "$GW_SOCK" status 2>/dev/null)
echo "$status" | grep -E 'registrations_ok|auth_ok|packets_forwarded|messages_pushed' | sed 's/^/# /'

if [ -x "$TOP/$O/regress/bin/tool_mixnode" ]; then
	skip "$NAME through 3 mix nodes" "tool_mixnode does not report its nodes' Sphinx keys for the topology yet"
else
	skip "$NAME through 3 mix nodes" "tool_mixnode not built"
fi
gw_stop
t_done
