# Shared set-up of the end-to-end bench scripts (sourced, not run): loggen from syslog-ng-core,
# free ports, /metrics readers and a `vigil serve` started on loopback. Expects the caller to have
# cd'ed to the repository root and to set VIGIL (the binary) and WORK (a scratch directory).

# loggen (syslog-ng-core) conflicts with rsyslog as an installed package: it is unpacked under
# build/tools/ by scripts/fetch-syslog-ng.sh on first use.
loggen() {
  SNG=${SNG:-$(scripts/fetch-syslog-ng.sh)}
  SYSLOGNG_PREFIX="$SNG/usr" LD_LIBRARY_PATH="$SNG/usr/lib/syslog-ng" "$SNG/usr/bin/loggen" "$@"
}
# The rate and the count loggen printed in its report file.
loggen_rate() { grep -o 'average rate = [0-9.]*' "$1" | awk '{print $4}'; }
loggen_count() { grep -o 'average rate.*count=[0-9]*' "$1" | sed 's/.*count=//'; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
machine() { echo "$(nproc) cores, $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg)"; }

# metric NAME: the value of one /metrics line of the server started by start_vigil.
metric() { curl -s "$BASE/metrics" | awk -v m="$1" '$1==m {printf "%.0f", $2}'; }

# start_vigil [serve flags...]: starts `vigil serve` on a free loopback port with its data in
# $WORK/vigil, log in $WORK/vigil.log; sets VPID, HTTP (the port) and BASE. Variables assigned
# before the call (VIGIL_*) reach the server. Fails with the log's tail when it does not start.
start_vigil() {
  rm -f "$WORK/port"
  "$VIGIL" serve --data-dir "$WORK/vigil" --listen 127.0.0.1:0 --port-file "$WORK/port" "$@" >"$WORK/vigil.log" 2>&1 &
  VPID=$!
  for _ in $(seq 100); do [[ -s $WORK/port ]] && break; sleep 0.1; done
  if [[ ! -s $WORK/port ]]; then
    echo "vigil serve did not start:" >&2
    tail -20 "$WORK/vigil.log" >&2
    return 1
  fi
  HTTP=$(cat "$WORK/port")
  BASE="http://127.0.0.1:$HTTP"
}

# stop_vigil: SIGTERM and wait; prints nothing.
stop_vigil() {
  kill -TERM "$VPID" 2>/dev/null || true
  wait "$VPID" 2>/dev/null || true
}
