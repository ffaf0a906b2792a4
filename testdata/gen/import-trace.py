#!/usr/bin/env python3
"""Copies what trace-goldens.py wrote (WORKDIR, fetched from the GPU machine) into testdata/.

    python3 testdata/gen/import-trace.py WORKDIR

WORKDIR/<name>/ goes to testdata/traces/<name>/ (a trace of testdata/traces), to
testdata/public-golden/<name>/ (an export of ../shared/nsys-public) or to
testdata/samples-golden/<name>/ (a sample of ../shared/nsys-samples).

nsys's progress ("Processing [") and SKIPPED lines are dropped, as import.sh does. A golden of at
most LIMIT bytes (16 KiB) is kept as <report>.csv; a larger one (a trace report of a big trace) as
<report>.csv.sha256: one line "<sha256 of the CSV> <lines> <bytes>", so that the tree stays small
enough to travel to the GPU machine; the full CSVs stay in the run's tarball. Filter cases keep
their arguments in filter/cases.tsv and nsys's own stdout (SKIPPED lines, errors) in
filter/<case>/nsys.log.
"""
import hashlib
import os
import re
import shutil
import sys

LIMIT = 16 * 1024
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))


def clean(data):
    lines = data.split(b"\n")
    keep = [l for l in lines if not l.startswith(b"Processing [") and not l.startswith(b"SKIPPED: ")]
    return b"\n".join(keep)


def put(src, dst_base):
    """Writes the cleaned CSV src as dst_base (+.csv or +.csv.sha256)."""
    with open(src, "rb") as f:
        data = clean(f.read())
    for old in (dst_base + ".csv", dst_base + ".csv.sha256"):
        if os.path.exists(old):
            os.remove(old)
    if len(data) <= LIMIT:
        with open(dst_base + ".csv", "wb") as f:
            f.write(data)
    else:
        n = data.count(b"\n")
        with open(dst_base + ".csv.sha256", "w") as f:
            f.write("%s %d %d\n" % (hashlib.sha256(data).hexdigest(), n, len(data)))


def dest(name):
    if os.path.exists(os.path.join(ROOT, "testdata", "traces", name + ".sqlite")):
        return os.path.join(ROOT, "testdata", "traces", name)
    for sub in ("public-golden", "samples-golden"):
        d = os.path.join(ROOT, "testdata", sub, name)
        if os.path.isdir(d):
            return d
    return None


def report_of(fname, known):
    """x_<report>[_<filter suffix>].csv -> <report> (the longest known name that prefixes it)."""
    base = fname[2:-4]
    best = None
    for r in known:
        if base == r or base.startswith(r + "_"):
            if best is None or len(r) > len(best):
                best = r
    return best


KNOWN = ["cuda_gpu_trace", "cuda_api_trace", "cuda_kern_exec_sum", "cuda_kern_exec_trace",
         "nvtx_pushpop_trace", "nvtx_gpu_proj_trace", "cuda_gpu_kern_gb_sum", "nvtx_startend_sum",
         "cuda_api_sum", "cuda_gpu_kern_sum", "cuda_gpu_mem_time_sum", "cuda_gpu_mem_size_sum",
         "cuda_gpu_sum", "cuda_api_gpu_sum", "nvtx_sum", "nvtx_pushpop_sum", "osrt_sum",
         "nvtx_gpu_proj_sum", "nvtx_kern_sum", "cuda_memcpy_async", "cuda_memcpy_sync",
         "cuda_memset_sync", "cuda_api_sync", "gpu_gaps", "gpu_time_util"]


def main():
    work = sys.argv[1]
    n = 0
    failed = {}  # output prefix -> nsys's error (stderr), from the run's log
    if os.path.exists(os.path.join(work, "log.txt")):
        for line in open(os.path.join(work, "log.txt"), encoding="utf-8", errors="replace"):
            m = re.search(r"--output (\S+) .* rc=([1-9]\d*) (.*)$", line)
            if m:
                failed.setdefault(os.path.dirname(m.group(1)), []).append(m.group(3).replace(" | ", "\n"))
    for name in sorted(os.listdir(work)):
        src = os.path.join(work, name)
        if not os.path.isdir(src):
            continue
        dst = dest(name)
        if dst is None:
            print("skip %s: no trace, public export or sample of that name" % name, file=sys.stderr)
            continue
        os.makedirs(dst, exist_ok=True)
        for f in sorted(os.listdir(src)):
            p = os.path.join(src, f)
            if f.startswith("x_") and f.endswith(".csv"):
                r = report_of(f, KNOWN)
                put(p, os.path.join(dst, r)); n += 1
            elif f.endswith(".csv"):  # a variant written to stdout: <report>_<variant>.csv
                put(p, os.path.join(dst, f[:-4])); n += 1
        fsrc = os.path.join(src, "filter")
        if not os.path.isdir(fsrc):
            continue
        fdst = os.path.join(dst, "filter")
        shutil.rmtree(fdst, ignore_errors=True)
        os.makedirs(fdst)
        shutil.copy(os.path.join(fsrc, "cases.tsv"), os.path.join(fdst, "cases.tsv"))
        for case in sorted(os.listdir(fsrc)):
            cs = os.path.join(fsrc, case)
            if not os.path.isdir(cs):
                continue
            cd = os.path.join(fdst, case)
            os.makedirs(cd)
            log = b""
            outs = sorted(f for f in os.listdir(cs) if f.startswith("stats.stdout")) + ["analyze.stdout"]
            for out in outs:
                if os.path.exists(os.path.join(cs, out)):
                    with open(os.path.join(cs, out), "rb") as f:
                        log += b"".join(l + b"\n" for l in f.read().split(b"\n")
                                        if l and not l.startswith(b"Processing [") and not re.match(rb"^\[\d/\d\]", l))
            for key, errs in failed.items():
                if key.endswith("/%s/filter/%s" % (name, case)):
                    log += "".join(e.strip() + "\n" for e in errs).encode()
            with open(os.path.join(cd, "nsys.log"), "wb") as f:
                f.write(log)
            for f in sorted(os.listdir(cs)):
                if f.startswith("x_") and f.endswith(".csv"):
                    r = report_of(f, KNOWN)
                    put(os.path.join(cs, f), os.path.join(cd, r)); n += 1
    print("imported %d goldens" % n)


if __name__ == "__main__":
    main()
