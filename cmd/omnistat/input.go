package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/omnistat/omnistat/internal/par"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/omnistat/omnistat/capture"
	"github.com/omnistat/omnistat/trace"
)

// resolveInputs maps each TRACE argument to the SQLite export to read (see resolveInput).
func resolveInputs(e *env, paths []string) ([]string, error) {
	out := make([]string, len(paths))
	for i, p := range paths {
		r, err := resolveInput(e, p)
		if err != nil {
			return nil, err
		}
		out[i] = r
	}
	return out, nil
}

// resolveInput returns the SQLite export to read for path: path itself, or for an .nsys-rep
// report its export, made once with nsys when missing or older than the report (see
// capture.ExportSQLite: beside the report unless that would replace the user's own file or the
// folder is read-only, then in the cache; concurrent runs share one export).
func resolveInput(e *env, path string) (string, error) {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".nsys-rep" && ext != ".qdrep" {
		return path, nil
	}
	st, err := os.Stat(path)
	if err != nil || st.IsDir() || isSQLite(path) {
		return path, nil // the reader says what is wrong, or reads it
	}
	sibling := strings.TrimSuffix(path, filepath.Ext(path)) + ".sqlite"
	cache := cachePath(path, st)
	for _, c := range []string{sibling, cache} {
		if cs, err := os.Stat(c); err == nil && !cs.ModTime().Before(st.ModTime()) && isSQLite(c) {
			return c, nil
		}
	}
	nsys, err := capture.FindNsys(os.Getenv("OMNISTAT_NSYS"), os.Getenv, exec.LookPath, filepath.Glob)
	if err != nil {
		return "", fmt.Errorf("%s: an .nsys-rep report must be exported to SQLite, and nsys was not found: install Nsight Systems (or set $NSYS), or run `nsys export --type sqlite %s` where nsys is", path, path)
	}
	path2, note, err := capture.ExportSQLite(e.ctx, capture.ExecRunner{Env: os.Environ()}, nsys, path, capture.ExportOptions{Progress: e.stderr})
	if err != nil {
		return "", err
	}
	if note != "" {
		fmt.Fprintf(e.stderr, "note: %s\n", note)
	}
	return path2, nil
}

// cachePath is where the export of a report in a read-only folder goes: one file per report
// path, size and modification time, under the user's cache folder.
func cachePath(path string, st os.FileInfo) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	abs, _ := filepath.Abs(path)
	h := sha256.Sum256([]byte(fmt.Sprintf("%s|%d|%d", abs, st.Size(), st.ModTime().UnixNano())))
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	return filepath.Join(dir, "omnistat", base+"-"+hex.EncodeToString(h[:8])+".sqlite")
}

func isSQLite(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, 16)
	n, _ := io.ReadFull(f, b)
	return n == 16 && string(b) == "SQLite format 3\x00"
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// expandInputs turns folder arguments into the exports inside them (report.1.sqlite,
// report.2.sqlite, … in window order) and comma-separated lists into their parts.
func expandInputs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		for _, p := range strings.Split(a, ",") {
			if p == "" {
				continue
			}
			st, err := os.Stat(p)
			if err != nil || !st.IsDir() {
				out = append(out, p)
				continue
			}
			m, _ := filepath.Glob(filepath.Join(p, "*.sqlite"))
			if len(m) == 0 {
				m, _ = filepath.Glob(filepath.Join(p, "*.nsys-rep"))
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("%s: a folder without .sqlite or .nsys-rep files", p)
			}
			sortWindows(m)
			out = append(out, m...)
		}
	}
	return out, nil
}

// distinct refuses one file given twice in a merge (it would count every event twice), by path
// or through another name for the same file (a link, ./x and x).
func distinct(paths []string) error {
	return distinctFor(paths, "a merge would count its events twice")
}

// distinctFor is distinct, saying why in the message.
func distinctFor(paths []string, why string) error {
	var seen []os.FileInfo
	var names []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			continue // the reader names the file and the problem
		}
		for i, s := range seen {
			if os.SameFile(s, st) {
				return usagef("%s and %s are the same file: %s", names[i], p, why)
			}
		}
		seen, names = append(seen, st), append(names, p)
	}
	return nil
}

// sortWindows orders report.2.sqlite before report.10.sqlite.
func sortWindows(paths []string) {
	num := func(p string) (string, int) {
		base := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		i := strings.LastIndex(base, ".")
		n := 0
		if i >= 0 {
			fmt.Sscanf(base[i+1:], "%d", &n)
			return base[:i], n
		}
		return base, 0
	}
	sort.SliceStable(paths, func(a, b int) bool {
		pa, na := num(paths[a])
		pb, nb := num(paths[b])
		if pa != pb {
			return pa < pb
		}
		return na < nb
	})
}

// loadMerged reads the exports of one argument list concurrently and merges them into one trace
// (the windows of a repeat capture, one export per rank).
func loadMerged(e *env, args []string) (*trace.Trace, error) {
	paths, err := expandInputs(args)
	if err != nil {
		return nil, err
	}
	if err := distinct(paths); err != nil {
		return nil, err
	}
	if paths, err = resolveInputs(e, paths); err != nil {
		return nil, err
	}
	trs := make([]*trace.Trace, len(paths))
	errs := make([]error, len(paths))
	var g par.Group
	sem := make(chan struct{}, 4)
	for i, p := range paths {
		sem <- struct{}{}
		g.Go(func() {
			defer func() { <-sem }()
			trs[i], errs[i] = readTrace(e, p)
		})
	}
	g.Wait()
	for i, tr := range trs { // in the inputs' order, whichever read ended first
		if tr != nil {
			printNotes(e, paths[i], tr)
		}
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if len(trs) > 1 {
		fmt.Fprintf(e.stderr, "merged %d exports: %s\n", len(trs), strings.Join(paths, ", "))
	}
	return trace.Merge(trs)
}
