#!/usr/bin/env bash
# vigil load benchmark (not a test): prints figures, asserts nothing.
#  1. start-up time and idle resident memory of `vigil serve`;
#  2. wrk against an authenticated list endpoint (GET /api/v1/users, 10,000 accounts in scope)
#     at 64 and 256 connections: requests/s, p50/p99 latency, errors;
#  3. the store micro-benchmarks (Google Benchmark);
#  4. the registry micro-benchmarks (5,000 systems, 100,000 assets).
# Run from the repository root after `make bench` built build/bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/bench/vigil
SEED=build/bench/vigil_bench_seed
DURATION=${DURATION:-15s}
WORK=$(mktemp -d)
PID=""
trap '[[ -n $PID ]] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
export VIGIL_ADMIN_PASSWORD=Bench-password-123

echo "== machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo), $(uname -r)"

# --- 1. start-up time and idle memory on an empty store (first start included)
start_ns=$(date +%s%N)
"$BIN" serve --data-dir "$WORK/empty" --listen 127.0.0.1:0 --port-file "$WORK/empty.port" >"$WORK/empty.log" 2>&1 &
PID=$!
while [[ ! -s "$WORK/empty.port" ]]; do sleep 0.005; done
ready_ns=$(date +%s%N)
PORT=$(cat "$WORK/empty.port")
curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null
sleep 2
echo "== start-up to listening (first start, empty store): $(( (ready_ns - start_ns) / 1000000 )) ms"
echo "== idle resident memory: $(awk '/VmRSS/{printf "%.1f MB", $2/1024}' /proc/$PID/status)"
kill $PID; wait $PID 2>/dev/null || true; PID=""

# --- 2. wrk on the users list with 10,000 accounts
"$SEED" "$WORK/data" 10000 50 > "$WORK/token"
TOKEN=$(cat "$WORK/token")
start_ns=$(date +%s%N)
"$BIN" serve --data-dir "$WORK/data" --listen 127.0.0.1:0 --port-file "$WORK/data.port" >"$WORK/data.log" 2>&1 &
PID=$!
while [[ ! -s "$WORK/data.port" ]]; do sleep 0.005; done
echo "== start-up to listening (10,000 accounts): $(( ($(date +%s%N) - start_ns) / 1000000 )) ms"
PORT=$(cat "$WORK/data.port")
for query in "limit=50" "limit=50&offset=5000"; do
  URL="http://127.0.0.1:$PORT/api/v1/users?$query"
  total=$(curl -sf -H "Authorization: Bearer $TOKEN" "$URL" | sed -n 's/.*"total":\([0-9]*\).*/\1/p')
  echo "== endpoint: GET /api/v1/users?$query (accounts in scope: $total), API token auth"
  for c in 64 256; do
    echo "-- wrk -t2 -c$c -d$DURATION"
    wrk -t2 -c"$c" -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$URL" |
      grep -E "Requests/sec|Latency  |50%|99%|Non-2xx|Socket errors|requests in"
  done
done
echo "== resident memory after load: $(awk '/VmRSS/{printf "%.1f MB", $2/1024}' /proc/$PID/status)"
kill $PID; wait $PID 2>/dev/null || true; PID=""

# --- 3. store micro-benchmarks
build/bench/vigil_store_bench --benchmark_min_time=1

# --- 4. the registry at the size of issue 3 (5,000 systems, 100,000 assets, 50 agencies)
build/bench/vigil_registry_bench --benchmark_min_time=1

# --- 5. log collection (issue 5): end-to-end TCP syslog ingest against rsyslog, HTTP _bulk ingest,
#        and EVTX import
VIGIL=build/bench/vigil bench/ingest.sh
VIGIL=build/bench/vigil SEED=build/bench/vigil_bench_seed bench/ingest_http.sh
bench/evtx.sh

# --- 6. RELP from rsyslog's omrelp, acknowledged once durable (issue 5)
VIGIL=build/bench/vigil bench/relp.sh
