#!/usr/bin/env python3
"""The sweep benchmark: TCP connect probes per second over a loopback block, dbscout against nmap -sT and a C ceiling.

Each tool probes the same endpoints (every address of TARGET x PORTS, almost all refused) in the same run; each
runs RUNS times and the run with the median wall time is reported, with its CPU time and peak RSS. The C loop
(connect-ceiling.c: nonblocking connects and epoll, nothing else, one process per core) is the machine's ceiling.

Refused connects leave no TIME_WAIT sockets (the kernel answers the SYN with a RST and the socket goes straight
to CLOSED), so ephemeral ports are not used up; the few open ports do leave some, which this script counts.

Usage: sweep.py --dbscout BIN --ceiling BIN [--target 127.0.0.0/16] [--ports 5432,3306,6379] [--runs 3]
                [--concurrency 256] [--max-rate 10000000] [--inflight 1024] [--nmap-min-rate 100000]
       sweep.py --dbscout BIN --ceiling BIN --explore 64,128,256,512,1024   (dbscout alone, to choose settings)
"""

import argparse
import ipaddress
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402


def time_wait_sockets():
    output = subprocess.run(["ss", "-Htan", "state", "time-wait"], capture_output=True, text=True).stdout
    return len(output.splitlines())


def dbscout_command(args, state):
    return [
        args.dbscout, "scan", args.target, "-p", args.ports, "--state-dir", state, "--no-progress",
        "--format", "json", "--concurrency", str(args.concurrency), "--max-rate", str(args.max_rate),
        "--max-per-host", str(args.max_per_host),
    ]  # fmt: skip


def nmap_command(args, xml):
    return [
        "nmap", "-sT", "-n", "-Pn", "-T5", "--max-retries", "0", "--min-rate", str(args.nmap_min_rate),
        "-p", args.ports, "-oX", xml, args.target,
    ]  # fmt: skip


def dbscout_counts(run):
    document = json.loads(run.stdout)
    scan = document["scan"]
    found = [f"{f['ip']}:{f['port']} {f['product']}" for f in document["findings"]]
    return scan["endpoints"], scan["open"], found, document["unidentified"]


def nmap_counts(xml):
    text = Path(xml).read_text()
    states = re.findall(r'<state state="(\w+)"', text)
    return len(states), states.count("open")




def explore(args, probes, work, concurrencies):
    """dbscout's rate at each concurrency (RUNS runs each, interleaved), to choose the sweep's settings."""
    env = benchlib.clean_env()
    runs = {concurrency: [] for concurrency in concurrencies}
    for attempt in range(args.runs):
        for concurrency in concurrencies:
            args.concurrency = concurrency
            runs[concurrency].append(benchlib.run(dbscout_command(args, f"{work}/explore-{attempt}-{concurrency}"),
                                                  env=env, timeout=900))  # fmt: skip
    print(f"dbscout alone, {probes:,} probes, --max-rate {args.max_rate}, median of {args.runs}")
    rows = []
    for concurrency, results in runs.items():
        median = benchlib.median_of(results)
        rows.append([concurrency, f"{median.wall:.2f} s", "/".join(f"{r.wall:.2f}" for r in results),
                     f"{probes / median.wall:,.0f}", f"{median.cpu:.2f} s", f"{median.rss_mib:.0f} MiB"])  # fmt: skip
    benchlib.table(["--concurrency", "wall", "all runs (s)", "probes/s", "CPU", "peak RSS"], rows)


def sweep(args, probes, work):
    env = benchlib.clean_env()

    results = {"dbscout": [], "nmap": [], "ceiling": []}
    checks = {}
    time_wait_before = time_wait_sockets()
    for attempt in range(args.runs):
        state = f"{work}/state-{attempt}"
        run = benchlib.run(dbscout_command(args, state), env=env, timeout=900)
        results["dbscout"].append(run)
        checks["dbscout"] = dbscout_counts(run)
        xml = f"{work}/nmap-{attempt}.xml"
        results["nmap"].append(benchlib.run(nmap_command(args, xml), env=env, timeout=900, keep_stdout=False))
        checks["nmap"] = nmap_counts(xml)
        run = benchlib.run([args.ceiling, args.target, args.ports, str(args.inflight)], timeout=900)
        results["ceiling"].append(run)
        checks["ceiling"] = json.loads(run.stdout)
    time_wait_after = time_wait_sockets()

    print(f"{args.target} x ports {args.ports} = {probes:,} connect probes per run, loopback; "
          f"median of {args.runs} runs (tools interleaved)")
    labels = {
        "dbscout": f"dbscout scan --concurrency {args.concurrency} --max-rate {args.max_rate} "
        f"--max-per-host {args.max_per_host}",
        "nmap": f"nmap -sT -n -Pn -T5 --max-retries 0 --min-rate {args.nmap_min_rate}",
        "ceiling": f"C loop: nonblocking connect + epoll, {checks['ceiling']['workers']} processes x "
        f"{args.inflight} in flight",
    }
    medians = {tool: benchlib.median_of(runs) for tool, runs in results.items()}
    ceiling, nmap = probes / medians["ceiling"].wall, probes / medians["nmap"].wall
    rows = []
    for tool, median in medians.items():
        rate = probes / median.wall
        walls = "/".join(f"{r.wall:.2f}" for r in results[tool])
        rows.append([
            labels[tool], f"{median.wall:.2f} s", walls, f"{rate:,.0f}", f"{median.cpu:.2f} s",
            f"{median.rss_mib:.0f} MiB", benchlib.ratio(rate, ceiling), benchlib.ratio(rate, nmap),
        ])  # fmt: skip
    benchlib.table(
        ["tool and settings", "wall", "all runs (s)", "probes/s", "CPU", "peak RSS", "of ceiling", "vs nmap"], rows
    )
    endpoints, open_ports, identified, unidentified = checks["dbscout"]
    nmap_total, nmap_open = checks["nmap"]
    c = checks["ceiling"]
    print(f"outcomes: dbscout {endpoints:,} endpoints, {open_ports} open, {len(identified)} identified; "
          f"nmap {nmap_total:,} ports, {nmap_open} open; C loop {c['probes']:,} probes, {c['open']} open, "
          f"{c['refused']:,} refused, {c['timeout']} timed out, {c['error']} other errors")
    print(f"open endpoints: {', '.join(identified) or 'none'}")
    if unidentified:
        print(f"WARNING: open but not identified: {', '.join(unidentified)}. An open port no probe recognises holds "
              "dbscout for its probes' reply deadlines (seconds, at the end of the sweep), so its wall time measures "
              "more than connects: stop whatever listens there and run again.")
    print(f"TIME_WAIT sockets before/after all runs: {time_wait_before} / {time_wait_after} "
          "(refused connects leave none; only the open ports' connections do)")
    if not endpoints == nmap_total == c["probes"] == probes:
        sys.exit("the tools did not probe the same number of endpoints")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dbscout", required=True)
    parser.add_argument("--ceiling", required=True, help="the compiled connect-ceiling.c")
    parser.add_argument("--target", default="127.0.0.0/16")
    parser.add_argument("--ports", default="5432,3306,6379")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--max-rate", type=int, default=10_000_000)
    parser.add_argument("--max-per-host", type=int, default=4)
    parser.add_argument("--inflight", type=int, default=1024, help="the C loop's connects in flight per process")
    parser.add_argument("--nmap-min-rate", type=int, default=100_000)
    parser.add_argument(
        "--explore", metavar="C1,C2,...", help="instead: time dbscout alone at each of these concurrencies"
    )
    args = parser.parse_args()
    network = ipaddress.ip_network(args.target)
    if not network.is_loopback:
        sys.exit("sweep.py: loopback targets only")
    probes = network.num_addresses * len(args.ports.split(","))
    with tempfile.TemporaryDirectory(prefix="dbscout-bench-sweep-") as work:
        if args.explore:
            explore(args, probes, work, [int(c) for c in args.explore.split(",")])
        else:
            sweep(args, probes, work)


if __name__ == "__main__":
    main()
