#!/bin/sh
# clientd with 1, 100 and 10,000 connected clients (bench_clientd.c):
# registration rate, forward packets/s (client frame -> clientd -> mixd
# -> a TCP first hop that counts them), delivery packets/s (mix port ->
# mixd -> clientd -> pushed and decrypted by the clients) and clientd's
# RSS per idle client.  gatewayd runs the dev setup with the connection
# limits raised past the client count; all clients come from 127.0.0.1.
# Then the load runs (BENCH_LOAD_SECONDS, default 60; 0 skips them):
# delivery sustained against the one-core Sphinx floor, latency at 25,
# 50 and 75 % of that rate, the same for the forward path; every figure
# in $O/load.csv (obj/bench/load.csv) and throughput against p99
# latency plotted in $O/load.svg (gnuplot), and drawn in the log.
# Figures only; never fails on time.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

COUNTS=${BENCH_CLIENTD_COUNTS:-1,100,10000}
FWD=${BENCH_CLIENTD_FORWARD:-50000}
DEL=${BENCH_CLIENTD_DELIVER:-20000}
MAXN=${COUNTS##*,}

# Every client is a descriptor here and one in clientd (which inherits
# this limit from gatewayd).  dash and bash both have ulimit -n.
# shellcheck disable=SC3045
ulimit -n "$(ulimit -Hn)" 2>/dev/null
# shellcheck disable=SC3045
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((MAXN + 200)) ]
then
	echo "bench_clientd: ulimit -n $(ulimit -n) is below $MAXN clients;" \
	    "skipped"
	exit 0
fi

gw_setup || { echo "bench_clientd: setup failed"; exit 1; }
# BENCH_SPHINX_THREADS=1: mixd unwraps on its loop alone (the "before").
if [ -n "${BENCH_SPHINX_THREADS:-}" ]; then
	sed -i "s/^  sphinx_threads: .*/  sphinx_threads: $BENCH_SPHINX_THREADS/" \
	    "$GW_CONF"
fi
LIM=$((MAXN + 100))
# max_connections and max_connections_per_address
sed -i -e "/^  max_connections/s/: .*/: $LIM/" "$GW_CONF"
if ! gw_start; then
	echo "bench_clientd: gatewayd did not start"
	tail -5 "$GW_LOG"
	exit 1
fi
P=""
for r in clientd storaged; do
	pid=$(gw_pid $r) && P="$P -P $r=$pid"
done
P="$P -P gatewayd=$GW_PID"
NCPU=$(nproc)
GEN=""
# The load generator on a core of its own where that leaves the gateway
# at least two; on fewer it shares them, and says so.
if [ "$NCPU" -ge 4 ]; then
	last=$((NCPU - 1))
	for pid in $GW_PID $(gw_all_pids); do
		taskset -a -p -c "0-$((last - 1))" "$pid" > /dev/null 2>&1
	done
	GEN="taskset -c $last"
	echo "bench_clientd: load generator on CPU $last, gatewayd on CPUs" \
	    "0-$((last - 1))"
else
	echo "bench_clientd: load generator not pinned: $NCPU CPUs, and one" \
	    "of its own would leave gatewayd $((NCPU - 1)); it shares them"
fi
echo "bench_clientd: $NCPU CPUs; mixd has" \
    "$(($(ls /proc/"$(gw_pid mixd)"/task | wc -l) - 1)) unwrap threads" \
    "beside its loop"
CSV=$TOP/$O/load.csv
# shellcheck disable=SC2086
$GEN "$TOP/$O/regress/bench/bench_clientd" -w "127.0.0.1:$GW_WS" \
    -m "127.0.0.1:$GW_MIX" -K "$GW_DIR/keys" -n "$COUNTS" -f "$FWD" \
    -d "$DEL" -t "${BENCH_CLIENTD_TIMEOUT:-60}" \
    -L "${BENCH_LOAD_SECONDS:-60}" -l "${BENCH_LATENCY_SECONDS:-10}" \
    -o "$CSV" $P
rc=$?
[ $rc -eq 0 ] || grep -E 'mixd|clientd' "$GW_LOG" | tail -n 20
if [ "${BENCH_LOAD_SECONDS:-60}" != 0 ] && [ -s "$CSV" ]; then
	sh "$(dirname "$0")/plot_load.sh" "$CSV" "$TOP/$O/load.svg"
fi
"$BIN/gatewayctl" -j -s "$GW_SOCK" status | python3 -c '
import json, sys
for p in json.load(sys.stdin)["processes"]:
    c = p["counters"]
    if p["role"] == "clientd":
        print("bench_clientd: clientd " + " ".join("%s %d" % (k, v)
              for k, v in sorted(c.items()) if v and (
              k.startswith("packets") or k.startswith("messages")
              or k.startswith("conn") or k.startswith("mixd"))))
    if p["role"] == "mixd":
        print("bench_clientd: mixd " + " ".join("%s %d" % (k, v)
              for k, v in sorted(c.items()) if v and k in (
              "packets_in", "packets_out", "final_deliveries",
              "peer_queue_full", "read_pauses", "frame_deadlines",
              "read_timeouts", "connections_refused",
              "unknown_peers_evicted", "unknown_refused")))
    if p["role"] == "gatewayd":
        print("bench_clientd: master " + " ".join("%s %d" % (k, v)
              for k, v in sorted(c.items()) if "sign" in k))' 2>/dev/null
gw_stop
exit $rc
