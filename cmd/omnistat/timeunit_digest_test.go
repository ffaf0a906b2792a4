package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/internal/testutil"
)

// TestTimeUnitDigests: every report, in usec, msec and sec, on every test trace and (with
// OMNISTAT_PUBLIC and OMNISTAT_SAMPLES) every public export and sample, equals nsys 2025.3.1's `stats --report R --format csv
// --timeunit U`, compared by digest (testdata/timeunit-digests.tsv, made on the GPU machine by
// testdata/gen/timeunit-digests.py; two traces also keep the full CSVs). Where nsys printed
// nothing, omnistat prints nothing on the test traces; on the public exports it may print a
// report nsys cannot read (see TestStatsOnPublic), which is then not compared.
func TestTimeUnitDigests(t *testing.T) {
	f, err := os.Open("../../testdata/timeunit-digests.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	specOf := map[string]string{}
	for _, g := range goldenReports {
		specOf[g.file] = g.spec
	}
	// the folders as CI names them (relative to the module root, not to this package)
	var public, samples string
	if os.Getenv("OMNISTAT_PUBLIC") != "" {
		public = testutil.Public(t)
	}
	if os.Getenv("OMNISTAT_SAMPLES") != "" {
		samples = testutil.Samples(t)
	}
	checked := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) != 3 {
			t.Fatalf("bad line %q", sc.Text())
		}
		name, fileUnit, digest := fields[0], fields[1], fields[2]
		file, unit, _ := strings.Cut(fileUnit, "@")
		spec, ok := specOf[file]
		if !ok {
			t.Fatalf("%s: no report %s", name, file)
		}
		db, strict := filepath.Join("../../testdata/traces", name+".sqlite"), true
		if _, err := os.Stat(db); err != nil {
			db, strict = "", false
			for _, dir := range []string{public, samples} {
				if p := filepath.Join(dir, name+".sqlite"); dir != "" && fileExists(p) {
					db = p
				}
			}
			if db == "" {
				if public != "" && samples != "" {
					t.Errorf("%s: no trace, public export or sample of that name", name)
				}
				continue
			}
		}
		out, errOut, code := runCLI(t, "stats", "--report", spec, "--format", "csv", "--timeunit", unit, db)
		if code != 0 {
			t.Errorf("%s %s@%s: exit %d: %s", name, spec, unit, code, errOut)
			continue
		}
		checked++
		if digest == "-" {
			if strict && out != "" {
				t.Errorf("%s %s@%s: nsys printed nothing; omnistat printed %d bytes", name, spec, unit, len(out))
			}
			continue
		}
		if d := compareDigest(out, digest); d != "" {
			t.Errorf("%s %s --timeunit %s differs from nsys: %s", name, spec, unit, d)
		}
	}
	if checked < 1700 {
		t.Fatalf("only %d digests checked", checked)
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
