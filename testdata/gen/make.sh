#!/usr/bin/env bash
# Makes the real test traces and their nsys goldens on the GPU machine.
#
#   source .gpu/nsys-env.sh && bash testdata/gen/make.sh WORKDIR [SAMPLES_DIR]
#
# For each workload variant: nsys profile (cudaProfilerApi capture range in every GPU process),
# nsys export --type sqlite, then `nsys stats --format csv` for every report omnistat mirrors and
# `nsys analyze --format csv` for the rules, written as WORKDIR/<trace>/<report>.csv beside
# WORKDIR/<trace>.sqlite. With SAMPLES_DIR, the same goldens for each *.sqlite there
# (WORKDIR/samples/<name>/<report>.csv). Logs and timings go to WORKDIR/log.txt.
set -uo pipefail
work=${1:?usage: make.sh WORKDIR [SAMPLES_DIR]}
samples=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
log="$work/log.txt"
exec > >(tee -a "$log") 2>&1

# goldens FILE.sqlite DIR: nsys's CSVs of every report and rule (see goldens.sh).
goldens() { bash "$here/goldens.sh" "$1" "$2"; }

# capture NAME SCRIPT ARGS...: one trace WORKDIR/NAME.{nsys-rep,sqlite} and its goldens.
capture() {
  local name=$1; shift
  local t0=$SECONDS
  nsys profile -o "$work/$name" --force-overwrite=true \
    --trace=cuda,nvtx,osrt --capture-range=cudaProfilerApi --capture-range-end=stop \
    --trace-fork-before-exec=true --cuda-graph-trace=node --sample=none --cpuctxsw=none \
    python3 "$@" 2>&1 | grep -v '^\[' | tail -n 20
  nsys export --type sqlite --force-overwrite=true -o "$work/$name.sqlite" "$work/$name.nsys-rep" 2>&1 | tail -n 3
  echo "capture $name in $((SECONDS - t0)) s: $(ls -la "$work/$name.sqlite" "$work/$name.nsys-rep" 2>&1 | awk '{print $5, $9}' | tr '\n' ' ')"
  [ -f "$work/$name.sqlite" ] && goldens "$work/$name.sqlite" "$work/$name"
}

{
  echo "== env"; date -u; nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
  nsys --version; python3 -c 'import torch, sys; print("torch", torch.__version__, "python", sys.version.split()[0])'
  find /usr/local /usr/lib /opt -name 'libnvtx3interop*' 2>/dev/null | head -3
  nsys stats --help > "$work/nsys-stats-help.txt" 2>&1
  nsys stats --help-reports > "$work/nsys-stats-help-reports.txt" 2>&1
  nsys analyze --help > "$work/nsys-analyze-help.txt" 2>&1
}

if [ -n "$samples" ]; then
  (
    for s in "$samples"/*.sqlite; do
      n=$(basename "$s" .sqlite); cp "$s" "/tmp/$n.sqlite"
      goldens "/tmp/$n.sqlite" "$work/samples/$n"
    done
  ) > "$work/samples.log" 2>&1 &
  spid=$!
fi

capture tts_pageable "$here/tts.py"
capture tts_pinned "$here/tts.py" --pinned
capture tts_graphs "$here/tts.py" --graphs
capture diffusion "$here/diffusion.py"

# what nsys prints for a trace without CUDA (SKIPPED lines) and each report's title
nsys profile -o "$work/nocuda" --force-overwrite=true --trace=osrt,nvtx --sample=none --cpuctxsw=none \
  python3 -c 'import time; time.sleep(0.3)' > /dev/null 2>&1
nsys export --type sqlite --force-overwrite=true -o "$work/nocuda.sqlite" "$work/nocuda.nsys-rep" > /dev/null 2>&1
for r in cuda_api_sum cuda_gpu_kern_sum cuda_gpu_mem_time_sum cuda_gpu_mem_size_sum cuda_gpu_sum cuda_api_gpu_sum nvtx_sum nvtx_pushpop_sum nvtx_startend_sum osrt_sum nvtx_gpu_proj_sum nvtx_kern_sum; do
  nsys stats --report "$r" "$work/nocuda.sqlite" 2>&1 | grep -v '^\[' | grep -i 'SKIPPED\|EMPTY\|does not'
  nsys stats --report "$r" --format column "$work/tts_pageable.sqlite" 2>/dev/null | grep ' \*\* '
done > "$work/skipped-and-titles.txt" 2>&1
rm -f "$work"/nocuda.*

[ -n "$samples" ] && wait "$spid"
echo "== done in $SECONDS s"
