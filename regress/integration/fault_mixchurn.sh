#!/bin/sh
# Fault: mix peers that connect and vanish in a loop (issue 17 item
# 6.4).  For some seconds, connections to the mix port that send half a
# frame and close, connect and close at once, send part of a frame and
# reset (SO_LINGER 0), or send a whole frame of noise and reset, one
# after another from several loopback addresses.  Meanwhile real
# packets stream in for an online and an offline client: mixd (the same
# process) serves every one of them, nothing acknowledged is lost, and
# once the churn stops mixd holds no more descriptors than before.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

MIXNODE=$TOP/$O/regress/bin/tool_mixnode
WSC=$TOP/$O/regress/bin/tool_wsclient
N=${FAULT_CHURN_PACKETS:-400}
CHURN_SECS=${FAULT_CHURN_SECS:-10}
gw_setup || { notok setup "init failed"; exit 1; }
S=$GW_DIR
gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
A=$(gw_register "$S/a.state")
B=$(gw_register "$S/b.state")
gid=$("$BIN/gatewayctl" -f "$GW_CONF" node-details |
    awk '/^Identity Key:/ {print $3}')
mpid=$(gw_pid mixd)
fds() { ls "/proc/$mpid/fd" 2>/dev/null | wc -l; }
fd0=$(fds)

python3 - "$GW_MIX" "$CHURN_SECS" > "$S/churn.out" 2>&1 <<'PYEOF' &
import os, socket, struct, sys, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
hdr = bytes([7, 1, 0])			# v7, a 2413-byte Sphinx packet
end = time.time() + secs
counts = [0, 0, 0, 0]
i = 0
while time.time() < end and i < 20000:
    kind = i % 4
    src = "127.0.0.%d" % (2 + i % 5)
    i += 1
    try:
        s = socket.socket()
        s.bind((src, 0))
        s.connect(("127.0.0.1", port))
        if kind == 0:			# half a frame, then FIN
            s.sendall(hdr + os.urandom(1200))
        elif kind == 1:			# nothing at all
            pass
        else:				# some or all of a frame, then RST
            s.sendall(hdr + os.urandom(600 if kind == 2 else 2413))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                         struct.pack("ii", 1, 0))
        s.close()
        counts[kind] += 1
        time.sleep(0.001)		# some 500 a second: the whole time
    except OSError:
        time.sleep(0.01)
print("churn half-frame %d connect-close %d partial-rst %d noise-rst %d"
      % tuple(counts))
PYEOF
cpid=$!

# During the churn: A online, B offline, packets in rounds.
"$WSC" -a "127.0.0.1:$GW_WS" -g "$gid" -t 10000 auth -s "$S/a.state" -T \
    -n "$N" -w 20 > "$S/a.out" 2>&1 &
apid=$!
wait_until 20 grep -q '^authenticated' "$S/a.out"
: > "$S/acks"
r=0
while [ $r -lt 4 ]; do
	for c in "$A" "$B"; do
		"$MIXNODE" -d -g "127.0.0.1:$GW_MIX" \
		    -k "$S/keys/x25519_sphinx.pub" -c "$c" -N $((N / 4)) \
		    -o $((r * N / 4)) -a $((N / 4)) \
		    -A "$S/acks.$c" -t 20 >> "$S/mixnode.out" 2>&1
	done
	r=$((r + 1))
done
kill -0 "$cpid" 2>/dev/null && overlap=yes || overlap=no
wait "$cpid"
churn=$(cat "$S/churn.out")
echo "# $churn"
wait "$apid"
: > "$S/b.out"
gw_fetch "$S/b.state" "$S/b.out"
set -- $(acked_lost "$S/acks.$A" "$S/a.out")
aa=$1 ar=$2 al=$3
set -- $(acked_lost "$S/acks.$B" "$S/b.out")
ba=$1 br=$2 bl=$3
if [ "$aa" -eq "$N" ] && [ "$ba" -eq "$N" ] && [ "$al" -eq 0 ] &&
    [ "$bl" -eq 0 ]; then
	ok "real packets served through the churn: online $aa acked/$ar received, offline $ba acked/$br fetched, 0 lost"
else
	notok "real packets are served through the churn" \
	    "online acked $aa received $ar lost $al; offline acked $ba received $br lost $bl"
fi
set -- $churn
[ "${3:-0}" -gt 50 ] && [ "${5:-0}" -gt 50 ] && [ "${7:-0}" -gt 50 ] &&
    [ "${9:-0}" -gt 50 ] && [ $overlap = yes ] &&
    ok "the churn ran, past the last real packet ($churn)" ||
    notok "the churn ran past the last real packet" "$churn; overlap $overlap"
[ "$(gw_pid mixd)" = "$mpid" ] && ! grep -q 'lost child' "$GW_LOG" &&
    ok "mixd survived the churn (pid $mpid)" ||
    notok "mixd survived the churn" "$(tail -5 "$GW_LOG")"
# Half frames wait out mix_read_timeout (30 s) at most; resets and
# closes are gone at once.  Allow a few for tool_mixnode's own.
fd_ok() { [ "$(fds)" -le $((fd0 + 4)) ]; }
wait_until 40 fd_ok && ok "mixd's descriptors are back ($fd0 before, $(fds) after)" ||
    notok "mixd's descriptors are back" "$fd0 before, $(fds) after"
gw_stop
[ "$GW_RC" -eq 0 ] && ok "the daemon stops cleanly" ||
    notok "the daemon stops cleanly" "exit $GW_RC; $(tail -3 "$GW_LOG")"
t_done
