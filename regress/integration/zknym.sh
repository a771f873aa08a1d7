#!/bin/sh
# credd checks real zk-nym tickets itself (issue 18): with the epoch's
# master verification key from the nym-apis it verifies a ticket made by
# Nym's own wasm client (regress/vectors/ecash/tickets.json), credits it
# at once, and only then asks the signers to spend it.  A ticket whose
# proof fails is refused without a single signer request.  credd and
# storaged run for real (sandboxed) under tool_credd.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

TOOL=$TOP/$O/regress/bin/tool_credd
VEC=$TOP/regress/vectors/ecash/tickets.json
gw_users
D=$(mktemp -d /tmp/gwzk.XXXXXX)
chmod 755 "$D"
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$D"' EXIT

# The vectors: the epoch's master key (as the nym-api serves it),
# another epoch's key, the first ticket (mixnet-entry, 200 MB), and a
# copy of it with one bit of the proof's challenge flipped.
python3 - "$VEC" "$D" <<'EOF' || { notok "vectors load" "python"; exit 1; }
import json, sys
d = json.load(open(sys.argv[1]))
out = sys.argv[2]
open(out + "/vk.json", "w").write(d["master_vk_json"])
open(out + "/othervk.json", "w").write(d["other_vk_json"])
t = bytes.fromhex(d["tickets"][0]["bytes"])
open(out + "/ticket", "wb").write(t)
bad = bytearray(t)
bad[793] ^= 0x01
open(out + "/forged", "wb").write(bytes(bad))
open(out + "/now", "w").write(str(d["tickets"][0]["now"]))
open(out + "/epoch", "w").write(str(d["epoch_id"]))
open(out + "/provider", "w").write(d["provider"])
EOF
EPOCH=$(cat "$D/epoch")

stub_start "$D" 3
SPID=$STUB_PID
set -- $STUB_PORTS
P1=$1 P2=$2 P3=$3
# Three nym-apis: credd takes the key only when all that answer agree.
API=http://127.0.0.1:$P1,http://127.0.0.1:$P2,http://127.0.0.1:$P3
$STUB get "$P1" "_epoch?epoch=$EPOCH&signers=1,2,3" >/dev/null
$STUB get "$P1" "_vk?epoch=$EPOCH&file=$D/vk.json" >/dev/null
# The tickets were made on a day of their own: credd's clock is set to
# it (test builds only).  Signers unanswered are asked again after 1 s;
# a key that could not be had is asked for again after 1 s.
export GW_TEST_CREDD_NOW=$(cat "$D/now") GW_TEST_CREDD_RETRY_MS=1000 \
    GW_TEST_CREDD_VK_RETRY_MS=1000 GW_TEST_CREDD_TOPOLOGY_MS=600000
export TOOL_CREDD_IDENTITY=$(cat "$D/provider")
export TOOL_CREDD_COSMOS=n1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn3jxcwu

mode() { $STUB get "$P1" "_mode?signer=$1&mode=$2" >/dev/null; }
vk_gets() {
	$STUB get "$P1" _calls | python3 -c '
import json, sys
print(sum(1 for c in json.load(sys.stdin) if c["method"] == "GET"
          and c["path"] == "/v1/ecash/master-verification-key"))'
}
run() {	# log steps...
	log=$1; shift
	"$TOOL" "$BIN" "$D/data" "$API" "$@" 2>"$D/$log.log" |
	    tee "$D/$log.out"
}
# The signers are silent.  A forged ticket is refused by credd's own
# check, no signer asked; the genuine one is credited at once, before
# any signer has answered; the same ticket from another client is a
# double spend.
for i in 1 2 3; do mode $i silent; done
run local start ticket-file "$D/forged" ticket 1 0 malformed \
    exec "$STUB get $P1 _calls >$D/calls.forged" \
    ticket-file "$D/ticket" ticket 2 0 ok balance 2 200000000 \
    ticket 3 0 double stop
forged_posts=$(python3 -c '
import json, sys
print(sum(1 for c in json.load(open(sys.argv[1])) if c["method"] == "POST"))
' "$D/calls.forged")
why=$(sed -n 's/.*ticket refused by the local check: //p' "$D/local.log")
echo "# forged ticket: $why"
[ -n "$why" ] && [ "$forged_posts" -eq 0 ] &&
    ok "a forged ticket is refused by credd's own check, no signer asked" ||
    notok "a forged ticket is refused without the signers" \
    "$forged_posts posts; $(grep -i 'ticket\|key' "$D/local.log" | tr '\n' ' ')"
[ "$(vk_gets)" -ge 3 ] &&
    ok "the master verification key was asked of all three nym-apis" ||
    notok "the key was asked of all three nym-apis" "$(vk_gets) GETs"
# The signers come back and accept: the credited ticket is spent with
# them in the background, and the client hears nothing more.
for i in 1 2 3; do mode $i accept; done
run spend start nonotify 4 balance 2 200000000 stop
grep -q 'ticket verified by 3 of 3 signers' "$D/spend.log" &&
    ok "after a restart the credited ticket is spent with the signers, balance unchanged" ||
    notok "the credited ticket is spent with the signers" \
    "$(grep -i 'ticket\|resume' "$D/spend.log" | tr '\n' ' ')"

# A credited ticket the signers then reject costs its client ten times
# its worth (the penalty), even across a restart.
rm -rf "$D/data"
for i in 1 2 3; do mode $i silent; done
run credit start ticket-file "$D/ticket" ticket 4 0 ok balance 4 200000000 stop
for i in 1 2 3; do mode $i reject; done
run revoke start notify 4 -1800000000 stop
grep -q 'ticket rejected by [0-9] of 3 signers: revoking 2000000000 bytes' \
    "$D/revoke.log" &&
    ok "signers rejecting a ticket credited on the local check revoke it with the penalty" ||
    notok "a rejected credited ticket is revoked" \
    "$(grep -i 'ticket' "$D/revoke.log" | tr '\n' ' ')"
for i in 1 2 3; do mode $i accept; done

# One nym-api serves another key: credd trusts none of them, counts the
# failure, and falls back on the signers' verdict before crediting.
rm -rf "$D/data"
$STUB get "$P1" "_vk?epoch=$EPOCH&file=$D/othervk.json&signer=2" >/dev/null
run disagree start ticket-file "$D/ticket" ticket 5 0 ok \
    balance 5 200000000 stop
grep -q 'disagree' "$D/disagree.log" &&
    grep -q 'ticket verified by 3 of 3 signers' "$D/disagree.log" &&
    ! grep -q 'verified locally' "$D/disagree.log" &&
    ok "nym-apis disagreeing on the key: no local check, the signers decide" ||
    notok "nym-apis disagreeing on the key" \
    "$(grep -i 'key\|ticket' "$D/disagree.log" | tr '\n' ' ')"

# One nym-api answers garbage, the other two agree: two answers are
# enough, the key is used.  The signers are silent, so the ticket can
# only be credited by credd's own check with that key (with them
# answering, their later verdict could land before stop on a slow run).
rm -rf "$D/data"
$STUB get "$P1" "_vk?epoch=$EPOCH&file=/dev/null&signer=2" >/dev/null
for i in 1 2 3; do mode $i silent; done
run twoof3 start ticket-file "$D/ticket" ticket 6 0 ok \
    balance 6 200000000 stop
for i in 1 2 3; do mode $i accept; done
grep -q 'master verification key agreed by 2 nym-api URLs' \
    "$D/twoof3.log" && ! grep -q 'ticket verified by' "$D/twoof3.log" &&
    ok "one nym-api answering garbage: the two that agree give the key" ||
    notok "two nym-apis of three agreeing give the key" \
    "$(grep -i 'key\|ticket' "$D/twoof3.log" | tr '\n' ' ')"

# No key anywhere for the epoch (404): the signers decide first, and
# the client is still served.
rm -rf "$D/data"
$STUB get "$P1" "_vk?epoch=$EPOCH&file=-" >/dev/null
run nokey start ticket-file "$D/ticket" ticket 7 0 ok \
    balance 7 200000000 stop
grep -q 'ticket verified by 3 of 3 signers' "$D/nokey.log" &&
    ok "no key for the epoch: the signers decide, and the client is served" ||
    notok "without a key the signers decide" \
    "$(grep -i 'key\|ticket' "$D/nokey.log" | tr '\n' ' ')"

t_done
