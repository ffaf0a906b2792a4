package export_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/omnistat/omnistat/export"
	"github.com/omnistat/omnistat/internal/testtrace"
	"github.com/omnistat/omnistat/reports"
	"github.com/omnistat/omnistat/stage"
	"github.com/omnistat/omnistat/summary"
	"github.com/omnistat/omnistat/trace"
)

// read reads back one written file with parquet-go.
func read[T any](t *testing.T, files map[string]*bytes.Buffer, name string) []T {
	t.Helper()
	b := files[name].Bytes()
	rows, err := parquet.Read[T](bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return rows
}

// TestRoundTrip writes test traces and reads the files back: every event of the model is there
// once, with the model's times, and each stage's rows add up to summarize's stage figures.
func TestRoundTrip(t *testing.T) {
	for _, name := range []string{"go_tts_pageable", "go_diffusion_2gpu", "foreign_vllm_omni", "foreign_warmup_tts", "foreign_rank_split"} {
		t.Run(name, func(t *testing.T) {
			tr := testtrace.Read(t, name)
			a := stage.Assign(tr, nil)
			files := map[string]*bytes.Buffer{}
			err := export.Write(tr, a, "run.sqlite", func(n string) io.Writer {
				files[n] = &bytes.Buffer{}
				return files[n]
			})
			if err != nil {
				t.Fatal(err)
			}
			kernels := read[export.Kernel](t, files, "kernels.parquet")
			api := read[export.API](t, files, "api.parquet")
			memops := read[export.MemOp](t, files, "memops.parquet")
			ranges := read[export.Range](t, files, "nvtx.parquet")
			stages := read[export.Stage](t, files, "stages.parquet")
			steps := read[export.Step](t, files, "steps.parquet")

			sum := func(s, e []int64) (n int64) {
				for i := range s {
					n += e[i] - s[i]
				}
				return n
			}
			nRanges, rangeNs := 0, int64(0)
			maxTS, _ := tr.NVTX.MaxTimestamp()
			for i := range tr.NVTX.Start {
				if trace.IsRange(tr.NVTX.EventType[i]) {
					nRanges++
					rangeNs += reports.RangeEnd(&tr.NVTX, i, maxTS) - tr.NVTX.Start[i]
				}
			}
			var kNs, aNs, mNs, rNs int64
			for _, r := range kernels {
				kNs += r.Duration
				if r.End-r.Start != r.Duration || r.File != "run.sqlite" {
					t.Fatalf("kernel row %+v", r)
				}
			}
			for _, r := range api {
				aNs += r.Duration
			}
			memsets := 0
			for _, r := range memops {
				mNs += r.Duration
				if r.Kind == "memset" {
					memsets++
				}
			}
			for _, r := range ranges {
				rNs += r.Duration
			}
			for _, c := range []struct {
				what      string
				rows, n   int
				got, want int64
			}{
				{"kernels", len(kernels), tr.Kernels.Len(), kNs, sum(tr.Kernels.Start, tr.Kernels.End)},
				{"api", len(api), tr.Runtime.Len(), aNs, sum(tr.Runtime.Start, tr.Runtime.End)},
				{"memops", len(memops), tr.Memcpy.Len() + tr.Memset.Len(), mNs, sum(tr.Memcpy.Start, tr.Memcpy.End) + sum(tr.Memset.Start, tr.Memset.End)},
				{"memsets", memsets, tr.Memset.Len(), 0, 0},
				{"nvtx", len(ranges), nRanges, rNs, rangeNs},
			} {
				if c.rows != c.n || c.got != c.want {
					t.Errorf("%s: %d rows, %d ns; the model has %d, %d ns", c.what, c.rows, c.got, c.n, c.want)
				}
			}

			// per stage, the rows add up to the summary's overview, and the steps are its steps
			s, err := summary.Build(tr, stage.Assign(tr, nil), summary.Options{})
			if err != nil {
				t.Fatal(err)
			}
			byStage := map[string]*[4]int64{}
			add := func(st string, k int, d int64) {
				if byStage[st] == nil {
					byStage[st] = &[4]int64{}
				}
				byStage[st][k] += d
			}
			for _, r := range kernels {
				add(r.Stage, 0, r.Duration)
			}
			for _, r := range api {
				add(r.Stage, 1, r.Duration)
			}
			for _, r := range memops {
				add(r.Stage, 2, r.Duration)
			}
			stepsOf := map[string]int{}
			for _, r := range steps {
				stepsOf[r.Stage]++
				if r.Step != int32(stepsOf[r.Stage]-1) {
					t.Errorf("%s: step %d at row %d", r.Stage, r.Step, stepsOf[r.Stage]-1)
				}
			}
			listed := map[string]int{}
			for _, r := range stages {
				listed[r.Stage]++
			}
			for _, st := range s.Stages {
				got := byStage[st.Stage]
				if got == nil {
					got = &[4]int64{}
				}
				want := [4]int64{st.KernelNs, st.APINs, st.MemcpyNs + st.MemsetNs}
				if *got != want {
					t.Errorf("stage %s: kernels, API, memops %v; summary %v", st.Stage, got[:3], want[:3])
				}
				if listed[st.Stage] != max(len(st.PIDs), 1) {
					t.Errorf("stage %s: %d rows in stages.parquet, %d processes", st.Stage, listed[st.Stage], len(st.PIDs))
				}
				n := 0
				if st.Steps != nil {
					n = st.Steps.Count
				}
				if stepsOf[st.Stage] != n {
					t.Errorf("stage %s: %d steps, summary %d", st.Stage, stepsOf[st.Stage], n)
				}
			}
			// every event in a step lies within that step, on the step's process
			type key struct {
				stage string
				step  int32
			}
			span := map[key]export.Step{}
			for _, r := range steps {
				span[key{r.Stage, r.Step}] = r
			}
			inStep := 0
			for _, r := range api {
				if r.Step == nil {
					continue
				}
				inStep++
				s := span[key{r.Stage, *r.Step}]
				if s.PID != r.PID || r.Start < s.Start || r.Start > s.End {
					t.Fatalf("call at %d (pid %d) in step %+v", r.Start, r.PID, s)
				}
			}
			if len(steps) > 0 && inStep == 0 {
				t.Errorf("no CUDA call falls in a step")
			}
		})
	}
}
