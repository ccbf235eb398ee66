#!/usr/bin/env bash
# EVTX import benchmark (not a test: prints figures, asserts nothing). Imports every .evtx file of
# ../shared/corpora/evtx-attack-samples (or CORPUS=dir) with `vigil import --format evtx` into a
# fresh data directory, REPEAT times in one run, and prints vigil's summary (records, corrupt,
# stored, MB/s wall), the MB per CPU-second (user + system: "per core") and the peak RSS from
# /usr/bin/time -v. The import reads and maps on one thread; the event store writes on its own.
#   REPEAT=5 bench/evtx.sh
set -euo pipefail
cd "$(dirname "$0")/.."
CORPUS=${CORPUS:-../shared/corpora/evtx-attack-samples}
REPEAT=${REPEAT:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cmake --preset release >/dev/null
cmake --build build/release -j1 --target vigil >/dev/null
mapfile -d '' FILES < <(find "$CORPUS" -name '*.evtx' -print0 | sort -z)
ARGS=()
for _ in $(seq "$REPEAT"); do ARGS+=("${FILES[@]}"); done
BYTES=$(cat "${FILES[@]}" | wc -c)
echo "== machine: $(nproc) cores, $(uname -r); corpus: ${#FILES[@]} files, $((BYTES / 1000)) kB, read $REPEAT times"
/usr/bin/time -v -o "$WORK/time" build/release/vigil --data-dir "$WORK/data" import --format evtx "${ARGS[@]}" 2>/dev/null
user=$(awk -F': ' '/User time/{print $2}' "$WORK/time")
sys=$(awk -F': ' '/System time/{print $2}' "$WORK/time")
rss=$(awk -F': ' '/Maximum resident/{print $2}' "$WORK/time")
awk -v b="$BYTES" -v r="$REPEAT" -v u="$user" -v s="$sys" -v m="$rss" 'BEGIN {
  printf "== CPU %.2f s user + %.2f s system: %.1f MB per CPU-second (per core); peak RSS %.1f MiB\n",
         u, s, b * r / 1e6 / (u + s), m / 1024 }'
