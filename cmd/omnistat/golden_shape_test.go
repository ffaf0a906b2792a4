package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// checkShapeWithoutGolden checks what omnistat printed (out) for report file where nsys printed
// nothing (an old export nsys cannot read that far): nothing, or a CSV whose header is the one
// nsys printed for the same report on the testdata traces (for a golden kept only as its sha256,
// omnistat's output on that trace, which TestStatsEqualsNsys holds to the hash) and whose every
// row has that many fields.
func checkShapeWithoutGolden(t *testing.T, file, out string) {
	t.Helper()
	if out == "" {
		return
	}
	var header []string
	dirs, _ := filepath.Glob("../../testdata/traces/*")
	for _, dir := range dirs {
		b, err := readGolden(dir, file)
		if err != nil || strings.TrimSpace(string(b)) == "" {
			continue
		}
		if header, err = csv.NewReader(strings.NewReader(string(b))).Read(); err == nil {
			break
		}
	}
	for _, dir := range dirs { // a large golden is kept as its sha256: omnistat's output there is nsys's
		if header != nil {
			break
		}
		if _, err := os.Stat(filepath.Join(dir, file+".csv.sha256")); err != nil {
			continue
		}
		spec := ""
		for _, g := range goldenReports {
			if g.file == file {
				spec = g.spec
			}
		}
		ref, _, code := runCLI(t, "stats", "--report", spec, "--format", "csv", dir+".sqlite")
		if code == 0 && ref != "" {
			header, _ = csv.NewReader(strings.NewReader(ref)).Read()
		}
	}
	if header == nil {
		t.Fatalf("no nsys CSV of %s among the testdata traces to take the header from", file)
	}
	r := csv.NewReader(strings.NewReader(out))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("omnistat's %s (nsys printed nothing) is no CSV: %v", file, err)
	}
	if !slices.Equal(rows[0], header) {
		t.Fatalf("omnistat's %s header %q, nsys's on the testdata traces %q", file, rows[0], header)
	}
	for i, row := range rows[1:] {
		if len(row) != len(header) {
			t.Fatalf("omnistat's %s row %d has %d fields, the header %d", file, i+1, len(row), len(header))
		}
	}
}
