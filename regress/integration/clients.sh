#!/bin/sh
# clientd end to end with a C client (regress/lib/tool_wsclient over
# nymclient): registration, authentication with the saved key, free
# bandwidth; an offline client's inbox delivered exactly once on
# reconnect, also across a gatewayd restart; pushes to an online client;
# a replayed authenticateV2; malformed and out-of-order handshake
# messages (client-protocol.md 2, 3, 4.1); unknown requests in a live
# session; and ForgetMe deleting the key, the balance and the inbox.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

TOOLS=$TOP/$O/regress/bin
[ -x "$TOOLS/tool_wsclient" ] && [ -x "$TOOLS/tool_mixnode" ] || {
	notok setup "tool_wsclient or tool_mixnode not built"; exit 1; }

gw_setup || { notok setup "init failed"; exit 1; }
gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
GWID=$("$BIN/gatewayctl" -f "$GW_CONF" node-details |
    awk '/^Identity Key:/ {print $3}')
SX=$GW_DIR/keys/x25519_sphinx.pub
S=$GW_DIR	# state files
FREE=68719476736	# 64 GiB (spec 6.2)
ERR_ONLY="Only 'Register' or 'Authenticate' requests are allowed"
ERR_HS="Failed to perform registration handshake: "

ws() { "$TOOLS/tool_wsclient" -a "127.0.0.1:$GW_WS" -g "$GWID" "$@"; }
# inject CLIENT_HEX COUNT: final-hop packets through the mix port
inject() {
	"$TOOLS/tool_mixnode" -d -c "$1" -N "$2" -g "127.0.0.1:$GW_MIX" \
	    -k "$SX" -t 20 >"$S/mix.out" 2>&1
}
# msgs FILE: pushed messages received; distinct FILE: distinct payloads
msgs() { grep -c '^msg ' "$1"; }
distinct() { grep '^msg ' "$1" | sort -u | wc -l; }
# has FILE LINE: the exact line is in FILE
has() { grep -qxF -- "$2" "$1"; }
# expect_refused NAME ERROR_TEXT MESSAGE...: sent on a fresh connection,
# the gateway answers {"type":"error"} with exactly that text and drops
expect_refused() {
	_n=$1 _e=$2; shift 2
	ws raw "$@" >"$S/raw.out" 2>&1
	if has "$S/raw.out" "text {\"type\":\"error\",\"message\":\"$_e\"}" &&
	    has "$S/raw.out" eof; then
		ok "$_n"
	else
		notok "$_n" "$(tr '\n' ' ' <"$S/raw.out" | cut -c1-300)"
	fi
}
# still_serving NAME: a new client registers after the abuse
still_serving() {
	rm -f "$S/probe.state"
	if ws register -s "$S/probe.state" >"$S/probe.out" 2>&1 &&
	    has "$S/probe.out" registered; then
		ok "$1"
	else
		notok "$1" "$(tr '\n' ' ' <"$S/probe.out")"
	fi
}

# --- register, authenticate later, free bandwidth -----------------------
ws register -s "$S/a.state" -c >"$S/a.out" 2>&1
if has "$S/a.out" registered && has "$S/a.out" "bandwidth $FREE"; then
	ok "a new client registers and claims free bandwidth ($FREE)"
else
	notok "register and claim" "$(tr '\n' ' ' <"$S/a.out")"
fi
ws auth -s "$S/a.state" >"$S/a.out" 2>&1
if has "$S/a.out" "authenticated bandwidth $FREE"; then
	ok "it authenticates later with the saved shared key; the claim was kept"
else
	notok "authenticate with the saved key" "$(tr '\n' ' ' <"$S/a.out")"
fi
ws auth -s "$S/a.state" -c >"$S/a.out" 2>&1
if has "$S/a.out" "bandwidth $((FREE * 2))"; then
	ok "claims add up after authentication"
else
	notok "second claim" "$(tr '\n' ' ' <"$S/a.out")"
fi

# --- offline client: inbox on reconnect, exactly once -----------------
K=25
B=$(ws register -s "$S/b.state" | awk '/^client / {print $2}')
[ -n "$B" ] || notok "register b" "no client id"
inject "$B" $K || notok "inject $K" "$(cat "$S/mix.out")"
wait_until 10 counter_is storaged inbox_messages $K
ws auth -s "$S/b.state" -n $K -w 5 >"$S/b.out" 2>&1
n=$(msgs "$S/b.out") d=$(distinct "$S/b.out")
if [ "$n" -eq $K ] && [ "$d" -eq $K ]; then
	ok "an offline client gets all $K messages on reconnect, no duplicates"
else
	notok "offline delivery" "received $n, distinct $d, want $K"
fi
if grep -q '^msg ' "$S/b.out" &&
    ! grep '^msg ' "$S/b.out" | grep -vq '746f6f6c5f6d69786e6f6465'; then
	ok "each is the final-hop payload tool_mixnode sent"
else
	notok "payloads" "$(grep '^msg ' "$S/b.out" | head -2 | cut -c1-80)"
fi
wait_until 5 counter_is storaged inbox_messages 0
ws auth -s "$S/b.state" -w 2 >"$S/b.out" 2>&1
if has "$S/b.out" "received 0" && counter_is storaged inbox_messages 0; then
	ok "reconnecting again delivers nothing: delivered messages were deleted"
else
	notok "no redelivery" "$(tr '\n' ' ' <"$S/b.out")"
fi

# --- ... and across a restart ---------------------------------------
K2=12
inject "$B" $K2 || notok "inject $K2" "$(cat "$S/mix.out")"
wait_until 10 counter_is storaged inbox_messages $K2
gw_stop
gw_start || { notok "daemon restarts" "$(tail -5 "$GW_LOG")"; exit 1; }
# Serving once a WebSocket upgrade succeeds.
wait_until 10 ws -t 500 raw -w 1 '{"type":"supportedProtocol"}'
ws auth -s "$S/b.state" -n $K2 -w 5 >"$S/b.out" 2>&1
n=$(msgs "$S/b.out") d=$(distinct "$S/b.out")
if [ "$n" -eq $K2 ] && [ "$d" -eq $K2 ]; then
	ok "$K2 messages stored while offline survive a gatewayd restart"
else
	notok "restart delivery" "received $n, distinct $d, want $K2: $(grep -v '^msg' "$S/b.out" | tr '\n' ' ')"
fi
ws auth -s "$S/b.state" -w 2 >"$S/b.out" 2>&1
has "$S/b.out" "received 0" && ok "and are delivered once" ||
    notok "once after restart" "$(tr '\n' ' ' <"$S/b.out")"

# --- online client: pushed at once ------------------------------------
K3=5
pushed0=$(counter clientd messages_pushed)
stored0=$(counter storaged messages_stored)
ws auth -s "$S/b.state" -n $K3 -w 15 >"$S/push.out" 2>&1 &
WPID=$!
wait_until 10 has "$S/push.out" "authenticated bandwidth 0"
t0=$(date +%s%N)
inject "$B" $K3 || notok "inject $K3" "$(cat "$S/mix.out")"
wait $WPID
t1=$(date +%s%N)
n=$(msgs "$S/push.out") d=$(distinct "$S/push.out")
pushed=$(($(counter clientd messages_pushed) - pushed0))
stored=$(($(counter storaged messages_stored) - stored0))
echo "# $K3 pushes received $(((t1 - t0) / 1000000)) ms after injection began"
if [ "$n" -eq $K3 ] && [ "$d" -eq $K3 ] && [ "$pushed" -eq $K3 ] &&
    [ "$stored" -eq 0 ]; then
	ok "an online client gets $K3 messages pushed at once (none stored)"
else
	notok "online push" "received $n distinct $d pushed $pushed stored $stored"
fi

# --- replayed authenticateV2 ----------------------------------------
ws replay-auth -s "$S/a.state" >"$S/replay.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && has "$S/replay.out" 'replay: {"type":"error","message":"the provided request timestamp is smaller or equal to one previously used"}' &&
    has "$S/replay.out" "replay connection: dropped" &&
    has "$S/replay.out" "fresh: ok"; then
	ok "a replayed authenticateV2 is refused and dropped; a later one succeeds"
else
	notok "replay" "$(tr '\n' ' ' <"$S/replay.out")"
fi

# --- malformed and out-of-order handshake messages ------------------
# mk KIND: a request with one thing wrong (python3 builds the JSON)
mk() {
	python3 - "$1" <<'EOF'
import base64, json, os, sys, time
b64 = lambda n: base64.b64encode(os.urandom(n)).decode()
arr = lambda n: list(os.urandom(n))
def auth(**kw):
    r = {"type": "authenticateV2", "protocolVersion": 6,
         "clientIdentity": arr(32), "addressCiphertext": b64(48),
         "nonce": b64(12), "requestUnixTimestamp": int(time.time()),
         "requestSignature": arr(64)}
    r.update(kw)
    return r
def hs(data, version=6):
    return {"type": "handshakePayload", "protocol_version": version,
            "data": data}
k = sys.argv[1]
m = {
 "hs-data-string": hs("abc"),
 "hs-version-string": hs(arr(80), "six"),
 "hs-byte-300": hs(arr(79) + [300]),
 "hs-79": hs(arr(79)),
 "hs-81": hs(arr(81)),
 "hs-92-first": hs(arr(92)),
 "auth-id-string": auth(clientIdentity="me"),
 "auth-id-31": auth(clientIdentity=arr(31)),
 "auth-ct-bad-b64": auth(addressCiphertext="!!not*base64!!"),
 "auth-nonce-11": auth(nonce=b64(11)),
 "auth-ct-47": auth(addressCiphertext=b64(47)),
 "auth-bad-sig": auth(),
 "auth-version-3": auth(protocolVersion=3),
 "auth-skewed": auth(requestUnixTimestamp=int(time.time()) - 1000),
 "legacy-bad-bs58": {"type": "authenticate", "protocol_version": 6,
     "address": "0OIl", "enc_address": "0OIl", "iv": "0OIl"},
 "claim-first": {"type": "claimFreeTestnetBandwidth"},
}[k]
print(json.dumps(m, separators=(",", ":")))
EOF
}
expect_refused "bad JSON before auth: refused and dropped" \
    "$ERR_ONLY" '{"type":"handshakePayload",'
expect_refused "a JSON array: refused" "$ERR_ONLY" '[1,2,3]'
expect_refused "no type field: refused" "$ERR_ONLY" '{"data":[1]}'
for k in hs-data-string hs-version-string hs-byte-300 hs-79 hs-81 \
    hs-92-first; do
	ws raw "$(mk $k)" >"$S/raw.out" 2>&1
	if has "$S/raw.out" 'text {"type":"handshakeError","message":"sent request was malformed"}' &&
	    [ "$(grep -cxF "text {\"type\":\"error\",\"message\":\"${ERR_HS}sent request was malformed\"}" "$S/raw.out")" -eq 2 ] &&
	    has "$S/raw.out" eof; then
		ok "handshake $k: handshakeError, the error twice, dropped"
	else
		notok "handshake $k" "$(tr '\n' ' ' <"$S/raw.out" | cut -c1-300)"
	fi
done
ws register -X -s "$S/x.state" >"$S/raw.out" 2>&1
if has "$S/raw.out" 'text {"type":"handshakeError","message":"received invalid signature"}' &&
    has "$S/raw.out" "text {\"type\":\"error\",\"message\":\"${ERR_HS}received invalid signature\"}" &&
    has "$S/raw.out" eof; then
	ok "handshake message 3 with a bad signature: refused and dropped"
else
	notok "handshake bad signature" "$(tr '\n' ' ' <"$S/raw.out" | cut -c1-300)"
fi
expect_refused "authenticateV2 with a string identity: refused" \
    "$ERR_ONLY" "$(mk auth-id-string)"
expect_refused "authenticateV2 with a 31-byte identity: refused" \
    "$ERR_ONLY" "$(mk auth-id-31)"
expect_refused "authenticateV2 with bad base64: refused" \
    "$ERR_ONLY" "$(mk auth-ct-bad-b64)"
expect_refused "authenticateV2 with an 11-byte nonce: the nonce error" \
    "the provided nonce (or legacy IV) did not have the expected length" \
    "$(mk auth-nonce-11)"
expect_refused "authenticateV2 with a 47-byte ciphertext: refused" \
    "failed to verify provided address ciphertext" "$(mk auth-ct-47)"
expect_refused "authenticateV2 with a bad signature: refused" \
    "failed to verify request signature" "$(mk auth-bad-sig)"
expect_refused "authenticateV2 version 3: refused" \
    "Attempted to negotiate connection with client using incompatible protocol version. Ours is 6 and the client reports 3" \
    "$(mk auth-version-3)"
ws raw "$(mk auth-skewed)" >"$S/raw.out" 2>&1
if grep -q '^text {"type":"error","message":"the provided request timestamp is excessively skewed. got ' "$S/raw.out" &&
    has "$S/raw.out" eof; then
	ok "authenticateV2 1000 s old: refused as skewed"
else
	notok "skewed" "$(tr '\n' ' ' <"$S/raw.out" | cut -c1-300)"
fi
expect_refused "legacy authenticate (bad base58 too): refused" \
    "the legacy authentication method is no longer supported. please update your client" \
    "$(mk legacy-bad-bs58)"
expect_refused "claimFreeTestnetBandwidth before auth: refused" \
    "$ERR_ONLY" "$(mk claim-first)"
expect_refused "a binary frame before auth: refused" \
    "possibly received a sphinx packet without prior authentication. Request is going to be ignored" \
    hex:0201000102030405060708090a0b0c0d0e0f
ws raw '{"type":"supportedProtocol"}' "$(mk hs-79)" >"$S/raw.out" 2>&1
if has "$S/raw.out" 'text {"type":"supportedProtocol","version":6}' &&
    has "$S/raw.out" eof; then
	ok "supportedProtocol is answered before a later fatal error"
else
	notok "supportedProtocol then error" "$(tr '\n' ' ' <"$S/raw.out" | cut -c1-300)"
fi
# Unknown client: a valid request from an identity never registered.
rm -f "$S/u.state"
ws register -s "$S/u.state" >/dev/null 2>&1
cp "$S/u.state" "$S/u2.state"
sed -i 's/^identity_seed .*/identity_seed 0101010101010101010101010101010101010101010101010101010101010101/' "$S/u2.state"
ws auth -s "$S/u2.state" >"$S/raw.out" 2>&1
if grep -q 'authenticate: the client is not registered' "$S/raw.out"; then
	ok "authenticateV2 from an unregistered client: refused"
else
	notok "unregistered client" "$(tr '\n' ' ' <"$S/raw.out")"
fi
# Oversize: a message over limits.max_message_size (64 KiB).
ws raw fill:70000 >"$S/raw.out" 2>&1
if has "$S/raw.out" eof && ! grep -q '^text ' "$S/raw.out"; then
	# tungstenite drops the connection too; a close frame may be lost
	# to the reset that unread input causes.
	ok "an oversize message: the connection is dropped ($(grep '^close' "$S/raw.out" || echo no close frame))"
else
	notok "oversize" "$(tr '\n' ' ' <"$S/raw.out" | cut -c1-300)"
fi
still_serving "after all that, a new client still registers"

# --- unknown requests in a live session -----------------------------
ws raw -s "$S/a.state" '{"type":"noSuchRequest"}' 'not json' \
    '{"type":"supportedProtocol"}' >"$S/raw.out" 2>&1
if has "$S/raw.out" 'text {"type":"error","message":"Provided text request was malformed - unknown variant `noSuchRequest`"}' &&
    grep -q '^text {"type":"error","message":"Provided text request was malformed - ' "$S/raw.out" &&
    has "$S/raw.out" 'text {"type":"supportedProtocol","version":6}' &&
    has "$S/raw.out" open; then
	ok "unknown and unparsable requests after auth: an error, the session goes on"
else
	notok "unknown request" "$(tr '\n' ' ' <"$S/raw.out" | cut -c1-300)"
fi

# --- ForgetMe --------------------------------------------------------
# The inbox drains faster than a ForgetMe can follow the authenticate
# reply over loopback, so what is observable is the end state: the
# key, the balance and the inbox are gone.
K4=50
D=$(ws register -s "$S/d.state" -c | awk '/^client / {print $2}')
inject "$D" $K4 || notok "inject $K4" "$(cat "$S/mix.out")"
wait_until 10 counter_is storaged inbox_messages $K4
ws forget -s "$S/d.state" >"$S/forget.out" 2>&1
if has "$S/forget.out" 'reply {"ForgetMeAck":{}}'; then
	ok "ForgetMe is acknowledged once storaged has committed it"
else
	notok "ForgetMe ack" "$(tr '\n' ' ' <"$S/forget.out" | cut -c1-300)"
fi
if counter_is storaged inbox_messages 0 &&
    counter_is storaged inbox_clients 0; then
	ok "after ForgetMe no inbox is left"
else
	notok "inbox after ForgetMe" "$(counter storaged inbox_messages) left"
fi
ws auth -s "$S/d.state" >"$S/d.out" 2>&1
if grep -q "authenticate: the client is not registered" "$S/d.out"; then
	ok "after ForgetMe the old key no longer authenticates"
else
	notok "auth after ForgetMe" "$(tr '\n' ' ' <"$S/d.out")"
fi
ws register -s "$S/d.state" >/dev/null 2>&1
ws auth -s "$S/d.state" -w 2 >"$S/d.out" 2>&1
if has "$S/d.out" "authenticated bandwidth 0" && has "$S/d.out" "received 0"
then
	ok "registering again starts clean: no balance, no messages"
else
	notok "re-register after ForgetMe" "$(tr '\n' ' ' <"$S/d.out")"
fi
ws forget -C false -s "$S/a.state" >"$S/forget.out" 2>&1
ws auth -s "$S/a.state" >"$S/a.out" 2>&1
if has "$S/forget.out" 'reply {"ForgetMeAck":{}}' &&
    has "$S/a.out" "authenticated bandwidth $((FREE * 2))"; then
	ok "ForgetMe with client false is acknowledged and deletes nothing"
else
	notok "ForgetMe client false" "$(cat "$S/forget.out" "$S/a.out" | tr '\n' ' ' | cut -c1-300)"
fi

grep -E 'registrations_|auth_|messages_pushed|inbox_delivered' <<EOF2 | sed 's/^/# /'
$("$BIN/gatewayctl" -s "$GW_SOCK" status 2>/dev/null)
EOF2
gw_stop
t_done
