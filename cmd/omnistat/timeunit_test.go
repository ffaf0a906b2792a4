package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/internal/golden"
)

// timeunitTraces are the traces with --timeunit goldens: <report>@<unit>.csv beside the
// ordinary ones, made by testdata/gen/timeunit.sh with nsys 2025.3.1.
var timeunitTraces = []string{"go_tts_pageable", "foreign_vllm_omni"}

// TestTimeUnitEqualsNsys compares every report in usec, msec and sec, byte for byte, with
// `nsys stats --report R --format csv --timeunit U` of nsys 2025.3.1 on the same trace.
func TestTimeUnitEqualsNsys(t *testing.T) {
	for _, name := range timeunitTraces {
		db := "../../testdata/traces/" + name + ".sqlite"
		for _, unit := range []string{"usec", "msec", "sec"} {
			for _, g := range goldenReports {
				if noTimeunitGoldens[g.file] {
					continue
				}
				t.Run(name+"/"+g.file+"@"+unit, func(t *testing.T) {
					out, errOut, code := runCLI(t, "stats", "--report", g.spec, "--format", "csv", "--timeunit", unit, db)
					if code != 0 {
						t.Fatalf("exit %d: %s", code, errOut)
					}
					base := filepath.Join(strings.TrimSuffix(db, ".sqlite"), g.file+"@"+unit)
					if sum, err := os.ReadFile(base + ".csv.sha256"); err == nil { // a large trace report's golden
						if d := compareDigest(out, string(sum)); d != "" {
							t.Errorf("%s --timeunit %s differs from nsys: %s", g.spec, unit, d)
						}
						return
					}
					want, err := os.ReadFile(base + ".csv")
					if err != nil {
						t.Fatalf("golden missing (testdata/gen/timeunit.sh makes it): %v", err)
					}
					if len(strings.TrimSpace(string(want))) == 0 {
						if out != "" {
							t.Fatalf("nsys printed nothing; omnistat printed:\n%s", out)
						}
						return
					}
					if out != string(want) { // byte for byte, row order included
						d := golden.Compare(out, string(want), -1)
						t.Errorf("%s --timeunit %s differs from nsys:\n%s", g.spec, unit, d)
					}
				})
			}
		}
	}
}

// TestTimeUnitSpellings: --timeunit takes what nsys 2025.3.1 takes (a prefix of exactly one of
// nsec, nanoseconds, usec, microseconds, msec, milliseconds, seconds; probed on the H200 by
// testdata/gen/timeunit.sh), and refuses the rest with exit 2 and the allowed values.
func TestTimeUnitSpellings(t *testing.T) {
	db := "../../testdata/traces/go_tts_pageable.sqlite"
	header := map[string]string{"nsec": "Total Time (ns)", "usec": "Total Time (us)", "msec": "Total Time (ms)", "sec": "Total Time (sec)"}
	for spelling, unit := range map[string]string{
		"ns": "nsec", "nsec": "nsec", "nanoseconds": "nsec", "u": "usec", "us": "usec", "usec": "usec", "micro": "usec",
		"microseconds": "usec", "ms": "msec", "msec": "msec", "millisec": "msec", "milliseconds": "msec",
		"s": "sec", "se": "sec", "sec": "sec", "seconds": "sec",
	} {
		out, errOut, code := runCLI(t, "stats", "-r", "cuda_api_sum", "-f", "csv", "--timeunit", spelling, db)
		if code != 0 || !strings.HasPrefix(out, "Time (%),"+header[unit]+",") {
			t.Errorf("--timeunit %s: exit %d, %q, header %q; want %s", spelling, code, errOut, strings.SplitN(out, "\n", 2)[0], header[unit])
		}
	}
	// nsec is the default and changes nothing
	def, _, _ := runCLI(t, "stats", "-r", "cuda_api_sum", "-f", "csv", db)
	if ns, _, _ := runCLI(t, "stats", "-r", "cuda_api_sum", "-f", "csv", "--timeunit", "nsec", db); ns != def {
		t.Error("--timeunit nsec differs from the default")
	}
	for spelling, want := range map[string]string{
		"n": `ambiguous --timeunit "n": a prefix of nsec and nanoseconds`, "m": `ambiguous --timeunit "m": a prefix of microseconds and msec and milliseconds`,
		"": `ambiguous --timeunit ""`, "usecs": `unknown --timeunit "usecs"`, "secs": `unknown --timeunit "secs"`,
		"USEC": `unknown --timeunit "USEC"`, "mu": `unknown --timeunit "mu"`, "x": `unknown --timeunit "x"`,
	} {
		_, errOut, code := runCLI(t, "stats", "-r", "cuda_api_sum", "--timeunit", spelling, db)
		if code != exitUsage || !strings.Contains(errOut, want) || !strings.Contains(errOut, "(use nsec, usec, msec or sec, or a prefix of") {
			t.Errorf("--timeunit %q: exit %d, %q; want exit 2 with %q", spelling, code, errOut, want)
		}
	}
}

// TestTimeUnitOtherFormats: the column and markdown formats convert as the CSV does (with
// thousands separators, as nsys's column output shows "264,862.709"), grouped reports too, and
// JSON keeps nanoseconds.
func TestTimeUnitOtherFormats(t *testing.T) {
	db := "../../testdata/traces/go_tts_pageable.sqlite"
	col, _, _ := runCLI(t, "stats", "-r", "cuda_api_sum", "--timeunit", "usec", db)
	if !strings.Contains(col, "Total Time (us)") || !strings.Contains(col, "264,862.709") || !strings.Contains(col, "1,839.324") {
		t.Errorf("column:\n%s", col)
	}
	md, _, _ := runCLI(t, "stats", "-r", "cuda_api_sum", "-f", "markdown", "--timeunit", "ms", db)
	if !strings.Contains(md, "| Total Time (ms) |") || !strings.Contains(md, "| 264.8627 |") {
		t.Errorf("markdown:\n%s", md)
	}
	by, _, code := runCLI(t, "stats", "-r", "cuda_api_sum", "-f", "csv", "--by", "stage", "--timeunit", "sec", db)
	if code != 0 || !strings.Contains(by, "Total Time (sec)") || strings.Contains(by, "(ns)") {
		t.Errorf("--by stage:\n%s", by)
	}
	js, _, _ := runCLI(t, "stats", "-r", "cuda_api_sum", "-f", "json", "--timeunit", "sec", db)
	if !strings.Contains(js, `"Total Time": 264862709`) || !strings.Contains(js, `"unit": "ns"`) {
		t.Errorf("json is not in nanoseconds:\n%.600s", js)
	}
}
