#!/usr/bin/env bash
# `vigil hunt` benchmark and the issue's external check (not a test: prints figures, asserts
# nothing). The whole SigmaHQ rule set of ../shared/corpora/sigma (rules, rules-emerging-threats,
# rules-threat-hunting) restricted to `--logsource-product windows`:
#   1. over ALL files of ../shared/corpora/evtx-attack-samples (277 .evtx files and 4 text logs:
#      IIS/Tomcat access logs and a netlogon log; README/LICENSE/.md/.tsv are left out by name),
#      --threads 2: alerts by rule (top TOP) and the total, rules loaded/refused;
#   2. over the .evtx files only, once per thread count in THREADS: MB/s, wall, CPU, peak RSS;
#   3. the .evtx files with one rule that never matches (reading + mapping alone), --threads 1,
#      to show where the time goes;
#   4. memory whatever the input size: a generated syslog file of BIG_MB MB (sshd guesses for
#      unknown users, every line a match of a shipped rule) hunted twice, as 1 file and as the
#      same lines in 4 files, with the shipped rules, --threads 2: peak RSS stays flat.
# Wall time, CPU time (user + system) and peak RSS come from /usr/bin/time -v.
#   THREADS="1 2" TOP=25 bench/hunt.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIGMA=${SIGMA:-../shared/corpora/sigma}
CORPUS=${CORPUS:-../shared/corpora/evtx-attack-samples}
THREADS=${THREADS:-"1 2"}
BIG_MB=${BIG_MB:-200}
TOP=${TOP:-25}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cmake --preset release >/dev/null
cmake --build build/release -j1 --target vigil >/dev/null
VIGIL=build/release/vigil
RULES=(--rules "$SIGMA/rules" --rules "$SIGMA/rules-emerging-threats" --rules "$SIGMA/rules-threat-hunting"
  --logsource-product windows)
mapfile -d '' EVTX < <(find "$CORPUS" -name '*.evtx' -print0 | sort -z)

# Runs vigil hunt "$@" under /usr/bin/time and prints the summary lines and the resources.
measure() {
  /usr/bin/time -v -o "$WORK/time" "$VIGIL" --data-dir "$WORK/data" hunt "$@" --output jsonl \
    --out "${OUT:-$WORK/matches.jsonl}" 2>"$WORK/err" || true
  grep -E "rule\(s\) loaded|^files:|^matches:" "$WORK/err"
  local mb
  mb=$(sed -n 's/^files:.*; \([0-9.]*\) MB in.*/\1/p' "$WORK/err")
  awk -F': ' -v mb="$mb" '/Elapsed/{w=$2} /User time/{u=$2} /System time/{s=$2} /Maximum resident/{m=$2}
    END { printf "wall %s, CPU %.2f s user + %.2f s system = %.1f MB per CPU-second, peak RSS %.1f MiB\n",
          w, u, s, mb / (u + s), m / 1024 }' "$WORK/time"
}

echo "== machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== 1. all files of $CORPUS, SigmaHQ rules (product windows), --threads 2"
measure "${RULES[@]}" --threads 2 "$CORPUS"
echo "-- top $TOP rules by alerts"
sed -n '/^by rule/,$p' "$WORK/err" | sed -n "2,$((TOP + 1))p"
echo "-- alerts: $(wc -l <"$WORK/matches.jsonl") by $(sed -n '/^by rule/,$p' "$WORK/err" | tail -n +2 | wc -l) rules"
for t in $THREADS; do
  echo "== 2. the ${#EVTX[@]} .evtx files only, SigmaHQ rules (product windows), --threads $t"
  measure "${RULES[@]}" --threads "$t" "${EVTX[@]}"
done
mkdir -p "$WORK/none"
printf 'title: none\nid: 00000000-0000-0000-0000-000000000001\nlogsource: {product: windows}\ndetection:\n  sel:\n    NoSuchField: x\n  condition: sel\nlevel: low\n' >"$WORK/none/none.yml"
echo "== 3. the .evtx files, one rule that never matches (EVTX decoding + mapping), --threads 1"
measure --rules "$WORK/none" --threads 1 "${EVTX[@]}"

echo "== 4. a generated ${BIG_MB} MB sshd log (every line matches), shipped rules, --threads 2"
awk -v n=$((BIG_MB * 1000000 / 110)) 'BEGIN { for (i = 0; i < n; i++)
  printf "Dec 10 06:55:%02d LabSZ sshd[%d]: Failed password for invalid user u%d from 173.234.31.%d port %d ssh2\n",
         i % 60, 20000 + i % 9999, i, i % 250, 1024 + i % 60000 }' >"$WORK/big.log"
OUT=/dev/null measure --threads 2 "$WORK/big.log"
split -n l/4 "$WORK/big.log" "$WORK/part."
rm "$WORK/big.log"
echo "-- the same lines as 4 files"
OUT=/dev/null measure --threads 2 "$WORK"/part.*
