package capture

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Range kinds: where nsys starts recording.
const (
	RangeCUDA = "cuda" // --capture-range=cudaProfilerApi: each process's cudaProfilerStart/Stop
	RangeNVTX = "nvtx" // --capture-range=nvtx --nvtx-capture=NAME[@DOMAIN]: an NVTX range
	RangeNone = "none" // no capture range: the whole run (bounded by --delay/--duration)
)

// Range is a parsed --range value: "cuda" (the default), "nvtx:NAME[@DOMAIN]" or "none".
type Range struct {
	Kind string // RangeCUDA, RangeNVTX or RangeNone ("" means RangeCUDA)
	// NVTX is nsys's --nvtx-capture value for RangeNVTX: "NAME" (a range of the default
	// domain) or "NAME@DOMAIN".
	NVTX string
}

// RangeUsage names the accepted --range values, for usage errors and help.
const RangeUsage = "cuda, nvtx:NAME[@DOMAIN] or none"

// ParseRange parses a --range value.
func ParseRange(s string) (Range, error) {
	switch s {
	case "", RangeCUDA:
		return Range{Kind: RangeCUDA}, nil
	case RangeNone:
		return Range{Kind: RangeNone}, nil
	}
	if spec, ok := strings.CutPrefix(s, RangeNVTX+":"); ok {
		name, domain, hasDomain := strings.Cut(spec, "@")
		switch {
		case strings.TrimSpace(name) == "":
			return Range{}, fmt.Errorf("--range %q: give the NVTX range's name (nvtx:NAME or nvtx:NAME@DOMAIN)", s)
		case hasDomain && strings.TrimSpace(domain) == "":
			return Range{}, fmt.Errorf("--range %q: give the domain after @ (or leave out @ for the default domain)", s)
		case strings.ContainsAny(spec, ",\n"):
			return Range{}, fmt.Errorf("--range %q: an NVTX range name for nsys cannot hold a comma or a newline", s)
		}
		return Range{Kind: RangeNVTX, NVTX: spec}, nil
	}
	return Range{}, fmt.Errorf("unknown --range %q (use %s)", s, RangeUsage)
}

// String is the --range form of r.
func (r Range) String() string {
	switch r.Kind {
	case RangeNVTX:
		return RangeNVTX + ":" + r.NVTX
	case RangeNone:
		return RangeNone
	}
	return RangeCUDA
}

// args is r as nsys profile options; rangeEnd is the --capture-range-end value, which only a
// capture range takes.
func (r Range) args(rangeEnd string) []string {
	switch r.Kind {
	case RangeNone:
		return nil
	case RangeNVTX:
		// nsys matches only registered NVTX strings unless this variable is 0 in the program's
		// environment; PyTorch's torch.cuda.nvtx.range_push passes plain strings.
		return []string{"--capture-range=nvtx", "--nvtx-capture=" + r.NVTX,
			"--env-var=NSYS_NVTX_PROFILER_REGISTER_ONLY=0", "--capture-range-end=" + rangeEnd}
	}
	return []string{"--capture-range=cudaProfilerApi", "--capture-range-end=" + rangeEnd}
}

// ParseSeconds parses a --delay or --duration value: a whole number of seconds (nsys's -y and
// -d take integers), at least min.
func ParseSeconds(flag, s string, min int) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < min || n > math.MaxInt32 {
		return 0, fmt.Errorf("--%s %q: give a whole number of seconds, %d or more", flag, s, min)
	}
	return n, nil
}

// noReport explains a profile run that wrote no report, by capture mode.
func noReport(o Options) error {
	prefix := fmt.Sprintf("nsys wrote no report for %s", o.Output)
	switch o.Range.Kind {
	case RangeNone:
		return fmt.Errorf("%s: the program ended before nsys recorded anything (see nsys's messages above; a --delay longer than the run records nothing)", prefix)
	case RangeNVTX:
		name, domain, ok := strings.Cut(o.Range.NVTX, "@")
		where := "the default NVTX domain"
		if ok {
			where = "NVTX domain " + strconv.Quote(domain)
		}
		return fmt.Errorf("%s: no process opened an NVTX range %q in %s; check the name and domain (--range nvtx:NAME@DOMAIN), or record the whole run with --range none (bounded by --delay/--duration)", prefix, name, where)
	}
	return fmt.Errorf("%s: did the program call cudaProfilerStart (cuProfilerStart) in a GPU process? A program without profiler calls can be recorded whole with --range none (bounded by --delay/--duration), or from an NVTX range with --range nvtx:NAME[@DOMAIN]", prefix)
}
