#!/bin/sh
# gatewayd -n over the example config and every regress/config/NN-*.yaml.
#
# A bad config must make "gatewayd -n -f FILE" exit 1, and print on
# stderr, in order, one line per line of NN-*.expect: each expect line
# must occur within its stderr line (so it can be the whole message or a
# distinctive part of it).  Only stderr lines naming the file count, so
# the master may add a summary line of its own.  Finally the -nv output
# of the example must itself pass -n and print the same again (bgpd's
# printconf regress idea).
. "$(dirname "$0")/../lib/testlib.sh"
cd "$TOP" || exit 1

GW=$BIN/gatewayd
if [ ! -x "$GW" ]; then
	skip "config" "$GW is not built"
	exit 0
fi
TMP=$(mktemp -d "${TMPDIR:-/tmp}/gwconf.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT

# run FILE [flags]: sets rc; stdout in $TMP/out, stderr in $TMP/err
run() {
	f=$1; shift
	"$GW" "$@" -f "$f" > "$TMP/out" 2> "$TMP/err"
	rc=$?
}

run etc/gatewayd.yaml -n
if [ $rc -eq 0 ] && grep -qx 'configuration OK' "$TMP/out"; then
	ok "config: etc/gatewayd.yaml accepted"
else
	notok "config: etc/gatewayd.yaml accepted" \
	    "exit $rc: $(head -n 3 "$TMP/err" | tr '\n' ' ')"
fi

n=0
for y in regress/config/[0-9][0-9]-*.yaml; do
	[ -f "$y" ] || continue
	n=$((n + 1))
	name=$(basename "$y" .yaml)
	exp=regress/config/$name.expect
	if [ ! -f "$exp" ]; then
		notok "config: $name" "no $exp"
		continue
	fi
	run "$y" -n
	if [ $rc -ne 1 ]; then
		notok "config: $name" "exit $rc, want 1"
		continue
	fi
	grep -F "$name.yaml" "$TMP/err" > "$TMP/got"
	want=$(wc -l < "$exp")
	got=$(wc -l < "$TMP/got")
	if [ "$want" -ne "$got" ]; then
		notok "config: $name" "$got error lines, want $want:\
 $(tr '\n' '|' < "$TMP/err")"
		continue
	fi
	i=0 bad=
	while IFS= read -r line; do
		i=$((i + 1))
		g=$(sed -n "${i}p" "$TMP/got")
		case "$g" in
		*"$line"*) ;;
		*) bad="line $i: got '$g', want '$line'"; break ;;
		esac
	done < "$exp"
	if [ -n "$bad" ]; then
		notok "config: $name" "$bad"
	else
		ok "config: $name"
	fi
done
[ $n -ge 8 ] || notok "config: bad configs" "only $n found"

# -nv prints the normalized config and then "configuration OK"; the YAML
# part must parse again, and print the same.
run etc/gatewayd.yaml -nv
grep -vx 'configuration OK' "$TMP/out" > "$TMP/printed.yaml"
if [ $rc -ne 0 ] || ! grep -q '^limits:$' "$TMP/printed.yaml"; then
	notok "config: -nv prints the config" "exit $rc"
else
	ok "config: -nv prints the config"
	run "$TMP/printed.yaml" -nv
	grep -vx 'configuration OK' "$TMP/out" > "$TMP/reprinted.yaml"
	if [ $rc -ne 0 ]; then
		notok "config: -nv output passes -n" \
		    "exit $rc: $(head -n 3 "$TMP/err" | tr '\n' ' ')"
	elif ! diff "$TMP/printed.yaml" "$TMP/reprinted.yaml" | \
	    grep -v '^[<>] # ' | grep -q '^[<>]'; then
		ok "config: -nv output passes -n and prints the same"
	else
		notok "config: -nv output passes -n and prints the same" \
		    "$(diff "$TMP/printed.yaml" "$TMP/reprinted.yaml" | head -5)"
	fi
fi
t_done
