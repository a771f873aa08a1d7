#!/bin/sh
# A worker that makes a system call outside its allowlist is killed by
# the kernel, and the master exits non-zero naming the worker.  Uses the
# test-build-only hook (GW_TEST_HOOKS) behind gatewayctl test-sandbox.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

for role in mixd clientd credd storaged; do
	gw_setup || { notok "$role setup" "init failed"; continue; }
	if ! gw_start; then
		notok "$role: daemon starts" "$(tail -3 "$GW_LOG")"
		gw_cleanup; continue
	fi
	pid=$(gw_pid $role)
	"$BIN/gatewayctl" -s "$GW_SOCK" test-sandbox $role >/dev/null 2>&1
	wait_until 10 sh -c "! kill -0 $GW_PID 2>/dev/null"
	wait "$GW_PID" 2>/dev/null
	rc=$?
	if [ $rc -ne 0 ] && grep -q "lost child: $role pid $pid terminated; signal 31" \
	    "$GW_LOG"; then
		ok "$role killed by seccomp (SIGSYS), master exits $rc naming it"
	else
		notok "$role killed by seccomp (SIGSYS), master exits non-zero" \
		    "rc $rc; log: $(grep -E 'lost|test hook' "$GW_LOG" | tr '\n' '|')"
	fi
	left=0
	for p in $(gw_all_pids); do left=$((left + 1)); done
	[ $left -eq 0 ] && ok "$role violation: no worker left behind" || \
	    notok "$role violation: no worker left behind" "$left left"
	GW_PID=
	gw_cleanup
	trap - EXIT
done
t_done
