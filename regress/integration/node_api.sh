#!/bin/sh
# The node HTTP API in a running gatewayd: every route answers the JSON
# fields nym-api reads; host-information is signed by the identity key
# that node-details prints; /metrics parses as Prometheus text and its
# counters move; malformed requests get 400 and harm nobody.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

PY=/usr/bin/python3
gw_setup || { notok setup "init failed"; exit 1; }
gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
ID=$("$BIN/gatewayctl" -j -f "$GW_CONF" node-details | $PY -c \
    'import json,sys; print(json.load(sys.stdin)["identity_key"])')

out=$($PY - "$GW_HTTP" "$ID" <<'PY' 2>&1
import json, socket, sys, urllib.request
port, ident = int(sys.argv[1]), sys.argv[2]
base = "http://127.0.0.1:%d" % port
A = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
def b58(s):
    n = 0
    for ch in s: n = n * 58 + A.index(ch)
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(s) - len(s.lstrip("1"))) + b
def get(path):
    with urllib.request.urlopen(base + path, timeout=5) as r:
        return r.status, r.read()
ok = []
st, b = get("/api/v1/health"); j = json.loads(b)
assert st == 200 and j["status"] == "up" and j["uptime"] >= 0; ok.append("health")
st, raw = get("/api/v1/host-information"); j = json.loads(raw)
d = j["data"]; k = d["keys"]
assert k["ed25519_identity"] == ident
assert k["primary_x25519_sphinx_key"]["public_key"] == k["x25519_sphinx"]
data = raw[raw.index(b'{"ip_address"'):raw.index(b',"signature"')]
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
Ed25519PublicKey.from_public_bytes(b58(ident)).verify(b58(j["signature"]), data)
ok.append("host-information signed by the identity")
st, b = get("/api/v1/build-information"); j = json.loads(b)
for f in ("binary_name", "build_timestamp", "build_version", "commit_sha",
          "commit_timestamp", "commit_branch", "rustc_version",
          "rustc_channel", "cargo_profile", "cargo_triple"):
    assert f in j, f
ok.append("build-information")
st, b = get("/api/v1/roles"); j = json.loads(b)
assert j == {"mixnode_enabled": False, "gateway_enabled": True,
             "network_requester_enabled": False,
             "ip_packet_router_enabled": False}; ok.append("roles")
st, b = get("/api/v1/gateway/client-interfaces/mixnet-websockets")
j = json.loads(b); assert j["ws_port"] > 0 and j["wss_port"] is None
ok.append("mixnet-websockets")
st, b = get("/api/v1/auxiliary-details"); j = json.loads(b)
assert "location" in j and "announce_ports" in j; ok.append("auxiliary-details")
st, b = get("/api/v1/gateway"); j = json.loads(b)
assert j["enforces_zk_nyms"] is False
assert j["client_interfaces"]["mixnet_websockets"]["ws_port"] > 0
ok.append("gateway")
from prometheus_client.parser import text_string_to_metric_families
def metric(name, proc):
    st, b = get("/metrics")
    for f in text_string_to_metric_families(b.decode()):
        for s in f.samples:
            if s.name == name and s.labels.get("process") == proc:
                return s.value
m1 = metric("gatewayd_http_api_requests", "apid")
m2 = metric("gatewayd_http_api_requests", "apid")
assert m1 is not None and m2 > m1, (m1, m2)
ok.append("metrics parse as Prometheus text and move")
for junk in (b"\x00\x01\x02\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
             b"G\xffT / HTTP/1.1\r\n\r\n", b"GET " + b"a" * 9000):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.sendall(junk)
    if not junk.endswith(b"a"):
        r = s.recv(100)
        assert r.startswith(b"HTTP/1.1 400"), r
    s.close()
st, b = get("/api/v1/health"); assert st == 200
ok.append("malformed requests refused, service goes on")
try:
    get("/api/v1/nope"); assert False
except urllib.error.HTTPError as e:
    assert e.code == 404
print("\n".join(ok))
PY
)
rc=$?
echo "$out" | while read -r l; do [ -n "$l" ] && [ $rc -eq 0 ] && echo "ok - node API: $l"; done
[ $rc -eq 0 ] || notok "node API" "$out"
kill -0 "$GW_PID" && ok "gatewayd still serving after the HTTP tests" || \
    notok "gatewayd still serving after the HTTP tests" "gone"
gw_stop
GW_PID=
t_done
