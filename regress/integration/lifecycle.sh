#!/bin/sh
# Life cycle: SIGHUP reloads a reloadable change, refuses one that needs
# a restart (naming the key) and keeps the old config on errors; a
# worker killed with -9 brings the daemon down with a non-zero exit and
# a log line naming it.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

gw_setup || { notok setup "init failed"; exit 1; }
gw_start || { notok start "$(tail -5 "$GW_LOG")"; exit 1; }
START_TICKS=$(cut -d' ' -f22 "/proc/$GW_PID/stat")

# A reloadable change.
sed -i 's/max_connections: 10000/max_connections: 500/' "$GW_CONF"
kill -HUP "$GW_PID"
wait_until 5 grep -q 'configuration reloaded' "$GW_LOG" && \
    ok "SIGHUP reloads a reloadable change" || \
    notok "SIGHUP reloads a reloadable change" "$(tail -3 "$GW_LOG")"

# announce.host and announce.ws_port apply on reload: the signed
# host-information and the websocket route show them, no restart.
api() {	# path: the node API's JSON, one field per line as key=value
	python3 - "$GW_HTTP" "$1" <<'PY'
import json, sys, urllib.request
with urllib.request.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1],
                            sys.argv[2]), timeout=5) as r:
    j = json.loads(r.read())
d = j.get("data", j)
for k, v in d.items():
    print("%s=%s" % (k, json.dumps(v)))
PY
}
sed -i -e 's/host: 127.0.0.1$/host: 127.0.0.77/' \
    -e 's/ws_port: 0$/ws_port: 9443/' "$GW_CONF"
"$BIN/gatewayctl" -s "$GW_SOCK" reload >/dev/null 2>&1
hi=$(api /api/v1/host-information)
ws=$(api /api/v1/gateway/client-interfaces/mixnet-websockets)
echo "$hi" | grep -q '^ip_address=\["127.0.0.77"\]$' &&
    echo "$ws" | grep -q '^ws_port=9443$' &&
    [ "$(cut -d' ' -f22 "/proc/$GW_PID/stat")" = "$START_TICKS" ] &&
    ok "a reload of announce.host and ws_port shows in host-information and mixnet-websockets" ||
    notok "announce.host and ws_port apply on reload" "$hi $ws"
# mixnet.testnet is fixed in mixd's sandbox: a restart-only key.
sed -i 's/testnet: true/testnet: false/' "$GW_CONF"
out=$("$BIN/gatewayctl" -s "$GW_SOCK" reload 2>&1)
echo "$out" | grep -q 'mixnet.testnet changed: restart' &&
    ok "reload refuses mixnet.testnet, which mixd's sandbox fixes at start" ||
    notok "reload refuses mixnet.testnet" "$out"
sed -i 's/testnet: false/testnet: true/' "$GW_CONF"

# A change that needs a restart is refused, naming the key.
sed -i "s|data: $GW_DIR/data|data: $GW_DIR/data2|" "$GW_CONF"
kill -HUP "$GW_PID"
wait_until 5 grep -q 'paths.data changed: restart gatewayd' "$GW_LOG" && \
    ok "reload refuses a restart-only key and names it" || \
    notok "reload refuses a restart-only key and names it" \
    "$(tail -3 "$GW_LOG")"
sed -i "s|data: $GW_DIR/data2|data: $GW_DIR/data|" "$GW_CONF"

# A broken config keeps the old one in force.
cp "$GW_CONF" "$GW_CONF.good"
echo "bogus_key: 1" >> "$GW_CONF"
out=$("$BIN/gatewayctl" -s "$GW_SOCK" reload 2>&1)
rc=$?
[ $rc -ne 0 ] && echo "$out" | grep -q 'config has errors, not reloading' && \
    grep -q 'unknown key' "$GW_LOG" && \
    ok "gatewayctl reload reports a broken config and keeps serving" || \
    notok "gatewayctl reload reports a broken config" "rc $rc: $out"
kill -0 "$GW_PID" && ok "daemon still running after a bad reload" || \
    notok "daemon still running after a bad reload" "gone"
cp "$GW_CONF.good" "$GW_CONF"
"$BIN/gatewayctl" -s "$GW_SOCK" reload >/dev/null 2>&1 && \
    ok "gatewayctl reload succeeds with a good config" || \
    notok "gatewayctl reload succeeds with a good config" "failed"
"$BIN/gatewayctl" -s "$GW_SOCK" log verbose | grep -q 'logging verbose' && \
    ok "gatewayctl log verbose" || notok "gatewayctl log verbose" "no answer"

# kill -9 of a worker: the daemon fails closed.
pid=$(gw_pid clientd)
kill -KILL "$pid"
wait_until 10 sh -c "! kill -0 $GW_PID 2>/dev/null"
wait "$GW_PID"
rc=$?
[ $rc -ne 0 ] && grep -q "lost child: clientd pid $pid terminated; signal 9" \
    "$GW_LOG" && ok "kill -9 clientd: master exits $rc naming it" || \
    notok "kill -9 clientd: master exits non-zero naming it" \
    "rc $rc; $(grep lost "$GW_LOG" | head -3)"
left=$(gw_all_pids | wc -l)
[ "$left" -eq 0 ] && ok "no worker outlives the master" || \
    notok "no worker outlives the master" "$left left"
GW_PID=
t_done
