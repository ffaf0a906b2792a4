#!/usr/bin/env python3
"""Two unnamed python3 GPU stages in a pipeline, for a foreign nsys test trace (foreign_python3).

The parent (python3, no CUDA) feeds prompts to worker A through a multiprocessing queue; A (a
transformer stack: matmuls, attention, layernorm) decodes a few tokens per request and hands its hidden
states to worker B through another queue; B (a conv/vocoder-like net: conv1d and upsampling) turns them
into a waveform in a few chunks and returns it to the parent. Neither worker renames itself, so all
three processes are `python3`, and both GPU stages use the SAME push/pop range names: `forward` per
request and `step` per decode step (A) or per chunk (B). cudaProfilerStart/Stop window after warm-up.
"""
import argparse
import multiprocessing as mp

import torch

import fcommon
from fcommon import wait
import fmodels


def stage_a(a, in_q, mid_q, b1, b2):
    dev = fcommon.device(0)
    torch.cuda.set_device(dev)
    m = fmodels.Stack(dev, dim=512, layers=4)
    nvtx = torch.cuda.nvtx
    m(torch.arange(12, device=dev))
    torch.cuda.synchronize()
    wait(b1)
    torch.cuda.profiler.start()
    while True:
        item = in_q.get(timeout=60)
        if item is None:
            break
        rid, prompt = item
        ids = torch.tensor(prompt, dtype=torch.long).to(dev)
        feats = []
        nvtx.range_push("forward")
        for s in range(a.tokens):
            nvtx.range_push("step")
            x, tok = m(ids)
            ids = torch.cat([ids, tok.view(1)])
            feats.append(x[-1:])
            nvtx.range_pop()
        f = torch.cat(feats).float().cpu()  # (tokens, 512) to the host, for the queue
        nvtx.range_pop()
        mid_q.put((rid, f))
    mid_q.put(None)
    torch.cuda.synchronize()
    wait(b2)
    torch.cuda.profiler.stop()


def stage_b(a, mid_q, out_q, b1, b2):
    dev = fcommon.device(0)
    torch.cuda.set_device(dev)
    voc = fmodels.Vocoder(dev, feat=512, ch=96, ups=4)
    nvtx = torch.cuda.nvtx
    voc.run(voc.feats(torch.zeros(a.tokens // a.chunks, 512, device=dev)))
    torch.cuda.synchronize()
    wait(b1)
    torch.cuda.profiler.start()
    while True:
        item = mid_q.get(timeout=60)
        if item is None:
            break
        rid, f = item
        f = f.to(dev)
        nvtx.range_push("forward")
        outs = []
        for c in f.chunk(a.chunks):
            nvtx.range_push("step")
            outs.append(voc.run(voc.feats(c)))
            nvtx.range_pop()
        wav = torch.cat(outs).cpu()
        nvtx.range_pop()
        out_q.put((rid, wav.numel()))
    out_q.put(None)
    torch.cuda.synchronize()
    wait(b2)
    torch.cuda.profiler.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=3)
    ap.add_argument("--tokens", type=int, default=12)
    ap.add_argument("--chunks", type=int, default=3)
    a = ap.parse_args()
    ctx = mp.get_context("spawn")
    in_q, mid_q, out_q = ctx.Queue(), ctx.Queue(), ctx.Queue()
    b1, b2 = ctx.Barrier(2), ctx.Barrier(2)
    ps = [ctx.Process(target=stage_a, args=(a, in_q, mid_q, b1, b2)),
          ctx.Process(target=stage_b, args=(a, mid_q, out_q, b1, b2))]
    for p in ps:
        p.start()
    for r in range(a.requests):
        in_q.put((r, [(7 * r + i) % 4096 for i in range(10 + 3 * r)]))
    in_q.put(None)
    got = []
    while True:
        item = out_q.get(timeout=120)
        if item is None:
            break
        got.append(item)
    for p in ps:
        p.join()
    bad = [p.exitcode for p in ps if p.exitcode]
    if bad:
        raise SystemExit("stage failed: exit %s" % bad)
    print("python3 pipeline done:", got)


if __name__ == "__main__":
    main()
