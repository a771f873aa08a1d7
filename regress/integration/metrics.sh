#!/bin/sh
# gatewayctl metrics prints Prometheus text that promtool check metrics
# (Debian's prometheus) finds nothing to say about, and that Prometheus's
# own parser (python3-prometheus-client) reads, with a described family
# for every counter that gatewayctl status -j reports, for all five
# processes: counters typed counter and named _total, gauges gauge, none
# untyped (common/metric_names.c has a row for each).
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

if ! /usr/bin/python3 -c 'import prometheus_client' 2>/dev/null; then
	skip "metrics parse as Prometheus text" \
	    "python3-prometheus-client not installed"
	exit 0
fi
gw_setup || { notok setup "init failed"; exit 1; }
gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
# Traffic, so the histograms have observations: a registration (the
# handshake histogram) and three messages for it while it is offline,
# stored (the commit histogram, and delivery_seconds in storaged).
CL=$(gw_register)
"$TOP/$O/regress/bin/tool_mixnode" -d -c "$CL" -N 3 -g "127.0.0.1:$GW_MIX" \
    -k "$GW_DIR/keys/x25519_sphinx.pub" -t 20 > "$GW_DIR/mix.out" 2>&1
wait_counter storaged messages_stored 3 || \
    notok "traffic for the histograms" "$(tail -3 "$GW_DIR/mix.out")"
"$BIN/gatewayctl" -s "$GW_SOCK" metrics > "$GW_DIR/metrics" || \
    notok "gatewayctl metrics" "failed"
"$BIN/gatewayctl" -j -s "$GW_SOCK" status > "$GW_DIR/status.json"
if ! command -v promtool >/dev/null 2>&1; then
	skip "promtool check metrics" "promtool (Debian: prometheus) missing"
elif out=$(promtool check metrics < "$GW_DIR/metrics" 2>&1) &&
    [ -z "$out" ]; then
	ok "promtool check metrics: no complaint"
else
	notok "promtool check metrics" "$(echo "$out" | head -5)"
fi
if grep -q ' untyped$' "$GW_DIR/metrics"; then
	notok "every family typed" "$(grep ' untyped$' "$GW_DIR/metrics")"
else
	ok "every family typed counter or gauge"
fi
if out=$(/usr/bin/python3 - "$GW_DIR/metrics" "$GW_DIR/status.json" <<'PY'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
status = json.load(open(sys.argv[2]))
# status names that lack a unit (common/metric_names.c)
unit = {"bytes_in": "mix_received_bytes",
        "bandwidth_spent": "bandwidth_spent_bytes",
        "packet_bytes_forwarded": "packets_forwarded_bytes"}
up = {s.labels["process"] for s in fams["gatewayd_process_uptime_seconds"].samples}
assert up == {"gatewayd", "mixd", "clientd", "credd", "storaged", "apid",
              "verlocd"}, up
hist = {"client_handshake_seconds": "clientd",
        "storage_commit_seconds": "storaged",
        "delivery_seconds": "storaged"}
for h, proc in hist.items():
    f = fams["gatewayd_" + h]
    assert f.type == "histogram" and f.documentation, h
    b = [(float(s.labels["le"]), s.value) for s in f.samples
         if s.name.endswith("_bucket") and s.labels["process"] == proc]
    n = [s.value for s in f.samples if s.name.endswith("_count")
         and s.labels["process"] == proc]
    assert b[-1][0] == float("inf") and b[-1][1] == n[0] >= 1, (h, b, n)
    assert all(x[1] <= y[1] for x, y in zip(b, b[1:])), (h, b)
    assert [x[0] for x in b] == sorted(x[0] for x in b), (h, b)
for p in status["processes"]:
    for name, value in p["counters"].items():
        base = name.split("_bucket_le_")[0]
        for suf in ("_sum_us", "_count"):
            if name.endswith(suf) and name[:-len(suf)] in hist:
                base = name[:-len(suf)]
        if base in hist:
            continue
        fam = fams["gatewayd_" + unit.get(name, name)]
        assert fam.type in ("counter", "gauge"), (name, fam.type)
        assert fam.documentation, name
        want = fam.name + ("_total" if fam.type == "counter" else "")
        vals = [s.value for s in fam.samples if s.labels["process"] == p["role"]
                and s.name == want]
        assert vals, (name, p["role"])
print(len(fams), "families")
PY
); then
	ok "gatewayctl metrics parses as Prometheus text ($out)"
else
	notok "gatewayctl metrics parses as Prometheus text" "$out"
fi
gw_stop
GW_PID=
t_done
