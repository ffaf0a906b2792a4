#!/usr/bin/env python3
"""vLLM-Omni-shaped serving pipeline, for a foreign nsys test trace (foreign_vllm_omni).

Processes (spawn; titles set with prctl, which keeps 15 characters):
  StageEngineCoreProc_stage0_replica0  (arrives as StageEngineCore) a talker engine on GPU 0: a
      scheduler admits requests (two at once, a third later), prefills them and decodes token by
      token in a batch; every engine step is a push/pop range named like vLLM's
      execute_context_<n>(<tokens>)_generation_<m>(<tokens>) and ends with a device-to-host copy of
      the sampled tokens. Chunks of codes go to stage 1 through a queue.
  StageEngineCoreProc_stage1_replica0  (StageEngineCore) a code2wav engine on GPU 0: each engine step
      (same naming; a request's first chunk counts as context) launches the vocoder per chunk inside a
      start/end range decode_chunk that the main thread starts and an output thread
      (AsyncOutput) ends after copying the audio to the host.
  vLLM-Omni::DiffusionWorker_0  (vLLM-Omni::Diff) a diffusion worker on GPU 1 (GPU 0 with one GPU):
      per request execute_model, denoise_step per step, vae.decode.
  The parent (python3, no CUDA) hands out the requests. Every GPU process warms up, meets the others
  at a barrier and opens its own cudaProfilerStart/Stop window.
"""
import argparse
import multiprocessing as mp
import os
import queue as pyqueue
import threading

import torch

import fcommon
from fcommon import wait
import fmodels

CHUNK = 8


def step_name(ctx_reqs, ctx_tok, gen_reqs, gen_tok):
    return "execute_context_%d(%d)_generation_%d(%d)" % (ctx_reqs, ctx_tok, gen_reqs, gen_tok)


def stage0_main(a, req_q, codes_q, b1, b2):
    fcommon.set_title("StageEngineCoreProc_stage0_replica0")
    dev = fcommon.device(0)
    torch.cuda.set_device(dev)
    m = fmodels.Talker(dev, hidden=a.hidden, layers=a.layers, vocab=a.vocab, slots=4, maxlen=128)
    nvtx = torch.cuda.nvtx

    # warm-up outside the window: a prefill of 9 tokens and 4 decode steps in slot 3
    t = m.forward(torch.randint(0, a.vocab, (9,)).to(dev), [(3, 0, 9)])
    for i in range(4):
        t = m.forward(t.view(1), [(3, 9 + i, 1)])
    torch.cuda.synchronize()

    reqs = req_q.get(timeout=60)  # [(id, arrive_step, prompt_len, gen_len)]
    g = torch.Generator().manual_seed(7)
    wait(b1)
    torch.cuda.profiler.start()
    pending = sorted(reqs, key=lambda r: r[1])
    running = {}  # id -> dict(slot, pos, left, last, out, sent)
    free = [0, 1, 2, 3]
    step = 0
    while pending or running:
        new = [r for r in pending if r[1] <= step]
        pending = [r for r in pending if r[1] > step]
        gen = list(running.items())
        toks, segs, order = [], [], []
        for rid, st in gen:
            toks.append(st["last"])
            segs.append((st["slot"], st["pos"], 1))
            order.append(rid)
        ctx_tok = 0
        for rid, _, plen, glen in new:
            slot = free.pop(0)
            running[rid] = dict(slot=slot, pos=0, left=glen, last=0, out=[], sent=0)
            toks.extend(torch.randint(0, a.vocab, (plen,), generator=g).tolist())
            segs.append((slot, 0, plen))
            order.append(rid)
            ctx_tok += plen
        nvtx.range_push(step_name(len(new), ctx_tok, len(gen), len(gen)))
        ids = torch.tensor(toks, dtype=torch.long).to(dev)  # host-to-device: the step's input ids
        nxt = m.forward(ids, segs).cpu().tolist()  # device-to-host: the sampled tokens
        nvtx.range_pop()
        for (slot, pos, n), rid, tok in zip(segs, order, nxt):
            st = running[rid]
            st["pos"] = pos + n
            st["last"] = tok
            st["out"].append(tok)
            st["left"] -= 1
            done = st["left"] == 0
            if len(st["out"]) - st["sent"] >= CHUNK or (done and len(st["out"]) > st["sent"]):
                codes_q.put((rid, st["out"][st["sent"]:], st["sent"] == 0))
                st["sent"] = len(st["out"])
            if done:
                free.append(st["slot"])
                del running[rid]
        step += 1
    codes_q.put(None)
    torch.cuda.synchronize()
    wait(b2)
    torch.cuda.profiler.stop()
    print("stage0: %d engine steps" % step, flush=True)


def stage1_main(a, codes_q, b1, b2):
    fcommon.set_title("StageEngineCoreProc_stage1_replica0")
    dev = fcommon.device(0)
    torch.cuda.set_device(dev)
    voc = fmodels.Vocoder(dev, vocab=a.vocab, ch=128, ups=3)
    se = fcommon.StartEnd()
    nvtx = torch.cuda.nvtx
    for n in (CHUNK, CHUNK - 2):
        voc(torch.zeros(n, dtype=torch.long, device=dev))
    torch.cuda.synchronize()

    out_q = pyqueue.Queue()

    def output_thread():
        fcommon.set_title("AsyncOutput")
        torch.cuda.set_device(dev)
        while True:
            item = out_q.get()
            if item is None:
                return
            rng, ev, audio = item
            ev.synchronize()
            host = audio.cpu()  # device-to-host: the chunk's audio
            se.end(rng)  # ends on this thread the range the engine thread started
            del host

    th = threading.Thread(target=output_thread, name="AsyncOutput")
    wait(b1)
    torch.cuda.profiler.start()
    th.start()
    seen, steps, chunks, done = set(), 0, 0, False
    while not done:
        items = [codes_q.get(timeout=60)]
        while True:
            try:
                items.append(codes_q.get_nowait())
            except pyqueue.Empty:
                break
        if None in items:
            done = True
            items = [i for i in items if i is not None]
        if not items:
            break
        ctx = [i for i in items if i[2]]
        gen = [i for i in items if not i[2]]
        nvtx.range_push(step_name(len(ctx), sum(len(i[1]) for i in ctx), len(gen), sum(len(i[1]) for i in gen)))
        for rid, codes, first in items:
            rng = se.start("decode_chunk")
            audio = voc(torch.tensor(codes, dtype=torch.long).to(dev))
            ev = torch.cuda.Event()
            ev.record()
            out_q.put((rng, ev, audio))
            seen.add(rid)
            chunks += 1
        nvtx.range_pop()
        steps += 1
    out_q.put(None)
    th.join()
    torch.cuda.synchronize()
    wait(b2)
    torch.cuda.profiler.stop()
    print("stage1: %d engine steps, %d chunks" % (steps, chunks), flush=True)


def diffusion_main(a, dq, b1, b2):
    fcommon.set_title("vLLM-Omni::DiffusionWorker_0")
    dev = fcommon.device(1)
    torch.cuda.set_device(dev)
    m = fmodels.DiT(dev, dim=384, blocks=2, side=16)
    nvtx = torch.cuda.nvtx
    ids = torch.arange(64, device=dev).view(2, 32)
    lat = m.step(m.noise(), m.encode(ids))
    m.decode(lat).float().cpu()
    torch.cuda.synchronize()
    wait(b1)
    torch.cuda.profiler.start()
    n = 0
    while True:
        item = dq.get(timeout=60)
        if item is None:
            break
        nvtx.range_push("execute_model")
        cond = m.encode(ids + item)
        lat = m.noise()
        for s in range(a.steps):
            nvtx.range_push("denoise_step")
            lat = m.step(lat, cond)
            nvtx.range_pop()
        nvtx.range_push("vae.decode")
        img = m.decode(lat).float().cpu()
        nvtx.range_pop()
        nvtx.range_pop()
        del img
        n += 1
    torch.cuda.synchronize()
    wait(b2)
    torch.cuda.profiler.stop()
    print("diffusion: %d requests on %s" % (n, dev), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hidden", type=int, default=1024)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--vocab", type=int, default=2048)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--no-diffusion", action="store_true")
    a = ap.parse_args()
    ctx = mp.get_context("spawn")
    req_q, codes_q, dq = ctx.Queue(), ctx.Queue(), ctx.Queue()
    n = 2 if a.no_diffusion else 3
    b1, b2 = ctx.Barrier(n), ctx.Barrier(n)
    ps = [ctx.Process(target=stage0_main, args=(a, req_q, codes_q, b1, b2)),
          ctx.Process(target=stage1_main, args=(a, codes_q, b1, b2))]
    if not a.no_diffusion:
        ps.append(ctx.Process(target=diffusion_main, args=(a, dq, b1, b2)))
    for p in ps:
        p.start()
    # (id, arrival engine step, prompt tokens, tokens to generate)
    req_q.put([(0, 0, 17, 24), (1, 0, 23, 30), (2, 9, 11, 18)])
    for r in range(2):
        dq.put(r)
    dq.put(None)
    for p in ps:
        p.join()
    bad = [p.exitcode for p in ps if p.exitcode]
    if bad:
        raise SystemExit("stage failed: exit %s" % bad)
    print("vllm_omni done: pid", os.getpid())


if __name__ == "__main__":
    main()
