#!/usr/bin/env bash
# Captures the TTS A/B shape N times (same build) and the 20%-slower build M times, for the noise
# band of docs/diff.md (not committed: the band is computed from them with omnistat diff).
#   source .gpu/nsys-env.sh && bash testdata/gen/foreign/noise.sh WORKDIR [N] [M]
set -uo pipefail
work=${1:?usage: noise.sh WORKDIR [N] [M]}; n=${2:-4}; m=${3:-2}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
cap() { # cap NAME ARGS...
  local name=$1; shift
  timeout 180 nsys profile -o "$work/$name" --force-overwrite=true --trace=cuda,nvtx,osrt --sample=none --cpuctxsw=none \
    --trace-fork-before-exec=true --cuda-graph-trace=node --capture-range=cudaProfilerApi --capture-range-end=stop \
    python3 "$here/tts_ab.py" "$@" > "$work/$name.log" 2>&1
  nsys export --type sqlite --force-overwrite=true -o "$work/$name.sqlite" "$work/$name.nsys-rep" >> "$work/$name.log" 2>&1
  rm -f "$work/$name.nsys-rep"
  echo "$name: $(stat -c %s "$work/$name.sqlite" 2>/dev/null) bytes in $SECONDS s"
}
for i in $(seq 1 "$n"); do cap "same_$i"; done
for i in $(seq 1 "$m"); do cap "slow_$i" --slow; done
