package workload

import (
	"bytes"
	"encoding/binary"
	"slices"
	"testing"
)

type noBarrier struct{ n int }

func (b *noBarrier) Wait() error { b.n++; return nil }

func smallTTS() TTSConfig {
	return TTSConfig{Requests: 2, Tokens: 5, Chunk: 2, Layers: 2, Hidden: 64, Vocab: 32}
}

// between returns the calls between profiler_start and profiler_stop, and checks both exist once.
func between(t *testing.T, f *Fake) []string {
	t.Helper()
	ops := f.Ops()
	i, j := slices.Index(ops, "profiler_start"), slices.Index(ops, "profiler_stop")
	if i < 0 || j < i || f.Count("profiler_start") != 1 || f.Count("profiler_stop") != 1 {
		t.Fatalf("want one capture range, got start %d stop %d", i, j)
	}
	return ops[i+1 : j]
}

func count(ops []string, prefix string) int {
	n := 0
	for _, o := range ops {
		if len(o) >= len(prefix) && o[:len(prefix)] == prefix {
			n++
		}
	}
	return n
}

func TestTalkerSchedule(t *testing.T) {
	for _, c := range []struct {
		name           string
		pinned, graphs bool
	}{{"pageable", false, false}, {"pinned", true, false}, {"graphs", false, true}} {
		t.Run(c.name, func(t *testing.T) {
			cfg := smallTTS()
			cfg.Pinned, cfg.Graphs = c.pinned, c.graphs
			f := NewFake()
			var out bytes.Buffer
			bar := &noBarrier{}
			if err := TalkerStage(f, cfg, bar, &out); err != nil {
				t.Fatal(err)
			}
			if bar.n != 2 {
				t.Errorf("barrier waited %d times, want 2 (before start, before stop)", bar.n)
			}
			in := between(t, f)
			steps := cfg.Requests * cfg.Tokens
			if got := count(in, "push:omnistat:talker.decode_step"); got != steps {
				t.Errorf("%d decode_step ranges, want %d", got, steps)
			}
			if got := count(in, "copy_dtoh"); got != steps {
				t.Errorf("%d token copies, want %d", got, steps)
			}
			if count(in, "push") != count(in, "pop") || count(in, "start") != count(in, "end") {
				t.Errorf("unbalanced NVTX: %d push %d pop %d start %d end", count(in, "push"), count(in, "pop"), count(in, "start"), count(in, "end"))
			}
			if got := count(in, "start:omnistat:tts.request"); got != cfg.Requests {
				t.Errorf("%d request ranges, want %d", got, cfg.Requests)
			}
			launches, graphs := count(in, "launch:"), count(in, "graph_launch")
			if c.graphs {
				if launches != 0 || graphs != steps {
					t.Errorf("graphs: %d launches and %d graph launches in the capture range, want 0 and %d", launches, graphs, steps)
				}
				if got := f.Count("capture_launch"); got != cfg.KernelsPerToken() {
					t.Errorf("graph captured %d kernels, want %d", got, cfg.KernelsPerToken())
				}
			} else if launches != steps*cfg.KernelsPerToken() || graphs != 0 {
				t.Errorf("%d launches in the capture range, want %d", launches, steps*cfg.KernelsPerToken())
			}
			// pinned copies are async: each is followed by a sync; pageable ones are not
			if syncs := count(in, "sync"); (c.pinned && syncs < steps) || (!c.pinned && syncs > cfg.Requests+1) {
				t.Errorf("%d syncs in the capture range (pinned=%v)", syncs, c.pinned)
			}
			for _, call := range f.Calls {
				if call.Op == "copy_dtoh" && call.Pinned != c.pinned {
					t.Fatalf("token copy pinned=%v, want %v", call.Pinned, c.pinned)
				}
			}
			// warm-up launches come before the capture range
			if first := slices.Index(f.Ops(), "profiler_start"); count(f.Ops()[:first], "launch:gemv_f32") == 0 {
				t.Error("no warm-up before the capture range")
			}
			// what reached code2wav: ceil(5/2) = 3 chunks per request, then the end marker
			var chunks []int
			for {
				_, ch, err := readChunk(&out)
				if err != nil {
					t.Fatal(err)
				}
				if len(ch) == 0 {
					break
				}
				chunks = append(chunks, len(ch))
			}
			if !slices.Equal(chunks, []int{2, 2, 1, 2, 2, 1}) {
				t.Errorf("chunks %v", chunks)
			}
		})
	}
}

func TestCode2WavStage(t *testing.T) {
	cfg := smallTTS()
	var stream bytes.Buffer
	writeChunk(&stream, 0, []int32{1, 2})
	writeChunk(&stream, 0, []int32{3})
	writeChunk(&stream, 0, nil)
	f := NewFake()
	if err := Code2WavStage(f, cfg, &noBarrier{}, &stream); err != nil {
		t.Fatal(err)
	}
	in := between(t, f)
	if got := count(in, "push:omnistat:code2wav.decode_chunk"); got != 2 {
		t.Errorf("%d decode_chunk ranges, want 2", got)
	}
	if count(in, "copy_htod") != 2 || count(in, "copy_dtoh") != 2 || count(in, "launch:conv1d_f32") != 8 {
		t.Errorf("calls in the capture range: %v", in)
	}
}

func TestDiffusionStage(t *testing.T) {
	cfg := DiffusionConfig{Workers: 1, Requests: 2, Steps: 3, Blocks: 2, Dim: 32, Side: 4, TextLen: 8, Guidance: 4}
	var reqs bytes.Buffer
	for _, id := range []int32{0, 1, -1} {
		binary.Write(&reqs, binary.LittleEndian, id)
	}
	f := NewFake()
	w, err := DiffusionStage(f, cfg, &noBarrier{}, &reqs)
	if err != nil {
		t.Fatal(err)
	}
	in := between(t, f)
	for name, want := range map[string]int{
		"start:omnistat:diffusion.request":   2,
		"push:omnistat:text_encoder.forward": 2,
		"push:omnistat:diffusion_forward":    2 * 3,
		"push:omnistat:dit.block":            2 * 3 * 2,
		"push:omnistat:vae.decode":           2,
		"copy_dtoh":                          2,
		"launch:attn_full_f32":               2 * (2*2 + 3*2*2), // 2 halves × (2 encoder layers + steps×blocks)
		"launch:cfg_step_f32":                2 * 3,
	} {
		if got := count(in, name); got != want {
			t.Errorf("%s: %d, want %d", name, got, want)
		}
	}
	if count(in, "push") != count(in, "pop") {
		t.Error("unbalanced push/pop")
	}
	if w.GEMMTFLOPS <= 0 {
		t.Error("no GEMM throughput measured in warm-up")
	}
}

func TestValidate(t *testing.T) {
	bad := []TTSConfig{{}, {Requests: 1, Tokens: 1, Chunk: 1, Layers: 1, Hidden: 33, Vocab: 8}, {Requests: 1, Tokens: 9000, Chunk: 1, Layers: 1, Hidden: 64, Vocab: 8}}
	for _, c := range bad {
		if c.Validate() == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if err := DefaultTTS().Validate(); err != nil {
		t.Error(err)
	}
	if err := DefaultDiffusion().Validate(); err != nil {
		t.Error(err)
	}
	if (DiffusionConfig{Workers: 1, Requests: 1, Steps: 1, Blocks: 1, Dim: 20, Side: 8, TextLen: 8}).Validate() == nil {
		t.Error("dim 20 accepted")
	}
}
