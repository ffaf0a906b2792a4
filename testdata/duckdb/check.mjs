// DuckDB over `omnistat export --format parquet` folders, with the SQL of docs/export.sql,
// against `omnistat summarize --format json --top N` of the same traces: the stage overview
// and each stage's kernel, CUDA API, NVTX and memory-operation tables must be equal, value for
// value (numbers compared as the doubles JSON gives).
//
// usage: node check.mjs MODULES RUNS SUMMARY.json EXPORT.sql
//   MODULES: a folder with node_modules/@duckdb/node-api (check.sh installs it)
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const [modules, runs, summaryPath, sqlPath] = process.argv.slice(2);
const { DuckDBInstance } = createRequire(modules + '/package.json')('@duckdb/node-api');

const db = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await db.connect();
await con.run(`SET VARIABLE runs = '${runs.replaceAll("'", "''")}'`);
// the file's statements one by one (comments dropped: they may hold semicolons)
const sql = readFileSync(sqlPath, 'utf8').split('\n').filter((l) => !l.trimStart().startsWith('--')).join('\n');
for (const st of sql.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean)) {
  await con.run(st);
}
const rows = async (q) => (await con.runAndReadAll(q)).getRowObjectsJS();
const num = (v) => (typeof v === 'bigint' ? Number(v) : v);

const summaries = JSON.parse(readFileSync(summaryPath, 'utf8'));
let failures = 0;
const fail = (msg) => {
  failures++;
  if (failures <= 50) console.error('MISMATCH ' + msg);
};
const same = (a, b) => (typeof a === 'number' || typeof b === 'number' ? num(a) === num(b) : a === b);

// the tables compared: summarize's report, the view, the key columns and the value columns
const tables = [
  { report: 'cuda_gpu_kern_sum', view: 'stage_kernels', key: [['Name', 'name']], count: ['Instances', 'instances'] },
  { report: 'cuda_api_sum', view: 'stage_api', key: [['Name', 'name']], count: ['Num Calls', 'calls'] },
  { report: 'nvtx_sum', view: 'stage_nvtx', key: [['Style', 'style'], ['Range', 'name']], count: ['Instances', 'instances'] },
  { report: 'cuda_gpu_mem_time_sum', view: 'stage_memops', key: [['Operation', 'operation']], count: ['Count', 'count'] },
];
const values = (t) => [['Time', 'time_pct'], ['Total Time', 'total_ns'], t.count, ['Avg', 'avg_ns'], ['Med', 'med_ns']];

const overview = ['wall_ns', 'gpu_busy_ns', 'gpu_busy_pct', 'gpu_count', 'kernel_ns', 'memcpy_ns', 'memset_ns', 'cuda_api_ns', 'replicas', 'found_by'];
const report = [];
for (const s of summaries) {
  const f = s.trace.replaceAll("'", "''");
  const ov = await rows(`SELECT * FROM stage_overview WHERE file = '${f}' ORDER BY stage_index`);
  if (ov.length !== s.stages.length) {
    fail(`${s.trace}: ${ov.length} stages in DuckDB, ${s.stages.length} in summarize`);
  }
  let compared = 0;
  for (const [i, st] of s.stages.entries()) {
    const o = ov[i];
    if (!o || o.stage !== st.stage) {
      fail(`${s.trace}: stage ${i} is ${o && o.stage} in DuckDB, ${st.stage} in summarize`);
      continue;
    }
    for (const c of overview) {
      compared++;
      if (!same(o[c], st[c])) fail(`${s.trace} ${st.stage} overview ${c}: DuckDB ${o[c]}, summarize ${st[c]}`);
    }
    compared += 2; // the top range and the pids
    if ((o.top_nvtx_range ?? '') !== (st.top_nvtx_range ?? '')) {
      fail(`${s.trace} ${st.stage} top_nvtx_range: DuckDB ${o.top_nvtx_range}, summarize ${st.top_nvtx_range}`);
    }
    const pids = o.pids.map(num).join(',');
    if (pids !== st.pids.join(',')) fail(`${s.trace} ${st.stage} pids: DuckDB ${pids}, summarize ${st.pids}`);
    const steps = (await rows(`SELECT * FROM stage_steps WHERE file = '${f}' AND stage = '${st.stage.replaceAll("'", "''")}'`))[0];
    const want = st.steps ?? { count: 0, warmup: 0, warmup_ns: 0, steady_median_ns: 0, steady_p90_ns: 0 };
    for (const c of ['count', 'warmup', 'warmup_ns', 'steady_median_ns', 'steady_p90_ns']) {
      compared++;
      if (!same(steps ? steps[c] : 0, want[c])) fail(`${s.trace} ${st.stage} steps ${c}: DuckDB ${steps && steps[c]}, summarize ${want[c]}`);
    }
    if (steps && steps.range !== want.range) fail(`${s.trace} ${st.stage} step range: DuckDB ${steps.range}, summarize ${want.range}`);
    for (const t of tables) {
      const js = st.tables.find((x) => x.report === t.report);
      const got = await rows(`SELECT * FROM ${t.view} WHERE file = '${f}' AND stage = '${st.stage.replaceAll("'", "''")}'`);
      const jrows = js ? js.rows : [];
      if (js && js.notes && js.notes.some((n) => /more rows/.test(n))) fail(`${s.trace} ${st.stage} ${t.report}: summarize cut the table (raise --top)`);
      const keyOf = (r, side) => t.key.map((k) => r[k[side]]).join('\u0000');
      const rowOf = (r, side) => values(t).map((v) => num(r[v[side]]));
      // several rows may share a key (one CUDA function under two CUPTI names): compare multisets
      const bag = (list, side) => list.map((r) => JSON.stringify([keyOf(r, side), ...rowOf(r, side)])).sort();
      const a = bag(got, 1);
      const b = bag(jrows, 0);
      if (a.length !== b.length) fail(`${s.trace} ${st.stage} ${t.report}: ${a.length} rows in DuckDB, ${b.length} in summarize`);
      for (let k = 0; k < Math.max(a.length, b.length); k++) {
        compared += 1 + values(t).length; // the key and the values of a row
        if (a[k] !== b[k]) {
          fail(`${s.trace} ${st.stage} ${t.report}: DuckDB ${a[k]} summarize ${b[k]}`);
          break;
        }
      }
    }
  }
  report.push(`${s.trace}: ${s.stages.length} stages, ${compared} values compared`);
}
// NULLs: no BIGINT column holds -2^63 (the model's NULL written as a number), and the null
// correlation ids of each input (a NULL correlationId in its export) are counted
for (const v of ['kernels', 'api', 'memops', 'nvtx', 'steps', 'stages']) {
  for (const c of await rows(`DESCRIBE ${v}`)) {
    if (c.column_type !== 'BIGINT') continue;
    const bad = await rows(`SELECT file, count(*) AS n FROM ${v} WHERE "${c.column_name}" = -9223372036854775808 GROUP BY file`);
    for (const b of bad) fail(`${b.file} ${v}.${c.column_name}: ${num(b.n)} rows hold -9223372036854775808`);
  }
}
const nulls = await rows(`SELECT file, sum(k) AS k, sum(a) AS a, sum(m) AS m FROM (
    SELECT file, count(*) FILTER (WHERE correlation_id IS NULL) AS k, 0 AS a, 0 AS m FROM kernels GROUP BY file
    UNION ALL SELECT file, 0, count(*) FILTER (WHERE correlation_id IS NULL), 0 FROM api GROUP BY file
    UNION ALL SELECT file, 0, 0, count(*) FILTER (WHERE correlation_id IS NULL) FROM memops GROUP BY file)
  GROUP BY file HAVING sum(k) + sum(a) + sum(m) > 0 ORDER BY file`);
for (const n of nulls) report.push(`${n.file}: null correlation ids: kernels ${num(n.k)}, api ${num(n.a)}, memops ${num(n.m)}`);
console.log(report.join('\n'));
if (failures > 0) {
  console.error(`${failures} mismatches`);
  process.exit(1);
}
console.log(`OK: DuckDB over the Parquet export equals summarize on ${summaries.length} traces`);
