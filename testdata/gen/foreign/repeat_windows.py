"""Two stage processes that each open and close W capture windows together, for
`nsys profile --capture-range=cudaProfilerApi --capture-range-end=repeat`: nsys writes one report
per window (NAME.1.nsys-rep, NAME.2.nsys-rep, …), and omnistat's --merge must put them on one clock.

In every window the encoder runs its `encode_step`s first, then the decoder its `decode_step`s
(the decoder waits on a barrier for the encoder), so within a window the two stages never overlap;
between windows both sleep for --gap seconds.
"""
import argparse
import multiprocessing as mp
import time

import fcommon
import torch


def stage(name, rank, a, bars):
    fcommon.set_title(name)
    dev = fcommon.device(0)
    torch.cuda.set_device(dev)
    n = 1024 if rank == 0 else 512
    x = torch.randn(n, n, device=dev)
    w = torch.randn(n, n, device=dev)
    for _ in range(3):  # warm-up, outside every window
        x = torch.tanh(x @ w)
    torch.cuda.synchronize()
    step = "encode_step" if rank == 0 else "decode_step"
    for win in range(a.windows):
        fcommon.wait(bars[0])
        torch.cuda.profiler.start()
        if rank == 1:
            fcommon.wait(bars[1])  # the decoder waits for the encoder
        for _ in range(a.steps):
            torch.cuda.nvtx.range_push(step)
            for _ in range(4):
                x = torch.tanh(x @ w)
            x.sum().item()
            torch.cuda.nvtx.range_pop()
        torch.cuda.synchronize()
        if rank == 0:
            fcommon.wait(bars[1])
        fcommon.wait(bars[2])
        torch.cuda.profiler.stop()
        time.sleep(a.gap)
    print("%s: %d windows of %d steps" % (name, a.windows, a.steps), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--windows", type=int, default=2)
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--gap", type=float, default=0.5)
    a = ap.parse_args()
    ctx = mp.get_context("spawn")
    bars = [ctx.Barrier(2) for _ in range(3)]
    ps = [ctx.Process(target=stage, args=("win-encoder", 0, a, bars)), ctx.Process(target=stage, args=("win-decoder", 1, a, bars))]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    if any(p.exitcode for p in ps):
        raise SystemExit("a stage failed: %s" % [p.exitcode for p in ps])


if __name__ == "__main__":
    main()
