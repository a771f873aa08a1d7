#!/bin/sh
# Final-hop packets per second through a running mixd: gatewayd on the
# dev setup, tool_mixnode sending regular packets straight to its mix
# port over 4 loopback connections, timed until every SURB-ack has come
# back (each ack is forwarded by mixd once storaged has committed its
# message, and mixnet.ack_delay after the packet came in).  Printed next to the single-core unwrap floor measured by
# the same tool in the same run.  Figures only; never fails on time.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

N=${BENCH_MIXD_PACKETS:-20000}
gw_setup || { echo "bench_mixd: setup failed"; exit 1; }
gw_start || { echo "bench_mixd: gatewayd did not start"; tail -5 "$GW_LOG"; exit 1; }
# An offline registered client: every message is stored and committed
# before its ack leaves (mail for strangers is dropped unacked).
CLIENT=$(gw_register)
"$TOP/$O/regress/bin/tool_mixnode" -b -d -C 4 -N "$N" -t 120 -c "$CLIENT" \
    -g "127.0.0.1:$GW_MIX" -k "$GW_DIR/keys/x25519_sphinx.pub" | grep '^bench'
rc=$?
echo "bench_mixd: $(nproc) CPUs; mixd has" \
    "$(($(ls /proc/"$(gw_pid mixd)"/task | wc -l) - 1)) unwrap threads beside its loop"
"$BIN/gatewayctl" -j -s "$GW_SOCK" status | python3 -c '
import json, sys
for p in json.load(sys.stdin)["processes"]:
    if p["role"] == "mixd":
        c = p["counters"]
        print("bench_mixd: mixd final_deliveries %d acks_forwarded %d "
              "read_pauses %d replay_filter_bytes %d" % (
              c.get("final_deliveries", 0), c.get("acks_forwarded", 0),
              c.get("read_pauses", 0), c.get("replay_filter_bytes", 0)))'
gw_stop
exit $rc
