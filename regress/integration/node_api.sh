#!/bin/sh
# The node HTTP API in a running gatewayd: every route answers the JSON
# fields nym-api reads; host-information is signed by the identity key
# that node-details prints; Prometheus is not served without
# metrics.access_token, and with one only to "Authorization: Bearer
# <token>" (else 401, as nym-node: common/http-api-common/src/middleware/
# bearer_auth.rs); it parses as Prometheus text and its counters move;
# malformed requests get 400 and harm nobody.
. "$(dirname "$0")/../lib/testlib.sh"
. "$(dirname "$0")/../lib/daemon.sh"

PY=/usr/bin/python3
gw_setup || { notok setup "init failed"; exit 1; }
gw_start || { notok "daemon starts" "$(tail -5 "$GW_LOG")"; exit 1; }
ID=$("$BIN/gatewayctl" -j -f "$GW_CONF" node-details | $PY -c \
    'import json,sys; print(json.load(sys.stdin)["identity_key"])')

TOKEN=tOk3n-$$
out=$($PY - "$GW_HTTP" "$ID" "$GW_CONF" "$GW_SOCK" "$BIN/gatewayctl" "$TOKEN" <<'PY' 2>&1
import json, socket, subprocess, sys, urllib.request
port, ident = int(sys.argv[1]), sys.argv[2]
conf, sock, ctl, token = sys.argv[3:7]
base = "http://127.0.0.1:%d" % port
A = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
def b58(s):
    n = 0
    for ch in s: n = n * 58 + A.index(ch)
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return b"\0" * (len(s) - len(s.lstrip("1"))) + b
def get(path, auth=None):
    rq = urllib.request.Request(base + path)
    if auth is not None:
        rq.add_header("Authorization", auth)
    with urllib.request.urlopen(rq, timeout=5) as r:
        return r.status, r.read()
def refused(path, auth=None):
    try:
        get(path, auth)
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("WWW-Authenticate")
    return 200, None
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
for p in ("/metrics", "/api/v1/metrics/prometheus"):
    assert refused(p, "Bearer " + token)[0] == 404, p
ok.append("no metrics.access_token: Prometheus not served (404)")
text = open(conf).read()
assert '\n  access_token: ""\n' in text
with open(conf, "w") as f:
    f.write(text.replace('\n  access_token: ""\n',
                         '\n  access_token: "%s"\n' % token))
subprocess.run([ctl, "-s", sock, "reload"], check=True,
               stdout=subprocess.DEVNULL)
for p in ("/metrics", "/api/v1/metrics/prometheus"):
    for a in (None, "Bearer", "Bearer wrong", "Bearer " + token + "x",
              "Bearer " + token[:-1], "Basic " + token, token):
        assert refused(p, a) == (401, "Bearer"), (p, a, refused(p, a))
ok.append("a token: missing, wrong or not Bearer -> 401 Bearer")
st, b1 = get("/metrics", "Bearer " + token)
st2, b2 = get("/api/v1/metrics/prometheus", "Bearer " + token)
assert st == 200 and st2 == 200
from prometheus_client.parser import text_string_to_metric_families
fam = lambda b: {f.name for f in text_string_to_metric_families(b.decode())}
local = subprocess.run([ctl, "-s", sock, "metrics"], check=True,
                       capture_output=True).stdout
assert fam(b1) == fam(b2) == fam(local) and len(fam(b1)) > 50
ok.append("the right token -> 200, the families gatewayctl metrics prints")
def metric(name, proc):
    st, b = get("/metrics", "Bearer " + token)
    for f in text_string_to_metric_families(b.decode()):
        for s in f.samples:
            if s.name == name and s.labels.get("process") == proc:
                return s.value
m1 = metric("gatewayd_http_api_requests_total", "apid")
m2 = metric("gatewayd_http_api_requests_total", "apid")
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
