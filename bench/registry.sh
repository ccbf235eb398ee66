#!/usr/bin/env bash
# Compliance benchmark (not a test): prints figures, asserts nothing. Issue 3's targets: with
# 5,000 systems, 100,000 assets and 50 agencies, the province dashboard and Mẫu 08 for the
# province in under 2 s; list pages p99 under 50 ms.
#  1. seeds a data directory (vigil_bench_registry_seed) and starts `vigil serve` on it;
#  2. times the province-wide annual report (prefill of Mẫu 08 and the Circular 12 report) and its
#     rendering as DOCX and XLSX, and the dashboard when the server has one (5 runs each);
#  3. wrk on the list pages (systems, assets, one agency's systems): requests/s, p50/p99.
# Run from the repository root after `make bench` built build/bench/. Sizes can be changed:
#   AGENCIES=50 SYSTEMS=5000 ASSETS=100000 DURATION=15s bench/registry.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=build/bench/vigil
SEED=build/bench/vigil_bench_registry_seed
AGENCIES=${AGENCIES:-50}
SYSTEMS=${SYSTEMS:-5000}
ASSETS=${ASSETS:-100000}
DURATION=${DURATION:-15s}
WORK=$(mktemp -d)
PID=""
trap '[[ -n $PID ]] && kill $PID 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
export VIGIL_ADMIN_PASSWORD=Bench-password-123

echo "== registry: $AGENCIES agencies, $SYSTEMS systems, $ASSETS assets ($(nproc) cores)"
start_ns=$(date +%s%N)
"$SEED" "$WORK/data" catalogs "$AGENCIES" "$SYSTEMS" "$ASSETS" > "$WORK/token"
echo "== seeding took $(( ($(date +%s%N) - start_ns) / 1000000 )) ms"
TOKEN=$(cat "$WORK/token")
"$BIN" serve --data-dir "$WORK/data" --listen 127.0.0.1:0 --port-file "$WORK/port" >"$WORK/serve.log" 2>&1 &
PID=$!
while [[ ! -s "$WORK/port" ]]; do sleep 0.01; done
BASE="http://127.0.0.1:$(cat "$WORK/port")/api/v1"
AUTH=(-H "Authorization: Bearer $TOKEN")

# Prints min / median / max of five timed GETs (seconds, curl's time_total).
time_get() {
  local what=$1 url=$2 times=()
  for _ in 1 2 3 4 5; do
    times+=("$(curl -s -o "$WORK/out" -w '%{time_total}' "${AUTH[@]}" "$url")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v w="$what" -v b="$(stat -c %s "$WORK/out")" \
    '{t[NR]=$1} END {printf "-- %s: min %.3f s, median %.3f s, max %.3f s (%d bytes)\n", w, t[1], t[3], t[5], b}'
}

echo "== province-wide reports"
time_get "GET /reports/annual (Mẫu 08 + Circular 12 report, whole province)" "$BASE/reports/annual"
# Render Mẫu 08 for the province with every missing mandatory field completed.
python3 - "$WORK/out" "$WORK/render.json" <<'EOF'
import json, sys
items = json.load(open(sys.argv[1]))["items"]
m08 = next(i for i in items if i["form"] == "nd331-mau-08")
data = m08["data"]
for m in m08["missing"]:
    name = m["name"]
    if "[" in name:
        table, rest = name.split("[", 1)
        row, col = rest.split("].", 1)
        data["tables"][table][int(row) - 1][col] = "Thông tin"
    else:
        data["fields"][name] = "0" if name.endswith("_systems") else "Thông tin"
json.dump({"form": "nd331-mau-08", "format": "docx", "data": data}, open(sys.argv[2], "w"), ensure_ascii=False)
print("-- Mẫu 08 rows in the systems table:", len(data["tables"]["systems"]))
EOF
for fmt in docx xlsx; do
  sed -i "s/\"format\": \"[a-z]*\"/\"format\": \"$fmt\"/" "$WORK/render.json"
  times=()
  for _ in 1 2 3 4 5; do
    times+=("$(curl -s -o "$WORK/file" -w '%{time_total}' "${AUTH[@]}" -H 'Content-Type: application/json' \
      --data-binary @"$WORK/render.json" "$BASE/forms/render")")
  done
  printf '%s\n' "${times[@]}" | sort -n | awk -v f="$fmt" -v b="$(stat -c %s "$WORK/file")" \
    '{t[NR]=$1} END {printf "-- POST /forms/render Mẫu 08 %s: min %.3f s, median %.3f s, max %.3f s (%d bytes)\n", f, t[1], t[3], t[5], b}'
done
if curl -sf -o /dev/null "${AUTH[@]}" "$BASE/dashboard"; then
  time_get "GET /dashboard (province)" "$BASE/dashboard"
else
  echo "-- GET /dashboard: not served by this build"
fi

echo "== list pages (wrk -t2 -c64 -d$DURATION)"
ORG=$(curl -sf "${AUTH[@]}" "$BASE/orgs" | python3 -c 'import json,sys; print([o["id"] for o in json.load(sys.stdin)["items"] if o["parent_id"]][0])')
for path in "systems?limit=50" "systems?limit=50&offset=4000" "systems?org_id=$ORG&limit=50" "assets?limit=50" \
  "assets?limit=50&offset=90000"; do
  echo "-- GET /$path"
  wrk -t2 -c64 -d"$DURATION" --latency -H "Authorization: Bearer $TOKEN" "$BASE/$path" |
    grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors"
done
echo "== resident memory after load: $(awk '/VmRSS/{printf "%.1f MB", $2/1024}' /proc/$PID/status)"
