"""Small PyTorch models for the foreign-pipeline generators: an autoregressive talker with a
slot-based KV cache (prefill and batched decode), a graph-capturable single-slot talker step, a
code/feature vocoder (1-D convolutions and upsampling), a DiT-like denoiser with adaLN and a VAE-like
decoder (2-D convolutions), and a plain transformer stack. Weights are random; shapes are small."""
import torch
import torch.nn.functional as F

import fcommon


def act_dtype():
    return torch.float32 if fcommon.FAKE else torch.bfloat16


def rms(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * w


def _param(g, dev, dtype, scale):
    def p(*shape):
        return (torch.randn(*shape, generator=g) * scale).to(dev, dtype)
    return p


class Talker:
    """Autoregressive decoder over a KV cache of `slots` sequences; forward() takes a flat batch of
    prefill and decode tokens described by segments (slot, start position, count)."""

    def __init__(self, dev, hidden=1024, layers=4, vocab=2048, slots=4, maxlen=192, extra_cols=0, seed=0):
        g = torch.Generator(device=dev).manual_seed(seed)
        H = hidden

        def p(*shape):  # made on the device: large talkers need no host copy of their weights
            return torch.randn(*shape, generator=g, device=dev) * H ** -0.5

        self.dev, self.H = dev, H
        self.emb = p(vocab, H)
        self.layers = [dict(n1=torch.ones(H, device=dev), qkv=p(H, 3 * H), o=p(H, H),
                            n2=torch.ones(H, device=dev), w1=p(H, 4 * H), w2=p(4 * H, H)) for _ in range(layers)]
        self.wx = p(H, extra_cols) if extra_cols else None  # extra matmul work (the "slow" build)
        self.nf = torch.ones(H, device=dev)
        self.out = p(H, vocab)
        self.kc = torch.zeros(layers, slots, maxlen, H, device=dev)
        self.vc = torch.zeros(layers, slots, maxlen, H, device=dev)

    def forward(self, toks, segs, add=None, extra=False):
        """toks: (N,) long on the device; segs: [(slot, pos, n)], in toks order; add: (N, H) or None,
        added to the embeddings; extra: run the extra matmul. Returns the greedy next token of each
        segment, on the device."""
        x = self.emb.index_select(0, toks)
        if add is not None:
            x = x + add
        sc_ = self.H ** -0.5
        for i, l in enumerate(self.layers):
            h = rms(x, l["n1"])
            q, k, v = (h @ l["qkv"]).split(self.H, dim=-1)
            outs, off = [], 0
            for slot, pos, n in segs:
                self.kc[i, slot, pos:pos + n] = k[off:off + n]
                self.vc[i, slot, pos:pos + n] = v[off:off + n]
                K, V = self.kc[i, slot, :pos + n], self.vc[i, slot, :pos + n]
                s = (q[off:off + n] @ K.t()) * sc_
                if n > 1:
                    mask = torch.ones(n, pos + n, device=self.dev, dtype=torch.bool).triu(pos + 1)
                    s = s.masked_fill(mask, float("-inf"))
                outs.append(torch.softmax(s, dim=-1) @ V)
                off += n
            x = x + torch.cat(outs) @ l["o"]
            h = rms(x, l["n2"])
            x = x + F.silu(h @ l["w1"]) @ l["w2"]
        if extra and self.wx is not None:
            x = x + (x @ self.wx)[:, :self.H] * 0.01
        lasts, off = [], 0
        for _, _, n in segs:
            off += n
            lasts.append(x[off - 1])
        xl = torch.stack(lasts)
        return (rms(xl, self.nf) @ self.out).argmax(dim=-1)


class StaticTalker:
    """Single-sequence decode step on static buffers (tok, pos), capturable into a CUDA graph; the
    token also lands in a pinned host buffer inside the step."""

    def __init__(self, dev, hidden=1024, layers=6, vocab=2048, maxlen=256, seed=0):
        g = torch.Generator().manual_seed(seed)
        H = hidden
        p = _param(g, dev, torch.float32, H ** -0.5)
        self.H = H
        self.emb = p(vocab, H)
        self.layers = [dict(n1=torch.ones(H, device=dev), qkv=p(H, 3 * H), o=p(H, H),
                            n2=torch.ones(H, device=dev), w1=p(H, 4 * H), w2=p(4 * H, H)) for _ in range(layers)]
        self.nf = torch.ones(H, device=dev)
        self.out = p(H, vocab)
        self.kc = torch.zeros(layers, maxlen, H, device=dev)
        self.vc = torch.zeros(layers, maxlen, H, device=dev)
        self.ar = torch.arange(maxlen, device=dev)
        self.tok = torch.zeros(1, dtype=torch.long, device=dev)
        self.pos = torch.zeros(1, dtype=torch.long, device=dev)
        self.host = fcommon.pinned(torch.zeros(1, dtype=torch.long))
        self.copy_host = True  # the token's copy to the pinned host buffer is part of the step

    def step(self):
        x = self.emb.index_select(0, self.tok)
        for i, l in enumerate(self.layers):
            h = rms(x, l["n1"])
            q, k, v = (h @ l["qkv"]).split(self.H, dim=-1)
            self.kc[i].index_copy_(0, self.pos, k)
            self.vc[i].index_copy_(0, self.pos, v)
            s = (q @ self.kc[i].t()) * (self.H ** -0.5)
            s = s.masked_fill(self.ar > self.pos, float("-inf"))
            x = x + (torch.softmax(s, dim=-1) @ self.vc[i]) @ l["o"]
            h = rms(x, l["n2"])
            x = x + F.silu(h @ l["w1"]) @ l["w2"]
        self.tok.copy_((rms(x, self.nf) @ self.out).argmax(dim=-1))
        self.pos.add_(1)
        if self.copy_host:
            self.host.copy_(self.tok, non_blocking=True)

    def reset(self):
        self.tok.zero_()
        self.pos.zero_()


class Vocoder:
    """Codes (or features) → waveform: embedding/projection, 1-D convolutions with ×2 upsampling."""

    def __init__(self, dev, vocab=2048, feat=0, ch=128, ups=3, seed=1):
        g = torch.Generator().manual_seed(seed)
        self.emb = (torch.randn(vocab, ch, generator=g)).to(dev)
        self.proj = (torch.randn(feat, ch, generator=g) * feat ** -0.5).to(dev) if feat else None
        self.convs = [(torch.randn(ch, ch, 5, generator=g) * 0.05).to(dev) for _ in range(ups)]
        self.post = (torch.randn(1, ch, 7, generator=g) * 0.05).to(dev)

    def __call__(self, codes):
        return self.run(self.emb[codes].t().unsqueeze(0))

    def feats(self, f):
        return (f.float() @ self.proj).t().unsqueeze(0)

    def run(self, x):
        for w in self.convs:
            x = F.leaky_relu(F.conv1d(x, w, padding=2), 0.1)
            x = F.interpolate(x, scale_factor=2, mode="nearest")
        return torch.tanh(F.conv1d(x, self.post, padding=3)).squeeze(0).squeeze(0)


class DiT:
    """DiT-like denoiser: adaLN-modulated attention + MLP blocks over latent patches, with
    classifier-free guidance (batch 2), and a VAE-like conv2d decoder."""

    def __init__(self, dev, dim=384, blocks=2, heads=4, side=16, seed=0):
        g = torch.Generator().manual_seed(seed)
        dt = act_dtype()
        p = _param(g, dev, dt, dim ** -0.5)
        self.dev, self.D, self.heads, self.side, self.dt = dev, dim, heads, side, dt
        self.txt = p(512, dim)
        self.tproj = p(dim, dim)
        self.blocks = [dict(ada=p(dim, 6 * dim), qkv=p(dim, 3 * dim), o=p(dim, dim), w1=p(dim, 4 * dim),
                            w2=p(4 * dim, dim)) for _ in range(blocks)]
        self.unpatch = p(dim, 4)
        c = lambda o, i, s: (torch.randn(o, i, 3, 3, generator=g) * s).to(dev, dt)  # noqa: E731
        self.vae = [c(64, 4, 0.1), c(64, 64, 0.05), c(32, 64, 0.05), c(3, 32, 0.1)]

    def attn(self, x, qkv, o):
        B, N, D = x.shape
        q, k, v = (x @ qkv).view(B, N, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)
        s = (q @ k.transpose(-1, -2)) * (D // self.heads) ** -0.5
        y = torch.softmax(s.float(), dim=-1).to(self.dt) @ v
        return y.transpose(1, 2).reshape(B, N, D) @ o

    def encode(self, ids):
        """ids (2, L) long: conditional and unconditional prompt → cond (2, 1, D)."""
        x = self.txt[ids]
        x = x + self.attn(F.layer_norm(x, (self.D,)), self.blocks[0]["qkv"], self.blocks[0]["o"])
        return x.mean(1, keepdim=True) @ self.tproj

    def noise(self):
        return torch.randn(1, self.side * self.side, self.D, device=self.dev, dtype=self.dt)

    def step(self, lat, cond, guidance=4.0):
        x = torch.cat([lat, lat])
        for b in self.blocks:
            sh1, sc1, g1, sh2, sc2, g2 = (F.silu(cond) @ b["ada"]).chunk(6, dim=-1)
            h = F.layer_norm(x, (self.D,)) * (1 + sc1) + sh1
            x = x + g1 * self.attn(h, b["qkv"], b["o"])
            h = F.layer_norm(x, (self.D,)) * (1 + sc2) + sh2
            x = x + g2 * (F.gelu(h @ b["w1"]) @ b["w2"])
        e_c, e_u = x.chunk(2)
        return lat - 0.1 * (e_u + guidance * (e_c - e_u))

    def decode(self, lat):
        s = self.side
        z = (lat @ self.unpatch).transpose(1, 2).reshape(1, 4, s, s)
        x = F.silu(F.conv2d(z, self.vae[0], padding=1))
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        x = F.silu(F.conv2d(x, self.vae[1], padding=1))
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        x = F.silu(F.conv2d(x, self.vae[2], padding=1))
        return torch.tanh(F.conv2d(x, self.vae[3], padding=1))


class Stack:
    """A plain pre-norm transformer stack over a sequence (no cache)."""

    def __init__(self, dev, dim=512, layers=4, vocab=4096, seed=2):
        g = torch.Generator().manual_seed(seed)
        dt = act_dtype()
        p = _param(g, dev, dt, dim ** -0.5)
        self.D, self.dt = dim, dt
        self.emb = p(vocab, dim)
        self.layers = [dict(qkv=p(dim, 3 * dim), o=p(dim, dim), w1=p(dim, 4 * dim), w2=p(4 * dim, dim))
                       for _ in range(layers)]
        self.head = p(dim, vocab)

    def __call__(self, ids):
        x = self.emb[ids]  # (S, D)
        S = x.shape[0]
        for l in self.layers:
            h = F.layer_norm(x, (self.D,))
            q, k, v = (h @ l["qkv"]).split(self.D, dim=-1)
            s = (q @ k.t()).float() * self.D ** -0.5
            s = s.masked_fill(torch.ones(S, S, device=x.device, dtype=torch.bool).triu(1), float("-inf"))
            x = x + (torch.softmax(s, dim=-1).to(self.dt) @ v) @ l["o"]
            x = x + F.gelu(F.layer_norm(x, (self.D,)) @ l["w1"]) @ l["w2"]
        return x, (x[-1] @ self.head).argmax()
