#!/bin/sh
# gatewayctl metrics prints Prometheus text that Prometheus's own parser
# (Debian's python3-prometheus-client) reads, with a family for every
# counter that gatewayctl status -j reports, for all five processes.
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
if out=$(/usr/bin/python3 - "$GW_DIR/metrics" "$GW_DIR/status.json" <<'PY'
import json, sys
from prometheus_client.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(open(sys.argv[1]).read())}
status = json.load(open(sys.argv[2]))
up = {s.labels["process"] for s in fams["gatewayd_process_uptime_seconds"].samples}
assert up == {"gatewayd", "mixd", "clientd", "credd", "storaged", "apid"}, up
for p in status["processes"]:
    for name, value in p["counters"].items():
        fam = fams["gatewayd_" + name]
        vals = [s.value for s in fam.samples if s.labels["process"] == p["role"]]
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
