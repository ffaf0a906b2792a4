#!/usr/bin/env python3
"""nsys goldens for the trace reports, the filters and filtered analyze rules (issue 18).

Run on the GPU machine (nsys on PATH):
    source .gpu/nsys-env.sh && python3 testdata/gen/trace-goldens.py OUTDIR FILE.sqlite...

For each FILE it writes OUTDIR/<name>/:
  x_<report>.csv          nsys stats --report R,R… --format csv --output x (trace reports)
  <report>_<variant>.csv  nsys stats --report <report>:<variant> --format csv --output -
  filter/cases.tsv        one line per filter case: id <TAB> the nsys arguments (shell-quoted)
  filter/<id>/x_<report>.csv  nsys stats <args> --report R,R… --format csv --output x
  filter/<id>/x_<rule>.csv    nsys analyze <args> --rule R,R… --format csv --output x

The filter cases are picked from the file itself, by rules, never by name: the push/pop range text
with the most instances (in its domain), its second instance, an instance that does not exist, its
text without the domain, the
start/end range with the most instances, a range of a named domain, the middle third of the trace,
its second half with an open end (written 1s2ms3us4ns style), its first half with an open start (a
float in ms), a window after the last event, and one starting before zero.
"""
import concurrent.futures as cf
import os
import shlex
import sqlite3
import subprocess
import sys

TRACE = ["cuda_gpu_trace", "cuda_api_trace", "cuda_kern_exec_sum", "cuda_kern_exec_trace",
         "nvtx_pushpop_trace", "nvtx_gpu_proj_trace", "cuda_gpu_kern_gb_sum", "nvtx_startend_sum"]
VARIANTS = ["cuda_gpu_trace:nvtx-name", "cuda_gpu_trace:base", "cuda_kern_exec_trace:base",
            "cuda_gpu_kern_gb_sum:base", "cuda_kern_exec_sum:mangled"]
FILTERED = ["cuda_api_sum", "cuda_gpu_kern_sum", "cuda_gpu_mem_time_sum", "cuda_gpu_mem_size_sum",
            "cuda_gpu_sum", "cuda_api_gpu_sum", "nvtx_sum", "nvtx_pushpop_sum", "nvtx_startend_sum",
            "osrt_sum", "nvtx_gpu_proj_sum", "nvtx_kern_sum", "cuda_gpu_trace", "cuda_api_trace",
            "nvtx_pushpop_trace", "nvtx_gpu_proj_trace", "cuda_kern_exec_sum", "cuda_gpu_kern_gb_sum"]
RULES = ["cuda_memcpy_async", "cuda_memcpy_sync", "cuda_memset_sync", "cuda_api_sync", "gpu_gaps",
         "gpu_time_util"]


def q(db, sql):
    try:
        return db.execute(sql).fetchall()
    except sqlite3.Error:
        return []


def tables(db):
    return {r[0] for r in q(db, "SELECT name FROM sqlite_master WHERE type='table'")}


def ns_compound(v):
    """1s2ms3us4ns form of a non-negative integer nanosecond value."""
    out = ""
    for unit, size in (("s", 10**9), ("ms", 10**6), ("us", 10**3)):
        if v >= size:
            out += "%d%s" % (v // size, unit)
            v %= size
    if v or not out:
        out += "%dns" % v
    return out


def cases(path):
    db = sqlite3.connect("file:%s?mode=ro&immutable=1" % path, uri=True)
    t = tables(db)
    out = []
    if "NVTX_EVENTS" in t:
        has_ids = "StringIds" in t
        name = "coalesce(s.value, e.text)" if has_ids else "e.text"
        join = "LEFT JOIN StringIds s ON s.id = e.textId" if has_ids and q(db, "SELECT textId FROM NVTX_EVENTS LIMIT 1") != [] else ""
        if not join:
            name = "e.text"
        dom = ("(SELECT d.text FROM NVTX_EVENTS d WHERE d.eventType = 75 AND d.domainId = e.domainId "
               "AND (d.globalTid & 0xFFFFFF000000) = (e.globalTid & 0xFFFFFF000000) LIMIT 1)")

        def top(types, extra=""):
            return q(db, "SELECT %s AS n, %s AS dm, count(*) AS c FROM NVTX_EVENTS e %s "
                         "WHERE e.eventType IN (%s) AND e.end IS NOT NULL %s AND %s IS NOT NULL "
                         "GROUP BY n, dm ORDER BY c DESC, n LIMIT 1" % (name, dom, join, types, extra, name))

        def spec(row):
            n, d = row[0], row[1]
            return n + ("@" + d if d else "")
        pp = top("59,70")
        if pp:
            out.append(("nvtx_top", ["--filter-nvtx", spec(pp[0])]))
            if pp[0][2] > 1:
                out.append(("nvtx_second", ["--filter-nvtx", spec(pp[0]) + "/1"]))
            out.append(("nvtx_missing", ["--filter-nvtx", spec(pp[0]) + "/%d" % (pp[0][2] + 1000)]))
            if pp[0][1]:
                out.append(("nvtx_no_domain", ["--filter-nvtx", pp[0][0]]))
        se = top("60,71")
        if se:
            out.append(("nvtx_startend", ["--filter-nvtx", spec(se[0])]))
        dm = top("59,60,70,71", "AND e.domainId != 0")
        if dm and dm[0][1] and (not pp or spec(dm[0]) != spec(pp[0])):
            out.append(("nvtx_domain", ["--filter-nvtx", spec(dm[0])]))
    lo_hi = []
    for tab in ("CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_RUNTIME", "NVTX_EVENTS"):
        if tab in t:
            lo_hi += q(db, "SELECT min(start), max(coalesce(end, start)) FROM %s" % tab)
    lo_hi = [r for r in lo_hi if r[0] is not None and r[1] is not None]
    if lo_hi:
        lo = min(r[0] for r in lo_hi)
        hi = max(r[1] for r in lo_hi)
        span = max(hi - lo, 3)
        a, b = lo + span // 3, lo + 2 * span // 3
        mid = lo + span // 2
        out.append(("time_middle", ["--filter-time", "%d/%d" % (a, b)]))
        out.append(("time_open_end", ["--filter-time", "%s/" % ns_compound(mid)]))
        out.append(("time_open_start", ["--filter-time", "/%.3fms" % (mid / 1e6)]))
        out.append(("time_empty", ["--filter-time", "%ds/%ds" % (hi // 10**9 + 10, hi // 10**9 + 20)]))
        out.append(("time_negative", ["--filter-time", "-1s/%dus" % (a // 1000)]))
    db.close()
    return out


def run(cmd, dest):
    with open(dest, "wb") as f:
        p = subprocess.run(cmd, stdout=f, stderr=subprocess.PIPE)
    return "%s rc=%d %s" % (" ".join(shlex.quote(c) for c in cmd), p.returncode,
                            p.stderr.decode(errors="replace").strip().replace("\n", " | ")[:400])


def jobs(outdir, path):
    name = os.path.basename(path)[:-len(".sqlite")]
    d = os.path.join(outdir, name)
    os.makedirs(os.path.join(d, "filter"), exist_ok=True)
    # SINGLE=1: one report per nsys run. On exports older than nsys 2023.4 (no greenContextId),
    # a run of several reports prints nothing for the reports after the first one that needs
    # that column, although each of them alone prints rows (nsys 2025.3.1).
    single = os.environ.get("SINGLE") == "1"

    def stats(reports, args, prefix, log):
        if not single:
            return [(["nsys", "stats"] + args + ["--report", ",".join(reports), "--format", "csv", "--output",
                      prefix, "--force-overwrite", "true", path], log)]
        return [(["nsys", "stats"] + args + ["--report", r, "--format", "csv", "--output", prefix,
                  "--force-overwrite", "true", path], log + "." + r) for r in reports]
    js = stats(TRACE, [], os.path.join(d, "x"), os.path.join(d, "stats.stdout"))
    for r in VARIANTS:
        js.append((["nsys", "stats", "--report", r, "--format", "csv", "--output", "-", path],
                   os.path.join(d, r.replace(":", "_") + ".csv")))
    cs = cases(path)
    with open(os.path.join(d, "filter", "cases.tsv"), "w") as f:
        for cid, args in cs:
            f.write("%s\t%s\n" % (cid, " ".join(shlex.quote(a) for a in args)))
    for cid, args in cs:
        cd = os.path.join(d, "filter", cid)
        os.makedirs(cd, exist_ok=True)
        js += stats(FILTERED, args, os.path.join(cd, "x"), os.path.join(cd, "stats.stdout"))
        js.append((["nsys", "analyze"] + args + ["--rule", ",".join(RULES), "--format", "csv",
                    "--output", os.path.join(cd, "x"), "--force-overwrite", "true", path],
                   os.path.join(cd, "analyze.stdout")))
    return js


def main():
    outdir, files = sys.argv[1], sys.argv[2:]
    alljobs = []
    for p in files:
        alljobs += jobs(outdir, p)
    print("%d nsys runs" % len(alljobs), flush=True)
    with cf.ThreadPoolExecutor(max_workers=int(os.environ.get("JOBS", "14"))) as ex:
        logs = list(ex.map(lambda j: run(*j), alljobs))
    with open(os.path.join(outdir, "log.txt"), "w") as f:
        f.write("\n".join(logs) + "\n")


if __name__ == "__main__":
    main()
