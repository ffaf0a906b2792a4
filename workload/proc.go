package workload

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// Barrier is the parent-coordinated barrier of the stage processes: Wait says "ready" and
// blocks until every stage is ready and the parent says "go".
type Barrier interface{ Wait() error }

// PipeBarrier is a Barrier over two pipes to the parent.
type PipeBarrier struct {
	From io.Reader // the parent's "go"
	To   io.Writer // our "ready"
}

// Wait implements Barrier.
func (b PipeBarrier) Wait() error {
	if _, err := b.To.Write([]byte{'R'}); err != nil {
		return fmt.Errorf("barrier: tell the parent: %w", err)
	}
	var buf [1]byte
	if _, err := io.ReadFull(b.From, buf[:]); err != nil || buf[0] != 'G' {
		return fmt.Errorf("barrier: the parent went away")
	}
	return nil
}

// SetProcessName renames the calling process (its comm, at most 15 bytes, as prctl does), the
// way serving frameworks name their stage workers; errors are ignored.
func SetProcessName(name string) {
	if len(name) > 15 {
		name = name[:15]
	}
	_ = os.WriteFile("/proc/self/comm", []byte(name), 0)
}

// writeChunk sends a chunk of tokens: request, count, tokens (int32, little-endian);
// a count of 0 ends the stream.
func writeChunk(w io.Writer, req int, chunk []int32) error {
	buf := make([]byte, 8+4*len(chunk))
	binary.LittleEndian.PutUint32(buf, uint32(req))
	binary.LittleEndian.PutUint32(buf[4:], uint32(len(chunk)))
	for i, v := range chunk {
		binary.LittleEndian.PutUint32(buf[8+4*i:], uint32(v))
	}
	_, err := w.Write(buf)
	return err
}

func readChunk(r io.Reader) (req int, chunk []int32, err error) {
	var hdr [8]byte
	if _, err = io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.LittleEndian.Uint32(hdr[4:])
	if n > 1<<20 {
		return 0, nil, fmt.Errorf("chunk of %d tokens: stream corrupt", n)
	}
	buf := make([]byte, 4*n)
	if _, err = io.ReadFull(r, buf); err != nil {
		return 0, nil, err
	}
	chunk = make([]int32, n)
	for i := range chunk {
		chunk[i] = int32(binary.LittleEndian.Uint32(buf[4*i:]))
	}
	return int(binary.LittleEndian.Uint32(hdr[:])), chunk, nil
}

// TalkerStage is the body of the talker process: build and warm up outside the capture range,
// meet the other stage, open the capture range, decode, stream chunks to out, close the range.
func TalkerStage(d Device, cfg TTSConfig, bar Barrier, out io.Writer) error {
	t, err := NewTalker(d, cfg)
	if err != nil {
		return err
	}
	if err := t.Warmup(); err != nil {
		return err
	}
	if err := bar.Wait(); err != nil {
		return err
	}
	if err := d.ProfilerStart(); err != nil {
		return err
	}
	bw := bufio.NewWriter(out)
	err = t.Run(func(req int, chunk []int32) error {
		if err := writeChunk(bw, req, chunk); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err == nil {
		if err = writeChunk(bw, 0, nil); err == nil {
			err = bw.Flush()
		}
	}
	if err != nil {
		return err
	}
	if err := bar.Wait(); err != nil {
		return err
	}
	return d.ProfilerStop()
}

// Code2WavStage is the body of the code2wav process: vocode every chunk read from in.
func Code2WavStage(d Device, cfg TTSConfig, bar Barrier, in io.Reader) error {
	c, err := NewCode2Wav(d, cfg)
	if err != nil {
		return err
	}
	if err := c.Warmup(); err != nil {
		return err
	}
	if err := bar.Wait(); err != nil {
		return err
	}
	if err := d.ProfilerStart(); err != nil {
		return err
	}
	br := bufio.NewReader(in)
	for {
		_, chunk, err := readChunk(br)
		if err != nil {
			return fmt.Errorf("code2wav: reading chunks from the talker: %w", err)
		}
		if len(chunk) == 0 {
			break
		}
		if _, err := c.Decode(chunk); err != nil {
			return err
		}
	}
	if err := bar.Wait(); err != nil {
		return err
	}
	return d.ProfilerStop()
}

// DiffusionStage is the body of a diffusion worker: serve the request ids read from in (int32,
// -1 ends) inside the capture range.
func DiffusionStage(d Device, cfg DiffusionConfig, bar Barrier, in io.Reader) (*DiffusionWorker, error) {
	w, err := NewDiffusionWorker(d, cfg)
	if err != nil {
		return nil, err
	}
	if err := w.Warmup(); err != nil {
		return nil, err
	}
	if err := bar.Wait(); err != nil {
		return nil, err
	}
	if err := d.ProfilerStart(); err != nil {
		return nil, err
	}
	for {
		var b [4]byte
		if _, err := io.ReadFull(in, b[:]); err != nil {
			return nil, fmt.Errorf("diffusion worker: reading requests: %w", err)
		}
		if int32(binary.LittleEndian.Uint32(b[:])) < 0 {
			break
		}
		if err := w.Serve(); err != nil {
			return nil, err
		}
	}
	if err := bar.Wait(); err != nil {
		return nil, err
	}
	return w, d.ProfilerStop()
}

// Child is a stage process as the parent sees it.
type Child struct {
	Stage string
	Cmd   *exec.Cmd
	ctlTo *os.File // parent → child "go"
	ctlIn *os.File // child → parent "ready"
}

// Spawner starts a stage process: the command to run, to which Spawn adds the barrier pipes
// as fds 3 (from the parent) and 4 (to the parent), then data as fd 5.
type Spawner func(stage string) *exec.Cmd

// StageFDs are the file descriptors a stage process receives.
const (
	FDFromParent = 3
	FDToParent   = 4
	FDData       = 5
)

// startChild starts one stage with its barrier pipes and data file.
func startChild(spawn Spawner, stage string, data *os.File) (*Child, error) {
	goR, goW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := spawn(stage)
	cmd.ExtraFiles = []*os.File{goR, readyW, data}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start stage %s: %w", stage, err)
	}
	goR.Close()
	readyW.Close()
	return &Child{Stage: stage, Cmd: cmd, ctlTo: goW, ctlIn: readyR}, nil
}

// supervise runs the barrier for the children (phases rounds of ready → go) and waits for them.
// When one exits early or fails, the others are killed and the error names the stage and its
// exit status.
func supervise(ctx context.Context, children []*Child, phases int) error {
	type exit struct {
		c   *Child
		err error
	}
	exits := make(chan exit, len(children))
	for _, c := range children {
		go func() { exits <- exit{c, c.Cmd.Wait()} }()
	}
	killAll := func() {
		for _, c := range children {
			if c.Cmd.Process != nil {
				c.Cmd.Process.Kill()
			}
		}
	}
	barrier := make(chan error, 1)
	go func() {
		for p := 0; p < phases; p++ {
			for _, c := range children {
				var b [1]byte
				if _, err := io.ReadFull(c.ctlIn, b[:]); err != nil {
					barrier <- fmt.Errorf("stage %s left before the barrier", c.Stage)
					return
				}
			}
			for _, c := range children {
				c.ctlTo.Write([]byte{'G'})
			}
		}
		barrier <- nil
	}()
	var failed []string
	done := 0
	var once sync.Once
	for done < len(children) {
		select {
		case <-ctx.Done():
			once.Do(killAll)
			return fmt.Errorf("interrupted: stage processes stopped")
		case e := <-exits:
			done++
			if e.err != nil {
				failed = append(failed, fmt.Sprintf("stage %s (pid %d) failed: %v", e.c.Stage, e.c.Cmd.Process.Pid, e.err))
				once.Do(killAll)
			}
		}
	}
	for _, c := range children {
		c.ctlTo.Close()
		c.ctlIn.Close()
	}
	if len(failed) > 0 {
		return errors.New(strings.Join(failed, "; "))
	}
	return nil
}

// RunTTS runs the TTS pipeline as two stage processes (talker → code2wav) started by spawn.
func RunTTS(ctx context.Context, spawn Spawner) error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	talker, err := startChild(spawn, "talker", w)
	if err != nil {
		return err
	}
	voc, err := startChild(spawn, "code2wav", r)
	if err != nil {
		talker.Cmd.Process.Kill()
		return err
	}
	r.Close()
	w.Close()
	return supervise(ctx, []*Child{talker, voc}, 2)
}

// RunDiffusion runs the engine (this process, no GPU work) and cfg.Workers worker processes;
// requests go round-robin to the workers.
func RunDiffusion(ctx context.Context, cfg DiffusionConfig, spawn Spawner) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	var children []*Child
	var feeds []*os.File
	for i := 0; i < cfg.Workers; i++ {
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		c, err := startChild(spawn, fmt.Sprintf("worker%d", i), r)
		if err != nil {
			for _, c := range children {
				c.Cmd.Process.Kill()
			}
			return err
		}
		r.Close()
		children = append(children, c)
		feeds = append(feeds, w)
	}
	for i := 0; i < cfg.Requests; i++ {
		binary.Write(feeds[i%cfg.Workers], binary.LittleEndian, int32(i))
	}
	for _, f := range feeds {
		binary.Write(f, binary.LittleEndian, int32(-1))
		f.Close()
	}
	return supervise(ctx, children, 2)
}
