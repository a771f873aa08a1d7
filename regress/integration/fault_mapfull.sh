#!/bin/sh
# Fault: the database map fills up (issue 17 item 6.1).  With the
# smallest storage.map_size (16 MiB), mix traffic for an offline client
# fills it: storaged refuses new messages at 95% and their acks never
# leave, so nothing acknowledged is lost.  Meanwhile an online client
# is still served (pushes need no storage), the full inbox is fetched
# whole, and once that freed the space new mail is stored again.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

MIXNODE=$TOP/$O/regress/bin/tool_mixnode
WSC=$TOP/$O/regress/bin/tool_wsclient
# 1,600-byte messages take a 4 KiB page each: some 3,900 fill 95%.
N=${FAULT_MAPFULL_PACKETS:-6000}
gw_setup || { notok setup "init failed"; exit 1; }
sed -i -e 's/map_size: .*/map_size: 16M/' \
    -e 's/inbox_max_messages: .*/inbox_max_messages: 1000000/' "$GW_CONF"
gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
S=$GW_DIR
A=$(gw_register "$S/a.state")
B=$(gw_register "$S/b.state")
gid=$("$BIN/gatewayctl" -f "$GW_CONF" node-details |
    awk '/^Identity Key:/ {print $3}')
mix() {	# CLIENT COUNT FIRST ACKFILE [SECS]: until every ack came or SECS
	"$MIXNODE" -d -g "127.0.0.1:$GW_MIX" -k "$S/keys/x25519_sphinx.pub" \
	    -c "$1" -N "$2" -o "$3" -m 1600 -a "$2" -A "$4" -t "${5:-30}" \
	    >> "$S/mixnode.out" 2>&1
}

# Not every ack can come: 10 s after the last packet is plenty for the
# acks of those stored (100 ms each).
mix "$A" "$N" 0 "$S/acks1" 10
set -- $(acked_lost "$S/acks1" /dev/null)
acked1=$1
refused=$(counter storaged dropped_db_full)
if [ "$acked1" -gt 1000 ] && [ "$acked1" -lt "$N" ] &&
    [ "$refused" -gt 0 ] && grep -q 'is [0-9]*% full' "$GW_LOG"; then
	ok "a full map refuses messages: $acked1 of $N acked, $refused refused, warned"
else
	notok "a full map refuses messages cleanly" \
	    "acked $acked1 of $N, dropped_db_full $refused; $(grep -i full "$GW_LOG" | tail -3)"
fi
# Refused means no ack: every ack that left belongs to a stored message.
stored=$(counter storaged inbox_messages)
[ "$stored" -ge "$acked1" ] &&
    ok "no ack left for a refused message ($acked1 acks, $stored stored)" ||
    notok "no ack left for a refused message" "$acked1 acks, $stored stored"

# Still serving, map full: an online client gets its pushes and acks.
"$WSC" -a "127.0.0.1:$GW_WS" -g "$gid" -t 10000 auth -s "$S/b.state" -T \
    -n 50 -w 15 > "$S/b.out" 2>&1 &
bpid=$!
wait_until 20 grep -q '^authenticated' "$S/b.out"
mix "$B" 50 100000 "$S/acksb"
wait "$bpid"
set -- $(acked_lost "$S/acksb" "$S/b.out")
[ "$1" -eq 50 ] && [ "$3" -eq 0 ] &&
    ok "an online client is served with the map full (50 acked, $2 received)" ||
    notok "an online client is served with the map full" \
    "acked $1 received $2 lost $3; $(tail -3 "$S/b.out")"

# The full inbox, fetched: nothing acknowledged is missing.
: > "$S/a.out"
gw_fetch "$S/a.state" "$S/a.out"
set -- $(acked_lost "$S/acks1" "$S/a.out")
[ "$1" -gt 0 ] && [ "$3" -eq 0 ] &&
    ok "the full inbox is fetched: $1 acked, $2 received, 0 lost" ||
    notok "nothing acknowledged is lost with the map full" \
    "acked $1 received $2 lost $3"

# Space freed: new mail is stored (and acked) and fetched again.
mix "$A" 500 200000 "$S/acks2"
: > "$S/a2.out"
gw_fetch "$S/a.state" "$S/a2.out"
set -- $(acked_lost "$S/acks2" "$S/a2.out")
[ "$1" -eq 500 ] && [ "$3" -eq 0 ] &&
    ok "after the inbox freed the map, mail is stored again (500 acked, $2 fetched)" ||
    notok "mail is stored again once space frees" \
    "acked $1 of 500, received $2, lost $3; usage $(counter storaged db_usage_percent)%"
kill -0 "$GW_PID" 2>/dev/null && ! grep -q 'lost child' "$GW_LOG" &&
    ok "the daemon ran throughout" || notok "the daemon ran throughout" \
    "$(tail -5 "$GW_LOG")"
gw_stop
t_done
