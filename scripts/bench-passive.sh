#!/usr/bin/env bash
# The passive-discovery benchmark: generates a capture of mixed traffic (1.1 GB by default, BENCH_CAPTURE_BYTES
# to change) with real database handshakes inside, then times `dbscout sniff --read` on it against
# `tcpdump -r FILE -w /dev/null` (libpcap's read floor) and `tshark -r` on a slice, with peak RSS.
# Run as root on Debian (it installs tcpdump and tshark if missing); needs ../shared/testdata for the handshakes.
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for tool in tcpdump tshark python3; do command -v "$tool" >/dev/null || missing+=("$tool"); done
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
swift build -c release --product dbscout
bin="$(swift build -c release --show-bin-path)/dbscout"
dir=$(mktemp -d "${TMPDIR:-/var/tmp}/dbscout-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
echo "generating the capture in $dir ..."
python3 scripts/bench/make-capture.py "$dir/mixed.pcap" --bytes "${BENCH_CAPTURE_BYTES:-1100000000}" >"$dir/mixed.json"
python3 scripts/bench/passive.py --dbscout "$bin" --capture "$dir/mixed.pcap" --expected "$dir/mixed.json"
