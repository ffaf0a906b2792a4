package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestProfileArgs(t *testing.T) {
	cmd := []string{"/bin/omnistat", "workload", "tts", "--pinned=true"}
	for _, c := range []struct {
		name string
		o    Options
		want []string
	}{
		{"defaults", Options{Output: "out/tts"}, []string{"profile", "--output=out/tts", "--force-overwrite=true",
			"--trace=cuda,nvtx,osrt", "--capture-range=cudaProfilerApi", "--capture-range-end=stop",
			"--trace-fork-before-exec=true", "--cuda-graph-trace=node", "--sample=none", "--cpuctxsw=none"}},
		{"repeat, graph-level, sampling", Options{Output: "o", RangeEnd: "repeat", GraphTrace: "graph", Sample: true, Extra: []string{"--gpu-metrics-devices=all"}},
			[]string{"profile", "--output=o", "--force-overwrite=true", "--trace=cuda,nvtx,osrt", "--capture-range=cudaProfilerApi",
				"--capture-range-end=repeat", "--trace-fork-before-exec=true", "--cuda-graph-trace=graph", "--gpu-metrics-devices=all"}},
		{"other trace set", Options{Output: "o", Trace: "cuda,nvtx"}, []string{"profile", "--output=o", "--force-overwrite=true",
			"--trace=cuda,nvtx", "--capture-range=cudaProfilerApi", "--capture-range-end=stop", "--trace-fork-before-exec=true",
			"--cuda-graph-trace=node", "--sample=none", "--cpuctxsw=none"}},
	} {
		got := ProfileArgs(c.o, cmd)
		if want := append(c.want, cmd...); !slices.Equal(got, want) {
			t.Errorf("%s:\n got  %q\n want %q", c.name, got, want)
		}
	}
	if got := ExportArgs("a/b.nsys-rep", "a/b.sqlite"); !slices.Equal(got, []string{"export", "--type=sqlite", "--force-overwrite=true", "--output=a/b.sqlite", "a/b.nsys-rep"}) {
		t.Errorf("ExportArgs: %q", got)
	}
}

func TestFindNsys(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "nsys")
	os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755)
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	noPath := func(string) (string, error) { return "", errors.New("not found") }
	noGlob := func(string) ([]string, error) { return nil, nil }
	for _, c := range []struct {
		name     string
		explicit string
		env      map[string]string
		look     func(string) (string, error)
		glob     func(string) ([]string, error)
		want     string
		err      string
	}{
		{"flag wins", bin, map[string]string{"NSYS": "/elsewhere"}, noPath, noGlob, bin, ""},
		{"$NSYS", "", map[string]string{"NSYS": bin}, noPath, noGlob, bin, ""},
		{"PATH", "", nil, func(string) (string, error) { return "/usr/bin/nsys", nil }, noGlob, "/usr/bin/nsys", ""},
		{"install folders, newest", "", nil, noPath, func(p string) ([]string, error) {
			if strings.HasPrefix(p, "/opt/nvidia/nsight-systems/") {
				return []string{"/opt/nvidia/nsight-systems/2024.5.1/bin/nsys", "/opt/nvidia/nsight-systems/2025.3.1/bin/nsys"}, nil
			}
			return nil, nil
		}, "/opt/nvidia/nsight-systems/2025.3.1/bin/nsys", ""},
		{"nsight compute's copy", "", nil, noPath, func(p string) ([]string, error) {
			if strings.Contains(p, "nsight-compute") {
				return []string{"/opt/nvidia/nsight-compute/2025.3.1/host/target-linux-x64/nsys"}, nil
			}
			return nil, nil
		}, "/opt/nvidia/nsight-compute/2025.3.1/host/target-linux-x64/nsys", ""},
		{"flag pointing nowhere", filepath.Join(dir, "missing"), nil, noPath, noGlob, "", "not an executable file"},
		{"none", "", nil, noPath, noGlob, "", "nsys (Nsight Systems) not found"},
	} {
		got, err := FindNsys(c.explicit, env(c.env), c.look, c.glob)
		if got != c.want || (c.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s: got %q, %v; want %q, %q", c.name, got, err, c.want, c.err)
		}
	}
}

func TestReports(t *testing.T) {
	files := map[string][]string{
		"d/run.nsys-rep":   {"d/run.nsys-rep"},
		"d/run.*.nsys-rep": {"d/run.10.nsys-rep", "d/run.2.nsys-rep", "d/run.1.nsys-rep"},
	}
	glob := func(p string) ([]string, error) { return files[p], nil }
	if got := Reports("d/run", glob); !slices.Equal(got, []string{"d/run.nsys-rep", "d/run.1.nsys-rep", "d/run.2.nsys-rep", "d/run.10.nsys-rep"}) {
		t.Errorf("Reports: %q", got)
	}
}

// fakeRunner records commands and writes the files nsys would write.
type fakeRunner struct {
	calls [][]string
	write func(args []string)
	err   error
}

func (f *fakeRunner) Run(_ context.Context, _ string, args []string, _, _ io.Writer) error {
	f.calls = append(f.calls, args)
	if f.write != nil {
		f.write(args)
	}
	return f.err
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "tts")
	r := &fakeRunner{write: func(args []string) {
		switch args[0] {
		case "profile": // a repeat capture: two windows
			os.WriteFile(out+".1.nsys-rep", []byte("rep"), 0o644)
			os.WriteFile(out+".2.nsys-rep", []byte("rep"), 0o644)
		case "export":
			os.WriteFile(strings.TrimPrefix(args[3], "--output="), []byte("db"), 0o644)
		}
	}}
	res, err := Run(context.Background(), r, "nsys", Options{Output: out, RangeEnd: "repeat"}, []string{"app"}, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.SQLite) != 2 || res.SQLite[1] != out+".2.sqlite" || len(r.calls) != 3 {
		t.Errorf("result %+v, calls %q", res, r.calls)
	}

	// nsys wrote nothing: say why
	r = &fakeRunner{}
	if _, err := Run(context.Background(), r, "nsys", Options{Output: filepath.Join(dir, "none")}, []string{"app"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "cudaProfilerStart") {
		t.Errorf("no report: %v", err)
	}
	// only a .qdstrm: the importer failed
	os.WriteFile(filepath.Join(dir, "q.qdstrm"), nil, 0o644)
	if _, err := Run(context.Background(), r, "nsys", Options{Output: filepath.Join(dir, "q")}, []string{"app"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "libdw") {
		t.Errorf("qdstrm only: %v", err)
	}
	// a failed export leaves no .sqlite behind
	r = &fakeRunner{write: func(args []string) {
		if args[0] == "profile" {
			os.WriteFile(filepath.Join(dir, "x.nsys-rep"), nil, 0o644)
		} else {
			os.WriteFile(filepath.Join(dir, "x.sqlite"), []byte("half"), 0o644)
		}
	}}
	r2 := &exportFails{r}
	if _, err := Run(context.Background(), r2, "nsys", Options{Output: filepath.Join(dir, "x")}, []string{"app"}, io.Discard, io.Discard); err == nil {
		t.Error("export failure not reported")
	}
	if _, err := os.Stat(filepath.Join(dir, "x.sqlite")); err == nil {
		t.Error("a partial export was left behind")
	}
}

type exportFails struct{ *fakeRunner }

func (e *exportFails) Run(ctx context.Context, n string, args []string, o, l io.Writer) error {
	e.fakeRunner.Run(ctx, n, args, o, l)
	if args[0] == "export" {
		return errors.New("disk full")
	}
	return nil
}

// profileExits fails the profile step with a real exit status (the program's, as nsys passes it).
type profileExits struct {
	*fakeRunner
	code int
}

func (p *profileExits) Run(ctx context.Context, n string, args []string, o, l io.Writer) error {
	p.fakeRunner.Run(ctx, n, args, o, l)
	if args[0] == "profile" {
		return fmt.Errorf("nsys profile: %w", exec.Command("sh", "-c", fmt.Sprintf("exit %d", p.code)).Run())
	}
	return nil
}

// TestDurationEnd: with --duration nsys ends the program with SIGTERM and exits 143 (seen on an
// H200 with nsys 2025.3.1): the capture succeeded. Without --duration, or with another status, the
// program's failure is still an error.
func TestDurationEnd(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		duration, code int
		ok             bool
	}{{2, 143, true}, {0, 143, false}, {2, 1, false}} {
		out := filepath.Join(dir, fmt.Sprintf("d%d_%d", c.duration, c.code))
		r := &profileExits{&fakeRunner{write: func(args []string) {
			if args[0] == "profile" {
				os.WriteFile(out+".nsys-rep", []byte("rep"), 0o644)
			} else {
				os.WriteFile(strings.TrimPrefix(args[3], "--output="), []byte("db"), 0o644)
			}
		}}, c.code}
		res, err := Run(context.Background(), r, "nsys", Options{Output: out, Duration: c.duration}, []string{"app"}, io.Discard, io.Discard)
		if (err == nil) != c.ok || len(res.SQLite) != 1 {
			t.Errorf("duration %d, exit %d: err %v, %d exports", c.duration, c.code, err, len(res.SQLite))
		}
	}
}
