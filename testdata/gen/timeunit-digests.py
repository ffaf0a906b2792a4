#!/usr/bin/env python3
"""nsys's --timeunit output of every report omnistat mirrors, on every export given, as digests.

Run on the GPU machine (nsys on PATH):
    source .gpu/nsys-env.sh && python3 testdata/gen/timeunit-digests.py OUT.tsv FILE.sqlite...

For each export, report and unit (usec, msec, sec) it runs, one report per nsys run,
    nsys stats --report R --format csv --timeunit U --output - FILE
drops nsys's progress and SKIPPED lines and the blank line it adds after a CSV on stdout, and
writes one line "<export>\\t<report file>@<unit>\\t<sha256> <lines> <bytes>" ("-" when nsys printed
nothing). cmd/omnistat's TestTimeUnitDigests compares omnistat's output with each line; the full
CSVs of two traces are kept as files (testdata/gen/timeunit.sh).
"""
import concurrent.futures as cf
import hashlib
import os
import subprocess
import sys

SPECS = ["cuda_api_sum", "cuda_gpu_kern_sum", "cuda_gpu_kern_sum:base", "cuda_gpu_kern_sum:mangled",
         "cuda_gpu_mem_time_sum", "cuda_gpu_mem_size_sum", "cuda_gpu_sum", "cuda_api_gpu_sum", "nvtx_sum",
         "nvtx_pushpop_sum", "nvtx_startend_sum", "osrt_sum", "nvtx_gpu_proj_sum", "nvtx_kern_sum",
         "nvtx_kern_sum:base", "cuda_api_trace", "cuda_gpu_trace", "cuda_gpu_trace:nvtx-name", "cuda_gpu_trace:base",
         "nvtx_gpu_proj_trace", "nvtx_pushpop_trace", "cuda_kern_exec_trace", "cuda_kern_exec_trace:base",
         "cuda_kern_exec_sum", "cuda_kern_exec_sum:mangled", "cuda_gpu_kern_gb_sum", "cuda_gpu_kern_gb_sum:base"]
UNITS = ["usec", "msec", "sec"]


def one(job):
    db, spec, unit = job
    p = subprocess.run(["nsys", "stats", "--report", spec, "--format", "csv", "--timeunit", unit, "--output", "-", db],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lines = [l for l in p.stdout.split(b"\n") if not l.startswith(b"Processing [") and not l.startswith(b"SKIPPED: ")]
    data = b"\n".join(lines)
    if data.endswith(b"\n\n"):
        data = data[:-1]
    name = os.path.basename(db)[:-len(".sqlite")]
    digest = "-" if not data.strip() else "%s %d %d" % (hashlib.sha256(data).hexdigest(), data.count(b"\n"), len(data))
    return "%s\t%s@%s\t%s" % (name, spec.replace(":", "_"), unit, digest)


def main():
    out, files = sys.argv[1], sys.argv[2:]
    jobs = [(db, s, u) for db in files for s in SPECS for u in UNITS]
    with cf.ThreadPoolExecutor(max_workers=int(os.environ.get("JOBS", "15"))) as ex:
        lines = list(ex.map(one, jobs))
    with open(out, "w") as f:
        f.write("\n".join(sorted(lines)) + "\n")
    print("%d digests" % len(lines))


if __name__ == "__main__":
    main()
