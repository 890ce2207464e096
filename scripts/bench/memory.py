#!/usr/bin/env python3
"""The memory benchmark: dbscout's peak RSS scanning a /16, and reading an inventory of a million rows.

Scan: `dbscout scan 127.0.0.0/16 -p 1` (every connect refused) at the default concurrency with the rate limit
lifted (the rate changes the time, not the memory), next to the same scan of a /24, which shows whether memory
grows with the scope, and `nmap -sT` on the /16 as the reference.

Inventory: make-inventory.py writes ROWS records in the inventory's first schema; the first `dbscout` command to
open it applies the later migrations (timed on its own: `inventory show` of an endpoint that is not there), then
`dbscout inventory list --format json` lists it, against `sqlite3 -json` printing the same rows in order as the
reference; the table and CSV formats and a filtered list (`--status pending`) are timed as well.

Peak RSS is GNU time's maximum resident set size of the command alone; every command runs once.

Usage: memory.py --dbscout BIN [--rows 1000000]
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

FAST = ["--max-rate", "10000000"]


def scan_rows(dbscout, work, env):
    def ours(target):
        state = tempfile.mkdtemp(dir=work, prefix="scan-")
        command = [dbscout, "scan", target, "-p", "1", "--state-dir", state, "--no-progress", *FAST]
        return benchlib.run(command, env=env, timeout=900, keep_stdout=False)

    slash16, slash24 = ours("127.0.0.0/16"), ours("127.0.0.0/24")
    nmap = benchlib.run(
        ["nmap", "-sT", "-n", "-Pn", "-T5", "--max-retries", "0", "--min-rate", "100000", "-p", "1",
         "-oX", f"{work}/nmap.xml", "127.0.0.0/16"],
        env=env, timeout=900, keep_stdout=False,
    )  # fmt: skip
    return [
        ["dbscout scan 127.0.0.0/16 -p 1 (65,536 endpoints)", slash16, nmap],
        ["dbscout scan 127.0.0.0/24 -p 1 (256 endpoints)", slash24, None],
        ["nmap -sT -T5 --min-rate 100000 127.0.0.0/16 -p 1", nmap, nmap],
    ]


def inventory_rows(dbscout, work, rows, env, testdata):
    state = f"{work}/inventory"
    made = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("make-inventory.py")), state, "--rows", str(rows)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    summary = json.loads(made.stdout)
    common = ["--state-dir", state]
    # An endpoint in TEST-NET-1 is never in the inventory: the command opens (and migrates) the file and exits 1.
    migrate = benchlib.run([dbscout, "inventory", "show", "192.0.2.1:1", *common], env=env, ok=(1,), timeout=900)
    as_json = benchlib.run(
        [dbscout, "inventory", "list", "--format", "json", *common], env=env, timeout=1800, keep_stdout=False
    )
    sqlite = benchlib.run(
        ["sqlite3", "-json", summary["path"], "SELECT * FROM findings ORDER BY ip, port"],
        timeout=900, keep_stdout=False,
    )  # fmt: skip
    as_table = benchlib.run([dbscout, "inventory", "list", *common], env=env, timeout=1800, keep_stdout=False)
    as_csv = benchlib.run(
        [dbscout, "inventory", "list", "--format", "csv", *common], env=env, timeout=1800, keep_stdout=False
    )
    pending = summary["statuses"].get("pending", 0)
    filtered = benchlib.run(
        [dbscout, "inventory", "list", "--status", "pending", "--format", "json", *common],
        env=env, timeout=1800, keep_stdout=False,
    )  # fmt: skip
    # A run that finds one database, recorded into the big inventory: what a scan or the daemon pays for the
    # inventory's size. A real capture stands in for a server, so that no server is needed.
    capture = Path(testdata) / "captures" / "mariadb10.11-greeting-only.pcap"
    one_finding = None
    if capture.is_file():
        one_finding = benchlib.run(
            [dbscout, "sniff", "--read", str(capture), *common], env=env, timeout=900, keep_stdout=False
        )
    print(f"inventory: {rows:,} rows, {summary['bytes'] / 1e6:.0f} MB file, written in {summary['seconds']:.1f} s "
          f"(statuses {summary['statuses']})")
    return [
        ["first open: migrations v2-v5 (inventory show)", migrate, None],
        [f"dbscout inventory list --format json ({rows:,} rows)", as_json, sqlite],
        ["dbscout inventory list (table)", as_table, None],
        ["dbscout inventory list --format csv", as_csv, None],
        [f"dbscout inventory list --status pending --format json ({pending:,} rows)", filtered, None],
        *([["dbscout sniff --read (one database found, recorded and reported)", one_finding, None]]
          if one_finding else []),
        ['sqlite3 -json "SELECT * FROM findings ORDER BY ip, port"', sqlite, sqlite],
    ]


def print_rows(rows, reference_name):
    benchlib.table(
        ["command", "wall", "CPU", "peak RSS", f"RSS vs {reference_name}", f"time vs {reference_name}"],
        [
            [label, f"{run.wall:.2f} s", f"{run.cpu:.2f} s", f"{run.rss_mib:,.0f} MiB",
             benchlib.ratio(run.rss_mib, reference.rss_mib) if reference else "—",
             benchlib.ratio(run.wall, reference.wall) if reference else "—"]
            for label, run, reference in rows
        ],
    )  # fmt: skip




def measure(args, work):
    env = benchlib.clean_env()
    print("scanning (connects refused; dbscout at its default concurrency 256, --max-rate 10000000):")
    print_rows(scan_rows(args.dbscout, work, env), "nmap")
    print()
    print_rows(inventory_rows(args.dbscout, work, args.rows, env, args.testdata), "sqlite3")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dbscout", required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--testdata", default=str(Path(__file__).resolve().parents[3] / "shared" / "testdata"),
                        help="../shared/testdata, for the capture that stands in for a server")  # fmt: skip
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dbscout-bench-memory-") as work:
        measure(args, work)


if __name__ == "__main__":
    main()
