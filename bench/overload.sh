#!/usr/bin/env bash
# Overload benchmark of log collection (not a test: prints figures, asserts nothing). `vigil serve`
# with its default [events] bounds (64 MiB queue, 64 MiB log segments) is first measured at full
# speed for CALIBRATE seconds (loggen over TCP, unlimited rate), then offered FACTOR (10) times
# that rate for DURATION (30) seconds: loggen over CONNECTIONS TCP connections at FACTOR x capacity
# in total, plus HTTP_CLIENTS curl loops posting NDJSON batches of 1,000 events to
# /api/v1/ingest/ndjson without honouring Retry-After. Prints the server's peak RSS (VmHWM), the
# rate it stored, what loggen achieved against its target (the TCP window pushes it back), the
# store's refusals, the HTTP answers by status and /healthz during the flood.
#
#   DURATION=30 FACTOR=10 CONNECTIONS=20 HTTP_CLIENTS=4 bench/overload.sh
#
# loggen comes from syslog-ng-core, unpacked by scripts/fetch-syslog-ng.sh (see bench/ingest.sh).
# Extra VIGIL_* variables (e.g. VIGIL_EVENTS_MAX_QUEUED_BYTES) pass through to the server.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-30}
CALIBRATE=${CALIBRATE:-10}
FACTOR=${FACTOR:-10}
CONNECTIONS=${CONNECTIONS:-20}
HTTP_CLIENTS=${HTTP_CLIENTS:-4}
SIZE=${SIZE:-300}
VIGIL=${VIGIL:-build/release/vigil}
WORK=${WORK:-/var/tmp/vigil-overload-bench}
PASSWORD='Bench-password-1234'

. bench/lib.sh
# Waits until everything accepted is stored: the count has not moved for 3 s (a pushed-back TCP
# connection waits up to the store's retry-after before it resubmits) and nothing is queued.
drain() {
  local last=-1 n stable=0
  for _ in $(seq 600); do
    n=$(metric vigil_eventstore_events)
    if [[ $n == "$last" && $(metric vigil_eventstore_queued_bytes) == 0 ]]; then
      stable=$((stable + 1))
      [[ $stable -ge 6 ]] && break
    else
      stable=0
    fi
    last=$n
    sleep 0.5
  done
}
json() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }
# RFC 6238 TOTP from a base32 secret (the admin's two-step enrolment), coreutils and openssl only.
totp() {
  local key_hex counter msg mac offset bin
  key_hex=$(printf '%s' "$1" | base32 -d 2>/dev/null | od -An -tx1 | tr -d ' \n')
  counter=$(($(date +%s) / 30))
  msg=$(printf '%016x' "$counter" | sed 's/../\\x&/g')
  mac=$(printf "$msg" | openssl dgst -sha1 -mac HMAC -macopt "hexkey:$key_hex" -binary | od -An -tx1 | tr -d ' \n')
  offset=$((0x${mac:39:1} * 2))
  bin=$((0x${mac:$offset:8} & 0x7fffffff))
  printf '%06d' $((bin % 1000000))
}

PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true' EXIT
rm -rf "$WORK" && mkdir -p "$WORK"
echo "== machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) (other builds may share it)"

TCP=$(free_port)
VIGIL_ADMIN_PASSWORD=$PASSWORD VIGIL_AUTH_ARGON2_MEMLIMIT_KIB=8192 VIGIL_AUTH_ARGON2_OPSLIMIT=1 \
  VIGIL_COLLECT_SYSLOG_TCP="127.0.0.1:$TCP" \
  start_vigil
PIDS+=("$VPID")

# A declared source with an ingest token (admin login with two-step enrolment first).
LOGIN=$(curl -s -c "$WORK/jar" -H 'Content-Type: application/json' \
  -d "{\"username\":\"admin\",\"password\":\"$PASSWORD\"}" "$BASE/api/v1/auth/login")
CSRF=$(json csrf_token <<<"$LOGIN")
SECRET=$(curl -s -b "$WORK/jar" -X POST -H "X-CSRF-Token: $CSRF" "$BASE/api/v1/me/mfa/setup" | json secret)
curl -sf -b "$WORK/jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $CSRF" \
  -d "{\"code\":\"$(totp "$SECRET")\"}" "$BASE/api/v1/me/mfa/confirm"
TOKEN=$(curl -s -b "$WORK/jar" -H 'Content-Type: application/json' -H "X-CSRF-Token: $CSRF" \
  -d '{"org_id":1,"name":"overload bench","with_token":true}' "$BASE/api/v1/sources" | json token)
[[ -n $TOKEN ]] || { echo "no source token"; exit 1; }
for i in $(seq 1000); do
  printf '{"message":"overload bench event %d from web-%d: GET /index.html 200","event":{"code":"%d"}}\n' "$i" $((i % 9)) $((i % 50))
done >"$WORK/batch.ndjson"
REST=$(awk '/VmRSS/{print $2}' /proc/$VPID/status)

# --- calibration: what the server takes at full speed
loggen -i -S -s "$SIZE" -r 10000000 -I "$CALIBRATE" --active-connections 4 127.0.0.1 "$TCP" >"$WORK/calibrate.txt" 2>&1 || true
CAPACITY=$(grep -o 'average rate = [0-9.]*' "$WORK/calibrate.txt" | awk '{printf "%d", $4}')
TARGET=$((CAPACITY * FACTOR))
PER_CONN=$((TARGET / CONNECTIONS + 1))
drain
echo "== capacity (loggen, 4 connections, full speed, ${CALIBRATE} s): $CAPACITY msg/s; overload target ${FACTOR}x = $TARGET msg/s"

# --- overload
EVENTS0=$(metric vigil_eventstore_events)
REJECTED0=$(metric vigil_eventstore_rejected_events)
END=$(($(date +%s) + DURATION))
for c in $(seq "$HTTP_CLIENTS"); do
  (while [[ $(date +%s) -lt $END ]]; do
    curl -s -o /dev/null -w '%{http_code}\n' --max-time 60 -H "Authorization: Bearer $TOKEN" \
      -H 'Content-Type: application/x-ndjson' --data-binary @"$WORK/batch.ndjson" "$BASE/api/v1/ingest/ndjson" || echo 000
  done) >"$WORK/http-$c.codes" &
  PIDS+=($!)
done
(while [[ $(date +%s) -lt $END ]]; do
  t0=$(date +%s%N)
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$BASE/healthz" || echo 000)
  echo "$code $((($(date +%s%N) - t0) / 1000000))"
  awk '/VmRSS/{print "rss", $2}' /proc/$VPID/status
  sleep 0.5
done) >"$WORK/health.txt" &
PIDS+=($!)
loggen -i -S -s "$SIZE" -r "$PER_CONN" -I "$DURATION" --active-connections "$CONNECTIONS" 127.0.0.1 "$TCP" \
  >"$WORK/loggen.txt" 2>&1 || true
wait "${PIDS[@]:1}" 2>/dev/null || true
EVENTS1=$(metric vigil_eventstore_events)
SENT_RATE=$(grep -o 'average rate = [0-9.]*' "$WORK/loggen.txt" | awk '{printf "%d", $4}')
SENT=$(grep -o 'average rate.*count=[0-9]*' "$WORK/loggen.txt" | sed 's/.*count=//')
drain
EVENTS2=$(metric vigil_eventstore_events)
REJECTED1=$(metric vigil_eventstore_rejected_events)
HWM=$(awk '/VmHWM/{print $2}' /proc/$VPID/status)
HTTP_OK=$(cat "$WORK"/http-*.codes | grep -c '^200$' || true)
echo "== overload ${DURATION} s: ${CONNECTIONS} TCP connections (loggen, target $TARGET msg/s) + ${HTTP_CLIENTS} HTTP clients (1,000-event batches, Retry-After ignored)"
echo "   stored during the flood: $((EVENTS1 - EVENTS0)) events = $(((EVENTS1 - EVENTS0) / DURATION)) events/s; after the drain $((EVENTS2 - EVENTS0))"
echo "   loggen achieved $SENT_RATE msg/s of its $TARGET target ($SENT sent: the TCP window held it back)"
echo "   TCP + HTTP stored = $((EVENTS2 - EVENTS0)); loggen sent $SENT + HTTP acknowledged $((HTTP_OK * 1000)) = $((SENT + HTTP_OK * 1000)) (difference = loss: $((SENT + HTTP_OK * 1000 - EVENTS2 + EVENTS0)))"
echo "   store refusals (queue full): $((REJECTED1 - REJECTED0)) events"
echo "   HTTP answers: $(cat "$WORK"/http-*.codes | sort | uniq -c | awk '{printf "%s x %s, ", $2, $1}' | sed 's/, $//')"
echo "   /healthz during the flood: $(awk '$1!="rss"{n++; if($1==200) ok++; if($2>m) m=$2} END{printf "%d/%d ok, slowest %d ms", ok, n, m}' "$WORK/health.txt")"
echo "   RSS: at rest $((REST / 1024)) MiB, sampled max $(awk '$1=="rss" && $2>m{m=$2} END{printf "%d", m/1024}' "$WORK/health.txt") MiB, peak (VmHWM) $((HWM / 1024)) MiB"
kill -TERM "$VPID"
wait "$VPID" || true
if [[ ${KEEP:-0} != 1 ]]; then rm -rf "$WORK"; fi
