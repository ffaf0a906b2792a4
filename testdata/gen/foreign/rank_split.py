#!/usr/bin/env python3
"""Two-GPU diffusion serving split by rank, for a foreign nsys test trace (foreign_rank_split).

Two worker processes titled diffusion-rank-0 and diffusion-rank-1 (both arrive as diffusion-rank-,
15 characters), one per GPU (both on GPU 0 where only one exists), each running a DiT-like denoiser:
per request a push/pop range `request` holding `encode_prompt`, one `denoise_step` per step (adaLN
blocks: matmuls, attention, layernorm) and `vae_decode` (conv2d). The split is uneven: the parent
(python3, no CUDA) gives rank 0 two requests and rank 1 one. Each worker warms up, meets the other at
a barrier and opens its own cudaProfilerStart/Stop window.
"""
import argparse
import multiprocessing as mp

import torch

import fcommon
from fcommon import wait
import fmodels


def worker_main(rank, a, q, b1, b2):
    fcommon.set_title("diffusion-rank-%d" % rank)
    dev = fcommon.device(rank)
    torch.cuda.set_device(dev)
    m = fmodels.DiT(dev, dim=a.dim, blocks=a.blocks, side=a.side, seed=rank)
    nvtx = torch.cuda.nvtx
    ids = torch.arange(64, device=dev).view(2, 32)
    m.decode(m.step(m.noise(), m.encode(ids))).float().cpu()  # warm-up
    torch.cuda.synchronize()
    wait(b1)
    torch.cuda.profiler.start()
    n = 0
    while True:
        r = q.get(timeout=60)
        if r is None:
            break
        nvtx.range_push("request")
        nvtx.range_push("encode_prompt")
        cond = m.encode((ids + r) % 512)
        nvtx.range_pop()
        lat = m.noise()
        for s in range(a.steps):
            nvtx.range_push("denoise_step")
            lat = m.step(lat, cond)
            nvtx.range_pop()
        nvtx.range_push("vae_decode")
        img = m.decode(lat).float().cpu()
        nvtx.range_pop()
        nvtx.range_pop()
        del img
        n += 1
    torch.cuda.synchronize()
    wait(b2)
    torch.cuda.profiler.stop()
    print("rank %d: %d requests on %s" % (rank, n, dev), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--blocks", type=int, default=2)
    ap.add_argument("--side", type=int, default=16)
    a = ap.parse_args()
    ctx = mp.get_context("spawn")
    qs = [ctx.Queue(), ctx.Queue()]
    b1, b2 = ctx.Barrier(2), ctx.Barrier(2)
    ps = [ctx.Process(target=worker_main, args=(i, a, qs[i], b1, b2)) for i in range(2)]
    for p in ps:
        p.start()
    for r, rank in enumerate((0, 1, 0)):  # uneven: rank 0 gets requests 0 and 2, rank 1 request 1
        qs[rank].put(r)
    for q in qs:
        q.put(None)
    for p in ps:
        p.join()
    bad = [p.exitcode for p in ps if p.exitcode]
    if bad:
        raise SystemExit("worker failed: exit %s" % bad)
    print("rank_split done: GPUs", torch.cuda.device_count() if not fcommon.FAKE else "cpu")


if __name__ == "__main__":
    main()
