package workload

import (
	"fmt"
)

// NVTX names of the diffusion pipeline (domain "omnistat", category CatDiffusion).
const (
	RangeDiffusionRequest = "diffusion.request"
	RangeTextEncoder      = "text_encoder.forward"
	RangeDenoiseStep      = "diffusion_forward"
	RangeDiTBlock         = "dit.block"
	RangeVAEDecode        = "vae.decode"
)

// DiffusionConfig sizes the diffusion pipeline.
type DiffusionConfig struct {
	Workers  int     // GPU worker processes (one per GPU, round-robin when fewer GPUs)
	Requests int     // requests, spread over the workers
	Steps    int     // denoising steps per request
	Blocks   int     // DiT blocks per step
	Dim      int     // model width
	Side     int     // latent side: Side² latent tokens
	TextLen  int     // prompt tokens
	Guidance float32 // classifier-free guidance scale
}

// DefaultDiffusion is the default size.
func DefaultDiffusion() DiffusionConfig {
	return DiffusionConfig{Workers: 1, Requests: 2, Steps: 20, Blocks: 4, Dim: 512, Side: 32, TextLen: 64, Guidance: 4.5}
}

// Validate rejects sizes the kernels cannot run.
func (c DiffusionConfig) Validate() error {
	switch {
	case c.Workers < 1 || c.Requests < 1 || c.Steps < 1 || c.Blocks < 1:
		return fmt.Errorf("diffusion: workers, requests, steps and blocks must be at least 1")
	case c.Dim < 16 || c.Dim%16 != 0 || c.Dim > 8192:
		return fmt.Errorf("diffusion: --dim must be a multiple of 16 up to 8192, got %d", c.Dim)
	case c.Side < 4 || c.Side > 128:
		return fmt.Errorf("diffusion: --side must be between 4 and 128, got %d", c.Side)
	case c.Side*c.Side > 12000 || c.TextLen < 1 || c.TextLen > 1024:
		return fmt.Errorf("diffusion: at most 12000 latent tokens and 1..1024 prompt tokens")
	}
	return nil
}

// VAE decoder channels: latent (4) → vaeC1 → ×2 → vaeC1 → ×2 → vaeC2 → RGB.
const (
	vaeC1 = 32
	vaeC2 = 16
)

type ditBlock struct{ ada, q, k, v, o, w1, w2 Ptr }
type encLayer struct{ q, k, v, o, w1, w2 Ptr }

// DiffusionWorker is one GPU worker: text encoder, DiT denoising loop with CFG, VAE decode.
type DiffusionWorker struct {
	d       Device
	cfg     DiffusionConfig
	s       Stream
	nv      Domain
	enc     []encLayer
	blocks  []ditBlock
	tproj   Ptr
	unpatch Ptr
	vae     [4]Ptr
	// activations
	txt, tq, tk, tv, ta, tt, tm Ptr
	cond, ada                   Ptr
	lat, x, h, q, k, v, a, o, m Ptr
	z, i1, i2                   Ptr
	img                         Ptr
	imgBuf                      Host
	// GEMMTFLOPS is the achieved throughput of the warm-up GEMM, for run.json.
	GEMMTFLOPS float64
}

// NewDiffusionWorker allocates the model on d.
func NewDiffusionWorker(d Device, cfg DiffusionConfig) (*DiffusionWorker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	w := &DiffusionWorker{d: d, cfg: cfg, nv: d.NVTX(NVTXDomain)}
	var err error
	if w.s, err = d.NewStream(); err != nil {
		return nil, err
	}
	D, N, L := cfg.Dim, cfg.Side*cfg.Side, cfg.TextLen
	sc := float32(1 / float64(D))
	seed := uint32(1000)
	next := func(n int, s float32) Ptr {
		if err != nil {
			return 0
		}
		seed++
		var p Ptr
		p, err = allocFill(d, w.s, n, seed, s)
		return p
	}
	for i := 0; i < 2; i++ {
		w.enc = append(w.enc, encLayer{next(D*D, sc), next(D*D, sc), next(D*D, sc), next(D*D, sc), next(4*D*D, sc), next(4*D*D, sc)})
	}
	for i := 0; i < cfg.Blocks; i++ {
		w.blocks = append(w.blocks, ditBlock{next(6*D*D, sc), next(D*D, sc), next(D*D, sc), next(D*D, sc), next(D*D, sc), next(4*D*D, sc), next(4*D*D, sc)})
	}
	w.tproj, w.unpatch = next(D*D, sc), next(D*4, sc)
	S4 := 4 * cfg.Side
	w.vae = [4]Ptr{next(vaeC1*4*9, 0.1), next(vaeC1*vaeC1*9, 0.05), next(vaeC2*vaeC1*9, 0.05), next(3*vaeC2*9, 0.1)}
	w.txt, w.tq, w.tk, w.tv, w.ta, w.tt, w.tm = next(2*L*D, 1), next(2*L*D, 0), next(2*L*D, 0), next(2*L*D, 0), next(2*L*D, 0), next(2*L*D, 0), next(2*L*4*D, 0)
	w.cond, w.ada = next(2*D, 0), next(2*6*D, 0)
	w.lat, w.x, w.h = next(N*D, 1), next(2*N*D, 0), next(2*N*D, 0)
	w.q, w.k, w.v, w.a, w.o, w.m = next(2*N*D, 0), next(2*N*D, 0), next(2*N*D, 0), next(2*N*D, 0), next(2*N*D, 0), next(2*N*4*D, 0)
	w.z, w.i1, w.i2, w.img = next(N*4, 0), next(vaeC1*S4*S4, 0), next(vaeC1*S4*S4, 0), next(3*S4*S4, 0)
	if err != nil {
		return nil, err
	}
	if w.imgBuf, err = d.HostAlloc(3*S4*S4*f32, false); err != nil {
		return nil, err
	}
	return w, nil
}

// gemm computes C[M,N] = A[M,K]·B[K,N]: with cuBLAS when the device has it, else the built-in
// kernel.
func (w *DiffusionWorker) gemm(a, b, c Ptr, m, n, k int) error {
	if g, ok := w.d.(GEMMer); ok {
		if done, err := g.GEMM(a, b, c, m, n, k, w.s); done || err != nil {
			return err
		}
	}
	return w.d.Launch("gemm_f32", Dim{uint32((n + 15) / 16), uint32((m + 15) / 16), 1}, Dim{16, 16, 1}, 0, w.s, a, b, c, int32(m), int32(n), int32(k))
}

func (w *DiffusionWorker) launch(name string, n int, args ...any) error {
	return w.d.Launch(name, blocks(n), b256, 0, w.s, args...)
}

// attention runs full attention separately for each of the two CFG halves (rows of seq×D).
func (w *DiffusionWorker) attention(q, k, v, out Ptr, seq int) error {
	D := w.cfg.Dim
	for half := 0; half < 2; half++ {
		off := Ptr(half * seq * D * f32)
		if err := w.d.Launch("attn_full_f32", D1(seq), b256, seq*f32, w.s, q+off, k+off, v+off, out+off, int32(seq), int32(D)); err != nil {
			return err
		}
	}
	return nil
}

func first(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// encodeText runs the two-layer text encoder over both prompts (conditional, unconditional) and
// projects the first token of each into the conditioning vectors.
func (w *DiffusionWorker) encodeText() error {
	D, L := w.cfg.Dim, w.cfg.TextLen
	R := 2 * L
	for _, l := range w.enc {
		if err := first(
			w.gemm(w.txt, l.q, w.tq, R, D, D), w.gemm(w.txt, l.k, w.tk, R, D, D), w.gemm(w.txt, l.v, w.tv, R, D, D),
			w.attention(w.tq, w.tk, w.tv, w.ta, L),
			w.gemm(w.ta, l.o, w.tt, R, D, D), w.launch("add_f32", R*D, w.txt, w.tt, int32(R*D)),
			w.gemm(w.txt, l.w1, w.tm, R, 4*D, D), w.launch("gelu_f32", R*4*D, w.tm, w.tm, int32(R*4*D)),
			w.gemm(w.tm, l.w2, w.tt, R, D, 4*D), w.launch("add_f32", R*D, w.txt, w.tt, int32(R*D)),
		); err != nil {
			return err
		}
	}
	// first token of each prompt → cond (2×D); the two rows are L·D apart, so project each
	if err := w.gemm(w.txt, w.tproj, w.cond, 1, D, D); err != nil {
		return err
	}
	return w.gemm(w.txt+Ptr(L*D*f32), w.tproj, w.cond+Ptr(D*f32), 1, D, D)
}

// dit runs the DiT blocks on x (two CFG halves of N tokens).
func (w *DiffusionWorker) dit(mark bool) error {
	D, N := w.cfg.Dim, w.cfg.Side*w.cfg.Side
	R := 2 * N
	for _, b := range w.blocks {
		if mark {
			w.nv.Push(RangeDiTBlock, CatDiffusion, nil)
		}
		// adaLN modulation vectors of both halves: ada (2 × 6D) = silu(cond) · W_ada
		err := first(w.launch("silu_f32", 2*D, w.cond, w.h, int32(2*D)), w.gemm(w.h, b.ada, w.ada, 2, 6*D, D))
		mod := func(half, j int) Ptr { return w.ada + Ptr((half*6*D+j*D)*f32) }
		rows := func(p Ptr, half int) Ptr { return p + Ptr(half*N*D*f32) }
		for half := 0; half < 2 && err == nil; half++ {
			err = w.d.Launch("adaln_f32", D1(N), b256, 0, w.s, rows(w.x, half), mod(half, 0), mod(half, 1), rows(w.h, half), int32(D))
		}
		if err == nil {
			err = first(w.gemm(w.h, b.q, w.q, R, D, D), w.gemm(w.h, b.k, w.k, R, D, D), w.gemm(w.h, b.v, w.v, R, D, D),
				w.attention(w.q, w.k, w.v, w.a, N), w.gemm(w.a, b.o, w.o, R, D, D))
		}
		for half := 0; half < 2 && err == nil; half++ {
			err = first(w.launch("gated_add_f32", N*D, rows(w.x, half), mod(half, 2), rows(w.o, half), int32(N*D), int32(D)),
				w.d.Launch("adaln_f32", D1(N), b256, 0, w.s, rows(w.x, half), mod(half, 3), mod(half, 4), rows(w.h, half), int32(D)))
		}
		if err == nil {
			err = first(w.gemm(w.h, b.w1, w.m, R, 4*D, D), w.launch("gelu_f32", R*4*D, w.m, w.m, int32(R*4*D)), w.gemm(w.m, b.w2, w.o, R, D, 4*D))
		}
		for half := 0; half < 2 && err == nil; half++ {
			err = w.launch("gated_add_f32", N*D, rows(w.x, half), mod(half, 5), rows(w.o, half), int32(N*D), int32(D))
		}
		if mark {
			w.nv.Pop()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Generate runs one request: text encoder, Steps denoising steps with CFG, VAE decode, and a copy
// of the image to the host. mark adds the NVTX ranges (off during warm-up).
func (w *DiffusionWorker) Generate(steps int, mark bool) error {
	D, N, S := w.cfg.Dim, w.cfg.Side*w.cfg.Side, w.cfg.Side
	push := func(name string) {
		if mark {
			w.nv.Push(name, CatDiffusion, nil)
		}
	}
	pop := func() {
		if mark {
			w.nv.Pop()
		}
	}
	push(RangeTextEncoder)
	err := w.encodeText()
	pop()
	if err != nil {
		return err
	}
	if err := fill(w.d, w.s, w.lat, N*D, 7, 1); err != nil {
		return err
	}
	for i := 0; i < steps; i++ {
		push(RangeDenoiseStep)
		err := first(
			w.d.Memset(w.x, 0, 2*N*D*f32, w.s),
			w.launch("add_f32", N*D, w.x, w.lat, int32(N*D)),
			w.launch("add_f32", N*D, w.x+Ptr(N*D*f32), w.lat, int32(N*D)),
			w.dit(mark),
			w.launch("cfg_step_f32", N*D, w.lat, w.x, w.x+Ptr(N*D*f32), w.cfg.Guidance, float32(1)/float32(steps), int32(N*D)),
		)
		pop()
		if err != nil {
			return err
		}
	}
	push(RangeVAEDecode)
	defer pop()
	S2, S4 := 2*S, 4*S
	return first(
		w.gemm(w.lat, w.unpatch, w.z, N, 4, D),
		w.launch("conv2d_f32", vaeC1*S*S, w.z, w.vae[0], w.i1, int32(4), int32(vaeC1), int32(S), int32(S)),
		w.launch("upsample2d_f32", vaeC1*S2*S2, w.i1, w.i2, int32(vaeC1), int32(S), int32(S)),
		w.launch("conv2d_f32", vaeC1*S2*S2, w.i2, w.vae[1], w.i1, int32(vaeC1), int32(vaeC1), int32(S2), int32(S2)),
		w.launch("upsample2d_f32", vaeC1*S4*S4, w.i1, w.i2, int32(vaeC1), int32(S2), int32(S2)),
		w.launch("conv2d_f32", vaeC2*S4*S4, w.i2, w.vae[2], w.i1, int32(vaeC1), int32(vaeC2), int32(S4), int32(S4)),
		w.launch("conv2d_f32", 3*S4*S4, w.i1, w.vae[3], w.img, int32(vaeC2), int32(3), int32(S4), int32(S4)),
		w.d.CopyDtoH(w.imgBuf, w.img, 3*S4*S4*f32, w.s),
		w.d.Sync(w.s),
	)
}

// Warmup runs a one-step request without NVTX and times a large GEMM (GEMMTFLOPS).
func (w *DiffusionWorker) Warmup() error {
	if err := w.Generate(1, false); err != nil {
		return err
	}
	// time a large GEMM between two events (the device's clock, not the host's)
	D, R := w.cfg.Dim, 2*w.cfg.Side*w.cfg.Side
	start, err := w.d.NewEvent()
	if err != nil {
		return err
	}
	end, err := w.d.NewEvent()
	if err != nil {
		return err
	}
	const reps = 5
	if err := w.d.Record(start, w.s); err != nil {
		return err
	}
	for i := 0; i < reps; i++ {
		if err := w.gemm(w.h, w.blocks[0].w1, w.m, R, 4*D, D); err != nil {
			return err
		}
	}
	if err := w.d.Record(end, w.s); err != nil {
		return err
	}
	ms, err := w.d.Elapsed(start, end)
	if err != nil {
		return err
	}
	if ms > 0 {
		w.GEMMTFLOPS = reps * 2 * float64(R) * float64(4*D) * float64(D) / (ms / 1e3) / 1e12
	}
	return w.d.Sync(w.s)
}

// Serve runs one request with its NVTX request range.
func (w *DiffusionWorker) Serve() error {
	id := w.nv.Start(RangeDiffusionRequest, CatDiffusion)
	defer w.nv.End(id)
	return w.Generate(w.cfg.Steps, true)
}
