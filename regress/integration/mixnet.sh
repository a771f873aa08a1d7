#!/bin/sh
# mixd end to end (issue 5): packets built by tool_mixnode travel through
# its three mix nodes to gatewayd, land in an offline client's inbox
# (mixd -> clientd -> storaged) and every SURB-ack comes back to its
# first hop; replays and packets for a wrong key are dropped and
# counted; a thousand malformed frames do not disturb a good flow.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

TOOL=$TOP/$O/regress/bin/tool_mixnode
N=40

gw_setup || { notok setup "init failed"; exit 1; }
gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
# A registered client, offline from now on: its inbox fills.
CLIENT=$(gw_register)
[ -n "$CLIENT" ] || { notok "a client registers" "no id"; exit 1; }
KEY=$GW_DIR/keys/x25519_sphinx.pub
GW=127.0.0.1:$GW_MIX

# expect NAME ROLE COUNTER VALUE: ok if the counter equals VALUE
expect() {
	v=$(counter "$2" "$3")
	[ "$v" = "$4" ] && ok "$1" || notok "$1" "$2 $3 = $v, want $4"
}

out=$("$TOOL" -g "$GW" -k "$KEY" -c $CLIENT -N $N -t 20 2>&1)
echo "$out" | sed 's/^/# /'
echo "$out" | grep -q "^acks $N forwarded $N $N $N\$" && \
    ok "$N SURB-acks came back to their first hop over 3 mix nodes" || \
    notok "$N SURB-acks came back to their first hop" "$out"
wait_counter storaged messages_stored $N
expect "mixd unwrapped $N final-hop packets" mixd final_deliveries $N
expect "mixd forwarded $N acks" mixd acks_forwarded $N
expect "storaged stored $N messages" storaged messages_stored $N
expect "the offline client's inbox holds $N messages" storaged \
    inbox_messages $N
expect "one inbox" storaged inbox_clients 1

# Replays: every packet sent twice, straight to the gateway.
out=$("$TOOL" -g "$GW" -k "$KEY" -c $CLIENT -N 10 -R -t 20 2>&1)
echo "$out" | grep -q '^acks 10 ' && \
    ok "replayed packets: only the first copy is acked" || \
    notok "replayed packets: only the first copy is acked" "$out"
wait_counter mixd sphinx_replay 10
expect "10 replays dropped and counted" mixd sphinx_replay 10
expect "replays are not delivered" mixd final_deliveries $((N + 10))

# A key we do not hold: MAC failure; a v8 frame for the odd rotation
# we have no key for: no key.
"$TOOL" -g "$GW" -k "$KEY" -N 5 -d -W -t 5 >/dev/null 2>&1
"$TOOL" -g "$GW" -k "$KEY" -N 5 -d -f 8 -r 1 -a 0 -t 5 >/dev/null 2>&1
wait_counter mixd sphinx_no_key 5
expect "packets for a wrong key are dropped (MAC)" mixd sphinx_mac 5
expect "packets for a rotation without a key are dropped" mixd \
    sphinx_no_key 5
expect "neither is delivered" mixd final_deliveries $((N + 10))

# 1000 garbage packets on one connection and 1000 connections with a bad
# frame header, while a good flow runs on another connection.
out=$("$TOOL" -g "$GW" -k "$KEY" -c $CLIENT -N $N -G 1000 -B 1000 -t 30 \
    2>&1)
echo "$out" | grep -q "^acks $N " && \
    ok "a good flow beside 2000 malformed frames is all acked" || \
    notok "a good flow beside 2000 malformed frames is all acked" "$out"
wait_counter mixd frames_bad_header 1000
expect "1000 garbage packets dropped by MAC" mixd sphinx_mac 1005
expect "1000 bad frame headers counted" mixd frames_bad_header 1000
expect "every good packet delivered" mixd final_deliveries $((N * 2 + 10))
wait_counter storaged inbox_messages $((N * 2 + 10))
expect "and stored" storaged inbox_messages $((N * 2 + 10))
expect "no packet was taken for a forward hop" mixd non_final_dropped 0

pid=$(gw_pid mixd)
[ -n "$pid" ] && kill -0 "$pid" && ok "mixd still runs" || \
    notok "mixd still runs" "$(tail -5 "$GW_LOG")"
gw_stop
[ "$GW_RC" -eq 0 ] && ok "gatewayd stops cleanly" || \
    notok "gatewayd stops cleanly" "rc $GW_RC; $(tail -5 "$GW_LOG")"
t_done
