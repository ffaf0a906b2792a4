package plots

import (
	"bytes"
	"encoding/xml"
	"io"
	"testing"

	"github.com/omnistat/omnistat/reports/table"
)

// TestHostileLabelsMakeValidSVG: names with terminal escapes, newlines and bytes that are not
// UTF-8 (trace text) still give an SVG that parses as XML, with the names escaped visibly.
func TestHostileLabelsMakeValidSVG(t *testing.T) {
	evil := "../../x/evil\x1b]0;pwned\x07\n[fake]\xff"
	d := &table.Table{Columns: []table.Column{{Name: "Name"}, {Name: "Stage"}, {Name: "Total", Unit: table.Ns}}}
	d.Rows = [][]table.Value{{table.Str(evil), table.Str(evil), table.F64(3)}, {table.Str("ok"), table.Str("b"), table.F64(2)}}
	var b bytes.Buffer
	if err := Write(&b, Chart{Name: "x", Kind: HBars, Title: evil, XLabel: "ms", Data: d, Stages: []string{evil, "b"}}, "svg"); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(b.Bytes()))
	for {
		if _, err := dec.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("not XML: %v", err)
		}
	}
	if !bytes.Contains(b.Bytes(), []byte(`\x1b`)) || bytes.ContainsAny(b.Bytes(), "\x1b\x07\xff") {
		t.Error("the control characters are not escaped visibly")
	}
}
