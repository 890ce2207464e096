#!/usr/bin/env python3
"""The passive-discovery benchmark: dbscout sniff --read against tcpdump's read floor and tshark's dissectors.

Runs each tool on the same capture in the same run (after one read to warm the page cache), takes the median
wall time of several runs and the peak RSS (from GNU time), and prints packets/s, MB/s and the ratios. It also
checks that dbscout found every database the generator put in the capture, and compares dbscout's peak RSS on
the whole file with that on a slice of it: a bounded reader needs about the same memory for both.

Usage: passive.py --dbscout BIN --capture FILE --expected META.json [--runs N] [--slice-packets N]
"""

import argparse
import json
import os
import statistics
import struct
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402


def measure(command, stdout=subprocess.DEVNULL):
    """Runs a command; returns (wall seconds, peak RSS in MiB, its output if captured).

    The peak RSS comes from GNU time (benchlib.run): this process's wait4 would report Python's own high-water
    mark for any tool smaller than the driver."""
    run = benchlib.run(command, keep_stdout=stdout == subprocess.PIPE)
    return run.wall, run.rss_mib, run.stdout


def median_run(command, runs, stdout=subprocess.DEVNULL):
    results = [measure(command, stdout) for _ in range(runs)]
    walls = [wall for wall, _, _ in results]
    return statistics.median(walls), max(rss for _, rss, _ in results), results[-1][2]


def pcap_slice(source, destination, packets):
    """Copies the header and the first `packets` records of a classic pcap file."""
    with open(source, "rb") as reader, open(destination, "wb") as writer:
        header = reader.read(24)
        endian = "<" if header[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
        writer.write(header)
        for _ in range(packets):
            record = reader.read(16)
            if len(record) < 16:
                break
            caplen = struct.unpack(endian + "I", record[8:12])[0]
            writer.write(record + reader.read(caplen))


def sniff(dbscout, capture, state):
    return [dbscout, "sniff", "--read", capture, "--format", "json", "--dry-run", "--state-dir", state]


def rate_row(name, wall, packets, size, rss, floor=None):
    ratio = f"{wall / floor:5.2f}x" if floor else "   —  "
    return f"{name:<34} {wall:8.2f} s {packets / wall / 1e6:8.2f} Mpkt/s {size / wall / 1e6:8.0f} MB/s {rss:8.0f} MiB  {ratio}"


def compare(args, meta, packets, size, state):
    subprocess.run(["cat", args.capture], stdout=subprocess.DEVNULL, check=True)  # warm the page cache

    ours, ours_rss, output = median_run(sniff(args.dbscout, args.capture, state), args.runs, subprocess.PIPE)
    floor, floor_rss, _ = median_run(["tcpdump", "-r", args.capture, "-w", "/dev/null"], args.runs)
    document = json.loads(output)
    found = Counter(finding["product"] for finding in document["findings"])
    expected = Counter(meta["databases"])

    slice_path = os.path.join(state, "slice.pcap")
    pcap_slice(args.capture, slice_path, args.slice_packets)
    slice_size = os.path.getsize(slice_path)
    slice_ours, slice_rss, _ = median_run(sniff(args.dbscout, slice_path, state), args.runs)
    slice_floor, slice_floor_rss, _ = median_run(["tcpdump", "-r", slice_path, "-w", "/dev/null"], args.runs)
    shark, shark_rss, _ = median_run(["tshark", "-r", slice_path, "-n"], 1)

    print(f"capture: {size / 1e9:.2f} GB, {packets:,} packets, {meta['flows']:,} TCP flows, "
          f"{sum(expected.values()):,} database servers inside")
    print(f"{'':<34} {'wall':>10} {'rate':>15} {'throughput':>13} {'peak RSS':>12}  vs tcpdump")
    print(rate_row("dbscout sniff --read (whole file)", ours, packets, size, ours_rss, floor))
    print(rate_row("tcpdump -r -w /dev/null (floor)", floor, packets, size, floor_rss))
    print(f"slice: first {args.slice_packets:,} packets, {slice_size / 1e6:.0f} MB")
    print(rate_row("dbscout sniff --read (slice)", slice_ours, args.slice_packets, slice_size, slice_rss, slice_floor))
    print(rate_row("tcpdump -r -w /dev/null (slice)", slice_floor, args.slice_packets, slice_size, slice_floor_rss))
    print(rate_row("tshark -r -n (slice, dissectors)", shark, args.slice_packets, slice_size, shark_rss, slice_floor))
    print(f"dbscout vs tshark on the slice: {shark / slice_ours:.1f}x faster")
    print(f"peak RSS, whole file vs slice: {ours_rss:.0f} MiB vs {slice_rss:.0f} MiB "
          f"({size / slice_size:.0f}x the bytes)")
    print(f"databases found / expected: {sum(found.values())} / {sum(expected.values())}")
    for product in sorted(set(found) | set(expected)):
        print(f"  {product:<12} {found[product]:6} / {expected[product]}")
    capture = document.get("capture", {})
    print(f"dbscout's counters: {capture.get('frames')} frames, {capture.get('flows')} flows, "
          f"{capture.get('skipped')} skipped")
    if found != expected:
        sys.exit("dbscout's findings differ from what the capture holds")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dbscout", required=True)
    parser.add_argument("--capture", required=True)
    parser.add_argument("--expected", required=True, help="the generator's JSON summary")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--slice-packets", type=int, default=100_000)
    args = parser.parse_args()
    meta = json.load(open(args.expected))
    packets, size = meta["packets"], os.path.getsize(args.capture)
    with tempfile.TemporaryDirectory(prefix="dbscout-bench-") as state:
        compare(args, meta, packets, size, state)


if __name__ == "__main__":
    main()
