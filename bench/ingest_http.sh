#!/usr/bin/env bash
# End-to-end HTTP bulk ingest benchmark: Elasticsearch `_bulk` requests (the shape Beats, Fluent
# Bit, Vector, Logstash and syslog-ng's elasticsearch-http() send) into `vigil serve`, each
# answered only once its events are durable; wrk drives it with a Lua script. Prints the events
# accepted per second, the answers that pushed back (429 + Retry-After), the events vigil stored
# against those acknowledged (loss) and vigil's peak memory.
#
#   DURATION=60 CONNECTIONS=4 BATCH=1000 bench/ingest_http.sh
#
# Every document is a Winlogbeat/Filebeat-style JSON event of about 300 bytes with varied hosts,
# users, addresses and outcomes (16 different bodies rotate). Needs the release build with the
# benchmarks (cmake --preset release -DVIGIL_BUILD_BENCH=ON: vigil and vigil_bench_seed) and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-60}
CONNECTIONS=${CONNECTIONS:-4}
BATCH=${BATCH:-1000}
VIGIL=${VIGIL:-build/release/vigil}
WORK=${WORK:-/var/tmp/vigil-ingest-http-bench}
SEED=${SEED:-build/release/vigil_bench_seed}

. bench/lib.sh
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

rm -rf "$WORK" && mkdir -p "$WORK"
echo "== machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo); ${DURATION} s, ${CONNECTIONS} connections, ${BATCH} documents per _bulk request"

# An administrator's API token (the seed tool writes it into the new data directory), then a log
# source with an ingest token declared with it.
API=$("$SEED" "$WORK/vigil" 1 1)
start_vigil
trap 'kill $VPID 2>/dev/null || true' EXIT
SOURCE=$(curl -sf -H "Authorization: Bearer $API" -H 'Content-Type: application/json' \
  -d '{"org_id":1,"name":"bench-beats","addresses":[],"with_token":true}' "$BASE/api/v1/sources")
TOKEN=$(json "['token']" <<<"$SOURCE")

cat >"$WORK/bulk.lua" <<EOF
-- Builds 16 different _bulk bodies of $BATCH documents once; each request sends the next one.
local bodies = {}
local outcomes = {"success", "failure"}
local users = {"root", "admin", "nguyenvana", "tranthib", "svc-backup", "www-data"}
for b = 1, 16 do
  local lines = {}
  for i = 1, $BATCH do
    local n = b * 100003 + i
    lines[#lines + 1] = '{"create":{"_index":"logs-vigil"}}'
    lines[#lines + 1] = string.format(
      '{"@timestamp":"2026-11-24T08:%02d:%02d.%03dZ","host":{"name":"web-%d.sonoivu.gov.vn"},' ..
      '"source":{"ip":"10.%d.%d.%d","port":%d},"user":{"name":"%s"},"event":{"code":"4625",' ..
      '"outcome":"%s","category":["authentication"]},"process":{"name":"sshd","pid":%d},' ..
      '"message":"Failed password for %s from 10.%d.%d.%d port %d ssh2 (request %d)"}',
      n % 60, math.floor(n / 60) % 60, n % 1000, n % 40, n % 250, math.floor(n / 7) % 250, n % 253 + 1, 1024 + n % 60000,
      users[n % #users + 1], outcomes[n % 2 + 1], 1000 + n % 30000, users[n % #users + 1],
      n % 250, math.floor(n / 7) % 250, n % 253 + 1, 1024 + n % 60000, n)
  end
  bodies[b] = table.concat(lines, "\n") .. "\n"
end
local next_body = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-ndjson"
wrk.headers["Authorization"] = "Bearer $TOKEN"
request = function()
  next_body = next_body % 16 + 1
  return wrk.format(nil, "/es/_bulk", nil, bodies[next_body])
end
local ok, pushed_back, other = 0, 0, 0
response = function(status)
  if status == 200 then ok = ok + 1 elseif status == 429 or status == 503 then pushed_back = pushed_back + 1
  else other = other + 1 end
end
done = function(summary, latency, requests)
  -- wrk keeps one Lua state per thread; the summary counts every thread's responses.
  io.write(string.format("wrk: requests %d, non-2xx %d, socket errors %d, p50 %.1f ms, p99 %.1f ms\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
EOF

wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 60s -s "$WORK/bulk.lua" "$BASE" >"$WORK/wrk.txt" 2>&1 || true
REQUESTS=$(sed -n 's/^wrk: requests \([0-9]*\).*/\1/p' "$WORK/wrk.txt")
if [[ -z $REQUESTS ]]; then
  echo "wrk did not finish its run:" >&2
  cat "$WORK/wrk.txt" >&2
  exit 1
fi
NON2XX=$(sed -n 's/.*non-2xx \([0-9]*\).*/\1/p' "$WORK/wrk.txt")
ERRORS=$(sed -n 's/.*socket errors \([0-9]*\).*/\1/p' "$WORK/wrk.txt")
LAT=$(sed -n 's/.*\(p50 .*\)/\1/p' "$WORK/wrk.txt")
ACKED=$(((REQUESTS - NON2XX) * BATCH))
STORED=$(metric vigil_eventstore_events)
RSS=$(awk '/VmHWM/{print $2}' /proc/$VPID/status)
# A search through the API proves the events are searchable, not only counted.
FOUND=$(curl -sf -H "Authorization: Bearer $API" "$BASE/api/v1/events/histogram?q=user.name:root&from=2026-11-24T00:00:00Z&to=2026-11-25T00:00:00Z&buckets=1" |
  json "['total']" 2>/dev/null || echo "?")
kill -TERM $VPID
wait $VPID || true
trap - EXIT
echo "== vigil _bulk: $((REQUESTS - NON2XX)) requests acknowledged (= $ACKED events durable), $NON2XX pushed back or refused, $ERRORS socket errors; $LAT"
echo "   rate: $(awk -v a="$ACKED" -v d="$DURATION" 'BEGIN{printf "%.0f", a/d}') events/s acknowledged durable"
echo "   stored $STORED events (acknowledged but missing: $((ACKED > STORED ? ACKED - STORED : 0))); histogram of user.name:root over the day through the API: $FOUND events"
echo "   peak RSS $RSS KiB"
if [[ ${KEEP:-0} != 1 ]]; then rm -rf "$WORK"; fi
