#!/bin/sh
# storaged's durability and bounds (issue 4): kill -9 with stores in
# flight loses nothing acknowledged and duplicates nothing; a full map
# and a corrupt data file give clear errors, not crashes; only storaged
# holds the database open.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

TOOL=$TOP/$O/regress/bin/tool_storaged
gw_users
D=$(mktemp -d /tmp/gwstore.XXXXXX)
chmod 755 "$D"
trap 'rm -rf "$D"; gw_cleanup' EXIT

"$TOOL" "$BIN/storaged" "$D/crash" crash 20000 50
"$TOOL" "$BIN/storaged" "$D/full" full 1048576 2>"$D/full.log"
grep -q "is 80% full" "$D/full.log" && ok "a filling map is warned about" || \
    notok "a filling map is warned about" "$(cat "$D/full.log")"

"$TOOL" "$BIN/storaged" "$D/corrupt" open >/dev/null 2>&1
dd if=/dev/urandom of="$D/corrupt/db/data.mdb" bs=4096 count=4 \
    conv=notrunc 2>/dev/null
out=$("$TOOL" "$BIN/storaged" "$D/corrupt" open 2>&1)
if echo "$out" | grep -q 'did not start' &&
    echo "$out" | grep -q "database $D/corrupt/db/data.mdb: MDB_INVALID" &&
    echo "$out" | grep -q "move $D/corrupt/db aside"; then
	ok "a corrupt data file stops storaged naming the file and the fix"
else
	notok "a corrupt data file stops storaged naming the file and the fix" \
	    "$out"
fi

# The whole daemon.
gw_setup || { notok setup "init failed"; exit 1; }
gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
holders=
for fd in /proc/[0-9]*/fd/*; do
	case "$(readlink "$fd" 2>/dev/null)" in
	*"$GW_DIR"/data/db/data.mdb)
		p=${fd#/proc/}; p=${p%%/*}
		holders="$holders $(cat /proc/$p/comm)" ;;
	esac
done
holders=$(echo $holders | tr ' ' '\n' | sort -u | tr '\n' ' ')
[ "$holders" = "storaged " ] && ok "only storaged has data.mdb open" || \
    notok "only storaged has data.mdb open" "held by: $holders"
owner=$(stat -c %U "$GW_DIR/data/db/data.mdb" 2>/dev/null)
if [ "$(id -u)" -eq 0 ]; then
	[ "$owner" = _gatewayd-db ] && ok "data.mdb belongs to the storage user" \
	    || notok "data.mdb belongs to the storage user" "owner $owner"
fi
gw_stop
dd if=/dev/urandom of="$GW_DIR/data/db/data.mdb" bs=4096 count=4 \
    conv=notrunc 2>/dev/null
"$BIN/gatewayd" -d -f "$GW_CONF" > "$GW_LOG" 2>&1 &
GW_PID=$!
wait_until 15 sh -c "! kill -0 $GW_PID 2>/dev/null"
wait $GW_PID
rc=$?
[ $rc -ne 0 ] && grep -q "cannot open the database $GW_DIR/data/db/data.mdb" \
    "$GW_LOG" && grep -q 'lost child: storaged' "$GW_LOG" && \
    ok "gatewayd with a corrupt database exits $rc with a clear message" || \
    notok "gatewayd with a corrupt database exits non-zero, clearly" \
    "rc $rc; $(tail -3 "$GW_LOG")"
GW_PID=
t_done
