#!/usr/bin/env bash
# A repeat capture (one report per cudaProfilerStart/Stop window) of repeat_windows.py, exported,
# with nsys's goldens for each window: WORKDIR/foreign_repeat.N.sqlite and WORKDIR/foreign_repeat.N/.
#   source .gpu/nsys-env.sh && bash testdata/gen/foreign/repeat.sh WORKDIR
set -uo pipefail
work=${1:?usage: repeat.sh WORKDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
timeout 180 nsys profile -o "$work/foreign_repeat" --force-overwrite=true --trace=cuda,nvtx,osrt --sample=none --cpuctxsw=none \
  --trace-fork-before-exec=true --cuda-graph-trace=node --capture-range=cudaProfilerApi --capture-range-end=repeat \
  python3 "$here/repeat_windows.py" 2>&1 | grep -v '^\[' | tail -n 20
for rep in "$work"/foreign_repeat.*.nsys-rep; do
  db=${rep%.nsys-rep}.sqlite
  nsys export --type sqlite --force-overwrite=true -o "$db" "$rep" 2>&1 | tail -n 2
  bash "$here/../goldens.sh" "$db" "${db%.sqlite}"
done
ls -la "$work"
