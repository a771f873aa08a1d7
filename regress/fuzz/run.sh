#!/bin/sh
# Build every libFuzzer harness (clang, ASan+UBSan) and run each for the
# given number of seconds, starting from its corpus in regress/fuzz/corpus.
#   regress/fuzz/run.sh SECONDS [label]
set -u
SECS=${1:-60}
LABEL=${2:-fuzz}
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
O=obj/fuzz
mkdir -p $O
p=0 f=0 s=0
if ! make -s -j"$(nproc)" O=$O CC=clang SAN=1 FUZZ=1 fuzzers \
    > $O/build.log 2>&1; then
	tail -n 40 $O/build.log
	echo "[$LABEL] not ok - fuzz build failed"
	echo "0 1 0" > $O/counts
	exit 1
fi
for h in $O/regress/fuzz/fuzz_*; do
	case "$h" in *.o|*.d) continue ;; esac
	[ -x "$h" ] || continue
	name=$(basename "$h")
	seeds=regress/fuzz/corpus/${name#fuzz_}
	work=$O/corpus/$name
	mkdir -p "$work"
	[ -d "$seeds" ] && cp -n "$seeds"/* "$work"/ 2>/dev/null
	if ASAN_OPTIONS=detect_leaks=1 "$h" -max_total_time="$SECS" \
	    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
	    -artifact_prefix=$O/ "$work" > $O/$name.log 2>&1; then
		runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' \
		    $O/$name.log | grep -o '[0-9]*$')
		echo "[$LABEL] ok - $name: ${runs:-?} inputs in ${SECS}s"
		p=$((p + 1))
	else
		echo "[$LABEL] not ok - $name: crash, see $O/$name.log"
		grep -E 'ERROR|SUMMARY|artifact' $O/$name.log | head -5
		f=$((f + 1))
	fi
done
echo "$p $f $s" > $O/counts
[ $f -eq 0 ]
