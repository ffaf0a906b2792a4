#!/usr/bin/env python3
"""Two-stage TTS for diff traces (foreign_tts_a, foreign_tts_b, foreign_tts_slow).

tts-talker (GPU 0) prefills a prompt and decodes token by token, one push/pop range `decode_step` per
token ending in a device-to-host copy of the token; every --chunk tokens it sends the codes through a
queue to tts-vocoder (GPU 0), which decodes each chunk inside a start/end range `decode_chunk` (NVTX C
API) and copies the audio to the host. Both warm up and open their own cudaProfilerStart/Stop window.

The talker is big enough (hidden 8192, fp32) that a decode step is bound by reading its weights, not by
launching kernels, so step times are steady from run to run. --slow is the regressed build: each decode
step runs one extra matmul over a weight 20% the size of what a step reads, about 20% more step time.
Runs without --slow are the same build, for measuring the noise band.
"""
import argparse
import multiprocessing as mp

import torch

import fcommon
from fcommon import wait
import fmodels


def talker_main(a, q, b1, b2):
    fcommon.set_title("tts-talker")
    dev = fcommon.device(0)
    torch.cuda.set_device(dev)
    # The slow build adds one matmul whose weight is 20% of the bytes a decode step reads (the layers'
    # 12*H*H and the head's H*V): the step is bound by weight reads, so it takes about 20% longer.
    cols = round(0.2 * (12 * a.layers * a.hidden + a.vocab)) if a.slow else 0
    m = fmodels.Talker(dev, hidden=a.hidden, layers=a.layers, vocab=a.vocab, slots=1, maxlen=a.tokens + 40,
                       extra_cols=cols)
    extra = a.slow
    nvtx = torch.cuda.nvtx
    t = m.forward(torch.arange(12).to(dev), [(0, 0, 12)])  # warm-up
    for i in range(8):
        t = m.forward(t.view(1), [(0, 12 + i, 1)], extra=extra)
    int(t.cpu()[0])
    torch.cuda.synchronize()
    print("talker: hidden %d, %d layers, extra matmul %d columns" % (a.hidden, a.layers, cols), flush=True)
    wait(b1)
    torch.cuda.profiler.start()
    for r in range(a.requests):
        plen = 9 + 4 * r
        t = m.forward(torch.arange(plen).to(dev) % a.vocab, [(0, 0, plen)])
        tok = int(t.cpu()[0])
        chunk = [tok]
        for i in range(a.tokens - 1):
            nvtx.range_push("decode_step")
            t = m.forward(torch.tensor([tok]).to(dev), [(0, plen + i, 1)], extra=extra)
            tok = int(t.cpu()[0])
            nvtx.range_pop()
            chunk.append(tok)
            if len(chunk) == a.chunk:
                q.put(chunk)
                chunk = []
        if chunk:
            q.put(chunk)
    q.put(None)
    torch.cuda.synchronize()
    wait(b2)
    torch.cuda.profiler.stop()


def vocoder_main(a, q, b1, b2):
    fcommon.set_title("tts-vocoder")
    dev = fcommon.device(0)
    torch.cuda.set_device(dev)
    voc = fmodels.Vocoder(dev, vocab=a.vocab, ch=128, ups=3)
    se = fcommon.StartEnd()
    voc(torch.zeros(a.chunk, dtype=torch.long, device=dev)).cpu()
    torch.cuda.synchronize()
    wait(b1)
    torch.cuda.profiler.start()
    n = 0
    while True:
        chunk = q.get(timeout=60)
        if chunk is None:
            break
        rng = se.start("decode_chunk")
        wav = voc(torch.tensor(chunk, dtype=torch.long).to(dev)).cpu()
        se.end(rng)
        del wav
        n += 1
    torch.cuda.synchronize()
    wait(b2)
    torch.cuda.profiler.stop()
    print("vocoder: %d chunks" % n, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=2)
    ap.add_argument("--tokens", type=int, default=40)
    ap.add_argument("--chunk", type=int, default=10)
    ap.add_argument("--hidden", type=int, default=8192)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--vocab", type=int, default=2048)
    ap.add_argument("--slow", action="store_true")
    a = ap.parse_args()
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    b1, b2 = ctx.Barrier(2), ctx.Barrier(2)
    ps = [ctx.Process(target=talker_main, args=(a, q, b1, b2)), ctx.Process(target=vocoder_main, args=(a, q, b1, b2))]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    bad = [p.exitcode for p in ps if p.exitcode]
    if bad:
        raise SystemExit("stage failed: exit %s" % bad)
    print("tts_ab done: slow", a.slow)


if __name__ == "__main__":
    main()
