#!/usr/bin/env bash
# Regenerates kernels.ptx from kernels.cu with nvcc (run on the GPU machine, which has nvcc 13.0).
# PTX for compute_80 is JIT-compiled by the driver for any newer GPU (A100, H100, H200, …).
set -euo pipefail
cd "$(dirname "$0")"
nvcc -ptx -arch=compute_80 -O3 -o kernels.ptx kernels.cu
echo "kernels.ptx: $(wc -c < kernels.ptx) bytes, $(grep -c '^.visible .entry' kernels.ptx) kernels"
