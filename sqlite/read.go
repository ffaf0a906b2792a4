package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"strings"
	"sync"

	"github.com/omnistat/omnistat/trace"
)

// schema is what the export holds: tables and, per table, its columns.
type schema struct {
	tables map[string]bool
	cols   map[string]map[string]bool
	// order lists each wanted table's columns in record order; rowid names its INTEGER PRIMARY
	// KEY column (stored as the rowid), root its b-tree root page.
	order map[string][]string
	rowid map[string]string
	root  map[string]uint32
}

func (s *schema) has(table, col string) bool { return s.cols[table][col] }

func readSchema(ctx context.Context, db *sql.DB) (*schema, error) {
	rows, err := db.QueryContext(ctx, `SELECT name, coalesce(rootpage, 0) FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return nil, err
	}
	s := &schema{tables: map[string]bool{}, cols: map[string]map[string]bool{}, order: map[string][]string{},
		rowid: map[string]string{}, root: map[string]uint32{}}
	for rows.Next() {
		var name string
		var root int64
		if err := rows.Scan(&name, &root); err != nil {
			rows.Close()
			return nil, err
		}
		s.tables[name] = true
		s.root[name] = uint32(root)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, t := range wantedTables {
		if !s.tables[t] {
			continue
		}
		r, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT name, upper(type), pk FROM pragma_table_info(%s) ORDER BY cid`, quoteString(t)))
		if err != nil {
			return nil, fmt.Errorf("read columns of %s: %w", t, err)
		}
		cols := map[string]bool{}
		var pks []string
		for r.Next() {
			var c, typ string
			var pk int
			if err := r.Scan(&c, &typ, &pk); err != nil {
				r.Close()
				return nil, err
			}
			cols[c] = true
			s.order[t] = append(s.order[t], c)
			if pk > 0 && typ == "INTEGER" {
				pks = append(pks, c)
			}
		}
		if len(pks) == 1 {
			s.rowid[t] = pks[0]
		}
		r.Close()
		s.cols[t] = cols
	}
	return s, nil
}

// wantedTables are the tables omnistat reads.
var wantedTables = []string{
	"StringIds", "PROCESSES", "ThreadNames", "TARGET_INFO_GPU", "META_DATA_EXPORT", "EXPORT_META_DATA",
	"TARGET_INFO_SYSTEM_ENV", "ENUM_CUDA_MEMCPY_OPER", "ENUM_CUDA_MEM_KIND",
	"CUPTI_ACTIVITY_KIND_RUNTIME", "CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_MEMCPY",
	"CUPTI_ACTIVITY_KIND_MEMSET", "NVTX_EVENTS", "OSRT_API",
}

// exportMarkers are tables of which an nsys export holds at least one.
var exportMarkers = []string{"CUPTI_ACTIVITY_KIND_RUNTIME", "CUPTI_ACTIVITY_KIND_KERNEL", "NVTX_EVENTS", "OSRT_API",
	"TARGET_INFO_GPU", "ThreadNames", "META_DATA_EXPORT", "EXPORT_META_DATA"}

func readAll(ctx context.Context, db *sql.DB, path string, opt Options) (*trace.Trace, error) {
	s, err := readSchema(ctx, db)
	if err != nil {
		return nil, describe(err)
	}
	marker := false
	for _, t := range exportMarkers {
		marker = marker || s.tables[t]
	}
	if !marker {
		return nil, ErrNotExport
	}
	if !s.tables["StringIds"] {
		return nil, fmt.Errorf("%w: it has no StringIds table, so no name can be resolved", ErrNotExport)
	}
	tr := &trace.Trace{Path: path, Tables: s.tables}
	if !opt.SQLOnly {
		if pg, err := openPager(path); err == nil {
			defer pg.close()
			ctx = context.WithValue(ctx, pagerKey{}, pg)
		}
	}
	for _, t := range []string{"CUPTI_ACTIVITY_KIND_RUNTIME", "CUPTI_ACTIVITY_KIND_KERNEL", "NVTX_EVENTS", "OSRT_API"} {
		if !s.tables[t] {
			tr.Notes = append(tr.Notes, fmt.Sprintf("no %s table: the capture recorded no such events", t))
		}
	}
	jobs := []func() error{
		func() error { return readStrings(ctx, db, tr) },
		func() error { return readMeta(ctx, db, s, tr) },
		func() error { return readProcesses(ctx, db, s, tr) },
		func() error { return readEnums(ctx, db, s, tr) },
	}
	only := opt.Only
	if only == 0 {
		only = trace.AllTables
	}
	for _, f := range []struct {
		fam trace.Tables
		job func() error
	}{
		{trace.RuntimeTable, func() error { return readAPI(ctx, db, s, "CUPTI_ACTIVITY_KIND_RUNTIME", &tr.Runtime) }},
		{trace.OSRTTable, func() error { return readAPI(ctx, db, s, "OSRT_API", &tr.OSRT) }},
		{trace.KernelTable, func() error { return readKernels(ctx, db, s, &tr.Kernels) }},
		{trace.MemcpyTable, func() error { return readMemcpy(ctx, db, s, &tr.Memcpy) }},
		{trace.MemsetTable, func() error { return readMemset(ctx, db, s, &tr.Memset) }},
		{trace.NVTXTable, func() error { return readNVTX(ctx, db, s, &tr.NVTX) }},
	} {
		if only&f.fam != 0 {
			jobs = append(jobs, f.job)
		}
	}
	par := opt.Parallel
	if par <= 0 {
		par = len(jobs)
	}
	db.SetMaxOpenConns(par)
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, par)
	var wg sync.WaitGroup
	for i, job := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs[i] = job()
		}()
	}
	wg.Wait()
	tr.Notes = append(tr.Notes, checkRows(tr)...)
	for i, e := range errs {
		if e == nil {
			continue
		}
		if !opt.Partial || i == 0 { // without StringIds nothing can be named
			err := describe(e)
			if errors.Is(err, ErrCorrupt) {
				err = fmt.Errorf("%w (run with --partial to report the readable tables)", err)
			}
			return nil, err
		}
		tr.Notes = append(tr.Notes, fmt.Sprintf("skipped, unreadable: %v", describe(e)))
	}
	return tr, nil
}

// describe turns SQLite's corruption errors into a message a user can act on.
func describe(err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNotSQLite):
		return err
	case strings.Contains(msg, "file is not a database") || strings.Contains(msg, "(26)"):
		return fmt.Errorf("%w (header or page corrupt): %s", ErrNotSQLite, sqliteMsg(msg))
	case strings.Contains(msg, "malformed") || strings.Contains(msg, "(11)"):
		return fmt.Errorf("%w: %s", ErrCorrupt, sqliteMsg(msg))
	}
	return err
}

// sqliteMsg drops the driver's error-code suffix: "read X: database disk image is malformed".
func sqliteMsg(m string) string {
	m = strings.TrimSuffix(m, " (11)")
	return strings.TrimSuffix(m, " (26)")
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
func quoteIdent(s string) string  { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// pagerKey carries the file-format scanner's pager in the read's context.
type pagerKey struct{}

func pagerOf(ctx context.Context) *pager {
	p, _ := ctx.Value(pagerKey{}).(*pager)
	return p
}

// intCol names an integer column to read into dst; a column the table lacks reads as Null.
type intCol struct {
	name string
	dst  *[]int64
}

// readInts reads integer columns of table (with an optional WHERE clause) into the slices.
// NULLs become trace.Null. Without a WHERE clause and with a pager, the file-format scanner reads
// the table; otherwise SQL does, the slices sized from a count(*) first.
func readInts(ctx context.Context, db *sql.DB, s *schema, table, where string, cols []intCol) error {
	if !s.tables[table] {
		return nil
	}
	if pg := pagerOf(ctx); pg != nil && where == "" && s.root[table] > 0 {
		spec := scanSpec{}
		for _, c := range cols {
			idx := -2
			for i, name := range s.order[table] {
				if name == c.name {
					idx = i
				}
			}
			if c.name == s.rowid[table] {
				idx = -1
			}
			spec.cols = append(spec.cols, idx)
			spec.dst = append(spec.dst, c.dst)
		}
		if err := scanTable(pg, s.root[table], spec, runtime.NumCPU()); err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
		return nil
	}
	exprs := make([]string, len(cols))
	for i, c := range cols {
		if s.has(table, c.name) {
			exprs[i] = fmt.Sprintf("coalesce(%s, %d)", quoteIdent(c.name), trace.Null)
		} else {
			exprs[i] = fmt.Sprint(trace.Null)
		}
	}
	q := fmt.Sprintf("SELECT %s FROM %s", strings.Join(exprs, ", "), quoteIdent(table))
	if where != "" {
		q += " WHERE " + where
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(table)).Scan(&n); err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	for _, c := range cols {
		*c.dst = make([]int64, 0, n)
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	vals := make([]int64, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("read %s: %w", table, err)
		}
		for i, c := range cols {
			*c.dst = append(*c.dst, vals[i])
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	return nil
}

func readStrings(ctx context.Context, db *sql.DB, tr *trace.Trace) error {
	rows, err := db.QueryContext(ctx, `SELECT id, coalesce(value, '') FROM StringIds`)
	if err != nil {
		return fmt.Errorf("read StringIds: %w", err)
	}
	defer rows.Close()
	var ids []int64
	var vals []string
	for rows.Next() {
		var id int64
		var v string
		if err := rows.Scan(&id, &v); err != nil {
			return fmt.Errorf("read StringIds: %w", err)
		}
		ids, vals = append(ids, id), append(vals, v)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read StringIds: %w", err)
	}
	tr.Strings = trace.NewStrings(ids, vals)
	return nil
}

var versionInPath = regexp.MustCompile(`nsight-systems[-/](\d{4}\.\d+\.\d+(?:\.\d+)?)`)

// readMeta probes the schema version: META_DATA_EXPORT (2023.3+), EXPORT_META_DATA (2022),
// else the install path in TARGET_INFO_SYSTEM_ENV or StringIds (2021).
func readMeta(ctx context.Context, db *sql.DB, s *schema, tr *trace.Trace) error {
	for _, t := range []string{"META_DATA_EXPORT", "EXPORT_META_DATA"} {
		if !s.tables[t] {
			continue
		}
		rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT name, coalesce(value, '') FROM %s WHERE name IN ('EXPORT_PRODUCT_VERSION', 'EXPORT_SCHEMA_VERSION')`, t))
		if err != nil {
			return fmt.Errorf("read %s: %w", t, err)
		}
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				rows.Close()
				return fmt.Errorf("read %s: %w", t, err)
			}
			if k == "EXPORT_PRODUCT_VERSION" {
				tr.Product = v
			} else {
				tr.Schema = v
			}
		}
		rows.Close()
		return nil
	}
	var q string
	switch {
	case s.tables["TARGET_INFO_SYSTEM_ENV"]:
		q = `SELECT value FROM TARGET_INFO_SYSTEM_ENV WHERE name = 'TargetInstallDir' LIMIT 1`
	default:
		q = `SELECT value FROM StringIds WHERE value LIKE '%nsight-systems%20__.%' LIMIT 1`
	}
	var v string
	if err := db.QueryRowContext(ctx, q).Scan(&v); err == nil {
		if m := versionInPath.FindStringSubmatch(v); m != nil {
			tr.Product = m[1]
		}
	}
	return nil
}
