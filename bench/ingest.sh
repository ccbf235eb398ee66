#!/usr/bin/env bash
# End-to-end ingest benchmark: TCP syslog into `vigil serve` (framed, parsed, normalised, stored
# durably, searchable), then the same stream into rsyslog (imptcp -> omfile, raw template, async
# writing), both driven by loggen from syslog-ng-core with 300-byte messages. Prints both rates,
# their ratio, the events vigil stored against those loggen sent (loss), vigil's peak memory and
# its disk use per event.
#
#   DURATION=60 CONNECTIONS=2 bench/ingest.sh
#
# loggen and rsyslog come from Debian: rsyslog is installed by `scripts/install-deps.sh test`;
# syslog-ng-core conflicts with it, so its .deb is downloaded and unpacked into build/tools/
# (scripts/fetch-syslog-ng.sh). Needs the release build (cmake --preset release; the Makefile's
# bench target builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-60}
CONNECTIONS=${CONNECTIONS:-2}
SIZE=${SIZE:-300}
VIGIL=${VIGIL:-build/release/vigil}
WORK=${WORK:-/var/tmp/vigil-ingest-bench}

. bench/lib.sh

rm -rf "$WORK" && mkdir -p "$WORK"
echo "== machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo); ${DURATION} s, ${CONNECTIONS} connections, ${SIZE}-byte messages"

# --- vigil ---------------------------------------------------------------------------------
TCP=$(free_port)
VIGIL_ADMIN_PASSWORD='Bench-password-1234' VIGIL_COLLECT_SYSLOG_TCP="127.0.0.1:$TCP" start_vigil
loggen -i -S -s "$SIZE" -r 10000000 -I "$DURATION" --active-connections "$CONNECTIONS" 127.0.0.1 "$TCP" \
  >"$WORK/loggen-vigil.txt" 2>&1 || true
SENT=$(grep -o 'average rate.*count=[0-9]*' "$WORK/loggen-vigil.txt" | sed 's/.*count=//')
SENT_RATE=$(grep -o 'average rate = [0-9.]*' "$WORK/loggen-vigil.txt" | awk '{print $4}')
# Wait until everything sent is durable (the store's count stops moving).
last=-1
for _ in $(seq 600); do
  n=$(metric vigil_eventstore_events)
  [[ $n == "$last" && -n $n ]] && break
  last=$n
  sleep 0.5
done
STORED=$(metric vigil_eventstore_events)
DISK=$(metric vigil_eventstore_disk_bytes)
RAW=$(metric vigil_eventstore_raw_bytes)
RSS=$(awk '/VmHWM/{print $2}' /proc/$VPID/status)
stop_vigil
echo "== vigil:   loggen sent $SENT at $SENT_RATE msg/s; stored $STORED (lost $((SENT - STORED))); peak RSS $RSS KiB"
echo "            disk $(awk -v d="$DISK" -v r="$RAW" 'BEGIN{printf "%.1f %% of the raw text", 100*d/r}') ($DISK bytes for $RAW raw)"

# --- rsyslog ------------------------------------------------------------------------------
RPORT=$(free_port)
cat >"$WORK/rsyslog.conf" <<EOF
global(workDirectory="$WORK")
module(load="imptcp")
input(type="imptcp" port="$RPORT" address="127.0.0.1")
template(name="raw" type="string" string="%rawmsg%\n")
action(type="omfile" file="$WORK/rsyslog.out" template="raw" asyncWriting="on" ioBufferSize="256k" flushOnTXEnd="off")
EOF
rsyslogd -n -f "$WORK/rsyslog.conf" -i "$WORK/rsyslog.pid" >"$WORK/rsyslog.log" 2>&1 &
RSPID=$!
sleep 1
loggen -i -S -s "$SIZE" -r 10000000 -I "$DURATION" --active-connections "$CONNECTIONS" 127.0.0.1 "$RPORT" \
  >"$WORK/loggen-rsyslog.txt" 2>&1 || true
RSENT=$(grep -o 'average rate.*count=[0-9]*' "$WORK/loggen-rsyslog.txt" | sed 's/.*count=//')
RRATE=$(grep -o 'average rate = [0-9.]*' "$WORK/loggen-rsyslog.txt" | awk '{print $4}')
sleep 2
kill -TERM $RSPID
wait $RSPID || true
echo "== rsyslog: loggen sent $RSENT at $RRATE msg/s; written $(wc -l <"$WORK/rsyslog.out") lines"
echo "== ratio vigil/rsyslog: $(awk -v a="$SENT_RATE" -v b="$RRATE" 'BEGIN{printf "%.2f", a/b}')"
if [[ ${KEEP:-0} != 1 ]]; then rm -rf "$WORK"; fi
