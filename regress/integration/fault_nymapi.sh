#!/bin/sh
# Fault: nym-api slow, hanging, or answering garbage (issue 17 item
# 6.3).  The whole daemon with zk-nyms enforced, against the stub
# nym-api (three signers, signer 2 silent: 2 of 3 is short of the 0.7
# quorum, so a ticket is credited only if a fault passes for a
# verdict), whose
# every route in turn answers late, holds the request and never
# answers, or answers noise, truncated and mis-shaped JSON, non-HTTP
# bytes and a megabyte of nesting (/_fault).  In each mode: a client
# pays with a ticket and is credited nothing (no packet forwarded), a
# new client registers, an online client gets its mix traffic with
# every ack, and credd is the same process.  Afterwards a ticket all
# signers accept is credited (credd kept working), and once signer 2
# rejects, the three tickets still pending are rejected: forged,
# nothing credited.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

TOOL=$TOP/$O/regress/bin/tool_credd
MIXNODE=$TOP/$O/regress/bin/tool_mixnode
WSCT=$TOP/$O/regress/bin/tool_wsclient
COSMOS=n1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn3jxcwu
export TOOL_CREDD_COSMOS=$COSMOS
gw_setup || { notok setup "init failed"; exit 1; }
S=$GW_DIR
stub_start "$S" 3
SPID=$STUB_PID
trap 'kill $SPID 2>/dev/null; gw_cleanup' EXIT
set -- $STUB_PORTS
P1=$1 P2=$2
API=http://127.0.0.1:$P1
fault() { $STUB get "$P1" "_fault?mode=$1&delay_ms=${2:-0}" >/dev/null; }
$STUB get "$P1" "_mode?signer=2&mode=silent" >/dev/null
# Two nym-api URLs (both the stub), a 2 s timeout; signers unanswered
# are asked again after 1 s and the topology every second, so every
# kind of request meets every fault.
sed -i -e "s|    - \"https://validator.nymtech.net/api/\"|    - \"$API/\"\n    - \"http://127.0.0.1:$P2/\"|" \
    -e 's|  timeout: 10s|  timeout: 2s|' \
    -e "s|enforce_zk_nyms: false|enforce_zk_nyms: true|" \
    -e "s|cosmos_address: \"\"|cosmos_address: \"$COSMOS\"|" \
    -e 's|attestation_url: .*|attestation_url: ""|' \
    "$GW_CONF"
export GW_TEST_CREDD_RETRY_MS=1000 GW_TEST_CREDD_TOPOLOGY_MS=1000
gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
GWID=$("$BIN/gatewayctl" -f "$GW_CONF" node-details |
    awk '/^Identity Key:/ {print $3}')
WS="$WSCT -a 127.0.0.1:$GW_WS -g $GWID"
cpid=$(gw_pid credd)
R=$(gw_register "$S/r.state")
# One payer per mode: a client has at most two tickets in verification.
for c in x1 x2 x3 y; do
	$WS register -s "$S/$c.state" >/dev/null 2>&1
done

seq=0
for m in slow hang garbage; do
	case $m in
	slow)	fault slow 1500 ;;
	*)	fault $m ;;
	esac
	seq=$((seq + 1))
	# A ticket while nym-api misbehaves: nothing credited.
	"$TOOL" "$BIN" "$S/tdata" "$API" write-ticket "$S/forged$seq" \
	    $((700 + seq)) "$GWID" >/dev/null 2>&1
	$WS -t 4000 forward -s "$S/x$seq.state" -h "127.0.0.1:$GW_MIX" -N 3 \
	    -T "$S/forged$seq" > "$S/x$seq.out" 2>&1
	sends=$(grep -c '"type":"send"' "$S/x$seq.out")
	[ -s "$S/forged$seq" ] && [ "$sends" -eq 0 ] &&
	    counter_is clientd packets_forwarded 0 &&
	    ok "nym-api $m: a ticket is credited nothing ($(grep '^ticket:' "$S/x$seq.out" | cut -c1-80))" ||
	    notok "nym-api $m: a ticket is credited nothing" \
	    "$sends sent; $(tr '\n' ' ' < "$S/x$seq.out" | cut -c1-300)"
	# Clients are served meanwhile: a registration, and mix traffic
	# to an online client.
	new=$(gw_register "$S/new$seq.state")
	$WS -t 10000 auth -s "$S/r.state" -T -n 20 -w 10 > "$S/r$seq.out" 2>&1 &
	rpid=$!
	wait_until 20 grep -q '^authenticated' "$S/r$seq.out"
	"$MIXNODE" -d -g "127.0.0.1:$GW_MIX" -k "$S/keys/x25519_sphinx.pub" \
	    -c "$R" -N 20 -o $((seq * 1000)) -a 20 -A "$S/acks$seq" -t 20 \
	    >/dev/null 2>&1
	wait "$rpid"
	set -- $(acked_lost "$S/acks$seq" "$S/r$seq.out")
	[ -n "$new" ] && [ "$1" -eq 20 ] && [ "$3" -eq 0 ] &&
	    [ "$(gw_pid credd)" = "$cpid" ] &&
	    ok "nym-api $m: clients served (a registration; 20 acked, $2 received), credd the same process" ||
	    notok "nym-api $m: clients are served" \
	    "registered '$new'; acked $1 received $2 lost $3; credd $(gw_pid credd) was $cpid"
	fault none
done
calls=$($STUB get "$P1" _calls | python3 -c '
import json, sys
c = json.load(sys.stdin)
print(" ".join("%s:%d" % (m, sum(1 for x in c if x.get("fault") == m))
               for m in ("slow", "hang", "garbage")))')
echo "# nym-api requests met by each fault: $calls"

# Faults over.  credd still works: a ticket all signers accept (signer
# 2 accepts serial 800 only) is credited.
$STUB get "$P1" "_mode?signer=2&mode=accept&serial=800" >/dev/null
"$TOOL" "$BIN" "$S/tdata" "$API" write-ticket "$S/good" 800 "$GWID" \
    >/dev/null 2>&1
$WS -t 10000 forward -s "$S/y.state" -h "127.0.0.1:$GW_MIX" -N 3 \
    -T "$S/good" > "$S/y.out" 2>&1
sends=$(grep -c '"type":"send"' "$S/y.out")
[ "$sends" -eq 3 ] &&
    ok "after the faults a good ticket is credited (3 packets sent)" ||
    notok "after the faults a good ticket is credited" \
    "$sends sent; $(tr '\n' ' ' < "$S/y.out" | cut -c1-300)"
# Signer 2 rejects the rest: the three tickets still pending are
# rejected and never credited.
fwd=$(counter clientd packets_forwarded)
$STUB get "$P1" "_mode?signer=2&mode=reject" >/dev/null
wait_until 30 counter_ge credd tickets_rejected 3
rej=$(counter credd tickets_rejected)
[ "$rej" -ge 3 ] && [ "$fwd" -eq 3 ] && counter_is clientd packets_forwarded 3 &&
    ok "once the signers answer, the 3 tickets are rejected ($rej), nothing credited" ||
    notok "the pending tickets are rejected once the signers answer" \
    "tickets_rejected $rej, forwarded $fwd; $(grep -i ticket "$GW_LOG" | tail -5)"
kill -0 "$GW_PID" 2>/dev/null && ! grep -qi 'lost child\|seccomp' "$GW_LOG" &&
    ok "the daemon ran throughout" ||
    notok "the daemon ran throughout" "$(tail -5 "$GW_LOG")"
gw_stop
t_done
