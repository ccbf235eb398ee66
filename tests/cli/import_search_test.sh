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
trap 'rm -rf "$WORK"' EXIT
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

echo "all $PASS passed"
