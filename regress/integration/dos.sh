#!/bin/sh
# Denial of service, bounded (issue 20): each attack of the issue's table
# against a gateway on test ports, scaled to finish in seconds, with its
# bound asserted, and a legitimate client, a listed mix node and
# /api/v1/health served while it runs.  The attackers are dos.py and
# tool_wsclient pingflood; addresses are loopback ones.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

DOS="python3 $TOP/regress/integration/dos.py"
WSC=$TOP/$O/regress/bin/tool_wsclient
MIXNODE=$TOP/$O/regress/bin/tool_mixnode
# RSS growth allowed during an attack, and left after it.
GROW_KB=${DOS_GROW_KB:-24576}
LEFT_KB=${DOS_LEFT_KB:-8192}
# Under ASan, RSS measures its allocator (redzones, a quarantine of up to
# 256 MB of freed memory), not ours: the bounds are checked in the plain
# build, and the asan pass checks the behaviour alone.
if [ "$GW_TEST_LABEL" = asan ]; then
	GROW_KB=999999999 LEFT_KB=999999999
fi

gw_setup || { notok setup "init failed"; exit 1; }
S=$GW_DIR
stub_start "$S" 1
SP=$STUB_PORTS
SPID=$STUB_PID
trap 'kill $SPID 2>/dev/null; gw_cleanup' EXIT
# The mix node tool_mixnode plays connects from 127.0.0.1: a node of the
# topology.  Attackers come from other loopback addresses.
$STUB get "$SP" "_nodes?add=77,127.0.0.1,$GW_MIX,1" >/dev/null
sed -i -e "s|\"https://validator.nymtech.net/api/\"|\"http://127.0.0.1:$SP/\"|" \
    -e 's|attestation_url: .*|attestation_url: ""|' \
    -e 's/handshake_timeout: .*/handshake_timeout: 3s/' \
    -e 's/mix_read_timeout: .*/mix_read_timeout: 3s/' \
    -e 's/max_mix_connections: .*/max_mix_connections: 64/' \
    -e 's/max_unauthenticated: .*/max_unauthenticated: 64/' \
    -e 's/max_unauthenticated_per_address: .*/max_unauthenticated_per_address: 8/' \
    "$GW_CONF"
gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
wait_until 15 counter_ge mixd topology_updates 1
CLIENT=$(gw_register "$S/c1.state")
GWID=$("$BIN/gatewayctl" -f "$GW_CONF" node-details | awk '/^Identity Key:/ {print $3}')
cpid=$(gw_pid clientd)
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
# peak PID SECS: the highest RSS of PID over SECS, sampled every 0.25 s
peak() {
	_m=0 _i=0
	while [ $_i -lt $(($2 * 4)) ]; do
		_r=$(rss "$1"); [ "$_r" -gt "$_m" ] && _m=$_r
		sleep 0.25; _i=$((_i + 1))
	done
	echo $_m
}
val() { awk -v k="$1" '$1 == k {print $2}' "$2"; }
base=$(rss "$cpid")
echo "# clientd RSS at start: $base kB"

# The attacks run in two rounds of independent ones at once, each
# checked on its own: the bounds hold together too.

# --- round 1: pings and fragments (clientd), the mix port, slowloris -
# 1. A registered client sends 10^5 pings and reads no pong.
"$WSC" -a "127.0.0.1:$GW_WS" -g "$GWID" pingflood -s "$S/c1.state" \
    -N 100000 -H 13 > "$S/flood.out" 2>&1 &
p1=$!
# 5. Mix port: a byte every second in the middle of a packet; then 6.
# 80 dripping connections from an unlisted address (cap 64) while the
# listed node delivers.
(
	$DOS mix-drip "$GW_MIX" 127.0.0.5 1 10 > "$S/mdrip.out" 2>&1
	$DOS mix-hold "$GW_MIX" 127.0.0.5 80 8 "$S/ready6" > "$S/mhold.out" 2>&1
) &
p5=$!
# 3. 64 unfinished messages of 60,000 one-byte fragments.  (Not beside
# round 2's handshake flood: that evicts these connections, oldest
# first, before their fragments add up.)
$DOS fragments "$GW_WS" 64 60000 > "$S/frag.out" 2>&1 &
p3=$!
# 8. HTTP slowloris: 60 connections, a byte every 2 s, for 14 s.
$DOS http-slowloris "$GW_HTTP" 60 4 14 > "$S/slow.out" 2>&1 &
p8=$!
m=$(peak "$cpid" 4)
$DOS http-probe "$GW_HTTP" 127.0.0.8 3 > "$S/probe2.out" 2>&1
wait_until 15 test -f "$S/ready6"
out=$("$MIXNODE" -d -g "127.0.0.1:$GW_MIX" -k "$GW_DIR/keys/x25519_sphinx.pub" \
    -c "$CLIENT" -N 4 -t 10 2>&1)
wait $p1 $p5 $p8 $p3

echo "# 1: $(tr '\n' ' ' < "$S/flood.out"); clientd RSS peak $m kB"
if [ "$(val closed "$S/flood.out")" = yes ] && [ $((m - base)) -lt $GROW_KB ] &&
    counter_ge clientd output_paused 1 && counter_ge clientd slow_clients_dropped 1; then
	ok "pings whose pongs are never read: output capped ($((m - base)) kB grown), reading paused, client dropped"
else
	notok "a ping flood is bounded" "$(cat "$S/flood.out"); peak $m base $base; output_paused $(counter clientd output_paused) slow_clients_dropped $(counter clientd slow_clients_dropped); $(grep -E 'does not read|did not drain' "$GW_LOG" | tr '\n' ' ')"
fi
[ "$(val close_1009 "$S/frag.out")" = 64 ] && [ "$(val clean_end "$S/frag.out")" = 64 ] &&
    [ $((m - base)) -lt $GROW_KB ] &&
    ok "60,000-fragment messages end in close 1009 and a clean FIN on all 64 (clientd peak $((m - base)) kB over its start, with the ping flood)" ||
    notok "fragment floods are bounded" "$(tr '\n' ' ' < "$S/frag.out"); peak $m"
after=$(val closed_after "$S/mdrip.out")
python3 -c "import sys; a = float('$after'); sys.exit(not (0 < a <= 4.0))" &&
    counter_ge mixd frame_deadlines 1 &&
    ok "a mix packet dripped a byte a second is dropped ${after} s after its first byte (mix_read_timeout 3 s)" ||
    notok "mix packets have an absolute deadline" "$(cat "$S/mdrip.out")"
echo "$out" | grep -q '^acks 4 ' && counter_ge mixd unknown_peers_refused 1 &&
    ok "with strangers holding the mix port, a node of the topology delivers 4 of 4 ($(counter mixd unknown_peers_refused) stranger connections refused)" ||
    notok "listed mix nodes are served while strangers hold the port" \
    "$(echo "$out" | tail -2 | tr '\n' ' '); $(tr '\n' ' ' < "$S/mhold.out")"
age=$(val max_age "$S/slow.out")
[ "$(val still_open "$S/slow.out")" = 0 ] && [ "$(val answered "$S/probe2.out")" = 3 ] &&
    python3 -c "import sys; sys.exit(float('$age') > 13.0)" &&
    ok "HTTP slowloris: every connection closed by its 10 s deadline (oldest ${age} s); health probes answered 3 of 3" ||
    notok "HTTP requests have an absolute deadline" \
    "$(tr '\n' ' ' < "$S/slow.out"); $(cat "$S/probe2.out")"

# --- round 2: the control socket, handshakes, HTTP hold -------------
mbase=$(rss "$GW_PID")
# 9. Control socket: 10^5 STATUS requests, no reply read.
$DOS control-flood "$TOP" "$GW_SOCK" 100000 12 > "$S/cflood.out" 2>&1 &
p9=$!
# 4. 300 unauthenticated connections from 20 addresses, each sending
# supportedProtocol every second; then 20 from one address.
(
	$DOS preauth-drip "$GW_WS" 300 20 1 8 > "$S/drip.out" 2>&1
	$DOS preauth-drip "$GW_WS" 20 1 1 2 > "$S/drip1.out" 2>&1
) &
p4=$!
# 7. HTTP: 40 connections held by one address; another probes.
$DOS http-hold "$GW_HTTP" 127.0.0.6 40 6 "$S/ready7" > "$S/hhold.out" 2>&1 &
p7=$!
# 2. A ping flood during the handshake.
$DOS preauth-pings "$GW_WS" 100000 6 > "$S/pre.out" 2>&1 &
p2=$!
mm=$(peak "$GW_PID" 3)
m=$(peak "$cpid" 2)
fresh=$(gw_register "$S/c2.state")
wait_until 10 test -f "$S/ready7"
$DOS http-probe "$GW_HTTP" 127.0.0.7 3 > "$S/probe.out" 2>&1
wait $p9 $p4 $p7 $p2

[ "$(val closed "$S/cflood.out")" = yes ] && [ $((mm - mbase)) -lt $GROW_KB ] &&
    "$BIN/gatewayctl" -s "$GW_SOCK" status >/dev/null &&
    ok "control socket: unread replies capped (master grew $((mm - mbase)) kB), the flooder dropped, gatewayctl served" ||
    notok "control socket floods are bounded" "$(cat "$S/cflood.out"); master $mbase -> $mm kB"
age=$(val max_age "$S/drip.out")
[ -n "$fresh" ] && [ "$(val still_open "$S/drip.out")" = 0 ] &&
    python3 -c "import sys; sys.exit(float('$age') > 4.0)" &&
    counter_ge clientd unauthenticated_evicted 1 &&
    ok "300 dripping handshakes: none outlives the 3 s deadline (oldest ${age} s), the oldest make room ($(counter clientd unauthenticated_evicted) evicted); a fresh client registered" ||
    notok "unauthenticated connections cannot hold the cap" \
    "fresh '$fresh' evicted $(counter clientd unauthenticated_evicted); $(tr '\n' ' ' < "$S/drip.out")"
# One address (an IPv4 address here, an IPv6 /64 in general) gets at
# most its share of handshake slots.
counter_ge clientd unauthenticated_refused_per_address 12 &&
    ok "20 handshakes from one address: 8 admitted, $(counter clientd unauthenticated_refused_per_address) refused" ||
    notok "per-address handshake share" \
    "refused $(counter clientd unauthenticated_refused_per_address)"
[ "$(val answered "$S/probe.out")" = 3 ] && counter_ge apid http_api_refused_per_address 1 &&
    ok "HTTP API: one address holds at most its share; /api/v1/health answered 3 of 3 meanwhile" ||
    notok "HTTP API per-address share" "$(cat "$S/probe.out" "$S/hhold.out" | tr '\n' ' ')"
[ "$(val closed "$S/pre.out")" = yes ] &&
    ok "a ping flood during the handshake is dropped" ||
    notok "an unregistered ping flood is dropped" "$(cat "$S/pre.out")"

# 10. Control socket: 40 idle clients; the operator still gets in.
rm -f "$S/ready"
$DOS control-idle "$GW_SOCK" 40 "$S/ready" 5 > "$S/cidle.out" 2>&1 &
fp=$!
wait_until 10 test -f "$S/ready"
"$BIN/gatewayctl" -s "$GW_SOCK" status >/dev/null 2>&1 && st=ok || st=failed
wait $fp
[ $st = ok ] && counter_ge gatewayd control_evicted 1 &&
    ok "control socket: with every slot idle, gatewayctl still gets in (the longest idle is evicted)" ||
    notok "gatewayctl gets in past idle control clients" "status $st"

# 11. Protocol errors end with RFC 6455's codes, then a FIN.
$DOS close-codes "$GW_WS" > "$S/codes.out" 2>&1
if grep -q '^unmasked 1002 fin$' "$S/codes.out" &&
    grep -q '^bad_utf8 1007 fin$' "$S/codes.out" &&
    grep -q '^too_big 1009 fin$' "$S/codes.out" &&
    grep -q '^bad_opcode 1002 fin$' "$S/codes.out"; then
	ok "protocol errors close with 1002, 1007 and 1009 and then a FIN, never a reset"
else
	notok "protocol errors close with RFC 6455's codes" "$(tr '\n' ' ' < "$S/codes.out")"
fi

# 12. A steady stream is no drip: frames that keep completing, with
# every read ending inside the next, for three read timeouts.
d0=$(counter mixd frame_deadlines)
b0=$(counter mixd packets_in)
$DOS mix-stream "$GW_MIX" 127.0.0.8 9 > "$S/stream.out" 2>&1
nf=$(val frames "$S/stream.out")
got=$(($(counter mixd packets_in) - b0))
[ "$(val closed "$S/stream.out")" = no ] &&
    [ "$(counter mixd frame_deadlines)" = "$d0" ] && [ "$got" -ge $((nf - 1)) ] &&
    ok "a peer streaming for 9 s (mix_read_timeout 3 s), nearly every read ending mid-frame, is not cut ($got of $nf frames read)" ||
    notok "a busy mix stream outlives mix_read_timeout" \
    "$(tr '\n' ' ' < "$S/stream.out"); read $got; deadlines $d0 -> $(counter mixd frame_deadlines)"

# 13. Afterwards: memory back near where it started, nobody crashed.
sleep 3
left=$(rss "$cpid")
echo "# clientd RSS after the attacks: $left kB (at start $base kB)"
if [ "$GW_TEST_LABEL" = asan ]; then
	skip "clientd's memory returns after attacks" "ASan's quarantine keeps freed memory; checked in the plain build"
elif [ $((left - base)) -lt $LEFT_KB ]; then
	ok "clientd's memory returns near its baseline after the attacks ($base -> $left kB)"
else
	notok "clientd's memory returns after attacks" "$base -> $left kB"
fi
[ "$(gw_pid clientd)" = "$cpid" ] && ! grep -q 'lost child' "$GW_LOG" &&
    [ -n "$(gw_register "$S/c3.state")" ] &&
    ok "no process died; a new client registers after it all" ||
    notok "the gateway survives" "$(grep lost "$GW_LOG")"
grep -c 'warn\|refus\|evict\|dropped\|deadline' "$GW_LOG" | sed 's/^/# log lines about the attacks: /'
gw_stop
t_done
