#!/bin/sh
# Tickets of a past DKG epoch (gatewayd issue 14, item 9).  nym-api
# names the current epoch's signers only; credd reads a past epoch's
# from the DKG contract over nyxd (credd/dkg.c), as nym-node does.  The
# stub plays nym-api, the signers and nyxd.  A real ticket of epoch E
# (regress/vectors/ecash) is spent while nym-api says the epoch is E+1,
# so credd never saw E as current: the contract's verified shares for E
# give its signers, the ticket is checked and credited.  An epoch the
# contract does not know, or too old, is refused with a clear log line;
# after a restart the pending ticket is spent with E's own signers.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

TOOL=$TOP/$O/regress/bin/tool_credd
VEC=$TOP/regress/vectors/ecash/tickets.json
gw_users
D=$(mktemp -d /tmp/gwep.XXXXXX)
chmod 755 "$D"
SPID=
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$D"' EXIT

python3 - "$VEC" "$D" <<'EOF' || { notok "vectors load" "python"; exit 1; }
import json, sys
d = json.load(open(sys.argv[1]))
out = sys.argv[2]
open(out + "/vk.json", "w").write(d["master_vk_json"])
open(out + "/ticket", "wb").write(bytes.fromhex(d["tickets"][0]["bytes"]))
open(out + "/now", "w").write(str(d["tickets"][0]["now"]))
open(out + "/epoch", "w").write(str(d["epoch_id"]))
open(out + "/provider", "w").write(d["provider"])
EOF
EPOCH=$(cat "$D/epoch")
NEXT=$((EPOCH + 1))

# STUB_DKG_PAGE=2: three shares come in two pages.
STUB_DKG_PAGE=2 stub_start "$D" 3
SPID=$STUB_PID
set -- $STUB_PORTS
P1=$1 P2=$2 P3=$3
API=http://127.0.0.1:$P1,http://127.0.0.1:$P2,http://127.0.0.1:$P3
DKG=n19604yflqggs9mk2z26mqygq43q2kr3n932egxx630svywd5mpxjsztfpvx
stub() { $STUB get "$P1" "$1" >/dev/null; }
# nym-api: the current epoch is E+1.  The contract knows E too.
stub "_epoch?epoch=$NEXT&signers=1,2,3"
stub "_dkg?epoch=$EPOCH&signers=1,2,3"
stub "_vk?epoch=$EPOCH&file=$D/vk.json"
export GW_TEST_CREDD_NOW=$(cat "$D/now") GW_TEST_CREDD_RETRY_MS=1000 \
    GW_TEST_CREDD_VK_RETRY_MS=1000 GW_TEST_CREDD_TOPOLOGY_MS=600000 \
    GW_TEST_CREDD_DKG_RETRY_MS=600000
export TOOL_CREDD_IDENTITY=$(cat "$D/provider")
export TOOL_CREDD_COSMOS=n1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn3jxcwu
export TOOL_CREDD_NYXD=http://127.0.0.1:$P2 TOOL_CREDD_DKG=$DKG

mode() { for i in 1 2 3; do stub "_mode?signer=$i&mode=$1"; done; }
run() {	# log steps...
	log=$1; shift
	"$TOOL" "$BIN" "$D/data" "$API" "$@" 2>"$D/$log.log" |
	    tee "$D/$log.out"
}
# Calls of a kind: rpc NAME, or post SIGNER (verify-ecash-ticket).
calls() {
	$STUB get "$P1" _calls | python3 -c '
import json, sys
kind, arg = sys.argv[1], sys.argv[2]
c = json.load(sys.stdin)
if kind == "rpc":
    print(sum(1 for x in c if x.get("rpc") == arg))
else:
    print(sum(1 for x in c if x["method"] == "POST" and
              x["path"] == "/v1/ecash/verify-ecash-ticket" and
              x["signer"] == int(arg)))' "$1" "$2"
}
lines() { grep -i 'epoch\|ticket\|signer' "$D/$1.log" | tr '\n' ' '; }

# 1. The signers are silent: the ticket of epoch E is credited by
# credd's own check with E's key, its signers from the contract (two
# pages of shares).
mode silent
run prev start ticket-file "$D/ticket" ticket 1 0 ok balance 1 200000000 \
    stop
grep -q "ecash epoch $EPOCH: 3 signers from the DKG contract, threshold 3" \
    "$D/prev.log" &&
    [ "$(calls rpc get_epoch_threshold)" -eq 1 ] &&
    [ "$(calls rpc get_verification_keys)" -eq 2 ] &&
    ok "a ticket of the previous epoch, never current here: signers from the DKG contract (2 pages), credited" ||
    notok "a ticket of the previous epoch is credited" \
    "$(calls rpc get_epoch_threshold) threshold, $(calls rpc get_verification_keys) pages; $(lines prev)"

# 2. A restart: nym-api's current epoch now has signers 1 and 2 only.
# The pending ticket is spent with E's own three signers, read from the
# contract again; with the current set alone 2 of 3 votes are no quorum.
stub "_epoch?epoch=$NEXT&signers=1,2"
mode accept
run restart start nonotify 4 balance 1 200000000 stop
grep -q 'ticket verified by 3 of 3 signers' "$D/restart.log" &&
    [ "$(calls post 3)" -ge 1 ] &&
    [ "$(calls rpc get_epoch_threshold)" -eq 2 ] &&
    ok "after a restart a pending ticket of the previous epoch is spent with that epoch's signers" ||
    notok "a resumed ticket of the previous epoch" \
    "$(calls post 3) posts to signer 3; $(lines restart)"

# 3. Unverified shares do not count: signer 3's is not verified, the
# threshold is 2; signer 3 is never asked.
rm -rf "$D/data"
stub "_epoch?epoch=$NEXT&signers=1,2,3"
stub "_dkg?epoch=$EPOCH&signers=1,2,3&unverified=3&thr=2"
before3=$(calls post 3)
run unverified start ticket-file "$D/ticket" ticket 2 0 ok \
    balance 2 200000000 nonotify 3 stop
grep -q "ecash epoch $EPOCH: 2 signers from the DKG contract, threshold 2" \
    "$D/unverified.log" &&
    grep -q 'ticket verified by 2 of 2 signers' "$D/unverified.log" &&
    [ "$(calls post 3)" -eq "$before3" ] &&
    ok "only verified shares count: the unverified signer is never asked" ||
    notok "unverified shares are left out" \
    "$(calls post 3) posts to signer 3 (had $before3); $(lines unverified)"

# 4. An epoch the contract does not know: refused with a clear log,
# and the contract is not asked again within the retry time.
rm -rf "$D/data"
stub "_dkg?epoch=$EPOCH&signers="
thr=$(calls rpc get_epoch_threshold)
run unknown start ticket-file "$D/ticket" ticket 3 0 unavailable \
    ticket 3 0 unavailable balance 3 0 stop
grep -q "ecash epoch $EPOCH: no signers from the DKG contract at .*: the contract has no threshold" \
    "$D/unknown.log" &&
    grep -q "ticket of ecash epoch $EPOCH refused (current epoch $NEXT): its signers are unknown" \
    "$D/unknown.log" &&
    [ "$(calls rpc get_epoch_threshold)" -eq $((thr + 1)) ] &&
    ok "an epoch the DKG contract does not know: refused, logged, asked once" ||
    notok "an unknown epoch is refused" \
    "$(( $(calls rpc get_epoch_threshold) - thr )) queries; $(lines unknown)"

# 5. nyxd answering garbage: refused, credd keeps serving.
stub "_dkg?epoch=$EPOCH&signers=1,2,3"
stub "_rpc?mode=garbage"
run garbage start ticket-file "$D/ticket" ticket 4 0 unavailable \
    balance 4 0 stop
stub "_rpc?mode=ok"
grep -q "no signers from the DKG contract at .*: the value is not a smart query response" \
    "$D/garbage.log" &&
    ok "nyxd answering garbage: the ticket is refused, credd serves on" ||
    notok "garbage from nyxd" "$(lines garbage)"

# 6. Too old (more than three epochs back), or no nyxd configured:
# refused without a question to nyxd.
stub "_epoch?epoch=$((EPOCH + 4))&signers=1,2,3"
thr=$(calls rpc get_epoch_threshold)
run old start ticket-file "$D/ticket" ticket 5 0 unavailable stop
stub "_epoch?epoch=$NEXT&signers=1,2,3"
TOOL_CREDD_NYXD= run nonyxd start ticket-file "$D/ticket" \
    ticket 5 0 unavailable stop
grep -q 'its signers are unknown: not one of the epochs just before the current one' \
    "$D/old.log" &&
    grep -q 'its signers are unknown: no nyxd to ask' "$D/nonyxd.log" &&
    [ "$(calls rpc get_epoch_threshold)" -eq "$thr" ] &&
    ok "too old an epoch, or no nyxd: refused without asking nyxd" ||
    notok "too old or no nyxd" "$(lines old) / $(lines nonyxd)"

# 7. The whole daemon, nyxd.url and nyxd.dkg_contract from its config:
# a client pays with a (made-up) ticket of epoch 5, nym-api's current
# epoch being 6.  No key for epoch 5 is served, so the signers decide;
# they accept, and the client is credited.  The made-up ticket is of
# today: the clock of the vectors is not wanted.
unset GW_TEST_CREDD_NOW
stub "_epoch?epoch=6&signers=1,2,3"
stub "_dkg?epoch=5&signers=1,2,3"
mode accept
gw_setup || { notok "daemon setup" "init failed"; exit 1; }
sed -i -e "s|\"https://validator.nymtech.net/api/\"|\"http://127.0.0.1:$P1/\"|" \
    -e "s|enforce_zk_nyms: false|enforce_zk_nyms: true|" \
    -e "s|cosmos_address: \"\"|cosmos_address: \"$TOOL_CREDD_COSMOS\"|" \
    -e 's|attestation_url: .*|attestation_url: ""|' \
    -e "s|url: \"https://rpc.nymtech.net\"|url: \"http://127.0.0.1:$P3\"|" \
    "$GW_CONF"
if ! grep -q "url: \"http://127.0.0.1:$P3\"" "$GW_CONF"; then
	notok "the daemon's config names the stub nyxd" "$(grep -A2 nyxd "$GW_CONF")"
elif gw_start; then
	GWID=$("$BIN/gatewayctl" -f "$GW_CONF" node-details |
	    awk '/^Identity Key:/ {print $3}')
	"$TOOL" "$BIN" "$D/data4" "$API" epoch 5 \
	    write-ticket "$D/made" 555 "$GWID" >/dev/null
	WS="$TOP/$O/regress/bin/tool_wsclient -a 127.0.0.1:$GW_WS -g $GWID"
	$WS register -s "$D/client" >/dev/null 2>&1
	$WS -t 10000 forward -s "$D/client" -h 127.0.0.1:1789 -N 1 \
	    -T "$D/made" >"$D/daemon.out" 2>&1
	if grep -q '^ticket: .*"bandwidth"' "$D/daemon.out" &&
	    counter_is credd signer_sets_fetched 1 &&
	    counter_is credd tickets_credited 1 &&
	    ! grep -qi 'seccomp\|SIGSYS\|Bad system call' "$GW_LOG"; then
		ok "the daemon: a ticket of the previous epoch, signers from nyxd.url, credited"
	else
		notok "the daemon credits a ticket of the previous epoch" \
		    "$(grep ticket: "$D/daemon.out" | cut -c1-200); fetched $(counter credd signer_sets_fetched); $(grep -i 'epoch' "$GW_LOG" | tail -3 | tr '\n' ' ')"
	fi
	gw_stop
else
	notok "daemon with zk-nyms enforced starts" "$(tail -3 "$GW_LOG")"
fi
gw_cleanup
trap '[ -n "$SPID" ] && kill "$SPID" 2>/dev/null; rm -rf "$D"' EXIT

# Under ASan/UBSan every credd and storaged run above must be clean
# (their exit status is not seen by tool_credd; their reports are).
bad=$(grep -l 'Sanitizer\|runtime error' "$D"/*.log 2>/dev/null | tr '\n' ' ')
[ -z "$bad" ] && ok "no sanitizer report from credd or storaged" ||
    notok "no sanitizer report from credd or storaged" "$bad"

t_done
