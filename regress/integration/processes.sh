#!/bin/sh
# A started gatewayd: seven processes named by role, each worker
# sandboxed (Seccomp 2, NoNewPrivs 1), as root running as its own
# unprivileged user with mixd, clientd, apid and verlocd chrooted; each
# listener held by its one worker (the node HTTP API by apid, not by
# clientd, which holds the session keys; verloc by verlocd); gatewayctl
# status -j is JSON; SIGTERM leaves nothing behind.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

gw_setup || { notok setup "gatewayctl init failed"; exit 1; }
if ! gw_start; then
	notok start "gatewayd did not start"; cat "$GW_LOG"; exit 1
fi
ok "gatewayd starts on loopback"

n=$(gw_all_pids | wc -l)
[ "$n" -eq 6 ] && ok "master has exactly 6 workers" || \
    notok "master has exactly 6 workers" "found $n children"
[ "$(cat /proc/$GW_PID/comm)" = gatewayd ] && ok "master is named gatewayd" \
    || notok "master is named gatewayd" "$(cat /proc/$GW_PID/comm)"

for role in mixd clientd credd storaged apid verlocd; do
	pid=$(gw_pid $role) || { notok "$role running" "no process"; continue; }
	ok "$role running as its own process"
	sc=$(gw_status_field "$pid" Seccomp)
	nnp=$(gw_status_field "$pid" NoNewPrivs)
	[ "$sc" = 2 ] && ok "$role Seccomp: 2" || notok "$role Seccomp: 2" "got $sc"
	[ "$nnp" = 1 ] && ok "$role NoNewPrivs: 1" || \
	    notok "$role NoNewPrivs: 1" "got $nnp"
	if [ "$(id -u)" -eq 0 ]; then
		uid=$(gw_status_field "$pid" Uid)
		user=_gatewayd; [ $role = storaged ] && user=_gatewayd-db
		want=$(id -u $user)
		[ "$uid" = "$want" ] && ok "$role runs as $user" || \
		    notok "$role runs as $user" "uid $uid, want $want"
		cap=$(gw_status_field "$pid" CapEff)
		[ "$cap" = 0000000000000000 ] && ok "$role has no capabilities" \
		    || notok "$role has no capabilities" "CapEff $cap"
		root=$(readlink /proc/$pid/root)
		case $role in
		mixd|clientd|apid|verlocd) want=$GW_DIR/empty ;;
		storaged) want=$GW_DIR/data ;;
		credd) want=/ ;;
		esac
		[ "$root" = "$want" ] && ok "$role root is $want" || \
		    notok "$role root is $want" "root $root"
	fi
done
if [ "$(id -u)" -ne 0 ]; then
	skip "workers run as unprivileged users" "not root: development mode"
fi

# mixd's unwrap threads (mixnet.sphinx_threads 0: one per CPU it may
# use; fewer than two: none), each under the same filter as its loop:
# the filter went on with TSYNC after they started.
pid=$(gw_pid mixd)
cpus=$(taskset -pc "$pid" 2>/dev/null | sed 's/.*: //' | python3 -c '
import sys
n = 0
for part in sys.stdin.read().strip().split(","):
    a, _, b = part.partition("-")
    n += int(b or a) - int(a) + 1
print(n)')
want=1; [ "${cpus:-1}" -ge 2 ] && want=$((cpus + 1))
got=$(ls /proc/"$pid"/task | wc -l)
[ "$got" -eq "$want" ] && ok "mixd runs $want threads on $cpus CPUs" || \
    notok "mixd runs $want threads on $cpus CPUs" "found $got"
bad=""
for role in mixd clientd credd storaged apid verlocd; do
	p=$(gw_pid $role) || continue
	for t in /proc/"$p"/task/*; do
		[ "$(awk '/^Seccomp:/ { print $2 }' "$t/status")" = 2 ] ||
		    bad="$bad $role/${t##*/}"
	done
done
[ -z "$bad" ] && ok "every thread of every worker has Seccomp: 2" || \
    notok "every thread of every worker has Seccomp: 2" "not:$bad"

# Who can talk to whom, read off the kernel: every UNIX socket of a
# process, its peer's inode (ss -x), the process holding that inode.
# The channels must be exactly ARCHITECTURE.md's; in particular no mixd
# descriptor reaches storaged (clientd is the one decider).
pairs=$(for role in gatewayd mixd clientd credd storaged apid verlocd; do
	if [ $role = gatewayd ]; then pid=$GW_PID; else pid=$(gw_pid $role); fi
	echo "$role $pid"
done | python3 -c '
import os, re, subprocess, sys
procs = dict(l.split() for l in sys.stdin if l.strip())
owner = {}
for role, pid in procs.items():
    for fd in os.listdir("/proc/%s/fd" % pid):
        try:
            t = os.readlink("/proc/%s/fd/%s" % (pid, fd))
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", t)
        if m:
            owner[m.group(1)] = role
peer = {}
for line in subprocess.run(["ss", "-xan"], capture_output=True,
                           text=True).stdout.splitlines()[1:]:
    f = line.split()
    if len(f) >= 8:
        peer[f[5]] = f[7]
links = set()
for ino, role in owner.items():
    other = owner.get(peer.get(ino, ""))
    if other and other != role:
        links.add(" ".join(sorted((role, other))))
print(" | ".join(sorted(links)))')
want="apid gatewayd | clientd credd | clientd gatewayd | clientd mixd | clientd storaged | credd gatewayd | credd mixd | credd storaged | gatewayd mixd | gatewayd storaged | gatewayd verlocd"
[ "$pairs" = "$want" ] &&
    ok "the channels are exactly the designed ones; no mixd descriptor reaches storaged; apid and verlocd reach only the master" ||
    notok "the channels are exactly the designed ones" "found: $pairs"

out=$("$BIN/gatewayctl" -j -s "$GW_SOCK" status)
if echo "$out" | python3 -c '
import json, sys
d = json.load(sys.stdin)
roles = sorted(p["role"] for p in d["processes"])
assert roles == ["apid", "clientd", "credd", "gatewayd", "mixd",
                 "storaged", "verlocd"], roles
for p in d["processes"]:
    assert p["pid"] > 0 and p["uptime_s"] >= 0
    assert p["role"] == "gatewayd" or p["sandboxed"] is True, p
'; then
	ok "gatewayctl status -j parses as JSON with all 7 processes"
else
	notok "gatewayctl status -j parses as JSON with all 7 processes" "$out"
fi
# Each listening socket, read off the kernel (ss -ltnp): the process
# holding it.  The node API's port is apid's alone.
holders() {	# port
	ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' |
	    cut -d= -f2 | sort -u | while read -r p; do
		cat /proc/$p/comm 2>/dev/null
	done | sort -u | tr '\n' ' '
}
h_http=$(holders $GW_HTTP) h_ws=$(holders $GW_WS) h_mix=$(holders $GW_MIX)
h_verloc=$(holders $GW_VERLOC)
[ "$h_http" = "apid " ] && [ "$h_ws" = "clientd " ] && [ "$h_mix" = "mixd " ] &&
    [ "$h_verloc" = "verlocd " ] &&
    ok "ss -ltnp: the HTTP API port is held by apid alone, verloc by verlocd, not clientd or mixd; clients by clientd; mix by mixd" ||
    notok "ss -ltnp: each listener held by its one worker" \
    "http: $h_http; ws: $h_ws; mix: $h_mix; verloc: $h_verloc"

"$BIN/gatewayctl" -s "$GW_SOCK" status | grep -q '^mixd ' && \
    ok "gatewayctl status (text) lists mixd" || \
    notok "gatewayctl status (text) lists mixd" "no mixd line"

# A second gatewayd with the same control socket refuses to start.
"$BIN/gatewayd" -d -f "$GW_CONF" > "$GW_DIR/second.log" 2>&1
rc=$?
[ $rc -ne 0 ] && grep -q 'already running' "$GW_DIR/second.log" && \
    ok "a second instance refuses to start" || \
    notok "a second instance refuses to start" "rc $rc"

pids="$GW_PID $(gw_all_pids)"
gw_stop
[ "$GW_RC" -eq 0 ] && ok "SIGTERM: master exits 0" || \
    notok "SIGTERM: master exits 0" "exit $GW_RC"
left=
for p in $pids; do [ -d /proc/$p ] && left="$left $p"; done
[ -z "$left" ] && ok "SIGTERM leaves no process behind" || \
    notok "SIGTERM leaves no process behind" "left:$left"
[ ! -e "$GW_SOCK" ] && ok "control socket removed on exit" || \
    notok "control socket removed on exit" "$GW_SOCK exists"
GW_PID=
t_done
