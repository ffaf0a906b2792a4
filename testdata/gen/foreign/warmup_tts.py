#!/usr/bin/env python3
"""Two-process TTS whose warm-up is visible, for a foreign nsys test trace (foreign_warmup_tts),
captured over the whole run (no capture range: CUDA init, imports and lazy initialisation included).

talker_worker (GPU 0) has no warm-up at all: torch.backends.cudnn.benchmark is on, and each decode
step runs three causal 1-D convolutions over the embeddings of the last min(t+1, --window) tokens, so the
first --window steps of the first request each meet a new input shape and cuDNN autotunes it (the first
one also pays for the cuBLAS/cuDNN handles and first-use module loading); after that the shapes repeat
and the step is steady. One push/pop range `decode_step` per token (with a device-to-host copy of the
token), `prefill` per request. Chunks of codes go through a queue to vocoder_worker (GPU 0), also
with cudnn.benchmark and no warm-up, one `vocode` range per chunk.
"""
import argparse
import multiprocessing as mp

import torch
import torch.nn.functional as F

import fcommon
import fmodels


def talker_main(a, q):
    fcommon.set_title("talker_worker")
    torch.backends.cudnn.benchmark = True
    dev = fcommon.device(0)
    torch.cuda.set_device(dev)
    m = fmodels.Talker(dev, hidden=a.hidden, layers=a.layers, vocab=a.vocab, slots=1, maxlen=a.tokens + 40)
    g = torch.Generator().manual_seed(3)
    C = a.conv
    cemb = (torch.randn(a.vocab, C, generator=g)).to(dev)
    wc = [(torch.randn(C, C, k, generator=g) * (C * k) ** -0.5).to(dev) for k in (3, 5, 7)]
    cproj = (torch.randn(C, a.hidden, generator=g) * C ** -0.5).to(dev)
    nvtx = torch.cuda.nvtx
    steps = 0
    for r in range(a.requests):
        plen = 13 + 6 * r
        nvtx.range_push("prefill")
        t = m.forward(torch.arange(plen).to(dev) % a.vocab, [(0, 0, plen)])
        tok = int(t.cpu()[0])
        nvtx.range_pop()
        hist, chunk = [tok], [tok]
        for i in range(a.tokens - 1):
            nvtx.range_push("decode_step")
            n = min(len(hist), a.window)
            h = cemb[torch.tensor(hist[-n:]).to(dev)].t().unsqueeze(0)  # (1, C, n)
            # three causal convolutions (k3; k5 dilated 2; k7), the last frame projected to the talker
            y = F.conv1d(h, wc[0], padding=2)[..., :n]
            y = F.conv1d(F.gelu(y), wc[1], padding=8, dilation=2)[..., :n]
            y = F.conv1d(F.gelu(y), wc[2], padding=6)[..., :n]
            add = y[..., -1] @ cproj
            t = m.forward(torch.tensor([tok]).to(dev), [(0, plen + i, 1)], add=add)
            tok = int(t.cpu()[0])
            nvtx.range_pop()
            steps += 1
            hist.append(tok)
            chunk.append(tok)
            if len(chunk) == a.chunk:
                q.put(chunk)
                chunk = []
        if chunk:
            q.put(chunk)
    q.put(None)
    torch.cuda.synchronize()
    print("talker: %d decode steps" % steps, flush=True)


def vocoder_main(a, q):
    fcommon.set_title("vocoder_worker")
    torch.backends.cudnn.benchmark = True
    dev = fcommon.device(0)
    torch.cuda.set_device(dev)
    voc = fmodels.Vocoder(dev, vocab=a.vocab, ch=128, ups=3)
    nvtx = torch.cuda.nvtx
    n = 0
    while True:
        chunk = q.get(timeout=120)
        if chunk is None:
            break
        nvtx.range_push("vocode")
        wav = voc(torch.tensor(chunk, dtype=torch.long).to(dev)).cpu()
        nvtx.range_pop()
        del wav
        n += 1
    torch.cuda.synchronize()
    print("vocoder: %d chunks" % n, flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=2)
    ap.add_argument("--tokens", type=int, default=31)
    ap.add_argument("--window", type=int, default=12)
    ap.add_argument("--chunk", type=int, default=8)
    ap.add_argument("--hidden", type=int, default=768)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--conv", type=int, default=256)
    ap.add_argument("--vocab", type=int, default=2048)
    a = ap.parse_args()
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    ps = [ctx.Process(target=talker_main, args=(a, q)), ctx.Process(target=vocoder_main, args=(a, q))]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    bad = [p.exitcode for p in ps if p.exitcode]
    if bad:
        raise SystemExit("stage failed: exit %s" % bad)
    print("warmup_tts done")


if __name__ == "__main__":
    main()
