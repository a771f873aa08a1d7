#!/usr/bin/env python3
# Named seeds for the fuzz corpus (regress/fuzz/corpus/NAME/), made from
# real traffic and the test suite's own inputs, each in its harness's
# input layout (the comment at the top of regress/fuzz/fuzz_NAME.c):
#
#   common_sphinx    the packets Nym's own client sent, at every hop
#                    (regress/vectors/sphinx-real-client.json; the
#                    harness's captured mode holds those nodes' keys)
#   common_mixframe  the same packets framed v7 and v8 as a mix port
#                    reads them
#   clientd_session  the WebSocket session Nym's client opened
#                    (regress/vectors/client-handshake.json), masked
#                    client frames after the HTTP upgrade; each JSON
#                    request clientd knows in an authenticated session
#   common_config    every YAML of regress/config and etc/
#   credd_ecash      the committed tickets (regress/vectors/ecash),
#                    parsed and verified
#   apid_node_api    a GET of every route apid serves
#
# Run from the top of the tree; it (re)writes only the files it names,
# so it is safe to run again.  make fuzz-merge keeps named seeds.
import glob
import json
import os
import struct

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
CORPUS = os.path.join(TOP, 'regress/fuzz/corpus')


def put(harness, name, data):
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


def vector(path):
    with open(os.path.join(TOP, 'regress/vectors', path)) as f:
        return json.load(f)


def ws_frame(opcode, payload, mask=b'\x37\xa1\x5c\x02', fin=True):
    """A client frame: masked, as RFC 6455 requires of clients."""
    b0 = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n <= 125:
        hdr = bytes([b0, 0x80 | n])
    elif n <= 0xffff:
        hdr = bytes([b0, 0x80 | 126]) + struct.pack('>H', n)
    else:
        hdr = bytes([b0, 0x80 | 127]) + struct.pack('>Q', n)
    body = bytes(c ^ mask[i & 3] for i, c in enumerate(payload))
    return hdr + mask + body


UPGRADE = (b'GET / HTTP/1.1\r\nHost: 127.0.0.1:9000\r\n'
           b'Upgrade: websocket\r\nConnection: Upgrade\r\n'
           b'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n'
           b'Sec-WebSocket-Version: 13\r\n\r\n')

REQUESTS = {
    'supported-protocol': {'type': 'supportedProtocol'},
    'claim-free': {'type': 'claimFreeTestnetBandwidth'},
    'ecash-credential': {'type': 'ecashCredential',
                         'enc_credential': list(range(64)),
                         'iv': [0] * 12},
    'encrypted-forget': {'type': 'encryptedRequest',
                         'ciphertext': list(range(40)),
                         'nonce': [0] * 12},
    'upgrade-jwt': {'type': 'upgradeModeJWT',
                    'token': 'eyJhbGciOiJFUzI1NiJ9.e30.AAAA'},
    'authenticate-legacy': {'type': 'authenticate', 'address': 'x',
                            'enc_address': 'y', 'iv': 'z'},
    'bandwidth-v1': {'type': 'bandwidthCredential', 'enc_credential': [],
                     'iv': []},
    'handshake-in-session': {'type': 'registerHandshakeInitRequest',
                             'protocol_version': 3, 'data': [1, 2, 3]},
    'authenticate-v2-in-session': {'type': 'authenticateV2'},
}


def clientd_session():
    hs = vector('client-handshake.json')
    texts = [s['text'].encode() for s in hs['steps']
             if s['dir'] == 'client->gw' and 'text' in s]
    # Even byte 0: the stream starts at the HTTP upgrade.
    put('clientd_session', 'real-handshake',
        b'\x00' + UPGRADE + b''.join(ws_frame(1, t) for t in texts))
    # The same messages fragmented (continuation frames).
    frag = b''
    for t in texts[:2]:
        h = len(t) // 2
        frag += ws_frame(1, t[:h], fin=False) + ws_frame(0, t[h:])
    put('clientd_session', 'real-handshake-fragmented',
        b'\x00' + UPGRADE + frag + ws_frame(9, b'ping') +
        ws_frame(8, b'\x03\xe8bye'))
    # Odd byte 0: an authenticated session; bit 1, with bandwidth.
    for name, req in REQUESTS.items():
        put('clientd_session', 'ready-' + name,
            b'\x03' + ws_frame(1, json.dumps(req).encode()))
    put('clientd_session', 'ready-all-requests',
        b'\x03' + b''.join(ws_frame(1, json.dumps(r).encode())
                           for r in REQUESTS.values()))


def sphinx_packets():
    """(name, packet) for every hop of every captured packet."""
    v = vector('sphinx-real-client.json')
    for i, p in enumerate(v['packets']):
        pkt = bytes.fromhex(p['packet_hex'])
        yield 'real-p%d-at-%s' % (i, p['first_hop'].split(':')[1]), pkt
        for hop in p['hops']:
            if 'out_packet_hex' in hop and hop.get('next_hop'):
                yield ('real-p%d-at-%s' % (i, hop['next_hop'].split(':')[1]),
                       bytes.fromhex(hop['out_packet_hex']))


SIZE_INDEX = {386: 0, 2413: 1, 8557: 2, 16749: 3, 33133: 4}
SIZE_TAG = {2413: 1, 386: 2, 33133: 3, 8557: 4, 16749: 5}


def common_sphinx():
    for name, pkt in sphinx_packets():
        # Bits 0-2: the size, bit 4: the captured nodes' keys.
        put('common_sphinx', name, bytes([0x10 | SIZE_INDEX[len(pkt)]]) +
            pkt)


def common_mixframe():
    pkts = list(sphinx_packets())
    for name, pkt in pkts[:2]:
        put('common_mixframe', name + '-v7',
            bytes([7, SIZE_TAG[len(pkt)], 0]) + pkt)
        put('common_mixframe', name + '-v8',
            bytes([8, SIZE_TAG[len(pkt)], 0, 1]) + pkt)


def common_config():
    for y in sorted(glob.glob(os.path.join(TOP, 'regress/config/*.yaml'))):
        with open(y, 'rb') as f:
            put('common_config', 'test-' + os.path.basename(y), f.read())
    for y in sorted(glob.glob(os.path.join(TOP, 'etc/*.yaml'))):
        with open(y, 'rb') as f:
            put('common_config', 'etc-' + os.path.basename(y), f.read())


def credd_ecash():
    t = vector('ecash/tickets.json')
    for i, tk in enumerate(t['tickets']):
        b = bytes.fromhex(tk['bytes'])
        put('credd_ecash', 'ticket%d-parse' % i, b'\x00' + b)
        put('credd_ecash', 'ticket%d-verify' % i, b'\x03' + b)


def apid_node_api():
    routes = ['/api/v1/health', '/api/v1/host-information',
              '/api/v1/build-information', '/api/v1/roles',
              '/api/v1/gateway/client-interfaces/mixnet-websockets',
              '/api/v1/metrics/verloc', '/api/v1/auxiliary-details',
              '/api/v1/gateway', '/api/v1/load',
              '/api/v1/metrics/packets-stats', '/api/v1/metrics/mixing',
              '/api/v1/metrics/sessions', '/api/v1/metrics/prometheus']
    for r in routes:
        name = r.strip('/').replace('/', '-')
        put('apid_node_api', 'get-' + name,
            ('GET %s?output=json HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n'
             'User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n' % r).encode())


for gen in (clientd_session, common_sphinx, common_mixframe, common_config,
            credd_ecash, apid_node_api):
    gen()
