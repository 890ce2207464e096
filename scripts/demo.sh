#!/usr/bin/env bash
# The demo: real PostgreSQL, MariaDB and Redis servers on loopback, the DBSS emulator on loopback, and
# dbscout scanning 127.0.0.0/24 twice. Needs root and the packages from scripts/install-debian-packages.sh.
# Nothing leaves this machine: every address involved is in 127.0.0.0/8.
set -euo pipefail
cd "$(dirname "$0")/.."

swift build
bin=$(swift build --show-bin-path)
scripts/test-servers.sh up

work=$(mktemp -d /tmp/dbscout-demo.XXXXXX)
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
DBSS_EMULATOR_TOKEN=$token "$bin/dbss-emulator" --project-id demo-project --instance-id demo-instance \
  >"$work/emulator.out" 2>"$work/emulator.log" &
emulator=$!
trap 'kill $emulator 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q listening "$work/emulator.out" && break; sleep 0.1; done
url=$(sed -n 's/^dbss-emulator listening on //p' "$work/emulator.out")
[ -n "$url" ] || { cat "$work/emulator.log" >&2; exit 1; }

export DBSCOUT_STATE_DIR=$work/state DBSCOUT_DBSS_ENDPOINT=$url DBSCOUT_DBSS_PROJECT_ID=demo-project \
  DBSCOUT_DBSS_INSTANCE_ID=demo-instance DBSCOUT_DBSS_TOKEN=$token
all_ports=5432,15432,25432,3306,13306,23306,33306,6379,16379,6380,6432,9999

echo "== 1. dry run over the default database ports: what would be registered"
"$bin/dbscout" scan 127.0.0.0/24 --dry-run
echo
echo "== 2. scan and register (default ports)"
"$bin/dbscout" scan 127.0.0.0/24
echo
echo "== 3. scan again, adding the test servers' non-default ports: only the new ones are registered"
"$bin/dbscout" scan 127.0.0.0/24 -p "$all_ports"
echo
echo "== 4. the inventory"
"$bin/dbscout" inventory
echo
echo "== 5. what the DBSS emulator holds"
python3 -c "import json, sys, urllib.request; [print(d[\"ip\"], d[\"port\"], d[\"type\"], d[\"version\"], d[\"os\"]) for d in json.load(urllib.request.urlopen(sys.argv[1]))]" "$url/_emulator/databases"
echo
echo "State kept in $work (inventory.sqlite under state/)."
