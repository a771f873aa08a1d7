#!/bin/sh
# nym-api's describe-cache refresh (issue 14 item 8,
# doc/spec/refresh-described.md): at start gatewayd asks every
# configured nym-api to refresh its described data, with a body signed
# by its identity key as nym-node's NodeRefreshBody; a URL that fails
# is asked again with a fresh signature; a reload asks again.  The stub
# checks the signature and staleness as nym-api does.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

python3 -c 'import cryptography' 2>/dev/null || {
	skip "refresh-described" "no python3-cryptography"; exit 0; }
gw_setup || { notok setup "init failed"; exit 1; }
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; gw_cleanup' EXIT

# The first request the stub gets is answered 503: one URL must retry.
export STUB_REFRESH_FAIL=1
stub_start "$GW_DIR" 2
SPID=$STUB_PID
set -- $STUB_PORTS
P1=$1 P2=$2
sed -i "s|    - \"https://validator.nymtech.net/api/\"|    - \"http://127.0.0.1:$P1/\"\n    - \"http://127.0.0.1:$P2/\"|" \
    "$GW_CONF"
export GW_TEST_CREDD_REFRESH_MS=300 GW_TEST_CREDD_REFRESH_SPACING_MS=1000
gw_start -v || { notok "gatewayd starts" "$(tail -5 "$GW_LOG")"; exit 1; }
ID=$("$BIN/gatewayctl" -f "$GW_CONF" node-details |
    awk '/^Identity Key:/ {print $3}')

# refreshes VERDICT [PORT]: calls with that verdict for our identity
refreshes() {
	$STUB get "$P1" _calls | python3 -c '
import json, sys
v, ident, port = sys.argv[1], sys.argv[2], sys.argv[3]
print(sum(1 for c in json.load(sys.stdin)
          if c.get("path") == "/v1/nym-nodes/refresh-described"
          and c.get("refresh") == v and c.get("identity") == ident
          and (v != "ok" or not c["failed"])
          and (port == "" or str(c["signer"]) == port)))' \
	    "$1" "$ID" "${2:-}"
}
ok_at_least() { [ "$(refreshes ok)" -ge "$1" ]; }
signer_of() { $STUB get "$P1" _calls | python3 -c '
import json, sys
print(sorted(set(c["signer"] for c in json.load(sys.stdin)
                 if c.get("path") == "/v1/nym-nodes/refresh-described")))'; }

if wait_until 10 ok_at_least 2 && [ "$(refreshes ok 1)" -ge 1 ] &&
    [ "$(refreshes ok 2)" -ge 1 ]; then
	ok "both nym-apis got a validly signed, fresh refresh for $ID"
else
	notok "both nym-apis got a validly signed refresh" \
	    "ok=$(refreshes ok) signers=$(signer_of) $(grep -i refresh "$GW_LOG")"
fi
[ "$(refreshes badsig)" -eq 0 ] && [ "$(refreshes stale)" -eq 0 ] &&
    [ "$(refreshes malformed)" -eq 0 ] &&
    ok "no refresh was badly signed, stale or malformed" ||
    notok "no refresh was badly signed, stale or malformed" \
	"$($STUB get "$P1" _calls)"
total=$($STUB get "$P1" _calls | python3 -c '
import json, sys
print(sum(1 for c in json.load(sys.stdin)
          if c.get("path") == "/v1/nym-nodes/refresh-described"))')
[ "$total" -eq 3 ] && \
    counter_is credd refresh_requests_failed 1 &&
    counter_is credd refresh_requests_sent 2 &&
    ok "the URL that failed was asked once more, the other not again" ||
    notok "the failed URL was retried once" "total=$total sent=$(counter \
	credd refresh_requests_sent) failed=$(counter credd \
	refresh_requests_failed)"

# A reload changes what nym-api should fetch: both are asked again.
sleep 1.2
kill -HUP "$GW_PID"
wait_until 10 ok_at_least 4 &&
    [ "$(refreshes ok 1)" -ge 2 ] && [ "$(refreshes ok 2)" -ge 2 ] &&
    ok "after a reload both nym-apis got a new signed refresh" ||
    notok "after a reload both got a new refresh" "ok=$(refreshes ok)"
gw_stop
t_done
