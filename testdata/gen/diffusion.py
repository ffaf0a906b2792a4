#!/usr/bin/env python3
"""Diffusion-pipeline-shaped PyTorch workload, for making real nsys test traces.

An engine process (no CUDA) sends requests to --workers GPU worker processes (renamed
DiffusionWorker). Each worker runs a text-encoder pass, --steps denoising steps of a small DiT
(adaLN modulation, QKV/out/MLP GEMMs, attention) with classifier-free guidance (batch 2), then a
VAE-style decode (convolutions and upsampling) and copies the image to the host.

Every worker warms up outside the capture range and calls cudaProfilerStart/Stop itself; NVTX ranges
(domain "omnistat", category 3) name stage and step: text_encoder.forward, diffusion_forward,
dit.block, vae.decode, and a start/end range diffusion.request per request.
"""
import argparse
import ctypes
import multiprocessing as mp

import torch
import torch.nn.functional as F

import nvtxc

D = None  # the process's NVTX domain "omnistat", made after spawn
CAT = 3


def set_proc_name(name):
    try:
        ctypes.CDLL(None).prctl(15, name.encode()[:15], 0, 0, 0)
    except Exception:
        pass


def push(msg):
    D.push(msg, CAT)


def pop():
    D.pop()


class Model:
    def __init__(self, a, dev):
        g = torch.Generator(device="cpu").manual_seed(0)
        D, s = a.dim, a.dim ** -0.5

        def p(*shape):
            return (torch.randn(*shape, generator=g) * s).to(dev, torch.bfloat16)

        self.D, self.heads = D, 4
        self.txt = [dict(qkv=p(D, 3 * D), o=p(D, D), w1=p(D, 4 * D), w2=p(4 * D, D)) for _ in range(2)]
        self.blocks = [dict(ada=p(D, 6 * D), qkv=p(D, 3 * D), o=p(D, D), w1=p(D, 4 * D), w2=p(4 * D, D))
                       for _ in range(a.blocks)]
        self.tproj = p(D, D)
        self.unpatch = p(D, 4)
        self.vae = [(torch.randn(64, 4, 3, 3, generator=g) * 0.1).to(dev, torch.bfloat16),
                    (torch.randn(64, 64, 3, 3, generator=g) * 0.05).to(dev, torch.bfloat16),
                    (torch.randn(32, 64, 3, 3, generator=g) * 0.05).to(dev, torch.bfloat16),
                    (torch.randn(3, 32, 3, 3, generator=g) * 0.1).to(dev, torch.bfloat16)]

    def attn(self, x, qkv, o):
        B, N, D = x.shape
        q, k, v = (x @ qkv).view(B, N, 3, self.heads, D // self.heads).permute(2, 0, 3, 1, 4)
        y = F.scaled_dot_product_attention(q, k, v)
        return y.transpose(1, 2).reshape(B, N, D) @ o

    def encode_text(self, ids):
        x = torch.nn.functional.one_hot(ids % self.D, self.D).to(torch.bfloat16)
        for l in self.txt:
            x = x + self.attn(F.layer_norm(x, (self.D,)), l["qkv"], l["o"])
            x = x + F.gelu(F.layer_norm(x, (self.D,)) @ l["w1"]) @ l["w2"]
        return x

    def dit(self, lat, cond):
        x = lat
        for b in self.blocks:
            push("dit.block")
            sh1, sc1, g1, sh2, sc2, g2 = (F.silu(cond) @ b["ada"]).chunk(6, dim=-1)
            h = F.layer_norm(x, (self.D,)) * (1 + sc1) + sh1
            x = x + g1 * self.attn(h, b["qkv"], b["o"])
            h = F.layer_norm(x, (self.D,)) * (1 + sc2) + sh2
            x = x + g2 * (F.gelu(h @ b["w1"]) @ b["w2"])
            pop()
        return x

    def vae_decode(self, lat, side):
        z = (lat @ self.unpatch).transpose(1, 2).reshape(1, 4, side, side)
        x = F.silu(F.conv2d(z, self.vae[0], padding=1))
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        x = F.silu(F.conv2d(x, self.vae[1], padding=1))
        x = F.interpolate(x, scale_factor=2, mode="nearest")
        x = F.silu(F.conv2d(x, self.vae[2], padding=1))
        return torch.tanh(F.conv2d(x, self.vae[3], padding=1))


def worker_main(rank, a, q, bar_start, bar_stop):
    global D
    set_proc_name("DiffusionWorker")
    D = nvtxc.Domain("omnistat", {CAT: "diffusion"})
    dev = torch.device("cuda", rank % torch.cuda.device_count())
    torch.cuda.set_device(dev)
    m = Model(a, dev)
    side = a.side
    ids = torch.arange(2 * 32, device=dev).view(2, 32)  # batch 2: conditional + unconditional

    def run(steps, mark):
        if mark:
            push("text_encoder.forward")
        txt = m.encode_text(ids)
        cond = (txt.mean(1, keepdim=True) @ m.tproj)
        if mark:
            pop()
        lat = torch.randn(1, side * side, m.D, device=dev, dtype=torch.bfloat16)
        for s in range(steps):
            if mark:
                push("diffusion_forward")
            eps = m.dit(torch.cat([lat, lat]), cond)
            e_c, e_u = eps.chunk(2)
            lat = lat - 0.1 * (e_u + a.guidance * (e_c - e_u))
            if mark:
                pop()
        if mark:
            push("vae.decode")
        img = m.vae_decode(lat, side)
        out = img.float().to("cpu")
        if mark:
            pop()
        return out

    run(1, False)  # warm-up outside the capture range
    torch.cuda.synchronize()
    bar_start.wait(300)
    torch.cuda.profiler.start()
    while True:
        item = q.get(timeout=300)
        if item is None:
            break
        r = D.start("diffusion.request", CAT, payload=item)
        run(a.steps, True)
        D.end(r)
    torch.cuda.synchronize()
    bar_stop.wait(300)
    torch.cuda.profiler.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--requests", type=int, default=2)
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--blocks", type=int, default=2)
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--side", type=int, default=16)
    ap.add_argument("--guidance", type=float, default=4.0)
    a = ap.parse_args()
    ctx = mp.get_context("spawn")
    qs = [ctx.Queue() for _ in range(a.workers)]
    b1, b2 = ctx.Barrier(a.workers), ctx.Barrier(a.workers)
    ps = [ctx.Process(target=worker_main, args=(i, a, qs[i], b1, b2)) for i in range(a.workers)]
    for p in ps:
        p.start()
    for r in range(a.requests):
        qs[r % a.workers].put(r)
    for q in qs:
        q.put(None)
    for p in ps:
        p.join()
    bad = [p.exitcode for p in ps if p.exitcode]
    if bad:
        raise SystemExit("worker failed: exit %s" % bad)
    print("diffusion done: workers", a.workers, "requests", a.requests, "steps", a.steps)


if __name__ == "__main__":
    main()
