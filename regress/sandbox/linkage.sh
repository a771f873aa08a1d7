#!/bin/sh
# Link-time isolation: only storaged links LMDB, only credd links
# libcurl and c-ares (the outside network), the master links neither,
# nor does verlocd, which connects out but speaks only verloc.
. "$(dirname "$0")/../lib/testlib.sh"

needed() { readelf -d "$BIN/$1" | awk '/NEEDED/ {print $5}' | tr -d '[]'; }

for p in gatewayd mixd clientd credd storaged apid verlocd gatewayctl; do
	[ -x "$BIN/$p" ] || { notok "$p built" "missing $BIN/$p"; continue; }
	libs=$(needed $p)
	has_lmdb=0; has_curl=0; has_cares=0
	echo "$libs" | grep -q '^liblmdb' && has_lmdb=1
	echo "$libs" | grep -q '^libcurl' && has_curl=1
	echo "$libs" | grep -q '^libcares' && has_cares=1
	want_lmdb=0; want_curl=0
	[ $p = storaged ] && want_lmdb=1
	[ $p = credd ] && want_curl=1
	[ $has_lmdb = $want_lmdb ] && ok "$p links liblmdb: $want_lmdb" || \
	    notok "$p links liblmdb: $want_lmdb" "NEEDED: $(echo $libs)"
	[ $has_curl = $want_curl ] && ok "$p links libcurl: $want_curl" || \
	    notok "$p links libcurl: $want_curl" "NEEDED: $(echo $libs)"
	[ $has_cares = $want_curl ] && ok "$p links libcares: $want_curl" || \
	    notok "$p links libcares: $want_curl" "NEEDED: $(echo $libs)"
done
# Only storaged may even contain LMDB calls.
for p in gatewayd mixd clientd credd apid verlocd; do
	if nm -D "$BIN/$p" | grep -q ' U mdb_'; then
		notok "$p has no LMDB symbols" "found mdb_ imports"
	else
		ok "$p has no LMDB symbols"
	fi
done
t_done
