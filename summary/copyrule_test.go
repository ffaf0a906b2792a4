package summary

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/omnistat/omnistat/internal/testtrace"
	"github.com/omnistat/omnistat/internal/testutil"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/sqlite"
	"github.com/omnistat/omnistat/trace"
)

// The copy findings count the copies nsys analyze's copy rules list (their own selection,
// reports.MemcpyAsyncRule and MemcpySyncRule), each copy once: nsys joins a copy to its call on
// the correlation id alone, so in a trace of several processes its rule can list one copy
// twice (foreign_python3: 14 rows, 12 copies); the findings join within the process. Checked
// on every test trace against the rules' rows made distinct by (start, PID).
func TestCopyFindingsCountTheRulesCopies(t *testing.T) {
	files, _ := filepath.Glob("../testdata/traces/*.sqlite")
	if len(files) < 20 {
		t.Fatalf("%d test traces", len(files))
	}
	files = append(files, testutil.ExportsIn(t)...) // CI sets both: sync copies, driver-API copies
	seen := 0
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sqlite")
		tr, err := sqlite.Read(context.Background(), f, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		j := newJudge(tr, "trace", DefaultFindingOptions, trace.GPUSpans(tr), Steps{})
		got := map[string]float64{}
		for _, fd := range j.copyFindings() {
			got[fd.ID] = fd.Value
		}
		for id, rule := range map[string]string{"pageable_async_memcpy": "cuda_memcpy_async", "sync_memcpy": "cuda_memcpy_sync"} {
			r, opt, err := reports.LookupRule(rule + ":rows=-1")
			if err != nil {
				t.Fatal(err)
			}
			tb := r.Run(tr, opt)
			distinct := map[string]bool{}
			for _, row := range tb.Rows {
				distinct[fmt.Sprint(row[tb.Col("Start")].I, "/", row[tb.Col("PID")].I)] = true
			}
			want := len(distinct) + driverCopies(tr, rule == "cuda_memcpy_async")
			if got[id] != float64(want) {
				t.Errorf("%s: %s counts %v copies, want %d: nsys's %s lists %d distinct ones (%d rows)", name, id, got[id], want, rule, len(distinct), len(tb.Rows))
			}
			seen += len(distinct)
		}
	}
	if seen == 0 {
		t.Fatal("no copy on any test trace")
	}
}

// driverCopies counts, by brute force, the copies the rule would select were they made through
// the driver API (cuMemcpy…): the findings count those too. async: pageable copies of an Async
// call; else copies of a call without Async, not host-to-device of at most 64,000 bytes, not
// within one device.
func driverCopies(tr *trace.Trace, async bool) int {
	type key struct{ pid, corr int64 }
	call := map[key]int{}
	for i := range tr.Runtime.Start {
		call[key{trace.ProcessOf(tr.Runtime.GlobalTID.At(i)), int64(tr.Runtime.CorrID[i])}] = i
	}
	m, n := &tr.Memcpy, 0
	for i := range m.Start {
		c, ok := call[key{m.GlobalPID.At(i), int64(m.CorrID[i])}]
		if !ok {
			continue
		}
		name := strings.ToLower(tr.Strings.Get(int64(tr.Runtime.NameID[c])))
		if !strings.HasPrefix(name, "cumemcpy") || strings.Contains(name, "async") != async {
			continue
		}
		if async && (m.SrcKind[i] == 0 || m.DstKind[i] == 0) {
			n++
		}
		if !async && !(m.CopyKind[i] == 1 && m.Bytes[i] <= 64000) && !(m.SrcDevice[i] != trace.Null && m.SrcDevice[i] == m.DstDevice[i]) {
			n++
		}
	}
	return n
}

// The sync finding counts the calls nsys analyze's cuda_api_sync lists (reports.SyncAPIName)
// plus the driver API's synchronize calls, which the rule does not list and the message counts
// apart: on every trace, sample and public export where it fires.
func TestSyncFindingCountsTheRulesCalls(t *testing.T) {
	files, _ := filepath.Glob("../testdata/traces/*.sqlite")
	files = append(files, testutil.ExportsIn(t)...)
	fired := 0
	for _, f := range files {
		tr, err := sqlite.Read(context.Background(), f, sqlite.Options{})
		if err != nil {
			t.Fatal(err)
		}
		j := newJudge(tr, "trace", DefaultFindingOptions, trace.GPUSpans(tr), Steps{})
		var sync *Finding
		for _, fd := range j.apiFindings() {
			if fd.ID == "sync_api" {
				sync = &fd
			}
		}
		if sync == nil {
			continue
		}
		fired++
		r, opt, err := reports.LookupRule("cuda_api_sync:rows=-1")
		if err != nil {
			t.Fatal(err)
		}
		rows := len(r.Run(tr, opt).Rows)
		driver := 0
		for _, id := range tr.Runtime.NameID {
			n := strings.ToLower(tr.Strings.Get(int64(id)))
			if strings.HasPrefix(n, "cuctxsynchronize") || strings.HasPrefix(n, "custreamsynchronize") {
				driver++
			}
		}
		want := fmt.Sprintf("%s synchronization calls", WithSep(int64(rows+driver)))
		if rows+driver == 1 {
			want = "1 synchronization call " // singular for one call
		}
		if !strings.HasPrefix(sync.Message, want) || (driver > 0) != strings.Contains(sync.Message, "driver API") {
			t.Errorf("%s: %q; want it to start %q (%d rule rows, %d driver calls)", filepath.Base(f), sync.Message, want, rows, driver)
		}
	}
	if fired < 2 {
		t.Fatalf("the sync finding fired on %d traces", fired)
	}
}

// CopyRules, from one walk of the calls' names, selects what the four rules built one by one
// select, on five real traces (their copies go through the runtime API: the driver-API rules
// match nothing there, by either way).
func TestCopyRulesOneWalk(t *testing.T) {
	for _, name := range []string{"tts_pageable", "go_tts_pageable", "go_tts_pinned", "foreign_vllm_omni", "diffusion"} {
		tr := testtrace.Read(t, name)
		a, s, ad, sd := reports.CopyRules(tr)
		wa, ws := reports.MemcpyAsyncRule(tr), reports.MemcpySyncRule(tr)
		want := []reports.CopyRule{wa, ws, wa.DriverAPI(tr), ws.DriverAPI(tr)}
		found := 0
		for i, got := range []reports.CopyRule{a, s, ad, sd} {
			found += len(got.Names)
			if got.Name != want[i].Name || !maps.Equal(got.Names, want[i].Names) {
				t.Errorf("%s: rule %s names %v, want %s %v", name, got.Name, got.Names, want[i].Name, want[i].Names)
			}
		}
		if found == 0 {
			t.Errorf("%s: no copy API name found by any rule", name)
		}
	}
}
