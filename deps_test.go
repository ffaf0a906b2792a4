package deps_test

import (
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const mod = "github.com/omnistat/omnistat/"

// imports lists the packages pkg depends on (transitively), with go list.
func imports(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// TestLayering keeps the package map of docs/design.md: imports run one way (trace ← sqlite,
// stage, reports ← summary ← diff ← render), the analysis core never reaches the GPU side or a
// writer, only sqlite talks SQL.
func TestLayering(t *testing.T) {
	gpu := []string{mod + "workload", mod + "capture", "github.com/ebitengine/purego"}
	sql := []string{"database/sql", "modernc.org/", mod + "sqlite"}
	reader := []string{"modernc.org/", mod + "sqlite"} // gonum's PDF backend links database/sql itself
	writers := []string{mod + "render", mod + "plots", "gonum.org/", "github.com/olekukonko/"}
	cat := func(xs ...[]string) []string {
		var out []string
		for _, x := range xs {
			out = append(out, x...)
		}
		return out
	}
	rules := []struct {
		pkg     string
		allowed []string // module packages it may import (besides itself and its subpackages)
		forbid  []string // other imports it must not reach
	}{
		{"internal/par", nil, []string{"github.com/", "gonum.org/", "modernc.org/", "database/sql"}},
		{"internal/hugepage", nil, []string{"github.com/", "gonum.org/", "modernc.org/", "database/sql"}},
		{"trace", nil, []string{"github.com/", "gonum.org/", "modernc.org/", "database/sql"}},
		{"reports/stat", nil, []string{"github.com/", "gonum.org/", "modernc.org/"}},
		{"reports/table", nil, []string{"github.com/", "gonum.org/", "modernc.org/"}},
		{"sqlite", []string{"trace"}, cat(gpu, writers)},
		{"stage", []string{"trace"}, cat(sql, gpu, writers)},
		{"reports", []string{"trace"}, cat(sql, gpu, writers)},
		{"summary", []string{"trace", "stage", "reports"}, cat(sql, gpu, writers)},
		{"diff", []string{"trace", "stage", "reports", "summary"}, cat(sql, gpu, writers)},
		// parquet-go links database/sql/driver (uuid's Value), not database/sql or a driver
		{"export", []string{"trace", "stage", "reports", "summary"}, cat(reader, gpu, writers)},
		{"plots", []string{"reports/table"}, cat(reader, gpu)},
		{"render", []string{"trace", "stage", "reports", "summary", "diff", "plots"}, cat(reader, gpu)},
	}
	for _, r := range rules {
		pkg := mod + r.pkg
		for _, dep := range imports(t, pkg) {
			if dep == pkg || strings.HasPrefix(dep, pkg+"/") {
				continue
			}
			if strings.HasPrefix(dep, mod) {
				ok := dep == mod+"internal/par" || dep == mod+"internal/text" || dep == mod+"internal/timing" || dep == mod+"internal/hugepage" // std-only helpers, for everyone
				for _, a := range r.allowed {
					ok = ok || dep == mod+a || strings.HasPrefix(dep, mod+a+"/")
				}
				if !ok {
					t.Errorf("%s imports %s (allowed: %v)", r.pkg, dep, r.allowed)
				}
				continue
			}
			for _, f := range r.forbid {
				if strings.HasPrefix(dep, f) {
					t.Errorf("%s imports %s (forbidden: %s)", r.pkg, dep, f)
				}
			}
		}
	}
}

// TestVerbsOnly: cmd/omnistat parses flags and runs verbs; documents are written by render. A
// file there that imports encoding/json or text/tabwriter, or forks on the markdown format, is
// writing a document.
func TestVerbsOnly(t *testing.T) {
	files, _ := filepath.Glob("cmd/omnistat/*.go")
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || filepath.Base(f) == "capture.go" || filepath.Base(f) == "workload.go" {
			continue // capture's run.json and the hidden workload's result lines are not documents
		}
		af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, im := range af.Imports {
			if p := strings.Trim(im.Path.Value, `"`); p == "encoding/json" || p == "text/tabwriter" || strings.HasPrefix(p, "github.com/olekukonko/") {
				t.Errorf("%s imports %s: documents belong in render", f, p)
			}
		}
	}
	out, _ := exec.Command("grep", "-n", "== render.Markdown\\|!= render.Markdown", "-r", "--include=*.go", "--exclude=*_test.go", "cmd/omnistat").Output()
	if len(out) > 0 {
		t.Errorf("cmd/omnistat forks on markdown (documents belong in render):\n%s", out)
	}
}
