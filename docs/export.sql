-- omnistat's per-stage summaries over `omnistat export --format parquet` folders, for DuckDB
-- (1.1 or newer). See docs/export.md. Every view is per input file (`file`) and stage, so the
-- same SQL serves one export or thousands:
--
--   duckdb -c "SET VARIABLE runs = 'runs'; .read docs/export.sql" …   (or, in the shell:)
--   SET VARIABLE runs = 'runs';      -- the -o folder of `omnistat export`
--   .read docs/export.sql
--   SELECT * FROM stage_overview ORDER BY file, stage_index;
--
-- The figures equal `omnistat summarize --format json` exactly (testdata/duckdb/check.sh
-- compares them on every test trace): integers are sums of the exported nanoseconds, and the
-- rounded columns round as nsys prints them (nsys_round1 below), not as DuckDB's round() does.

-- the exported tables, under every folder of the runs folder
CREATE OR REPLACE VIEW kernels AS SELECT * FROM read_parquet(getvariable('runs') || '/*/kernels.parquet');
CREATE OR REPLACE VIEW api AS SELECT * FROM read_parquet(getvariable('runs') || '/*/api.parquet');
CREATE OR REPLACE VIEW memops AS SELECT * FROM read_parquet(getvariable('runs') || '/*/memops.parquet');
CREATE OR REPLACE VIEW nvtx AS SELECT * FROM read_parquet(getvariable('runs') || '/*/nvtx.parquet');
CREATE OR REPLACE VIEW stages AS SELECT * FROM read_parquet(getvariable('runs') || '/*/stages.parquet');
CREATE OR REPLACE VIEW steps AS SELECT * FROM read_parquet(getvariable('runs') || '/*/steps.parquet');

-- round(x, 1) as nsys (SQLite) computes it: the double's exact decimal value, rounded half away
-- from zero. DuckDB's round(10601.65, 1) is 10601.7; the double nearest 10601.65 is
-- 10601.6499999…, and nsys prints 10601.6.
CREATE OR REPLACE MACRO nsys_round1_digits(s) AS
    CAST(CAST(CAST(left(s, strpos(s, '.') + 1) AS DECIMAL(38, 1))
              + CASE WHEN substr(s, strpos(s, '.') + 2, 1) >= '5' THEN 0.1 ELSE 0.0 END AS VARCHAR) AS DOUBLE);
CREATE OR REPLACE MACRO nsys_round1(x) AS sign(x) * nsys_round1_digits(printf('%.40f', abs(x)));
-- nsys's share column: round(part * 100.0 / total, 1), 0 when total is 0
CREATE OR REPLACE MACRO nsys_pct(part, total) AS
    CASE WHEN total = 0 THEN 0.0 ELSE nsys_round1(CAST(part AS DOUBLE) * 100.0::DOUBLE / CAST(total AS DOUBLE)) END;

-- nsys's *_sum columns over one group of durations: total, count, mean and median (the mean of
-- the two middle values when the count is even), both rounded to 0.1 ns, min, max
CREATE OR REPLACE MACRO sum_total(d) AS sum(d)::BIGINT;
CREATE OR REPLACE MACRO sum_avg(d) AS nsys_round1(sum(d)::DOUBLE / count(*)::DOUBLE);
CREATE OR REPLACE MACRO sum_med(d) AS nsys_round1(median(d::DOUBLE));

-- Per stage: its kernels by name (cuda_gpu_kern_sum within the stage; Time is the share of
-- the stage's kernel time)
CREATE OR REPLACE VIEW stage_kernels AS
SELECT file, stage, name,
       nsys_pct(sum(duration_ns), sum(sum(duration_ns)) OVER (PARTITION BY file, stage)) AS time_pct,
       sum_total(duration_ns) AS total_ns, count(*) AS instances,
       sum_avg(duration_ns) AS avg_ns, sum_med(duration_ns) AS med_ns,
       min(duration_ns) AS min_ns, max(duration_ns) AS max_ns
FROM kernels WHERE stage <> '(other)'
GROUP BY file, stage, name;

-- Per stage: its CUDA API calls by function (cuda_api_sum within the stage; nsys groups by the
-- CUPTI function and prints it without its _vNNNN suffix)
CREATE OR REPLACE VIEW stage_api AS
SELECT file, stage, any_value(name) AS name, function,
       nsys_pct(sum(duration_ns), sum(sum(duration_ns)) OVER (PARTITION BY file, stage)) AS time_pct,
       sum_total(duration_ns) AS total_ns, count(*) AS calls,
       sum_avg(duration_ns) AS avg_ns, sum_med(duration_ns) AS med_ns,
       min(duration_ns) AS min_ns, max(duration_ns) AS max_ns
FROM api WHERE stage <> '(other)'
GROUP BY file, stage, function;

-- Per stage: its NVTX ranges by style and name (nvtx_sum within the stage)
CREATE OR REPLACE VIEW stage_nvtx AS
SELECT file, stage, style, name,
       nsys_pct(sum(duration_ns), sum(sum(duration_ns)) OVER (PARTITION BY file, stage)) AS time_pct,
       sum_total(duration_ns) AS total_ns, count(*) AS instances,
       sum_avg(duration_ns) AS avg_ns, sum_med(duration_ns) AS med_ns,
       min(duration_ns) AS min_ns, max(duration_ns) AS max_ns
FROM nvtx WHERE stage <> '(other)'
GROUP BY file, stage, style, name;

-- The stage overview: per stage its processes, wall time (first to last API call, GPU
-- operation or NVTX range), GPU busy time (the union of its GPU operations, per GPU, summed
-- over its GPUs) and share of wall × GPUs, summed kernel, copy, memset and CUDA API time, and
-- its NVTX range with the most time
CREATE OR REPLACE VIEW stage_overview AS
WITH procs AS (
    SELECT file, stage, any_value(stage_index) AS stage_index, any_value(found_by) AS found_by,
           any_value(replicas) AS replicas, list(pid ORDER BY replica) FILTER (WHERE pid IS NOT NULL) AS pids
    FROM stages GROUP BY file, stage),
ops AS (
    SELECT file, stage, device, start_ns, end_ns FROM kernels
    UNION ALL SELECT file, stage, device, start_ns, end_ns FROM memops),
running AS (
    SELECT *, max(end_ns) OVER (PARTITION BY file, stage, device ORDER BY start_ns, end_ns
                                ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS covered_to
    FROM ops),
islands AS (
    SELECT *, sum(CASE WHEN covered_to IS NULL OR start_ns > covered_to THEN 1 ELSE 0 END)
              OVER (PARTITION BY file, stage, device ORDER BY start_ns, end_ns ROWS UNBOUNDED PRECEDING) AS island
    FROM running),
busy AS (
    SELECT file, stage, sum(island_ns)::BIGINT AS gpu_busy_ns, count(DISTINCT device) AS gpus
    FROM (SELECT file, stage, device, max(end_ns) - min(start_ns) AS island_ns FROM islands GROUP BY file, stage, device, island)
    GROUP BY file, stage),
events AS (
    SELECT file, stage, start_ns, end_ns, duration_ns, 'api' AS t FROM api
    UNION ALL SELECT file, stage, start_ns, end_ns, duration_ns, 'kernel' FROM kernels
    UNION ALL SELECT file, stage, start_ns, end_ns, duration_ns, kind FROM memops
    UNION ALL SELECT file, stage, start_ns, end_ns, duration_ns, 'nvtx' FROM nvtx),
totals AS (
    SELECT file, stage, max(end_ns) - min(start_ns) AS span_ns,
           coalesce(sum(duration_ns) FILTER (WHERE t = 'kernel'), 0)::BIGINT AS kernel_ns,
           coalesce(sum(duration_ns) FILTER (WHERE t = 'memcpy'), 0)::BIGINT AS memcpy_ns,
           coalesce(sum(duration_ns) FILTER (WHERE t = 'memset'), 0)::BIGINT AS memset_ns,
           coalesce(sum(duration_ns) FILTER (WHERE t = 'api'), 0)::BIGINT AS cuda_api_ns
    FROM events GROUP BY file, stage),
top_range AS (
    SELECT file, stage, name FROM stage_nvtx
    QUALIFY row_number() OVER (PARTITION BY file, stage ORDER BY total_ns DESC, instances, style, name) = 1)
SELECT p.file, p.stage, p.stage_index, p.found_by, p.replicas, coalesce(p.pids, []) AS pids,
       greatest(coalesce(t.span_ns, 0), 0) AS wall_ns,
       coalesce(b.gpu_busy_ns, 0) AS gpu_busy_ns,
       greatest(coalesce(b.gpus, 0), 1) AS gpu_count,
       CASE WHEN coalesce(t.span_ns, 0) > 0
            THEN nsys_pct(coalesce(b.gpu_busy_ns, 0), t.span_ns * greatest(coalesce(b.gpus, 0), 1)) ELSE 0.0 END AS gpu_busy_pct,
       coalesce(t.kernel_ns, 0) AS kernel_ns, coalesce(t.memcpy_ns, 0) AS memcpy_ns,
       coalesce(t.memset_ns, 0) AS memset_ns, coalesce(t.cuda_api_ns, 0) AS cuda_api_ns,
       r.name AS top_nvtx_range
FROM procs p
LEFT JOIN totals t USING (file, stage)
LEFT JOIN busy b USING (file, stage)
LEFT JOIN top_range r USING (file, stage);

-- Per stage: its memory operations by operation (cuda_gpu_mem_time_sum within the stage;
-- copies of a kind nsys has no label for are left out, as nsys's join leaves them out)
CREATE OR REPLACE VIEW stage_memops AS
SELECT file, stage, operation,
       nsys_pct(sum(duration_ns), sum(sum(duration_ns)) OVER (PARTITION BY file, stage)) AS time_pct,
       sum_total(duration_ns) AS total_ns, count(*) AS count,
       sum_avg(duration_ns) AS avg_ns, sum_med(duration_ns) AS med_ns,
       min(duration_ns) AS min_ns, max(duration_ns) AS max_ns,
       sum(bytes)::BIGINT AS bytes
FROM memops WHERE stage <> '(other)' AND operation IS NOT NULL
GROUP BY file, stage, operation;

-- Per stage: its steps (summarize's `steps`): how many, the warm-up steps and their time, and
-- the steady steps' median and nearest-rank 90th percentile (decode steps only when the names
-- tell prefill from decode)
CREATE OR REPLACE VIEW stage_steps AS
SELECT s.file, s.stage, s.step_range AS range, count(t.step) AS count,
       count(t.step) FILTER (WHERE t.warmup) AS warmup,
       coalesce(sum(t.duration_ns) FILTER (WHERE t.warmup), 0)::BIGINT AS warmup_ns,
       coalesce(median(t.duration_ns::DOUBLE) FILTER (WHERE NOT t.warmup AND NOT coalesce(t.prefill, false)), 0) AS steady_median_ns,
       coalesce(list_sort(list(t.duration_ns) FILTER (WHERE NOT t.warmup AND NOT coalesce(t.prefill, false)))[
           greatest(ceil(0.9::DOUBLE * count(t.step) FILTER (WHERE NOT t.warmup AND NOT coalesce(t.prefill, false)))::BIGINT, 1)], 0) AS steady_p90_ns
FROM (SELECT DISTINCT file, stage, step_range FROM stages) s
LEFT JOIN steps t USING (file, stage)
GROUP BY s.file, s.stage, s.step_range;
