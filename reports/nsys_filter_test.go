package reports_test

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/internal/golden"
	"github.com/omnistat/omnistat/reports"
)

// TestFiltersEqualNsys: nsys's --filter-time and --filter-nvtx cases (filter/cases.tsv) on two
// testdata traces, parsed, resolved and applied by this package, then every report and rule
// compared with the CSV nsys 2025.3.1 printed under the same filter (the CLI's test runs every
// trace): a missing range instance, an empty window, open ends, negative times, start/end and
// push/pop ranges, a range named without its domain, a window nsys refuses (start after end).
func TestFiltersEqualNsys(t *testing.T) {
	keys := map[string]int{"cuda_gpu_mem_size_sum": 0, "nvtx_gpu_proj_sum": 2, "nvtx_kern_sum": 0, "nvtx_gpu_proj_trace": 3, "cuda_kern_exec_sum": 5}
	compared, empty, refused := 0, 0, 0
	for _, name := range []string{"diffusion", "foreign_warmup_tts", "go_diffusion"} {
		dir := filepath.Join("../testdata/traces", name)
		tr := readTrace(t, dir+".sqlite")
		cases, err := os.ReadFile(filepath.Join(dir, "filter", "cases.tsv"))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSpace(string(cases)), "\n") {
			id, args, _ := strings.Cut(line, "\t")
			flag, val, _ := strings.Cut(args, " ")
			val = strings.Trim(val, "'")
			var f reports.Filter
			files, _ := filepath.Glob(filepath.Join(dir, "filter", id, "*.csv*"))
			switch flag {
			case "--filter-time":
				f.Time = true
				if f.Start, f.End, err = reports.ParseTimeWindow(val); err != nil {
					// nsys refuses it too: no output, an "Illegal --filter-time argument" log
					log, _ := os.ReadFile(filepath.Join(dir, "filter", id, "nsys.log"))
					if len(files) > 0 || !strings.Contains(string(log), "Illegal --filter-time argument") {
						t.Errorf("%s %s: %v; nsys took it (%d goldens)", name, line, err, len(files))
					}
					refused++
					continue
				}
			case "--filter-nvtx":
				sp, err := reports.ParseNVTXSpec(val)
				if err != nil {
					t.Fatalf("%s %s: %v", name, line, err)
				}
				f.NVTX = &sp
			default:
				t.Fatalf("%s: unknown case %q", name, line)
			}
			cut, ok := f.Apply(tr)
			for _, file := range files {
				report := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(file), ".sha256"), ".csv")
				b, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				want := string(b)
				got := ""
				if ok {
					if r, o, err := reports.Lookup(report); err == nil {
						if r.Skip(cut) == "" {
							got = nsysCSV(r.Run(cut, o))
						}
					} else if r, o, err := reports.LookupRule(report); err == nil {
						if r.Skip == nil || r.Skip(cut) == "" {
							got = nsysCSV(r.Run(cut, o))
						}
					} else {
						t.Fatalf("%s: no report or rule %s", file, report)
					}
				}
				what := fmt.Sprintf("%s %s %s", name, args, report)
				switch {
				case strings.HasSuffix(file, ".sha256"):
					var sum string
					fmt.Sscan(want, &sum)
					h, h2 := sha256.Sum256([]byte(got)), sha256.Sum256([]byte(got+"\n"))
					if hex.EncodeToString(h[:]) != sum && hex.EncodeToString(h2[:]) != sum {
						t.Errorf("%s differs from nsys's digest (%d bytes; nsys %s)", what, len(got), strings.TrimSpace(want))
					}
				case strings.TrimSpace(want) == "":
					empty++
					if got != "" {
						t.Errorf("%s: nsys printed nothing, the report has rows:\n%.400s", what, got)
					}
				default:
					key, found := keys[report]
					if !found {
						key = 1
						if strings.HasSuffix(report, "_trace") {
							key = 0
						}
					}
					if _, _, err := reports.LookupRule(report); err == nil {
						key = -1 // rules: byte for byte
					}
					if d := golden.Compare(got, want, key); d != "" {
						t.Errorf("%s differs from nsys:\n%s", what, d)
					}
				}
				compared++
			}
		}
	}
	t.Logf("%d goldens compared (%d where nsys printed nothing), %d case refused", compared, empty, refused)
	if compared < 300 || empty < 30 || refused != 1 {
		t.Errorf("%d goldens compared, %d empty, %d cases refused", compared, empty, refused)
	}
}

// RangeSpecs names every NVTX range as --filter-nvtx takes it with its instance count, which is
// nsys's nvtx_sum Instances (summed over push/pop and start/end, "DOMAIN:NAME" there,
// NAME@DOMAIN here), the most instances first, then by name; FindRange finds the last instance
// of each and not one more.
func TestRangeSpecsEqualNsysInstances(t *testing.T) {
	for _, name := range []string{"diffusion", "foreign_warmup_tts"} {
		dir := filepath.Join("../testdata/traces", name)
		tr := readTrace(t, dir+".sqlite")
		b, err := os.ReadFile(filepath.Join(dir, "nvtx_sum.csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{}
		for _, r := range rows[1:] {
			n, err := strconv.Atoi(r[2])
			if err != nil {
				t.Fatal(err)
			}
			domain, rng, _ := strings.Cut(r[len(r)-1], ":")
			sp := reports.NVTXSpec{Range: rng, Domain: domain, HasDomain: domain != ""}
			want[sp.String()] += n
		}
		specs, count := reports.RangeSpecs(tr)
		if !maps.Equal(count, want) || len(specs) != len(want) {
			t.Errorf("%s: RangeSpecs %v (%d), nvtx_sum %v", name, count, len(specs), want)
		}
		for i := 1; i < len(specs); i++ {
			a, b := specs[i-1], specs[i]
			if count[a] < count[b] || count[a] == count[b] && a >= b {
				t.Errorf("%s: %s (%d) before %s (%d)", name, a, count[a], b, count[b])
			}
		}
		for _, s := range specs {
			sp, err := reports.ParseNVTXSpec(s)
			if err != nil {
				t.Fatal(err)
			}
			sp.Index = count[s] - 1
			if _, ok := reports.FindRange(tr, sp); !ok {
				t.Errorf("%s: %s/%d not found", name, s, sp.Index)
			}
			sp.Index++
			if _, ok := reports.FindRange(tr, sp); ok {
				t.Errorf("%s: %s/%d found, it has %d instances", name, s, sp.Index, count[s])
			}
		}
	}
}
