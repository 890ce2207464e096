#!/usr/bin/env bash
# The test command: start the real database servers on loopback, then run every test against them.
# Needs the packages from scripts/install-debian-packages.sh and root (the servers run as their own users).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/test-servers.sh up
export DBSCOUT_TEST_SERVERS=1
swift build --build-tests
deploy/test-deploy.sh
swift test --skip-build
# Live capture on lo, on its own: in the parallel run above it has missed the traffic (see the test's comment).
DBSCOUT_LIVE_SNIFF_TEST=1 swift test --skip-build --filter liveTrafficOnLoopbackIsRecognised
scripts/lossy-lab.sh
