#!/usr/bin/env bash
# Event store benchmark: builds vigil_eventstore_bench (release, -j1) and prints its figures:
# ingest rate (durable), disk per event vs raw, search latencies on everything stored.
#   SECONDS_OF_INGEST=60 PRODUCERS=1 DIR=/var/tmp/vigil-es-bench bench/eventstore.sh
# Needs ../shared/corpora (loghub, wazuh-ruleset-tests). The data directory is deleted at the end
# unless KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${DIR:-/var/tmp/vigil-eventstore-bench}
cmake --preset release -DVIGIL_BUILD_BENCH=ON >/dev/null
cmake --build build/release -j1 --target vigil_eventstore_bench >/dev/null
echo "== machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"
/usr/bin/time -f "== bench process: peak RSS %M KiB, %e s wall, %U s user, %S s system" \
  build/release/vigil_eventstore_bench --dir "$DIR" --seconds "${SECONDS_OF_INGEST:-60}" --producers "${PRODUCERS:-1}"
if [[ ${KEEP:-0} != 1 ]]; then rm -rf "$DIR"; fi
