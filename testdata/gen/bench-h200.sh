#!/usr/bin/env bash
# The speed comparison of docs/performance.md, on the GPU machine:
#   source .gpu/nsys-env.sh && bash testdata/gen/bench-h200.sh WORKDIR OMNISTAT_BINARY
# Captures a large TTS trace with omnistat's own workload (at least 3M CUDA API rows), then times
# in one run nsys stats (cuda_api_sum, cuda_gpu_kern_sum, nvtx_sum, nvtx_gpu_proj_sum) against
# omnistat summarize and omnistat stats of the same reports (interleaved: two nsys runs, six of
# each omnistat command), checks the CSVs are identical, and leaves a CPU profile of summarize and
# the phases' wall times (timing.txt, OMNISTAT_TIMING). With BASE=OTHER_BINARY, that binary's
# summarize is timed in the same rounds, for a before/after comparison; with REUSE=1 the capture
# an earlier run left in WORKDIR is timed again (same machine session).
set -uo pipefail
work=${1:?usage: bench-h200.sh WORKDIR OMNISTAT}; bin=$(readlink -f "${2:?omnistat binary}")
mkdir -p "$work"; cd "$work"
out=bench.txt; : > "$out"
t() { # t LABEL CMD…
  local s=$(date +%s%N)
  /usr/bin/time -f "%U %S %R %M" -o rss.txt "${@:2}" > "$1.out" 2> "$1.err"
  local rc=$? e=$(date +%s%N)
  local u sy f m; read -r u sy f m < <(tail -1 rss.txt)
  echo "$1: wall $(( (e - s) / 1000000 )) ms, peak RSS $m KB, exit $rc, user $u s, sys $sy s, $f faults" >> "$out"
}
s=$(date +%s)
if [ -n "${REUSE:-}" ] && [ -s cap/tts.sqlite ]; then # REUSE=1: the capture of an earlier run in WORKDIR
  echo "capture: reused" >> "$out"
else
  rm -rf cap
  timeout 400 "$bin" capture tts --requests 64 --tokens 1000 --hidden 256 --layers 4 --chunk 64 -o cap > capture.log 2>&1
  echo "capture: exit $?, $(( $(date +%s) - s )) s" >> "$out"
fi
db=cap/tts.sqlite
ls -la $db >> "$out"
python3 - >> "$out" <<'PY'
import sqlite3
c = sqlite3.connect("file:cap/tts.sqlite?mode=ro", uri=True)
for t in ["CUPTI_ACTIVITY_KIND_RUNTIME", "CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_MEMCPY", "NVTX_EVENTS"]:
    print(" ", t, c.execute(f"select count(*) from {t}").fetchone()[0], "rows")
PY
R=cuda_api_sum,cuda_gpu_kern_sum,nvtx_sum,nvtx_gpu_proj_sum
# interleaved: nsys, then omnistat, twice; omnistat's runs are short, so three of each per round
for round in 1 2; do
  t nsys4-$round nsys stats --report $R --format csv --output nsys --force-overwrite true $db
  for i in 1 2 3; do
    t summarize-$round.$i "$bin" summarize $db
    [ -n "${BASE:-}" ] && t base-summarize-$round.$i "$BASE" summarize $db
    t stats4-$round.$i "$bin" stats --report $R --format csv $db
  done
done
# two cores: two CPUs of different physical cores (SMT siblings share one core: CPUs 0 and 1 are
# siblings on some of these machines, so "taskset -c 0,1" can be one core), on one socket
two=$(python3 - <<'PY'
import os
def rd(c, f):
    try: return open(f"/sys/devices/system/cpu/cpu{c}/topology/{f}").read().strip()
    except OSError: return ""
cpus = sorted(os.sched_getaffinity(0))
pick, cores = [], set()
for c in cpus:
    key = (rd(c, "physical_package_id"), rd(c, "core_id"))
    if pick and key[0] != rd(pick[0], "physical_package_id"): continue
    if key in cores: continue
    cores.add(key); pick.append(c)
    if len(pick) == 2: break
print(",".join(map(str, pick)))
PY
)
{ echo "two cores: CPUs $two; CPU 0's SMT siblings: $(cat /sys/devices/system/cpu/cpu0/topology/thread_siblings_list 2>/dev/null)"
  lscpu | grep -E "^(Model name|Socket|Core|Thread|NUMA node\(s\)|L3)" ; } >> "$out"
sib=$(cat /sys/devices/system/cpu/cpu0/topology/thread_siblings_list 2>/dev/null)
# single runs there vary by a quarter from one to the next, so five of each, interleaved; where
# CPUs 0 and 1 are one core's two threads, that pinning is timed too (summarize-smt), for comparison
for i in 1 2 3 4 5 6 7 8 9; do # nine: a run of one binary moves 20-35% on one machine
  t summarize-2cores.$i taskset -c $two "$bin" summarize $db
  [ -n "${BASE:-}" ] && t base-summarize-2cores.$i taskset -c $two "$BASE" summarize $db
  [ "$sib" = "0-1" ] || [ "$sib" = "0,1" ] && t summarize-smt.$i taskset -c 0,1 "$bin" summarize $db
done
OMNISTAT_TIMING=1 "$bin" summarize $db 2> timing.txt > /dev/null
OMNISTAT_TIMING=1 taskset -c $two "$bin" summarize $db 2> timing-2cores.txt > /dev/null
OMNISTAT_CPUPROFILE=summarize.pprof "$bin" summarize $db > /dev/null 2>&1
GODEBUG=gctrace=1 "$bin" summarize $db 2> gctrace.txt > /dev/null
for r in ${R//,/ }; do
  "$bin" stats --report $r --format csv $db > om_$r.csv 2>/dev/null
  if cmp -s om_$r.csv nsys_$r.csv; then echo "  $r: omnistat CSV == nsys CSV ($(wc -l < nsys_$r.csv) lines)" >> "$out"
  else echo "  $r: DIFFERS" >> "$out"; diff om_$r.csv nsys_$r.csv | head -5 >> "$out"; fi
done
nproc >> "$out"
# medians, and nsys's median over each
python3 - "$out" >> "$out" <<'PY'
import re, statistics, sys
walls, cpu = {}, {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+?)(?:-\d)?(?:\.\d)?: wall (\d+) ms", line)
    if m:
        walls.setdefault(m.group(1), []).append(int(m.group(2)))
        c = re.search(r"user ([\d.]+) s, sys ([\d.]+) s", line)
        if c:
            cpu.setdefault(m.group(1), []).append((float(c.group(1)), float(c.group(2))))
nsys = statistics.median(walls.get("nsys4", [0]))
for k, v in walls.items():
    med = statistics.median(v)
    us = cpu.get(k, [])
    times = f"; user {statistics.median(u for u, _ in us):.2f} s, sys {statistics.median(s for _, s in us):.2f} s" if us else ""
    print(f"median {k}: {med:.0f} ms over {len(v)} runs ({min(v)}-{max(v)})" + (f", nsys/this {nsys / med:.1f}x" if k != "nsys4" and med else "") + times)
PY
cat "$out"
