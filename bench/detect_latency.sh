#!/bin/sh
# Live detection latency (issue 6): the real `vigil serve`, one event at a time sent over HTTP
# ingest, the time until its alert is visible through GET /api/v1/alerts. Prints min/p50/p90/p99/max.
# Needs the release build with tests: cmake --preset release -DVIGIL_BUILD_TESTS=ON &&
# cmake --build build/release --target vigil vigil_durability_tests
# Usage: bench/detect_latency.sh [events]   (default 500)
set -eu
cd "$(dirname "$0")/.."
events="${1:-500}"
bin=build/release/vigil_durability_tests
[ -x "$bin" ] || { echo "build $bin first (see the header of this script)" >&2; exit 1; }
VIGIL_LATENCY_EVENTS="$events" "$bin" --gtest_filter='DetectionLatency.EventToVisibleAlertInTheRealServer' |
  grep -E 'detection latency|OK|FAILED'
