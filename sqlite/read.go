package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"os"
	"regexp"
	"runtime"
	"strings"

	"github.com/omnistat/omnistat/internal/par"
	"github.com/omnistat/omnistat/internal/timing"
	"github.com/omnistat/omnistat/trace"
)

func readAll(ctx context.Context, db *sql.DB, path string, opt Options) (*trace.Trace, error) {
	acc := &access{checked: map[uint32]*checkOnce{}}
	if pg, err := openPager(path); err == nil {
		defer pg.close()
		acc.pg, acc.scan = pg, !opt.SQLOnly && pg.decodes
		if err := checkTree(pg, 1); err != nil {
			return nil, describe(fmt.Errorf("read the schema: %w", err))
		}
	}
	ctx = context.WithValue(ctx, accessKey{}, acc)
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
	if st, err := os.Stat(path); err == nil {
		s.maxRows = int(st.Size()/6) + 1
	}
	tr := &trace.Trace{Path: path, Tables: s.tables, Columns: s.cols}
	for _, t := range []string{"CUPTI_ACTIVITY_KIND_RUNTIME", "CUPTI_ACTIVITY_KIND_KERNEL", "NVTX_EVENTS", "OSRT_API"} {
		if !s.tables[t] {
			tr.Notes = append(tr.Notes, fmt.Sprintf("no %s table: the capture recorded no such events", t))
		}
	}
	jobs := []func() error{
		timed("read strings", func() error { return readStrings(ctx, db, s, tr) }),
		func() error { return readMeta(ctx, db, s, tr) },
		func() error { return readSession(ctx, db, s, tr) },
		timed("read processes", func() error { return readProcesses(ctx, db, s, tr) }),
		func() error { return readEnums(ctx, db, s, tr) },
	}
	only := opt.Only
	if only == 0 {
		only = trace.AllTables
	}
	// a table that fails is left empty (--partial goes on without it): a read that stopped
	// part way must not leave columns of different lengths
	for _, f := range []struct {
		fam   trace.Tables
		job   func() error
		empty func()
		name  string
	}{
		{trace.RuntimeTable, func() error { return readAPI(ctx, db, s, "CUPTI_ACTIVITY_KIND_RUNTIME", &tr.Runtime, opt.Trace) }, func() { tr.Runtime = trace.APICalls{} }, "read runtime"},
		{trace.OSRTTable, func() error { return readAPI(ctx, db, s, "OSRT_API", &tr.OSRT, false) }, func() { tr.OSRT = trace.APICalls{} }, "read osrt"},
		{trace.KernelTable, func() error { return readKernels(ctx, db, s, &tr.Kernels, opt) }, func() { tr.Kernels = trace.Kernels{} }, "read kernels"},
		{trace.MemcpyTable, func() error { return readMemcpy(ctx, db, s, &tr.Memcpy, opt.Details || opt.Trace) }, func() { tr.Memcpy = trace.Memcpy{} }, "read memcpy"},
		{trace.MemsetTable, func() error { return readMemset(ctx, db, s, &tr.Memset, opt.Details || opt.Trace) }, func() { tr.Memset = trace.Memset{} }, "read memset"},
		{trace.NVTXTable, func() error { return readNVTX(ctx, db, s, &tr.NVTX) }, func() { tr.NVTX = trace.NVTX{} }, "read nvtx"},
		{trace.OverheadTable, func() error { return readOverhead(ctx, db, s, &tr.Overhead) }, func() { tr.Overhead = trace.Overhead{} }, "read overhead"},
	} {
		if only&f.fam != 0 {
			jobs = append(jobs, func() error {
				err := timed(f.name, f.job)()
				if err != nil {
					f.empty()
				}
				return err
			})
		}
	}
	workers := opt.Parallel
	if workers <= 0 {
		workers = len(jobs)
	}
	db.SetMaxOpenConns(workers)
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, workers)
	var g par.Group // a panic in a reader reaches the caller (the CLI's one line), not the runtime
	for i, job := range jobs {
		sem <- struct{}{}
		g.Go(func() {
			defer func() { <-sem }()
			errs[i] = job()
		})
	}
	g.Wait()
	tr.Notes = append(tr.Notes, checkRows(tr)...)
	for i, e := range errs {
		if e == nil {
			continue
		}
		if !opt.Partial || i == 0 { // without StringIds nothing can be named
			err := describe(e)
			switch {
			case errors.Is(err, ErrCorrupt) && !opt.Partial:
				err = fmt.Errorf("%w (run with --partial to report the readable tables)", err)
			case errors.Is(err, ErrCorrupt):
				err = fmt.Errorf("%w (its string table is unreadable: no name can be resolved, so nothing can be reported even with --partial)", err)
			}
			return nil, err
		}
		tr.Notes = append(tr.Notes, fmt.Sprintf("skipped, unreadable: %v", describe(e)))
	}
	return tr, nil
}

// timed is job, its wall time written under OMNISTAT_TIMING.
func timed(name string, job func() error) func() error {
	return func() error {
		defer timing.Start(name)()
		return job()
	}
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
	case strings.Contains(msg, "converting driver.Value type"):
		// text, a blob or a real where the export keeps integers: database/sql refuses it
		return fmt.Errorf("%w: a value of the wrong type: %s", ErrCorrupt, msg)
	case strings.Contains(msg, "too big") || strings.Contains(msg, "(18)"):
		return fmt.Errorf("%w: %s", ErrCorrupt, strings.TrimSuffix(msg, " (18)"))
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

// readInts64 is readInts before the coded columns are encoded.
func readInts64(ctx context.Context, db *sql.DB, s *schema, table, where string, cols []intCol) error {
	if !s.tables[table] {
		return nil
	}
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	acc := accessOf(ctx)
	if pg := acc.scanner(); pg != nil && where == "" && s.scannable(table, names, "") {
		spec := scanSpec{}
		for _, c := range cols { // the 64-bit columns, then the 32-bit ones
			if c.dst != nil {
				spec.cols = append(spec.cols, s.recordCol(table, c.name))
				spec.dst = append(spec.dst, c.dst)
				spec.sparse = append(spec.sparse, c.sparse)
			}
		}
		for _, c := range cols {
			if c.id != nil {
				spec.cols = append(spec.cols, s.recordCol(table, c.name))
				spec.dst32 = append(spec.dst32, c.id)
			}
		}
		err := scanTable(pg, s.root[table], spec, runtime.NumCPU())
		if err == nil {
			return nil
		}
		if !errors.Is(err, errUnusual) {
			return fmt.Errorf("read %s: %w", table, err)
		}
		deferred.Add(1) // a well-formed table with values SQL converts (or an id past 32 bits)
	} else if err := acc.check(s, table); err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	// through SQL: an id column is read at 64 bits with a NULL flag (a stored -2⁶³ is not NULL),
	// checked row by row, and narrowed at the end
	exprs := make([]string, 0, len(cols))
	var ids []int // the id columns' indexes in cols; their flags follow the columns
	for i, c := range cols {
		switch {
		case !s.has(table, c.name):
			exprs = append(exprs, fmt.Sprint(trace.Null))
		case c.id != nil:
			exprs = append(exprs, fmt.Sprintf("coalesce(%s, 0)", quoteIdent(c.name)))
		default:
			exprs = append(exprs, fmt.Sprintf("coalesce(%s, %d)", quoteIdent(c.name), trace.Null))
		}
		if c.id != nil {
			ids = append(ids, i)
		}
	}
	for _, i := range ids {
		if s.has(table, cols[i].name) {
			exprs = append(exprs, fmt.Sprintf("%s IS NULL", quoteIdent(cols[i].name)))
		} else {
			exprs = append(exprs, "1")
		}
	}
	q := fmt.Sprintf("SELECT %s FROM %s", strings.Join(exprs, ", "), quoteIdent(table))
	if where != "" {
		q += " WHERE " + where
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(table)+" NOT INDEXED").Scan(&n); err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	n = min(n, s.maxRows)
	wide := make([][]int64, len(cols))
	for i, c := range cols {
		if c.dst != nil {
			*c.dst = make([]int64, 0, n)
		} else {
			wide[i] = make([]int64, 0, n)
		}
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	defer rows.Close()
	vals := make([]int64, len(exprs))
	ptrs := make([]any, len(exprs))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	bad := badID{row: -1}
	for r := 0; rows.Next(); r++ {
		if err := rows.Scan(ptrs...); err != nil {
			return wrongValue(ctx, db, table, cols, rows, r, err)
		}
		for j, i := range ids {
			switch v := vals[i]; {
			case vals[len(cols)+j] != 0:
				vals[i] = trace.Null
			case (v <= int64(trace.Null32) || v > math.MaxInt32) && bad.row < 0:
				bad = badID{row: r, col: cols[i].name, v: v}
			}
		}
		for i, c := range cols {
			if c.dst != nil {
				*c.dst = append(*c.dst, vals[i])
			} else {
				wide[i] = append(wide[i], vals[i])
			}
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", table, err)
	}
	if bad.row >= 0 {
		return bad.err(ctx, db, table)
	}
	for _, i := range ids {
		narrowIDs(wide[i], cols[i].id)
	}
	return nil
}

func readStrings(ctx context.Context, db *sql.DB, s *schema, tr *trace.Trace) error {
	if err := accessOf(ctx).check(s, "StringIds"); err != nil {
		return fmt.Errorf("read StringIds: %w", err)
	}
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
	acc := accessOf(ctx)
	for _, t := range []string{"META_DATA_EXPORT", "EXPORT_META_DATA"} {
		if !s.tables[t] {
			continue
		}
		if err := acc.check(s, t); err != nil {
			return fmt.Errorf("read %s: %w", t, err)
		}
		rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT name, coalesce(value, '') FROM %s NOT INDEXED WHERE name IN ('EXPORT_PRODUCT_VERSION', 'EXPORT_SCHEMA_VERSION')`, t))
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
		if err := rows.Err(); err != nil {
			rows.Close()
			return fmt.Errorf("read %s: %w", t, err)
		}
		rows.Close()
		return nil
	}
	var q string
	t := "StringIds"
	switch {
	case s.tables["TARGET_INFO_SYSTEM_ENV"]:
		t = "TARGET_INFO_SYSTEM_ENV"
		q = `SELECT value FROM TARGET_INFO_SYSTEM_ENV NOT INDEXED WHERE name = 'TargetInstallDir' LIMIT 1`
	default:
		q = `SELECT value FROM StringIds NOT INDEXED WHERE value LIKE '%nsight-systems%20__.%' LIMIT 1`
	}
	if err := acc.check(s, t); err != nil {
		return fmt.Errorf("read %s: %w", t, err)
	}
	var v string
	if err := db.QueryRowContext(ctx, q).Scan(&v); err == nil {
		if m := versionInPath.FindStringSubmatch(v); m != nil {
			tr.Product = m[1]
		}
	}
	return nil
}
