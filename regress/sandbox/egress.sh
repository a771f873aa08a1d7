#!/bin/sh
# Only credd and verlocd (nodes announce any verloc port) may open an
# outbound TCP connection to a port that is not a mix port: clientd,
# storaged and apid have no socket() (seccomp), mixd may connect to mix
# ports only and the master to none (Landlock).  Uses the
# test-build hook gatewayctl test-connect.  Runs with testnet off, where
# mixd's port rule is in force.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

abi=$(python3 -c 'import ctypes,sys
libc = ctypes.CDLL(None, use_errno=True)
print(max(libc.syscall(444, None, 0, 1), 0))' 2>/dev/null)
gw_setup || { notok setup "init failed"; exit 1; }
sed -i 's/testnet: true/testnet: false/' "$GW_CONF"
gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }

# A listener on a port that is no mix port, inside the block gw_ports
# found free (ws, mix, http are its first three).
port=$((GW_WS + 3))
python3 -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $port)); s.listen(64); time.sleep(30)" &
LPID=$!
wait_until 5 sh -c "ss -Hltn 'sport = :$port' | grep -q LISTEN"

try() {	# process port -> prints connected|refused
	before=$(grep -c "test hook: $1: connect 127.0.0.1:$2:" "$GW_LOG")
	"$BIN/gatewayctl" -s "$GW_SOCK" test-connect "$1" "$2" >/dev/null
	wait_until 5 sh -c "[ \$(grep -c 'test hook: $1: connect 127.0.0.1:$2:' \
	    '$GW_LOG') -gt $before ]"
	grep "test hook: $1: connect 127.0.0.1:$2:" "$GW_LOG" | tail -1 |
	    sed 's/.*: connect 127.0.0.1:[0-9]*: //; s/:.*//'
}

r=$(try credd $port)
[ "$r" = connected ] && ok "credd can connect to an arbitrary port" || \
    notok "credd can connect to an arbitrary port" "got '$r'"
r=$(try verlocd $port)
[ "$r" = connected ] && ok "verlocd can connect to an arbitrary port" || \
    notok "verlocd can connect to an arbitrary port" "got '$r'"
for p in clientd storaged apid; do
	r=$(try $p $port)
	[ "$r" = socket ] || [ "$r" = refused ] && \
	    ok "$p cannot open an outbound TCP connection" || \
	    notok "$p cannot open an outbound TCP connection" "got '$r'"
done
if [ "${abi:-0}" -ge 4 ]; then
	r=$(try mixd $port)
	[ "$r" = refused ] && ok "mixd cannot connect to a non-mix port" || \
	    notok "mixd cannot connect to a non-mix port" "got '$r'"
	r=$(try mixd $GW_MIX)
	[ "$r" = connected ] && ok "mixd can connect to a mix port" || \
	    notok "mixd can connect to a mix port" "got '$r'"
	r=$(try gatewayd $port)
	[ "$r" = refused ] && ok "the master cannot connect out once started" \
	    || notok "the master cannot connect out once started" "got '$r'"
else
	skip "mixd and master port rules" "kernel Landlock ABI ${abi:-0} < 4"
fi
kill $LPID 2>/dev/null
gw_stop
GW_PID=
t_done
