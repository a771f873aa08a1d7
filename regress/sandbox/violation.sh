#!/bin/sh
# A worker that makes a system call outside its allowlist dies of
# SIGSYS, and the master exits non-zero naming the worker and the call
# (the worker's SIGSYS handler notes it on the note pipe first).  Uses the
# test-build-only hook (GW_TEST_HOOKS) behind gatewayctl test-sandbox.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

for role in mixd clientd credd storaged apid verlocd; do
	gw_setup || { notok "$role setup" "init failed"; continue; }
	if ! gw_start; then
		notok "$role: daemon starts" "$(tail -3 "$GW_LOG")"
		gw_cleanup; continue
	fi
	pid=$(gw_pid $role)
	# First the library calls that load lazily (issue 19's audit):
	# the worker must survive them.
	"$BIN/gatewayctl" -s "$GW_SOCK" test-sandbox $role lazy >/dev/null 2>&1
	if wait_until 10 grep -q "$role: test hook: $role: lazy library calls survived" \
	    "$GW_LOG" && [ "$(gw_pid $role)" = "$pid" ]; then
		ok "$role survives qsort, time zone, locale texts, mmap, malloc_trim in its sandbox"
	else
		notok "$role survives the lazy library calls in its sandbox" \
		    "$(grep -E 'lost|test hook' "$GW_LOG" | tr '\n' '|')"
		gw_cleanup; continue
	fi
	"$BIN/gatewayctl" -s "$GW_SOCK" test-sandbox $role >/dev/null 2>&1
	wait_until 10 sh -c "! kill -0 $GW_PID 2>/dev/null"
	wait "$GW_PID" 2>/dev/null
	rc=$?
	if [ $rc -ne 0 ] && grep -Eq "lost child: $role pid $pid terminated; signal 31 .*: system call execve \([0-9]+\) is outside its allowlist" \
	    "$GW_LOG"; then
		ok "$role killed by seccomp (SIGSYS), master exits $rc naming it and the call (execve)"
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
