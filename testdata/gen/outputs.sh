#!/usr/bin/env bash
# Writes every output of one omnistat binary on every trace in testdata/traces into DIR, so two
# builds can be compared byte for byte (the layout split of issue 13 must change none of them):
#
#   bash testdata/gen/outputs.sh BIN DIR
#   bash testdata/gen/outputs.sh --compare BIN_OLD BIN_NEW     # both, then diff -r; exit 1 on a difference
#
# Covered: stats (every report, every format, --by stage|process|thread|device), summarize (every
# format, --by stage|process|thread|none), report (markdown and every PNG/SVG byte, --base), diff
# (every format, with gates that pass and trip). Stdout, stderr and the exit code of each run are kept.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${1:-}" = "--compare" ]; then
  old=${2:?usage: outputs.sh --compare BIN_OLD BIN_NEW}; new=${3:?usage: outputs.sh --compare BIN_OLD BIN_NEW}
  tmp=$(mktemp -d)
  bash "$0" "$old" "$tmp/old" && bash "$0" "$new" "$tmp/new" || exit 1
  if diff -r -x .omnistat-files "$tmp/old" "$tmp/new" > "$tmp/diff.txt"; then
    echo "identical: $(find "$tmp/old" -type f ! -name .omnistat-files | wc -l) outputs"; rm -rf "$tmp"; exit 0
  fi
  head -n 60 "$tmp/diff.txt"; echo "differences: $tmp/diff.txt"; exit 1
fi
bin=$(realpath "${1:?usage: outputs.sh BIN DIR}"); out=${2:?usage: outputs.sh BIN DIR}
mkdir -p "$out"; out=$(realpath "$out")
cd "$root"
# one NAME ARGS...: runs the binary, keeps stdout, stderr and the exit code under NAME.
one() {
  local name=$1; shift
  "$bin" "$@" > "$out/$name.stdout" 2> "$out/$name.stderr"
  echo $? > "$out/$name.rc"
}
traces=(testdata/traces/*.sqlite)
for t in "${traces[@]}"; do
  n=$(basename "$t" .sqlite)
  for f in column csv json markdown; do
    one "$n.stats.$f" stats -f "$f" "$t"
    one "$n.stats.all.$f" stats -f "$f" -r cuda_api_sum,cuda_gpu_kern_sum:base,cuda_gpu_kern_sum:mangled,cuda_gpu_mem_time_sum,cuda_gpu_mem_size_sum,cuda_gpu_sum,cuda_api_gpu_sum,nvtx_sum,nvtx_pushpop_sum,nvtx_startend_sum,osrt_sum,nvtx_gpu_proj_sum,nvtx_kern_sum "$t"
  done
  for by in stage process thread device; do
    one "$n.stats.by-$by" stats --by "$by" -r cuda_api_sum,cuda_gpu_kern_sum,nvtx_sum,cuda_gpu_mem_size_sum "$t"
    one "$n.stats.by-$by.json" stats --by "$by" -f json -r cuda_api_sum,nvtx_kern_sum "$t"
  done
  for f in text markdown json; do
    one "$n.summarize.$f" summarize -f "$f" "$t"
  done
  for by in process thread none; do
    one "$n.summarize.by-$by" summarize --by "$by" "$t"
    one "$n.summarize.by-$by.json" summarize --by "$by" -f json "$t"
  done
  one "$n.summarize.flags" summarize --top 3 --gap-ms 1 --low-util 90 --dominant-api 20 --project-by-process "$t"
  rm -rf "$out/$n.report"
  one "$n.report" report "$t" -o "$out/$n.report"
  one "$n.report.md-stdout" report "$t" -o - --charts "$out/$n.report-charts"
done
svg=testdata/traces/go_tts_pinned.sqlite
one "report.svg" report -f svg "$svg" -o "$out/report-svg"
pairs=("tts_pageable tts_pinned" "go_tts_pageable go_tts_pinned" "go_tts_pinned go_tts_graphs_pinned"
       "go_diffusion go_diffusion_w2" "go_diffusion_w2 go_diffusion_w2_uneven" "diffusion go_diffusion" "tts_pageable go_tts_pageable")
for p in "${pairs[@]}"; do
  set -- $p
  b=testdata/traces/$1.sqlite; nw=testdata/traces/$2.sqlite; n="diff.$1.$2"
  for f in text markdown json; do one "$n.$f" diff -f "$f" "$b" "$nw"; done
  one "$n.per-none" diff --per none "$b" "$nw"
  one "$n.gates" diff "$b" "$nw" --fail-on 'api_calls>+1%' --fail-on 'kernel_time>+50%' --fail-on 'stage:talker:range:talker.decode_step>+5%' --fail-on 'api:cudaMemcpyAsync>+10%'
  one "$n.gates.json" diff -f json "$b" "$nw" --fail-on 'wall>+1%'
  rm -rf "$out/$n.report"
  one "$n.report" report --base "$b" "$nw" -o "$out/$n.report"
done
one merge.summarize summarize --merge testdata/traces/go_diffusion.sqlite,testdata/traces/go_diffusion_w2.sqlite
one merge.stats stats testdata/traces/go_tts_pinned.sqlite testdata/traces/go_tts_pageable.sqlite
# the report's markdown names its folder: keep outputs independent of where DIR is
grep -rl -- "$out" "$out" 2>/dev/null | xargs -r sed -i "s#$out#OUT#g"
echo "$(find "$out" -type f | wc -l) outputs in $out"
