#!/usr/bin/env bash
# End-to-end test of `vigil import` and `vigil search` against the shared corpora: an attack EVTX
# sample, a syslog file, JSON lines (Winlogbeat-shaped), a truncated EVTX copy; the query
# language's column errors; refusal while another process holds the data directory.
# Usage: import_search_test.sh path/to/vigil path/to/repo
set -euo pipefail

VIGIL=$(realpath "$1")
REPO=$(realpath "$2")
CORPORA="$REPO/../shared/corpora"
WORK=$(mktemp -d)
SERVER=""
trap '[[ -n $SERVER ]] && kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
export VIGIL_AUTH_ARGON2_MEMLIMIT_KIB=8192 VIGIL_AUTH_ARGON2_OPSLIMIT=1
PASS=0
ok() { PASS=$((PASS + 1)); echo "ok $PASS - $*"; }
fail() { echo "FAIL - $*" >&2; exit 1; }
v() { "$VIGIL" --data-dir "$WORK/data" "$@"; }

EVTX="$CORPORA/evtx-attack-samples/Credential Access/CA_4624_4625_LogonType2_LogonProc_chrome.evtx"
SYSLOG="$CORPORA/loghub/Linux/Linux_2k.log"
[ -f "$EVTX" ] && [ -f "$SYSLOG" ] || fail "corpora missing under $CORPORA"

# A Winlogbeat-shaped JSON line and a broken one.
cat > "$WORK/winlogbeat.jsonl" <<'JSON'
{"@timestamp":"2026-11-20T01:02:03.000Z","event":{"code":"4625"},"winlog":{"channel":"Security","event_id":4625,"computer_name":"dc01","event_data":{"TargetUserName":"jsonuser","IpAddress":"10.9.8.7"}}}
this is not json
JSON
# An EVTX file cut in the middle of its third chunk.
head -c $((4096 + 2 * 65536 + 30000)) "$CORPORA/evtx-rs-samples/security.evtx" > "$WORK/cut.evtx"

out=$(v import "$EVTX" "$SYSLOG" "$WORK/winlogbeat.jsonl" "$WORK/cut.evtx" 2>"$WORK/err") || { cat "$WORK/err"; fail "import failed: $out"; }
echo "$out"
[[ "$out" == *"files 4 (failed 0)"* ]] || fail "summary: $out"
grep -q 'winlogbeat.jsonl:2: skipped' "$WORK/err" || fail "the bad JSON line is not reported"
ok "import of evtx + syslog + jsonl + truncated evtx"

n=$(v search --limit 1000 --format jsonl 'event.code:4625' 2>/dev/null | wc -l)
[ "$n" -ge 2 ] || fail "event.code:4625 found $n events"
v search --format jsonl 'event.code:4625 AND event.outcome:failure AND user.name:jsonuser AND source.ip:10.9.8.7' \
  2>/dev/null | grep -q '"winlog.computer_name":"dc01"' || fail "mapped JSON event not found"
v search --format jsonl 'event.code:4625 AND winlog.channel:Security AND NOT user.name:jsonuser' 2>/dev/null \
  | grep -q '"event.action":"logon-failed"' || fail "mapped EVTX 4625 not found"
ok "search event.code:4625 finds the EVTX and JSON failed logons, mapped"

n=$(v search --limit 10000 --format csv 'process.name:sshd AND event.outcome:failure' 2>/dev/null | wc -l)
[ "$n" -gt 10 ] || fail "syslog sshd failures: $n lines"
ok "search finds the syslog events ($n csv lines)"

n=$(v search --limit 10000 --format jsonl 'winlog.channel:Security AND host.name:*' --from 2000-01-01T00:00:00Z 2>/dev/null | wc -l)
[ "$n" -gt 100 ] || fail "truncated EVTX copy yielded $n Security events"
ok "the truncated EVTX copy imported what was readable"

if err=$(v search 'event.code:(' 2>&1); then fail "bad query accepted"; fi
[[ "$err" == *"column"* ]] || fail "query error without column: $err"
ok "query errors name the column"

flock "$WORK/data/vigil.lock" sleep 5 &
sleep 0.3
if err=$(v import "$SYSLOG" 2>&1); then fail "import ran while the data directory was locked"; fi
[[ "$err" == *"Stop the server or use the HTTP ingest"* ]] || fail "lock message: $err"
wait
ok "import refuses while the server holds the data directory"

# Against a real server's data directory: refused while it runs; afterwards --org is checked
# against the agencies of its database.
"$VIGIL" serve --data-dir "$WORK/srv" --listen 127.0.0.1:0 --port-file "$WORK/srv.port" >"$WORK/srv.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do [[ -s "$WORK/srv.port" ]] && break; sleep 0.1; done
[[ -s "$WORK/srv.port" ]] || { cat "$WORK/srv.log"; fail "server did not start"; }
if err=$("$VIGIL" --data-dir "$WORK/srv" import "$SYSLOG" 2>&1); then fail "import ran beside the server"; fi
[[ "$err" == *"Stop the server or use the HTTP ingest"* ]] || fail "lock message: $err"
if err=$("$VIGIL" --data-dir "$WORK/srv" search '*' 2>&1); then fail "search ran beside the server"; fi
kill -TERM $SERVER; wait $SERVER || true; SERVER=""
ok "import and search refuse while the server runs"
if err=$("$VIGIL" --data-dir "$WORK/srv" import --org 999 "$SYSLOG" 2>&1); then fail "unknown agency accepted"; fi
[[ "$err" == *"--org"*"999"* ]] || fail "agency message: $err"
"$VIGIL" --data-dir "$WORK/srv" import --org 1 "$EVTX" >/dev/null 2>&1 || fail "import into the province root failed"
n=$("$VIGIL" --data-dir "$WORK/srv" search --format jsonl 'event.code:4625' 2>/dev/null | wc -l)
[ "$n" -ge 1 ] || fail "imported event not found in the server's store"
ok "--org is checked against the database; events imported into a server's data directory"

echo "all $PASS passed"
