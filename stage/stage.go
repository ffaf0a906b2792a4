// Package stage decides which pipeline stage each process and thread of a trace belongs to:
// from process titles (stage0_talker, StageEngineCoreProc_stage1_replica0, DiffusionWorker), else
// from the dominant NVTX range prefix (talker.decode_step → talker), else name:pid, with user
// rules on top (ParseRule: the --stage grammar). Processes with one role share a stage key and
// are told apart by replica number. It owns the --by dimension (By) and cuts a trace's rows
// along it (group.go: Group, for stats) or its stages into other sections (regroup.go, for
// summarize). It computes no statistics.
package stage

import (
	"bufio"
	"fmt"
	"github.com/omnistat/omnistat/internal/par"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/omnistat/omnistat/trace"
)

// Stage is one stage of the pipeline.
type Stage struct {
	Key   string // "talker", "diffusion", "python3:111"
	Order int    // stage number from the title (stage0_…), or -1
	// Procs are the processes (globalPid) of the stage, in replica order.
	Procs []int64
	// Source says how the stage was found: "title", "nvtx", "process", "rule".
	Source string
	// Mixed marks a section of processes with different roles (Regroup "none"): they are no
	// replicas of each other.
	Mixed bool
}

// Rule is a user's stage rule: NAME=pid:N, NAME=proc:REGEX, NAME=thread:REGEX or NAME=nvtx:REGEX.
type Rule struct {
	Name string
	Kind string // pid, proc, thread, nvtx
	PID  int64
	Re   *regexp.Regexp
	Text string // the rule as written
}

// ParseRule parses "NAME=KIND:ARG".
func ParseRule(s string) (Rule, error) {
	name, rule, ok := strings.Cut(strings.TrimSpace(s), "=")
	kind, arg, ok2 := strings.Cut(rule, ":")
	if !ok || !ok2 || strings.TrimSpace(name) == "" || arg == "" {
		return Rule{}, fmt.Errorf("stage rule %q: want NAME=pid:N, NAME=proc:REGEX, NAME=thread:REGEX or NAME=nvtx:REGEX", s)
	}
	r := Rule{Name: strings.TrimSpace(name), Kind: kind, Text: s}
	switch kind {
	case "pid":
		p, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || p <= 0 {
			return Rule{}, fmt.Errorf("stage rule %q: pid must be a positive number", s)
		}
		r.PID = p
	case "proc", "thread", "nvtx":
		re, err := regexp.Compile(arg)
		if err != nil {
			return Rule{}, fmt.Errorf("stage rule %q: %v", s, err)
		}
		r.Re = re
	default:
		return Rule{}, fmt.Errorf("stage rule %q: unknown kind %q (use pid, proc, thread or nvtx)", s, kind)
	}
	return r, nil
}

// ParseRules reads rules one per line; blank lines and lines starting with # are skipped.
func ParseRules(r io.Reader) ([]Rule, error) {
	var out []Rule
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		rule, err := ParseRule(t)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, rule)
	}
	return out, sc.Err()
}

var (
	vllmTitle   = regexp.MustCompile(`(?i)stage_?(\d+)(?:_replica_?(\d+))?`)
	stageRole   = regexp.MustCompile(`^(?i)stage(\d+)_(\w+)$`)
	workerTitle = regexp.MustCompile(`^([A-Z][A-Za-z0-9]*?)(?:Worker|Proc|Process)$`)
)

// fromTitle names a stage from a process title; ok is false when the title says nothing.
func fromTitle(name string) (key string, order, replica int, ok bool) {
	if m := stageRole.FindStringSubmatch(name); m != nil {
		n, _ := strconv.Atoi(m[1])
		return strings.ToLower(m[2]), n, -1, true
	}
	if m := vllmTitle.FindStringSubmatch(name); m != nil {
		n, _ := strconv.Atoi(m[1])
		r := -1
		if m[2] != "" {
			r, _ = strconv.Atoi(m[2])
		}
		return "stage" + m[1], n, r, true
	}
	if m := workerTitle.FindStringSubmatch(name); m != nil {
		return strings.ToLower(m[1]), -1, -1, true
	}
	return "", -1, -1, false
}

// Assignment maps the processes and threads of a trace to stages.
type Assignment struct {
	Stages []Stage
	// Explained says, per process found automatically, what its title, role and behaviour were
	// and why it went where it did (summarize --explain-stages).
	Explained []Explained
	byProc    map[int64]int
	byThread  map[int64]int
}

// Of returns the stage index of a thread (globalTid): its thread rule if one matched, else its
// process's stage; -1 when neither has one.
func (a *Assignment) Of(globalTID int64) int {
	if s, ok := a.byThread[globalTID]; ok {
		return s
	}
	return a.OfProcess(trace.ProcessOf(globalTID))
}

// OfProcess returns the stage index of a process (globalPid), or -1.
func (a *Assignment) OfProcess(globalPID int64) int {
	if s, ok := a.byProc[globalPID]; ok {
		return s
	}
	return -1
}

// Replica is the replica number of a process within its stage (0 for the first), or -1.
func (a *Assignment) Replica(globalPID int64) int {
	s := a.OfProcess(globalPID)
	if s < 0 {
		return -1
	}
	for i, p := range a.Stages[s].Procs {
		if p == globalPID {
			return i
		}
	}
	return -1
}

// Active lists the processes with GPU work or NVTX ranges of their own: the candidates for
// stages. A process whose only rows are CUDA API calls (a parent that queried the device, a
// helper that loaded a library) is no stage: its calls are (other) rows.
func Active(tr *trace.Trace) []int64 {
	seen := map[int64]bool{}
	add := func(col trace.Codes, proc func(int64) int64) { // rows come in runs of one process
		// NULLs before the first other value count for no process (as a walk from "no value"
		// that notes a value when it changes has always counted them)
		lead := col.LeadingNulls()
		parts := par.Parts(col.Len()) // each part its own set, then merged (the result is sorted)
		sets := make([]map[int64]bool, parts)
		par.ForParts(col.Len(), parts, func(p, lo, hi int) {
			set := map[int64]bool{}
			col.RunsIn(lo, hi, func(a, _ int, g int64) {
				if a >= lead {
					set[proc(g)] = true
				}
			})
			sets[p] = set
		})
		for _, set := range sets {
			for g := range set {
				seen[g] = true
			}
		}
	}
	self := func(g int64) int64 { return g }
	add(tr.Kernels.GlobalPID, self)
	add(tr.Memcpy.GlobalPID, self)
	add(tr.Memset.GlobalPID, self)
	for i, g := range tr.NVTX.GlobalTID {
		if trace.IsRange(tr.NVTX.EventType[i]) {
			seen[trace.ProcessOf(g)] = true
		}
	}
	out := make([]int64, 0, len(seen))
	for g := range seen {
		out = append(out, g)
	}
	// by PID, then by the whole id: processes of two hosts of a merged trace may share a PID,
	// and their order must not depend on the map's
	sort.Slice(out, func(i, j int) bool {
		if a, b := trace.PID(out[i]), trace.PID(out[j]); a != b {
			return a < b
		}
		return out[i] < out[j]
	})
	return out
}

// Assign finds the stages of tr: rules first (in order, first match wins), then the automatic
// naming for the remaining active processes.
func Assign(tr *trace.Trace, rules []Rule) *Assignment {
	a := &Assignment{byProc: map[int64]int{}, byThread: map[int64]int{}}
	names := map[int64]string{}
	for _, p := range tr.Processes {
		names[p.GlobalPID] = p.Name
	}
	index := map[string]int{}
	stageOf := func(key string, order int, source string) int {
		if i, ok := index[key]; ok {
			return i
		}
		index[key] = len(a.Stages)
		a.Stages = append(a.Stages, Stage{Key: key, Order: order, Source: source})
		return index[key]
	}
	addProc := func(s int, gpid int64) {
		a.byProc[gpid] = s
		a.Stages[s].Procs = append(a.Stages[s].Procs, gpid)
	}
	rangeNames := nvtxNamesByProcess(tr)
	active := Active(tr)
	for _, gpid := range active {
		for _, r := range rules {
			match := false
			switch r.Kind {
			case "pid":
				match = trace.PID(gpid) == r.PID
			case "proc":
				match = r.Re.MatchString(names[gpid])
			case "nvtx":
				for n := range rangeNames[gpid] {
					if r.Re.MatchString(n) {
						match = true
						break
					}
				}
			}
			if match {
				addProc(stageOf(r.Name, -1, "rule"), gpid)
				break
			}
		}
	}
	for _, r := range rules {
		if r.Kind != "thread" {
			continue
		}
		for _, th := range tr.Threads {
			if _, taken := a.byThread[th.GlobalTID]; !taken && r.Re.MatchString(th.Name) {
				a.byThread[th.GlobalTID] = stageOf(r.Name, -1, "rule")
			}
		}
	}
	var left []int64
	for _, gpid := range active {
		if _, done := a.byProc[gpid]; !done {
			left = append(left, gpid)
		}
	}
	for _, c := range autoStages(tr, left, names, rangeNames, &a.Explained) {
		s := stageOf(c.name, c.order, c.source)
		for _, p := range c.procs {
			addProc(s, p.gpid)
		}
	}
	return a
}

// nvtxNamesByProcess sums range durations by message, per process.
func nvtxNamesByProcess(tr *trace.Trace) map[int64]map[string]int64 {
	out := map[int64]map[string]int64{}
	n := &tr.NVTX
	maxTS, _ := n.MaxTimestamp()
	for i := range n.Start {
		if !trace.IsRange(n.EventType[i]) {
			continue
		}
		msg, _ := n.Message(&tr.Strings, i)
		g := trace.ProcessOf(n.GlobalTID[i])
		if out[g] == nil {
			out[g] = map[string]int64{}
		}
		end := n.End[i]
		if end == trace.Null {
			end = maxTS
		}
		out[g][msg] += end - n.Start[i]
	}
	return out
}

// dominantPrefix is the "stage." prefix of the range names with the most time: talker for
// talker.decode_step. Names without a dot say nothing.
func dominantPrefix(names map[string]int64) string {
	by := map[string]int64{}
	for n, d := range names {
		if p, _, ok := strings.Cut(n, "."); ok && p != "" && !strings.ContainsAny(p, " :(") {
			by[p] += d
		}
	}
	best, bestD := "", int64(-1)
	for p, d := range by {
		if d > bestD || (d == bestD && p < best) {
			best, bestD = p, d
		}
	}
	return best
}
