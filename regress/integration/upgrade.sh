#!/bin/sh
# Upgrade mode (issue 7, spec 6.6) in credd: the attestation watcher
# and upgradeModeJWT, against the stub nym-api's /attestation.json, with
# credd and storaged running for real under tool_credd (which plays
# clientd and so sees every IMSG_UPGRADE_MODE and JWT verdict).
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

TOOL=$TOP/$O/regress/bin/tool_credd
STUB="python3 $TOP/regress/lib/stub_nymapi.py"
python3 -c 'import cryptography.hazmat.primitives.asymmetric.ed25519' \
    2>/dev/null || { skip "upgrade mode" "no python3-cryptography"; exit 0; }
gw_users
D=$(mktemp -d /tmp/gwupg.XXXXXX)
chmod 755 "$D"
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$D"' EXIT

$STUB serve 1 "$D/ports" 2>"$D/stub.log" &
SPID=$!
wait_until 10 test -s "$D/ports" || { notok "stub nym-api starts" \
    "$(cat "$D/stub.log")"; exit 1; }
P=$(cat "$D/ports")
API=http://127.0.0.1:$P
export TOOL_CREDD_ATTEST_URL=$API/attestation.json
export TOOL_CREDD_ATTESTER=$($STUB get "$P" _attester)
export GW_TEST_CREDD_TOPOLOGY_MS=600000
attest() { echo "$STUB get $P '_attest?mode=$1' >/dev/null"; }
jwt() { $STUB get "$P" "_jwt?kind=$1"; }
run() {	# name steps...
	n=$1; shift
	"$TOOL" "$BIN" "$D/$n" "$API" "$@" 2>"$D/$n.log"
}

# The watcher looks only at start; each JWT forces a fetch (10 ms apart
# is not too soon here).  Refused JWTs never turn upgrade mode on.
$STUB get "$P" '_attest?mode=null' >/dev/null
export GW_TEST_CREDD_ATTEST_MS=600000 GW_TEST_CREDD_ATTEST_ON_MS=600000
export GW_TEST_CREDD_JWT_MIN_MS=10
run jwt start exec "sleep 1" \
    jwt "$(jwt badsig)" "bad signature" \
    jwt "$(jwt issuer)" "wrong issuer" \
    jwt "$(jwt unlisted)" "not authorised" \
    jwt "not.a.jwt" "malformed" \
    jwt "$(jwt good)" "not attested" \
    exec "$(attest on)" exec "sleep 1" \
    jwt "$(jwt good)" ok upgrade on 3 \
    jwt "$(jwt other)" ok stop
grep -q 'upgrade mode on: attestation published' "$D/jwt.log" &&
    ok "a valid JWT forced a fresh fetch that turned upgrade mode on" ||
    notok "a valid JWT forces a fresh fetch" "$(tail -5 "$D/jwt.log")"

# A JWT whose attestation is not the one published is refused.
$STUB get "$P" '_attest?mode=null' >/dev/null
run mismatch start exec "sleep 1" exec "$(attest on)" \
    jwt "$(jwt other)" "does not match" stop

# Spec 6.6 step 2: within 30 s of the last check a JWT is "too soon".
unset GW_TEST_CREDD_JWT_MIN_MS
$STUB get "$P" '_attest?mode=null' >/dev/null
run soon start exec "sleep 1" jwt "$(jwt good)" "too soon" stop

# The watcher (every 500 ms here): on with an attestation, off again
# with null, on again, and off after more than 5 failed fetches.
export GW_TEST_CREDD_ATTEST_MS=500 GW_TEST_CREDD_ATTEST_ON_MS=500
run watch start exec "$(attest on)" upgrade on 5 \
    exec "$(attest null)" upgrade off 5 \
    exec "$(attest other)" exec "sleep 2" \
    exec "$(attest on)" upgrade on 5 \
    exec "$(attest fail)" upgrade off 10 stop
grep -q 'attestation by an attester key other than the configured one' \
    "$D/watch.log" && grep -q 'upgrade mode off: the attestation could not be fetched' \
    "$D/watch.log" &&
    ok "another attester's attestation is ignored; 6 failed fetches end it" ||
    notok "attester key and failures" "$(grep upgrade "$D/watch.log")"

if grep -qi 'seccomp\|SIGSYS\|Bad system call' "$D"/*.log; then
	notok "credd stays inside its sandbox" "$(grep -i seccomp "$D"/*.log)"
else
	ok "credd stays inside its sandbox"
fi
t_done
