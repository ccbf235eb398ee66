#!/usr/bin/env bash
# `vigil hunt` and `vigil rules test` as a user runs them: exit codes (0 no match, 1 matches,
# 2 errors), clear errors for a bad rule directory, a missing file and a corrupt EVTX file,
# refused rules listed without stopping the hunt, --out / --min-level / --logsource-product, the
# shipped brute-force correlation (fires per source address and file, not below its threshold,
# the same with 1 and 2 threads), a meta filter rule dropping a match, and `rules test` over the
# SigmaHQ regression data (202 cases), the shipped cases and a wrong expectation.
# Usage: hunt_test.sh path/to/vigil path/to/repo
set -euo pipefail

VIGIL=$(realpath "$1")
REPO=$(realpath "$2")
SIGMA="$REPO/../shared/corpora/sigma"
SAMPLES="$REPO/../shared/corpora/evtx-attack-samples"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
PASS=0
ok() { PASS=$((PASS + 1)); echo "ok $PASS - $*"; }
fail() { echo "FAIL - $*" >&2; exit 1; }
# Runs vigil with the output in $WORK/out and $WORK/err; sets RC.
run() { set +e; "$VIGIL" --data-dir "$WORK/data" "$@" >"$WORK/out" 2>"$WORK/err"; RC=$?; set -e; }
expect_rc() { [ "$RC" = "$1" ] || { cat "$WORK/err" >&2; fail "$2: exit $RC, want $1"; }; }
expect_err() { grep -qF -- "$1" "$WORK/err" || { cat "$WORK/err" >&2; fail "stderr lacks: $1"; }; }

EVTX="$SAMPLES/Defense Evasion/DE_1102_security_log_cleared.evtx"
[ -f "$EVTX" ] || fail "corpus missing: $EVTX"
SHIPPED="$REPO/catalogs/sigma/rules"

# Matches: exit 1, the table, the summary.
run hunt --rules "$SHIPPED" "$EVTX"
expect_rc 1 "hunt with a match"
grep -q "Windows Event Log Cleared" "$WORK/out" || fail "table lacks the match"
grep -q "^matches: [1-9]" "$WORK/out" || fail "summary missing"
ok "a match exits 1 with the table and the summary"

# No match: exit 0 (only the linux rules run on a Windows log).
run hunt --rules "$SHIPPED" --logsource-product linux "$EVTX"
expect_rc 0 "hunt without matches"
grep -q "^matches: 0" "$WORK/out" || fail "summary should say 0 matches"
ok "no match exits 0"

# jsonl to a file: one JSON object per line; the summary goes to stderr.
run hunt --rules "$SHIPPED" --output jsonl --out "$WORK/m.jsonl" "$EVTX"
expect_rc 1 "jsonl"
[ -s "$WORK/m.jsonl" ] || fail "--out file empty"
# (Full JSON parsing of the output is in vigil_hunt_tests; here, one object per line.)
if grep -qv '^{"time":.*}}$' "$WORK/m.jsonl"; then fail "a jsonl line is not one object"; fi
expect_err "matches: "
ok "jsonl output has one object per line, summary on stderr"

# Bad rule directory, missing file, bad flag values: exit 2 with the reason.
run hunt --rules /nonexistent/rules "$EVTX"
expect_rc 2 "bad rules dir"
expect_err "--rules /nonexistent/rules: not a directory"
run hunt --rules "$SHIPPED" "$WORK/missing.evtx"
expect_rc 2 "missing file"
expect_err "missing.evtx: no such file or directory"
run hunt --rules "$SHIPPED" --min-level severe "$EVTX"
expect_rc 2 "bad level"
expect_err "--min-level must be"
run hunt --rules "$SHIPPED"
expect_rc 2 "no path"
expect_err "paths is required"
run hunt --rules "$SHIPPED" --min-level critical "$EVTX"
expect_rc 2 "no rule left"
expect_err "no rule left: all "
ok "bad rule directory, missing file, bad flags, no path and an empty rule selection exit 2 with the reason"

# A corrupt EVTX file among good ones: reported and skipped, the others hunted, exit 2.
printf 'ElfFile\0%s' "$(head -c 3000 /dev/zero | tr '\0' 'x')" > "$WORK/corrupt.evtx"
run hunt --rules "$SHIPPED" "$WORK/corrupt.evtx" "$EVTX"
expect_rc 2 "corrupt file"
expect_err "corrupt.evtx (evtx): skipped"
grep -q "Windows Event Log Cleared" "$WORK/out" || fail "the good file was not hunted"
ok "a corrupt EVTX file is reported and skipped"

# A refused rule is listed with file:line and the hunt goes on.
mkdir -p "$WORK/rules"
cp "$SHIPPED/windows/vigil_win_event_log_cleared.yml" "$WORK/rules/"
printf 'title: broken\nlogsource: {product: windows}\ndetection:\n  sel:\n    EventID|nosuchmodifier: 1\n  condition: sel\n' > "$WORK/rules/broken.yml"
run hunt --rules "$WORK/rules" "$EVTX"
expect_rc 1 "refused rule"
expect_err "rule refused: rules/broken.yml:5"
expect_err "1 rule(s) loaded, 1 refused"
ok "a refused rule is listed and the hunt goes on"

# rules test: the SigmaHQ regression data (202 cases, the disabled Cisco case skipped).
run rules test --rules "$SIGMA/rules" --rules "$SIGMA/rules-emerging-threats" --rules "$SIGMA/rules-threat-hunting" \
  "$SIGMA/regression_data"
expect_rc 0 "rules test on SigmaHQ"
grep -q "rules test: 202 passed, 0 failed, 1 skipped" "$WORK/out" || { tail -3 "$WORK/out"; fail "SigmaHQ totals"; }
ok "rules test passes the 202 SigmaHQ regression cases"

# rules test: a wrong expectation fails with exit 1 and says why.
sed 's/count: 1$/count: 5/' "$REPO/catalogs/sigma/tests/vigil_lnx_ssh_root_login.yml" > "$WORK/wrong.yml"
run rules test --rules "$SHIPPED" "$WORK/wrong.yml"
expect_rc 1 "wrong expectation"
grep -q "want exactly 5" "$WORK/out" || fail "the failure reason is missing"
ok "a wrong expectation fails"

# Correlation: 12 SSH guesses from one address within 2 minutes fire the shipped brute-force
# correlation once (with its group and count); 9 from another address do not.
guesses() { # ip count
  for i in $(seq 1 "$2"); do
    printf 'Dec 10 06:5%d:%02d srv sshd[%d]: Failed password for invalid user u%d from %s port %d ssh2\n' \
      $((i / 6)) $(((i * 10) % 60)) "$i" "$i" "$1" $((40000 + i))
  done
}
mkdir -p "$WORK/ssh"
{ guesses 203.0.113.7 12; guesses 198.51.100.9 9; } > "$WORK/ssh/a.log"
{ guesses 203.0.113.8 10; } > "$WORK/ssh/b.log"
run hunt --rules "$SHIPPED" --output jsonl --threads 1 "$WORK/ssh"
expect_rc 1 "correlation hunt"
cp "$WORK/out" "$WORK/one.jsonl"
[ "$(grep -c '"type":"correlation"' "$WORK/one.jsonl")" = 2 ] || { cat "$WORK/one.jsonl" >&2; fail "want 2 firings"; }
grep -q '"type":"correlation".*"group":{"source.ip":"203.0.113.7"},"value":10,"events":10' "$WORK/one.jsonl" ||
  fail "the firing for 203.0.113.7 lacks its group or count"
grep '"type":"correlation"' "$WORK/one.jsonl" | grep -q '198.51.100.9' && fail "9 guesses must not fire"
run hunt --rules "$SHIPPED" --output jsonl --threads 2 "$WORK/ssh"
cmp -s "$WORK/out" "$WORK/one.jsonl" || fail "1 and 2 threads differ with correlations"
ok "the brute-force correlation fires per address at its threshold, the same with 1 and 2 threads"

# --min-level high keeps the correlation (and loads the low rule it counts without reporting it).
run hunt --rules "$SHIPPED" --min-level high "$WORK/ssh/a.log"
expect_rc 1 "min-level high with a correlation"
grep -q "SSH Brute Force from One Address" "$WORK/out" || fail "the correlation is missing from the table"
grep -q "SSH Password Guess" "$WORK/out" && fail "a low rule was reported with --min-level high"
grep -q "^matches: 1 by 1 rule(s) (high 1)" "$WORK/out" || fail "summary with --min-level high"
ok "--min-level high reports the correlation only"

# A meta filter rule (the site's jump host) drops the RDP-from-outside match of its address only.
mkdir -p "$WORK/frules"
cp "$SHIPPED/windows/vigil_win_rdp_logon_from_public_address.yml" "$WORK/frules/"
cat > "$WORK/frules/jump_host.yml" <<'YML'
title: RDP from the Jump Host
id: 0b7d3c1e-3f0a-4c53-9d2e-7a1f5e2c9b10
logsource: {product: windows, service: security}
filter:
  rules: [43073037-95bf-40d4-8e13-3c547ce9bde6]
  selection: {IpAddress: 45.124.94.12}
  condition: selection
YML
for ip in 45.124.94.12 45.124.94.13; do
  printf '{"winlog.channel":"Security","winlog.event_id":4624,"winlog.event_data.LogonType":10,"winlog.event_data.IpAddress":"%s"}\n' "$ip"
done > "$WORK/logons.jsonl"
run hunt --rules "$WORK/frules" --output jsonl "$WORK/logons.jsonl"
expect_rc 1 "filter"
expect_err "1 rule(s) loaded and 1 filter(s), 0 refused"
[ "$(wc -l < "$WORK/out")" = 1 ] || { cat "$WORK/out" >&2; fail "want 1 match after the filter"; }
grep -q '45.124.94.13' "$WORK/out" || fail "the other address must still match"
ok "a meta filter rule drops the match it names"

# rules test: the shipped cases, correlation cases included, pass.
run rules test --rules "$SHIPPED" "$REPO/catalogs/sigma/tests"
expect_rc 0 "shipped cases"
grep -q "PASS.*twelve guesses from one address" "$WORK/out" || fail "the correlation case did not pass"
ok "rules test passes the shipped cases, correlations included"

echo "all $PASS passed"
