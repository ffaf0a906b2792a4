#!/usr/bin/env bash
# Writes nsys's goldens for one export: every report omnistat mirrors (nsys stats --format csv),
# the nsys analyze rules, and nsys's default console output, as DIR/<report>.csv ("x:y" → "x_y").
#   source .gpu/nsys-env.sh && bash testdata/gen/goldens.sh FILE.sqlite DIR
set -uo pipefail
db=${1:?usage: goldens.sh FILE.sqlite DIR}; dir=${2:?usage: goldens.sh FILE.sqlite DIR}
REPORTS=cuda_api_sum,cuda_gpu_kern_sum,cuda_gpu_mem_time_sum,cuda_gpu_mem_size_sum,cuda_gpu_sum,cuda_api_gpu_sum,nvtx_sum,nvtx_pushpop_sum,nvtx_startend_sum,osrt_sum,nvtx_gpu_proj_sum,nvtx_kern_sum,nvtx_gpu_proj_trace
VARIANTS=(cuda_gpu_kern_sum:base cuda_gpu_kern_sum:mangled nvtx_kern_sum:base)
RULES=cuda_memcpy_async,cuda_memcpy_sync,cuda_memset_sync,cuda_api_sync,gpu_gaps,gpu_time_util
mkdir -p "$dir"
t0=$SECONDS
nsys stats --report "$REPORTS" --format csv --output "$dir/x" --force-overwrite true "$db" 2>&1 | grep -v '^\[' > "$dir/stats.log"
for v in "${VARIANTS[@]}"; do
  nsys stats --report "$v" --format csv --output - "$db" > "$dir/${v//:/_}.csv" 2>>"$dir/stats.log"
done
nsys analyze --rule "$RULES" --format csv --output "$dir/x" --force-overwrite true "$db" 2>&1 | grep -v '^\[' > "$dir/analyze.log"
nsys stats "$db" > "$dir/default.stdout" 2> "$dir/default.stderr"
for f in "$dir"/x_*.csv; do
  [ -e "$f" ] || continue
  b=$(basename "$f" .csv); b=${b#x_}; mv "$f" "$dir/${b//:/_}.csv"
done
echo "goldens $db -> $dir in $((SECONDS - t0)) s"
