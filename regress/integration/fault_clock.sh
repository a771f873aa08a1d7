#!/bin/sh
# Fault: the wall clock steps forward and back (issue 17 item 6.5).
# Test builds read a steppable wall clock (common/testclock.h:
# GW_TEST_CLOCK_STEPS, passed to every process), so no libfaketime and
# the machine's clock untouched.  While the daemon runs its clock
# jumps 110 s ahead, then 110 s behind, then back to true: within
# authenticateV2's 120 s skew, but past a 60 s inbox retention, so a
# clock that ages messages by the wall clock would purge mail younger
# than the retention.  In each phase clientd's clock is seen to have
# moved (a skewed authentication is refused naming the server time), an
# online client gets its pushes, and offline mail survives the steps:
# nothing acknowledged is lost.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

MIXNODE=$TOP/$O/regress/bin/tool_mixnode
WSC=$TOP/$O/regress/bin/tool_wsclient
STEP=110
PHASE=10
gw_setup || { notok setup "init failed"; exit 1; }
S=$GW_DIR
sed -i -e 's/inbox_retention: .*/inbox_retention: 60s/' "$GW_CONF"
grep -q 'inbox_retention: 60s' "$GW_CONF" ||
    { notok setup "no inbox_retention in the config"; exit 1; }
T0=$(date +%s)
A=$((T0 + 12)) B=$((T0 + 12 + PHASE)) C=$((T0 + 12 + 2 * PHASE))
GW_TEST_CLOCK_STEPS="$A:$STEP,$B:-$STEP,$C:0" gw_start ||
    { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
X=$(gw_register "$S/x.state")
Y=$(gw_register "$S/y.state")
Z=$(gw_register "$S/z.state")
gid=$("$BIN/gatewayctl" -f "$GW_CONF" node-details |
    awk '/^Identity Key:/ {print $3}')
until_t() { while [ "$(date +%s)" -lt "$1" ]; do sleep 0.2; done; }
mix() {	# CLIENT COUNT FIRST ACKFILE
	"$MIXNODE" -d -g "127.0.0.1:$GW_MIX" -k "$S/keys/x25519_sphinx.pub" \
	    -c "$1" -N "$2" -o "$3" -a "$2" -A "$4" -t 20 >/dev/null 2>&1
}
# offset: clientd's clock less ours, from the refusal of an
# authenticateV2 stamped 1000 s in the past.
offset() {
	"$WSC" -a "127.0.0.1:$GW_WS" raw -S "$S/z.state" auth-ts:-1000 \
	    2>/dev/null | python3 -c '
import re, sys, time
m = re.search(r"server time is (\d+)", sys.stdin.read())
print(int(m.group(1)) - int(time.time()) if m else "none")'
}
near() { [ "$1" != none ] && [ "$1" -ge $(($2 - 3)) ] && [ "$1" -le $(($2 + 3)) ]; }

# Y stays online through every step.
"$WSC" -a "127.0.0.1:$GW_WS" -g "$gid" -t 10000 auth -s "$S/y.state" -T \
    -n 90 -w 60 > "$S/y.out" 2>&1 &
ypid=$!
wait_until 20 grep -q '^authenticated' "$S/y.out"
# Before any step: mail for X, offline.
mix "$X" 100 0 "$S/acks0"
mix "$Y" 30 1000 "$S/acksy"
[ "$(date +%s)" -lt "$A" ] || notok "setup" "too slow: the first step came early"

until_t $((A + 1))
o=$(offset)
near "$o" $STEP && ok "clock $STEP s ahead: clientd reads it ($o s)" ||
    notok "clock ahead: clientd reads it" "offset $o"
mix "$Y" 30 2000 "$S/acksy"
# A purge runs every 6 s (a tenth of the retention): let one pass.
until_t $((A + 8))
: > "$S/x0.out"
gw_fetch "$S/x.state" "$S/x0.out"
set -- $(acked_lost "$S/acks0" "$S/x0.out")
[ "$1" -eq 100 ] && [ "$3" -eq 0 ] &&
    ok "clock ahead: mail stored before the step is kept ($1 acked, $2 fetched)" ||
    notok "clock ahead: mail stored before the step is kept" \
    "acked $1 received $2 lost $3; purged $(counter storaged messages_purged)"

until_t $((B + 1))
o=$(offset)
near "$o" -$STEP && ok "clock $STEP s behind: clientd reads it ($o s)" ||
    notok "clock behind: clientd reads it" "offset $o"
mix "$X" 100 3000 "$S/acksb"
mix "$Y" 30 4000 "$S/acksy"

until_t $((C + 1))
o=$(offset)
near "$o" 0 && ok "clock true again: clientd reads it ($o s)" ||
    notok "clock true again: clientd reads it" "offset $o"
until_t $((C + 8))
: > "$S/xb.out"
gw_fetch "$S/x.state" "$S/xb.out"
set -- $(acked_lost "$S/acksb" "$S/xb.out")
[ "$1" -eq 100 ] && [ "$3" -eq 0 ] &&
    ok "clock true again: mail stored while it was behind is kept ($1 acked, $2 fetched)" ||
    notok "clock back: mail stored while it was behind is kept" \
    "acked $1 received $2 lost $3; purged $(counter storaged messages_purged)"
wait "$ypid"
set -- $(acked_lost "$S/acksy" "$S/y.out")
[ "$1" -eq 90 ] && [ "$3" -eq 0 ] &&
    ok "an online client is served through the steps ($1 acked, $2 received)" ||
    notok "an online client is served through the steps" \
    "acked $1 received $2 lost $3"
kill -0 "$GW_PID" 2>/dev/null && ! grep -q 'lost child' "$GW_LOG" &&
    ok "the daemon ran throughout" || notok "the daemon ran throughout" \
    "$(tail -5 "$GW_LOG")"
# Retention still applies, by the wall clock across a restart: mail
# left behind, and the daemon back 120 s later by its clock, purges it.
mix "$X" 10 5000 "$S/acksr"
gw_stop
rm -f "$GW_SOCK"
GW_TEST_CLOCK_STEPS="0:120" gw_start ||
    { notok "daemon restarts" "$(tail -5 "$GW_LOG")"; exit 1; }
wait_until 20 counter_ge storaged messages_purged 10 &&
    counter_is storaged inbox_messages 0 &&
    ok "mail older than the retention is purged (10 after a restart 120 s on)" ||
    notok "mail older than the retention is purged" \
    "purged $(counter storaged messages_purged), left $(counter storaged inbox_messages)"
gw_stop
t_done
