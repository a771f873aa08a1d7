#!/bin/sh
# An acknowledgement is a promise (issue 12): a SURB-ack leaves the
# gateway only once its message is safe, written to the client's socket
# or committed by storaged.  Messages stream through the mix port to a
# registered, offline client; in the middle of the stream one process
# (mixd, clientd, storaged or the master) is killed with SIGKILL.  Every
# ack that reached the first-hop sink (tool_mixnode -A) names its
# message; after a restart the client collects its inbox.  An acked
# message the client never gets is lost: there must be none.
#
#	ACK_RUNS=N (default 1) kills per process; the closing note of issue
#	12 quotes a run with 20.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

RUNS=${ACK_RUNS:-1}
N=${ACK_PACKETS:-20000}
MIXNODE=$TOP/$O/regress/bin/tool_mixnode
WSC=$TOP/$O/regress/bin/tool_wsclient
[ -x "$MIXNODE" ] && [ -x "$WSC" ] || { notok setup "tools not built"
	exit 1; }
gw_users

gone() {
	[ ! -d "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status"
}
lines() { [ -f "$1" ] && wc -l < "$1" || echo 0; }

# one_run PROC: prints "acked delivered lost"
one_run() {
	gw_setup || { echo "setup failed"; return 1; }
	S=$GW_DIR
	gw_start || { echo "start failed"; gw_cleanup; return 1; }
	CLIENT=$(gw_register "$S/client.state")
	gid=$("$BIN/gatewayctl" -f "$GW_CONF" node-details |
	    awk '/^Identity Key:/ {print $3}')
	"$MIXNODE" -d -g "127.0.0.1:$GW_MIX" -k "$GW_DIR/keys/x25519_sphinx.pub" \
	    -c "$CLIENT" -N "$N" -a "$N" -A "$S/acks" -t 20 \
	    > "$S/mixnode.out" 2>&1 &
	tpid=$!
	# Mid-stream: some acks are back, most messages still to come.
	wait_until 20 sh -c "[ \$(wc -l < '$S/acks' 2>/dev/null || echo 0) -ge 500 ]"
	case $1 in
	gatewayd)	victim=$GW_PID ;;
	*)		victim=$(gw_pid "$1") ;;
	esac
	pids="$GW_PID $(gw_all_pids)"
	kill -KILL "$victim"
	wait "$GW_PID" 2>/dev/null
	for p in $pids; do wait_until 20 gone "$p"; done
	GW_PID=
	# Acks already on their way still arrive; then the sink stops.
	sleep 1
	kill "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
	rm -f "$GW_SOCK"
	gw_start || { echo "restart failed"; gw_cleanup; return 1; }
	# Until the inbox is empty: a busy machine may cut one drain short,
	# and a message still in the inbox is not lost.
	: > "$S/inbox.out"
	tries=0
	while [ $tries -lt 5 ]; do
		"$WSC" -a "127.0.0.1:$GW_WS" -g "$gid" -t 10000 auth \
		    -s "$S/client.state" -T -n "$N" -w 3 >> "$S/inbox.out" 2>&1
		counter_is storaged inbox_messages 0 && break
		tries=$((tries + 1))
	done
	python3 - "$S/acks" "$S/inbox.out" <<'EOF'
import re, sys
acked = set()
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 2 and f[0] == "ack":
        acked.add(int(f[1]))
got = set()
for line in open(sys.argv[2]):
    m = re.match(r"msg tool_mixnode message (\d+)", line)
    if m:
        got.add(int(m.group(1)))
print(len(acked), len(got), len(acked - got))
EOF
	gw_stop
	GW_PID=
	gw_cleanup
	trap - EXIT
}

total_lost=0
for proc in ${ACK_PROCS:-mixd clientd storaged gatewayd}; do
	r=0 worst=0 sum_a=0 sum_d=0 bad=
	while [ $r -lt "$RUNS" ]; do
		set -- $(one_run $proc)
		if [ $# -ne 3 ]; then
			bad="run $r: $*"
			break
		fi
		echo "# kill -9 $proc, run $((r + 1)): acked $1, delivered $2, acked but lost $3"
		sum_a=$((sum_a + $1)) sum_d=$((sum_d + $2))
		[ "$3" -gt "$worst" ] && worst=$3
		total_lost=$((total_lost + $3))
		[ "$1" -gt 0 ] || bad="run $r: no ack came back before the kill"
		r=$((r + 1))
	done
	if [ -z "$bad" ] && [ "$worst" -eq 0 ]; then
		ok "kill -9 $proc x $RUNS mid-stream: $sum_a acked, $sum_d delivered after restart, 0 acked but lost"
	else
		notok "kill -9 $proc mid-stream: nothing acked is lost" \
		    "${bad:-up to $worst acked messages lost in a run}"
	fi
done
echo "# acked but lost in all runs: $total_lost"
t_done
