#!/usr/bin/env bash
# The 2-core comparison of docs/performance.md: omnistat against C SQLite's floor
# (../shared/bench/sqlite-floor.sh) on ×10, ×30 and ×100 (XS=…: other) scales of the PyTorch TTS test trace.
#   bash testdata/gen/bench-2core.sh WORKDIR OMNISTAT_BINARY
# Makes the scaled traces in WORKDIR (kept for the next run), then runs floor, `stats` (three
# reports) and `summarize` interleaved — three rounds for ×10 and ×30, seven for ×100 — and prints
# each command's median wall time and peak resident size (/usr/bin/time).
set -euo pipefail
work=${1:?usage: bench-2core.sh WORKDIR OMNISTAT}; bin=$(readlink -f "${2:?omnistat binary}")
root=$(cd "$(dirname "$0")/../.." && pwd)
floor=$root/../shared/bench/sqlite-floor.sh
mkdir -p "$work"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for x in ${XS:-10 30 100}; do   # XS="10 30 100 400" adds the ×400 trace (962 MB)
  db=$work/tts_x$x.sqlite
  [ -f "$db" ] || (cd "$root" && go run ./testdata/gen/scale -x $x testdata/traces/tts_pageable.sqlite "$db" >&2)
  rounds=3; [ $x = 100 ] && rounds=7
  : > "$work/times.txt"
  for r in $(seq $rounds); do
    /usr/bin/time -f "floor %e %M" -a -o "$work/times.txt" sh "$floor" "$db"
    /usr/bin/time -f "stats %e %M" -a -o "$work/times.txt" "$bin" stats -r cuda_api_sum,cuda_gpu_kern_sum,nvtx_sum -f csv "$db" > /dev/null 2>&1
    /usr/bin/time -f "summarize %e %M" -a -o "$work/times.txt" "$bin" summarize "$db" > /dev/null 2>&1
  done
  line="×$x ($(du -m "$db" | cut -f1) MB, $rounds rounds):"
  for c in floor stats summarize; do
    s=$(awk -v c=$c '$1 == c {print $2}' "$work/times.txt" | median)
    m=$(awk -v c=$c '$1 == c {print $3}' "$work/times.txt" | median)
    line="$line $c ${s} s ${m} KB;"
  done
  echo "$line"
done
nproc
