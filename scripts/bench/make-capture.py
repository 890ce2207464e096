#!/usr/bin/env python3
"""Writes a large synthetic capture for the passive-discovery benchmark.

Bulk TCP transfers (web-like downloads), small request/response chatter and UDP datagrams make up most
of the bytes; inside them, database conversations replayed from real captures in ../shared/testdata,
each one moved to its own server address and a random port, so that every replay is a distinct database
a sniffer should report. The flows are interleaved, as on a busy link.

Usage: make-capture.py OUT.pcap --bytes N [--testdata DIR] [--seed S]
Prints a JSON summary (packets, bytes, and the expected findings by product) on stdout.
"""

import argparse
import json
import random
import struct
import sys
from collections import Counter
from pathlib import Path

# Real database conversations, with the product a sniffer should report for each replay.
TEMPLATES = [
    ("captures/pg15-login-ok-md5-select-version.pcap", "postgresql"),
    ("captures/mariadb10.11-login-ok-select-version.pcap", "mariadb"),
    ("captures/redis7.0-info-resp2.pcap", "redis"),
    ("public-traces/arkime/tds7.pcap", "sqlserver"),
    ("public-traces/zeek/mysql/mysql.pcap", "mysql"),
    ("public-traces/zeek/mysql/caching_sha2_password.pcap", "mysql"),
    ("public-traces/arkime/postgres-good.pcap", "postgresql"),
    ("public-traces/nDPI/drda_db2.pcap", "db2"),
]

MSS = 1448
PACKET_GAP_US = 3000  # spreads the file over an hour or so of capture time, so idle eviction happens


def read_pcap(path):
    """Yields (link type, frame) of a classic pcap file."""
    data = path.read_bytes()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        endian = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        endian = ">"
    else:
        raise SystemExit(f"{path}: not a classic pcap file")
    link = struct.unpack(endian + "I", data[20:24])[0] & 0xFFFF
    offset = 24
    while offset + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[offset + 8 : offset + 12])[0]
        yield link, data[offset + 16 : offset + 16 + caplen]
        offset += 16 + caplen


def ip_payload(link, frame):
    """The IPv4 packet inside a frame, or None."""
    if link == 1:
        offset, ethertype = 14, struct.unpack("!H", frame[12:14])[0]
        while ethertype in (0x8100, 0x88A8) and len(frame) >= offset + 4:
            ethertype = struct.unpack("!H", frame[offset + 2 : offset + 4])[0]
            offset += 4
        return frame[offset:] if ethertype == 0x0800 else None
    if link in (0, 108):
        return frame[4:]
    if link == 113:
        return frame[16:] if struct.unpack("!H", frame[14:16])[0] == 0x0800 else None
    if link in (101, 12, 228):
        return frame
    return None


def conversation(path):
    """The first TCP connection with a SYN in a capture: [(from_client, payload), ...] in capture order."""
    client = None
    turns = []
    for link, frame in read_pcap(path):
        ip = ip_payload(link, frame)
        if ip is None or len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
            continue
        header = (ip[0] & 0x0F) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        tcp = ip[header:total]
        if len(tcp) < 20:
            continue
        source = (ip[12:16], tcp[0:2])
        flags = tcp[13]
        if client is None and flags & 0x12 == 0x02:
            client = source
        payload = tcp[(tcp[12] >> 4) * 4 :]
        if client is not None and payload:
            turns.append((source == client, bytes(payload)))
    if client is None or not turns:
        raise SystemExit(f"{path}: no TCP conversation with a SYN")
    return turns


class Writer:
    """Ethernet frames into a classic pcap file, with a steadily advancing clock."""

    def __init__(self, out):
        self.out = out
        self.out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.clock_us = 1_700_000_000 * 1_000_000
        self.packets = 0
        self.bytes = 0

    def frame(self, body):
        self.clock_us += PACKET_GAP_US
        frame = b"\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00" + body
        self.out.write(struct.pack("<IIII", self.clock_us // 1_000_000, self.clock_us % 1_000_000, len(frame), len(frame)))
        self.out.write(frame)
        self.packets += 1
        self.bytes += len(frame) + 16

    def ipv4(self, source, destination, protocol, payload, ttl=64):
        header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, ttl, protocol, 0, source, destination)
        self.frame(header + payload)


SYN_OPTIONS = b"\x02\x04\x05\xb4\x04\x02\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x00\x01\x03\x03\x07"
SYNACK_OPTIONS = b"\x02\x04\x05\xb4\x04\x02\x08\x0a\x00\x00\x00\x02\x00\x00\x00\x01\x01\x03\x03\x07"


class TCPFlow:
    """One connection, advanced a packet at a time so flows can be interleaved."""

    def __init__(self, client, server, turns, is_database):
        self.client, self.server, self.is_database = client, server, is_database
        self.seq = {True: random.getrandbits(32), False: random.getrandbits(32)}
        self.steps = self._steps(turns)

    def _steps(self, turns):
        yield True, 0x02, b"", SYN_OPTIONS
        yield False, 0x12, b"", SYNACK_OPTIONS
        yield True, 0x10, b"", b""
        for from_client, payload in turns:
            for start in range(0, len(payload), MSS):
                yield from_client, 0x18, payload[start : start + MSS], b""
            yield not from_client, 0x10, b"", b""
        yield True, 0x11, b"", b""
        yield False, 0x11, b"", b""
        yield True, 0x10, b"", b""

    def emit(self, writer):
        """Writes the next packet; False when the flow is over."""
        step = next(self.steps, None)
        if step is None:
            return False
        from_client, flags, payload, options = step
        (src, sport), (dst, dport) = (self.client, self.server) if from_client else (self.server, self.client)
        ack = self.seq[not from_client] if flags & 0x10 else 0
        window = 65160 if flags & 0x02 else 502
        offset = (20 + len(options)) // 4 << 4
        header = struct.pack("!HHIIBBHHH", sport, dport, self.seq[from_client], ack, offset, flags, window, 0, 0)
        writer.ipv4(src, dst, 6, header + options + payload)
        self.seq[from_client] = (self.seq[from_client] + len(payload) + (1 if flags & 0x03 else 0)) & 0xFFFFFFFF
        return True


def bulk_turns(filler):
    """A web-like exchange: a request, then a download of 64 to 512 KiB."""
    request = b"GET /asset/%d HTTP/1.1\r\nHost: example.internal\r\nAccept: */*\r\n\r\n" % random.randrange(1 << 30)
    chunks = random.choice([1, 1, 2, 4, 8])
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (chunks * len(filler))
    return [(True, request), (False, head)] + [(False, filler)] * chunks


def chatter_turns():
    """Small request/response pairs, as an RPC service makes."""
    return [(i % 2 == 0, b"x" * random.randrange(40, 400)) for i in range(random.randrange(2, 20))]


def address(prefix, index):
    return bytes([prefix, (index >> 16) & 0xFF, (index >> 8) & 0xFF, index & 0xFF])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--bytes", type=int, required=True, help="stop once the file is this large")
    parser.add_argument("--testdata", default=str(Path(__file__).resolve().parents[3] / "shared" / "testdata"))
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--database-every", type=int, default=8, help="one database flow per N new flows")
    parser.add_argument("--concurrency", type=int, default=500, help="flows open at once")
    args = parser.parse_args()
    random.seed(args.seed)
    templates = [(conversation(Path(args.testdata) / path), product) for path, product in TEMPLATES]
    filler = bytes(random.getrandbits(8) for _ in range(64 * 1024))
    expected = Counter()
    active = []
    new_flows = 0
    with open(args.out, "wb") as out:
        writer = Writer(out)
        while active or writer.bytes < args.bytes:
            if writer.bytes >= args.bytes:
                # The capture ends here for everything but the database conversations, which are finished so that
                # each one counted as expected is complete in the file.
                active = [flow for flow in active if flow.is_database]
                if not active:
                    break
            while writer.bytes < args.bytes and len(active) < args.concurrency:
                new_flows += 1
                client = (address(172, new_flows), random.randrange(32768, 61000))
                if new_flows % args.database_every == 0:
                    turns, product = templates[(new_flows // args.database_every) % len(templates)]
                    expected[product] += 1
                    port = random.randrange(1024, 65000)
                    server = (address(10, sum(expected.values())), port)
                elif new_flows % 3 == 0:
                    turns, server = chatter_turns(), (address(192, new_flows % 500), 8080)
                else:
                    turns, server = bulk_turns(filler), (address(198, new_flows % 5000), 443)
                active.append(TCPFlow(client, server, turns, is_database=server[0][0] == 10))
            index = random.randrange(len(active))
            if not active[index].emit(writer):
                active[index] = active[-1]
                active.pop()
            if writer.packets % 50 == 0:
                writer.ipv4(address(172, 1), address(10, 53), 17, struct.pack("!HHHH", 40000, 53, 40, 0) + b"q" * 32)
    json.dump(
        {"packets": writer.packets, "bytes": writer.bytes, "flows": new_flows, "databases": dict(expected)},
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
