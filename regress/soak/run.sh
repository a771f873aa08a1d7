#!/bin/sh
# make soak: the real gatewayd (dev setup, loopback) under thousands of
# clients cycling online and offline while mix traffic flows, for
# SOAK_SECONDS of traffic (regress/soak/soak_gateway.c says what it
# does and counts).  Registration before and collection after are
# bounded too (120 s and SOAK_DRAIN, 90 s).  The last line is
#	soak: C clients, P packets delivered, L lost, rss growth G%
# Exit non-zero if anything acknowledged was lost (or duplicated,
# misdelivered), if the daemon did not stop cleanly, or with
# SOAK_MAX_GROWTH set, if the summed RSS grew by more than that.
#
#	SOAK_CLIENTS (2000)  SOAK_MIX_RATE (150/s)  SOAK_SEND_RATE (100/s)
#	SOAK_WARMUP (120 s)  SOAK_INTERVAL (30 s)   SOAK_DRAIN (90 s)
#	O (obj/soak): the build to run; SOAK_BUILD=0 uses it as it is
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
SECS=${1:-${SOAK_SECONDS:-600}}
N=${SOAK_CLIENTS:-2000}
O=${O:-obj/soak}
export TOP O BIN="$TOP/$O/bin" GW_TEST_LABEL=soak
. regress/lib/testlib.sh
. regress/lib/daemon.sh

if [ "${SOAK_BUILD:-1}" != 0 ]; then
	mkdir -p "$O"
	if ! make -s -j"${JOBS:-2}" O="$O" all \
	    "$O/regress/soak/soak_gateway" > "$O/build.log" 2>&1; then
		tail -n 40 "$O/build.log"
		echo "soak: build failed"
		exit 1
	fi
fi
# One descriptor per client here and one in clientd (which inherits
# this limit from gatewayd).
# shellcheck disable=SC3045
ulimit -n "$(ulimit -Hn)" 2>/dev/null
# shellcheck disable=SC3045
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((N + 200)) ]
then
	echo "soak: ulimit -n $(ulimit -n) is below $N clients"
	exit 1
fi

gw_setup || { echo "soak: setup failed"; exit 1; }
LIM=$((N + 100))
# All clients come from 127.0.0.1: the per-address shares go up with the
# totals (max_connections and max_connections_per_address; the
# handshake budget and its share).
sed -i -e "/^  max_connections/s/: .*/: $LIM/" \
    -e "/^  max_unauthenticated/s/: .*/: 1024/" "$GW_CONF"
if ! gw_start; then
	echo "soak: gatewayd did not start"
	tail -5 "$GW_LOG"
	exit 1
fi
echo "soak: gatewayd pid $GW_PID on $(nproc) CPUs shared with the driver"
"$TOP/$O/regress/soak/soak_gateway" -w "127.0.0.1:$GW_WS" \
    -m "127.0.0.1:$GW_MIX" -K "$GW_DIR/keys" -p "$GW_PID" -n "$N" \
    -T "$SECS" -r "${SOAK_MIX_RATE:-150}" -s "${SOAK_SEND_RATE:-100}" \
    -W "${SOAK_WARMUP:-120}" -i "${SOAK_INTERVAL:-30}" \
    -D "${SOAK_DRAIN:-90}" ${SOAK_MAX_GROWTH:+-G "$SOAK_MAX_GROWTH"} \
    > "$GW_DIR/soak.out" 2>&1
rc=$?
last=$(tail -n 1 "$GW_DIR/soak.out")
sed '$d' "$GW_DIR/soak.out"
"$BIN/gatewayctl" -j -s "$GW_SOCK" status 2>/dev/null | python3 -c '
import json, sys
keep = ("final_deliveries", "acks_forwarded", "acks_dropped", "acks_late",
        "acks_expired", "messages_stored", "messages_delivered",
        "messages_dropped", "inbox_messages", "deliver_queue_full",
        "forward_unknown_node", "peer_queue_full", "sphinx_replay")
for p in json.load(sys.stdin)["processes"]:
    c = p["counters"]
    s = " ".join("%s %d" % (k, v) for k, v in sorted(c.items())
                 if v and (k in keep or k.endswith("_dropped")))
    if s:
        print("soak: %s: %s" % (p["role"], s))' 2>/dev/null
grep -E ' (warning|error|fatal)|lost child' "$GW_LOG" | sort | uniq -c |
    sort -rn | head -n 10 | sed 's/^/soak: log: /'
gw_stop
if [ "$GW_RC" -ne 0 ]; then
	echo "soak: gatewayd exited $GW_RC at stop"
	tail -n 20 "$GW_LOG" | sed 's/^/soak: log: /'
	rc=1
fi
echo "$last"
exit $rc
