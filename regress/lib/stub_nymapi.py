#!/usr/bin/env python3
"""A loopback stand-in for nym-api and its ecash signers, for tests only.

    stub_nymapi.py serve N PORTFILE [CERT KEY]
        N HTTP servers on 127.0.0.1 (free ports, written to PORTFILE
        space-separated once all listen); HTTPS with CERT and KEY (PEM).
        Every port serves the same nym-api (signer status naming all N
        as signers, the rewarded set and node list); port i also plays
        signer i+1 for POST /v1/ecash/verify-ecash-ticket.  Every port
        also serves the upgrade-mode attestation, /attestation.json.
    stub_nymapi.py get PORT PATH
        print the body of GET http://127.0.0.1:PORT/PATH (for the tests)

Key rotation (GET /v1/epoch/key-rotation-info) follows the clock:
epochs of STUB_EPOCH_SECS seconds (default 3600), the first starting
when the stub starts, numbered from STUB_EPOCH0 (default 1000);
rotations of STUB_VALIDITY epochs (default 24) from epoch 1000.

Test routes, on any port:
    GET /_mode?signer=I&mode=accept|reject|silent[&delay_ms=D]
                                                     signer I's answers,
                                                     each after D ms
    GET /_mode?signer=I&mode=M&serial=S              signer I's answer
                                                     for the ticket of
                                                     serial seed S only
    GET /_calls                                      every call, as JSON
    GET /_fault?mode=none|slow|hang|garbage[&delay_ms=D]
                                                     every nym-api and
                                                     signer route: slow
                                                     answers after D ms;
                                                     hang holds the
                                                     request unanswered
                                                     until the mode
                                                     changes (at most
                                                     120 s), then closes;
                                                     garbage answers in
                                                     turn with noise,
                                                     truncated or
                                                     mis-shaped JSON,
                                                     bytes that are not
                                                     HTTP, a short body,
                                                     a megabyte of
                                                     nesting
    GET /_epoch?epoch=E&signers=1,2                  current DKG epoch E,
                                                     signed by these
    GET /_nodes?add=ID,IP,PORT,LAYER                 one more topology node
    GET /_nodes?bulk=N                               N more, on 10.x.y.1,
                                                     as on mainnet (pages
                                                     of 100 from then on)
    GET /_described?add=KEY,IP,PORT                  one more node for
                                                     /v1/nym-nodes/described
                                                     (PORT "none": no
                                                     verloc_port, so 1790)
    GET /_attest?mode=null|on|other|fail             what
                                                     /attestation.json says
    GET /_jwt?kind=good|badsig|issuer|unlisted|other  an upgradeModeJWT
    GET /_attester                                   hex of the attester key
    GET /_vk?epoch=E&file=PATH[&signer=I]            serve PATH's contents
                                                     as the master
                                                     verification key of
                                                     epoch E (by signer
                                                     I's port only);
                                                     without: 404;
                                                     file=-: no key
                                                     for E anywhere

nyxd, for the DKG contract (credd/dkg.c): POST / on any port takes a
CometBFT JSON-RPC abci_query of /cosmwasm.wasm.v1.Query/SmartContractState
(the protobuf QuerySmartContractStateRequest in hex) to the contract
DKG_CONTRACT, and answers get_epoch_threshold and get_verification_keys
(paged as the contract pages: at most 30, STUB_DKG_PAGE caps it lower,
start_next_after the last owner of a page that is not empty) from what
the contract knows, recorded in /_calls with "rpc": the query's name.
    GET /_epoch ... also                             the contract knows E
    GET /_dkg?epoch=E&signers=1,2[&unverified=2][&thr=T]
                                                     the contract knows E
                                                     (signers= empty: it
                                                     does not); shares of
                                                     unverified signers
                                                     are not verified;
                                                     threshold T
    GET /_rpc?mode=ok|garbage|error                  nyxd's answers

POST /v1/nym-nodes/refresh-described is checked as nym-api checks it
(signature, 30 s staleness) and recorded in /_calls with "refresh":
ok|badsig|stale|malformed and "identity"; STUB_REFRESH_FAIL=N answers
the first N with 503.

Needs python3-cryptography for the attestation keys (Ed25519); without
it /_attest and /_jwt answer 501.
"""
import json
import os
import struct
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EPOCH = 5
EPOCHS = {5: None}          # epoch -> signer numbers (None: all)
ATTEST = {"mode": "null"}
SCHEME = ["http"]
LOCK = threading.Lock()
CALLS = []
MODES = {}
SERIAL_MODES = {}           # (signer, serial hex) -> mode
DELAYS = {}
PORTS = []
PAGE = [2]                  # semi-skimmed page size
VKS = {}                    # (epoch, signer or 0) -> key body
FAULT = {"mode": "none", "delay": 0.0, "n": 0}
REFRESH = [0]               # refresh-described requests so far
# The DKG contract: epoch -> {"signers": [...], "unverified": [...],
# "thr": T}; mainnet's address (network-defaults mainnet.rs).
DKG_CONTRACT = "n19604yflqggs9mk2z26mqygq43q2kr3n932egxx630svywd5mpxjsztfpvx"
CONTRACT = {5: None}
RPC = {"mode": "ok"}

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
        "ed25519_identity_pubkey": b58(bytes([node_id % 256]) * 32),
        "ip_addresses": [ip], "mix_port": port,
        "x25519_sphinx_pubkey": b58(bytes([(node_id + 1) % 256]) * 32),
        "role": "Inactive", "entry": None, "performance": "1.0"},
        "x25519_noise_versioned_key": None}


DESCRIBED = []              # (identity, ip, verloc port or None)


def described_json(i, ident, ip, port):
    """NymNodeDescriptionV1 (nym-api-requests models/described/v1.rs),
    every field nym-api sends; the measurer reads three of them."""
    return {"node_id": 100 + i, "contract_node_type": "nym_node",
            "description": {
                "last_polled": "2026-01-01T00:00:00Z",
                "host_information": {
                    "ip_address": [ip], "hostname": None,
                    "keys": {"ed25519": ident, "x25519": b58(b"\x09" * 32),
                             "current_x25519_sphinx_key": {
                                 "rotation_id": 0,
                                 "public_key": b58(b"\x09" * 32)},
                             "pre_announced_x25519_sphinx_key": None,
                             "x25519_versioned_noise": None}},
                "declared_role": {"mixnode": True, "entry": False,
                                  "exit_nr": False, "exit_ipr": False},
                "auxiliary_details": {
                    "location": None,
                    "announce_ports": {"verloc_port": port,
                                       "mix_port": None},
                    "accepted_operator_terms_and_conditions": True},
                "build_information": {"binary_name": "nym-node",
                                      "build_version": "1.0.0"},
                "network_requester": None, "ip_packet_router": None,
                "authenticator": None, "wireguard": None,
                "mixnet_websockets": {"ws_port": 9000, "wss_port": None}}}


EPOCH_SECS = float(os.environ.get("STUB_EPOCH_SECS", "3600"))
EPOCH0 = int(os.environ.get("STUB_EPOCH0", "1000"))
VALIDITY = int(os.environ.get("STUB_VALIDITY", "24"))
INITIAL_EPOCH = 1000
T0 = time.time()


def key_rotation_info():
    k = int((time.time() - T0) // EPOCH_SECS)
    epoch = EPOCH0 + k
    start = T0 + k * EPOCH_SECS
    rot = (epoch - INITIAL_EPOCH) // VALIDITY
    first = INITIAL_EPOCH + rot * VALIDITY
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start))
    stamp += ".%06dZ" % int((start % 1) * 1e6)
    secs = int(EPOCH_SECS)
    return {"key_rotation_state": {"validity_epochs": VALIDITY,
                                   "initial_epoch_id": INITIAL_EPOCH},
            "current_absolute_epoch_id": epoch,
            "current_epoch_start": stamp,
            "epoch_duration": {"secs": secs,
                               "nanos": int((EPOCH_SECS - secs) * 1e9)},
            "progress": {"current_key_rotation_id": rot,
                         "current_rotation_starting_epoch": first,
                         "current_rotation_ending_epoch":
                         first + VALIDITY - 1}}


def status_detailed():
    details = []
    signers = EPOCHS.get(EPOCH)
    for i, p in enumerate(PORTS):
        if signers is not None and i + 1 not in signers:
            continue
        details.append({"dkg_epoch_id": EPOCH, "status": {},
                        "information": {
                            "announce_address": "%s://127.0.0.1:%d/" % (SCHEME[0], p),
                            "owner_address": "n1signer%d" % i,
                            "node_index": i + 1, "public_key": "x",
                            "verification_key_share": "x",
                            "share_verified": True}})
    thr = len(details) * 2 // 3 + 1 if len(details) > 1 else 1
    return {"body": {"as_at": "2026-01-01T00:00:00Z",
                     "overview": {"epochId": EPOCH, "signingThreshold": thr,
                                  "totalSigners": len(PORTS)},
                     "details": details}, "signature": "stub"}


def contract_entry(epoch):
    c = CONTRACT.get(epoch, False)
    if c is None:       # the initial epoch: every port a signer
        c = {"signers": list(range(1, len(PORTS) + 1)), "unverified": [],
             "thr": None}
    return c if c else None


def contract_query(q):
    """The DKG contract's smart queries (contracts/coconut-dkg)."""
    if "get_epoch_threshold" in q:
        c = contract_entry(int(q["get_epoch_threshold"]["epoch_id"]))
        if c is None:
            return None
        n = len(c["signers"])
        return c["thr"] if c["thr"] is not None else \
            (n * 2 // 3 + 1 if n > 1 else 1)
    if "get_verification_keys" in q:
        a = q["get_verification_keys"]
        epoch = int(a["epoch_id"])
        c = contract_entry(epoch)
        shares = []
        for i in sorted(c["signers"]) if c else []:
            p = PORTS[i - 1]
            shares.append({"share": "x", "announce_address":
                           "%s://127.0.0.1:%d/" % (SCHEME[0], p),
                           "node_index": i, "owner": "n1signer%d" % i,
                           "epoch_id": epoch,
                           "verified": i not in c["unverified"]})
        limit = min(a.get("limit") or 10, 30,
                    int(os.environ.get("STUB_DKG_PAGE", "30")))
        after = a.get("start_after")
        page = [x for x in shares if after is None or x["owner"] > after]
        page = page[:limit]
        return {"shares": page, "per_page": limit,
                "start_next_after": page[-1]["owner"] if page else None}
    raise KeyError("unknown query")


def pb_fields(data):
    """A protobuf message's length-delimited fields: {number: bytes}."""
    out, i = {}, 0
    while i < len(data):
        key, shift = 0, 0
        while True:
            b = data[i]
            i += 1
            key |= (b & 0x7f) << shift
            shift += 7
            if not b & 0x80:
                break
        n, shift = 0, 0
        while True:
            b = data[i]
            i += 1
            n |= (b & 0x7f) << shift
            shift += 7
            if not b & 0x80:
                break
        out[key >> 3] = data[i:i + n]
        i += n
    return out


def abci(body):
    """One abci_query: (the query's name, the JSON-RPC answer)."""
    import base64
    p = body["params"]
    if body.get("method") != "abci_query" or \
            p["path"] != "/cosmwasm.wasm.v1.Query/SmartContractState":
        return None, {"jsonrpc": "2.0", "id": body.get("id"),
                      "error": {"code": -32601, "message": "no method"}}
    f = pb_fields(bytes.fromhex(p["data"]))
    q = json.loads(f[2])
    name = next(iter(q))
    if f[1].decode() != DKG_CONTRACT:
        return name, {"jsonrpc": "2.0", "id": body.get("id"), "result": {
            "response": {"code": 18, "log": "no such contract", "info": "",
                         "index": "0", "key": None, "value": None,
                         "proofOps": None, "height": "100",
                         "codespace": "wasm"}}}
    data = json.dumps(contract_query(q)).encode()
    value = b"\x0a" + bytes([len(data)]) + data if len(data) < 128 else \
        b"\x0a" + bytes([len(data) & 0x7f | 0x80, len(data) >> 7]) + data
    if RPC["mode"] == "error":
        return name, {"jsonrpc": "2.0", "id": body.get("id"),
                      "error": {"code": -32603, "message": "internal"}}
    if RPC["mode"] == "garbage":
        value = b"\xff\xff\xff"
    return name, {"jsonrpc": "2.0", "id": body.get("id"), "result": {
        "response": {"code": 0, "log": "", "info": "", "index": "0",
                     "key": None, "value": base64.b64encode(value).decode(),
                     "proofOps": None, "height": "100", "codespace": ""}}}


def ticket_ok(body):
    """The JSON shape credd must send (doc/ecash-ticket.md)."""
    try:
        cred = body["credential"]
        pay = cred["payment"]
        ok = (len(pay["ss"]) == 1 and len(pay["ss"][0]) == 96 and
              len(pay["kappa"]) == 192 and set(pay["sig"]) == {"h", "s"}
              and pay["spend_value"] == 1 and pay["t_type"] == 0 and
              len(cred["pay_info"]) == 72 and
              len(cred["spend_date"]) == 2 and cred["epoch_id"] in EPOCHS
              and "gateway_cosmos_addr" in body and
              len(pay["zk_proof"]["responses_attributes"]) >= 1)
        return ok, pay["ss"][0], body["gateway_cosmos_addr"], \
            cred["epoch_id"]
    except (KeyError, TypeError, ValueError):
        return False, None, None, None


class Keys:
    """The attester's and two JWT issuers' Ed25519 keys, made per run."""

    def __init__(self):
        from cryptography.hazmat.primitives.asymmetric import ed25519
        self.k = {n: ed25519.Ed25519PrivateKey.generate()
                  for n in ("attester", "issuer", "other", "unlisted")}

    def raw(self, name):
        from cryptography.hazmat.primitives import serialization
        return self.k[name].public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    def sign(self, name, data):
        return self.k[name].sign(data)


try:
    KEYS = Keys()
except ImportError:
    KEYS = None


def attestation(other=False):
    """Spec 6.6; 'other': signed for an attester key nobody configured."""
    return {"type": "upgrade_mode", "starting_time": "2026-05-01T00:00:00Z",
            "attester_public_key": b58(KEYS.raw("other" if other
                                                else "attester")),
            "authorised_jwt_issuers": [b58(KEYS.raw("issuer"))],
            "signature": b58(KEYS.sign("attester", b"stub attestation"))}


def b64u(data):
    import base64
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(kind):
    """An EdDSA JWT whose claims carry the attestation (spec 6.6)."""
    import time
    signer = {"unlisted": "unlisted"}.get(kind, "issuer")
    now = int(time.time())
    claims = {"iat": now, "exp": now + 3600, "nbf": now,
              "iss": "other-issuer" if kind == "issuer"
              else "nym-credential-proxy"}
    claims.update(attestation())
    if kind == "other":     # a valid JWT for an attestation not served
        claims["starting_time"] = "2020-01-01T00:00:00Z"
    head = {"alg": "EdDSA", "typ": "JWT", "jwk": b58(KEYS.raw(signer))}
    msg = b64u(json.dumps(head).encode()) + "." + \
        b64u(json.dumps(claims).encode())
    sig = bytearray(KEYS.sign(signer, msg.encode()))
    if kind == "badsig":
        sig[0] ^= 1
    return msg + "." + b64u(bytes(sig))


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

    def reply_text(self, text):
        data = text.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def signer(self):
        return PORTS.index(self.server.server_address[1]) + 1

    def raw(self, code, ctype, data, length=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length",
                         str(len(data) if length is None else length))
        self.end_headers()
        self.wfile.write(data)

    def fault(self):
        """/_fault's mode for this request: True if it answered (or
        dropped) the request itself."""
        with LOCK:
            mode, delay = FAULT["mode"], FAULT["delay"]
            FAULT["n"] += 1
            n = FAULT["n"]
        if mode == "slow":
            time.sleep(delay)
            return False
        if mode == "hang":
            end = time.time() + 120
            while FAULT["mode"] == "hang" and time.time() < end:
                time.sleep(0.1)
            self.close_connection = True
            return True
        if mode != "garbage":
            return False
        self.close_connection = True
        kind = n % 7
        if kind == 0:
            self.raw(200, "application/json", os.urandom(512))
        elif kind == 1:
            self.raw(200, "application/json", b'{"verified": {"Ok": nu')
        elif kind == 2:
            # JSON of the wrong shape, close to the right one.
            self.raw(200, "application/json", json.dumps(
                [{"verified": "Ok"}, {"verified": True}, {"Ok": None},
                 {"verified": {"ok": None}}, [], None, 1e308][n % 7])
                .encode())
        elif kind == 3:
            self.wfile.write(b"\x00\xffNOT HTTP AT ALL\r\n\r\n")
        elif kind == 4:
            self.raw(200, "application/json", b'{"verified":', 100000)
        elif kind == 5:
            self.raw(200, "application/json", b"[" * (1 << 20))
        else:
            self.raw(500, "text/html", b"<html>upstream down</html>")
        return True

    def refresh(self, body):
        """POST /v1/nym-nodes/refresh-described: checked as nym-api does
        (nym-api/src/nym_nodes/handlers/v1.rs, refresh_described); the
        verdict is recorded in /_calls.  STUB_REFRESH_FAIL=N: the first
        N requests get 503."""
        ident, verdict = refresh_check(body) if KEYS is not None \
            else (None, "nocrypto")
        with LOCK:
            REFRESH[0] += 1
            fail = REFRESH[0] <= int(os.environ.get("STUB_REFRESH_FAIL",
                                                    "0"))
            CALLS.append({"signer": self.signer(), "method": "POST",
                          "path": self.path, "refresh": verdict,
                          "identity": ident, "failed": fail})
        if fail:
            return self.reply(503, {"message": "unavailable"})
        if verdict == "badsig":
            return self.reply(401, {"message": "invalid request signature"})
        if verdict != "ok":
            return self.reply(400, {"message": verdict})
        return self.reply(200, None)

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path == "/_calls":
            with LOCK:
                return self.reply(200, CALLS)
        if u.path == "/_fault":
            with LOCK:
                FAULT["mode"] = q["mode"][0]
                FAULT["delay"] = int(q.get("delay_ms", ["0"])[0]) / 1000.0
            return self.reply(200, {"ok": True})
        if u.path == "/_mode" and "serial" in q:
            serial = struct.pack("<I", int(q["serial"][0])).hex() + "00" * 44
            with LOCK:
                SERIAL_MODES[(int(q["signer"][0]), serial)] = q["mode"][0]
            return self.reply(200, {"ok": True})
        if u.path == "/_mode":
            with LOCK:
                MODES[int(q["signer"][0])] = q["mode"][0]
                DELAYS[int(q["signer"][0])] = \
                    int(q.get("delay_ms", ["0"])[0]) / 1000.0
            return self.reply(200, {"ok": True})
        if u.path == "/_epoch":
            global EPOCH
            with LOCK:
                EPOCH = int(q["epoch"][0])
                EPOCHS[EPOCH] = [int(x) for x in q["signers"][0].split(",")]
                CONTRACT[EPOCH] = {"signers": EPOCHS[EPOCH],
                                   "unverified": [], "thr": None}
            return self.reply(200, {"ok": True})
        if u.path == "/_dkg":
            epoch = int(q["epoch"][0])
            signers = [int(x) for x in q.get("signers", [""])[0].split(",")
                       if x]
            with LOCK:
                if signers:
                    CONTRACT[epoch] = {
                        "signers": signers,
                        "unverified": [int(x) for x in
                                       q.get("unverified", [""])[0]
                                       .split(",") if x],
                        "thr": int(q["thr"][0]) if "thr" in q else None}
                    EPOCHS.setdefault(epoch, signers)
                else:
                    CONTRACT[epoch] = False
            return self.reply(200, {"ok": True})
        if u.path == "/_rpc":
            with LOCK:
                RPC["mode"] = q["mode"][0]
            return self.reply(200, {"ok": True})
        if u.path == "/_nodes" and "bulk" in q:
            with LOCK:
                for i in range(int(q["bulk"][0])):
                    NODES.append((1000 + i, "10.%d.%d.1" % (i >> 8, i & 255),
                                  1789, i % 3 + 1))
                PAGE[0] = 100
            return self.reply(200, {"ok": True})
        if u.path == "/_nodes":
            nid, ip, port, layer = q["add"][0].split(",")
            with LOCK:
                NODES.append((int(nid), ip, int(port), int(layer)))
            return self.reply(200, {"ok": True})
        if u.path == "/_described":
            ident, ip, port = q["add"][0].split(",")
            with LOCK:
                DESCRIBED.append((ident, ip,
                                  None if port == "none" else int(port)))
            return self.reply(200, {"ok": True})
        if u.path == "/_vk" and q["file"][0] == "-":
            with LOCK:
                for k in [k for k in VKS if k[0] == int(q["epoch"][0])]:
                    del VKS[k]
            return self.reply(200, {"ok": True})
        if u.path == "/_vk":
            with open(q["file"][0], "rb") as f:
                body = f.read()
            with LOCK:
                VKS[(int(q["epoch"][0]), int(q.get("signer", ["0"])[0]))] = \
                    body
            return self.reply(200, {"ok": True})
        if u.path in ("/_attest", "/_jwt", "/_attester"):
            if KEYS is None:
                return self.reply(501, {"message": "no cryptography"})
            if u.path == "/_attester":
                return self.reply_text(KEYS.raw("attester").hex())
            if u.path == "/_jwt":
                return self.reply_text(make_jwt(q["kind"][0]))
            with LOCK:
                ATTEST["mode"] = q["mode"][0]
            return self.reply(200, {"ok": True})
        with LOCK:
            CALLS.append({"signer": self.signer(), "method": "GET",
                          "path": u.path, "fault": FAULT["mode"]})
        if self.fault():
            return None
        if u.path == "/v1/network/signers/status-detailed":
            with LOCK:
                return self.reply(200, status_detailed())
        if u.path == "/attestation.json":
            mode = ATTEST["mode"]
            if mode == "fail" or KEYS is None:
                return self.reply(500, {"message": "down"})
            return self.reply(200, None if mode == "null" else
                              attestation(mode == "other"))
        if u.path == "/v1/ecash/master-verification-key":
            try:
                epoch = int(q["epoch_id"][0])
            except (KeyError, ValueError):
                return self.reply(400, {"message": "no epoch_id"})
            with LOCK:
                body = VKS.get((epoch, self.signer()), VKS.get((epoch, 0)))
            if body is None:
                return self.reply(404, {"message": "no key for the epoch"})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None
        if u.path == "/v1/epoch/key-rotation-info":
            return self.reply(200, key_rotation_info())
        if u.path == "/v1/nym-nodes/rewarded-set":
            rs = {"epoch_id": 7, "entry_gateways": [], "exit_gateways": [],
                  "layer1": [], "layer2": [], "layer3": [], "standby": []}
            for nid, _, _, layer in NODES:
                if layer is not None:
                    rs["layer%d" % layer].append(nid)
            return self.reply(200, rs)
        if u.path == "/v1/nym-nodes/described":
            # nym-api answers every node on page 0 (handlers/v1.rs)
            with LOCK:
                data = [described_json(i, *d)
                        for i, d in enumerate(DESCRIBED)]
            return self.reply(200, {"pagination": {
                "total": len(data), "page": 0, "size": len(data)},
                "data": data})
        if u.path == "/v2/unstable/nym-nodes/semi-skimmed":
            page = int(q.get("page", ["0"])[0])
            size = PAGE[0]
            chunk = NODES[page * size:page * size + size]
            return self.reply(200, {"metadata": {}, "nodes": {
                "pagination": {"total": len(NODES), "page": page,
                               "size": size},
                "data": [node_json(n, ip, p) for n, ip, p, _ in chunk]}})
        return self.reply(404, {"message": "not found"})

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n) if 0 < n < 1 << 20 else b""
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if self.path == "/v1/nym-nodes/refresh-described":
            return self.refresh(body)
        if self.path == "/":
            try:
                with LOCK:
                    name, answer = abci(body)
            except (KeyError, TypeError, ValueError, IndexError,
                    AttributeError, StopIteration):
                name, answer = "malformed", None
            with LOCK:
                CALLS.append({"signer": self.signer(), "method": "POST",
                              "path": "/", "rpc": name})
            if answer is None:
                return self.reply(400, {"message": "malformed JSON-RPC"})
            return self.reply(200, answer)
        ok, serial, gw_addr, epoch = ticket_ok(body)
        s = self.signer()
        with LOCK:
            mode = SERIAL_MODES.get((s, serial), MODES.get(s, "accept"))
            delay = DELAYS.get(s, 0)
            CALLS.append({"signer": s, "method": "POST", "path": self.path,
                          "body_ok": ok, "serial": serial, "mode": mode,
                          "gw_addr": gw_addr, "epoch": epoch,
                          "fault": FAULT["mode"]})
        if self.fault():
            return None
        if self.path != "/v1/ecash/verify-ecash-ticket":
            return self.reply(404, {"message": "not found"})
        if not ok:
            return self.reply(400, {"message": "malformed ticket body"})
        if delay:
            time.sleep(delay)
        if mode == "silent":
            return self.reply(503, {"message": "unavailable"})
        if mode == "reject":
            return self.reply(200, {"verified": {"Err": "InvalidTicket"}})
        return self.reply(200, {"verified": {"Ok": None}})


def b58dec(s):
    n = 0
    for c in s:
        n = n * 58 + B58.index(c)
    return n.to_bytes(32, "big")


def refresh_check(body):
    """NodeRefreshBody::verify_signature and is_stale (nym-api-requests
    src/models/node_status.rs): (identity, verdict)."""
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from cryptography.exceptions import InvalidSignature
    try:
        ident = body["node_identity"]
        ts = body["request_timestamp"]
        sig = bytes(body["signature"])
        pk = b58dec(ident)
        if set(body) != {"node_identity", "request_timestamp", "signature"} \
                or len(sig) != 64 or not isinstance(ts, int):
            return ident, "malformed"
        pt = pk + ts.to_bytes(8, "big", signed=True) + \
            b"describe-cache-refresh-request"
        ed25519.Ed25519PublicKey.from_public_bytes(pk).verify(sig, pt)
    except InvalidSignature:
        return ident, "badsig"
    except (KeyError, TypeError, ValueError, OverflowError):
        return None, "malformed"
    now = int(time.time())
    if ts > now or ts + 30 < now:
        return ident, "stale"
    return ident, "ok"


def serve(n, portfile, cert=None, key=None):
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), Handler)
               for _ in range(n)]
    if cert is not None:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        for srv in servers:
            srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        SCHEME[0] = "https"
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
    elif len(sys.argv) == 6 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
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
