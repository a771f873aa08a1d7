#!/usr/bin/env python3
"""A loopback stand-in for nym-api and its ecash signers, for tests only.

    stub_nymapi.py serve N PORTFILE
        N plain-HTTP servers on 127.0.0.1 (free ports, written to
        PORTFILE space-separated once all listen).  Every port serves the
        same nym-api (signer status naming all N as signers, the
        rewarded set and node list); port i also plays signer i+1 for
        POST /v1/ecash/verify-ecash-ticket.
    stub_nymapi.py get PORT PATH
        print the body of GET http://127.0.0.1:PORT/PATH (for the tests)

Test routes, on any port:
    GET /_mode?signer=I&mode=accept|reject|silent   signer I's answers
    GET /_calls                                      every call, as JSON
"""
import json
import sys
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EPOCH = 5
LOCK = threading.Lock()
CALLS = []
MODES = {}
PORTS = []

# Three mix nodes of the rewarded set and one that is not in it.
NODES = [
    (11, "127.0.0.11", 1789, 1), (12, "127.0.0.12", 1790, 2),
    (13, "::1", 1791, 3), (99, "127.0.0.99", 1789, None),
]
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def b58(data):
    n = int.from_bytes(data, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = B58[r] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def node_json(node_id, ip, port):
    return {"basic": {
        "node_id": node_id,
        "ed25519_identity_pubkey": b58(bytes([node_id]) * 32),
        "ip_addresses": [ip], "mix_port": port,
        "x25519_sphinx_pubkey": b58(bytes([node_id + 1]) * 32),
        "role": "Inactive", "entry": None, "performance": "1.0"},
        "x25519_noise_versioned_key": None}


def status_detailed():
    details = []
    for i, p in enumerate(PORTS):
        details.append({"dkg_epoch_id": EPOCH, "status": {},
                        "information": {
                            "announce_address": "http://127.0.0.1:%d/" % p,
                            "owner_address": "n1signer%d" % i,
                            "node_index": i + 1, "public_key": "x",
                            "verification_key_share": "x",
                            "share_verified": True}})
    thr = len(PORTS) * 2 // 3 + 1 if len(PORTS) > 1 else 1
    return {"body": {"as_at": "2026-01-01T00:00:00Z",
                     "overview": {"epochId": EPOCH, "signingThreshold": thr,
                                  "totalSigners": len(PORTS)},
                     "details": details}, "signature": "stub"}


def ticket_ok(body):
    """The JSON shape credd must send (doc/ecash-ticket.md)."""
    try:
        cred = body["credential"]
        pay = cred["payment"]
        ok = (len(pay["ss"]) == 1 and len(pay["ss"][0]) == 96 and
              len(pay["kappa"]) == 192 and set(pay["sig"]) == {"h", "s"}
              and pay["spend_value"] == 1 and pay["t_type"] == 0 and
              len(cred["pay_info"]) == 72 and
              len(cred["spend_date"]) == 2 and cred["epoch_id"] == EPOCH
              and "gateway_cosmos_addr" in body and
              len(pay["zk_proof"]["responses_attributes"]) == 1)
        return ok, pay["ss"][0]
    except (KeyError, TypeError, ValueError):
        return False, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def signer(self):
        return PORTS.index(self.server.server_address[1]) + 1

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path == "/_calls":
            with LOCK:
                return self.reply(200, CALLS)
        if u.path == "/_mode":
            with LOCK:
                MODES[int(q["signer"][0])] = q["mode"][0]
            return self.reply(200, {"ok": True})
        with LOCK:
            CALLS.append({"signer": self.signer(), "method": "GET",
                          "path": u.path})
        if u.path == "/v1/network/signers/status-detailed":
            return self.reply(200, status_detailed())
        if u.path == "/v1/nym-nodes/rewarded-set":
            rs = {"epoch_id": 7, "entry_gateways": [], "exit_gateways": [],
                  "layer1": [], "layer2": [], "layer3": [], "standby": []}
            for nid, _, _, layer in NODES:
                if layer is not None:
                    rs["layer%d" % layer].append(nid)
            return self.reply(200, rs)
        if u.path == "/v2/unstable/nym-nodes/semi-skimmed":
            page = int(q.get("page", ["0"])[0])
            chunk = NODES[page * 2:page * 2 + 2]
            return self.reply(200, {"metadata": {}, "nodes": {
                "pagination": {"total": len(NODES), "page": page,
                               "size": 2},
                "data": [node_json(n, ip, p) for n, ip, p, _ in chunk]}})
        return self.reply(404, {"message": "not found"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n) if 0 < n < 1 << 20 else b""
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        ok, serial = ticket_ok(body)
        s = self.signer()
        with LOCK:
            mode = MODES.get(s, "accept")
            CALLS.append({"signer": s, "method": "POST", "path": self.path,
                          "body_ok": ok, "serial": serial, "mode": mode})
        if self.path != "/v1/ecash/verify-ecash-ticket":
            return self.reply(404, {"message": "not found"})
        if not ok:
            return self.reply(400, {"message": "malformed ticket body"})
        if mode == "silent":
            return self.reply(503, {"message": "unavailable"})
        if mode == "reject":
            return self.reply(200, {"verified": {"Err": "InvalidTicket"}})
        return self.reply(200, {"verified": {"Ok": None}})


def serve(n, portfile):
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler)
               for _ in range(n)]
    PORTS.extend(s.server_address[1] for s in servers)
    for s in servers[1:]:
        threading.Thread(target=s.serve_forever, daemon=True).start()
    with open(portfile + ".tmp", "w") as f:
        f.write(" ".join(str(p) for p in PORTS) + "\n")
    import os
    os.rename(portfile + ".tmp", portfile)
    servers[0].serve_forever()


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "get":
        url = "http://127.0.0.1:%s/%s" % (sys.argv[2],
                                          sys.argv[3].lstrip("/"))
        with urllib.request.urlopen(url, timeout=5) as r:
            sys.stdout.write(r.read().decode() + "\n")
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)


if __name__ == "__main__":
    main()
