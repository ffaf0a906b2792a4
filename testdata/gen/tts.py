#!/usr/bin/env python3
"""Two-stage autoregressive TTS-shaped PyTorch workload, for making real nsys test traces.

Stage 0 "talker" (process renamed stage0_talker) emits codec tokens one at a time: per token a
decoder step of a few layers of small kernels (RMS norm, GEMV-shaped projections, attention over a
KV cache, MLP), greedy sampling and a device-to-host copy of the token. Every --chunk tokens it
sends the chunk to stage 1 "code2wav" (process stage1_code2wav), which runs a small vocoder
(embedding, 1-D convolutions, upsampling) and copies the audio back to the host.

Both processes warm up outside the capture range, meet at a barrier, call cudaProfilerStart
themselves, work, synchronise, meet again and call cudaProfilerStop. NVTX ranges go to the domain
"omnistat" (nvtxc.py, the C API over ctypes) with one category per stage; a few ranges use the default domain
(torch.cuda.nvtx) so both naming forms appear in the trace.

Flags: --requests, --tokens, --chunk, --layers, --hidden, --pinned (pinned host buffer and
non_blocking copy + stream sync instead of a pageable copy), --graphs (the decode step is captured
once into a CUDA graph and replayed).

Run it under nsys with --capture-range=cudaProfilerApi (see make.sh).
"""
import argparse
import ctypes
import multiprocessing as mp
import os

import torch
import torch.nn.functional as F

import nvtxc

D = None  # the process's NVTX domain "omnistat", made after spawn


def set_proc_name(name):
    try:
        ctypes.CDLL(None).prctl(15, name.encode()[:15], 0, 0, 0)
    except Exception:
        pass


def rmsnorm(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * w


class Talker:
    def __init__(self, a, dev):
        g = torch.Generator(device=dev).manual_seed(0)
        H, V, L, T = a.hidden, a.vocab, a.layers, a.tokens + 1
        s = H ** -0.5

        def p(*shape):
            return torch.randn(*shape, generator=g, device=dev) * s

        self.emb = p(V, H)
        self.layers = [dict(n1=torch.ones(H, device=dev), qkv=p(H, 3 * H), o=p(H, H),
                            n2=torch.ones(H, device=dev), w1=p(H, 4 * H), w2=p(4 * H, H))
                       for _ in range(L)]
        self.nf = torch.ones(H, device=dev)
        self.out = p(H, V)
        self.kc = torch.zeros(L, T, H, device=dev)
        self.vc = torch.zeros(L, T, H, device=dev)
        self.ar = torch.arange(T, device=dev)
        self.tok = torch.zeros(1, dtype=torch.long, device=dev)
        self.pos = torch.zeros(1, dtype=torch.long, device=dev)
        self.H = H

    def step(self):
        """One decode step, all on the device (capturable into a graph)."""
        x = self.emb.index_select(0, self.tok)  # (1, H)
        for i, l in enumerate(self.layers):
            h = rmsnorm(x, l["n1"])
            q, k, v = (h @ l["qkv"]).split(self.H, dim=-1)
            self.kc[i].index_copy_(0, self.pos, k)
            self.vc[i].index_copy_(0, self.pos, v)
            sc = (q @ self.kc[i].t()) * (self.H ** -0.5)
            sc = sc.masked_fill(self.ar > self.pos, float("-inf"))
            x = x + (torch.softmax(sc, dim=-1) @ self.vc[i]) @ l["o"]
            h = rmsnorm(x, l["n2"])
            x = x + F.silu(h @ l["w1"]) @ l["w2"]
        logits = rmsnorm(x, self.nf) @ self.out
        self.tok.copy_(logits.argmax(dim=-1))
        self.pos.add_(1)

    def reset(self):
        self.tok.zero_()
        self.pos.zero_()


def talker_main(a, q, bar_start, bar_stop):
    global D
    set_proc_name("stage0_talker")
    D = nvtxc.Domain("omnistat", {1: "talker", 2: "code2wav"})
    dev = torch.device("cuda", 0)
    torch.cuda.set_device(dev)
    m = Talker(a, dev)
    host = torch.zeros(1, dtype=torch.long, pin_memory=a.pinned)
    # warm-up, outside the capture range
    for _ in range(3):
        m.step()
    torch.cuda.synchronize()
    graph = None
    if a.graphs:
        s = torch.cuda.Stream()
        s.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(s):
            for _ in range(3):
                m.step()
        torch.cuda.current_stream().wait_stream(s)
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            m.step()
        torch.cuda.synchronize()
    m.reset()

    bar_start.wait(300)
    torch.cuda.profiler.start()
    torch.cuda.nvtx.range_push("talker.run")  # default domain
    for r in range(a.requests):
        req = D.start("tts.request", 1, payload=r)
        D.push("talker.prefill", 1)
        m.reset()
        D.pop()
        chunk = []
        for t in range(a.tokens):
            D.push("talker.decode_step", 1, registered=True, payload=t)
            if graph is not None:
                graph.replay()
            else:
                m.step()
            if a.pinned:
                host.copy_(m.tok, non_blocking=True)
                torch.cuda.current_stream().synchronize()
                tok = int(host[0])
            else:
                tok = int(m.tok.to("cpu")[0])
            D.pop()
            chunk.append(tok)
            if len(chunk) == a.chunk:
                q.put((r, chunk))
                D.mark("talker.chunk_sent", 1, payload=t)
                chunk = []
        if chunk:
            q.put((r, chunk))
        D.end(req)
    q.put(None)
    torch.cuda.nvtx.range_pop()
    torch.cuda.synchronize()
    bar_stop.wait(300)
    torch.cuda.profiler.stop()


def code2wav_main(a, q, bar_start, bar_stop):
    global D
    set_proc_name("stage1_code2wav")
    D = nvtxc.Domain("omnistat", {1: "talker", 2: "code2wav"})
    dev = torch.device("cuda", 0)
    torch.cuda.set_device(dev)
    torch.manual_seed(1)
    C = 64
    emb = torch.randn(a.vocab, C, device=dev)
    convs = [torch.randn(C, C, 5, device=dev) * 0.05 for _ in range(3)]
    post = torch.randn(1, C, 7, device=dev) * 0.05

    def vocode(codes):
        x = emb[codes].t().unsqueeze(0)  # (1, C, n)
        for w in convs:
            x = F.leaky_relu(F.conv1d(x, w, padding=2), 0.1)
            x = F.interpolate(x, scale_factor=4, mode="nearest")
        return torch.tanh(F.conv1d(x, post, padding=3))

    vocode(torch.zeros(a.chunk, dtype=torch.long, device=dev))  # warm-up
    torch.cuda.synchronize()

    bar_start.wait(300)
    torch.cuda.profiler.start()
    while True:
        item = q.get(timeout=300)
        if item is None:
            break
        _, chunk = item
        D.push("code2wav.decode_chunk", 2)
        codes = torch.tensor(chunk, dtype=torch.long).to(dev)
        audio = vocode(codes).to("cpu")
        D.pop()
        del audio
    torch.cuda.synchronize()
    bar_stop.wait(300)
    torch.cuda.profiler.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=2)
    ap.add_argument("--tokens", type=int, default=48)
    ap.add_argument("--chunk", type=int, default=16)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--hidden", type=int, default=4096)
    ap.add_argument("--vocab", type=int, default=1024)
    ap.add_argument("--pinned", action="store_true")
    ap.add_argument("--graphs", action="store_true")
    a = ap.parse_args()
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    b1, b2 = ctx.Barrier(2), ctx.Barrier(2)
    ps = [ctx.Process(target=talker_main, args=(a, q, b1, b2), name="talker"),
          ctx.Process(target=code2wav_main, args=(a, q, b1, b2), name="code2wav")]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    bad = [p.exitcode for p in ps if p.exitcode]
    if bad:
        raise SystemExit("stage failed: exit %s" % bad)
    print("tts done: pid", os.getpid(), "requests", a.requests, "tokens", a.tokens,
          "pinned", a.pinned, "graphs", a.graphs)


if __name__ == "__main__":
    main()
