#!/bin/sh
# Merge what make fuzz found (obj/fuzz/corpus/NAME) back into the
# committed corpus (regress/fuzz/corpus/NAME), minimised with libFuzzer's
# -merge=1: an input is kept only if it adds coverage.
#
#   regress/fuzz/merge.sh [harness...]	(make fuzz-merge)
#
# The result is a minimal set with the coverage of the old corpus and
# the work corpus together.  Named seeds (where they came from: a
# captured frame, a test's message; regress/fuzz/seeds.py) keep their
# names when they are kept; those named regress-* (a fixed crash's
# input) are always kept.  The rest are named by their SHA-1.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP"
O=obj/fuzz
if ! make -s -j"$(nproc)" O=$O CC=clang SAN=1 FUZZ=1 fuzzers \
    > $O/build.log 2>&1; then
	tail -n 40 $O/build.log
	echo "fuzz build failed"
	exit 1
fi
names=$*
if [ -z "$names" ]; then
	for d in regress/fuzz/corpus/*/; do
		d=${d%/}
		names="$names ${d##*/}"
	done
fi
sha1='^[0-9a-f]\{40\}$'
status=0
for name in $names; do
	h=$O/regress/fuzz/fuzz_$name
	seeds=regress/fuzz/corpus/$name
	work=$O/corpus/$name
	out=$O/merge/$name
	[ -x "$h" ] || { echo "$name: no harness $h"; status=1; continue; }
	mkdir -p "$seeds" "$work"
	rm -rf "$out"
	mkdir -p "$out"
	before=$(ls "$seeds" | wc -l)
	named=$O/merge/$name.named
	rm -rf "$named"
	mkdir -p "$named"
	for f in "$seeds"/*; do
		[ -f "$f" ] || continue
		b=$(basename "$f")
		case $b in
		regress-*) cp "$f" "$out"/ ;;
		*) echo "$b" | grep -q "$sha1" || cp "$f" "$named"/ ;;
		esac
	done
	# Named seeds first, so that they are preferred, then the rest.
	if ! ASAN_OPTIONS=detect_leaks=1 "$h" -merge=1 -rss_limit_mb=2048 \
	    -timeout=10 "$out" "$named" > $O/merge_$name.log 2>&1; then
		echo "$name: merge failed, see $O/merge_$name.log"
		status=1
		continue
	fi
	for f in "$named"/*; do
		[ -f "$f" ] || continue
		sum=$(sha1sum "$f" | cut -d' ' -f1)
		[ -f "$out/$sum" ] && mv "$out/$sum" "$out/$(basename "$f")"
	done
	if ! ASAN_OPTIONS=detect_leaks=1 "$h" -merge=1 -rss_limit_mb=2048 \
	    -timeout=10 "$out" "$seeds" "$work" >> $O/merge_$name.log 2>&1
	then
		echo "$name: merge failed, see $O/merge_$name.log"
		status=1
		continue
	fi
	rm -f "$seeds"/*
	cp "$out"/* "$seeds"/
	echo "$name: $before -> $(ls "$seeds" | wc -l) inputs," \
	    "$(du -sk --apparent-size "$seeds" | cut -f1) KB"
done
echo "corpus total: $(du -sk --apparent-size regress/fuzz/corpus | cut -f1) KB"
exit $status
