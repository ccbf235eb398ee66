#!/usr/bin/env bash
# RELP benchmark: loggen (syslog-ng-core) sends 300-byte messages over TCP to rsyslog (imptcp),
# which forwards them with omrelp to `vigil serve --relp`; vigil acknowledges each message only
# once it is durable (fdatasync'ed). Prints the rate at which vigil stored the stream (events
# stored / seconds from the first send to the last stored event), what loggen sent, what vigil
# stored (loss), and vigil's peak memory.
#
#   DURATION=20 CONNECTIONS=2 bench/relp.sh
#
# rsyslog and rsyslog-relp come from `scripts/install-deps.sh test`; loggen from
# scripts/fetch-syslog-ng.sh (see bench/ingest.sh). Needs the release build.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-2}
SIZE=${SIZE:-300}
WINDOW=${WINDOW:-1024}
VIGIL=${VIGIL:-build/release/vigil}
WORK=${WORK:-/var/tmp/vigil-relp-bench}

. bench/lib.sh

VPID="" RSPID=""
trap '[[ -n $RSPID ]] && kill $RSPID 2>/dev/null; [[ -n $VPID ]] && kill $VPID 2>/dev/null; wait 2>/dev/null || true' EXIT
rm -rf "$WORK" && mkdir -p "$WORK/rsyslog"
echo "== machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo); ${DURATION} s, ${CONNECTIONS} loggen connections, ${SIZE}-byte messages, omrelp window ${WINDOW}"

# --- vigil with its RELP listener on a free port ---------------------------------------------
VIGIL_ADMIN_PASSWORD='Bench-password-1234' start_vigil --relp 127.0.0.1:0
RELP=$(awk '$1=="relp" {print $2}' "$WORK/port.syslog")

# --- rsyslog: imptcp in, omrelp out ---------------------------------------------------------
RTCP=$(free_port)
cat >"$WORK/rsyslog.conf" <<EOF
global(workDirectory="$WORK/rsyslog")
module(load="imptcp")
module(load="omrelp")
input(type="imptcp" port="$RTCP" address="127.0.0.1")
action(type="omrelp" target="127.0.0.1" port="$RELP" windowSize="$WINDOW"
       queue.type="LinkedList" queue.size="500000" queue.dequeueBatchSize="1024")
EOF
rsyslogd -n -f "$WORK/rsyslog.conf" -i "$WORK/rsyslog.pid" >"$WORK/rsyslog.log" 2>&1 &
RSPID=$!
sleep 1

START=$(now_ms)
loggen -i -S -s "$SIZE" -r 10000000 -I "$DURATION" --active-connections "$CONNECTIONS" 127.0.0.1 "$RTCP" \
  >"$WORK/loggen.txt" 2>&1 || true
SENT=$(grep -o 'average rate.*count=[0-9]*' "$WORK/loggen.txt" | sed 's/.*count=//')
SENT_RATE=$(grep -o 'average rate = [0-9.]*' "$WORK/loggen.txt" | awk '{print $4}')
# Wait until rsyslog has forwarded everything (vigil's count stops moving for 2 s).
last=-1 last_change=$(now_ms) still=0
for _ in $(seq 1200); do
  n=$(metric vigil_eventstore_events)
  if [[ $n != "$last" ]]; then
    last=$n last_change=$(now_ms) still=0
  else
    still=$((still + 1))
    [[ $still -ge 4 ]] && break
  fi
  sleep 0.5
done
STORED=$(metric vigil_eventstore_events)
RSS=$(awk '/VmHWM/{print $2}' /proc/$VPID/status)
SECONDS_USED=$(awk -v a="$START" -v b="$last_change" 'BEGIN{printf "%.1f", (b-a)/1000}')
echo "== loggen -> rsyslog: sent $SENT at $SENT_RATE msg/s"
echo "== rsyslog omrelp -> vigil: stored $STORED (lost $((SENT - STORED))) in $SECONDS_USED s:" \
  "$(awk -v n="$STORED" -v s="$SECONDS_USED" 'BEGIN{printf "%.0f", n/s}') msg/s acknowledged once durable; vigil peak RSS $RSS KiB"
if [[ ${KEEP:-0} != 1 ]]; then rm -rf "$WORK"; fi
