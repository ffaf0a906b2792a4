#!/usr/bin/env bash
# Captures the foreign-pipeline traces (PyTorch pipelines not made by omnistat's own workloads) with
# nsys 2025.3.1 on the GPU machine, exports them and writes nsys's goldens beside each:
#
#   source .gpu/nsys-env.sh && bash testdata/gen/foreign/make.sh WORKDIR [SHAPE...]
#   # back here, with the fetched WORKDIR:
#   bash testdata/gen/foreign/import.sh WORKDIR
#
# WORKDIR/foreign_<shape>.sqlite and WORKDIR/foreign_<shape>/<report>.csv (testdata/gen/goldens.sh).
# Shapes, in priority order (default: all; rank_split wants two GPUs and uses GPU 0 twice on one):
#   vllm_omni rank_split python3 warmup_tts tts_a tts_b tts_slow graphs_timeslice
# Every shape but warmup_tts opens a cudaProfilerApi window in each GPU process after its warm-up;
# warmup_tts is captured over the whole run. Logs go to WORKDIR/log.txt.
set -uo pipefail
work=${1:?usage: make.sh WORKDIR [SHAPE...]}; shift
here=$(cd "$(dirname "$0")" && pwd)
gen=$(dirname "$here")
shapes=("$@")
[ ${#shapes[@]} -eq 0 ] && shapes=(vllm_omni rank_split python3 warmup_tts tts_a tts_b tts_slow graphs_timeslice)
mkdir -p "$work"
exec > >(tee -a "$work/log.txt") 2>&1
export PYTHONUNBUFFERED=1

COMMON=(--trace=cuda,nvtx,osrt --sample=none --cpuctxsw=none --trace-fork-before-exec=true --cuda-graph-trace=node)
WINDOW=(--capture-range=cudaProfilerApi --capture-range-end=stop)

# capture NAME window|whole SCRIPT ARGS...: WORKDIR/NAME.{nsys-rep,sqlite} and its goldens.
capture() {
  local name=$1 range=$2; shift 2
  local t0=$SECONDS r=()
  [ "$range" = window ] && r=("${WINDOW[@]}")
  echo "== $name ($range): $*"
  timeout 180 nsys profile -o "$work/$name" --force-overwrite=true "${COMMON[@]}" "${r[@]}" \
    python3 "$@" 2>&1 | grep -v '^\[' | tail -n 30
  nsys export --type sqlite --force-overwrite=true -o "$work/$name.sqlite" "$work/$name.nsys-rep" 2>&1 | tail -n 3
  echo "capture $name in $((SECONDS - t0)) s: $(ls -la "$work/$name.sqlite" "$work/$name.nsys-rep" 2>&1 | awk '{print $5, $9}' | tr '\n' ' ')"
  [ -f "$work/$name.sqlite" ] && bash "$gen/goldens.sh" "$work/$name.sqlite" "$work/$name"
}

{
  echo "== env"; date -u; nvidia-smi --query-gpu=index,name,driver_version --format=csv,noheader
  nsys --version; python3 -c 'import torch, sys; print("torch", torch.__version__, "python", sys.version.split()[0], "GPUs", torch.cuda.device_count())'
}

for s in "${shapes[@]}"; do
  case $s in
    vllm_omni) capture foreign_vllm_omni window "$here/vllm_omni.py" ;;
    rank_split) capture foreign_rank_split window "$here/rank_split.py" ;;
    python3) capture foreign_python3 window "$here/python3_pipeline.py" ;;
    warmup_tts) capture foreign_warmup_tts whole "$here/warmup_tts.py" ;;
    tts_a) capture foreign_tts_a window "$here/tts_ab.py" ;;
    tts_b) capture foreign_tts_b window "$here/tts_ab.py" ;;
    tts_slow) capture foreign_tts_slow window "$here/tts_ab.py" --slow ;;
    graphs_timeslice) capture foreign_graphs_timeslice window "$here/graphs_timeslice.py" ;;
    *) echo "unknown shape $s" ;;
  esac
done
echo "== done in $SECONDS s"
