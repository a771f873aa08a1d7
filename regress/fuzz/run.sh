#!/bin/sh
# Build every libFuzzer harness (clang, ASan+UBSan) into obj/fuzz and run
# each for SECONDS, then print a table: executions, executions per
# second, edges covered (libFuzzer's cov:), corpus size, crashes.
#
#   regress/fuzz/run.sh [-j JOBS] [-n] SECONDS [label] [harness...]
#
#   -j JOBS  libFuzzer -fork=JOBS: that many fuzzing processes per harness,
#            crashes, leaks and timeouts counted and kept going past
#            (make fuzz: all cores).  Without -j: one process, which
#            stops at the first crash (make check's brief mode).
#   -n       do not build (the campaign's binaries are already there)
#   harness  names without fuzz_ (default: all of them)
#
# Each harness starts from its committed seeds, regress/fuzz/corpus/NAME
# (read only), and its work corpus obj/fuzz/corpus/NAME, where new
# inputs are kept across runs; regress/fuzz/merge.sh (make fuzz-merge)
# minimises them back into the committed corpus.  Crashes go to
# obj/fuzz/artifacts/NAME/, the table to obj/fuzz/table.txt.  A
# libFuzzer dictionary regress/fuzz/NAME.dict is used when present.
set -u
JOBS=0
BUILD=1
while getopts j:n opt; do
	case $opt in
	j) JOBS=$OPTARG ;;
	n) BUILD=0 ;;
	*) echo "usage: $0 [-j jobs] [-n] seconds [label] [harness...]" >&2
	   exit 2 ;;
	esac
done
shift $((OPTIND - 1))
SECS=${1:-60}
LABEL=${2:-fuzz}
[ $# -gt 2 ] && shift 2 || set --
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
O=obj/fuzz
mkdir -p $O
p=0 f=0 s=0
if [ $BUILD -eq 1 ] && ! make -s -j"$(nproc)" O=$O CC=clang SAN=1 FUZZ=1 \
    fuzzers > $O/build.log 2>&1; then
	tail -n 40 $O/build.log
	echo "[$LABEL] not ok - fuzz build failed"
	echo "0 1 0" > $O/counts
	exit 1
fi

# The last status line libFuzzer printed: "#N ... cov: E ... corp: C".
stat() {	# log, field
	grep -E '^#[0-9]+' "$1" | grep 'cov: ' | tail -n 1 |
	    sed -n "s/.*$2:* \\([0-9]*\\).*/\\1/p"
}

names=$*
if [ -z "$names" ]; then
	for h in $O/regress/fuzz/fuzz_*; do
		case "$h" in *.o|*.d) continue ;; esac
		[ -x "$h" ] && names="$names ${h##*/fuzz_}"
	done
fi
table=$O/table.txt
printf '%-20s %6s %11s %9s %7s %7s %7s\n' harness seconds execs \
    'execs/s' edges corpus crashes > $table
for name in $names; do
	h=$O/regress/fuzz/fuzz_$name
	seeds=regress/fuzz/corpus/$name
	work=$O/corpus/$name
	art=$O/artifacts/$name
	log=$O/fuzz_$name.log
	mkdir -p "$work" "$art" "$seeds"
	if [ "$JOBS" -gt 1 ]; then
		mode="-fork=$JOBS -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1"
	else
		mode=
	fi
	# A dictionary of the tokens its parser compares, if it has one.
	[ -f regress/fuzz/$name.dict ] &&
	    mode="$mode -dict=regress/fuzz/$name.dict"
	# shellcheck disable=SC2086
	ASAN_OPTIONS=detect_leaks=1 "$h" $mode -max_total_time="$SECS" \
	    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	    -artifact_prefix="$art/" "$work" "$seeds" > "$log" 2>&1
	rc=$?
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
	    grep -o '[0-9]*$' | tail -n 1)
	[ -n "$execs" ] || execs=$(grep -E '^#[0-9]+' "$log" | tail -n 1 |
	    sed 's/^#\([0-9]*\).*/\1/')
	edges=$(stat "$log" cov)
	corp=$(stat "$log" corp)
	crashes=$(ls "$art" | grep -c '^\(crash\|leak\|timeout\|oom\)-')
	[ $rc -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
	printf '%-20s %6s %11s %9s %7s %7s %7s\n' "$name" "$SECS" \
	    "${execs:-0}" $(( ${execs:-0} / (SECS > 0 ? SECS : 1) )) \
	    "${edges:-?}" "${corp:-?}" "$crashes" >> $table
	if [ "$crashes" -eq 0 ]; then
		echo "[$LABEL] ok - fuzz_$name: ${execs:-?} inputs in ${SECS}s"
		p=$((p + 1))
	else
		echo "[$LABEL] not ok - fuzz_$name: $crashes crash(es), see $log and $art/"
		grep -E 'ERROR|SUMMARY|artifact' "$log" | head -5
		f=$((f + 1))
	fi
done
cat $table
echo "$p $f $s" > $O/counts
[ $f -eq 0 ]
