#!/usr/bin/env bash
# `vigil hunt` benchmark and the issue's external check (not a test: prints figures, asserts
# nothing). The whole SigmaHQ rule set of ../shared/corpora/sigma (rules, rules-emerging-threats,
# rules-threat-hunting) restricted to `--logsource-product windows`, over ALL files of
# ../shared/corpora/evtx-attack-samples (the .evtx files and the few web/netlogon text logs; the
# README/LICENSE/.md/.tsv files are left out by name), once per thread count in THREADS.
# Prints vigil's summary (files, records, MB/s), wall time, CPU time (user + system), MB per
# CPU-second, peak RSS (/usr/bin/time -v), the rules loaded/refused and the top TOP rules by
# alerts with the total.
#   THREADS="1 2" TOP=25 bench/hunt.sh
set -euo pipefail
cd "$(dirname "$0")/.."
SIGMA=${SIGMA:-../shared/corpora/sigma}
CORPUS=${CORPUS:-../shared/corpora/evtx-attack-samples}
THREADS=${THREADS:-"1 2"}
TOP=${TOP:-25}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cmake --preset release >/dev/null
cmake --build build/release -j1 --target vigil >/dev/null
VIGIL=build/release/vigil
RULES=(--rules "$SIGMA/rules" --rules "$SIGMA/rules-emerging-threats" --rules "$SIGMA/rules-threat-hunting")
echo "== machine: $(nproc) cores, $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== corpus: $CORPUS ($(find "$CORPUS" -type f | wc -l) files, $(du -sk "$CORPUS" | cut -f1) kB)"
for t in $THREADS; do
  echo "== vigil hunt --logsource-product windows --threads $t --output jsonl (all SigmaHQ rule directories)"
  /usr/bin/time -v -o "$WORK/time" "$VIGIL" --data-dir "$WORK/data" hunt "${RULES[@]}" --logsource-product windows \
    --threads "$t" --output jsonl --out "$WORK/matches.jsonl" "$CORPUS" 2>"$WORK/err" || true
  grep -E "rule\(s\) loaded|^files:|^matches:" "$WORK/err"
  awk -F': ' '/Elapsed/{w=$2} /User time/{u=$2} /System time/{s=$2} /Maximum resident/{m=$2}
    END { printf "wall %s, CPU %.2f s user + %.2f s system, peak RSS %.1f MiB\n", w, u, s, m / 1024 }' "$WORK/time"
  bytes=$(sed -n 's/^files:.*; \([0-9.]*\) MB in.*/\1/p' "$WORK/err")
  awk -F': ' -v mb="$bytes" '/User time/{u=$2} /System time/{s=$2}
    END { printf "%.1f MB per CPU-second\n", mb / (u + s) }' "$WORK/time"
done
echo "== top $TOP rules by alerts (last run)"
sed -n '/^by rule/,$p' "$WORK/err" | sed -n "2,$((TOP + 1))p"
echo "== alerts: $(wc -l < "$WORK/matches.jsonl") by $(sed -n '/^by rule/,$p' "$WORK/err" | tail -n +2 | wc -l) rules"
# Where the time goes: the same files decoded without rules (an empty rule directory is refused,
# so one rule that needs a field no event has), i.e. EVTX decoding + mapping alone.
mkdir -p "$WORK/none"
printf 'title: none\nid: 00000000-0000-0000-0000-000000000001\nlogsource: {product: windows}\ndetection:\n  sel:\n    NoSuchField: x\n  condition: sel\nlevel: low\n' > "$WORK/none/none.yml"
echo "== reading only (1 rule), --threads 1"
/usr/bin/time -v -o "$WORK/time" "$VIGIL" --data-dir "$WORK/data" hunt --rules "$WORK/none" --threads 1 --output jsonl \
  "$CORPUS" 2>"$WORK/err" >/dev/null || true
grep -E "^files:" "$WORK/err"
awk -F': ' '/User time/{u=$2} /System time/{s=$2} /Maximum resident/{m=$2}
  END { printf "CPU %.2f s, peak RSS %.1f MiB\n", u + s, m / 1024 }' "$WORK/time"
