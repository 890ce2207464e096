#!/usr/bin/env python3
"""Writes a large dbscout inventory (SQLite) for the memory and registration benchmarks.

The file is written in the inventory's first schema (migration "v1-findings" of
Sources/DBScoutInventory/InventorySchema.swift), with GRDB's migration table saying so, as an inventory written
by the first release would be; dbscout applies its later migrations when it first opens it. The rows are
distinct endpoints (10.x.y.z, a database's well-known port) with the fields a scan records: a mix of products,
versions, charsets and evidence. With --pending every row is a registrable finding (PostgreSQL or MySQL, OS and
charset known) waiting in `pending`; otherwise the statuses are mixed as in a long-lived inventory (mostly
registered, some pending, rejected, not_registrable), written in the v1 vocabulary (`failed` for rejected).

Usage: make-inventory.py STATE_DIR --rows N [--pending] [--seed S]
Writes STATE_DIR/inventory.sqlite (replacing it) and prints a JSON summary.
"""

import argparse
import json
import sys
import random
import sqlite3
import time
from collections import Counter
from pathlib import Path

# The v1 table and index, column for column as InventorySchema's "v1-findings" migration creates them.
V1_SCHEMA = """
CREATE TABLE "findings" (
  "ip" TEXT NOT NULL, "port" INTEGER NOT NULL, "product" TEXT NOT NULL, "dbss_type" TEXT, "version" TEXT,
  "charset" TEXT, "os" TEXT, "tls" TEXT NOT NULL, "evidence" TEXT NOT NULL, "first_seen" DOUBLE NOT NULL,
  "last_seen" DOUBLE NOT NULL, "registration_status" TEXT NOT NULL, "dbss_id" TEXT, "last_error" TEXT,
  "attempts" INTEGER NOT NULL DEFAULT 0, PRIMARY KEY ("ip", "port"));
CREATE INDEX "findings_by_status" ON "findings"("registration_status");
CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
INSERT INTO grdb_migrations VALUES ('v1-findings');
"""

# product, DBSS type, port, versions, evidence fact for the version
PRODUCTS = [
    ("postgresql", "POSTGRESQL", 5432, ["12.22", "13.18", "14.15", "15.18-15.19", "16.6"], "postgres.error.version"),
    ("mysql", "MYSQL", 3306, ["5.7.44", "8.0.40", "8.4.3"], "mysql.greeting.server_version"),
    ("mariadb", "MYSQL", 3306, ["10.6.20", "10.11.19", "11.4.4"], "mysql.greeting.server_version"),
    ("sqlserver", "SQLSERVER", 1433, ["15.0.2000", "16.0.1000"], "tds.prelogin.version"),
    ("oracle", "ORACLE", 1521, ["19.0.0.0.0", "21.0.0.0.0"], "tns.accept.version"),
    ("mongodb", "MONGODB", 27017, ["6.0.19", "7.0.15"], "mongodb.buildinfo.version"),
    ("redis", None, 6379, ["6.2.16", "7.0.15", "7.2.6"], "redis.info.redis_version"),
]
REGISTRABLE = [p for p in PRODUCTS if p[0] in ("postgresql", "mysql", "mariadb")]


def endpoint(index, port):
    """The index-th distinct address in 10.0.0.0/8 (skipping .0 and .255 hosts), on `port`."""
    host = index % 254 + 1
    rest = index // 254
    return f"10.{(rest >> 8) & 0xFF}.{rest & 0xFF}.{host}", port


def row(index, pending, now, rng):
    product, dbss_type, port, versions, fact = rng.choice(REGISTRABLE if pending else PRODUCTS)
    ip, port = endpoint(index, port)
    version = rng.choice(versions)
    evidence = json.dumps(
        [
            {"fact": fact, "value": version},
            {"fact": "tcp.connect", "value": f"{ip}:{port} accepted in {rng.randrange(1, 900)} µs"},
            {"fact": "os.banner", "value": "Debian build suffix"},
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    first_seen = now - rng.randrange(86_400, 86_400 * 365)
    if dbss_type is None:
        status, dbss_id, error = "not_registrable", None, None
    elif pending:
        status, dbss_id, error = "pending", None, None
    else:
        status = rng.choices(["registered", "pending", "failed"], weights=[90, 8, 2])[0]
        dbss_id = f"{index:032x}" if status == "registered" else None
        error = "400 DBSS.10020102: the database already exists" if status == "failed" else None
    return (
        ip, port, product, dbss_type, version, rng.choice(["UTF8", "UTF8", "GBK"]), "LINUX64",
        rng.choice(["unsupported", "supported", "required"]), evidence, first_seen,
        now - rng.randrange(0, 86_400), status, dbss_id, error, 1 if status in ("registered", "failed") else 0,
    )  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("state_dir")
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--pending", action="store_true", help="every row a registrable finding in pending")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.rows > 254 * 65536:
        parser.error("at most 16,646,144 rows (distinct addresses in 10.0.0.0/8)")
    path = Path(args.state_dir) / "inventory.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        stale.unlink(missing_ok=True)
    rng = random.Random(args.seed)
    now = time.time()
    started = time.monotonic()
    database = sqlite3.connect(path)
    # The fill needs no crash safety: the file is thrown away if this script dies.
    database.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + V1_SCHEMA)
    statuses = Counter()

    def rows():
        for index in range(args.rows):
            values = row(index, args.pending, now, rng)
            statuses[values[11]] += 1
            yield values

    with database:
        database.executemany(f"INSERT INTO findings VALUES ({','.join('?' * 15)})", rows())
    database.execute("PRAGMA journal_mode = WAL")  # as dbscout keeps it
    database.close()
    json.dump(
        {
            "path": str(path),
            "rows": args.rows,
            "bytes": path.stat().st_size,
            "statuses": dict(statuses),
            "seconds": round(time.monotonic() - started, 2),
        },
        sys.stdout,
    )
    print()


if __name__ == "__main__":
    main()
