# Start and stop a gatewayd for one test (sourced after testlib.sh).
#   gw_setup          temp dir with a dev config on free loopback ports
#   gw_start [args]   start gatewayd -d in the background, wait for it
#   gw_stop           SIGTERM and wait
#   gw_pids ROLE      pid of a worker (by /proc comm), children of master
#   counter ROLE NAME one counter of a running gatewayd (and _is, _ge)
# Users _gatewayd and _gatewayd-db are created when running as root.

gw_users() {
	[ "$(id -u)" -eq 0 ] || return 0
	for u in _gatewayd _gatewayd-db; do
		id -u "$u" >/dev/null 2>&1 || useradd --system \
		    --no-create-home --home-dir /nonexistent \
		    --shell /usr/sbin/nologin "$u" || return 1
	done
}

# A block of 10 free ports below Linux's ephemeral range (32768 up),
# where outgoing connections take their local ports; checked free.
gw_ports() {
	_b=$((10000 + ($$ % 2200) * 10))
	_tries=0
	while [ $_tries -lt 50 ]; do
		if ! ss -Htln 2>/dev/null | awk '{print $4}' |
		    grep -Eq ":($_b|$((_b + 1))|$((_b + 2))|$((_b + 3))|$((_b + 4))|$((_b + 5))|$((_b + 6)))\$"
		then
			echo $_b
			return 0
		fi
		_b=$((_b + 10))
		[ $_b -ge 32000 ] && _b=10000
		_tries=$((_tries + 1))
	done
	echo $_b
}

gw_setup() {
	gw_users
	GW_DIR=$(mktemp -d /tmp/gwtest.XXXXXX)
	chmod 755 "$GW_DIR"
	base=$(gw_ports)
	GW_WS=$base GW_MIX=$((base + 1)) GW_HTTP=$((base + 2))
	# base + 3..5 are the tests' own (stubs, peers, a port nobody
	# listens on): verloc takes the block's next checked-free port.
	GW_VERLOC=$((base + 6))
	"$BIN/gatewayctl" init -D "$GW_DIR" >/dev/null || return 1
	GW_CONF=$GW_DIR/gatewayd.yaml
	# Quoted whole values: a new port must not match the next rule
	# (a block at 17890 once became "178910").
	sed -i -e "s/\"127\.0\.0\.1:9000\"/\"127.0.0.1:$GW_WS\"/" \
	    -e "s/\"127\.0\.0\.1:1789\"/\"127.0.0.1:$GW_MIX\"/" \
	    -e "s/\"127\.0\.0\.1:8080\"/\"127.0.0.1:$GW_HTTP\"/" \
	    -e "s/\"127\.0\.0\.1:1790\"/\"127.0.0.1:$GW_VERLOC\"/" "$GW_CONF"
	GW_SOCK=$GW_DIR/gatewayd.sock
	GW_LOG=$GW_DIR/gatewayd.log
	trap gw_cleanup EXIT
}

gw_cleanup() {
	[ -n "${GW_PID:-}" ] && kill -KILL "$GW_PID" 2>/dev/null
	for p in $(gw_all_pids); do kill -KILL "$p" 2>/dev/null; done
	[ -n "${GW_DIR:-}" ] && rm -rf "$GW_DIR"
}

gw_start() {
	"$BIN/gatewayd" -d "$@" -f "$GW_CONF" > "$GW_LOG" 2>&1 &
	GW_PID=$!
	wait_until 20 grep -q 'startup' "$GW_LOG"
}

# gw_register [STATE]: register a new client with the running gatewayd
# (its key file STATE, default $GW_DIR/client.state); prints its 32-byte
# identity in hex, as tool_mixnode -c takes it.  Mail for clients never
# registered is dropped, so tests that fill an inbox register first.
gw_register() {
	_st=${1:-$GW_DIR/client.state}
	_gid=$("$BIN/gatewayctl" -f "$GW_CONF" node-details |
	    awk '/^Identity Key:/ {print $3}')
	"$TOP/$O/regress/bin/tool_wsclient" -a "127.0.0.1:$GW_WS" -g "$_gid" \
	    register -s "$_st" 2>/dev/null | awk '$1 == "client" {print $2}'
}

gw_stop() {
	kill -TERM "$GW_PID" 2>/dev/null
	wait "$GW_PID" 2>/dev/null
	GW_RC=$?
}

# Worker pid by name: children of the master only.
gw_pid() {
	for c in /proc/[0-9]*; do
		[ "$(cat "$c/comm" 2>/dev/null)" = "$1" ] || continue
		ppid=$(awk '/^PPid:/ {print $2}' "$c/status" 2>/dev/null)
		[ "$ppid" = "$GW_PID" ] && { echo "${c#/proc/}"; return 0; }
	done
	return 1
}

gw_all_pids() {
	[ -n "${GW_PID:-}" ] || return 0
	for c in /proc/[0-9]*; do
		ppid=$(awk '/^PPid:/ {print $2}' "$c/status" 2>/dev/null)
		[ "$ppid" = "$GW_PID" ] && echo "${c#/proc/}"
	done
}

gw_status_field() {	# pid field
	awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"
}

# counter ROLE NAME: one counter from gatewayctl status; 0 if the
# process has no such counter, -1 if the daemon or the role is not there.
counter() {
	"$BIN/gatewayctl" -j -s "$GW_SOCK" status 2>/dev/null | python3 -c '
import json, sys
try:
    d = json.load(sys.stdin)
except ValueError:
    print(-1); sys.exit()
for p in d["processes"]:
    if p["role"] == sys.argv[1]:
        print(p["counters"].get(sys.argv[2], 0)); break
else:
    print(-1)' "$1" "$2"
}
counter_is() { [ "$(counter "$1" "$2")" -eq "$3" ]; }
counter_ge() { [ "$(counter "$1" "$2")" -ge "$3" ]; }
# wait_counter ROLE NAME VALUE: until the counter reaches VALUE (10 s)
wait_counter() { wait_until 10 counter_ge "$@"; }

# stub_start DIR N [CERT KEY]: the stub nym-api (regress/lib/stub_nymapi.py)
# on N loopback ports (HTTPS with CERT and KEY), its log in DIR/stub.log;
# sets STUB_PID and STUB_PORTS, or reports "not ok" and exits.
STUB="python3 $TOP/regress/lib/stub_nymapi.py"
stub_start() {
	_sd=$1; shift
	$STUB serve "$1" "$_sd/ports" ${2:+"$2"} ${3:+"$3"} \
	    2>"$_sd/stub.log" &
	STUB_PID=$!
	wait_until 10 test -s "$_sd/ports" || {
		notok "stub nym-api starts" "$(cat "$_sd/stub.log")"; exit 1; }
	STUB_PORTS=$(cat "$_sd/ports")
}

# gw_fetch STATE OUT [MAX]: authenticate as STATE's client and append
# the messages it is pushed ("msg TEXT") to OUT until its inbox is
# empty (five tries: a busy machine may cut one drain short).
gw_fetch() {
	_gid=$("$BIN/gatewayctl" -f "$GW_CONF" node-details |
	    awk '/^Identity Key:/ {print $3}')
	_tries=0
	while [ $_tries -lt 5 ]; do
		"$TOP/$O/regress/bin/tool_wsclient" -a "127.0.0.1:$GW_WS" \
		    -g "$_gid" -t 10000 auth -s "$1" -T -n "${3:-100000}" -w 3 \
		    >> "$2" 2>&1
		counter_is storaged inbox_messages 0 && return 0
		_tries=$((_tries + 1))
	done
	return 1
}

# acked_lost ACKS GOT...: "acked received lost" for tool_mixnode's ack
# log (-A) and tool_wsclient -T outputs: lost = acked, never received.
acked_lost() {
	python3 - "$@" <<'PYEOF'
import re, sys
acked = set()
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) == 2 and f[0] == "ack":
        acked.add(int(f[1]))
got = set()
for path in sys.argv[2:]:
    for line in open(path):
        m = re.match(r"msg tool_mixnode message (\d+)", line)
        if m:
            got.add(int(m.group(1)))
print(len(acked), len(got), len(acked - got))
PYEOF
}
