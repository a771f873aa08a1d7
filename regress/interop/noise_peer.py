#!/usr/bin/python3
"""An independent Noise peer for common/noise.c: dissononce (Debian's
python3-dissononce) playing Nym's Noise_XKpsk3_25519_AESGCM_SHA256 with
Nym's 8-byte frames (spec sphinx-mixport.md 6.3), over stdin/stdout.

    noise_peer.py responder SK_HEX [PSK_HEX]
    noise_peer.py initiator SK_HEX RS_HEX [PSK_HEX]

PSK_HEX overrides the Nym PSK (to test a wrong one).  After the
handshake the peer sends one data frame, b"hash:" + handshake hash, then
answers every data frame it receives with one whose plaintext is
SHA-256 of the received plaintext, until end of input.  Exit status 0
only if everything verified; the reason for a failure goes to stderr.
Run with /usr/bin/python3: a pyenv python does not see dist-packages.
"""
import hashlib
import struct
import sys

from dissononce.cipher.aesgcm import AESGCMCipher
from dissononce.dh.x25519.private import PrivateKey
from dissononce.dh.x25519.public import PublicKey
from dissononce.dh.x25519.x25519 import X25519DH
from dissononce.hash.sha256 import SHA256Hash
from dissononce.processing.handshakepatterns.interactive.XK import \
    XKHandshakePattern
from dissononce.processing.impl.cipherstate import CipherState
from dissononce.processing.impl.handshakestate import HandshakeState
from dissononce.processing.impl.symmetricstate import SymmetricState
from dissononce.processing.modifiers.psk import PSKPatternModifier

VERSION = 1
PATTERN_XKPSK3 = 1
HANDSHAKE, DATA = 0, 1
PSK_PREFIX = b"NYMTECH_NOISE_dQw4w9WgXcQ"

rd = sys.stdin.buffer
wr = sys.stdout.buffer


def die(why):
    sys.stderr.write("noise_peer: %s\n" % why)
    sys.exit(1)


def read_exact(n):
    buf = b""
    while len(buf) < n:
        chunk = rd.read(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def read_frame(want_type):
    hdr = read_exact(8)
    if hdr is None:
        return None
    version, pattern, ftype, length = struct.unpack(">BBBH", hdr[:5])
    if version != VERSION or pattern != PATTERN_XKPSK3 or ftype != want_type:
        die("unexpected frame header %s" % hdr.hex())
    if hdr[5:] != b"\0\0\0":
        die("reserved bytes not zero: %s" % hdr.hex())
    body = read_exact(length)
    if body is None:
        die("short frame body")
    return body


def write_frame(ftype, body):
    wr.write(struct.pack(">BBBH", VERSION, PATTERN_XKPSK3, ftype, len(body))
             + b"\0\0\0" + body)
    wr.flush()


def main():
    if len(sys.argv) < 3:
        die("usage: noise_peer.py initiator|responder SK [RS] [PSK]")
    role = sys.argv[1]
    initiator = role == "initiator"
    dh = X25519DH()
    s = dh.generate_keypair(PrivateKey(bytes.fromhex(sys.argv[2])))
    rest = sys.argv[3:]
    rs = None
    if initiator:
        rs = PublicKey(bytes.fromhex(rest.pop(0)))
        responder_pub = rs.data
    else:
        responder_pub = s.public.data
    psk = hashlib.sha256(PSK_PREFIX + responder_pub).digest()
    if rest:
        psk = bytes.fromhex(rest.pop(0))

    hs = HandshakeState(SymmetricState(CipherState(AESGCMCipher()),
                                       SHA256Hash()), dh)
    pattern = PSKPatternModifier(3).modify(XKHandshakePattern())
    hs.initialize(pattern, initiator, b"", s=s, rs=rs, psks=(psk,))
    if hs.protocol_name != "Noise_XKpsk3_25519_AESGCM_SHA256":
        die("protocol name %s" % hs.protocol_name)

    result = None
    for i in range(3):
        if (i % 2 == 0) == initiator:
            buf = bytearray()
            result = hs.write_message(b"", buf)
            write_frame(HANDSHAKE, bytes(buf))
        else:
            body = read_frame(HANDSHAKE)
            if body is None:
                die("eof in handshake")
            payload = bytearray()
            try:
                result = hs.read_message(body, payload)
            except Exception as e:
                die("handshake message %d: %r" % (i + 1, e))
            if payload:
                die("non-empty handshake payload")
    if result is None:
        die("no split")
    # Split: first is initiator -> responder.
    send, recv = result if initiator else (result[1], result[0])
    h = hs.symmetricstate.get_handshake_hash()
    write_frame(DATA, send.encrypt_with_ad(b"", b"hash:" + h))
    while True:
        body = read_frame(DATA)
        if body is None:
            break
        try:
            pt = recv.decrypt_with_ad(b"", body)
        except Exception as e:
            die("transport decrypt: %r" % e)
        write_frame(DATA, send.encrypt_with_ad(b"",
                                               hashlib.sha256(pt).digest()))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:
        # The C side hangs up on purpose in the failure tests.
        die("the other side closed the connection")
