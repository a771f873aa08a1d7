#!/bin/sh
# nym-node's statistics routes from a running gatewayd: load,
# packets-stats, mixing and sessions answer JSON objects of nym-node's
# shape (regress/vectors/nym-node-stats), and a client session that
# sent RememberMe is counted with its type and duration once its day is
# over (a test day of 3 s: GW_TEST_CLIENTD_DAY_S).
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

PY=/usr/bin/python3
WS="$TOP/$O/regress/bin/tool_wsclient"
gw_setup || { notok setup "init failed"; exit 1; }
GW_TEST_CLIENTD_DAY_S=3 gw_start ||
	{ notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }

shape() {	# route fixture: ok if the answer has the fixture's shape
	$PY - "$GW_HTTP" "$1" "$TOP/regress/vectors/nym-node-stats/$2" <<'PY'
import json, sys, urllib.request
def same(w, g, at):
    if isinstance(w, bool) or isinstance(g, bool):
        assert type(w) == type(g), at
    elif isinstance(w, (int, float)):
        assert isinstance(g, (int, float)) and not isinstance(g, bool), at
    else:
        assert type(w) == type(g), "%s: %r" % (at, g)
    if isinstance(w, dict):
        assert set(w) == set(g), "%s: %s" % (at, sorted(set(w) ^ set(g)))
        for k in w:
            same(w[k], g[k], at + "." + k)
    if isinstance(w, list) and w:
        for i, x in enumerate(g):
            same(w[0], x, "%s[%d]" % (at, i))
with urllib.request.urlopen("http://127.0.0.1:%s%s" % (sys.argv[1],
    sys.argv[2]), timeout=5) as r:
    got = json.loads(r.read())
same(json.load(open(sys.argv[3])), got, sys.argv[2])
PY
}
for r in "load load.json" "metrics/packets-stats packets-stats.json" \
    "metrics/mixing mixing.json" "metrics/sessions sessions.json"; do
	set -- $r
	if out=$(shape "/api/v1/$1" "$2" 2>&1); then
		ok "/api/v1/$1: nym-node's fields and types"
	else
		notok "/api/v1/$1: nym-node's fields and types" "$(echo "$out" | tail -1)"
	fi
done
tier=$($PY -c "import json,urllib.request; print(json.load(urllib.request.urlopen('http://127.0.0.1:$GW_HTTP/api/v1/load'))['machine'])")
if grep -qx "$tier" "$TOP/regress/vectors/nym-node-stats/load-tiers.txt"; then
	ok "/api/v1/load: a tier of nym-node's ($tier)"
else
	notok "/api/v1/load: a tier of nym-node's" "$tier"
fi

# Two clients: one remembered as Vpn for 1.5 s, one with a type nym
# does not know; a third that never says RememberMe is not listed.
GID=$("$BIN/gatewayctl" -f "$GW_CONF" node-details | awk '/^Identity Key:/ {print $3}')
for n in 1 2 3; do
	"$WS" -a "127.0.0.1:$GW_WS" -g "$GID" register -s "$GW_DIR/c$n" \
	    >/dev/null 2>&1 || notok "register client $n" "failed"
done
"$WS" -a "127.0.0.1:$GW_WS" -g "$GID" remember -s "$GW_DIR/c1" -t Vpn \
    -H 1500 > "$GW_DIR/r1" 2>&1 &
r1=$!
"$WS" -a "127.0.0.1:$GW_WS" -g "$GID" remember -s "$GW_DIR/c2" \
    -t Quantum > "$GW_DIR/r2" 2>&1
"$WS" -a "127.0.0.1:$GW_WS" -g "$GID" auth -s "$GW_DIR/c3" \
    > /dev/null 2>&1
wait $r1
if grep -q '^reply {"RememberMeAck":{}}' "$GW_DIR/r1" &&
    grep -q '^reply {"RememberMeAck":{}}' "$GW_DIR/r2"; then
	ok "RememberMe: acknowledged"
else
	notok "RememberMe: acknowledged" "$(cat "$GW_DIR/r1" "$GW_DIR/r2")"
fi

# The route shows the last day that is over; days of 3 s pass quickly,
# so every day seen is kept and the sessions are summed over them.
: > "$GW_DIR/days"
i=0
while [ $i -lt 40 ]; do
	curl -s "http://127.0.0.1:$GW_HTTP/api/v1/metrics/sessions" >> "$GW_DIR/days"
	echo >> "$GW_DIR/days"
	sleep 0.25
	i=$((i + 1))
done
got=$($PY - "$GW_DIR/days" <<'PY'
import json, sys
days = {}
for line in open(sys.argv[1]):
    if line.strip():
        j = json.loads(line)
        days[j["update_time"]] = j
fin = sum(d["sessions_finished"] for d in days.values())
users = sum(d["unique_active_users"] for d in days.values())
started = sum(d["sessions_started"] for d in days.values())
# c1 stayed 1.5 s after its RememberMe; c2 left at once.
types = sorted("%s:%s" % (s["typ"], "long" if s["duration_ms"] >= 1400
               else "short") for d in days.values() for s in d["sessions"])
print(fin, users, "started>=3" if started >= 3 else started, " ".join(types))
PY
)
if [ "$got" = "2 2 started>=3 Unknown:short Vpn:long" ]; then
	ok "sessions: the day's remembered sessions with type and duration"
else
	notok "sessions: the day's remembered sessions with type and duration" "$got"
fi
gw_stop
t_done
