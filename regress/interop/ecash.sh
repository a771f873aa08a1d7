#!/bin/sh
# credd/ecash against its oracles, live: fresh random cases from
# @noble/curves and mcl-wasm (regress/ecash/oracle.mjs), and fresh
# tickets issued through Nym's own wasm (regress/ecash/ticketgen.mjs),
# checked by this build's credd_bls_test and credd_ecash_test.  The
# committed vectors carry the same tests without npm; this finds what
# fixed vectors cannot.  Skipped, and counted, without node or npm.
. "$(dirname "$0")/../lib/testlib.sh"

HERE=$TOP/regress/ecash
UNIT=$TOP/$O/regress/unit
NAME="live ecash oracles"
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || {
	skip "$NAME" "node or npm not installed"; exit 0; }
if [ ! -d "$HERE/node_modules/mcl-wasm" ] ||
    [ ! -d "$HERE/node_modules/@noble/curves" ] ||
    [ ! -d "$HERE/node_modules/@nymproject/nym-credential-proxy-lib-wasm" ]
then
	if ! (cd "$HERE" && timeout 300 npm ci --no-audit --no-fund \
	    >/dev/null 2>&1); then
		skip "$NAME" "npm registry unreachable"
		exit 0
	fi
fi
[ -x "$UNIT/credd_bls_test" ] && [ -x "$UNIT/credd_ecash_test" ] || {
	notok "$NAME" "unit tests not built in $O"; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# a handful of random cases per operation: ~4 s of node
if (cd "$HERE" && timeout 120 node oracle.mjs "$TMP/bls.json" 4) \
    >"$TMP/oracle.log" 2>&1; then
	"$UNIT/credd_bls_test" "$TMP/bls.json"
else
	notok "$NAME" "oracle.mjs: $(tail -3 "$TMP/oracle.log" | tr '\n' ' ')"
fi

# two fresh tickets (one made 10 s before midnight), a fresh key
if (cd "$HERE" && timeout 120 node ticketgen.mjs "$TMP/tickets.json" 2) \
    >"$TMP/tickets.log" 2>&1; then
	"$UNIT/credd_ecash_test" "$TMP/tickets.json" |
	    sed -E 's/^(ok|not ok|skip) - /\1 - live tickets: /'
else
	notok "live tickets" "ticketgen.mjs: $(tail -3 "$TMP/tickets.log" |
	    tr '\n' ' ')"
fi
t_done
