#!/usr/bin/env python3
"""The registration benchmark: `dbscout register` against the DBSS emulator, with the client's rate limit off.

make-inventory.py writes FINDINGS registrable records (PostgreSQL and MySQL, OS and charset known) in `pending`;
the emulator (dbss-emulator on 127.0.0.1, a port of its choosing) holds room for all of them; dbscout's config sets
`dbss.requests_per_second: 0`. One `dbscout register` pass then reads DBSS's (empty) list, checks the instance's
capacity and adds every record, each with its claim written before the request and its outcome after. A second
pass, with nothing due, shows the fixed cost of a pass. The emulator's CPU time is read from /proc, to show
which side the time is spent on. There is no reference tool for this: nothing else registers with DBSS.

Usage: register.py --dbscout BIN --emulator BIN [--findings 1000]
"""

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

PROJECT, INSTANCE = "bench-project", "bench-instance"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def start_emulator(binary, work, token, limit):
    out = open(f"{work}/emulator.out", "w+")
    log = open(f"{work}/emulator.log", "w")
    process = subprocess.Popen(
        [binary, "--project-id", PROJECT, "--instance-id", INSTANCE, "--database-limit", str(limit)],
        stdout=out, stderr=log, env=benchlib.clean_env(DBSS_EMULATOR_TOKEN=token),
    )  # fmt: skip
    for _ in range(300):
        out.seek(0)
        line = out.read()
        if "listening on " in line:
            return process, line.split("listening on ", 1)[1].strip()
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    sys.exit(f"register.py: the emulator did not start (see {work}/emulator.log)")




def measure(args, work):
    state = f"{work}/state"
    subprocess.run(
        [sys.executable, str(Path(__file__).with_name("make-inventory.py")), state, "--rows", str(args.findings),
         "--pending"],
        check=True, capture_output=True,
    )  # fmt: skip
    token = secrets.token_hex(16)
    emulator, url = start_emulator(args.emulator, work, token, args.findings + 10)
    try:
        config = Path(work, "dbscout.yaml")
        config.write_text(
            f"state_dir: {state}\n"
            f"dbss:\n  endpoint: {url}\n  project_id: {PROJECT}\n  instance_id: {INSTANCE}\n"
            "  requests_per_second: 0\n"
        )
        env = benchlib.clean_env(DBSCOUT_CONFIG=config, DBSCOUT_DBSS_TOKEN=token)
        command = [args.dbscout, "register", "--format", "json", "--log-level", "warning"]
        emulator_cpu = cpu_seconds(emulator.pid)
        first = benchlib.run(command, env=env, timeout=1800)
        emulator_cpu = cpu_seconds(emulator.pid) - emulator_cpu
        second = benchlib.run(command, env=env, timeout=600)
        held = json.load(urllib.request.urlopen(f"{url}/_emulator/databases", timeout=30))
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)

    summary = json.loads(first.stdout)["registration"]
    again = json.loads(second.stdout)["registration"]
    registered = summary["registered"]
    print(f"{args.findings:,} pending findings, emulator on {url} (HTTP, loopback), dbss.requests_per_second: 0")
    benchlib.table(
        ["pass", "wall", "dbscout CPU", "emulator CPU", "peak RSS", "registered", "registrations/s", "per add"],
        [
            ["first: every finding added", f"{first.wall:.2f} s", f"{first.cpu:.2f} s", f"{emulator_cpu:.2f} s",
             f"{first.rss_mib:.0f} MiB", registered, f"{registered / first.wall:,.0f}",
             f"{first.wall / max(registered, 1) * 1000:.2f} ms"],
            ["second: nothing due", f"{second.wall:.2f} s", f"{second.cpu:.2f} s", "—", f"{second.rss_mib:.0f} MiB",
             again["registered"], "—", "—"],
        ],
    )  # fmt: skip
    print(f"the emulator holds {len(held):,} databases; reference tool: none (nothing else registers with DBSS)")
    if registered != args.findings or len(held) != args.findings or again["registered"] != 0:
        sys.exit(f"register.py: expected {args.findings} registrations once, got {summary} then {again}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dbscout", required=True)
    parser.add_argument("--emulator", required=True)
    parser.add_argument("--findings", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dbscout-bench-register-") as work:
        measure(args, work)


if __name__ == "__main__":
    main()
