#!/bin/sh
# What Nym's wallet asks of an operator when bonding: `gatewayctl sign
# --contract-msg` must sign the base58-DECODED JSON, as nym-node's
# `sign --contract-msg` does (nym-node/src/cli/commands/sign.rs), and
# the contract checks the Ed25519 signature over those decoded bytes
# (SignableMessage::to_plaintext in common/cosmwasm-smart-contracts/
# contracts-common/src/signing/mod.rs).  The payload below is built
# field for field as construct_nym_node_bonding_sign_payload()
# (mixnet-contract/src/signing_types.rs) serialises a
# SignableNymNodeBondingMsg.  bonding-information follows
# nym-node/src/node/bonding_information.rs.
. "$TOP/regress/lib/testlib.sh"

D=$(mktemp -d /tmp/gwbond.XXXXXX)
trap 'rm -rf "$D"' EXIT
CTL="$BIN/gatewayctl -f $D/gw/gatewayd.yaml"

"$BIN/gatewayctl" init -D "$D/gw" >/dev/null 2>&1 ||
	{ notok "gatewayctl init" "failed"; exit 1; }
ID=$($CTL -j node-details | python3 -c \
    'import json,sys; print(json.load(sys.stdin)["identity_key"])')

# b58 TEXT / unb58 B58 / verify ID SIG58 FILE (exit 0 if it verifies)
cat > "$D/b58.py" <<'EOF'
import sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
A = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
def enc(b):
    n = int.from_bytes(b, "big"); s = ""
    while n:
        n, r = divmod(n, 58); s = A[r] + s
    return "1" * (len(b) - len(b.lstrip(b"\0"))) + s
def dec(s):
    n = 0
    for c in s:
        n = n * 58 + A.index(c)
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(s) - len(s.lstrip("1"))) + b
if sys.argv[1] == "b58":
    print(enc(open(sys.argv[2], "rb").read()))
elif sys.argv[1] == "verify":
    try:
        Ed25519PublicKey.from_public_bytes(dec(sys.argv[2])).verify(
            dec(sys.argv[3]), open(sys.argv[4], "rb").read())
    except Exception:
        sys.exit(1)
EOF
b58() { python3 "$D/b58.py" b58 "$1"; }
verifies() { python3 "$D/b58.py" verify "$@"; }
field() { python3 -c "import json,sys; print(json.load(open('$1'))['$2'])"; }

# The wallet's message for bonding this node (compact, as serde writes it).
printf '%s' '{"nonce":0,"algorithm":"ed25519","message_type":"nym-node-bonding","content":{"sender":"n1jw6mp7d5xqc7w6xm79lha27glmd0vdt3l9artf","funds":[{"denom":"unym","amount":"100000000"}],"data":{"nym_node":{"host":"gw.example.org","custom_http_port":null,"identity_key":"'"$ID"'"},"cost_params":{"profit_margin_percent":"0.2","interval_operating_cost":{"denom":"unym","amount":"40000000"}}}}}' > "$D/msg.json"
MSG=$(b58 "$D/msg.json")

if $CTL -j sign --contract-msg "$MSG" > "$D/out" 2> "$D/err"; then
	ok "sign --contract-msg: accepted"
else
	notok "sign --contract-msg: accepted" "$(cat "$D/err")"
fi
if [ "$(field "$D/out" identity_key)" = "$ID" ] &&
    verifies "$ID" "$(field "$D/out" signature)" "$D/msg.json"; then
	ok "sign --contract-msg: signature verifies over the decoded JSON"
else
	notok "sign --contract-msg: signature verifies over the decoded JSON" \
	    "$(cat "$D/out")"
fi
printf '%s' "$MSG" > "$D/msg.b58"
if verifies "$ID" "$(field "$D/out" signature)" "$D/msg.b58"; then
	notok "sign --contract-msg: not over the base58 text" "it is"
else
	ok "sign --contract-msg: not over the base58 text"
fi
# nym-node's ConsoleSigningOutput names, for scripts written for it.
if [ "$(field "$D/out" encoded_signature)" = "$(field "$D/out" signature)" ] &&
    cmp -s "$D/msg.json" "$(python3 -c "import json; open('$D/em','w').write(json.load(open('$D/out'))['encoded_message'])"; echo "$D/em")"; then
	ok "sign --contract-msg: nym-node's encoded_message and encoded_signature"
else
	notok "sign --contract-msg: nym-node's encoded_message and encoded_signature" \
	    "$(cat "$D/out")"
fi

# A paste with white space around it, as terminals and wallets give it.
if $CTL -j sign --contract-msg "  $MSG
" > "$D/out2" 2>/dev/null && verifies "$ID" "$(field "$D/out2" signature)" \
    "$D/msg.json"; then
	ok "sign --contract-msg: surrounding white space ignored"
else
	notok "sign --contract-msg: surrounding white space ignored" \
	    "$(cat "$D/out2")"
fi

# A message of kilobytes (beyond the 256-byte keys base58 was built for).
python3 -c "
import json; print(json.dumps({'nonce': 7, 'pad': 'x' * 3000}), end='')" \
    > "$D/big.json"
if $CTL -j sign --contract-msg "$(b58 "$D/big.json")" > "$D/out3" \
    2>/dev/null && verifies "$ID" "$(field "$D/out3" signature)" \
    "$D/big.json"; then
	ok "sign --contract-msg: a 3 kB message"
else
	notok "sign --contract-msg: a 3 kB message" "$(cat "$D/out3")"
fi

# Copied wrong: refused, nothing on stdout, exit 1.
refused() {	# name payload words
	n=$1; shift
	if $CTL -j sign "$@" > "$D/o" 2> "$D/e"; then
		notok "$n" "exit 0: $(cat "$D/o")"
	elif [ -s "$D/o" ] || ! [ -s "$D/e" ]; then
		notok "$n" "stdout: $(cat "$D/o") stderr: $(cat "$D/e")"
	else
		ok "$n"
	fi
}
refused "sign --contract-msg: not base58 (0, O, l) refused" \
    --contract-msg "0OlI$MSG"
printf 'hello, wallet' > "$D/nojson"
refused "sign --contract-msg: base58 of non-JSON refused" \
    --contract-msg "$(b58 "$D/nojson")"
head -c 100 "$D/msg.json" > "$D/cut"
refused "sign --contract-msg: a truncated JSON refused" \
    --contract-msg "$(b58 "$D/cut")"
refused "sign --contract-msg: empty refused" --contract-msg "   "
refused "sign: the bare form (which signed the base58 text) refused" "$MSG"

# --text: the text's bytes, as nym-node's sign --text.
printf 'I own this gateway' > "$D/text"
if $CTL -j sign --text "I own this gateway" > "$D/out4" 2>/dev/null &&
    verifies "$ID" "$(field "$D/out4" signature)" "$D/text"; then
	ok "sign --text: signature over the text"
else
	notok "sign --text: signature over the text" "$(cat "$D/out4")"
fi

# bonding-information: host name, else a reachable public address,
# else nym-node's placeholder (the dev config announces 127.0.0.1).
bond_host() { $CTL -j bonding-information | python3 -c \
    'import json,sys; j=json.load(sys.stdin); print(j["host"], j["identity_key"])'; }
if [ "$(bond_host)" = "NO KNOWN VALID HOSTNAMES - YOU NEED TO FILL IT MANUALLY $ID" ]; then
	ok "bonding-information: loopback only gives nym-node's placeholder"
else
	notok "bonding-information: loopback only gives nym-node's placeholder" \
	    "$(bond_host)"
fi
sed -i -e 's/^  host: .*/  host: ""/' \
    -e 's/^  public_ips:.*/  public_ips: ["198.51.100.20"]/' "$D/gw/gatewayd.yaml"
if [ "$(bond_host)" = "198.51.100.20 $ID" ]; then
	ok "bonding-information: the first public address"
else
	notok "bonding-information: the first public address" "$(bond_host)"
fi
sed -i 's/^  host: .*/  host: gw.example.org/' "$D/gw/gatewayd.yaml"
if [ "$(bond_host)" = "gw.example.org $ID" ]; then
	ok "bonding-information: the host name first"
else
	notok "bonding-information: the host name first" "$(bond_host)"
fi
if $CTL bonding-information | grep -q "^Custom HTTP Port: "; then
	ok "bonding-information: text form names the HTTP port"
else
	notok "bonding-information: text form names the HTTP port" \
	    "$($CTL bonding-information 2>&1)"
fi
t_done
