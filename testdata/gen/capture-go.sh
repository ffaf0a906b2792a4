#!/usr/bin/env bash
# Captures omnistat's own Go workloads on the GPU machine and makes their nsys goldens:
#   source .gpu/nsys-env.sh && bash testdata/gen/capture-go.sh WORKDIR OMNISTAT_BINARY [TRACE…]
# With TRACE names, only those captures run (go_diffusion_2gpu needs two GPUs and is skipped on one).
# Regenerates the kernels' PTX first (nvcc) and points the binary at it with OMNISTAT_PTX, so a
# binary built before the PTX was committed still runs. Leaves WORKDIR/<trace>.sqlite and
# WORKDIR/<trace>/<report>.csv for import.sh, and each capture's run.json.
set -uo pipefail
work=${1:?usage: capture-go.sh WORKDIR OMNISTAT}; bin=$(readlink -f "${2:?omnistat binary}")
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
mkdir -p "$work"
bash "$root/workload/cuda/kernels/gen-ptx.sh" && cp "$root/workload/cuda/kernels/kernels.ptx" "$work/"
export OMNISTAT_PTX="$work/kernels.ptx"
echo "== smoke run without nsys"
timeout 120 "$bin" workload tts --requests 1 --tokens 8 --hidden 256 --layers 2 2>&1 | tail -3
timeout 120 "$bin" workload diffusion --requests 1 --steps 2 --dim 64 --side 8 2>&1 | tail -3
has_domain() { python3 -c "
import sqlite3, sys
c = sqlite3.connect('file:$1?mode=ro', uri=True)
n = c.execute(\"select count(*) from NVTX_EVENTS where eventType = 75 and text = 'omnistat'\").fetchone()[0]
sys.exit(0 if n > 0 else 1)" 2>/dev/null; }
cap() { # cap NAME ARGS…: one capture into WORKDIR/cap/NAME, copied to WORKDIR/NAME.sqlite
  local name=$1; shift
  local t0=$SECONDS
  timeout 200 "$bin" capture "$@" -o "$work/cap/$name" > "$work/$name.capture.log" 2>&1
  echo "capture $name (rc=$?) in $((SECONDS - t0)) s"; tail -4 "$work/$name.capture.log"
  local db=$(ls "$work/cap/$name"/*.sqlite 2>/dev/null | head -1)
  [ -n "$db" ] || return 1
  if ! has_domain "$db" && [ -z "${OMNISTAT_NVTX:-}" ]; then
    echo "no omnistat NVTX domain in $db: retrying with OMNISTAT_NVTX=interop"
    OMNISTAT_NVTX=interop cap "$name" "$@"; return
  fi
  cp "$db" "$work/$name.sqlite"; cp "$work/cap/$name/run.json" "$work/$name.run.json"
  bash "$here/goldens.sh" "$work/$name.sqlite" "$work/$name"
}
want() { [ ${#names[@]} -eq 0 ] || [[ " ${names[*]} " == *" $1 "* ]]; }
names=("${@:3}")
ngpu=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU ')
echo "== $ngpu GPU(s)"; nvidia-smi -L
want go_tts_pageable && cap go_tts_pageable tts
want go_tts_pinned && cap go_tts_pinned tts --pinned
want go_tts_graphs && cap go_tts_graphs tts --graphs
want go_tts_graphs_pinned && cap go_tts_graphs_pinned tts --graphs --pinned
want go_diffusion && cap go_diffusion diffusion
want go_diffusion_w2 && cap go_diffusion_w2 diffusion --workers 2 --requests 2 --steps 10
want go_diffusion_w2_uneven && cap go_diffusion_w2_uneven diffusion --workers 2 --requests 3 --steps 10 # 2 requests and 1
if want go_diffusion_2gpu; then # one worker per GPU
  if [ "$ngpu" -ge 2 ]; then cap go_diffusion_2gpu diffusion --workers 2 --requests 2 --steps 10
  else echo "go_diffusion_2gpu: skipped, $ngpu GPU"; fi
fi
echo "== done in $SECONDS s"
