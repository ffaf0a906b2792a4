package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/internal/testutil"
	"github.com/omnistat/omnistat/reports"
)

// checkRuleGoldens runs every rule on db through the CLI and compares its CSV byte for byte with
// dir/<rule>.csv, the CSV of `nsys analyze --rule RULE --format csv` (nsys 2025.3.1). An empty
// golden means nsys found nothing or skipped the rule: omnistat must print nothing either.
func checkRuleGoldens(t *testing.T, db, dir string) {
	if len(reports.RuleNames()) != len(reports.DefaultRules) {
		t.Fatalf("rules registered: %v, want all of %v", reports.RuleNames(), reports.DefaultRules)
	}
	for _, r := range reports.RuleNames() {
		t.Run(r, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(dir, r+".csv"))
			if err != nil {
				t.Fatalf("golden missing: %v", err)
			}
			out, errOut, code := runCLI(t, "analyze", "--rule", r, "--format", "csv", db)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if out != string(want) {
				t.Errorf("%s differs from nsys:\n got:\n%s\nwant:\n%s", r, out, want)
			}
		})
	}
}

// TestAnalyzeEqualsNsys: every rule equals nsys analyze's CSV on every testdata trace.
func TestAnalyzeEqualsNsys(t *testing.T) {
	traces, _ := filepath.Glob("../../testdata/traces/*.sqlite")
	if len(traces) < 4 {
		t.Fatalf("expected the testdata traces, found %d", len(traces))
	}
	for _, db := range traces {
		t.Run(strings.TrimSuffix(filepath.Base(db), ".sqlite"), func(t *testing.T) {
			checkRuleGoldens(t, db, strings.TrimSuffix(db, ".sqlite"))
		})
	}
}

// TestAnalyzeOnPublic and TestAnalyzeOnSamples: the same on the public exports of 2020–2026
// (OMNISTAT_PUBLIC, OMNISTAT_SAMPLES), where nsys skips the memory rules on exports without
// ENUM_CUDA_MEM_KIND or greenContextId and omnistat does too.
func TestAnalyzeOnPublic(t *testing.T) {
	dir := testutil.Public(t)
	exports, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	for _, db := range exports {
		name := strings.TrimSuffix(filepath.Base(db), ".sqlite")
		t.Run(name, func(t *testing.T) { checkRuleGoldens(t, db, filepath.Join("../../testdata/public-golden", name)) })
	}
}

func TestAnalyzeOnSamples(t *testing.T) {
	dir := testutil.Samples(t)
	samples, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	for _, db := range samples {
		name := strings.TrimSuffix(filepath.Base(db), ".sqlite")
		t.Run(name, func(t *testing.T) { checkRuleGoldens(t, db, filepath.Join("../../testdata/samples-golden", name)) })
	}
}

// TestAnalyzeOptions: nsys's rule options, checked against nsys 2025.3.1 runs on
// foreign_warmup_tts (gap=100 gives six gaps, rows=3 the first three; threshold=10:chunks=5 two
// rows), and the usage errors.
func TestAnalyzeOptions(t *testing.T) {
	db := "../../testdata/traces/foreign_warmup_tts.sqlite"
	cases := []struct{ spec, want string }{
		{"gpu_gaps:gap=100", "Row#,Duration (ns),Start (ns),PID,Device ID,Context ID\n1,3318453689,7596122296,1131,0,1\n2,968324108,9019573313,1130,0,1\n3,857918966,8109225165,1130,0,1\n4,854990799,7224665478,1130,0,1\n5,853506097,11199422101,1131,0,1\n6,121045650,10940728481,1131,0,1\n"},
		{"gpu_gaps:gap=100:rows=3", "Row#,Duration (ns),Start (ns),PID,Device ID,Context ID\n1,3318453689,7596122296,1131,0,1\n2,968324108,9019573313,1130,0,1\n3,857918966,8109225165,1130,0,1\n"},
		{"gpu_time_util:threshold=10:chunks=5", "Row#,In-Use (%),Duration (ns),Start (ns),PID,Device ID,Context ID\n1,0.1,4730707623,7566358273,1131,0,1\n2,0.5,5112197500,6746753987,1130,0,1\n"},
	}
	for _, c := range cases {
		out, errOut, code := runCLI(t, "analyze", "-r", c.spec, "-f", "csv", db)
		if code != 0 || out != c.want {
			t.Errorf("%s: exit %d %s\n got:\n%s\nwant:\n%s", c.spec, code, errOut, out, c.want)
		}
	}
	for _, spec := range []string{"nosuchrule", "gpu_gaps:bogus=1", "gpu_gaps:gap", "gpu_gaps:gap=x", "cuda_api_sync:gap=1",
		"gpu_time_util:chunks=1001", "cuda_api_sync:nvtx=a"} {
		if _, errOut, code := runCLI(t, "analyze", "-r", spec, db); code != 2 || errOut == "" {
			t.Errorf("%s: exit %d (want 2), stderr %q", spec, code, errOut)
		}
	}
	if _, _, code := runCLI(t, "analyze", "-f", "yaml", db); code != 2 {
		t.Errorf("unknown format: exit %d, want 2", code)
	}
	if out, errOut, code := runCLI(t, "analyze", db); code != 0 || !strings.Contains(out, " ** GPU Gaps (gpu_gaps):") {
		t.Errorf("all rules: exit %d %s\n%s", code, errOut, out)
	}
}
