#!/bin/sh
# credd and zk-nym tickets (issue 7), against a loopback stub nym-api
# with three signers, credd and storaged running for real (sandboxed)
# under tool_credd, which plays master, clientd and mixd.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

TOOL=$TOP/$O/regress/bin/tool_credd
STUB="python3 $TOP/regress/lib/stub_nymapi.py"
gw_users
D=$(mktemp -d /tmp/gwcred.XXXXXX)
chmod 755 "$D"
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$D"' EXIT

$STUB serve 3 "$D/ports" 2>"$D/stub.log" &
SPID=$!
wait_until 10 test -s "$D/ports" || { notok "stub nym-api starts" \
    "$(cat "$D/stub.log")"; exit 1; }
set -- $(cat "$D/ports")
P1=$1 P2=$2 P3=$3
API=http://127.0.0.1:$P1
# Signers unanswered are asked again after 1 s instead of 300 s.
export GW_TEST_CREDD_RETRY_MS=1000 GW_TEST_CREDD_TOPOLOGY_MS=600000

mode() { $STUB get "$P1" "_mode?signer=$1&mode=$2" >/dev/null; }
# posts SIGNER SERIAL-SEED: verify calls that signer got for the ticket
posts() {
	$STUB get "$P1" _calls | python3 -c '
import json, struct, sys
want = struct.pack("<I", int(sys.argv[2])).hex() + "00" * 44
print(sum(1 for c in json.load(sys.stdin) if c["method"] == "POST"
          and c["signer"] == int(sys.argv[1]) and c["serial"] == want
          and c["body_ok"]))' "$1" "$2"
}
run() {	# log steps...
	log=$1; shift
	"$TOOL" "$BIN" "$D/data" "$API" "$@" 2>"$D/$log.log"
}

# An accepted ticket grants 200 MB at once; its serial is spent.
run accept start topology 3 ticket 1 100 ok ticket 2 100 double \
    balance 1 200000000 norevoke 2 stop
grep -q 'ticket verified by 3 of 3 signers' "$D/accept.log" &&
    [ "$(posts 1 100)" -eq 1 ] && [ "$(posts 3 100)" -eq 1 ] &&
    ok "every signer was asked once, in the JSON encoding, and agreed" ||
    notok "every signer was asked once and agreed" "$(cat "$D/accept.log")"

# One signer of three rejects: 1/3 >= 1 - 0.7, so Nym's quorum rule
# rejects the ticket and the penalty is ten times its value.
mode 2 reject
run reject start ticket 3 200 ok revoke 3 -1800000000 \
    balance 3 -1800000000 stop
grep -q 'ticket rejected by 1 of 3 signers' "$D/reject.log" &&
    ok "one signer of three rejecting revokes the ticket (quorum 0.7)" ||
    notok "quorum rule with one dissenting signer" "$(cat "$D/reject.log")"
mode 2 accept

# A silent signer is asked again; a restart in the middle keeps the
# ticket pending and asks only the signer that has not answered.
mode 3 silent
run pending start ticket 4 300 ok norevoke 3 stop
n3=$(posts 3 300)
[ "$n3" -ge 2 ] && ! grep -q 'ticket verified' "$D/pending.log" &&
    ok "a silent signer is asked again ($n3 times in 3 s), ticket pending" ||
    notok "a silent signer is asked again" "$n3; $(cat "$D/pending.log")"
mode 3 accept
run resume start norevoke 3 balance 4 200000000 stop
grep -q '1 ticket verifications to resume' "$D/resume.log" &&
    grep -q 'ticket verified by 3 of 3 signers' "$D/resume.log" &&
    [ "$(posts 1 300)" -eq 1 ] &&
    ok "after a restart the pending ticket is verified, signer 1 not re-asked" ||
    notok "a restart keeps pending verifications" \
    "signer1 $(posts 1 300); $(cat "$D/resume.log")"

# nym-api down: a clear error, at once, and everyone else is served.
"$TOOL" "$BIN" "$D/data2" "http://127.0.0.1:1" start ticket 5 500 \
    unavailable ticket 6 600 unavailable balance 1 0 stop \
    >"$D/down.out" 2>"$D/down.log"
grep -q 'cannot reach the nym-api' "$D/down.out" &&
    ! grep -q '^not ok' "$D/down.out" &&
    ok "with nym-api down, clients get a clear error and storaged still answers" ||
    notok "nym-api down" "$(cat "$D/down.out" "$D/down.log")"

# enforce_zk_nyms false: credd declines, clientd keeps its free mode.
run free start-free ticket 7 700 not-enabled stop

# credd stayed inside its seccomp allowlist throughout.
if grep -qi 'seccomp\|SIGSYS\|Bad system call' "$D"/*.log; then
	notok "credd stays inside its sandbox" "$(grep -i seccomp "$D"/*.log)"
else
	ok "credd stays inside its sandbox"
fi
t_done
