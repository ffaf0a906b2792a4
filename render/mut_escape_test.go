package render

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/stage"
)

// TestEscapeFirstNonASCII: 0x80, the first byte past ASCII, is no UTF-8 on its own: escaped as
// a byte; U+0080 (C1) as a code point.
func TestEscapeFirstNonASCII(t *testing.T) {
	for in, want := range map[string]string{"a\x80b": `a\x80b`, "\x80": `\x80`, "\u0080": `\u0080`, "\x7f\x80": `\u007f\x80`} {
		if got := EscapeString(in); got != want {
			t.Errorf("EscapeString(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEscaperSplitRune: a character cut between two Writes is written whole, wherever in the
// stream the cut falls; each Write says it took all it was given.
func TestEscaperSplitRune(t *testing.T) {
	for _, parts := range [][]string{
		{"stage \xe4", "\xb8\xad x"},
		{"long prefix before the cut \xe4\xb8", "\xad"},
		{"\xe4", "\xb8", "\xad"},
		{"ab\xf0\x9f", "\x98\x80"},
	} {
		var b bytes.Buffer
		e := NewEscaper(&b)
		for _, p := range parts {
			if n, err := e.Write([]byte(p)); n != len(p) || err != nil {
				t.Errorf("%q: Write(%q) = %d, %v; want %d, nil", parts, p, n, err, len(p))
			}
		}
		if err := e.Flush(); err != nil {
			t.Fatal(err)
		}
		if want := strings.Join(parts, ""); b.String() != want {
			t.Errorf("%q: wrote %q, want %q", parts, b.String(), want)
		}
	}
}

type failWriter struct{}

func (failWriter) Write(p []byte) (int, error) { return 0, errors.New("disk full") }

// TestEscaperWriteError: a failing writer's error comes back, with 0 written.
func TestEscaperWriteError(t *testing.T) {
	e := NewEscaper(failWriter{})
	if n, err := e.Write([]byte("abc")); n != 0 || err == nil {
		t.Errorf("Write to a failing writer = %d, %v; want 0 and its error", n, err)
	}
}

// TestExplainDashes: a process with no kernel or no range says "-" there, no GPU "none", a
// comparison without a side "n/a".
func TestExplainDashes(t *testing.T) {
	es := []stage.Explained{
		{PID: 11, Title: "python3", Thread: "python3", Stage: "host", NamedBy: "title"},
		{PID: 12, Title: "worker", Thread: "w", Role: "talker", RoleFrom: "title", GPUs: []int64{0, 1}, Kernels: []string{"gemm 71%", "conv 29%"},
			Ranges: []string{"step_N"}, Stage: "talker", Replica: 1, NamedBy: "role",
			Comparison: []stage.Peer{{PID: 11, Stage: "host", Kernels: -1, Ranges: 0.5}}},
	}
	var b bytes.Buffer
	if err := ExplainStages(&b, "run.sqlite", 0, es, Column); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"   role (none); GPUs none\n   kernels: -\n   ranges: -\n   → stage host, replica 0 (named by title)\n",
		"   role talker (from the title); GPUs 0,1\n   kernels: gemm 71%, conv 29%\n   ranges: step_N\n   vs pid 11 (host): kernel overlap n/a, range Jaccard 0.50 → unlike\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("explain output lacks %q:\n%s", want, b.String())
		}
	}
}
