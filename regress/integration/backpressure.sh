#!/bin/sh
# Every queue between processes has a mark, chained end to end (issue
# 12): with storaged's commits slowed to a crawl (a test hook sleeps in
# every commit), mix traffic for an offline client piles up in front of
# storaged; clientd stops reading mixd, mixd stops reading mix
# connections, and clientd's memory stays bounded instead of growing
# with the backlog.  Once the flood stops everything queued is stored.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

MIXNODE=$TOP/$O/regress/bin/tool_mixnode
N=${BP_PACKETS:-30000}
LIMIT_KB=${BP_LIMIT_KB:-32768}

gw_setup || { notok setup "init failed"; exit 1; }
# Small batches and a 50 ms sleep in each: about 1,300 stores a second,
# far below what the mix port brings in.  1,600-byte messages, so the
# backlog is in bytes what a real one is.
sed -i -e 's/commit_batch: .*/commit_batch: 64/' \
    -e 's/inbox_max_messages: .*/inbox_max_messages: 1000000/' "$GW_CONF"
GW_TEST_STORAGED_COMMIT_MS=50 gw_start ||
    { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
grep -q 'test hook: every commit sleeps 50 ms' "$GW_LOG" ||
    { notok "storaged's slow-commit hook" "not in the log"; exit 1; }
CLIENT=$(gw_register)
cpid=$(gw_pid clientd)
mpid=$(gw_pid mixd)
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
base=$(rss "$cpid")

"$MIXNODE" -d -C 4 -g "127.0.0.1:$GW_MIX" -k "$GW_DIR/keys/x25519_sphinx.pub" \
    -c "$CLIENT" -N "$N" -m 1600 -a 0 -t 30 > "$GW_DIR/mixnode.out" 2>&1 &
tpid=$!
max=0 mmax=0 i=0
while [ $i -lt 40 ]; do
	r=$(rss "$cpid"); [ "$r" -gt "$max" ] && max=$r
	r=$(rss "$mpid"); [ "$r" -gt "$mmax" ] && mmax=$r
	sleep 0.25
	i=$((i + 1))
done
echo "# clientd RSS $base kB at start, at most $max kB under the flood; mixd at most $mmax kB"
echo "# storaged_backpressure $(counter clientd storaged_backpressure), mixd read_pauses $(counter mixd read_pauses), stored so far $(counter storaged messages_stored)"
[ "$max" -lt "$LIMIT_KB" ] &&
    ok "clientd's memory stays bounded with storaged slow ($max kB, limit $LIMIT_KB kB)" ||
    notok "clientd's memory stays bounded with storaged slow" \
    "$max kB >= $LIMIT_KB kB"
counter_ge clientd storaged_backpressure 1 &&
    ok "clientd stopped reading mixd while storaged's queue was high" ||
    notok "clientd pauses mixd" "storaged_backpressure 0"
counter_ge mixd read_pauses 1 &&
    ok "mixd stopped reading mix connections in turn" ||
    notok "mixd pauses the mix port" "read_pauses 0"
kill "$tpid" 2>/dev/null
wait "$tpid" 2>/dev/null
# Nothing that got in is lost: every message mixd handed over is stored
# once storaged catches up.
want=$(counter mixd final_deliveries)
wait_until 60 counter_ge storaged messages_stored "$want"
got=$(counter storaged messages_stored)
[ "$got" -ge "$want" ] && [ "$want" -gt 0 ] &&
    ok "every message mixd passed on is stored once the disk catches up ($got of $want)" ||
    notok "everything passed on is stored" "$got of $want"
gw_stop
t_done
