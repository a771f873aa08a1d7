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
assert up == {"gatewayd", "mixd", "clientd", "credd", "storaged", "apid"}, up
for p in status["processes"]:
    for name, value in p["counters"].items():
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
