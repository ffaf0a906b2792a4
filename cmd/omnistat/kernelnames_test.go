package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSummarizeKernelNamesApart: in every per-stage kernel table of summarize's text (names
// shortened and cut to fit, no --wide) and markdown, and of report.md, two rows whose full
// signatures (summarize --wide) differ never read the same. On foreign_vllm_omni four
// elementwise_kernel instances read "at::native::elementwise_kernel<…, gpu_k…" before
// ShortKernelNames looked inside their gpu_kernel_impl_nocast argument and the documents cut
// kernel names in the middle.
func TestSummarizeKernelNamesApart(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/traces/*.sqlite")
	if len(files) == 0 {
		t.Fatal("no traces")
	}
	for _, f := range files {
		full := kernelTables(t, summarizeOut(t, f, "--wide"), false)
		if len(full) == 0 {
			t.Errorf("%s: no kernel tables", f)
		}
		for _, view := range []struct {
			name string
			out  string
			md   bool
		}{
			{"text", summarizeOut(t, f), false},
			{"markdown", summarizeOut(t, f, "--format", "markdown"), true},
		} {
			checkApart(t, f+" "+view.name, full, kernelTables(t, view.out, view.md))
		}
	}
	// report.md is written by the same markdown document: once, on the trace of the bug
	f := "../../testdata/traces/foreign_vllm_omni.sqlite"
	dir := t.TempDir()
	if _, errOut, code := runCLI(t, "report", "-o", dir, f); code != 0 {
		t.Fatalf("report: exit %d: %s", code, errOut)
	}
	md, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	checkApart(t, f+" report.md", kernelTables(t, summarizeOut(t, f, "--wide"), false), kernelTables(t, string(md), true))
}

func summarizeOut(t *testing.T, f string, args ...string) string {
	t.Helper()
	out, errOut, code := runCLI(t, append([]string{"summarize"}, append(args, f)...)...)
	if code != 0 {
		t.Fatalf("%s %q: exit %d: %s", f, args, code, errOut)
	}
	return out
}

// checkApart compares the shown names of each kernel table with the full ones, row by row.
func checkApart(t *testing.T, what string, full, shown [][]string) {
	t.Helper()
	if len(shown) != len(full) {
		t.Fatalf("%s: %d kernel tables, %d with --wide", what, len(shown), len(full))
	}
	for k := range shown {
		if len(shown[k]) != len(full[k]) {
			t.Fatalf("%s: kernel table %d has %d rows, %d with --wide", what, k, len(shown[k]), len(full[k]))
		}
		seen := map[string]string{} // shown name → full signature
		for i, s := range shown[k] {
			if n := strings.TrimSpace(s); n == "" || strings.Trim(n, "#0123456789 ") == "" {
				t.Errorf("%s: kernel table %d: row %d of %s reads %q", what, k, i, full[k][i], s)
			}
			if sig, ok := seen[s]; ok && sig != full[k][i] {
				t.Errorf("%s: kernel table %d: %q names both\n  %s\n  %s", what, k, s, sig, full[k][i])
			}
			seen[s] = full[k][i]
		}
	}
}

// kernelTables are the Name cells of each per-stage CUDA GPU Kernel Summary of a summary, in
// order: the text column format (the last column, from where its header "Name" starts) or
// markdown (the last cell).
func kernelTables(t *testing.T, out string, md bool) [][]string {
	t.Helper()
	lines := strings.Split(out, "\n")
	var tables [][]string
	for i := 0; i < len(lines); i++ {
		if !strings.Contains(lines[i], ": CUDA GPU Kernel Summary") {
			continue
		}
		head := i + 2 // title, blank, header
		if md {
			head = i + 2
		}
		col := strings.Index(lines[head], "Name")
		if col < 0 || !strings.HasSuffix(strings.TrimSpace(lines[head]), "Name") && !strings.HasSuffix(strings.TrimSpace(lines[head]), "Name |") {
			t.Fatalf("no Name column at the end of %q", lines[head])
		}
		col = len([]rune(lines[head][:col]))
		var names []string
		for i = head + 2; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
			l := lines[i]
			if md {
				l = strings.TrimSuffix(l, " |")
				names = append(names, l[strings.LastIndex(l, " | ")+3:])
				continue
			}
			if strings.HasPrefix(l, "   (") { // a note: "(27 more rows: …)"
				break
			}
			if r := []rune(l); len(r) > col { // a blank name leaves the line short
				names = append(names, strings.TrimSpace(string(r[col:])))
			} else {
				names = append(names, "")
			}
		}
		tables = append(tables, names)
	}
	return tables
}

// TestKernelNamesOnePerOutput: across all the kernel tables of one output (summarize text and
// markdown with every row, --top 100000; both sides of a diff) a shown name stands for one
// signature and a signature always shows the same name, none of them empty, blank or only
// " #N". Tables named each kernel among their own rows before: in foreign_vllm_omni
// "at::native::elementwise_kernel<…>" was a MulFunctor kernel in one stage and a direct_copy
// kernel in another (12 such names there, 4 in foreign_graphs_timeslice), and the " #N"
// numbers followed each table's ranking.
func TestKernelNamesOnePerOutput(t *testing.T) {
	for _, f := range []string{"foreign_vllm_omni", "foreign_graphs_timeslice", "tts_pinned"} {
		f = "../../testdata/traces/" + f + ".sqlite"
		full := kernelTables(t, summarizeOut(t, f, "--wide", "--top", "100000"), false)
		for _, view := range []struct {
			name string
			md   bool
			args []string
		}{{"text", false, nil}, {"markdown", true, []string{"--format", "markdown"}}} {
			shown := kernelTables(t, summarizeOut(t, f, append(view.args, "--top", "100000")...), view.md)
			checkApart(t, f+" "+view.name, full, shown)
			checkOneName(t, f+" "+view.name, full, shown)
		}
	}
	base, nw := "../../testdata/traces/foreign_tts_a.sqlite", "../../testdata/traces/foreign_tts_b.sqlite"
	diffOut := func(args ...string) string {
		out, errOut, code := runCLI(t, append([]string{"diff", "--top", "100000"}, append(args, base, nw)...)...)
		if code != 0 && code != 1 {
			t.Fatalf("diff %q: exit %d: %s", args, code, errOut)
		}
		return out
	}
	full := kernelTables(t, diffOut("--wide"), false) // markdown clips even with --wide
	if len(full) == 0 {
		t.Fatal("diff: no kernel tables")
	}
	shown := kernelTables(t, diffOut("--format", "markdown"), true)
	checkApart(t, "diff markdown", full, shown)
	checkOneName(t, "diff markdown", full, shown)
	shown = kernelTables(t, diffOut(), false)
	checkApart(t, "diff text", full, shown)
	checkOneName(t, "diff text", full, shown)
}

// checkOneName: over all tables, one shown name per signature and one signature per shown name.
func checkOneName(t *testing.T, what string, full, shown [][]string) {
	t.Helper()
	sigOf, nameOf := map[string]string{}, map[string]string{}
	for k := range shown {
		for i, s := range shown[k] {
			if i >= len(full[k]) {
				break
			}
			sig := full[k][i]
			if x, ok := sigOf[s]; ok && x != sig {
				t.Errorf("%s: %q names both\n  %s\n  %s", what, s, x, sig)
			}
			if x, ok := nameOf[sig]; ok && x != s {
				t.Errorf("%s: %s reads both %q and %q", what, sig, x, s)
			}
			sigOf[s], nameOf[sig] = sig, s
		}
	}
}

// The kernels a finding lists (replica_balance: "kernels that differ most") read as the kernel
// tables name them, in text and markdown (cut alike) and in JSON (the whole short name): the
// finding cut its own names at the end before, two different xmma kernels reading
// "sm80_xmma_gemm_f32f32_f32f32_f32_tn_n_tilesize6…" in one sentence.
func TestFindingKernelNamesAsTables(t *testing.T) {
	list := regexp.MustCompile(`kernels that differ most: (.*?)\.(\s|\*|$)`)
	for _, f := range []string{"go_diffusion_2gpu", "go_diffusion_w2_uneven"} {
		for _, md := range []bool{false, true} {
			args := []string{"--top", "100000"}
			if md {
				args = append(args, "-f", "markdown")
			}
			out := summarizeOut(t, "../../testdata/traces/"+f+".sqlite", args...)
			names := map[string]bool{}
			for _, tb := range kernelTables(t, out, md) {
				for _, n := range tb {
					names[strings.TrimSpace(n)] = true
				}
			}
			flat := strings.Join(strings.Fields(out), " ") // the text view wraps findings
			ms := list.FindAllStringSubmatch(flat, -1)
			if len(ms) == 0 {
				t.Fatalf("%s (markdown %v): no finding lists kernels", f, md)
			}
			for _, m := range ms {
				for _, part := range strings.Split(m[1], " ns per step), ") {
					name := strings.TrimSpace(part[:strings.LastIndex(part, " (")])
					if !names[strings.Join(strings.Fields(name), " ")] && !names[name] {
						t.Errorf("%s (markdown %v): the finding names %q, no kernel table does", f, md, name)
					}
				}
			}
		}
	}
}
