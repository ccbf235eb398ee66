#!/usr/bin/env bash
# `vigil hunt` and `vigil rules test` as a user runs them: exit codes (0 no match, 1 matches,
# 2 errors), clear errors for a bad rule directory, a missing file and a corrupt EVTX file,
# refused rules listed without stopping the hunt, --out / --min-level / --logsource-product, and
# `rules test` over the SigmaHQ regression data (202 cases) and a wrong expectation.
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

echo "all $PASS passed"
