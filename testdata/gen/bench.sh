#!/usr/bin/env bash
# Times omnistat against nsys stats on one large real TTS trace, on the GPU machine:
#   source .gpu/nsys-env.sh && bash testdata/gen/bench.sh WORKDIR OMNISTAT_BINARY [TTS FLAGS…]
# Captures the trace (not kept: too large to commit), exports it, then times in one run
#   nsys stats --report cuda_api_sum,cuda_gpu_kern_sum,nvtx_sum,nvtx_gpu_proj_sum
#   omnistat stats --report cuda_api_sum,cuda_gpu_kern_sum,nvtx_sum
# and checks that omnistat's CSVs equal nsys's. Results go to WORKDIR/bench.txt.
set -uo pipefail
work=${1:?usage: bench.sh WORKDIR OMNISTAT [TTS FLAGS]}; bin=$(readlink -f "${2:?omnistat binary}"); shift 2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"; cd "$work"
out=bench.txt
: > "$out"
t() { # t LABEL CMD…: wall seconds and peak RSS of one command
  local s=$(date +%s%N)
  if [ -x /usr/bin/time ]; then /usr/bin/time -f "%M" -o rss.txt "${@:2}" > /dev/null 2>>bench.err
  else "${@:2}" > /dev/null 2>>bench.err; echo "?" > rss.txt; fi
  local e=$(date +%s%N)
  echo "$1 ${*:2}" | cut -c1-160 >> "$out"
  echo "  wall $(( (e - s) / 1000000 )) ms, peak RSS $(tail -1 rss.txt) KB" >> "$out"
}
[ -f big.sqlite ] || nsys profile -o big --force-overwrite=true --trace=cuda,nvtx,osrt --capture-range=cudaProfilerApi \
  --capture-range-end=stop --trace-fork-before-exec=true --cuda-graph-trace=node --sample=none --cpuctxsw=none \
  python3 "$here/tts.py" "$@" > capture.log 2>&1
[ -f big.sqlite ] || nsys export --type sqlite --force-overwrite=true -o big.sqlite big.nsys-rep > export.log 2>&1
{ echo "trace: $(ls -la big.sqlite | awk '{print $5}') bytes"; python3 - <<'PY'
import sqlite3
c = sqlite3.connect("file:big.sqlite?mode=ro", uri=True)
for t in ["CUPTI_ACTIVITY_KIND_RUNTIME", "CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_MEMCPY", "NVTX_EVENTS"]:
    print(" ", t, c.execute(f"select count(*) from {t}").fetchone()[0], "rows")
PY
} >> "$out"
R=cuda_api_sum,cuda_gpu_kern_sum,nvtx_sum
t nsys nsys stats --report "$R,nvtx_gpu_proj_sum" --format csv --output nsys --force-overwrite true big.sqlite
t nsys3 nsys stats --report "$R" --format csv --output nsys3 --force-overwrite true big.sqlite
for r in ${R//,/ }; do "$bin" stats --report $r --format csv big.sqlite > om_$r.csv; done
t omnistat "$bin" stats --report "$R" --format csv big.sqlite
t omnistat-1 "$bin" stats --report cuda_api_sum --format csv big.sqlite
t sqlite3-floor python3 -c "
import sqlite3; c = sqlite3.connect('file:big.sqlite?mode=ro&immutable=1', uri=True)
c.execute('select nameId,count(*),sum(end-start),min(end-start),max(end-start) from CUPTI_ACTIVITY_KIND_RUNTIME group by 1').fetchall()
c.execute('select demangledName,count(*),sum(end-start),min(end-start),max(end-start) from CUPTI_ACTIVITY_KIND_KERNEL group by 1').fetchall()
c.execute('select coalesce(textId,text),count(*),sum(coalesce(end,start)-start) from NVTX_EVENTS where eventType in (59,60) group by 1').fetchall()"
for r in ${R//,/ }; do
  if cmp -s "om_$r.csv" "nsys_$r.csv"; then echo "  $r: omnistat CSV == nsys CSV" >> "$out"; else echo "  $r: DIFFERS" >> "$out"; diff "om_$r.csv" "nsys_$r.csv" | head -5 >> "$out"; fi
done
nproc >> "$out"; cat "$out"
