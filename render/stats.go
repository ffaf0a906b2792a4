package render

import (
	"fmt"
	"io"

	"github.com/omnistat/omnistat/reports/table"
)

// Titled writes one table of `omnistat stats`, under nsys's " ** Title (spec):" line when
// several are printed (titled), naming its trace when there are several (manyTraces).
func Titled(w io.Writer, t *table.Table, spec string, f Format, o Options, titled bool, path string, manyTraces bool) error {
	if titled && f != Markdown {
		src := ""
		if manyTraces {
			src = " [" + path + "]"
		}
		fmt.Fprintf(w, "\n ** %s (%s)%s:\n\n", t.Title, spec, src)
	}
	if f == Markdown && manyTraces {
		fmt.Fprintf(w, "\n_%s_\n\n", path)
	}
	if err := Write(w, f, t, o); err != nil {
		return err
	}
	if titled && f == Markdown {
		fmt.Fprintln(w)
	}
	return nil
}
