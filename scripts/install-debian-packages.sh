#!/usr/bin/env bash
# Installs the Debian packages dbscout builds against and tests with. Run as root.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(
  libpcap-dev libsqlite3-dev             # build: packet capture, the embedded inventory
  postgresql mariadb-server mariadb-client redis-server redis-tools openssl  # real servers for tests and the demo
  pgbouncer pgpool2 stunnel4             # poolers and a TLS terminator, also real, for the tests
  nmap tcpdump iproute2                  # reference tools for benchmarks, network namespaces
  systemd shellcheck                     # deploy/: systemd-analyze verify, the units under a real systemd, lint
  python3                                # the lossy lab's delay-and-loss relay, benchmark drivers
)
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
echo "installed: ${packages[*]}"
