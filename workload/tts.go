package workload

import (
	"encoding/binary"
	"fmt"
)

// NVTX names and categories of the TTS pipeline (domain "omnistat").
const (
	NVTXDomain      = "omnistat"
	CatTalker       = 1
	CatCode2Wav     = 2
	CatDiffusion    = 3
	RangeDecodeStep = "talker.decode_step"
	RangePrefill    = "talker.prefill"
	RangeTTSRequest = "tts.request"
	RangeChunk      = "code2wav.decode_chunk"
	MarkChunkSent   = "talker.chunk_sent"
)

// TTSConfig sizes the TTS pipeline.
type TTSConfig struct {
	Requests int  // requests served inside the capture range
	Tokens   int  // codec tokens per request
	Chunk    int  // tokens per chunk streamed to code2wav
	Layers   int  // decoder layers of the talker
	Hidden   int  // talker width: GEMV weights are Hidden×Hidden…4·Hidden fp32
	Vocab    int  // codec vocabulary
	Pinned   bool // copy tokens and audio through pinned host buffers (else pageable)
	Graphs   bool // capture the decode step once into a CUDA graph and replay it
}

// DefaultTTS is the default size: about 1 ms of GPU time per token on an H200, so a pageable
// token copy waits for the GPU.
func DefaultTTS() TTSConfig {
	return TTSConfig{Requests: 2, Tokens: 64, Chunk: 16, Layers: 4, Hidden: 4096, Vocab: 1024}
}

// Validate rejects sizes the kernels cannot run.
func (c TTSConfig) Validate() error {
	switch {
	case c.Requests < 1 || c.Tokens < 1 || c.Chunk < 1 || c.Layers < 1:
		return fmt.Errorf("tts: requests, tokens, chunk and layers must be at least 1")
	case c.Hidden < 32 || c.Hidden%32 != 0 || c.Hidden > 16384:
		return fmt.Errorf("tts: --hidden must be a multiple of 32 between 32 and 16384, got %d", c.Hidden)
	case c.Vocab < 2 || c.Vocab > 1<<20:
		return fmt.Errorf("tts: --vocab must be between 2 and 1048576, got %d", c.Vocab)
	case c.Tokens > 8192:
		return fmt.Errorf("tts: at most 8192 tokens per request (the KV cache is sized for it), got %d", c.Tokens)
	}
	return nil
}

const f32 = 4

// blocks is the grid size for n elements at 256 threads.
func blocks(n int) Dim { return D1((n + 255) / 256) }

var b256 = D1(256)

// fill initialises n floats at p with a deterministic pattern.
func fill(d Device, s Stream, p Ptr, n int, seed uint32, scale float32) error {
	return d.Launch("fill_f32", blocks(n), b256, 0, s, p, int32(n), seed, scale)
}

// alloc allocates n floats and fills them.
func allocFill(d Device, s Stream, n int, seed uint32, scale float32) (Ptr, error) {
	p, err := d.Alloc(n * f32)
	if err != nil {
		return 0, err
	}
	return p, fill(d, s, p, n, seed, scale)
}

// gemv launches y = W·x with W of n rows and k columns.
func gemv(d Device, s Stream, w, x, y Ptr, n, k int) error {
	return d.Launch("gemv_f32", D1((n+7)/8), b256, 0, s, w, x, y, int32(n), int32(k))
}

type talkerLayer struct{ n1, qkv, o, n2, w1, w2, kc, vc Ptr }

// Talker is stage 0 of the TTS pipeline: autoregressive decoding of codec tokens.
type Talker struct {
	d      Device
	cfg    TTSConfig
	s      Stream
	nv     Domain
	emb    Ptr
	layers []talkerLayer
	nf     Ptr
	out    Ptr
	x, h   Ptr // residual and normed activations (Hidden)
	qkv    Ptr // 3·Hidden
	att    Ptr // Hidden
	tmp    Ptr // Hidden
	mlp    Ptr // 4·Hidden
	logits Ptr // Vocab
	tok    Ptr // int32 on the device: the last sampled token
	pos    Ptr // int32 on the device: the position in the KV cache
	host   Host
	graph  Graph
}

// NewTalker allocates and initialises the talker's weights and buffers on d.
func NewTalker(d Device, cfg TTSConfig) (*Talker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	t := &Talker{d: d, cfg: cfg, nv: d.NVTX(NVTXDomain)}
	var err error
	if t.s, err = d.NewStream(); err != nil {
		return nil, err
	}
	H, V, T := cfg.Hidden, cfg.Vocab, cfg.Tokens+1
	scale := float32(1 / float64(H))
	seed := uint32(1)
	next := func(n int, sc float32) Ptr {
		if err != nil {
			return 0
		}
		seed++
		var p Ptr
		p, err = allocFill(d, t.s, n, seed, sc)
		return p
	}
	t.emb = next(V*H, 1)
	for i := 0; i < cfg.Layers; i++ {
		t.layers = append(t.layers, talkerLayer{
			n1: next(H, 1), qkv: next(3*H*H, scale), o: next(H*H, scale),
			n2: next(H, 1), w1: next(4*H*H, scale), w2: next(4*H*H, scale),
			kc: next(T*H, 0), vc: next(T*H, 0),
		})
	}
	t.nf, t.out = next(H, 1), next(V*H, scale)
	t.x, t.h, t.qkv, t.att, t.tmp, t.mlp, t.logits = next(H, 0), next(H, 0), next(3*H, 0), next(H, 0), next(H, 0), next(4*H, 0), next(V, 0)
	if err != nil {
		return nil, err
	}
	if t.tok, err = d.Alloc(f32); err != nil {
		return nil, err
	}
	if t.pos, err = d.Alloc(f32); err != nil {
		return nil, err
	}
	if t.host, err = d.HostAlloc(f32, cfg.Pinned); err != nil {
		return nil, err
	}
	return t, t.reset()
}

func (t *Talker) reset() error {
	if err := t.d.Memset(t.tok, 0, f32, t.s); err != nil {
		return err
	}
	return t.d.Memset(t.pos, 0, f32, t.s)
}

// step enqueues one decode step on the talker's stream: embedding of the last token, the
// decoder layers, the output projection and greedy sampling, which also advances the position.
// Everything stays on the device, so the step can be captured into a graph.
func (t *Talker) step() error {
	d, s, H := t.d, t.s, t.cfg.Hidden
	L := func(name string, grid, block Dim, shmem int, args ...any) error {
		return d.Launch(name, grid, block, shmem, s, args...)
	}
	if err := L("embed_f32", blocks(H), b256, 0, t.emb, t.tok, t.x, int32(H)); err != nil {
		return err
	}
	T := t.cfg.Tokens + 1
	for _, l := range t.layers {
		for _, err := range []error{
			L("rmsnorm_f32", D1(1), b256, 0, t.x, l.n1, t.h, int32(H)),
			gemv(d, s, l.qkv, t.h, t.qkv, 3*H, H),
			L("kv_append_f32", blocks(H), b256, 0, t.qkv+Ptr(H*f32), t.qkv+Ptr(2*H*f32), l.kc, l.vc, t.pos, int32(H)),
			L("attn_decode_f32", D1(1), b256, T*f32, t.qkv, l.kc, l.vc, t.att, t.pos, int32(H)),
			gemv(d, s, l.o, t.att, t.tmp, H, H),
			L("add_f32", blocks(H), b256, 0, t.x, t.tmp, int32(H)),
			L("rmsnorm_f32", D1(1), b256, 0, t.x, l.n2, t.h, int32(H)),
			gemv(d, s, l.w1, t.h, t.mlp, 4*H, H),
			L("silu_f32", blocks(4*H), b256, 0, t.mlp, t.mlp, int32(4*H)),
			gemv(d, s, l.w2, t.mlp, t.tmp, H, 4*H),
			L("add_f32", blocks(H), b256, 0, t.x, t.tmp, int32(H)),
		} {
			if err != nil {
				return err
			}
		}
	}
	V := t.cfg.Vocab
	for _, err := range []error{
		L("rmsnorm_f32", D1(1), b256, 0, t.x, t.nf, t.h, int32(H)),
		gemv(d, s, t.out, t.h, t.logits, V, H),
		L("argmax_f32", D1(1), b256, 0, t.logits, t.tok, t.pos, int32(V)),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// KernelsPerToken is how many kernels one decode step launches.
func (c TTSConfig) KernelsPerToken() int { return 1 + 11*c.Layers + 3 }

// Warmup runs two decode steps (and, with Graphs, captures the step into a graph), then resets
// the state. It belongs before the capture range.
func (t *Talker) Warmup() error {
	for i := 0; i < 2; i++ {
		if err := t.step(); err != nil {
			return err
		}
	}
	if t.cfg.Graphs {
		if err := t.d.BeginCapture(t.s); err != nil {
			return err
		}
		if err := t.step(); err != nil {
			return err
		}
		g, err := t.d.EndCapture(t.s)
		if err != nil {
			return err
		}
		t.graph = g
	}
	if err := t.reset(); err != nil {
		return err
	}
	return t.d.Sync(t.s)
}

// Run serves the configured requests: per token one decode step (or graph replay) and a
// device-to-host copy of the sampled token, sending each full chunk to send.
func (t *Talker) Run(send func(req int, chunk []int32) error) error {
	for r := 0; r < t.cfg.Requests; r++ {
		id := t.nv.Start(RangeTTSRequest, CatTalker)
		t.nv.Push(RangePrefill, CatTalker, nil)
		err := t.reset()
		t.nv.Pop()
		if err != nil {
			return err
		}
		var chunk []int32
		for i := 0; i < t.cfg.Tokens; i++ {
			p := int64(i)
			t.nv.Push(RangeDecodeStep, CatTalker, &p)
			tok, err := t.decode()
			t.nv.Pop()
			if err != nil {
				return err
			}
			chunk = append(chunk, tok)
			if len(chunk) == t.cfg.Chunk || i == t.cfg.Tokens-1 {
				if err := send(r, chunk); err != nil {
					return err
				}
				t.nv.Mark(MarkChunkSent, CatTalker)
				chunk = nil
			}
		}
		t.nv.End(id)
	}
	return t.d.Sync(t.s)
}

// decode runs one step and brings the token to the host.
func (t *Talker) decode() (int32, error) {
	var err error
	if t.graph != 0 {
		err = t.d.GraphLaunch(t.graph, t.s)
	} else {
		err = t.step()
	}
	if err != nil {
		return 0, err
	}
	if err := t.d.CopyDtoH(t.host, t.tok, f32, t.s); err != nil {
		return 0, err
	}
	if t.cfg.Pinned { // an async copy into pinned memory returns at once: wait for it
		if err := t.d.Sync(t.s); err != nil {
			return 0, err
		}
	}
	return int32(binary.LittleEndian.Uint32(t.host.Bytes())), nil
}

// Code2Wav is stage 1 of the TTS pipeline: a small vocoder turning chunks of codec tokens
// into audio (embedding, three convolution + ×4 upsampling blocks, an output convolution).
type Code2Wav struct {
	d        Device
	cfg      TTSConfig
	s        Stream
	nv       Domain
	emb      Ptr
	convs    [3]Ptr
	post     Ptr
	codes    Ptr
	a, b     Ptr
	audio    Ptr
	codesBuf Host
	audioBuf Host
}

const (
	vocChannels = 64
	vocKernel   = 5
	vocUp       = 4
)

// NewCode2Wav allocates the vocoder on d.
func NewCode2Wav(d Device, cfg TTSConfig) (*Code2Wav, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Code2Wav{d: d, cfg: cfg, nv: d.NVTX(NVTXDomain)}
	var err error
	if c.s, err = d.NewStream(); err != nil {
		return nil, err
	}
	C, n := vocChannels, cfg.Chunk
	maxT := n * vocUp * vocUp * vocUp
	seed := uint32(100)
	next := func(count int, sc float32) Ptr {
		if err != nil {
			return 0
		}
		seed++
		var p Ptr
		p, err = allocFill(d, c.s, count, seed, sc)
		return p
	}
	c.emb = next(cfg.Vocab*C, 1)
	for i := range c.convs {
		c.convs[i] = next(C*C*vocKernel, 0.05)
	}
	c.post = next(C*7, 0.05)
	c.a, c.b, c.audio = next(C*maxT, 0), next(C*maxT, 0), next(maxT, 0)
	if err != nil {
		return nil, err
	}
	if c.codes, err = d.Alloc(n * f32); err != nil {
		return nil, err
	}
	if c.codesBuf, err = d.HostAlloc(n*f32, cfg.Pinned); err != nil {
		return nil, err
	}
	if c.audioBuf, err = d.HostAlloc(maxT*f32, cfg.Pinned); err != nil {
		return nil, err
	}
	return c, nil
}

// Decode vocodes one chunk of codes and copies the audio to the host; it returns the samples.
func (c *Code2Wav) Decode(codes []int32) (int, error) {
	c.nv.Push(RangeChunk, CatCode2Wav, nil)
	defer c.nv.Pop()
	if len(codes) > c.cfg.Chunk {
		return 0, fmt.Errorf("code2wav: chunk of %d codes, at most %d", len(codes), c.cfg.Chunk)
	}
	d, s, C := c.d, c.s, vocChannels
	buf := c.codesBuf.Bytes()
	for i, v := range codes {
		binary.LittleEndian.PutUint32(buf[4*i:], uint32(v)%uint32(c.cfg.Vocab))
	}
	if err := d.CopyHtoD(c.codes, c.codesBuf, len(codes)*f32, s); err != nil {
		return 0, err
	}
	T := len(codes)
	if err := d.Launch("code_embed_f32", blocks(C*T), b256, 0, s, c.emb, c.codes, c.a, int32(C), int32(T)); err != nil {
		return 0, err
	}
	for _, w := range c.convs {
		if err := d.Launch("conv1d_f32", blocks(C*T), b256, 0, s, c.a, w, c.b, int32(C), int32(C), int32(T), int32(vocKernel)); err != nil {
			return 0, err
		}
		if err := d.Launch("upsample1d_f32", blocks(C*T*vocUp), b256, 0, s, c.b, c.a, int32(C), int32(T), int32(vocUp)); err != nil {
			return 0, err
		}
		T *= vocUp
	}
	if err := d.Launch("conv1d_f32", blocks(T), b256, 0, s, c.a, c.post, c.audio, int32(C), int32(1), int32(T), int32(7)); err != nil {
		return 0, err
	}
	if err := d.CopyDtoH(c.audioBuf, c.audio, T*f32, s); err != nil {
		return 0, err
	}
	return T, d.Sync(s)
}

// Warmup vocodes one chunk of zeros outside the capture range.
func (c *Code2Wav) Warmup() error {
	_, err := c.Decode(make([]int32, c.cfg.Chunk))
	return err
}
