#!/usr/bin/env bash
# Copies the foreign traces make.sh produced (WORKDIR, fetched from the GPU machine) into testdata/:
#   testdata/traces/foreign_*.sqlite and testdata/traces/foreign_*/<report>.csv (nsys goldens) plus
#   nsys-stats-default.txt, cleaned as testdata/gen/import.sh does. It touches no other trace and no
#   other file (testdata/gen/last-run.log is left alone).
set -euo pipefail
work=${1:?usage: import.sh WORKDIR}
root=$(cd "$(dirname "$0")/../../.." && pwd)
clean() { grep -v '^Processing \[\|^SKIPPED: ' "$1" > "$2" || true; }
for db in "$work"/foreign_*.sqlite; do
  [ -e "$db" ] || continue
  n=$(basename "$db" .sqlite)
  [ -f "$work/$n/default.stdout" ] || { echo "skip $n: no goldens"; continue; }
  cp "$db" "$root/testdata/traces/$n.sqlite"
  rm -rf "$root/testdata/traces/$n"; mkdir -p "$root/testdata/traces/$n"
  for f in "$work/$n"/*.csv; do clean "$f" "$root/testdata/traces/$n/$(basename "$f")"; done
  cp "$work/$n/default.stdout" "$root/testdata/traces/$n/nsys-stats-default.txt"
  echo "imported $n"
done
