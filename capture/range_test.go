package capture

import (
	"context"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseRange(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Range
		err  string
	}{
		{"", Range{Kind: RangeCUDA}, ""},
		{"cuda", Range{Kind: RangeCUDA}, ""},
		{"none", Range{Kind: RangeNone}, ""},
		{"nvtx:step", Range{Kind: RangeNVTX, NVTX: "step"}, ""},
		{"nvtx:talker.decode_step@omnistat", Range{Kind: RangeNVTX, NVTX: "talker.decode_step@omnistat"}, ""},
		{"nvtx:step@*", Range{Kind: RangeNVTX, NVTX: "step@*"}, ""},
		{"nvtx:", Range{}, "give the NVTX range's name"},
		{"nvtx:@dom", Range{}, "give the NVTX range's name"},
		{"nvtx:step@", Range{}, "give the domain after @"},
		{"nvtx:a,b", Range{}, "comma"},
		{"nvtx", Range{}, "unknown --range"},
		{"cudaProfilerApi", Range{}, "use cuda, nvtx:NAME[@DOMAIN] or none"},
		{"whole", Range{}, "unknown --range"},
	} {
		got, err := ParseRange(c.in)
		if got != c.want || (c.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("ParseRange(%q) = %+v, %v; want %+v, %q", c.in, got, err, c.want, c.err)
		}
		if err == nil && c.in != "" && got.String() != c.in {
			t.Errorf("ParseRange(%q).String() = %q", c.in, got.String())
		}
	}
}

func TestParseSeconds(t *testing.T) {
	for _, c := range []struct {
		in   string
		min  int
		want int
		ok   bool
	}{
		{"0", 0, 0, true}, {"20", 0, 20, true}, {" 5 ", 1, 5, true},
		{"0", 1, 0, false}, {"-1", 0, 0, false}, {"1.5", 0, 0, false}, {"10s", 0, 0, false}, {"", 0, 0, false},
		{"99999999999", 0, 0, false},
	} {
		got, err := ParseSeconds("delay", c.in, c.min)
		if got != c.want || (err == nil) != c.ok {
			t.Errorf("ParseSeconds(%q, %d) = %d, %v", c.in, c.min, got, err)
		}
		if err != nil && !strings.Contains(err.Error(), "--delay") {
			t.Errorf("error does not name the flag: %v", err)
		}
	}
}

// TestProfileArgsRanges is the exact nsys argv of each capture mode.
func TestProfileArgsRanges(t *testing.T) {
	cmd := []string{"python3", "plain.py"}
	head := []string{"profile", "--output=o", "--force-overwrite=true", "--trace=cuda,nvtx,osrt"}
	tail := []string{"--trace-fork-before-exec=true", "--cuda-graph-trace=node"}
	quiet := []string{"--sample=none", "--cpuctxsw=none"}
	join := func(parts ...[]string) []string { return slices.Concat(append(parts, cmd)...) }
	for _, c := range []struct {
		name string
		o    Options
		want []string
	}{
		{"cuda (explicit)", Options{Output: "o", Range: Range{Kind: RangeCUDA}},
			join(head, []string{"--capture-range=cudaProfilerApi", "--capture-range-end=stop"}, tail, quiet)},
		{"none", Options{Output: "o", Range: Range{Kind: RangeNone}}, join(head, tail, quiet)},
		{"none, delay and duration", Options{Output: "o", Range: Range{Kind: RangeNone}, Delay: 20, Duration: 10},
			join(head, tail, []string{"--delay=20", "--duration=10"}, quiet)},
		{"nvtx, default domain", Options{Output: "o", Range: Range{Kind: RangeNVTX, NVTX: "step"}},
			join(head, []string{"--capture-range=nvtx", "--nvtx-capture=step", "--env-var=NSYS_NVTX_PROFILER_REGISTER_ONLY=0",
				"--capture-range-end=stop"}, tail, quiet)},
		{"nvtx with domain, repeat", Options{Output: "o", RangeEnd: "repeat:3", Range: Range{Kind: RangeNVTX, NVTX: "talker.decode_step@omnistat"}},
			join(head, []string{"--capture-range=nvtx", "--nvtx-capture=talker.decode_step@omnistat",
				"--env-var=NSYS_NVTX_PROFILER_REGISTER_ONLY=0", "--capture-range-end=repeat:3"}, tail, quiet)},
		{"cuda with a duration", Options{Output: "o", Duration: 30},
			join(head, []string{"--capture-range=cudaProfilerApi", "--capture-range-end=stop"}, tail, []string{"--duration=30"}, quiet)},
	} {
		if got := ProfileArgs(c.o, cmd); !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got  %q\n want %q", c.name, got, c.want)
		}
	}
}

// TestNoReportNamesTheOptions: a run that recorded nothing says what to do, per mode.
func TestNoReportNamesTheOptions(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		r    Range
		want []string
	}{
		{Range{Kind: RangeCUDA}, []string{"cudaProfilerStart", "--range none", "--delay/--duration", "--range nvtx:NAME[@DOMAIN]"}},
		{Range{Kind: RangeNVTX, NVTX: "step"}, []string{`NVTX range "step" in the default NVTX domain`, "--range none"}},
		{Range{Kind: RangeNVTX, NVTX: "step@app"}, []string{`NVTX range "step" in NVTX domain "app"`}},
		{Range{Kind: RangeNone}, []string{"ended before nsys recorded anything", "--delay"}},
	} {
		out := filepath.Join(dir, "trace")
		_, err := Run(context.Background(), &fakeRunner{}, "nsys", Options{Output: out, Range: c.r}, []string{"app"}, io.Discard, io.Discard)
		if err == nil {
			t.Fatalf("%v: no error", c.r)
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "nsys wrote no report for "+out+": ") || strings.Contains(msg, "\n") {
			t.Errorf("%v: %q", c.r, msg)
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%v: %q lacks %q", c.r, msg, w)
			}
		}
	}
}
