#!/bin/sh
# Out of descriptors, a listener rests instead of spinning (issue 12):
# each of clientd (client WebSocket port), mixd (mix port) and the
# master (control socket) gets a descriptor limit just above what it
# holds (the workers set their own through a test hook: a sandboxed,
# undumpable process cannot be prlimit'ed from outside without
# CAP_SYS_RESOURCE; the master with prlimit), then more connections
# than that arrive and stay.
# The process must stay idle (its CPU time over 2 s is sampled from
# /proc), count the back-off, and serve again once descriptors free up.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

command -v prlimit >/dev/null 2>&1 || { skip "descriptor exhaustion" \
    "prlimit(1) not installed"; exit 0; }

gw_setup || { notok setup "init failed"; exit 1; }
gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
CLIENT=$(gw_register)

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# hold KIND TARGET N SECS: N connections held open for SECS, in the
# background (TCP port on 127.0.0.1, or a UNIX socket path)
hold() {
	python3 - "$@" <<'EOF' &
import socket, sys, time
kind, target, n, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
socks = []
for _ in range(n):
    try:
        # A full backlog blocks connect(): give up on that one.
        if kind == "unix":
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(0.2)
            s.connect(target)
        else:
            s = socket.create_connection(("127.0.0.1", int(target)), 0.2)
        socks.append(s)
    except OSError:
        pass
time.sleep(secs)
EOF
	HOLD_PID=$!
}

# exhaust ROLE PID KIND TARGET: the limit, the flood, the CPU figure
exhaust() {
	role=$1 pid=$2
	nfd=$(ls "/proc/$pid/fd" | wc -l)
	b0=$(counter "$role" accept_backoffs)
	if [ "$role" = gatewayd ]; then
		old=$(prlimit --pid "$pid" --nofile --noheadings \
		    --output=SOFT,HARD | awk '{print $1 ":" $2}')
		prlimit --pid "$pid" --nofile=$((nfd + 2)):"${old#*:}"
	else
		"$BIN/gatewayctl" -s "$GW_SOCK" test-sandbox "$role" nofile \
		    $((nfd + 2)) >/dev/null
		wait_until 5 grep -q "$role: test hook: $role: descriptor limit $((nfd + 2))" "$GW_LOG"
	fi
	hold "$3" "$4" 40 4
	sleep 1
	t0=$(ticks "$pid")
	sleep 2
	t1=$(ticks "$pid")
	wait "$HOLD_PID"
	if [ "$role" = gatewayd ]; then
		prlimit --pid "$pid" --nofile="$old"
	else
		"$BIN/gatewayctl" -s "$GW_SOCK" test-sandbox "$role" nofile 0 \
		    >/dev/null
	fi
	# Read afterwards: an exhausted master cannot take gatewayctl.
	wait_until 5 "$BIN/gatewayctl" -s "$GW_SOCK" status
	b1=$(counter "$role" accept_backoffs)
	cpu=$(( (t1 - t0) * 100 / 200 ))	# percent of one core (100 Hz)
	echo "# $role out of descriptors: $((t1 - t0)) ticks in 2 s ($cpu% of a core), back-offs $b0 -> $b1"
	[ "$cpu" -lt 20 ] && [ "$b1" -gt "$b0" ] &&
	    ok "$role out of descriptors rests instead of spinning ($cpu% CPU, $((b1 - b0)) back-offs)" ||
	    notok "$role out of descriptors rests" "$cpu% CPU, back-offs $b0 -> $b1"
}

exhaust clientd "$(gw_pid clientd)" tcp "$GW_WS"
[ -n "$(gw_register "$GW_DIR/second.state")" ] &&
    ok "clientd serves a new client once descriptors free up" ||
    notok "clientd serves again" "registration failed"

exhaust mixd "$(gw_pid mixd)" tcp "$GW_MIX"
out=$("$TOP/$O/regress/bin/tool_mixnode" -d -g "127.0.0.1:$GW_MIX" \
    -k "$GW_DIR/keys/x25519_sphinx.pub" -c "$CLIENT" -N 5 -t 10 2>&1)
echo "$out" | grep -q '^acks 5 ' &&
    ok "mixd takes mix packets again once descriptors free up" ||
    notok "mixd serves again" "$out"

exhaust gatewayd "$GW_PID" unix "$GW_SOCK"
"$BIN/gatewayctl" -s "$GW_SOCK" status >/dev/null 2>&1 &&
    ok "the control socket answers again once descriptors free up" ||
    notok "the control socket answers again" "gatewayctl status failed"
kill -0 "$GW_PID" 2>/dev/null && ! grep -q 'lost child' "$GW_LOG" &&
    ok "no process died of the exhaustion" ||
    notok "no process died" "$(grep lost "$GW_LOG")"
gw_stop
t_done
