#!/bin/sh
# kill -9 of the whole daemon while messages stream in through the mix
# port for an offline client: after a restart every message storaged had
# acknowledged (committed) is in the inbox, and none is there twice.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

TOOL=$TOP/$O/regress/bin/tool_mixnode
N1=300
N2=60000


gw_setup || { notok setup "init failed"; exit 1; }
gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
CLIENT=$(gw_register)
[ -n "$CLIENT" ] || { notok "a client registers" "no id"; exit 1; }
KEY=$GW_DIR/keys/x25519_sphinx.pub
GW=127.0.0.1:$GW_MIX

# Phase 1: messages fully acknowledged before anything happens.
"$TOOL" -g "$GW" -k "$KEY" -c $CLIENT -N $N1 -d -t 30 >/dev/null 2>&1
wait_until 15 counter_ge storaged messages_acked $N1 || \
    notok "phase 1 acknowledged" "$(counter storaged messages_acked)"

# Phase 2: a stream, and kill -9 of every process in the middle of it.
"$TOOL" -g "$GW" -k "$KEY" -c $CLIENT -N $N2 -o $N1 -d -a 0 -t 30 \
    >/dev/null 2>&1 &
TPID=$!
wait_until 20 counter_ge storaged messages_acked $((N1 + 2000))
acked=$(counter storaged messages_acked)
pids="$GW_PID $(gw_all_pids)"
kill -KILL $pids 2>/dev/null
wait "$GW_PID" 2>/dev/null
# Gone means exited (a zombie holds no sockets): a worker still
# unmapping its replay filters keeps the listeners bound meanwhile.
gone() {
	[ ! -d "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status"
}
for p in $pids; do wait_until 20 gone "$p"; done
GW_PID=
kill $TPID 2>/dev/null
wait $TPID 2>/dev/null
echo "# acknowledged at least $acked before kill -9 of the whole daemon"
[ "$acked" -gt "$N1" ] && [ "$acked" -lt $((N1 + N2)) ] && \
    ok "killed while messages streamed in ($acked acknowledged)" || \
    notok "killed while messages streamed in" "acked $acked"

# Restart on the same data: storaged rebuilds its counts from LMDB.
rm -f "$GW_SOCK"
gw_start || { notok "restart" "$(tail -5 "$GW_LOG")"; exit 1; }
inbox=$(counter storaged inbox_messages)
echo "# after restart the inbox holds $inbox"
[ "$inbox" -ge "$acked" ] && ok "no acknowledged message lost" || \
    notok "no acknowledged message lost" "inbox $inbox < acked $acked"
[ "$(counter storaged inbox_clients)" = 1 ] && ok "all in one inbox" || \
    notok "all in one inbox" "$(counter storaged inbox_clients) clients"
# The client takes its inbox: every message pushed once, none twice
# (a commit replayed after the crash would store one again).
GWID=$("$BIN/gatewayctl" -f "$GW_CONF" node-details |
    awk '/^Identity Key:/ {print $3}')
got=$("$TOP/$O/regress/bin/tool_wsclient" -a "127.0.0.1:$GW_WS" -g "$GWID" \
    -t 60000 auth -s "$GW_DIR/client.state" -n "$inbox" -w 10 2>/dev/null |
    python3 -c '
import hashlib, sys
seen, n = set(), 0
for line in sys.stdin:
    if line.startswith("msg "):
        n += 1
        seen.add(hashlib.sha256(line.encode()).digest())
print(n, len(seen))')
echo "# pushed after restart, distinct: $got"
set -- $got
[ "${1:-0}" -eq "$inbox" ] && [ "${2:-0}" -eq "$inbox" ] &&
    ok "no message stored twice ($1 pushed, $2 distinct)" ||
    notok "no message stored twice" "inbox $inbox, pushed/distinct $got"
gw_stop
GW_PID=
t_done
