#!/bin/sh
# credd over HTTPS with verification on (issue 7): the stub nym-api
# serves TLS with a certificate from a CA made here.  With that CA as
# nym_api.ca_file a ticket is verified by the signers over HTTPS; with
# the system store (which does not hold our CA) the certificate is
# refused, credd says so in its log, the client gets a clear error and
# credd keeps answering.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

TOOL=$TOP/$O/regress/bin/tool_credd
command -v openssl >/dev/null 2>&1 || { skip "tls" "no openssl CLI"; exit 0; }
gw_users
D=$(mktemp -d /tmp/gwtls.XXXXXX)
chmod 755 "$D"
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$D"' EXIT

# A CA and a server certificate for 127.0.0.1 signed by it.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=gwtest-ca \
    -keyout "$D/ca.key" -out "$D/ca.pem" >/dev/null 2>&1 &&
openssl req -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
    -keyout "$D/srv.key" -out "$D/srv.csr" >/dev/null 2>&1 &&
printf 'subjectAltName=IP:127.0.0.1\n' >"$D/ext" &&
openssl x509 -req -in "$D/srv.csr" -CA "$D/ca.pem" -CAkey "$D/ca.key" \
    -CAcreateserial -days 2 -extfile "$D/ext" -out "$D/srv.pem" \
    >/dev/null 2>&1 || { notok "make a test CA" "openssl failed"; exit 1; }
chmod 644 "$D"/*.pem

stub_start "$D" 3 "$D/srv.pem" "$D/srv.key"
SPID=$STUB_PID
set -- $STUB_PORTS
API=https://127.0.0.1:$1
export GW_TEST_CREDD_RETRY_MS=1000 GW_TEST_CREDD_TOPOLOGY_MS=600000
export TOOL_CREDD_COSMOS=n1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn3jxcwu

# Trusted: the signer list and three verifications over HTTPS.
TOOL_CREDD_CA=$D/ca.pem "$TOOL" "$BIN" "$D/data" "$API" start \
    ticket 1 100 ok nonotify 2 stop >"$D/good.out" 2>"$D/good.log"
sed 's/^/# /' "$D/good.out"
grep -q 'ticket verified by 3 of 3 signers' "$D/good.log" &&
    ! grep -q '^not ok' "$D/good.out" &&
    ok "with nym_api.ca_file, tickets are verified over HTTPS" ||
    notok "with nym_api.ca_file, tickets are verified over HTTPS" \
    "$(tail -5 "$D/good.log")"

# Untrusted: the system store does not know our CA.
"$TOOL" "$BIN" "$D/data2" "$API" start ticket 2 200 unavailable \
    ticket 3 300 unavailable balance 2 0 stop >"$D/bad.out" 2>"$D/bad.log"
sed 's/^/# /' "$D/bad.out"
grep -q 'TLS certificate not trusted' "$D/bad.log" &&
    grep -q 'cannot reach the nym-api' "$D/bad.out" &&
    ! grep -q '^not ok' "$D/bad.out" &&
    ok "an untrusted certificate is refused, logged, and clients told" ||
    notok "an untrusted certificate is refused" \
    "$(grep -i 'tls\|nym-api' "$D/bad.log" | head -5)"

# A CA file that does not exist stops credd at start, loudly.
TOOL_CREDD_CA=$D/missing.pem "$TOOL" "$BIN" "$D/data3" "$API" start stop \
    >"$D/missing.out" 2>"$D/missing.log"
grep -q 'nym_api.ca_file.*missing.pem' "$D/missing.log" &&
    ok "a missing nym_api.ca_file is fatal with its name" ||
    notok "a missing nym_api.ca_file is fatal" "$(tail -3 "$D/missing.log")"

if grep -qi 'seccomp\|SIGSYS\|Bad system call' "$D"/*.log; then
	notok "credd stays inside its sandbox over TLS" \
	    "$(grep -i 'seccomp\|SIGSYS' "$D"/*.log)"
else
	ok "credd stays inside its sandbox over TLS"
fi
t_done
