#!/bin/sh
# Run the whole suite against one build directory.
#   regress/run.sh O [label]
# Writes "passed failed skipped" to $O/regress/counts and prints every
# case line, prefixed by the label.
set -u
O=$1
LABEL=${2:-test}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
export TOP O BIN="$TOP/$O/bin" GW_TEST_LABEL="$LABEL"
RES=$TOP/$O/regress/results
mkdir -p "$RES"
: > "$RES/all"
: > "$RES/times"

run_one() {	# name cmd...
	name=$1; shift
	out=$RES/$(echo "$name" | tr '/' '_').out
	t0=$(date +%s)
	timeout -k 10 "${GW_TEST_TIMEOUT:-300}" "$@" > "$out" 2>&1
	rc=$?
	# Where the suite's time goes: sort -n $O/regress/results/times
	echo "$(($(date +%s) - t0)) $name" >> "$RES/times"
	grep -E '^(ok|not ok|skip) - ' "$out" | sed "s|^|[$LABEL] |" | tee -a "$RES/all"
	if [ $rc -ne 0 ] && ! grep -q '^not ok - ' "$out"; then
		echo "[$LABEL] not ok - $name: exited $rc" | tee -a "$RES/all"
		tail -n 30 "$out" | sed 's/^/#   /'
	elif grep -q '^not ok - ' "$out"; then
		grep -vE '^(ok|skip) - ' "$out" | tail -n 40 | sed 's/^/#   /'
	fi
}

for t in "$O"/regress/unit/*_test; do
	[ -x "$t" ] || continue
	run_one "unit/$(basename "$t")" "$t"
done
for dir in config sandbox integration interop; do
	for t in regress/$dir/*.sh; do
		[ -f "$t" ] || continue
		run_one "$dir/$(basename "$t" .sh)" sh "$t"
	done
done

p=$(grep -c '\] ok - ' "$RES/all")
f=$(grep -c '\] not ok - ' "$RES/all")
s=$(grep -c '\] skip - ' "$RES/all")
echo "$p $f $s" > "$TOP/$O/regress/counts"
echo "[$LABEL] $p passed, $f failed, $s skipped"
[ "$f" -eq 0 ]
