#!/bin/sh
# make bench: build every benchmark (optimised, no sanitizers) and run each
# regress/bench/bench_*.c in turn.  Benchmarks print figures; a slow
# machine never fails the run, only a benchmark that cannot run does.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
O=obj/bench
mkdir -p $O
# Shell benchmarks (bench_*.sh) run the daemon and the test tools too.
if ! make -s -j"${JOBS:-$(nproc)}" O=$O benches all \
    $O/regress/bin/tool_mixnode $O/regress/bin/tool_wsclient \
    > $O/build.log 2>&1; then
	tail -n 40 $O/build.log
	echo "bench: build failed"
	exit 1
fi
status=0
for b in $O/regress/bench/bench_*; do
	case "$b" in *.o|*.d) continue ;; esac
	[ -x "$b" ] || continue
	# A driver with a script of its own (bench_clientd) runs from it.
	[ -f "regress/bench/$(basename "$b").sh" ] && continue
	echo "== $(basename "$b")"
	"$b" || status=1
done
for b in regress/bench/bench_*.sh; do
	[ -f "$b" ] || continue
	echo "== $(basename "$b" .sh)"
	O=$O BIN="$TOP/$O/bin" TOP="$TOP" sh "$b" || status=1
done
exit $status
