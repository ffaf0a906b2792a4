#!/usr/bin/env python3
"""A CUDA-graph decoder and a copy-bound denoiser time-sliced on one GPU, for a foreign nsys test trace
(foreign_graphs_timeslice).

decode_engine (GPU 0): a talker whose decode step is captured once into a CUDA graph
(torch.cuda.CUDAGraph) and replayed: every kernel of a step, and the copy of the token into a pinned
host buffer, run inside the graph; one push/pop range `decode_step` per replay (then a stream sync).
denoise_engine (the SAME GPU 0, another process, so the GPU time-slices the two contexts and their
kernels interleave): per `denoise_step` a large pageable host-to-device copy (--mb MB of conditioning)
that dominates the stage's GPU time, then a small DiT step. Its second request starts after the
decoder is done and sleeps --gap-ms inside its `request` range: a visible idle gap on the whole GPU.
Both warm up and open their own cudaProfilerStart/Stop window.
"""
import argparse
import multiprocessing as mp
import time

import torch

import fcommon
from fcommon import wait
import fmodels


def decode_main(a, done, b1, b2):
    fcommon.set_title("decode_engine")
    dev = fcommon.device(0)
    torch.cuda.set_device(dev)
    m = fmodels.StaticTalker(dev, hidden=a.hidden, layers=a.layers, maxlen=a.tokens + 8)
    nvtx = torch.cuda.nvtx
    s = torch.cuda.Stream()
    s.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(s):
        for _ in range(3):
            m.step()
    torch.cuda.current_stream().wait_stream(s)
    try:
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            m.step()
        torch.cuda.synchronize()
        print("decoder: graph holds the kernels and the token copy", flush=True)
    except Exception as e:  # a copy into pinned memory that this PyTorch cannot capture
        print("decoder: capture with the copy failed (%s); copying after the replay" % e, flush=True)
        torch.cuda.synchronize()
        m.copy_host = False
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            m.step()
        torch.cuda.synchronize()
    m.reset()
    replay = m.step if fcommon.FAKE else g.replay
    wait(b1)
    torch.cuda.profiler.start()
    toks = []
    for i in range(a.tokens):
        nvtx.range_push("decode_step")
        replay()
        if not m.copy_host:
            m.host.copy_(m.tok)
        torch.cuda.current_stream().synchronize()
        toks.append(int(m.host[0]))
        nvtx.range_pop()
    torch.cuda.synchronize()
    done.set()
    wait(b2)
    torch.cuda.profiler.stop()
    print("decoder: %d graph replays" % len(toks), flush=True)


def denoise_main(a, done, b1, b2):
    fcommon.set_title("denoise_engine")
    dev = fcommon.device(0)
    torch.cuda.set_device(dev)
    m = fmodels.DiT(dev, dim=256, blocks=2, side=16)
    host = torch.randn(a.mb * 256 * 1024)  # pageable, --mb MB of float32
    n = m.side * m.side * m.D
    nvtx = torch.cuda.nvtx
    ids = torch.arange(64, device=dev).view(2, 32)

    def step(lat, cond):
        nvtx.range_push("denoise_step")
        ctrl = host.to(dev)  # large pageable host-to-device copy
        lat = m.step(lat + ctrl[:n].view_as(lat).to(lat.dtype) * 1e-3, cond)
        nvtx.range_pop()
        return lat

    m.decode(step(m.noise(), m.encode(ids))).float().cpu()  # warm-up
    torch.cuda.synchronize()
    wait(b1)
    torch.cuda.profiler.start()
    for r in range(2):
        if r == 1:
            done.wait(60)  # the second request comes after the decoder is done
        nvtx.range_push("request")
        cond = m.encode(ids + r)
        lat = m.noise()
        for i in range(a.steps):
            if r == 1 and i == a.steps // 2:
                torch.cuda.synchronize()
                time.sleep(a.gap_ms / 1e3)  # idle: the host waits, nothing runs on the GPU
            lat = step(lat, cond)
        img = m.decode(lat).float().cpu()
        nvtx.range_pop()
        del img
    torch.cuda.synchronize()
    wait(b2)
    torch.cuda.profiler.stop()
    print("denoiser: 2 requests of %d steps" % a.steps, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tokens", type=int, default=120)
    ap.add_argument("--hidden", type=int, default=2048)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--mb", type=int, default=64)
    ap.add_argument("--gap-ms", type=float, default=20.0)
    a = ap.parse_args()
    ctx = mp.get_context("spawn")
    done = ctx.Event()
    b1, b2 = ctx.Barrier(2), ctx.Barrier(2)
    ps = [ctx.Process(target=decode_main, args=(a, done, b1, b2)),
          ctx.Process(target=denoise_main, args=(a, done, b1, b2))]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    bad = [p.exitcode for p in ps if p.exitcode]
    if bad:
        raise SystemExit("stage failed: exit %s" % bad)
    print("graphs_timeslice done")


if __name__ == "__main__":
    main()
