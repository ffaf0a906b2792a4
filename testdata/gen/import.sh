#!/usr/bin/env bash
# Copies what make.sh produced (WORKDIR, fetched from the GPU machine) into testdata/:
#   testdata/traces/<trace>.sqlite and testdata/traces/<trace>/<report>.csv (nsys goldens),
#   testdata/samples-golden/<sample>/<report>.csv (goldens of ../shared/nsys-samples; the
#   samples themselves are never copied).
# Report CSVs written to stdout by nsys start with a "Processing [...]" line: it is dropped.
set -euo pipefail
work=${1:?usage: import.sh WORKDIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
clean() { # clean SRC DST: a golden without nsys's progress lines
  grep -v '^Processing \[\|^SKIPPED: ' "$1" > "$2" || true
}
mkdir -p "$root/testdata/traces"
for db in "$work"/*.sqlite; do
  n=$(basename "$db" .sqlite)
  cp "$db" "$root/testdata/traces/$n.sqlite"
  rm -rf "$root/testdata/traces/$n"; mkdir -p "$root/testdata/traces/$n"
  for f in "$work/$n"/*.csv; do clean "$f" "$root/testdata/traces/$n/$(basename "$f")"; done
  cp "$work/$n/default.stdout" "$root/testdata/traces/$n/nsys-stats-default.txt"
done
if [ -d "$work/samples" ]; then
  for d in "$work"/samples/*/; do
    n=$(basename "$d")
    rm -rf "$root/testdata/samples-golden/$n"; mkdir -p "$root/testdata/samples-golden/$n"
    for f in "$d"*.csv; do clean "$f" "$root/testdata/samples-golden/$n/$(basename "$f")"; done
  done
fi
cp "$work/log.txt" "$root/testdata/gen/last-run.log" 2>/dev/null || true
sed -i 's/\r/\n/g' "$root/testdata/gen/last-run.log" 2>/dev/null && sed -i '/^Processing [0-9]* events/d; /^\[[0-9]\/[0-9]\]/d' "$root/testdata/gen/last-run.log" || true
