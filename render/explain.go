package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/omnistat/omnistat/stage"
)

// ExplainStages writes how the stages of a trace were found (summarize --explain-stages): per
// process its title, main thread, role, GPUs, kernel families and ranges, the stage it joined
// and how that stage was named, and its comparison with the stages of its role.
func ExplainStages(w io.Writer, trace string, rules int, es []stage.Explained, f Format) error {
	if f == JSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Trace     string            `json:"trace"`
			Rules     int               `json:"rules"`
			Processes []stage.Explained `json:"processes"`
		}{trace, rules, es})
	}
	fmt.Fprintf(w, "how the stages of %s were found", Printable(trace))
	if rules > 0 {
		fmt.Fprintf(w, " (%d processes taken by --stage rules are not listed)", rules)
	}
	io.WriteString(w, "\n\n"+wrap(fmt.Sprintf("replicas: same role (or none) and alike behaviour: kernel-time overlap ≥ %.2f and NVTX range-family Jaccard ≥ %.2f where both have them",
		stage.AlikeKernels, stage.AlikeRanges), "", "  ", TextWidth))
	for _, e := range es {
		role := e.Role
		if role == "" {
			role = "(none)"
		} else {
			role += " (from the " + e.RoleFrom + ")"
		}
		fmt.Fprintf(w, "\n pid %d  title %q  main thread %q\n", e.PID, e.Title, e.Thread)
		fmt.Fprintf(w, "   role %s; GPUs %s\n", Printable(role), ints(e.GPUs))
		fmt.Fprintf(w, "   kernels: %s\n", Printable(orDash(strings.Join(e.Kernels, ", "))))
		fmt.Fprintf(w, "   ranges: %s\n", Printable(orDash(strings.Join(e.Ranges, ", "))))
		for _, p := range e.Comparison {
			verdict := "unlike"
			if p.Alike {
				verdict = "alike"
			}
			fmt.Fprintf(w, "   vs pid %d (%s): kernel overlap %s, range Jaccard %s → %s\n", p.PID, Printable(p.Stage), frac(p.Kernels), frac(p.Ranges), verdict)
		}
		fmt.Fprintf(w, "   → stage %s, replica %d (named by %s)\n", Printable(e.Stage), e.Replica, e.NamedBy)
	}
	return nil
}

func ints(xs []int64) string {
	if len(xs) == 0 {
		return "none"
	}
	return joinInts(xs)
}

func frac(x float64) string {
	if x < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", x)
}
