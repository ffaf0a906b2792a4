#!/usr/bin/env bash
# Writes nsys's --timeunit goldens for exports: every report omnistat mirrors, as
#   nsys stats --report R --format csv --timeunit U --output - FILE
# for U in usec msec sec, without nsys's progress lines and the blank line it adds after a CSV
# on stdout (its --output PREFIX files have none), into OUTDIR/<trace>/<report>@<U>.csv
# ("x:y" → "x_y"): commit-ready, copy them to testdata/traces/<trace>/ (import.sh replaces a
# trace's folder: rerun this after re-importing go_tts_pageable or foreign_vllm_omni). Also
# probes which --timeunit spellings nsys accepts (OUTDIR/timeunit-spellings.txt) and saves its
# help texts. 15 s for two traces on the H200.
#   source .gpu/nsys-env.sh && bash testdata/gen/timeunit.sh OUTDIR FILE.sqlite…
set -uo pipefail
out=${1:?usage: timeunit.sh OUTDIR FILE.sqlite…}; shift
DEFAULT_REPORTS=(cuda_api_sum cuda_gpu_kern_sum cuda_gpu_kern_sum:base cuda_gpu_kern_sum:mangled cuda_gpu_mem_time_sum
  cuda_gpu_mem_size_sum cuda_gpu_sum cuda_api_gpu_sum nvtx_sum nvtx_pushpop_sum nvtx_startend_sum osrt_sum
  nvtx_gpu_proj_sum nvtx_kern_sum nvtx_kern_sum:base)
# REPORTS="r1 r2 …" replaces the list (the trace reports: testdata/gen/timeunit-trace.txt)
if [ -n "${REPORTS:-}" ]; then read -r -a REPORTS <<< "$REPORTS"; else REPORTS=("${DEFAULT_REPORTS[@]}"); fi
UNITS=(usec msec sec)
mkdir -p "$out"
t0=$SECONDS
clean() { grep -v '^Processing \[\|^SKIPPED: ' || true; }
for db in "$@"; do
  n=$(basename "$db" .sqlite)
  mkdir -p "$out/$n"
  for u in "${UNITS[@]}"; do
    for r in "${REPORTS[@]}"; do
      nsys stats --report "$r" --format csv --timeunit "$u" --output - "$db" 2>>"$out/$n/stats.log" | clean | sed '${/^$/d}' > "$out/$n/${r//:/_}@$u.csv"
    done
  done
done
db=$1
{
  for u in n ns nsec nanoseconds u us usec usecs micro microseconds m ms msec millisec milliseconds s se sec secs seconds USEC Usec mu x ''; do
    printf '== --timeunit %q\n' "$u"
    nsys stats --report cuda_api_sum --format csv --timeunit "$u" --output - "$db" 2>&1 | clean | head -n 3
    echo "rc=${PIPESTATUS[0]}"
  done
  echo "== --format csv:time=usec (no --timeunit)"
  nsys stats --report cuda_api_sum --format csv:time=usec --output - "$db" 2>&1 | clean | head -n 3
  echo "== column, --timeunit usec"
  nsys stats --report cuda_api_sum,nvtx_gpu_proj_sum --timeunit usec "$db" 2>&1 | clean
} > "$out/timeunit-spellings.txt"
nsys stats --help > "$out/nsys-stats-help.txt" 2>&1
nsys stats --help-formats > "$out/nsys-stats-help-formats.txt" 2>&1
nsys profile --help > "$out/nsys-profile-help.txt" 2>&1
echo "timeunit goldens for $# exports -> $out in $((SECONDS - t0)) s"
