#!/bin/sh
# Sphinx key rotation (issue 8, sphinx-mixport.md 7.2) on short epochs
# from the stub nym-api: epochs of 4 s, rotations of 3 epochs, starting
# in epoch 1015, the first of rotation 5.  Rotation 5 = epochs
# 1015-1017, rotation 6 = 1018-1020.  The gateway must adopt its key
# for rotation 5, pre-announce rotation 6's key in epoch 1017, switch
# in 1018 while still taking packets for the old key (overlap), and
# refuse them from 1019 on, when the old key is purged.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

MIXNODE=$TOP/$O/regress/bin/tool_mixnode
gw_setup || { notok setup "init failed"; exit 1; }
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; gw_cleanup' EXIT

export STUB_EPOCH_SECS=4 STUB_VALIDITY=3 STUB_EPOCH0=1015
stub_start "$GW_DIR" 1
SPID=$STUB_PID
SP=$STUB_PORTS
sed -i "s|https://validator.nymtech.net/api/|http://127.0.0.1:$SP/|" \
    "$GW_CONF"
INIT_KEY=$(sed -n 2p "$GW_DIR/keys/x25519_sphinx.pub")
gw_start -v || { notok "gatewayd starts" "$(tail -5 "$GW_LOG")"; exit 1; }
# Acks come back only for mail that is kept: a registered client's.
CLIENT=$(gw_register)
[ -n "$CLIENT" ] || { notok "a client registers" "no id"; exit 1; }

# keys: "PRIMARY_ID PRIMARY_B64 PRE_ID PRE_B64" from host-information,
# public keys as base64 (the PEM body tool_mixnode reads); "-" if none.
keys() {
	python3 - "$GW_HTTP" <<'EOF'
import base64, json, sys, urllib.request
A = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
def raw(s):
    n = 0
    for c in s:
        n = n * 58 + A.index(c)
    return n.to_bytes(32, "big")
u = "http://127.0.0.1:%s/api/v1/host-information" % sys.argv[1]
try:
    k = json.load(urllib.request.urlopen(u, timeout=2))["data"]["keys"]
except Exception:
    print("- - - -"); sys.exit(0)
p, q = k["primary_x25519_sphinx_key"], k["pre_announced_x25519_sphinx_key"]
assert k["x25519_sphinx"] == p["public_key"]
out = [p["rotation_id"], base64.b64encode(raw(p["public_key"])).decode()]
out += [q["rotation_id"], base64.b64encode(raw(q["public_key"])).decode()] \
    if q else ["-", "-"]
print(*out)
EOF
}
stub_epoch() {
	$STUB get "$SP" /v1/epoch/key-rotation-info | python3 -c '
import json, sys; print(json.load(sys.stdin)["current_absolute_epoch_id"])'
}
pem() {	# FILE BASE64
	printf -- '-----BEGIN X25519 PUBLIC KEY-----\n%s\n-----END X25519 PUBLIC KEY-----\n' "$2" > "$1"
}
send() {	# KEYFILE ROTATION-BYTE COUNT EXPECTED-ACKS
	"$MIXNODE" -d -g "127.0.0.1:$GW_MIX" -k "$1" -f 8 -r "$2" -N "$3" \
	    -c "$CLIENT" -a "$4" -t 3 > "$GW_DIR/send.out" 2>&1
}

# 1. The key "gatewayctl init" made is adopted as rotation 5's.
n=0
while [ $n -lt 75 ]; do
	set -- $(keys)
	[ "$1" = 5 ] && break
	sleep 0.2; n=$((n + 1))
done
if [ "$1" = 5 ] && [ "$2" = "$INIT_KEY" ] &&
    [ -f "$GW_DIR/keys/x25519_sphinx_5" ] &&
    [ ! -e "$GW_DIR/keys/x25519_sphinx" ]; then
	ok "the key made by init becomes rotation 5's (stored as x25519_sphinx_5)"
else
	notok "init key adopted as rotation 5" "keys: $* files: $(ls "$GW_DIR/keys")"
	tail -20 "$GW_LOG" | sed "s/^/#   /"
fi
OLD=$2
pem "$GW_DIR/old.pem" "$OLD"

# 2. Rotation 6's key appears in the last epoch of rotation 5.
n=0
while [ $n -lt 100 ]; do
	set -- $(keys)
	[ "$3" != - ] && break
	sleep 0.2; n=$((n + 1))
done
ep=$(stub_epoch)
if [ "$1" = 5 ] && [ "$3" = 6 ] && [ "$ep" = 1017 ]; then
	ok "rotation 6's key is pre-announced in host-information one epoch ahead (epoch $ep)"
else
	notok "pre-announced one epoch ahead" "keys: $1 $3 epoch: $ep"
fi
NEW=$4
pem "$GW_DIR/new.pem" "$NEW"
if send "$GW_DIR/new.pem" 2 3 3; then
	ok "packets for the pre-announced key (even rotation byte) are processed before the switch"
else
	notok "pre-announced key usable" "$(cat "$GW_DIR/send.out")"
fi

# 3. The switch: rotation 6 is primary, rotation 5's key overlaps.
n=0
while [ $n -lt 100 ]; do
	set -- $(keys)
	[ "$1" = 6 ] && break
	sleep 0.1; n=$((n + 1))
done
if [ "$1" = 6 ] && [ "$2" = "$NEW" ] && [ "$3" = - ] &&
    send "$GW_DIR/old.pem" 1 5 5 &&
    send "$GW_DIR/old.pem" 0 2 2; then
	ok "during the overlap epoch, packets for the old key are still processed (rotation byte 1 and unknown)"
else
	notok "old key during the overlap" "keys: $1 $3 epoch $(stub_epoch) $(cat "$GW_DIR/send.out")"
fi

# 4. After the overlap the old key and its file are gone.
wait_until 10 grep -q 'purged the key of rotation 5' "$GW_LOG"
nk0=$(counter mixd sphinx_no_key) mac0=$(counter mixd sphinx_mac)
send "$GW_DIR/old.pem" 1 4 0
send "$GW_DIR/old.pem" 0 3 0
wait_counter mixd sphinx_mac $((mac0 + 3))
nk1=$(counter mixd sphinx_no_key) mac1=$(counter mixd sphinx_mac)
acks=$(awk '/^acks/ {print $2}' "$GW_DIR/send.out")
if grep -q 'purged the key of rotation 5' "$GW_LOG" &&
    [ "$nk1" -ge $((nk0 + 4)) ] && [ "$mac1" -ge $((mac0 + 3)) ] &&
    [ "${acks:-x}" = 0 ] && [ ! -e "$GW_DIR/keys/x25519_sphinx_5" ] &&
    [ -f "$GW_DIR/keys/x25519_sphinx_6" ]; then
	ok "after the overlap, packets for the old key are refused (no key: +$((nk1 - nk0)), MAC: +$((mac1 - mac0))) and its file is gone"
else
	notok "old key refused after the overlap" "no_key $nk0->$nk1 mac $mac0->$mac1 acks $acks files $(ls "$GW_DIR/keys")"
fi
if send "$GW_DIR/new.pem" 2 3 3; then
	ok "the new primary key keeps working"
else
	notok "new primary works" "$(cat "$GW_DIR/send.out")"
fi

# 5. A restart keeps rotation 6's key.
gw_stop
gw_start -v || { notok "gatewayd restarts" "$(tail -5 "$GW_LOG")"; exit 1; }
n=0
while [ $n -lt 50 ]; do
	set -- $(keys)
	[ "$1" != - ] && break
	sleep 0.2; n=$((n + 1))
done
# Rotation 6's key: primary, or the overlap key if rotation 7 began.
if [ -f "$GW_DIR/keys/x25519_sphinx_6" ] && send "$GW_DIR/new.pem" 2 2 2
then
	ok "after a restart rotation 6's key is still served (primary $1)"
else
	notok "rotation key survives restart" "keys: $*"
fi
gw_stop
t_done
