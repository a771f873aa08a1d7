#!/usr/bin/env python3
"""A loopback DNS server for tests only: UDP, one zone of A records.

    stub_dns.py ADDR PORT NAME=IP [NAME=IP ...]

Answers an A query for each NAME with its IP (TTL 1 s), an AAAA query
for a known name with no records (NODATA), anything else NXDOMAIN.
Prints "listening" once bound; every query is logged to stderr.
"""
import socket
import struct
import sys


def parse_qname(msg, off):
    labels = []
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            return ".".join(labels).lower(), off
        if n & 0xC0:
            raise ValueError("compression in a question")
        labels.append(msg[off:off + n].decode("ascii"))
        off += n


def answer(msg, zone):
    qid, flags, qd = struct.unpack(">HHH", msg[:6])
    if qd != 1:
        return None
    name, off = parse_qname(msg, 12)
    qtype, qclass = struct.unpack(">HH", msg[off:off + 4])
    question = msg[12:off + 4]
    rd = flags & 0x0100
    if name not in zone:
        hdr = struct.pack(">HHHHHH", qid, 0x8000 | 0x0400 | rd | 0x80 | 3,
                          1, 0, 0, 0)
        return hdr + question
    records = b""
    count = 0
    if qtype == 1 and qclass == 1:
        records = (b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 1, 4) +
                   socket.inet_aton(zone[name]))
        count = 1
    hdr = struct.pack(">HHHHHH", qid, 0x8000 | 0x0400 | rd | 0x80, 1,
                      count, 0, 0)
    return hdr + question + records


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    zone = {}
    for arg in sys.argv[3:]:
        name, ip = arg.split("=", 1)
        zone[name.lower().rstrip(".")] = ip
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    print("listening", flush=True)
    while True:
        msg, peer = s.recvfrom(4096)
        try:
            reply = answer(msg, zone)
        except (ValueError, IndexError, struct.error, UnicodeError):
            reply = None
        try:
            name = parse_qname(msg, 12)[0]
        except (ValueError, IndexError, UnicodeError):
            name = "?"
        print("query %s from %s: %s" % (name, peer[0],
              "answered" if reply else "dropped"), file=sys.stderr,
              flush=True)
        if reply:
            s.sendto(reply, peer)


if __name__ == "__main__":
    main()
