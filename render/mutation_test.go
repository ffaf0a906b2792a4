package render

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/reports/table"
)

// CSV quoting equals Python's csv module (QUOTE_MINIMAL, LF ends), which nsys uses: fields with a
// comma, a double quote, CR or LF are quoted and their quotes doubled; others are left alone
// (a lone quote inside a field too). Python is asked when it is installed. A lone CR is left
// out: this omnistat quotes it, Python's writer with lineterminator "\n" does not.
func TestCSVQuotingAsPython(t *testing.T) {
	fields := []string{"plain", "a,b", `say "hi"`, `"`, "line\nbreak", "", " lead", "tab\tx", `a"b,c`, "|pipe|", "ünï"}
	tb := &table.Table{Name: "t", Columns: []table.Column{{Name: "Name"}, {Name: "Other"}}}
	for _, f := range fields {
		tb.Rows = append(tb.Rows, []table.Value{table.Str(f), table.Str(f + "," + f)})
	}
	var got bytes.Buffer
	if err := WriteCSV(&got, tb, Options{}); err != nil {
		t.Fatal(err)
	}
	// expected by hand for the cases that matter most
	for _, want := range []string{"\"say \"\"hi\"\"\",", "\"\"\"\",", "\"line\nbreak\",", "plain,\"plain,plain\"\n", " lead,\" lead, lead\"\n", "|pipe|,\"|pipe|,|pipe|\"\n"} {
		if !strings.Contains(got.String(), want) {
			t.Errorf("CSV lacks %q:\n%s", want, got.String())
		}
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Log("no python3: the hand-written cases only")
		return
	}
	in, _ := json.Marshal(fields)
	cmd := exec.Command(py, "-c", `import csv, json, sys
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["Name", "Other"])
for f in json.loads(sys.stdin.read()):
    w.writerow([f, f + "," + f])`)
	cmd.Stdin = bytes.NewReader(in)
	want, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	if got.String() != string(want) {
		t.Errorf("CSV differs from Python's csv module:\n got %q\nwant %q", got.String(), want)
	}
}

// --mem-unit changes the values of a Bytes column, not only its header: B prints the integer (or
// Python's float), KB, MB and GB divide by powers of 1000 with three decimals; MB is the default.
func TestMemUnitValues(t *testing.T) {
	tb := &table.Table{Name: "m", Columns: []table.Column{{Name: "Total", Unit: table.Bytes}, {Name: "Avg", Unit: table.Bytes}, {Name: "Count", Unit: table.Count}}}
	tb.Rows = [][]table.Value{{table.I64(1_234_567_890), table.F64(2500.5), table.I64(3)}}
	for _, c := range []struct{ unit, want string }{
		{"B", "1234567890,2500.5,3"},
		{"KB", "1234567.890,2.501,3"},
		{"MB", "1234.568,0.003,3"},
		{"", "1234.568,0.003,3"},
		{"GB", "1.235,0.000,3"},
	} {
		var b bytes.Buffer
		if err := WriteCSV(&b, tb, Options{MemUnit: c.unit}); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		if len(lines) != 2 || lines[1] != c.want {
			t.Errorf("--mem-unit %q: %q, want row %q", c.unit, b.String(), c.want)
		}
		unit := c.unit
		if unit == "" {
			unit = "MB"
		}
		if !strings.Contains(lines[0], "("+unit+")") {
			t.Errorf("--mem-unit %q: header %q", c.unit, lines[0])
		}
	}
}

// Markdown cells escape | (C++ operator| in kernel names) and show a newline as \x0a, so the
// row keeps its columns; numbers are right-aligned, text left.
func TestMarkdownPipes(t *testing.T) {
	tb := &table.Table{Name: "k", Title: "Kernels", Columns: []table.Column{{Name: "Name"}, {Name: "Calls", Unit: table.Count}}}
	tb.Rows = [][]table.Value{{table.Str("bool operator|(a, b)\nnext"), table.I64(12345)}}
	tb.Notes = []string{"a | note"}
	var b bytes.Buffer
	if err := WriteMarkdown(&b, tb, Options{}); err != nil {
		t.Fatal(err)
	}
	want := "### Kernels (k)\n\n| Name | Calls |\n| --- | ---: |\n| bool operator\\|(a, b)\\x0anext | 12,345 |\n\n- a \\| note\n"
	if b.String() != want {
		t.Errorf("markdown:\n%q\nwant\n%q", b.String(), want)
	}
}
