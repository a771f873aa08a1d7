#!/bin/sh
# credd and zk-nym tickets (issue 7), against a loopback stub nym-api
# with three signers, credd and storaged running for real (sandboxed)
# under tool_credd, which plays master, clientd and mixd.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

TOOL=$TOP/$O/regress/bin/tool_credd
gw_users
D=$(mktemp -d /tmp/gwcred.XXXXXX)
chmod 755 "$D"
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$D"' EXIT

stub_start "$D" 3
SPID=$STUB_PID
set -- $STUB_PORTS
P1=$1 P2=$2 P3=$3
API=http://127.0.0.1:$P1
# Signers unanswered are asked again after 1 s instead of 300 s.
export GW_TEST_CREDD_RETRY_MS=1000 GW_TEST_CREDD_TOPOLOGY_MS=600000
# The gateway's nyxd account (a valid bech32 n1 address, 20 bytes).
COSMOS=n1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn3jxcwu
export TOOL_CREDD_COSMOS=$COSMOS

mode() { $STUB get "$P1" "_mode?signer=$1&mode=$2" >/dev/null; }
# posts_all: verify calls all signers got so far
posts_all() {
	$STUB get "$P1" _calls | python3 -c '
import json, sys
print(sum(1 for c in json.load(sys.stdin) if c["method"] == "POST"))'
}
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
	"$TOOL" "$BIN" "$D/data" "$API" "$@" 2>"$D/$log.log" |
	    tee "$D/$log.out"
}

# An accepted ticket grants 200 MB once the signers agree; its serial
# is spent.
run accept start topology 3 ticket 1 100 ok ticket 2 100 double \
    balance 1 200000000 nonotify 2 stop
grep -q 'ticket verified by 3 of 3 signers' "$D/accept.log" &&
    [ "$(posts 1 100)" -eq 1 ] && [ "$(posts 3 100)" -eq 1 ] &&
    ok "every signer was asked once, in the JSON encoding, and agreed" ||
    notok "every signer was asked once and agreed" "$(cat "$D/accept.log")"

# Every verify request carried the configured gateway_cosmos_addr.
addrs=$($STUB get "$P1" _calls | python3 -c '
import json, sys
print(" ".join(sorted(set(c["gw_addr"] for c in json.load(sys.stdin)
                          if c["method"] == "POST"))))')
[ "$addrs" = "$COSMOS" ] &&
    ok "verify requests carry gateway_cosmos_addr $COSMOS" ||
    notok "verify requests carry the configured gateway_cosmos_addr" \
    "got '$addrs'"

# pay_info (spec 6.3 step 8): a ticket made out to another gateway is
# refused before any signer is asked; the same pay_info twice is a
# duplicate even with a fresh serial.
run payinfo start provider other ticket 8 800 wrong-provider \
    provider self payinfo fixed ticket 8 801 ok ticket 8 801 double stop
grep -q "ticket refused: provided payinfo's public key does not match provider's" \
    "$D/payinfo.log" && [ "$(posts 1 800)" -eq 0 ] &&
    ok "a ticket for another provider never reaches the signers" ||
    notok "a ticket for another provider never reaches the signers" \
    "$(posts 1 800) posts"

# Signers per ticket epoch (spec 6.5): epoch 5 has signers 1-3; the
# stub moves to epoch 6 signed by 1 and 2 only.  A ticket of epoch 6
# goes to those two (threshold 2 of 2), one of epoch 5 still to all
# three; one of an epoch never seen (4) is refused with a clear error.
# posts_epoch SIGNER EPOCH: verify calls that signer got for the epoch
posts_epoch() {
	$STUB get "$P1" _calls | python3 -c '
import json, sys
print(sum(1 for c in json.load(sys.stdin) if c["method"] == "POST"
          and c["signer"] == int(sys.argv[1]) and c["epoch"] == int(sys.argv[2])))' "$1" "$2"
}
run epochs start ticket 9 900 ok \
    exec "$STUB get $P1 '_epoch?epoch=6&signers=1,2' >/dev/null; sleep 2" \
    epoch 6 ticket 9 901 ok epoch 5 ticket 9 902 ok \
    epoch 4 ticket 9 903 unavailable nonotify 2 stop
e5="$(posts_epoch 1 5) $(posts_epoch 2 5) $(posts_epoch 3 5)"
e6="$(posts_epoch 1 6) $(posts_epoch 2 6) $(posts_epoch 3 6)"
if grep -q 'ticket of ecash epoch 4 refused' "$D/epochs.log" &&
    [ "$e6" = "1 1 0" ] && [ "$(posts 3 902)" -eq 1 ] &&
    [ "$(grep -c 'ticket verified by 2 of 2 signers' "$D/epochs.log")" -eq 1 ]
then
	ok "each ticket is verified by the signers of its own epoch"
else
	notok "each ticket is verified by the signers of its own epoch" \
	    "epoch5 $e5 epoch6 $e6; $(grep -i 'epoch\|verified' "$D/epochs.log" | tr '\n' ' ')"
fi
$STUB get "$P1" '_epoch?epoch=5&signers=1,2,3' >/dev/null

# One signer of three rejects: 1/3 >= 1 - 0.7, so Nym's quorum rule
# rejects the ticket.  Nothing was credited, so nothing is revoked: a
# forged ticket buys nothing, not even until the quorum answers.
mode 2 reject
run reject start ticket 3 200 rejected balance 3 0 nonotify 2 stop
grep -q 'ticket rejected by 1 of 3 signers: nothing credited' \
    "$D/reject.log" &&
    ok "one signer of three rejecting refuses the ticket, nothing credited (quorum 0.7)" ||
    notok "quorum rule with one dissenting signer" "$(cat "$D/reject.log")"

# A flood of forged tickets makes a bounded number of signer requests:
# from one client, 2 at a time; after the first rejection the client and
# its address wait 60 s, so the rest never reach a signer.
before=$(posts_all)
run flood1 start flood 20 1 30 balance 20 0 stop
n=$(( $(posts_all) - before ))
grep -q '# flood: rejected 2$' "$D/flood1.out" &&
    grep -q '# flood: busy 28$' "$D/flood1.out" && [ "$n" -eq 6 ] &&
    ok "30 forged tickets from one client: 2 reach the 3 signers ($n requests), 28 refused at once" ||
    notok "a flood of forged tickets from one client is bounded" \
    "$n signer requests; $(grep '#' "$D/flood1.out" | tr '\n' ' ')"
# From 30 clients behind one address: 4 at a time per address.
before=$(posts_all)
run flood2 start flood - 2 30 stop
n=$(( $(posts_all) - before ))
grep -q '# flood: rejected 4$' "$D/flood2.out" && [ "$n" -eq 12 ] &&
    ok "30 forged tickets from 30 clients of one address: 4 reach the signers ($n requests)" ||
    notok "a flood of forged tickets from one address is bounded" \
    "$n signer requests; $(grep '#' "$D/flood2.out" | tr '\n' ' ')"
mode 2 accept

# Top-up latency: the client's answer waits for the quorum.  Signers
# answering in 50, 200 and 1000 ms.
for ms in 50 200 1000; do
	for i in 1 2 3; do
		$STUB get "$P1" "_mode?signer=$i&mode=accept&delay_ms=$ms" \
		    >/dev/null
	done
	run "lat$ms" start ticket 30 $((3000 + ms)) ok stop
	took=$(awk '/^# took/ {print $3}' "$D/lat$ms.out")
	echo "# top-up latency with signers answering in $ms ms: $took ms"
	[ -n "$took" ] && [ "$took" -ge "$ms" ] &&
	    ok "top-up answered after the quorum: signers $ms ms, client waited $took ms" ||
	    notok "top-up latency with $ms ms signers" "took '$took'"
done
for i in 1 2 3; do mode $i accept; done

# A silent signer is asked again; a restart in the middle keeps the
# ticket pending and asks only the signer that has not answered.  The
# client hears "pending" after the first round, and gets nothing yet.
mode 3 silent
run pending start ticket 4 300 pending nonotify 3 balance 4 0 stop
n3=$(posts 3 300)
[ "$n3" -ge 2 ] && ! grep -q 'ticket verified' "$D/pending.log" &&
    ok "a silent signer is asked again ($n3 times in 3 s), ticket pending, nothing credited" ||
    notok "a silent signer is asked again" "$n3; $(cat "$D/pending.log")"
mode 3 accept
run resume start notify 4 200000000 balance 4 200000000 stop
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

# The whole daemon: a client pays with a forged ticket (well formed,
# made out to this gateway, refused by the signers) and tries to send.
# Nothing was credited, so nothing is forwarded.
mode 2 reject
gw_setup || { notok "daemon setup" "init failed"; exit 1; }
sed -i -e "s|\"https://validator.nymtech.net/api/\"|\"$API/\"|" \
    -e "s|enforce_zk_nyms: false|enforce_zk_nyms: true|" \
    -e "s|cosmos_address: \"\"|cosmos_address: \"$COSMOS\"|" \
    -e 's|attestation_url: .*|attestation_url: ""|' "$GW_CONF"
if gw_start; then
	GWID=$("$BIN/gatewayctl" -f "$GW_CONF" node-details |
	    awk '/^Identity Key:/ {print $3}')
	"$TOOL" "$BIN" "$D/data3" "$API" write-ticket "$D/forged" 777 "$GWID" \
	    >/dev/null
	WS="$TOP/$O/regress/bin/tool_wsclient -a 127.0.0.1:$GW_WS -g $GWID"
	$WS register -s "$D/fclient" >/dev/null 2>&1
	$WS -t 3000 forward -s "$D/fclient" -h 127.0.0.1:1789 -N 5 \
	    -T "$D/forged" >"$D/forged.out" 2>&1
	sends=$(grep -c '"type":"send"' "$D/forged.out")
	if grep -q 'ticket: .*rejected by the nym-api signers' \
	    "$D/forged.out" && [ "$sends" -eq 0 ] &&
	    counter_is clientd packets_forwarded 0 &&
	    counter_is credd tickets_rejected 1; then
		ok "a forged ticket buys 0 forwarded packets (the client is told the signers rejected it)"
	else
		notok "a forged ticket buys 0 forwarded packets" \
		    "$sends sent; $(tr '\n' ' ' <"$D/forged.out" | cut -c1-300)"
	fi
	gw_stop
else
	notok "daemon with zk-nyms enforced starts" "$(tail -3 "$GW_LOG")"
fi
gw_cleanup
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$D"' EXIT
mode 2 accept

# credd stayed inside its seccomp allowlist throughout.
if grep -qi 'seccomp\|SIGSYS\|Bad system call' "$D"/*.log; then
	notok "credd stays inside its sandbox" "$(grep -i seccomp "$D"/*.log)"
else
	ok "credd stays inside its sandbox"
fi
t_done
