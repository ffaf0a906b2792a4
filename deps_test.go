package deps_test

import (
	"os/exec"
	"strings"
	"testing"
)

// imports lists the packages pkg depends on (transitively), with go list.
func imports(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// TestLayering keeps the package map of docs/design.md: the analysis core never reaches the
// GPU side, only sqlite talks SQL, only render draws tables.
func TestLayering(t *testing.T) {
	const mod = "github.com/omnistat/omnistat/"
	rules := []struct {
		pkg       string
		forbidden []string
	}{
		{mod + "trace", []string{mod, "database/sql", "github.com/"}},
		{mod + "reports/stat", []string{mod, "github.com/"}},
		{mod + "reports/table", []string{mod, "github.com/"}},
		{mod + "reports", []string{"database/sql", "modernc.org/", mod + "sqlite", mod + "workload", mod + "capture", "github.com/ebitengine/purego", "github.com/olekukonko/"}},
		{mod + "reports/render", []string{"modernc.org/", mod + "sqlite", mod + "workload", "github.com/ebitengine/purego"}},
		{mod + "sqlite", []string{mod + "reports", mod + "workload", mod + "capture", "github.com/ebitengine/purego"}},
	}
	for _, r := range rules {
		for _, dep := range imports(t, r.pkg) {
			if dep == r.pkg {
				continue
			}
			for _, f := range r.forbidden {
				allowed := strings.HasPrefix(dep, r.pkg) ||
					(r.pkg == mod+"reports" && (dep == mod+"trace" || strings.HasPrefix(dep, mod+"reports/"))) ||
					(r.pkg == mod+"reports/render" && strings.HasPrefix(dep, mod+"reports/")) ||
					(r.pkg == mod+"sqlite" && dep == mod+"trace")
				if strings.HasPrefix(dep, f) && !allowed {
					t.Errorf("%s imports %s (forbidden: %s)", r.pkg, dep, f)
				}
			}
		}
	}
}
