package main

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// docExample is a fenced block of README.md or docs/*.md that starts with "$ omnistat …": the
// command, the lines shown as its output (stdout, then stderr), and the exit code a following
// "$ echo $?" shows (-1 when none).
type docExample struct {
	file  string
	line  int
	args  []string
	shown []string
	code  int
}

// docExamples finds the examples of the README and docs/*.md.
func docExamples(t *testing.T) []docExample {
	files, _ := filepath.Glob("../../docs/*.md")
	files = append(files, "../../README.md")
	var out []docExample
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for i := 0; i < len(lines); i++ {
			if lines[i] != "```" || i+1 >= len(lines) || !strings.HasPrefix(lines[i+1], "$ omnistat ") {
				continue
			}
			ex := docExample{file: f, line: i + 2, code: -1}
			cmd := strings.TrimPrefix(lines[i+1], "$ ")
			i += 2
			for strings.HasSuffix(cmd, "\\") && i < len(lines) { // continued lines
				cmd = strings.TrimSuffix(cmd, "\\") + " " + strings.TrimSpace(lines[i])
				i++
			}
			ex.args = shellWords(t, cmd)[1:]
			for ; i < len(lines) && lines[i] != "```"; i++ {
				if lines[i] == "$ echo $?" && i+1 < len(lines) {
					ex.code, _ = strconv.Atoi(lines[i+1])
					i++
					continue
				}
				ex.shown = append(ex.shown, lines[i])
			}
			out = append(out, ex)
		}
	}
	return out
}

// shellWords splits a command line as the shell would for the examples: words apart at spaces,
// single quotes kept together.
func shellWords(t *testing.T, s string) []string {
	var words []string
	var w strings.Builder
	quoted, in := false, false
	for _, r := range s {
		switch {
		case r == '\'':
			quoted, in = !quoted, true
		case r == ' ' && !quoted:
			if in {
				words = append(words, w.String())
				w.Reset()
			}
			in = false
		default:
			w.WriteRune(r)
			in = true
		}
	}
	if quoted {
		t.Fatalf("unbalanced quote in %q", s)
	}
	if in {
		words = append(words, w.String())
	}
	return words
}

// TestDocExamples runs every "$ omnistat …" example of the README and docs/ (from the
// repository's root, or from testdata/traces for traces named without a folder) and checks that what it shows is what omnistat prints
// today: the lines between two "…" lines (an excerpt's elisions) must come one after another
// in the output, each part after the one before, the first part at the top when the block does
// not start with "…", and the exit code when the example shows it.
func TestDocExamples(t *testing.T) {
	examples := docExamples(t)
	if len(examples) < 7 {
		t.Fatalf("%d examples found in the docs: the finder is broken", len(examples))
	}
	for i := range examples { // read from the repository's root below
		examples[i].file = strings.TrimPrefix(examples[i].file, "../../")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range examples {
		// run where the example reads as run: the repository's root, or testdata/traces when
		// it names traces without a folder (paths print as given, and lines wrap by length)
		dir := root
		for _, a := range ex.args {
			if strings.HasSuffix(a, ".sqlite") && !strings.Contains(a, "/") {
				dir = filepath.Join(root, "testdata", "traces")
			}
		}
		t.Chdir(dir)
		stdout, stderr, code := runCLI(t, ex.args...)
		out := strings.Split(stdout+stderr, "\n")
		where := ex.file + ":" + strconv.Itoa(ex.line)
		if ex.code >= 0 && code != ex.code {
			t.Errorf("%s: exit %d, the doc shows %d", where, code, ex.code)
		}
		at, anchored := 0, true // the first part must be at the top unless "…" comes first
		var part []string
		check := func() bool {
			if len(part) == 0 {
				return true
			}
			for k := at; k+len(part) <= len(out); k++ {
				if slices.Equal(out[k:k+len(part)], part) {
					if anchored && k != 0 {
						break
					}
					at = k + len(part)
					return true
				}
				if anchored {
					break
				}
			}
			t.Errorf("%s: omnistat %s no longer prints, after line %d of its output:\n%s\n(it prints there: %q)", where, strings.Join(ex.args, " "), at, strings.Join(part, "\n"), out[min(at, len(out)-1)])
			return false
		}
		ok := true
		for _, l := range ex.shown {
			if strings.TrimSpace(l) == "…" {
				ok = ok && check()
				part, anchored = nil, false
				continue
			}
			part = append(part, l)
		}
		if ok {
			check()
		}
	}
}

// docReports are the example reports committed under docs/, with the command (run in
// testdata/traces) that docs/report.md and docs/diff.md say made each.
var docReports = []struct {
	dir  string
	args []string
}{
	{"docs/report/pytorch", []string{"report", "foreign_warmup_tts.sqlite"}},
	{"docs/report/tts", []string{"report", "go_tts_pageable.sqlite"}},
	{"docs/report/diffusion", []string{"report", "go_diffusion_w2.sqlite"}},
	{"docs/diff/report", []string{"report", "--base", "go_tts_pageable.sqlite", "go_tts_graphs.sqlite"}},
}

// TestDocReports makes each example report of the docs again and compares every committed file
// with what omnistat writes today, byte for byte (the screenshots of the HTML page aside).
func TestDocReports(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(filepath.Join(root, "testdata", "traces"))
	for _, r := range docReports {
		out := t.TempDir()
		if _, errOut, code := runCLI(t, append(r.args, "-o", out)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", r.args, code, errOut)
		}
		committed, _ := filepath.Glob(filepath.Join(root, r.dir, "*"))
		if len(committed) < 2 {
			t.Fatalf("%s: %d files", r.dir, len(committed))
		}
		for _, f := range committed {
			name := filepath.Base(f)
			if strings.HasPrefix(name, "report_html") { // screenshots of report.html
				continue
			}
			want, _ := os.ReadFile(f)
			got, err := os.ReadFile(filepath.Join(out, name))
			if err != nil || string(got) != string(want) {
				t.Errorf("%s/%s is not what omnistat %s writes today (%v): make it again", r.dir, name, strings.Join(r.args, " "), err)
			}
		}
	}
}

// TestDocSummarizeExample: the first example of docs/summarize.md (shown without its command)
// is the head of what summarize prints today on go_tts_pageable, run from the repository's root.
func TestDocSummarizeExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/summarize.md")
	if err != nil {
		t.Fatal(err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(root) // paths print as given, and lines wrap by length
	out, _, _ := runCLI(t, "summarize", "testdata/traces/go_tts_pageable.sqlite")
	_, example, _ := strings.Cut(string(doc), "## A real example")
	_, example, _ = strings.Cut(example, "```\n")
	example, _, _ = strings.Cut(example, "\n```")
	if example == "" || !strings.HasPrefix(out, example+"\n") {
		t.Errorf("docs/summarize.md's example is not the head of today's output:\n%s", example)
	}
}
