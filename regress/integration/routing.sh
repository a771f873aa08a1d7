#!/bin/sh
# The routing filter outside testnet (issue 7; client-protocol.md 8.2,
# sphinx-mixport.md): with "testnet: false" mixd forwards a packet only
# to the mix address of a node in the topology credd fetched, loopback
# or not; a packet for any other address is dropped and counted
# (forward_unknown_node).
#
# Outside testnet mixd's Landlock rule also limits its outbound TCP
# ports to 1789 and the gateway's own mix ports (common/worker.c), and
# Landlock looks at ports only.  So both listeners below sit on the
# gateway's own mix port, on other loopback addresses: the known one
# (127.0.0.2, in the stub's topology) and the unknown one (127.0.0.3,
# not in it) are told apart by the topology alone.  A third node, in
# the topology but on a port the rule does not allow, receives nothing
# where the kernel enforces Landlock's network rules.
#
# The master passes no GW_TEST_* variables to its workers, so the node
# is added to the stub before gatewayd starts: credd's first topology
# fetch includes it.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

TOOLS=$TOP/$O/regress/bin
[ -x "$TOOLS/tool_wsclient" ] || { notok setup "tool_wsclient not built"
	exit 1; }
gw_setup || { notok setup "init failed"; exit 1; }
PIDS=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; gw_cleanup' EXIT
S=$GW_DIR
OFFPORT=$((GW_HTTP + 3))	# in gw_ports' checked-free block

# listen IP PORT NAME: count the bytes mix connections bring, in $S/NAME
listen() {
	python3 -c '
import socket, sys, threading
ip, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((ip, port))
s.listen(16)
total, lock = [0], threading.Lock()
def save():
    with open(out + ".tmp", "w") as f:
        f.write("%d\n" % total[0])
    import os
    os.rename(out + ".tmp", out)
def conn(c):
    while True:
        b = c.recv(65536)
        if not b:
            return
        with lock:
            total[0] += len(b)
            save()
save()
while True:
    c, _ = s.accept()
    threading.Thread(target=conn, args=(c,), daemon=True).start()
' "$1" "$2" "$S/$3" 2>>"$S/listen.log" &
	PIDS="$PIDS $!"
}
bytes() { cat "$S/$1" 2>/dev/null || echo 0; }
ws() { "$TOOLS/tool_wsclient" -a "127.0.0.1:$GW_WS" -g "$GWID" "$@"; }
# fwd NAME TO COUNT: the client forwards COUNT packets for next hop TO
fwd() { ws -t 3000 forward -s "$S/client" -h "$2" -N "$3" >"$S/$1.out" \
    2>&1; }
sent_ok() { [ "$(grep -c '"type":"send"' "$S/$1.out")" -eq "$2" ]; }

stub_start "$S" 1
PIDS="$PIDS $STUB_PID"
SP=$STUB_PORTS
listen 127.0.0.2 "$GW_MIX" known
listen 127.0.0.3 "$GW_MIX" unknown
listen 127.0.0.4 "$OFFPORT" offport
wait_until 10 sh -c "test -s '$S/known' && test -s '$S/unknown' &&
    test -s '$S/offport'" || { notok "test mix nodes listen" \
    "$(cat "$S/listen.log")"; exit 1; }
# And 600 more, as on mainnet: mixd sorts its topology, and glibc's
# qsort of more than 1 KiB once asked for a system call mixd's sandbox
# then lacked (sysinfo), killing it at its first real topology.
$STUB get "$SP" "_nodes?add=42,127.0.0.2,$GW_MIX,1" >/dev/null &&
    $STUB get "$SP" "_nodes?add=43,127.0.0.4,$OFFPORT,2" >/dev/null &&
    $STUB get "$SP" "_nodes?bulk=600" >/dev/null ||
    { notok "stub takes the test nodes" "$(cat "$S/stub.log")"; exit 1; }
sed -i -e "s|https://validator.nymtech.net/api/|http://127.0.0.1:$SP/|" \
    -e 's/testnet: true/testnet: false/' "$GW_CONF"
grep -q 'testnet: false' "$GW_CONF" || { notok setup "no testnet key"
	exit 1; }
gw_start -v || { notok "gatewayd starts" "$(tail -5 "$GW_LOG")"; exit 1; }
GWID=$("$BIN/gatewayctl" -f "$GW_CONF" node-details |
    awk '/^Identity Key:/ {print $3}')

NOLL=
grep -q 'mixd: .*\(no Landlock in this kernel\|has no network rules\)' \
    "$GW_LOG" && NOLL=1
if [ -n "$NOLL" ]; then
	skip "mixd's Landlock rule is limited to mix ports" "no Landlock here"
elif grep -q 'mixd: .*Landlock ABI [0-9]* in force (.*net mix ports)' \
    "$GW_LOG"; then
	ok "outside testnet mixd may connect to mix ports only"
else
	notok "mixd's Landlock rule is limited to mix ports" \
	    "$(grep -i 'landlock\|testnet' "$GW_LOG" | grep mixd)"
fi
# The stub's rewarded set: 3 nodes of its own, our 2 and the 600, one
# address each (its node 99 is not in the set).
mpid=$(gw_pid mixd)
if wait_until 15 counter_ge mixd topology_updates 1 &&
    counter_ge mixd topology_nodes 605 && [ "$(gw_pid mixd)" = "$mpid" ]; then
	ok "mixd got the topology with the test nodes ($(counter mixd \
topology_nodes) addresses)"
else
	notok "mixd gets the topology" "$(counter mixd topology_nodes) \
addresses; $(grep topology "$GW_LOG" | tail -3)"
fi
ws register -s "$S/client" -c >"$S/reg.out" 2>&1 ||
    { notok "client registers" "$(cat "$S/reg.out")"; exit 1; }

# A node in the topology: forwarded, and all three packets arrive.
fwd known "127.0.0.2:$GW_MIX" 3
if sent_ok known 3 && wait_until 10 sh -c \
    "[ \$(cat '$S/known') -ge $((3 * 2413)) ]"; then
	ok "a packet for a node in the topology is forwarded ($(bytes \
known) bytes arrived)"
else
	notok "a packet for a node in the topology is forwarded" \
	    "$(bytes known) bytes; $(tr '\n' ' ' <"$S/known.out")"
fi

# Not in the topology: dropped and counted, though Landlock would let
# mixd connect to that port.
before=$(counter mixd forward_unknown_node)
fwd unknown "127.0.0.3:$GW_MIX" 3
if sent_ok unknown 3 &&
    wait_until 10 counter_ge mixd forward_unknown_node $((before + 3)); then
	# Counted as dropped, so none of the three can arrive later.
	if [ "$(bytes unknown)" -eq 0 ] && grep -q \
	    "routing: dropped a packet for 127.0.0.3:$GW_MIX, not a node" \
	    "$GW_LOG"; then
		ok "a packet for a node outside the topology is dropped \
(forward_unknown_node $before -> $(counter mixd forward_unknown_node))"
	else
		notok "a packet outside the topology is dropped and logged" \
		    "$(bytes unknown) bytes arrived; $(grep routing: "$GW_LOG")"
	fi
else
	notok "a packet outside the topology is counted" "forward_unknown_node \
$before -> $(counter mixd forward_unknown_node); $(tr '\n' ' ' \
<"$S/unknown.out")"
fi

# In the topology, but on a port outside the Landlock rule.
failed=$(counter mixd connect_failures)
fwd offport "127.0.0.4:$OFFPORT" 1
[ -n "$NOLL" ] || wait_until 10 counter_ge mixd connect_failures $((failed + 1))
if [ -n "$NOLL" ]; then
	skip "a listed node on a port other than a mix port" \
	    "no Landlock here ($(bytes offport) bytes arrived)"
elif [ "$(bytes offport)" -eq 0 ] &&
    counter_ge mixd connect_failures $((failed + 1)); then
	ok "a listed node on port $OFFPORT is out of mixd's reach (Landlock)"
else
	notok "a listed node on a port other than a mix port" \
	    "$(bytes offport) bytes arrived, connect_failures $failed -> \
$(counter mixd connect_failures)"
fi

gw_stop
if grep -qi 'lost child\|SIGSYS\|Bad system call' "$GW_LOG"; then
	notok "gatewayd stays inside its sandbox" \
	    "$(grep -i 'lost child\|SIGSYS\|Bad system' "$GW_LOG")"
else
	ok "gatewayd stays inside its sandbox"
fi
t_done
