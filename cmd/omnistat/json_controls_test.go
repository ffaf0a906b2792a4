package main

import (
	"database/sql"
	"encoding/json"
	"strings"
	"testing"
)

// Names with control characters (DEL, ESC, BEL, C1's U+0085 and U+009B) leave summarize's and
// stats's JSON valid, and decode to the names as the export holds them: the terminal escaper's
// escapes for DEL and C1 are JSON escapes, and encoding/json escapes C0 before it.
func TestJSONKeepsControlCharacters(t *testing.T) {
	p := copyGood(t, t.TempDir(), "controls.sqlite")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"del\x7f", "esc\x1b]0;x\x07", "c1\u0085\u009b"}
	for i, n := range names {
		if _, err := db.Exec(`UPDATE StringIds SET value = ? WHERE id = (SELECT demangledName FROM CUPTI_ACTIVITY_KIND_KERNEL GROUP BY demangledName ORDER BY sum("end" - start) DESC LIMIT 1 OFFSET ?)`, n, i); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	for _, args := range [][]string{{"summarize", "-f", "json", p}, {"stats", "-r", "cuda_gpu_kern_sum", "-f", "json", p}} {
		out, errOut, code := runCLI(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut)
		}
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%v: invalid JSON: %v", args, err)
		}
		found := map[string]bool{}
		var walk func(any)
		walk = func(x any) {
			switch x := x.(type) {
			case map[string]any:
				for _, y := range x {
					walk(y)
				}
			case []any:
				for _, y := range x {
					walk(y)
				}
			case string:
				for _, n := range names {
					if strings.Contains(x, n) {
						found[n] = true
					}
				}
			}
		}
		walk(v)
		for _, n := range names {
			if !found[n] {
				t.Errorf("%v: no value holds %q", args, n)
			}
		}
	}
}
