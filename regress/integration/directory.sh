#!/bin/sh
# What Nym's directory reads of a running gatewayd besides its keys:
# build-information names the commit the build came from (not the
# compiler's clock); host-information never announces an empty
# ip_address (announce.public_ips, else the listen addresses) and is
# re-signed when the list changes on reload; auxiliary-details reports
# operator.accept_terms, and the master says at start what false means.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

PY=/usr/bin/python3
gw_setup || { notok setup "init failed"; exit 1; }
gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
ID=$("$BIN/gatewayctl" -j -f "$GW_CONF" node-details | $PY -c \
    'import json,sys; print(json.load(sys.stdin)["identity_key"])')

get() {	# path field...: prints the fields, one a line (JSON for lists)
	$PY - "$GW_HTTP" "$@" <<'PY'
import json, sys, urllib.request
port, path, fields = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path),
    timeout=5) as r:
    j = json.loads(r.read())
for f in fields:
    v = j
    for k in f.split("."):
        v = v[k]
    print(json.dumps(v) if not isinstance(v, str) else v)
PY
}

# The commit: the test runs in a checkout (CI clones one), so git knows.
if sha=$(git -C "$TOP" rev-parse HEAD 2>/dev/null); then
	got=$(get /api/v1/build-information commit_sha)
	if [ "$got" = "$sha" ] || [ "$got" = "$sha-modified" ]; then
		ok "build-information: commit_sha is the checkout's HEAD"
	else
		notok "build-information: commit_sha is the checkout's HEAD" \
		    "got $got, HEAD $sha"
	fi
	when=$(TZ=UTC0 git -C "$TOP" log -1 --format=%cd \
	    --date=format-local:%Y-%m-%dT%H:%M:%SZ HEAD)
	got=$(get /api/v1/build-information commit_timestamp build_timestamp \
	    | tr '\n' ' ')
	if [ "$got" = "$when $when " ] || [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
		ok "build-information: commit and build time are the commit's"
	else
		notok "build-information: commit and build time are the commit's" \
		    "got $got, commit $when"
	fi
else
	skip "build-information: commit_sha" "not a git checkout"
fi
got=$(get /api/v1/build-information binary_name cargo_triple | tr '\n' ' ')
if [ "$got" = "gatewayd $(${CC:-cc} -dumpmachine) " ]; then
	ok "build-information: our own binary_name, the build's target"
else
	notok "build-information: our own binary_name, the build's target" "$got"
fi

# ip_address: the dev config listens on 127.0.0.1 only.
got=$(get /api/v1/host-information data.ip_address)
if [ "$got" = '["127.0.0.1"]' ]; then
	ok "host-information: listen address announced when public_ips is empty"
else
	notok "host-information: listen address announced when public_ips is empty" "$got"
fi

# Terms: false by default, said at start, reported; a reload changes it.
if [ "$(get /api/v1/auxiliary-details \
    accepted_operator_terms_and_conditions)" = false ] &&
    grep -q "operator.accept_terms is false" "$GW_LOG"; then
	ok "terms: not accepted by default, and the log says what it costs"
else
	notok "terms: not accepted by default, and the log says what it costs" \
	    "$(grep -i terms "$GW_LOG")"
fi
if grep -q 'binary_name is "nym-node"' "$GW_LOG"; then
	ok "log: says nym-api scores only nym-node"
else
	notok "log: says nym-api scores only nym-node" "$(head -20 "$GW_LOG")"
fi

sed -i -e 's/^  public_ips:.*/  public_ips: ["198.51.100.7", "2001:DB8::7"]/' \
    -e 's/^  accept_terms:.*/  accept_terms: true/' "$GW_CONF"
"$BIN/gatewayctl" -s "$GW_SOCK" -f "$GW_CONF" reload >/dev/null 2>&1
got=$(get /api/v1/host-information data.ip_address)
if [ "$got" = '["198.51.100.7", "2001:db8::7"]' ]; then
	ok "host-information: announce.public_ips after a reload, normalized"
else
	notok "host-information: announce.public_ips after a reload, normalized" "$got"
fi
# Still signed by the identity, over the new data.
if $PY - "$GW_HTTP" "$ID" <<'PY'
import sys, urllib.request
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
A = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
def b58(s):
    n = 0
    for ch in s: n = n * 58 + A.index(ch)
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(s) - len(s.lstrip("1"))) + b
import json
raw = urllib.request.urlopen("http://127.0.0.1:%s/api/v1/host-information"
    % sys.argv[1], timeout=5).read()
data = raw[raw.index(b'{"ip_address"'):raw.index(b',"signature"')]
assert b"198.51.100.7" in data
Ed25519PublicKey.from_public_bytes(b58(sys.argv[2])).verify(
    b58(json.loads(raw)["signature"]), data)
PY
then
	ok "host-information: re-signed over the new addresses"
else
	notok "host-information: re-signed over the new addresses" "verify failed"
fi
if [ "$(get /api/v1/auxiliary-details \
    accepted_operator_terms_and_conditions)" = true ]; then
	ok "terms: accept_terms true reported after a reload"
else
	notok "terms: accept_terms true reported after a reload" \
	    "$(get /api/v1/auxiliary-details accepted_operator_terms_and_conditions)"
fi

# A config that would announce nothing is refused before anything runs.
sed -e 's/^  host: .*/  host: gw.example.org/' \
    -e 's/^  public_ips:.*/  public_ips: []/' \
    -e 's/"127\.0\.0\.1:\([0-9]*\)"/"0.0.0.0:\1"/g' "$GW_CONF" > "$GW_DIR/wild.yaml"
if "$BIN/gatewayd" -n -f "$GW_DIR/wild.yaml" > "$GW_DIR/n.out" 2>&1; then
	notok "gatewayd -n: refuses a config with no address to announce" \
	    "accepted"
elif grep -q "announce.public_ips" "$GW_DIR/n.out"; then
	ok "gatewayd -n: refuses a config with no address to announce"
else
	notok "gatewayd -n: refuses a config with no address to announce" \
	    "$(cat "$GW_DIR/n.out")"
fi
gw_stop
t_done
