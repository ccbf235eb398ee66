#!/usr/bin/env bash
# End-to-end test of the vigil binary as an operator uses it: configuration errors, first start,
# login with two-step login, online backup, audit-log tampering found by `vigil audit verify`
# and by the API, restore, and TLS with a self-signed certificate.
# Usage: cli_test.sh path/to/vigil
set -euo pipefail

VIGIL=$(realpath "$1")
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT
cd "$WORK"
export VIGIL_AUTH_ARGON2_MEMLIMIT_KIB=8192 VIGIL_AUTH_ARGON2_OPSLIMIT=1
PASS=0
ok() { PASS=$((PASS + 1)); echo "ok $PASS - $*"; }
fail() { echo "FAIL - $*" >&2; exit 1; }

# RFC 6238 TOTP from a base32 secret, with coreutils and openssl only.
totp() {
  local key_hex counter msg mac offset bin
  key_hex=$(printf '%s' "$1" | base32 -d 2>/dev/null | od -An -tx1 | tr -d ' \n')
  counter=$(( $(date +%s) / 30 + ${2:-0} ))
  msg=$(printf '%016x' "$counter" | sed 's/../\\x&/g')
  mac=$(printf "$msg" | openssl dgst -sha1 -mac HMAC -macopt "hexkey:$key_hex" -binary | od -An -tx1 | tr -d ' \n')
  offset=$(( 0x${mac:39:1} * 2 ))
  bin=$(( 0x${mac:$offset:8} & 0x7fffffff ))
  printf '%06d' $(( bin % 1000000 ))
}

start_server() {  # data-dir [extra args...]
  local dir=$1; shift
  rm -f "$dir.port"
  "$VIGIL" serve --data-dir "$dir" --listen 127.0.0.1:0 --port-file "$dir.port" "$@" >"$dir.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 100); do [[ -s "$dir.port" ]] && break; sleep 0.1; done
  [[ -s "$dir.port" ]] || { cat "$dir.log"; fail "server did not start"; }
  PORT=$(cat "$dir.port")
}
stop_server() {
  local pid=${PIDS[-1]}
  kill -TERM "$pid"; wait "$pid" || true
  unset 'PIDS[-1]'
}
json() { sed -n "s/.*\"$1\":\"\([^\"]*\)\".*/\1/p"; }

# --- configuration errors name the bad key and stop the program
printf '[server]\nlisen = "127.0.0.1:1"\n' > bad.toml
if out=$("$VIGIL" serve --config bad.toml 2>&1); then fail "unknown key accepted"; fi
grep -q "server.lisen" <<<"$out" || fail "message does not name the key: $out"
ok "unknown configuration key is refused by name"
if out=$(VIGIL_HTTP_MAX_BODY_BYTES=lots "$VIGIL" serve --data-dir d0 2>&1); then fail "bad env accepted"; fi
grep -q "VIGIL_HTTP_MAX_BODY_BYTES" <<<"$out" || fail "message does not name the variable: $out"
ok "bad environment value is refused by name"
if out=$("$VIGIL" serve --data-dir d0 --listen 0.0.0.0:0 2>&1); then fail "public plain HTTP accepted"; fi
grep -q "allow-insecure-public" <<<"$out" || fail "no hint about TLS: $out"
ok "plain HTTP on a public address is refused without --allow-insecure-public"

# --- first start prints a one-time password once
start_server data
grep -q "one-time password" data.log || fail "no one-time password printed"
OTP=$(grep -A1 "one-time password" data.log | tail -1 | tr -d ' ')
BASE=http://127.0.0.1:$PORT
curl -sf "$BASE/healthz" >/dev/null && curl -sf "$BASE/readyz" >/dev/null || fail "health endpoints"
ok "first start, health and readiness"

# --- log in: forced password change, then forced MFA enrolment
LOGIN=$(curl -s -c jar -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$OTP\"}" "$BASE/api/v1/auth/login")
CSRF=$(json csrf_token <<<"$LOGIN")
[[ -n "$CSRF" ]] || fail "login: $LOGIN"
code=$(curl -s -o /dev/null -w '%{http_code}' -b jar "$BASE/api/v1/orgs")
[[ $code == 403 ]] || fail "forced password change not enforced ($code)"
curl -sf -b jar -c jar -H 'Content-Type: application/json' -H "X-CSRF-Token: $CSRF" \
  -d "{\"current_password\":\"$OTP\",\"new_password\":\"Quan-tri-vien-2026\"}" "$BASE/api/v1/me/password" || fail "password change"
CSRF=$(curl -s -b jar "$BASE/api/v1/me" | json csrf_token)
SECRET=$(curl -s -b jar -X POST -H "X-CSRF-Token: $CSRF" "$BASE/api/v1/me/mfa/setup" | json secret)
[[ ${#SECRET} -eq 32 ]] || fail "MFA secret: $SECRET"
curl -sf -b jar -H 'Content-Type: application/json' -H "X-CSRF-Token: $CSRF" \
  -d "{\"code\":\"$(totp "$SECRET")\"}" "$BASE/api/v1/me/mfa/confirm" || fail "MFA confirm"
ok "one-time password, forced password change and MFA enrolment"

api() {  # method path [body]
  curl -s -b jar -X "$1" -H 'Content-Type: application/json' -H "X-CSRF-Token: $CSRF" ${3:+-d "$3"} "$BASE$2"
}
api POST /api/v1/setup '{"province_name":"Tỉnh Lào Cai"}' | grep -q "Tỉnh Lào Cai" || fail "setup"
api POST /api/v1/orgs '{"parent_id":1,"name":"Sở Nội vụ","kind":"department"}' | grep -q '"id":2' || fail "org create"
ok "first-run setup and an agency with a Vietnamese name"

# --- curl as a real NDJSON shipper: a source of agency 2 with a token, plain and gzip bodies,
#     a bad line reported by number while the good ones are stored and searchable in the agency
SRC=$(api POST /api/v1/sources '{"org_id":2,"name":"curl shipper","addresses":[],"with_token":true}')
STOKEN=$(json token <<<"$SRC")
[[ $STOKEN == vgs_* ]] || fail "source token: $SRC"
printf '%s\n' '{"@timestamp":"2026-11-24T01:02:03Z","message":"curl-ndjson-one","host":{"name":"web-snv"}}' \
  'not json at all' '{"message":"curl-ndjson-two","user":{"name":"nguyenvana"}}' > lines.ndjson
out=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $STOKEN" -H 'Content-Type: application/x-ndjson' \
  --data-binary @lines.ndjson "$BASE/api/v1/ingest/ndjson")
[[ $out == *'"accepted":2'* && $out == *'"rejected":1'* && $out == *'"line":2'* && $out == *' 200' ]] ||
  fail "NDJSON ingest answer: $out"
printf '%s\n' '{"message":"curl-ndjson-gzip"}' | gzip -c > gz.ndjson.gz
out=$(curl -s -w ' %{http_code}' -H "Authorization: Bearer $STOKEN" -H 'Content-Encoding: gzip' \
  -H 'Content-Type: application/x-ndjson' --data-binary @gz.ndjson.gz "$BASE/api/v1/ingest/ndjson")
[[ $out == *'"accepted":1'* && $out == *' 200' ]] || fail "gzip NDJSON ingest answer: $out"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer vgs_wrong' --data-binary @lines.ndjson \
  "$BASE/api/v1/ingest/ndjson")
[[ $code == 401 ]] || fail "a wrong ingest token answered $code"
found=$(api GET "/api/v1/events/search?q=ndjson&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z")
for m in curl-ndjson-one curl-ndjson-two curl-ndjson-gzip; do
  [[ $found == *"$m"* ]] || fail "$m not found: $found"
done
[[ $found == *'"org_id":2'* && $found != *'"org_id":1,'* ]] || fail "events not in agency 2: $found"
ok "curl ships NDJSON (plain and gzip) with a source token; the bad line is named, the rest searchable in agency 2"

# --- online backup while serving, then more changes
"$VIGIL" backup --data-dir data backup.db >/dev/null || fail "backup"
api POST /api/v1/orgs '{"parent_id":1,"name":"Sở Công Thương","kind":"department"}' | grep -q '"id":3' || fail "org 3"
ok "online backup while the server runs"

# --- tampering with one audit row is found by the command and the API
ENTRIES=$(sqlite3 data/vigil.db "SELECT count(*) FROM audit_log")
sqlite3 data/vigil.db "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET summary='{\"name\":\"đã sửa\"}' WHERE id=3;"
set +e; out=$("$VIGIL" audit verify --data-dir data); rc=$?; set -e
[[ $rc == 1 ]] || fail "verify exit code $rc: $out"
grep -q "BROKEN at entry 3" <<<"$out" || fail "verify output: $out"
api GET /api/v1/audit/verify | grep -q '"first_broken_id":3' || fail "API verify did not report entry 3"
ok "tampered audit entry 3 reported by 'vigil audit verify' and GET /api/v1/audit/verify ($ENTRIES entries)"

# --- restore refuses while serving, works when stopped
if "$VIGIL" restore --data-dir data backup.db >/dev/null 2>&1; then fail "restore while serving"; fi
stop_server
"$VIGIL" restore --data-dir data backup.db >/dev/null || fail "restore"
[[ $(sqlite3 data/vigil.db "SELECT name FROM orgs WHERE id=2") == "Sở Nội vụ" ]] || fail "org 2 missing after restore"
[[ -z $(sqlite3 data/vigil.db "SELECT name FROM orgs WHERE id=3") ]] || fail "org 3 should be gone"
"$VIGIL" audit verify --data-dir data | grep -q "intact" || fail "restored chain not intact"
ok "restore brings back the backup state with an intact audit chain"

# --- the restored store serves; MFA still works (the master key is outside the database)
start_server data
BASE=http://127.0.0.1:$PORT
LOGIN=$(curl -s -H 'Content-Type: application/json' -d '{"username":"admin","password":"Quan-tri-vien-2026"}' "$BASE/api/v1/auth/login")
MFA=$(json mfa_token <<<"$LOGIN")
[[ -n "$MFA" ]] || fail "login after restore: $LOGIN"
code=$(curl -s -o /dev/null -w '%{http_code}' -c jar -H 'Content-Type: application/json' \
  -d "{\"mfa_token\":\"$MFA\",\"code\":\"$(totp "$SECRET" 1)\"}" "$BASE/api/v1/auth/mfa")
[[ $code == 200 ]] || fail "MFA after restore ($code)"
stop_server
ok "login with MFA after restore"

# --- console recovery of a locked-out administrator
sqlite3 data/vigil.db "UPDATE users SET disabled=1, disabled_reason='inactive' WHERE username='admin'"
out=$("$VIGIL" user recover --data-dir data admin) || fail "user recover: $out"
NEWPW=$(sed -n '2p' <<<"$out" | tr -d ' ')
[[ ${#NEWPW} -eq 16 ]] || fail "no one-time password printed: $out"
[[ $(sqlite3 data/vigil.db "SELECT disabled||must_change_password FROM users WHERE username='admin'") == "01" ]] ||
  fail "account not enabled with a forced change"
sqlite3 data/vigil.db "SELECT action FROM audit_log ORDER BY id DESC LIMIT 3" | grep -q "user.password.reset" ||
  fail "recovery not audited"
"$VIGIL" audit verify --data-dir data | grep -q "intact" || fail "chain broken by recovery"
if "$VIGIL" user recover --data-dir data nobody >/dev/null 2>&1; then fail "unknown account recovered"; fi
ok "console recovery enables the account with a one-time password, audited"

# --- TLS with a generated self-signed certificate
start_server tlsdata --tls
out=$(curl -sk -D - "https://127.0.0.1:$PORT/healthz")
grep -qi "strict-transport-security" <<<"$out" || fail "no HSTS under TLS"
[[ -f tlsdata/tls/cert.pem && -f tlsdata/tls/key.pem ]] || fail "certificate files"
[[ $(stat -c %a tlsdata/tls/key.pem) == 600 ]] || fail "key file mode"
if curl -sk --tlsv1.1 --tls-max 1.1 "https://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then fail "TLS 1.1 accepted"; fi
stop_server
ok "TLS 1.2+ with a self-signed certificate and HSTS"

echo "$PASS passed, 0 failed"
