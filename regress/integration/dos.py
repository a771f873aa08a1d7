#!/usr/bin/env python3
"""Hostile peers for regress/integration/dos.sh (issue 20), one attack per
subcommand, each bounded in connections and time.  Results are printed
as "key value" lines for the shell to check.

    dos.py ATTACK ARGS...   (see the functions below)

Source addresses are chosen with bind() on 127.0.0.0/8, so "another
address" is another loopback address.
"""
import json
import os
import re
import select
import socket
import struct
import sys
import time

WS_KEY = "dGhlIHNhbXBsZSBub25jZQ=="


def conn(port, src="127.0.0.1", timeout=5.0, rcvbuf=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        # A slow reader's window: what the gateway sends stays with it
        # instead of in a loopback socket buffer of 32 MB.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((src, 0))
    s.settimeout(timeout)
    s.connect(("127.0.0.1", port))
    return s


def upgrade(s):
    s.sendall(("GET / HTTP/1.1\r\nHost: gw\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n" % WS_KEY).encode())
    head = b""
    while b"\r\n\r\n" not in head:
        b = s.recv(4096)
        if not b:
            raise OSError("closed during the upgrade")
        head += b
    if b" 101 " not in head.split(b"\r\n")[0]:
        raise OSError("upgrade refused: %r" % head[:40])


def frame(opcode, payload=b"", fin=True, mask=True, length=None):
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | opcode
    m = 0x80 if mask else 0
    if n < 126:
        hdr = struct.pack("!BB", b0, m | n)
    elif n < 65536:
        hdr = struct.pack("!BBH", b0, m | 126, n)
    else:
        hdr = struct.pack("!BBQ", b0, m | 127, n)
    if not mask:
        return hdr + payload
    key = b"\x01\x02\x03\x04"
    return hdr + key + bytes(c ^ key[i % 4] for i, c in enumerate(payload))


def closed_by_peer(s, wait):
    """Whether the peer closed within wait seconds: 'fin', 'rst' or ''.
    Reads (and drops) whatever comes meanwhile."""
    end = time.time() + wait
    s.setblocking(False)
    while time.time() < end:
        r, _, _ = select.select([s], [], [],
                                min(0.2, max(0, end - time.time())))
        if not r:
            continue
        try:
            if not s.recv(65536):
                return "fin"
        except BlockingIOError:
            continue
        except ConnectionResetError:
            return "rst"
    return ""


def read_close(s, wait):
    """The status code of the close frame the peer sends (None if none)
    and how the TCP connection ended ('fin', 'rst', or '' if open)."""
    end = time.time() + wait
    buf = b""
    s.setblocking(False)
    code = None
    while time.time() < end:
        r, _, _ = select.select([s], [], [],
                                min(0.2, max(0, end - time.time())))
        if not r:
            continue
        try:
            b = s.recv(65536)
        except BlockingIOError:
            continue
        except ConnectionResetError:
            return code, "rst"
        if not b:
            return code, "fin"
        buf += b
        while len(buf) >= 2:
            op, ln = buf[0] & 0x0F, buf[1] & 0x7F
            off = 2
            if ln == 126:
                ln, off = struct.unpack("!H", buf[2:4])[0], 4
            elif ln == 127:
                ln, off = struct.unpack("!Q", buf[2:10])[0], 10
            if len(buf) < off + ln:
                break
            if op == 8 and ln >= 2:
                code = struct.unpack("!H", buf[off:off + 2])[0]
            buf = buf[off + ln:]
    return code, ""


def preauth_pings(port, count, hold):
    """Upgrade, send count pings, read nothing, hold: dropped or not."""
    s = conn(port, rcvbuf=4096)
    upgrade(s)
    s.setblocking(False)
    # 125 bytes, the most a control frame carries: each pong costs the
    # gateway 127 bytes of output.
    sent, ping = 0, frame(0x9, os.urandom(125))
    stalled = time.time()
    while sent < count and time.time() - stalled < 2:
        try:
            s.send(ping)
            sent += 1
            stalled = time.time()
        except BlockingIOError:
            select.select([], [s], [], 0.1)
        except OSError:
            break
    print("pings", sent)
    print("closed", "yes" if dropped(s, hold, ping) else "no")


def dropped(s, wait, frame_bytes):
    """Whether the peer dropped us within wait s, without reading what it
    sent (a FIN waits behind that): a frame written to a closed
    connection draws a reset, and the next write fails."""
    end = time.time() + wait
    while time.time() < end:
        try:
            s.send(frame_bytes)
        except BlockingIOError:
            pass
        except OSError:
            return True
        time.sleep(0.2)
    return False


def fragments(port, conns, frags):
    """Each connection: one text message in frags one-byte fragments,
    never finished.  How many got close 1009 and a clean end."""
    got, clean = 0, 0
    socks = []
    for i in range(conns):
        # Spread over addresses: each has a share of handshake slots.
        s = conn(port, "127.0.3.%d" % (1 + i // 4))
        upgrade(s)
        socks.append(s)
    for s in socks:
        data = frame(0x1, b"{", fin=False)
        data += frame(0x0, b" ", fin=False) * frags
        s.setblocking(False)
        try:
            s.sendall(data)
        except (BlockingIOError, OSError):
            pass
    for s in socks:
        code, end = read_close(s, 3)
        got += code == 1009
        clean += end == "fin"
        s.close()
    print("close_1009", got)
    print("clean_end", clean)


def preauth_drip(port, conns, addrs, interval, secs):
    """conns unauthenticated connections from addrs addresses, each
    sending supportedProtocol every interval s for secs s: the age at
    which each was dropped (-1 if still open)."""
    msg = frame(0x1, json.dumps({"type": "supportedProtocol"}).encode())
    socks, ages = [], []
    t0 = time.time()
    for i in range(conns):
        try:
            s = conn(port, "127.0.1.%d" % (1 + i % addrs))
            upgrade(s)
            s.setblocking(False)
            socks.append([s, time.time(), None])
        except OSError:
            ages.append(0)
    last = 0
    while time.time() - t0 < secs:
        now = time.time()
        send = now - last >= interval
        if send:
            last = now
        for e in socks:
            if e[2] is not None:
                continue
            try:
                if send:
                    e[0].send(msg)
                while True:
                    if not e[0].recv(65536):
                        e[2] = time.time() - e[1]
                        break
            except BlockingIOError:
                pass
            except OSError:
                e[2] = time.time() - e[1]
        time.sleep(0.2)
    for e in socks:
        ages.append(e[2] if e[2] is not None else -1)
        e[0].close()
    print("refused", sum(1 for a in ages if a == 0))
    print("still_open", sum(1 for a in ages if a == -1))
    done = [a for a in ages if a > 0]
    print("max_age", "%.1f" % (max(done) if done else 0))


def mix_drip(port, src, interval, secs):
    """Half a v7 frame header, then a byte every interval s: when the
    gateway closes, counted from the first byte."""
    s = conn(port, src)
    t0 = time.time()
    s.send(b"\x07\x01")
    s.setblocking(False)
    while time.time() - t0 < secs:
        if closed_by_peer(s, interval):
            print("closed_after", "%.1f" % (time.time() - t0))
            return
        try:
            s.send(b"\x00")
        except OSError:
            print("closed_after", "%.1f" % (time.time() - t0))
            return
    print("closed_after", -1)


def mix_stream(port, src, secs):
    """A busy peer: v7 frames of a regular packet (noise, so dropped at
    its MAC) written for secs s in chunks of a frame and a half and 7
    bytes, so that nearly every read ends inside a frame.  Prints how
    many frames went out and whether the gateway closed the stream."""
    flen = 3 + 2413
    chunk = flen + flen // 2 + 7
    data = (b"\x07\x01\x00" + os.urandom(2413)) * 4
    s = conn(port, src)
    t0, sent = time.time(), 0
    closed = ""
    while time.time() - t0 < secs:
        off = sent % flen
        try:
            s.sendall(data[off:off + chunk])
        except OSError:
            closed = "send"
            break
        sent += chunk
        closed = closed_by_peer(s, 0.02)
        if closed:
            break
    print("frames", sent // flen)
    print("closed", closed or "no")


def mix_hold(port, src, conns, secs, ready):
    """conns mix connections from src, dripping a byte every 2 s for
    secs s; writes ready when all are open; prints how many the gateway
    refused or dropped."""
    socks, refused = [], 0
    for _ in range(conns):
        try:
            s = conn(port, src, timeout=2)
            s.setblocking(False)
            socks.append(s)
        except OSError:
            refused += 1
    open(ready, "w").write("ok\n")
    t0, dropped = time.time(), 0
    while time.time() - t0 < secs:
        for s in list(socks):
            try:
                s.send(b"\x07")
                if s.recv(1, socket.MSG_PEEK) == b"":
                    socks.remove(s)
                    dropped += 1
            except BlockingIOError:
                pass
            except OSError:
                socks.remove(s)
                dropped += 1
        time.sleep(2)
    print("opened", conns - refused)
    print("dropped", dropped + refused)


def http_hold(port, src, conns, secs, ready):
    """conns connections from src that never send a request."""
    socks = []
    for _ in range(conns):
        try:
            socks.append(conn(port, src, timeout=2))
        except OSError:
            pass
    open(ready, "w").write("ok\n")
    time.sleep(secs)
    print("held", len(socks))


def http_probe(port, src, n):
    """n GET /api/v1/health from src: how many were answered 200."""
    ok = 0
    for _ in range(n):
        try:
            s = conn(port, src, timeout=3)
            s.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: gw\r\n\r\n")
            data = b""
            while True:
                b = s.recv(4096)
                if not b:
                    break
                data += b
            ok += data.startswith(b"HTTP/1.1 200")
            s.close()
        except OSError:
            pass
    print("answered", ok)


def http_slowloris(port, conns, addrs, secs):
    """conns connections sending a request one byte every 2 s: the age
    at which the gateway closed each (-1 if it did not)."""
    req = b"GET /api/v1/health HTTP/1.1\r\nHost: " + b"x" * 200
    socks = []
    for i in range(conns):
        try:
            s = conn(port, "127.0.2.%d" % (1 + i % addrs), timeout=2)
            s.setblocking(False)
            socks.append([s, time.time(), None, 0])
        except OSError:
            pass
    t0 = time.time()
    while time.time() - t0 < secs:
        for e in socks:
            if e[2] is not None:
                continue
            try:
                e[0].send(req[e[3]:e[3] + 1])
                e[3] += 1
                if e[0].recv(1, socket.MSG_PEEK) == b"":
                    e[2] = time.time() - e[1]
            except BlockingIOError:
                pass
            except OSError:
                e[2] = time.time() - e[1]
        time.sleep(2)
    ages = [e[2] if e[2] is not None else -1 for e in socks]
    print("opened", len(socks))
    print("still_open", sum(1 for a in ages if a == -1))
    done = [a for a in ages if a >= 0]
    print("max_age", "%.1f" % (max(done) if done else 0))


def imsg_consts(top):
    """IMSG_CTL_STATUS's number and GW_IMSG_VERSION, read from the
    contract itself so the test follows it."""
    text = open(os.path.join(top, "common/gw_imsg.h")).read()
    version = int(re.search(r"#define GW_IMSG_VERSION\s+(\d+)", text)
                  .group(1))
    body = text[text.index("enum gw_imsg_type {"):]
    body = body[:body.index("};")]
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    names = [n.strip() for n in body[body.index("{") + 1:].split(",")]
    return names.index("IMSG_CTL_STATUS"), version


def control_flood(top, path, count, hold):
    """count STATUS requests on the control socket, replies never read:
    whether the master dropped the connection."""
    typ, version = imsg_consts(top)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.setblocking(False)
    req = struct.pack("=IIII", typ, 16, version, os.getpid())
    sent = 0
    stalled = time.time()
    while sent < count and time.time() - stalled < 2:
        try:
            n = s.send(req * 256)
            sent += n // 16
            stalled = time.time()
        except BlockingIOError:
            select.select([], [s], [], 0.1)
        except OSError:
            break
    print("requests", sent)
    end = time.time() + hold
    closed = "no"
    while time.time() < end:
        try:
            s.send(req)
        except BlockingIOError:
            pass
        except OSError:
            closed = "yes"
            break
        time.sleep(0.5)
    print("closed", closed)


def control_idle(path, n, ready, secs):
    socks = []
    for _ in range(n):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(path)
        socks.append(s)
    open(ready, "w").write("ok\n")
    time.sleep(secs)
    print("held", len(socks))


def close_codes(port):
    """Protocol errors end with the code RFC 6455 names, then a clean
    close of the TCP connection."""
    cases = [
        ("unmasked", frame(0x1, b"{}", mask=False)),
        ("bad_utf8", frame(0x1, b"\xff\xfe\xfd")),
        ("too_big", frame(0x1, length=70000) + b"x" * 200),
        ("bad_opcode", frame(0x3, b"x")),
    ]
    for name, data in cases:
        s = conn(port)
        upgrade(s)
        s.sendall(data)
        code, end = read_close(s, 3)
        print(name, code, end or "open")
        s.close()


def main():
    a = sys.argv[1:]
    cmd = a[0]
    if cmd == "preauth-pings":
        preauth_pings(int(a[1]), int(a[2]), float(a[3]))
    elif cmd == "fragments":
        fragments(int(a[1]), int(a[2]), int(a[3]))
    elif cmd == "preauth-drip":
        preauth_drip(int(a[1]), int(a[2]), int(a[3]), float(a[4]),
                     float(a[5]))
    elif cmd == "mix-drip":
        mix_drip(int(a[1]), a[2], float(a[3]), float(a[4]))
    elif cmd == "mix-stream":
        mix_stream(int(a[1]), a[2], float(a[3]))
    elif cmd == "mix-hold":
        mix_hold(int(a[1]), a[2], int(a[3]), float(a[4]), a[5])
    elif cmd == "http-hold":
        http_hold(int(a[1]), a[2], int(a[3]), float(a[4]), a[5])
    elif cmd == "http-probe":
        http_probe(int(a[1]), a[2], int(a[3]))
    elif cmd == "http-slowloris":
        http_slowloris(int(a[1]), int(a[2]), int(a[3]), float(a[4]))
    elif cmd == "control-flood":
        control_flood(a[1], a[2], int(a[3]), float(a[4]))
    elif cmd == "control-idle":
        control_idle(a[1], int(a[2]), a[3], float(a[4]))
    elif cmd == "close-codes":
        close_codes(int(a[1]))
    else:
        sys.exit("dos.py: unknown attack " + cmd)


if __name__ == "__main__":
    main()
