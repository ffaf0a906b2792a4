package workload

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// A stage that fails makes the other one stop, and the error names the stage and its status.
func TestStageFailureStopsTheOther(t *testing.T) {
	spawn := func(stage string) *exec.Cmd {
		if stage == "talker" {
			return exec.Command("sh", "-c", "exit 3")
		}
		return exec.Command("sleep", "30") // would wait at the barrier forever
	}
	t0 := time.Now()
	err := RunTTS(context.Background(), spawn)
	if err == nil || !strings.Contains(err.Error(), "stage talker (pid ") || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("error %v", err)
	}
	if time.Since(t0) > 10*time.Second {
		t.Errorf("the surviving stage was not stopped (%v)", time.Since(t0))
	}
}

// Ctrl-C (a cancelled context) stops every stage process.
func TestInterruptStopsStages(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	spawn := func(stage string) *exec.Cmd { return exec.Command("sleep", "30") }
	go func() { time.Sleep(200 * time.Millisecond); cancel() }()
	t0 := time.Now()
	err := RunDiffusion(ctx, DiffusionConfig{Workers: 2, Requests: 1, Steps: 1, Blocks: 1, Dim: 16, Side: 4, TextLen: 1}, spawn)
	if err == nil || !strings.Contains(err.Error(), "interrupted") || time.Since(t0) > 10*time.Second {
		t.Fatalf("error %v after %v", err, time.Since(t0))
	}
}

// The barrier: both stages must say ready before either is let go.
func TestBarrierPipes(t *testing.T) {
	spawn := func(stage string) *exec.Cmd {
		// fd 3: from the parent, fd 4: to the parent; two rounds of ready → go
		return exec.Command("sh", "-c", "for i in 1 2; do printf R >&4; head -c 1 <&3 >/dev/null; done")
	}
	if err := RunTTS(context.Background(), spawn); err != nil {
		t.Fatal(err)
	}
}
