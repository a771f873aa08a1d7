# Shell side of the harness; sourced by regress/*/*.sh.
# Prints "ok - name", "not ok - name: why", "skip - name: why".
# Environment from regress/run.sh: O (build dir), BIN (its bin/), TOP.

: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${O:=obj}"
: "${BIN:=$TOP/$O/bin}"
T_FAILED=0

ok()	{ echo "ok - $1"; }
notok()	{ echo "not ok - $1: $2"; T_FAILED=$((T_FAILED + 1)); }
skip()	{ echo "skip - $1: $2"; }
# check NAME CMD...: ok if CMD succeeds
check()	{ n=$1; shift; if "$@" >/dev/null 2>&1; then ok "$n"; else notok "$n" "$*"; fi; }
t_done() { [ "$T_FAILED" -eq 0 ]; }

# wait_until SECONDS CMD...: poll CMD every 0.1 s
wait_until() {
	_t=$(($1 * 10)); shift
	while [ $_t -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1; _t=$((_t - 1))
	done
	return 1
}
