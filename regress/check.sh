#!/bin/sh
# make check: the suite on a test build, the same suite on an ASan+UBSan
# build, then a short run of every fuzzer.  The last line is the total.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
J=${JOBS:-$(nproc)}
status=0

build() {	# O, extra make args...
	o=$1; shift
	mkdir -p "$o"
	if make -s -j"$J" O="$o" TEST_HOOKS=1 "$@" tests > "$o/build.log" 2>&1
	then
		return 0
	fi
	tail -n 60 "$o/build.log"
	echo "build of $o failed"
	return 1
}

mkdir -p obj
rm -f obj/test/regress/counts obj/asan/regress/counts obj/fuzz/counts

if build obj/test; then
	sh regress/run.sh obj/test test || status=1
else
	status=1
fi

# LeakSanitizer cannot run inside a seccomp sandbox (ARCHITECTURE.md,
# Sandboxes): the sandboxed daemon runs with leaks off, unit tests
# keep them on.
if build obj/asan SAN=1; then
	ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	GW_TEST_TIMEOUT=600 sh regress/run.sh obj/asan asan || status=1
else
	status=1
fi

# Brief: one process per harness, from the committed corpus.
sh regress/fuzz/run.sh "${FUZZ_SECONDS:-10}" smoke || status=1

total_p=0 total_f=0 total_s=0
for c in obj/test/regress/counts obj/asan/regress/counts obj/fuzz/counts; do
	if [ -f "$c" ]; then
		read -r p f s < "$c"
	else
		p=0 f=1 s=0	# a pass that did not run is a failure
	fi
	total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
done
[ "$total_f" -eq 0 ] || status=1
# CI shows only the tail of the output: name the failures again here.
if [ "$total_f" -ne 0 ]; then
	echo "failures:"
	cat obj/test/regress/results/all obj/asan/regress/results/all 2>/dev/null |
	    grep '\] not ok - '
fi
echo "$total_p passed, $total_f failed, $total_s skipped"
exit $status
