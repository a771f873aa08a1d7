#!/bin/sh
# The verloc listener (doc/spec/verloc.md) in a running gatewayd: a peer
# measuring us as nym-node's sender does gets every echo back signed by
# the identity key node-details prints; garbage, a bad signature and a
# half packet are refused (connection closed, counted) without hurting
# a measurement that runs at the same time.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

PY=/usr/bin/python3
gw_setup || { notok setup "init failed"; exit 1; }
gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
ID=$("$BIN/gatewayctl" -j -f "$GW_CONF" node-details | $PY -c \
    'import json,sys; print(json.load(sys.stdin)["identity_key"])')
PEER="$O/regress/bin/tool_verlocpeer"
A=127.0.0.1:$GW_VERLOC

if out=$("$PEER" -g "$A" -k "$ID" -n 100 2>&1) &&
    echo "$out" | grep -q '^replies 100 '; then
	ok "100 echo packets answered, replies signed by the identity ($out)"
else
	notok "100 echo packets answered" "$out"
fi

# A wrong key must fail the check: the test can tell.
WRONG=$("$BIN/gatewayctl" -j -f "$GW_CONF" node-details | $PY -c \
    'import json,sys; print(json.load(sys.stdin)["sphinx_key"])' 2>/dev/null)
if [ -n "$WRONG" ] && "$PEER" -g "$A" -k "$WRONG" -n 1 >/dev/null 2>&1; then
	notok "a reply does not verify under another key" "$WRONG"
else
	ok "a reply does not verify under another key"
fi

# A long measurement in the background while bad peers come and go.
"$PEER" -g "$A" -k "$ID" -n 200 > "$GW_DIR/long.out" 2>&1 &
LONG=$!
for m in garbage badsig short garbage badsig; do
	if out=$("$PEER" -g "$A" -k "$ID" -m $m -t 15 2>&1) &&
	    [ "$out" = "closed by gateway" ]; then
		ok "$m: connection closed unanswered"
	else
		notok "$m: connection closed unanswered" "$out"
	fi
done
if wait $LONG && grep -q '^replies 200 ' "$GW_DIR/long.out"; then
	ok "a measurement alongside the bad peers completes"
else
	notok "a measurement alongside the bad peers completes" \
	    "$(cat "$GW_DIR/long.out")"
fi

vp=$($PY -c 'import json,sys,urllib.request
r = urllib.request.urlopen("http://127.0.0.1:%s/api/v1/auxiliary-details" % sys.argv[1], timeout=5)
print(json.load(r)["announce_ports"]["verloc_port"])' "$GW_HTTP" 2>&1)
[ "$vp" = "$GW_VERLOC" ] &&
    ok "auxiliary-details announces verloc_port $vp" ||
    notok "auxiliary-details announces the verloc port" "$vp, want $GW_VERLOC"

mv=$($PY -c 'import json,sys,urllib.request
r = urllib.request.urlopen("http://127.0.0.1:%s/api/v1/metrics/verloc" % sys.argv[1], timeout=5)
print(json.dumps(json.load(r), sort_keys=True))' "$GW_HTTP" 2>&1)
[ "$mv" = '{"current": "unavailable", "previous": "unavailable"}' ] &&
    ok "/api/v1/metrics/verloc: nym-node's VerlocStats, no run yet" ||
    notok "/api/v1/metrics/verloc" "$mv"

"$BIN/gatewayctl" -j -s "$GW_SOCK" status > "$GW_DIR/status.json"
if out=$($PY - "$GW_DIR/status.json" <<'PY' 2>&1
import json, sys
st = json.load(open(sys.argv[1]))
c = {p["role"]: p["counters"] for p in st["processes"]}
a, g = c["verlocd"], c["gatewayd"]
assert a["verloc_replies"] >= 301, a
assert a["verloc_bad_packets"] == 4, a
assert a["verloc_connections"] >= 8, a
assert g["verloc_replies_signed"] == a["verloc_replies"], (a, g)
print("replies", a["verloc_replies"], "bad", a["verloc_bad_packets"])
PY
); then
	ok "counters in gatewayctl status ($out)"
else
	notok "counters in gatewayctl status" "$out"
fi
if grep -q 'verloc: echo packet refused' "$GW_LOG"; then
	ok "a refused packet is logged"
else
	notok "a refused packet is logged" "$(tail -5 "$GW_LOG")"
fi
gw_stop
GW_PID=
t_done
