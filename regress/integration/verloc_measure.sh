#!/bin/sh
# The verloc measurer (doc/spec/verloc.md 4-7) in a running gatewayd:
# the stub nym-api describes five nodes built from the spec
# (tool_verlocpeer -l, each with a key of its own) and the gateway
# itself; verlocd measures them as nym-node does.  The two good ones get
# a measurement with sane values, and saw our echoes signed by our
# identity; the one answering with a bad signature, the one answering
# another echo and the one never answering get none; our own entry is
# not tested.  A second run moves the first to "previous".
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

PY=/usr/bin/python3
PEER="$O/regress/bin/tool_verlocpeer"
gw_setup || { notok setup "init failed"; exit 1; }
PIDS=
stub_start "$GW_DIR" 1
trap 'for p in $PIDS $STUB_PID; do kill $p 2>/dev/null; done; gw_cleanup' EXIT
SPORT=$STUB_PORTS
ID=$("$BIN/gatewayctl" -j -f "$GW_CONF" node-details | $PY -c \
    'import json,sys; print(json.load(sys.stdin)["identity_key"])')

peer() {	# NAME MODE: starts it, lists it with the stub
	"$PEER" -l 127.0.0.1:0 -m "$2" -k "$ID" > "$GW_DIR/$1.out" \
	    2>"$GW_DIR/$1.err" &
	PIDS="$PIDS $!"
	wait_until 10 grep -q '^listening' "$GW_DIR/$1.out" ||
	    { notok "peer $1 starts" "$(cat "$GW_DIR/$1.err")"; exit 1; }
	$STUB get "$SPORT" "_described?add=$(key_of $1),127.0.0.1,$(awk \
	    'NR == 1 {print $2}' "$GW_DIR/$1.out")" >/dev/null
}
key_of() { awk 'NR == 1 {print $4}' "$GW_DIR/$1.out"; }
peer good1 good
peer good2 good
peer badsig badsig
peer wrongseq wrongseq
peer silent silent
K_GOOD1=$(key_of good1) K_GOOD2=$(key_of good2) K_BADSIG=$(key_of badsig)
K_SEQ=$(key_of wrongseq) K_SILENT=$(key_of silent)
# Ourselves, which the list must leave out.
$STUB get "$SPORT" "_described?add=$ID,127.0.0.1,$GW_VERLOC" >/dev/null

sed -i -e "s|\"https://validator.nymtech.net/api/\"|\"http://127.0.0.1:$SPORT/\"|" \
    -e 's/^  measure: false/  measure: true/' \
    -e 's/^  packets_per_node: 100/  packets_per_node: 5/' \
    -e 's/^  packet_timeout: 1500ms/  packet_timeout: 2s/' \
    -e 's/^  delay_between_packets: 50ms/  delay_between_packets: 10ms/' \
    -e 's/^  tested_nodes_batch_size: 50/  tested_nodes_batch_size: 2/' \
    "$GW_CONF"
grep -q '^  measure: true' "$GW_CONF" || { notok "config edited" ""; exit 1; }
# Runs 4 s apart (the config allows a minute at least).
export GW_TEST_VERLOC_INTERVAL_MS=4000
gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
ok "gatewayd starts measuring verloc"

verloc_json() {
	$PY -c 'import json,sys,urllib.request
r = urllib.request.urlopen("http://127.0.0.1:%s/api/v1/metrics/verloc" % sys.argv[1], timeout=5)
sys.stdout.write(r.read().decode())' "$GW_HTTP"
}
run_done() {	# FIELD: previous or current holds data; kept in last.json
	verloc_json > "$GW_DIR/try.json" && $PY -c 'import json,sys
d = json.load(open(sys.argv[2]))[sys.argv[1]]
sys.exit(not (isinstance(d, dict) and "data" in d))' "$1" \
	    "$GW_DIR/try.json" && mv "$GW_DIR/try.json" "$GW_DIR/last.json"
}

if wait_until 60 run_done current; then
	ok "a run finishes and /api/v1/metrics/verloc shows its data"
else
	notok "a run finishes" "$(verloc_json; tail -5 "$GW_LOG")"
fi
# The very answer that showed it: the next run may begin any moment.
mv "$GW_DIR/last.json" "$GW_DIR/run1.json"
if out=$($PY - "$GW_DIR/run1.json" "$K_GOOD1" "$K_GOOD2" "$K_BADSIG" \
    "$K_SEQ" "$K_SILENT" "$ID" <<'PY' 2>&1
import json, re, sys
doc = json.load(open(sys.argv[1]))
good, bad, me = sys.argv[2:4], sys.argv[4:7], sys.argv[7]
assert set(doc) == {"previous", "current"}, doc
assert doc["previous"] in ("unavailable", "measurementInProgress") or \
    "data" in doc["previous"], doc["previous"]
d = doc["current"]["data"]
assert list(d) == ["nodes_tested", "run_started", "run_finished",
                   "results"], list(d)
t = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$"
assert re.match(t, d["run_started"]) and re.match(t, d["run_finished"]), d
assert d["run_started"] <= d["run_finished"], d
assert d["nodes_tested"] == 5, d["nodes_tested"]
res = {r["node_identity"]: r["latest_measurement"] for r in d["results"]}
assert len(d["results"]) == 5 and me not in res, res
units = {"s": 1e6, "ms": 1e3, "us": 1, "m": 6e7}
def us(s):
    return sum(int(v) * units[u] for v, u in re.findall(r"(\d+)([a-z]+)", s))
for k in good:
    m = res[k]
    assert list(m) == ["minimum", "mean", "maximum", "standard_deviation"], m
    lo, mean, hi, sd = (us(m[f]) for f in m)
    assert 0 < lo <= mean <= hi < 2e6, m
    assert sd <= hi - lo, m
for k in bad:
    assert res[k] is None, (k, res[k])
# measured first, by minimum; the failed last
order = [r["latest_measurement"] for r in d["results"]]
assert order[2:] == [None] * 3, order
assert us(order[0]["minimum"]) <= us(order[1]["minimum"]), order
print("good", [res[k]["mean"] for k in good])
PY
); then
	ok "two good peers measured with sane values, the bad three not, ourselves left out ($out)"
else
	notok "the measurements" "$out"
fi
served() {	# PEER N: the peer saw N echoes from us on one connection
	grep -q "^served $2 echoes from $ID\$" "$GW_DIR/$1.out"
}
if wait_until 10 served good1 5 && wait_until 10 served good2 5; then
	ok "the good peers got packets_per_node echoes, each signed by our identity"
else
	notok "the good peers' echoes" "$(cat "$GW_DIR/good1.out" \
	    "$GW_DIR/good2.out")"
fi
wait_until 10 served badsig 1 && wait_until 10 served wrongseq 1 &&
    ok "a bad reply abandons the node after its first echo" ||
    notok "a bad reply abandons the node" "$(cat "$GW_DIR/badsig.out" \
	"$GW_DIR/wrongseq.out")"

if wait_until 60 run_done previous; then
	ok "the next run moves the first to previous"
else
	notok "the next run moves the first to previous" "$(verloc_json)"
fi
cur=$($PY -c 'import json,sys
d = json.load(open(sys.argv[1]))
c = d["current"]
print(c if isinstance(c, str) else "data")
p = d["previous"]["data"]
first = json.load(open(sys.argv[2]))["current"]["data"]
assert p["run_started"] == first["run_started"], (p, first)
assert p["nodes_tested"] == 5 and len(p["results"]) == 5' \
    "$GW_DIR/last.json" "$GW_DIR/run1.json" 2>&1)
case $cur in
measurementInProgress|data)
	ok "current is a run in progress or done ($cur), previous is the first run" ;;
*)	notok "current and previous after the next run" "$cur" ;;
esac

if out=$($PY - <<PY 2>&1
import json, subprocess
st = json.loads(subprocess.run(["$BIN/gatewayctl", "-j", "-s", "$GW_SOCK",
    "status"], capture_output=True, text=True).stdout)
c = {p["role"]: p["counters"] for p in st["processes"]}
v, g, k = c["verlocd"], c["gatewayd"], c["credd"]
assert v["verloc_runs"] >= 1 and v["verloc_nodes_measured"] >= 2, v
assert v["verloc_nodes_failed"] >= 3, v
assert g["verloc_echoes_signed"] >= 12, g
assert g.get("verloc_echo_refused_key", 0) == 0, g
assert k["verloc_node_lists"] >= 2, k
print("runs", v["verloc_runs"], "echoes signed", g["verloc_echoes_signed"])
PY
); then
	ok "counters: runs, nodes, echoes signed, lists ($out)"
else
	notok "counters" "$out"
fi
# Still a listener too: peers measuring us are answered.
out=$("$PEER" -g "127.0.0.1:$GW_VERLOC" -k "$ID" -n 3 2>&1)
echo "$out" | grep -q '^replies 3 ' && ok "the listener answers alongside" ||
    notok "the listener answers alongside" "$out"
gw_stop
[ "$GW_RC" -eq 0 ] && ok "stops cleanly" || notok "stops cleanly" "exit $GW_RC"
GW_PID=
t_done
