package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The notes of exports merged come in the order the exports are given, whichever read ends
// first (they are read at once; the notes once came as each read ended): the larger export
// first, the smaller (read sooner) second, each with a note of its own.
func TestMergedNotesInInputOrder(t *testing.T) {
	dir := t.TempDir()
	cp := func(name string) string {
		b := mustRead(t, "../../testdata/traces/"+name)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	big, small := cp("foreign_warmup_tts.sqlite"), cp("diffusion.sqlite") // 3.9 MB, 0.5 MB
	for p, q := range map[string]string{
		big:   "UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET end = start - 1 WHERE rowid % 100 = 0",
		small: "UPDATE NVTX_EVENTS SET end = NULL WHERE rowid IN (SELECT rowid FROM NVTX_EVENTS WHERE eventType = 59 LIMIT 3)",
	} {
		db, err := sql.Open("sqlite", p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	for range 5 {
		_, errOut, code := runCLI(t, "summarize", "--merge", big+","+small)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		var notes []string
		for _, l := range strings.Split(errOut, "\n") {
			if strings.HasPrefix(l, "note: ") {
				notes = append(notes, l)
			}
		}
		if len(notes) < 2 || !strings.HasPrefix(notes[0], "note: "+big+": ") || !strings.HasPrefix(notes[len(notes)-1], "note: "+small+": ") {
			t.Fatalf("notes %q: want the first export's, then the second's", notes)
		}
	}
}
