#!/bin/sh
# Upgrade mode (issue 7, spec 6.6) in credd: the attestation watcher
# and upgradeModeJWT, against the stub nym-api's /attestation.json, with
# credd and storaged running for real under tool_credd (which plays
# clientd and so sees every IMSG_UPGRADE_MODE and JWT verdict).  Then
# as clients see it, through a whole gatewayd and tool_wsclient: no
# charging, at least 40000001 reported, "upgrade_mode":true, and
# upgradeModeJWT answered.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

TOOL=$TOP/$O/regress/bin/tool_credd
python3 -c 'import cryptography.hazmat.primitives.asymmetric.ed25519' \
    2>/dev/null || { skip "upgrade mode" "no python3-cryptography"; exit 0; }
gw_users
D=$(mktemp -d /tmp/gwupg.XXXXXX)
chmod 755 "$D"
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$D"' EXIT

stub_start "$D" 1
SPID=$STUB_PID
P=$STUB_PORTS
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

# --- Clients (spec 6.6), through a whole gatewayd on the same stub ---
# credd runs on its real fetch interval here (every 15 min; a reload
# makes it fetch at once); only the JWT window after a fetch is 5 s,
# not 30, so the test waits for it to pass rather than sleeping 31 s.
gw_setup || { notok setup "init failed"; exit 1; }
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$D"; gw_cleanup' \
    EXIT
ATTESTER58=$(python3 -c '
import sys
A = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
n, out = int(sys.argv[1], 16), ""
while n:
    n, r = divmod(n, 58)
    out = A[r] + out
print(out)' "$TOOL_CREDD_ATTESTER")
sed -i -e "s|https://validator.nymtech.net/api/|$API/|" \
    -e "s|attestation_url: .*|attestation_url: \"$API/attestation.json\"|" \
    -e "s|attester_public_key: .*|attester_public_key: $ATTESTER58|" \
    "$GW_CONF"
TOOLS=$TOP/$O/regress/bin
S=$GW_DIR
FREE=68719476736	# 64 GiB of free testnet bandwidth (spec 6.2)
PKT=2413		# the default Sphinx packet, what one send costs
UPG=40000001		# the least reported in upgrade mode
HOP=127.0.0.1:$((GW_HTTP + 3))	# nobody listens: packets are dropped
ws() { "$TOOLS/tool_wsclient" -a "127.0.0.1:$GW_WS" -g "$GWID" "$@"; }
checks() { [ "$(counter credd upgrade_checks)" -ge "$1" ]; }
# refetch: a reload, and wait for the fetch it causes
refetch() {
	n=$(counter credd upgrade_checks)
	"$BIN/gatewayctl" -s "$GW_SOCK" reload >/dev/null 2>&1
	wait_until 10 checks $((n + 1))
}
# fwd NAME STATE COUNT: forward COUNT packets, answers in $S/NAME.out
fwd() { ws -t 3000 forward -s "$S/$2" -h "$HOP" -N "$3" >"$S/$1.out" \
    2>&1; }
# jwt_req NAME STATE TOKEN: upgradeModeJWT, the answer in $S/NAME.out
jwt_req() { ws raw -s "$S/$2" -w 2 \
    "{\"type\":\"upgradeModeJWT\",\"token\":\"$3\"}" >"$S/$1.out" 2>&1; }
has() { grep -qxF -- "$2" "$S/$1.out"; }
sends() {	# NAME REMAINING UPGRADE COUNT: COUNT such send answers
	[ "$(grep -cxF -- "text {\"type\":\"send\",\
\"remaining_bandwidth\":$2,\"upgrade_mode\":$3}" "$S/$1.out")" -eq "$4" ]
}
bw_text() {	# AVAILABLE UPGRADE: a bandwidth answer as printed
	echo "text {\"type\":\"bandwidth\",\"available_total\":$1,\
\"upgrade_mode\":$2}"
}
err_text() { echo "text {\"type\":\"error\",\"message\":\"$1\"}"; }
show() { tr '\n' ' ' <"$S/$1.out"; }

unset GW_TEST_CREDD_ATTEST_MS GW_TEST_CREDD_ATTEST_ON_MS
export GW_TEST_CREDD_JWT_MIN_MS=5000
$STUB get "$P" '_attest?mode=null' >/dev/null
gw_start -v || { notok "gatewayd starts" "$(tail -5 "$GW_LOG")"; exit 1; }
GWID=$("$BIN/gatewayctl" -f "$GW_CONF" node-details |
    awk '/^Identity Key:/ {print $3}')
# A and C hold nothing; B claims the free 64 GiB.  credd's first
# fetch (null: off) is done before anything is measured.
ws register -s "$S/a" >/dev/null 2>&1 &&
    ws register -s "$S/c" >/dev/null 2>&1 &&
    ws register -s "$S/b" -c >/dev/null 2>&1 &&
    wait_until 10 checks 1 || {
	notok "clients register" "$(tail -5 "$GW_LOG")"; exit 1; }

# Normal mode: A is refused for lack of bandwidth, B is charged.
fwd a0 a 1
fwd b0 b 2
B=$FREE
if grep -q '"out_of_bandwidth":{"required":2413,"available":0}' "$S/a0.out" &&
    has b0 "authenticated bandwidth $B" &&
    sends b0 $((B - PKT)) false 1 && sends b0 $((B - 2 * PKT)) false 1
then
	ok "normal mode: packets are charged, upgrade_mode false"
else
	notok "normal mode: packets are charged" "$(show a0) / $(show b0)"
fi
B=$((B - 2 * PKT))
spent0=$(counter clientd bandwidth_spent)

# Upgrade mode on: nothing charged, at least 40000001 reported.
$STUB get "$P" '_attest?mode=on' >/dev/null
refetch && grep -q 'upgrade mode on: attestation published' "$GW_LOG" ||
    notok "upgrade mode turns on" "$(grep upgrade "$GW_LOG" | tail -3)"
fwd a1 a 3
fwd b1 b 3
if has a1 "authenticated bandwidth $UPG" && sends a1 $UPG true 3; then
	ok "upgrade mode: an empty balance reports $UPG, sends go through"
else
	notok "upgrade mode: an empty balance reports $UPG" "$(show a1)"
fi
if has b1 "authenticated bandwidth $B" && sends b1 $B true 3 &&
    [ "$(counter clientd bandwidth_spent)" -eq "$spent0" ]; then
	ok "upgrade mode: a balance above $UPG is reported as is, not charged"
else
	notok "upgrade mode: not charged" "$(show b1), spent $spent0 -> \
$(counter clientd bandwidth_spent)"
fi
ws raw -s "$S/c" -w 2 '{"type":"claimFreeTestnetBandwidth"}' >"$S/c1.out" 2>&1
jwt_req a2 a "not.a.jwt"
if has c1 "$(bw_text $FREE true)" && has a2 "$(bw_text $UPG true)"; then
	ok "upgrade mode: bandwidth answers say true; upgradeModeJWT is \
answered at once"
else
	notok "upgrade mode: bandwidth and upgradeModeJWT answers" \
	    "$(show c1) / $(show a2)"
fi

# Off again: charging resumes where the balance was.
$STUB get "$P" '_attest?mode=null' >/dev/null
refetch && grep -q 'upgrade mode off: no attestation published' \
    "$GW_LOG" || notok "upgrade mode turns off" \
    "$(grep upgrade "$GW_LOG" | tail -3)"
fwd b2 b 1
if has b2 "authenticated bandwidth $B" && sends b2 $((B - PKT)) false 1 &&
    [ "$(counter clientd bandwidth_spent)" -eq $((spent0 + PKT)) ]; then
	ok "upgrade mode off: charging resumes, upgrade_mode false"
else
	notok "upgrade mode off: charging resumes" "$(show b2)"
fi
B=$((B - PKT))

# upgradeModeJWT through clientd (spec 6.6 steps 2-4): within 30 s of
# the last fetch, too soon; then credd's refusals reach the client;
# then a valid JWT forces the fetch that turns upgrade mode on.
# past_window NAME STATE TOKEN: asked, and not "too soon" any more
past_window() { jwt_req "$@"; ! grep -q 'too soon' "$S/$1.out"; }
refetch
jwt_req j0 b "$(jwt good)"
wait_until 20 past_window j1 b "$(jwt badsig)"
$STUB get "$P" '_attest?mode=on' >/dev/null
jwt_req j2 b "$(jwt good)"
fwd j3 a 1
if has j0 "$(err_text "too soon to perform another upgrade mode \
attestation check")" &&
    has j1 "$(err_text "the upgrade mode JWT has a bad signature")"; then
	ok "upgradeModeJWT: credd's refusals reach the client"
else
	notok "upgradeModeJWT refusals" "$(show j0) / $(show j1)"
fi
# B's own balance, not the 40000001 of credd's verdict.
if has j2 "$(bw_text $B true)" && has j3 "authenticated bandwidth $UPG" &&
    sends j3 $UPG true 1; then
	ok "upgradeModeJWT: a valid JWT turns upgrade mode on, balance kept"
else
	notok "upgradeModeJWT: a valid JWT" "$(show j2) / $(show j3)"
fi
gw_stop
if grep -qi 'lost child\|SIGSYS\|Bad system call' "$GW_LOG"; then
	notok "gatewayd stays inside its sandbox" \
	    "$(grep -i "lost child\|SIGSYS\|Bad system" "$GW_LOG")"
else
	ok "gatewayd stays inside its sandbox"
fi
t_done
