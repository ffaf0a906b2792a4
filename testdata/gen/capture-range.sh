#!/usr/bin/env bash
# Checks `omnistat capture --range …` on the GPU machine with a PyTorch program that never
# calls cudaProfilerStart (testdata/gen/plain.py). Writes OUTDIR/<case>/ (run.json, stats) and
# OUTDIR/capture-range.log. Run it alone: with nsys stats running beside it (2025.3.1, H200)
# the first attempt's importer failed ("Unable to retrieve the importer version").
#   source .gpu/nsys-env.sh && bash testdata/gen/capture-range.sh OUTDIR [OMNISTAT]
set -uo pipefail
out=${1:?usage: capture-range.sh OUTDIR [OMNISTAT]}
bin=${2:-.gpu/omnistat}
here=$(cd "$(dirname "$0")" && pwd)
work=/tmp/capture-range; rm -rf "$work"; mkdir -p "$work" "$out"
t0=$SECONDS
# case_ NAME ARGS…: one capture into $work/NAME; its run.json and a few reports go to $out/NAME
case_() {
  local name=$1; shift
  local t=$SECONDS
  echo "== $name: omnistat capture $*"
  timeout 100 "$bin" capture -o "$work/$name" "$@" 2>&1 | tail -n 25
  echo "rc=${PIPESTATUS[0]} in $((SECONDS - t)) s"
  mkdir -p "$out/$name"
  cp "$work/$name/run.json" "$out/$name/" 2>/dev/null
  if [ -f "$work/$name/trace.sqlite" ]; then
    "$bin" stats -r cuda_api_sum,cuda_gpu_kern_sum,nvtx_sum "$work/$name/trace.sqlite" > "$out/$name/stats.txt" 2>&1
    head -n 12 "$out/$name/stats.txt"
  fi
}
{
  python3 -c 'import torch; print("torch", torch.__version__, torch.cuda.get_device_name(0))'
  imp=$(dirname "$(readlink -f "$(command -v nsys)")")/../linux-desktop-glibc_2_11_3-x64/QdstrmImporter
  echo "== importer: $imp"; timeout 60 "$imp" --version 2>&1 | tail -n 3
  case_ nvtx_step --range nvtx:step -- python3 "$here/plain.py" --seconds 2 --nvtx
  case_ none --range none -- python3 "$here/plain.py" --seconds 2
  case_ none_delay --range none --delay 3 --duration 2 -- python3 "$here/plain.py" --seconds 8
  case_ default -- python3 "$here/plain.py" --seconds 1
  echo "== raw nsys: --capture-range=nvtx --nvtx-capture=step without NSYS_NVTX_PROFILER_REGISTER_ONLY=0"
  timeout 100 nsys profile -o "$work/raw_nvtx" --force-overwrite=true --trace=cuda,nvtx --capture-range=nvtx --nvtx-capture=step \
    --capture-range-end=stop --sample=none --cpuctxsw=none python3 "$here/plain.py" --seconds 2 --nvtx 2>&1 | grep -v '^\[' | tail -n 8
  ls -la "$work"/raw_nvtx* 2>&1
  echo "capture-range checks in $((SECONDS - t0)) s"
} 2>&1 | tee "$out/capture-range.log"
