#!/bin/sh
# Fault: a slow disk (issue 17 item 6.2).  Every storaged commit sleeps
# 400 ms (a test hook), four times the ack delay.  Mail for an offline
# client streams in: no SURB-ack may leave before its message is
# committed, so at every moment the acks that reached the first hop are
# at most the messages storaged has acknowledged; they leave late
# (acks_late) rather than on time; and every acknowledged message is
# then delivered, to an online client and from the inbox.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

MIXNODE=$TOP/$O/regress/bin/tool_mixnode
WSC=$TOP/$O/regress/bin/tool_wsclient
N=${FAULT_SLOWDISK_PACKETS:-1000}
gw_setup || { notok setup "init failed"; exit 1; }
S=$GW_DIR
GW_TEST_STORAGED_COMMIT_MS=400 gw_start ||
    { notok "daemon starts with slow commits" "$(tail -5 "$GW_LOG")"; exit 1; }
grep -q 'test hook: every commit sleeps 400 ms' "$GW_LOG" ||
    { notok "storaged's slow-commit hook" "not in the log"; exit 1; }
# Registration commits too, slowly.
A=$(gw_register "$S/a.state")
B=$(gw_register "$S/b.state")
[ -n "$A" ] && [ -n "$B" ] || { notok "clients register with the disk slow" \
    "$(tail -5 "$GW_LOG")"; exit 1; }
gid=$("$BIN/gatewayctl" -f "$GW_CONF" node-details |
    awk '/^Identity Key:/ {print $3}')
lines() { [ -f "$1" ] && wc -l < "$1" || echo 0; }

# Packets are spread over 10 s, so commits and acks interleave.
: > "$S/acks"
(
	i=0
	while [ $i -lt 10 ]; do
		"$MIXNODE" -d -g "127.0.0.1:$GW_MIX" \
		    -k "$S/keys/x25519_sphinx.pub" -c "$A" -N $((N / 10)) \
		    -o $((i * N / 10)) -a 0 -A "$S/acks" -t 5 >/dev/null 2>&1
		i=$((i + 1))
		sleep 1
	done
) &
spid=$!
# Acks read first, committed stores second: an ack can only follow
# its commit, so the first figure may never pass the second.
bad= samples=0
while kill -0 "$spid" 2>/dev/null; do
	a=$(lines "$S/acks")
	c=$(counter storaged messages_acked)
	samples=$((samples + 1))
	[ "$a" -gt "$c" ] && bad="$bad $a>$c"
	sleep 0.3
done
wait "$spid"
[ -z "$bad" ] && [ "$samples" -ge 5 ] &&
    ok "no ack before its commit ($samples samples of acks <= committed)" ||
    notok "no ack before its commit" "samples $samples, acks > committed:$bad"
# The last acks trail the last commit.
wait_until 20 sh -c "[ \$(wc -l < '$S/acks') -ge $N ]"
got=$(lines "$S/acks")
late=$(counter mixd acks_late)
[ "$got" -eq "$N" ] && [ "$late" -gt 0 ] &&
    ok "all $N stored and acked, late ($late acks waited for a commit past the delay)" ||
    notok "every message is stored and acked, late" \
    "$got of $N acks, acks_late $late"

# An online client while the disk is slow: its pushes are written at once.
"$WSC" -a "127.0.0.1:$GW_WS" -g "$gid" -t 15000 auth -s "$S/b.state" -T \
    -n 50 -w 15 > "$S/b.out" 2>&1 &
bpid=$!
wait_until 30 grep -q '^authenticated' "$S/b.out"
"$MIXNODE" -d -g "127.0.0.1:$GW_MIX" -k "$S/keys/x25519_sphinx.pub" \
    -c "$B" -N 50 -o 500000 -a 50 -A "$S/acksb" -t 20 >/dev/null 2>&1
wait "$bpid"
set -- $(acked_lost "$S/acksb" "$S/b.out")
[ "$1" -eq 50 ] && [ "$3" -eq 0 ] &&
    ok "an online client is served with the disk slow (50 acked, $2 received)" ||
    notok "an online client is served with the disk slow" \
    "acked $1 received $2 lost $3"

: > "$S/a.out"
gw_fetch "$S/a.state" "$S/a.out"
set -- $(acked_lost "$S/acks" "$S/a.out")
[ "$1" -eq "$N" ] && [ "$3" -eq 0 ] &&
    ok "the inbox is delivered whole: $1 acked, $2 received, 0 lost" ||
    notok "nothing acknowledged is lost with the disk slow" \
    "acked $1 received $2 lost $3"
gw_stop
[ "$GW_RC" -eq 0 ] && ok "the daemon stops cleanly" ||
    notok "the daemon stops cleanly" "exit $GW_RC; $(tail -3 "$GW_LOG")"
t_done
