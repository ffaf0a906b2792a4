package main

import (
	"crypto/sha256"
	"database/sql"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// badInput makes one bad input in dir and returns its path and the command to run on it.
type badInput func(t *testing.T, dir string) (path string, args []string)

const good = "../../testdata/traces/go_tts_pageable.sqlite"

func copyGood(t *testing.T, dir, name string) string {
	b, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// edit copies the good trace and runs SQL on the copy (the copy is the test's input).
func edit(name, sqlText string) badInput {
	return func(t *testing.T, dir string) (string, []string) {
		p := copyGood(t, dir, name)
		db, err := sql.Open("sqlite", p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(sqlText); err != nil {
			t.Fatal(err)
		}
		db.Close()
		return p, []string{"stats", p}
	}
}

func file(name string, content func() []byte) badInput {
	return func(t *testing.T, dir string) (string, []string) {
		p := filepath.Join(dir, name)
		os.WriteFile(p, content(), 0o644)
		return p, []string{"stats", p}
	}
}

var badInputs = map[string]badInput{
	"missing": func(t *testing.T, dir string) (string, []string) {
		p := filepath.Join(dir, "missing.sqlite")
		return p, []string{"stats", p}
	},
	"directory": func(t *testing.T, dir string) (string, []string) {
		p := filepath.Join(dir, "run")
		os.Mkdir(p, 0o755)
		return p, []string{"summarize", p}
	},
	"empty": file("empty.sqlite", func() []byte { return nil }),
	"random": file("random.sqlite", func() []byte {
		b := make([]byte, 5000)
		rand.New(rand.NewSource(1)).Read(b)
		return b
	}),
	"text": file("notes.sqlite", func() []byte { return []byte("profile of run 3\n") }),
	"truncated": func(t *testing.T, dir string) (string, []string) {
		b, _ := os.ReadFile(good)
		p := filepath.Join(dir, "half.sqlite")
		os.WriteFile(p, b[:300000], 0o644)
		return p, []string{"stats", p}
	},
	"corrupt": func(t *testing.T, dir string) (string, []string) {
		p := corruptKernelPage(t, dir)
		return p, []string{"stats", p}
	},
	"corrupt-partial": func(t *testing.T, dir string) (string, []string) {
		p := corruptKernelPage(t, dir)
		return p, []string{"stats", "--partial", "-r", "cuda_gpu_kern_sum,cuda_api_sum", p}
	},
	"not-nsys": func(t *testing.T, dir string) (string, []string) {
		p := filepath.Join(dir, "users.sqlite")
		db, _ := sql.Open("sqlite", p)
		db.Exec("CREATE TABLE users(id INTEGER, name TEXT); INSERT INTO users VALUES (1, 'ada')")
		db.Close()
		return p, []string{"stats", p}
	},
	"no-stringids": edit("nostrings.sqlite", "DROP TABLE StringIds"),
	"dangling-ids": edit("dangling.sqlite", "UPDATE CUPTI_ACTIVITY_KIND_RUNTIME SET nameId = 987654321"),
	"wide-id":      edit("wideid.sqlite", "UPDATE CUPTI_ACTIVITY_KIND_RUNTIME SET nameId = 1099511627776 WHERE rowid = 5"),
	"text-value":   edit("textvalue.sqlite", "UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET start = 'soon' WHERE rowid = 8"),
	"null-durations": edit("nullend.sqlite", `CREATE TABLE k AS SELECT * FROM CUPTI_ACTIVITY_KIND_KERNEL; DROP TABLE CUPTI_ACTIVITY_KIND_KERNEL;
		ALTER TABLE k RENAME TO CUPTI_ACTIVITY_KIND_KERNEL; UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET "end" = NULL WHERE rowid <= 3`),
	"negative":     edit("negative.sqlite", `UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET "end" = start - 100 WHERE rowid <= 2`),
	"unterminated": edit("open.sqlite", `UPDATE NVTX_EVENTS SET "end" = NULL WHERE eventType = 59 AND rowid IN (SELECT rowid FROM NVTX_EVENTS WHERE eventType = 59 LIMIT 4)`),
	"huge-string":  edit("huge.sqlite", `UPDATE StringIds SET value = printf('%.1000000c', 'k') WHERE id = (SELECT demangledName FROM CUPTI_ACTIVITY_KIND_KERNEL LIMIT 1)`),
	"nsys-rep-no-nsys": func(t *testing.T, dir string) (string, []string) {
		t.Setenv("NSYS", "")
		t.Setenv("OMNISTAT_NSYS", "")
		t.Setenv("PATH", t.TempDir())
		p := filepath.Join(dir, "run.nsys-rep")
		os.WriteFile(p, []byte("NSYS report, not SQLite"), 0o644)
		return p, []string{"stats", p}
	},
	"nsys-rep-with-nsys": func(t *testing.T, dir string) (string, []string) {
		// a stand-in nsys whose export copies the good trace to --output
		fake := filepath.Join(t.TempDir(), "nsys")
		abs, _ := filepath.Abs(good)
		os.WriteFile(fake, []byte("#!/bin/sh\nfor a; do case $a in --output=*) cp "+abs+" \"${a#--output=}\";; esac; done\n"), 0o755)
		t.Setenv("OMNISTAT_NSYS", fake)
		p := filepath.Join(dir, "run.nsys-rep")
		os.WriteFile(p, []byte("NSYS report, not SQLite"), 0o644)
		return p, []string{"stats", "-r", "cuda_api_sum", p}
	},
	"qdstrm": file("run.qdstrm", func() []byte { return []byte("QDSTRM stream") }),
	"unwritable-output": func(t *testing.T, dir string) (string, []string) {
		blocker := filepath.Join(dir, "report.txt") // a file where the output folder should go
		os.WriteFile(blocker, []byte("x"), 0o644)
		return filepath.Join(blocker, "out"), []string{"report", good, "-o", filepath.Join(blocker, "out")}
	},
}

func corruptKernelPage(t *testing.T, dir string) string {
	p := copyGood(t, dir, "damaged.sqlite")
	f, err := os.OpenFile(p, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte(strings.Repeat("\xde\xad", 2048)), 53*4096) // a leaf page of the kernel table
	f.Close()
	return p
}

// errorRows reads the table of docs/errors.md: id, message (FILE stands for the path), exit code.
func errorRows(t *testing.T) [][3]string {
	b, err := os.ReadFile("../../docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	// a message is a code span: `text`, or ``text`` when it holds backticks
	re := regexp.MustCompile("(?m)^\\| `([a-z-]+)` \\|[^|]*\\| (`+)(.*?)`+ \\| ([0-9]) \\|$")
	var rows [][3]string
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		rows = append(rows, [3]string{m[1], strings.TrimSpace(m[3]), m[4]})
	}
	return rows
}

// TestBadInputs runs every bad input of docs/errors.md and checks the exact line, the exit code,
// that stdout stays empty on errors, that nothing panics and that inputs are not modified.
func TestBadInputs(t *testing.T) {
	rows := errorRows(t)
	if len(rows) != len(badInputs) {
		t.Fatalf("docs/errors.md lists %d inputs, the test makes %d", len(rows), len(badInputs))
	}
	goodHash := sha256.Sum256(mustRead(t, good))
	for _, r := range rows {
		id, want, code := r[0], r[1], r[2]
		t.Run(id, func(t *testing.T) {
			make, ok := badInputs[id]
			if !ok {
				t.Fatalf("no input %q in the test", id)
			}
			dir := t.TempDir()
			path, args := make(t, dir)
			before := hashOf(path)
			out, errOut, got := runCLI(t, args...)
			if want != "-" && !matchLine(errOut, strings.ReplaceAll(want, "FILE", path)) {
				t.Errorf("stderr:\n%s\nwant the line:\n%s", errOut, want)
			}
			if want == "-" && errOut != "" {
				t.Errorf("unexpected stderr: %s", errOut)
			}
			if code != string(rune('0'+got)) {
				t.Errorf("exit %d, want %s", got, code)
			}
			if got != 0 && out != "" {
				t.Errorf("an error with output on stdout: %q", out)
			}
			if got == 0 && strings.Contains(id, "huge") {
				for _, l := range strings.Split(out, "\n") {
					if len(l) > 400 {
						t.Errorf("a %d-character line: long names must be clipped", len(l))
						break
					}
				}
			}
			if hashOf(path) != before {
				t.Errorf("%s was modified", path)
			}
		})
	}
	if sha256.Sum256(mustRead(t, good)) != goodHash {
		t.Error("the testdata trace was modified")
	}
}

// matchLine reports whether a line of s equals pattern, where "…" in pattern matches any text.
func matchLine(s, pattern string) bool {
	parts := strings.Split(pattern, "…")
	for i, p := range parts {
		parts[i] = regexp.QuoteMeta(p)
	}
	re := regexp.MustCompile("^" + strings.Join(parts, ".*") + "$")
	for _, l := range strings.Split(s, "\n") {
		if re.MatchString(l) {
			return true
		}
	}
	return false
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hashOf(p string) [32]byte {
	b, _ := os.ReadFile(p)
	return sha256.Sum256(b)
}
