#!/usr/bin/env python3
"""The daemon's steady-state cost: CPU and resident memory while idle, and while scanning a loopback /24.

Starts `dbscout daemon` (no DBSS settings, so nothing is registered), samples /proc/PID/stat and /proc/PID/status
once a second for each phase, and prints the average CPU (% of one core) and the RSS range. The process's
first seconds (start-up, first scan) are left out of each phase.

Usage: daemon.py --dbscout BIN [--seconds N]
"""

import argparse
import os
import signal
import subprocess
import tempfile
import time

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def phase(name, dbscout, arguments, seconds, warmup=5):
    state = tempfile.mkdtemp(prefix="dbscout-daemon-bench-")
    command = [dbscout, "daemon", "--metrics-listen", "127.0.0.1:0", "--state-dir", state] + arguments
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(warmup)
        start_cpu, start = cpu_seconds(process.pid), time.monotonic()
        samples = []
        for _ in range(seconds):
            time.sleep(1)
            samples.append(rss_mib(process.pid))
        cpu = (cpu_seconds(process.pid) - start_cpu) / (time.monotonic() - start) * 100
        print(f"{name:<44} CPU {cpu:6.2f} % of a core   RSS {min(samples):6.1f}–{max(samples):6.1f} MiB")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dbscout", required=True)
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    print(f"dbscout daemon, {args.seconds} s per phase after a 5 s warm-up, {os.cpu_count()} cores")
    phase("idle (no targets, no capture, no local)", args.dbscout, ["--no-local-discovery"], args.seconds)
    phase("idle with local discovery every 15 min", args.dbscout, [], args.seconds)
    phase(
        "scanning 127.0.0.0/24, default ports, every 10 s",
        args.dbscout,
        ["127.0.0.0/24", "--interval", "10s", "--no-local-discovery"],
        args.seconds,
    )
    phase(
        "watching lo passively (idle traffic)",
        args.dbscout,
        ["--interface", "lo", "--no-local-discovery"],
        args.seconds,
    )


if __name__ == "__main__":
    main()
