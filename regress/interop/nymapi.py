#!/usr/bin/env python3
"""A loopback nym-api for interop tests: serves the five routes Nym's
client asks at start-up (nym-client-interop.md), describing our gateway
as the only entry gateway and the given mix nodes as layers 1-3, and the
semi-skimmed node list gatewayd's credd builds mixd's topology from
(client-protocol.md 8.2), with the same nodes and no Noise keys (so every
mix connection stays raw TCP, as tool_mixnode speaks).

  nymapi.py PORTFILE GW_ID GW_SPHINX WS_PORT MIX_PORT [ID:SPHINX:PORT ...]

Binds an ephemeral loopback port and writes it to PORTFILE.  Mix nodes
not given are placeholders (the route then must not use them)."""
import json
import sys
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer

portfile, gw_id, gw_sphinx, ws_port, mix_port = sys.argv[1:6]
mixes = [m.split(":") for m in sys.argv[6:]]
NOW = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
ROLES = {"mixnode": False, "entry": True, "exit_nr": False, "exit_ipr": False}
META = {"status": None, "absolute_epoch_id": 1, "rotation_id": 0,
        "refreshed_at": NOW}

# Placeholder keys (seeds 01.., 07.. repeated): never routed through.
PLACEHOLDER_ID = ["AKnL4NNf3DGWZJS6cPknBuEGnVsV4A4m5tgebLHaRSZ9", "9hSR6S7WPtxmTojgo6GG3k4yDPecgJY292j7xrsUGWBu", "GyGKxMyg1p9SsHfm15MkNUu1u9TN2JtTspcdmrtGUdse"]
PLACEHOLDER_SX = ["2L54SXdEHm5mraF2X2GPid3m4PSkwVehEvhk487mWTx8", "4MX4fp3bo7c6LQGTR3YFx5G9FJdvZt559izUyNzyYMqj", "6uxR2WbyYnEYXJSsTnkTzmgdCFM6ZgiDW727dtn4SCf2"]


def gateway():
    return {"node_id": 100, "ed25519_identity_pubkey": gw_id,
            "ip_addresses": ["127.0.0.1"], "mix_port": int(mix_port),
            "x25519_sphinx_pubkey": gw_sphinx, "role": "EntryGateway",
            "supported_roles": ROLES,
            "entry": {"hostname": None, "ws_port": int(ws_port),
                      "wss_port": None},
            "performance": "1"}


def mixnode(layer):
    if layer <= len(mixes):
        ident, sphinx, port = mixes[layer - 1]
    else:
        ident, sphinx, port = PLACEHOLDER_ID[layer - 1], \
            PLACEHOLDER_SX[layer - 1], 9
    return {"node_id": layer, "ed25519_identity_pubkey": ident,
            "ip_addresses": ["127.0.0.1"], "mix_port": int(port),
            "x25519_sphinx_pubkey": sphinx,
            "role": {"Mixnode": {"layer": layer}},
            "supported_roles": {"mixnode": True, "entry": False,
                                "exit_nr": False, "exit_ipr": False},
            "entry": None, "performance": "1"}


def semi(node):
    return {"basic": node, "x25519_noise_versioned_key": None}


def page(nodes):
    return {"metadata": META, "nodes": {"pagination": {
        "total": len(nodes), "page": 0, "size": len(nodes)},
        "data": nodes}}


ROUTES = {
    "/v1/epoch/key-rotation-info": {
        "key_rotation_state": {"validity_epochs": 24, "initial_epoch_id": 0},
        "current_absolute_epoch_id": 1, "current_epoch_start": NOW,
        "epoch_duration": {"secs": 3600, "nanos": 0},
        "progress": {"current_key_rotation_id": 0,
                     "current_rotation_starting_epoch": 0,
                     "current_rotation_ending_epoch": 24}},
    "/v1/nym-nodes/rewarded-set": {
        "epoch_id": 1, "entry_gateways": [100], "exit_gateways": [],
        "layer1": [1], "layer2": [2], "layer3": [3], "standby": []},
    "/v2/unstable/nym-nodes/skimmed/entry-gateways": page([gateway()]),
    "/v2/unstable/nym-nodes/skimmed/mixnodes/active":
        page([mixnode(1), mixnode(2), mixnode(3)]),
    "/v2/unstable/nym-nodes/semi-skimmed":
        page([semi(gateway())] +
             [semi(mixnode(layer)) for layer in (1, 2, 3)]),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = ROUTES.get(self.path.split("?")[0])
        if body is None:
            self.send_response(404)
            data = b'{"message":"not found"}'
        else:
            self.send_response(200)
            data = json.dumps(body).encode()
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, fmt, *args):
        sys.stderr.write("nymapi: " + (fmt % args) + "\n")


srv = HTTPServer(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
