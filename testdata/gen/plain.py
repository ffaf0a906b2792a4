"""A PyTorch program without profiler calls, for `omnistat capture --range none|nvtx:step`.

Runs matrix products for --seconds; with --nvtx each iteration is a torch.cuda.nvtx range
"step" (default domain, a plain string, not a registered one). No cudaProfilerStart anywhere.
"""
import argparse
import time

import torch

p = argparse.ArgumentParser()
p.add_argument("--seconds", type=float, default=2.0)
p.add_argument("--nvtx", action="store_true")
a = p.parse_args()
x = torch.randn(2048, 2048, device="cuda")
w = torch.randn(2048, 2048, device="cuda")
t0, steps = time.time(), 0
while time.time() - t0 < a.seconds:
    if a.nvtx:
        torch.cuda.nvtx.range_push("step")
    for _ in range(8):
        x = torch.tanh(x @ w)
    y = x.sum().item()  # a device-to-host copy per step
    if a.nvtx:
        torch.cuda.nvtx.range_pop()
    steps += 1
print(f"plain.py: {steps} steps in {time.time() - t0:.1f} s", flush=True)
