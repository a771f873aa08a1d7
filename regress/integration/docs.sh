#!/bin/sh
# The documentation keeps up with the code: the manual pages are clean
# mdoc; every config key the parser knows (as gatewayd -nv prints them)
# is documented in gatewayd.conf(5); every gatewayctl command and option
# in its usage text is in gatewayctl(8), and every gatewayd flag in
# gatewayd(8); the rc script parses.
# shellcheck source=regress/lib/testlib.sh
. "$(dirname "$0")/../lib/testlib.sh"

MAN=$TOP/man
TMP=$(mktemp -d /tmp/gwdocs.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# --- mandoc lint: no output at all at warning level ---------------------
if ! command -v mandoc >/dev/null 2>&1; then
	notok "mandoc -T lint -W warning" "mandoc is not installed (mk/deps.txt)"
else
	pages=$(ls "$MAN"/*.[58] 2>/dev/null)
	if [ -z "$pages" ]; then
		notok "mandoc -T lint -W warning" "no pages in $MAN"
	else
		# shellcheck disable=SC2086
		out=$(mandoc -T lint -W warning $pages 2>&1)
		n=$(echo "$pages" | wc -w)
		if [ -z "$out" ]; then
			ok "mandoc -T lint -W warning: $n pages clean"
		else
			notok "mandoc -T lint -W warning" "$out"
		fi
	fi
fi

# has_line PAGE EREGEX: an mdoc line in PAGE matches
has_line() {
	[ -f "$1" ] && grep -Eq "$2" "$1"
}

# words ARGS...: " a b c", for messages
words() {
	printf ' %s' "$@"
}

# --- every key of the normalized config is in gatewayd.conf(5) ----------
# gatewayd.conf.5 marks each key as ".It Ic key : Ar ..." and each
# section as ".Ss section".
CONF5=$MAN/gatewayd.conf.5
if ! "$BIN/gatewayd" -nv -f "$TOP/etc/gatewayd.yaml" >"$TMP/nv" 2>"$TMP/nv.err"; then
	notok "gatewayd -nv on etc/gatewayd.yaml" "$(head -5 "$TMP/nv.err")"
else
	keys=$(sed -n 's/^[[:space:]]*\([a-z_][a-z0-9_]*\):.*/\1/p' \
	    "$TMP/nv" | sort -u)
	nkeys=$(echo "$keys" | wc -w)
	missing=
	for k in $keys; do
		has_line "$CONF5" "^\.It Ic $k( |$)" ||
		    has_line "$CONF5" "^\.Ss $k$" || missing="$missing $k"
	done
	if [ "$nkeys" -lt 10 ]; then
		notok "gatewayd.conf.5 documents every key" \
		    "only $nkeys keys found in gatewayd -nv output"
	elif [ -n "$missing" ]; then
		notok "gatewayd.conf.5 documents every key" "missing:$missing"
	else
		ok "gatewayd.conf.5 documents all $nkeys keys of gatewayd -nv"
	fi
fi

# --- gatewayctl: every command and option of usage() in gatewayctl.8 ----
CTL8=$MAN/gatewayctl.8
"$BIN/gatewayctl" >/dev/null 2>"$TMP/ctlusage"
cmds=$(sed -n '/^commands:/,$s/^  *\([a-z][a-z-]*\).*/\1/p' "$TMP/ctlusage")
if [ -z "$cmds" ]; then
	notok "gatewayctl.8 documents every command" \
	    "no commands in gatewayctl's usage: $(cat "$TMP/ctlusage")"
else
	missing=
	for c in $cmds; do
		has_line "$CTL8" "^\.It Cm $c( |$)" || missing="$missing $c"
	done
	if [ -z "$missing" ]; then
		# shellcheck disable=SC2086
		ok "gatewayctl.8 documents every command:$(words $cmds)"
	else
		notok "gatewayctl.8 documents every command" "missing:$missing"
	fi
fi

# flags_of USAGEFILE: the option letters of "usage: prog [-ab] [-c x]",
# one per line
flags_of() {
	sed -n '1s/^usage: [^ ]* //p' "$1" | tr ' ' '\n' |
	    sed -n 's/^\[-\([A-Za-z]*\).*/\1/p' | fold -w 1
}

missing=
flags=$(flags_of "$TMP/ctlusage")
for f in $flags; do
	has_line "$CTL8" "^\.It Fl $f( |$)" || missing="$missing -$f"
done
if [ -z "$flags" ]; then
	notok "gatewayctl.8 documents every option" "no options in usage"
elif [ -n "$missing" ]; then
	notok "gatewayctl.8 documents every option" "missing:$missing"
else
	# shellcheck disable=SC2086
	ok "gatewayctl.8 documents every option:$(words $flags | sed 's/ / -/g')"
fi

# --- gatewayd: every flag of its usage() in gatewayd.8 ------------------
"$BIN/gatewayd" -? >/dev/null 2>"$TMP/gwusage"
grep '^usage:' "$TMP/gwusage" >"$TMP/gwusage1"
missing=
flags=$(flags_of "$TMP/gwusage1")
for f in $flags; do
	has_line "$MAN/gatewayd.8" "^\.It Fl $f( |$)" || missing="$missing -$f"
done
if [ -z "$flags" ]; then
	notok "gatewayd.8 documents every flag" "no flags in usage"
elif [ -n "$missing" ]; then
	notok "gatewayd.8 documents every flag" "missing:$missing"
else
	# shellcheck disable=SC2086
	ok "gatewayd.8 documents every flag:$(words $flags | sed 's/ / -/g')"
fi

# --- the rc script is valid POSIX sh -------------------------------------
if out=$(sh -n "$TOP/etc/init.d/gatewayd" 2>&1); then
	ok "sh -n etc/init.d/gatewayd"
else
	notok "sh -n etc/init.d/gatewayd" "$out"
fi

t_done
