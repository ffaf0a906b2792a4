package main

import (
	"strings"
	"testing"
)

// The notes of exports merged come in the order the exports are given, whichever read ends
// first (they are read at once; the notes once came as each read ended): the larger export
// first, the smaller (read sooner) second, each with a note of its own.
func TestMergedNotesInInputOrder(t *testing.T) {
	dir := t.TempDir() // 3.9 MB and 0.5 MB
	big := craft(t, "foreign_warmup_tts", dir, "foreign_warmup_tts.sqlite", "UPDATE CUPTI_ACTIVITY_KIND_KERNEL SET end = start - 1 WHERE rowid % 100 = 0")
	small := craft(t, "diffusion", dir, "diffusion.sqlite", "UPDATE NVTX_EVENTS SET end = NULL WHERE rowid IN (SELECT rowid FROM NVTX_EVENTS WHERE eventType = 59 LIMIT 3)")
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
