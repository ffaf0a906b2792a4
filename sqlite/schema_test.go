package sqlite_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/render"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/sqlite"
)

// buildExport makes an export with one nsys version's DDL (testdata/schema/V.ddl.sql) and the
// shared rows cut from a real trace; columns a version adds get their type's zero when NOT NULL.
// It returns the tables the version has.
func buildExport(t *testing.T, ddlPath, out string) map[string]bool {
	ddl, err := os.ReadFile(ddlPath)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", out)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(string(ddl)); err != nil {
		t.Fatalf("%s: %v", ddlPath, err)
	}
	type col struct {
		name, typ string
		notnull   bool
	}
	cols := map[string][]col{}
	rs, _ := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	var names []string
	for rs.Next() {
		var n string
		rs.Scan(&n)
		names = append(names, n)
	}
	rs.Close()
	for _, n := range names {
		r, _ := db.Query(fmt.Sprintf(`SELECT name, type, "notnull", dflt_value IS NOT NULL FROM pragma_table_info('%s')`, n))
		for r.Next() {
			var c col
			var hasDefault bool
			r.Scan(&c.name, &c.typ, &c.notnull, &hasDefault)
			c.notnull = c.notnull && !hasDefault
			cols[n] = append(cols[n], c)
		}
		r.Close()
	}
	f, err := os.Open("../testdata/schema/rows.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tx, _ := db.Begin()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	for sc.Scan() {
		var row struct {
			T string
			V map[string]any
		}
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.UseNumber()
		if err := dec.Decode(&row); err != nil {
			t.Fatal(err)
		}
		tc, ok := cols[row.T]
		if !ok {
			continue // this version's export has no such table
		}
		var names []string
		var vals []any
		for _, c := range tc {
			v, ok := row.V[c.name]
			switch {
			case ok:
				if n, isNum := v.(json.Number); isNum {
					i, _ := n.Int64()
					v = i
				}
			case c.notnull && strings.EqualFold(c.typ, "TEXT"):
				v = ""
			case c.notnull:
				v = 0
			default:
				continue
			}
			names = append(names, `"`+c.name+`"`)
			vals = append(vals, v)
		}
		q := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", row.T, strings.Join(names, ", "), strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", "))
		if _, err := tx.Exec(q, vals...); err != nil {
			t.Fatalf("%s: %s: %v", ddlPath, row.T, err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for n := range cols {
		have[n] = true
	}
	return have
}

// TestSchemaMatrix: the same trace content under the DDL of every nsys version (2021 → 2026)
// gives the same summaries, for every report whose tables that version has.
func TestSchemaMatrix(t *testing.T) {
	ddls, _ := filepath.Glob("../testdata/schema/*.ddl.sql")
	if len(ddls) < 5 {
		t.Fatalf("want the DDL of 5 nsys versions, found %d", len(ddls))
	}
	needs := map[string][]string{
		"cuda_api_sum":          {"CUPTI_ACTIVITY_KIND_RUNTIME"},
		"cuda_gpu_kern_sum":     {"CUPTI_ACTIVITY_KIND_KERNEL"},
		"cuda_gpu_mem_time_sum": {"CUPTI_ACTIVITY_KIND_MEMCPY", "CUPTI_ACTIVITY_KIND_MEMSET"},
		"cuda_gpu_mem_size_sum": {"CUPTI_ACTIVITY_KIND_MEMCPY", "CUPTI_ACTIVITY_KIND_MEMSET"},
		"osrt_sum":              {"OSRT_API"},
		"nvtx_sum":              {"NVTX_EVENTS"},
		"nvtx_gpu_proj_sum":     {"NVTX_EVENTS", "CUPTI_ACTIVITY_KIND_KERNEL", "CUPTI_ACTIVITY_KIND_MEMCPY", "CUPTI_ACTIVITY_KIND_MEMSET"},
	}
	outputs := map[string]map[string]string{} // report → version → csv
	for _, ddl := range ddls {
		version := strings.TrimSuffix(filepath.Base(ddl), ".ddl.sql")
		p := filepath.Join(t.TempDir(), version+".sqlite")
		have := buildExport(t, ddl, p)
		tr, err := sqlite.Read(context.Background(), p, sqlite.Options{Mangled: true})
		if err != nil {
			t.Fatalf("%s: %v", version, err)
		}
		for name, tables := range needs {
			ok := true
			for _, tb := range tables {
				ok = ok && have[tb]
			}
			if !ok {
				continue
			}
			r, opt, _ := reports.Lookup(name)
			var b bytes.Buffer
			render.WriteCSV(&b, r.Run(tr, opt), render.Options{})
			if outputs[name] == nil {
				outputs[name] = map[string]string{}
			}
			outputs[name][version] = b.String()
		}
	}
	for name, byVersion := range outputs {
		ref, refV := "", ""
		for v, out := range byVersion {
			if ref == "" || v == "2025.3.1" {
				ref, refV = out, v
			}
		}
		if strings.Count(ref, "\n") < 2 {
			t.Errorf("%s: the fixture gives no rows (%q)", name, ref)
		}
		for v, out := range byVersion {
			if out != ref {
				t.Errorf("%s differs between nsys %s and %s:\n%s\n---\n%s", name, v, refV, out, ref)
			}
		}
		if len(byVersion) < 2 {
			t.Logf("%s: only %d version(s) have its tables", name, len(byVersion))
		}
	}
	if len(outputs["cuda_api_sum"]) != len(ddls) || len(outputs["cuda_gpu_kern_sum"]) != len(ddls) {
		t.Errorf("the API and kernel summaries must run on every version: %d, %d", len(outputs["cuda_api_sum"]), len(outputs["cuda_gpu_kern_sum"]))
	}
}
