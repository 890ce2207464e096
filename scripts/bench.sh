#!/usr/bin/env bash
# The benchmark suite (issue 8): dbscout against nmap, tcpdump, tshark, sqlite3 and a C connect loop, on loopback,
# in release mode. Each reference tool runs in the same run on the same work; figures and ratios are printed,
# never asserted. docs/PERFORMANCE.md holds the latest figures and what each section measures.
#
#   scripts/bench.sh                      every section, in this order:
#   scripts/bench.sh sweep identify ...   only the sections named
#
#   sweep     connect probes/s over 127.0.0.0/16 x 3 ports: dbscout, nmap -sT, scripts/bench/connect-ceiling.c
#   identify  real servers (scripts/test-servers.sh) and decoys on 127.0.0.9: dbscout scan vs nmap -sV, accuracy
#   passive   dbscout sniff --read on a generated capture vs tcpdump -r and tshark (scripts/bench/passive.py)
#   memory    peak RSS scanning a /16 and listing an inventory of 1,000,000 rows
#   register  dbscout register against dbss-emulator with the client rate limit off
#
# Settings (environment): BENCH_RUNS (sweep repetitions, 3), BENCH_SWEEP_CONCURRENCY (256), BENCH_CAPTURE_BYTES
# (1100000000), BENCH_TESTDATA (the real handshakes the capture replays; ../shared/testdata),
# BENCH_INVENTORY_ROWS (1000000), BENCH_REGISTER_FINDINGS (1000).
#
# Run as root on Debian: it installs what it needs with apt-get when missing, starts the test servers if they are
# not up (and stops them again at the end), and removes everything it wrote. Nothing leaves 127.0.0.0/8.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export PATH="$PATH:/usr/sbin:/sbin"

all_sections=(sweep identify passive memory register)
if (($#)); then sections=("$@"); else sections=("${all_sections[@]}"); fi
for section in "${sections[@]}"; do
  [[ " ${all_sections[*]} " == *" $section "* ]] ||
    { echo "bench.sh: unknown section '$section' (${all_sections[*]})" >&2; exit 2; }
done
[[ $EUID -eq 0 ]] || { echo "bench.sh: run as root (test servers, apt-get, loopback addresses)" >&2; exit 2; }
wants() { [[ " ${sections[*]} " == *" $1 "* ]]; }

# ------------------------------------------------------------------ what it needs
# command -> Debian package
declare -A tools=(
  [nmap]=nmap [gcc]=gcc [tcpdump]=tcpdump [tshark]=tshark [sqlite3]=sqlite3 [openssl]=openssl [python3]=python3
  [ss]=iproute2 [/usr/bin/time]=time
)
if wants sweep || wants identify; then # scripts/test-servers.sh's servers, and the clients that ask their versions
  tools+=(
    [pg_ctlcluster]=postgresql [psql]=postgresql-client [mariadbd]=mariadb-server [mariadb]=mariadb-client [redis-server]=redis-server
    [redis-cli]=redis-tools [pgbouncer]=pgbouncer [pgpool]=pgpool2 [stunnel4]=stunnel4
  )
fi
missing=()
for tool in "${!tools[@]}"; do command -v "$tool" >/dev/null || missing+=("${tools[$tool]}"); done
if ((${#missing[@]})); then
  echo "installing ${missing[*]} ..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# ------------------------------------------------------------------ clean-up
work=$(mktemp -d "${TMPDIR:-/var/tmp}/dbscout-bench.XXXXXX")
export TMPDIR=$work # every driver's temporary files land here, and go with it
driver=""
started_servers=no
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n $driver ]] && kill -0 "$driver" 2>/dev/null; then
    kill -TERM "$driver" 2>/dev/null || true # the drivers stop their decoys and emulator on SIGTERM
    wait "$driver" 2>/dev/null || true
  fi
  if [[ $started_servers == yes ]]; then scripts/test-servers.sh down >/dev/null 2>&1 || true; fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A section's title, with the load average: the figures are only as quiet as the machine was.
section() {
  echo
  echo "== $1    (load $(cut -d' ' -f1-3 /proc/loadavg))"
}

# Runs a driver in the background and waits for it, so that the trap can stop it by its pid.
run_driver() {
  python3 "$@" &
  driver=$!
  wait "$driver"
  driver=""
}

# ------------------------------------------------------------------ build
# The lead's release tree: if another build holds its lock, SwiftPM waits for it.
for product in dbscout dbss-emulator; do
  swift build -c release --product "$product" --scratch-path .build-release >"$work/build.log" 2>&1 ||
    { cat "$work/build.log" >&2; exit 1; }
  tail -n 1 "$work/build.log"
done
bin=$root/.build-release/release
gcc -O2 -Wall -o "$work/connect-ceiling" scripts/bench/connect-ceiling.c

# ------------------------------------------------------------------ the machine
echo
echo "== machine"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD 2>/dev/null || commit+=" with local changes"
echo "date:     $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $commit"
echo "cpu:      $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
echo "kernel:   $(uname -sr)"
echo "memory:   $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
echo "swift:    $(swift --version 2>&1 | head -n 1)"
echo "nmap:     $(nmap --version | head -n 1)"
echo "tcpdump:  $(tcpdump --version 2>&1 | head -n 1), $(tcpdump --version 2>&1 | sed -n 2p)"
echo "tshark:   $(tshark --version 2>/dev/null | head -n 1)"
echo "sqlite3:  $(sqlite3 --version | cut -d' ' -f1)"
echo "gcc:      $(gcc --version | head -n 1)"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the start"

# ------------------------------------------------------------------ sections
if wants sweep || wants identify; then
  if ! scripts/test-servers.sh status >/dev/null 2>&1; then
    started_servers=yes
    scripts/test-servers.sh up >/dev/null
  fi
fi

if wants sweep; then
  section "1. sweep rate"
  run_driver scripts/bench/sweep.py --dbscout "$bin/dbscout" --ceiling "$work/connect-ceiling" \
    --runs "${BENCH_RUNS:-3}" --concurrency "${BENCH_SWEEP_CONCURRENCY:-256}"
fi

if wants identify; then
  section "2. identification"
  run_driver scripts/bench/identify.py --dbscout "$bin/dbscout"
fi

if wants passive; then
  section "3. passive"
  testdata=${BENCH_TESTDATA:-$root/../shared/testdata}
  if [[ -d $testdata/captures ]]; then
    echo "generating a ${BENCH_CAPTURE_BYTES:-1100000000}-byte capture from the handshakes in $testdata ..."
    run_driver scripts/bench/make-capture.py "$work/mixed.pcap" --bytes "${BENCH_CAPTURE_BYTES:-1100000000}" \
      --testdata "$testdata" >"$work/mixed.json"
    run_driver scripts/bench/passive.py --dbscout "$bin/dbscout" --capture "$work/mixed.pcap" \
      --expected "$work/mixed.json"
    rm -f "$work/mixed.pcap"
  else
    echo "skipped: the real handshakes the capture replays are not in $testdata (set BENCH_TESTDATA)"
  fi
fi

if wants memory; then
  section "4. memory"
  run_driver scripts/bench/memory.py --dbscout "$bin/dbscout" --rows "${BENCH_INVENTORY_ROWS:-1000000}" \
    --testdata "${BENCH_TESTDATA:-$root/../shared/testdata}"
fi

if wants register; then
  section "5. registration"
  run_driver scripts/bench/register.py --dbscout "$bin/dbscout" --emulator "$bin/dbss-emulator" \
    --findings "${BENCH_REGISTER_FINDINGS:-1000}"
fi
