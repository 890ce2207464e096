#!/usr/bin/env python3
"""The identification benchmark: real servers and decoys on loopback, dbscout scan against nmap -sV.

The real servers are those of scripts/test-servers.sh (PostgreSQL on 127.0.0.2, MariaDB on 127.0.0.3, Redis on
127.0.0.4, each on several ports with and without TLS and authentication); their true versions are asked of the
servers themselves over an authenticated session. The decoys are started here on 127.0.0.9, on database ports:
an HTTP server on 5432, a TLS server (openssl s_server -www) on 3306 and a tarpit that accepts and never answers
on 1433. Both tools scan the same addresses and ports, once with the tarpit and once without it (its port then
refuses), and each endpoint's answer is graded against the truth:

  product   correct | wrong (another product) | missed (no database named) | false positive (a decoy named as one)
  version   exact | range (a range that holds the true version) | partial (a prefix, e.g. the major, or a lower
            bound such as "9.6.0 or later" that holds it) | none | wrong

nmap's answer is its product and version fields together (it names MariaDB "MySQL" and puts "MariaDB" in the
version), and a service it only guessed from the port number (method="table", shown with a "?") counts as not
identified.

Usage: identify.py --dbscout BIN [--decoy-address 127.0.0.9] [--nmap-timing 4]
"""

import argparse
import ipaddress
import json
import re
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

PASSWORD = "dbscout-test-pw"  # scripts/test-servers.sh's password for every account
SERVERS = {  # scripts/test-servers.sh's table: endpoint -> product
    ("127.0.0.2", 5432): "postgresql",  # plain
    ("127.0.0.2", 15432): "postgresql",  # TLS optional
    ("127.0.0.2", 25432): "postgresql",  # TLS only (hostssl)
    ("127.0.0.3", 3306): "mariadb",
    ("127.0.0.3", 13306): "mariadb",  # refuses the client's host (ERR 1130 instead of a greeting)
    ("127.0.0.3", 23306): "mariadb",  # gbk
    ("127.0.0.3", 33306): "mariadb",  # TLS required for accounts
    ("127.0.0.4", 6379): "redis",
    ("127.0.0.4", 16379): "redis",  # requirepass
    ("127.0.0.4", 6380): "redis",  # TLS only
}
DECOY_PORTS = {"http": 5432, "tls": 3306, "tarpit": 1433}


def true_versions():
    """Each product's version, from an authenticated session with its plain server."""

    def ask(command, env=None):
        result = subprocess.run(command, capture_output=True, text=True, timeout=30, env=env)
        if result.returncode != 0:
            sys.exit(f"identify.py: {command[0]} could not ask the server its version: {result.stderr.strip()}")
        return result.stdout.strip()

    postgres = ask(
        ["psql", "-h", "127.0.0.2", "-p", "5432", "-U", "postgres", "-Atc", "SHOW server_version"],
        env=benchlib.clean_env(PGPASSWORD=PASSWORD, PGCONNECT_TIMEOUT=10),
    )
    maria = ask(["mariadb", "-h", "127.0.0.3", "-P", "3306", "-uprobe", f"-p{PASSWORD}", "-Nse", "SELECT VERSION()"])
    redis = ask(["redis-cli", "-h", "127.0.0.4", "-p", "6379", "INFO", "server"])
    return {
        "postgresql": postgres.split()[0],
        "mariadb": maria.split("-")[0],
        "redis": re.search(r"redis_version:(\S+)", redis).group(1),
    }


class Decoys:
    """The three decoy services, started and stopped by this script."""

    def __init__(self, address, work):
        self.address, self.work, self.processes = address, work, {}

    def start(self):
        key, cert = f"{self.work}/decoy.key", f"{self.work}/decoy.crt"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=dbscout-bench-decoy",
             "-days", "1", "-keyout", key, "-out", cert],
            check=True, capture_output=True,
        )  # fmt: skip
        here = Path(__file__).resolve().parent
        commands = {
            "http": [sys.executable, "-m", "http.server", str(DECOY_PORTS["http"]), "--bind", self.address,
                     "--directory", self.work],
            "tls": ["openssl", "s_server", "-accept", f"{self.address}:{DECOY_PORTS['tls']}", "-cert", cert,
                    "-key", key, "-www", "-quiet"],
            "tarpit": [sys.executable, str(here / "tarpit.py"), self.address, str(DECOY_PORTS["tarpit"])],
        }  # fmt: skip
        for name, command in commands.items():
            log = open(f"{self.work}/decoy-{name}.log", "wb")
            self.processes[name] = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        for name in commands:
            self.wait_listening(name)

    def wait_listening(self, name):
        port = DECOY_PORTS[name]
        for _ in range(100):
            listening = subprocess.run(
                ["ss", "-Hltn", "src", f"{self.address}:{port}"], capture_output=True, text=True
            ).stdout
            if listening.strip():
                return
            if self.processes[name].poll() is not None:
                break
            time.sleep(0.1)
        sys.exit(f"identify.py: the {name} decoy did not start (see {self.work}/decoy-{name}.log)")

    def stop(self, name=None):
        for key in [name] if name else list(self.processes):
            process = self.processes.pop(key, None)
            if process and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def dbscout_answers(run):
    """endpoint -> (product, version) from dbscout's JSON; open but unidentified ports map to (None, None)."""
    document = json.loads(run.stdout)
    answers = {(f["ip"], f["port"]): (f["product"], f.get("version")) for f in document["findings"]}
    for endpoint in document["unidentified"]:
        ip, port = endpoint.rsplit(":", 1)
        answers[(ip, int(port))] = (None, None)
    return answers


def nmap_answers(path):
    """endpoint -> (product, version, label) from nmap's XML, for open ports."""
    answers = {}
    for host in ElementTree.parse(path).getroot().iter("host"):
        ip = host.find("address").get("addr")
        for port in host.iter("port"):
            if port.find("state").get("state") != "open":
                continue
            service = port.find("service")
            attributes = service.attrib if service is not None else {}
            label = " ".join(
                filter(None, [attributes.get("tunnel", "") + ("/" if attributes.get("tunnel") else "")
                              + attributes.get("name", ""), attributes.get("product"), attributes.get("version")])
            ) + ("?" if attributes.get("method") == "table" else "")  # fmt: skip
            answers[(ip, int(port.get("portid")))] = (*nmap_product(attributes), label)
    return answers


def nmap_product(attributes):
    if attributes.get("method") != "probed":
        return None, None
    text = f"{attributes.get('product', '')} {attributes.get('version', '')} {attributes.get('name', '')}".lower()
    version = attributes.get("version") or None
    maria = re.search(r"(\d+\.\d+\.\d+)-mariadb", version or "", re.IGNORECASE)
    for product in ("postgresql", "mariadb", "mysql", "redis", "mongodb", "oracle", "ms-sql"):
        if product in text:
            if product == "mysql" and maria:
                product = "mariadb"
            return product, maria.group(1) if maria else version
    return None, None


def version_key(version):
    return [int(part) for part in re.findall(r"\d+", version)]


def grade_version(truth, reported):
    if not reported:
        return "none"
    reported = reported.strip()
    if reported == truth:
        return "exact"
    bounds = re.fullmatch(r"([\d.]+)-([\d.]+)", reported)
    if bounds:
        inside = version_key(bounds.group(1)) <= version_key(truth) <= version_key(bounds.group(2))
        return "range" if inside else "wrong"
    lower = re.fullmatch(r"([\d.]+) or later", reported)
    if lower:
        return "partial" if version_key(lower.group(1)) <= version_key(truth) else "wrong"
    return "partial" if truth.startswith(reported + ".") else "wrong"


def grade(truth_product, truth_version, product, version):
    """(product grade, version grade) for one endpoint; the version grade is empty where none applies."""
    if truth_product is None:
        return ("false positive", "") if product else ("correct", "")
    if product is None:
        return "missed", ""
    if product != truth_product:
        return "wrong", ""
    return "correct", grade_version(truth_version, version)


def scan_both(args, work, name, ports, env):
    """dbscout, then nmap -sV, on the servers' and the decoys' addresses."""
    targets = ["127.0.0.2-4", args.decoy_address]
    state = f"{work}/state-{name}"
    ours = benchlib.run(
        [args.dbscout, "scan", *targets, "-p", ports, "--state-dir", state, "--no-progress", "--format", "json"],
        env=env, timeout=900,
    )  # fmt: skip
    xml = f"{work}/nmap-{name}.xml"
    theirs = benchlib.run(
        ["nmap", "-sV", "-n", "-Pn", f"-T{args.nmap_timing}", "-p", ports, "-oX", xml, *targets],
        env=env, timeout=1800, keep_stdout=False,
    )  # fmt: skip
    return ours, theirs, dbscout_answers(ours), nmap_answers(xml)


def scan_alone(args, work, kind, env):
    """dbscout's wall time on one decoy alone, to show where its time on the whole set goes."""
    state = f"{work}/state-{kind}"
    command = [args.dbscout, "scan", args.decoy_address, "-p", str(DECOY_PORTS[kind]), "--state-dir", state,
               "--no-progress", "--format", "json"]  # fmt: skip
    return benchlib.run(command, env=env, timeout=300)


def print_times(with_tarpit, without_tarpit, alone):
    rows = []
    for label, (ours, theirs, _, _) in (("with the tarpit", with_tarpit), ("without the tarpit", without_tarpit)):
        rows.append([
            label, f"{ours.wall:.2f} s", f"{ours.cpu:.2f} s", f"{ours.rss_mib:.0f} MiB",
            f"{theirs.wall:.2f} s", f"{theirs.cpu:.2f} s", f"{theirs.rss_mib:.0f} MiB",
            f"{theirs.wall / ours.wall:.1f}x",
        ])  # fmt: skip
    benchlib.table(["wall time", "dbscout", "CPU", "RSS", "nmap -sV", "CPU", "RSS", "dbscout faster by"], rows)
    print("dbscout on each decoy alone: " + ", ".join(f"{kind} {run.wall:.2f} s" for kind, run in alone.items()))
    print("  (an open port that answers no probe costs each probe's reply deadline in turn, then a TLS-first retry)")


def print_accuracy(truth, ours, theirs):
    """The endpoint-by-endpoint table and the tallies."""
    tallies = {"dbscout": Counter(), "nmap": Counter()}
    rows = []
    for endpoint in sorted(truth, key=lambda e: (ipaddress.ip_address(e[0]), e[1])):
        truth_product, truth_version = truth[endpoint]
        product, version = ours.get(endpoint, (None, None))
        our_grade = grade(truth_product, truth_version, product, version)
        their_product, their_version, their_label = theirs.get(endpoint, (None, None, "(not open)"))
        their_grade = grade(truth_product, truth_version, their_product, their_version)
        tallies["dbscout"].update(filter(None, our_grade))
        tallies["nmap"].update(filter(None, their_grade))
        rows.append([
            f"{endpoint[0]}:{endpoint[1]}",
            f"{truth_product} {truth_version}" if truth_product else truth_version,
            f"{product or '(unidentified)'} {version or ''}".strip(), "/".join(filter(None, our_grade)),
            their_label, "/".join(filter(None, their_grade)),
        ])  # fmt: skip
    benchlib.table(["endpoint", "truth", "dbscout", "grade", "nmap -sV", "grade"], rows, ["<"] * 6)
    print()
    print("accuracy (with the tarpit run):")
    order = ["correct", "wrong", "missed", "false positive", "exact", "range", "partial", "none"]
    benchlib.table(["tool"] + order, [[tool] + [tallies[tool][key] for key in order] for tool in tallies])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dbscout", required=True)
    parser.add_argument("--decoy-address", default="127.0.0.9")
    parser.add_argument("--nmap-timing", type=int, default=4, help="nmap -T level")
    args = parser.parse_args()
    if not ipaddress.ip_address(args.decoy_address).is_loopback:
        sys.exit("identify.py: the decoys listen on loopback addresses only")
    versions = true_versions()
    truth = {endpoint: (product, versions[product]) for endpoint, product in SERVERS.items()}
    for kind, port in DECOY_PORTS.items():
        truth[(args.decoy_address, port)] = (None, f"decoy: {kind}")
    ports = ",".join(str(p) for p in sorted({port for _, port in truth}))
    env = benchlib.clean_env()
    with tempfile.TemporaryDirectory(prefix="dbscout-bench-identify-") as work:
        decoys = Decoys(args.decoy_address, work)
        try:
            decoys.start()
            with_tarpit = scan_both(args, work, "all", ports, env)
            alone = {kind: scan_alone(args, work, kind, env) for kind in DECOY_PORTS}
            decoys.stop("tarpit")
            without_tarpit = scan_both(args, work, "no-tarpit", ports, env)
        finally:
            decoys.stop()

    addresses, port_count = len({ip for ip, _ in truth}), len(ports.split(","))
    print(f"{addresses} addresses x {port_count} ports = {addresses * port_count} endpoints: "
          f"{len(SERVERS)} real servers, {len(DECOY_PORTS)} decoys, the rest refused")
    print(f"dbscout: scan with default settings; nmap: -sV -n -Pn -T{args.nmap_timing}")
    print_times(with_tarpit, without_tarpit, alone)
    print()
    print_accuracy(truth, with_tarpit[2], with_tarpit[3])
    same = {
        tool: all(again.get(e) == first.get(e) for e in SERVERS)
        for tool, first, again in (("dbscout", with_tarpit[2], without_tarpit[2]),
                                   ("nmap", with_tarpit[3], without_tarpit[3]))
    }  # fmt: skip
    print("without the tarpit, the answers for the real servers are: "
          + ", ".join(f"{tool} {'the same' if unchanged else 'DIFFERENT'}" for tool, unchanged in same.items()))


if __name__ == "__main__":
    main()
