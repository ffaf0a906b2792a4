// Kernels of omnistat's built-in workloads (TTS talker/code2wav, diffusion DiT/VAE).
// Plain fp32 CUDA C, written to be simple and to have the shapes of the real thing (GEMV-shaped
// decode projections, attention over a KV cache, convolutions), not to be fast.
// Regenerate kernels.ptx on the GPU machine with: bash workload/cuda/kernels/gen-ptx.sh
#include <cuda_runtime.h>

extern "C" {

// y[row] = sum_k W[row*K + k] * x[k]   (one warp per output row)
__global__ void gemv_f32(const float* W, const float* x, float* y, int N, int K) {
    int row = blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
    int lane = threadIdx.x % 32;
    if (row >= N) return;
    float s = 0.f;
    for (int k = lane; k < K; k += 32) s += W[(size_t)row * K + k] * x[k];
    for (int o = 16; o > 0; o /= 2) s += __shfl_down_sync(0xffffffff, s, o);
    if (lane == 0) y[row] = s;
}

// C[M,N] = A[M,K] * B[K,N]  (16x16 shared-memory tiles)
__global__ void gemm_f32(const float* A, const float* B, float* C, int M, int N, int K) {
    __shared__ float As[16][16], Bs[16][16];
    int r = blockIdx.y * 16 + threadIdx.y, c = blockIdx.x * 16 + threadIdx.x;
    float s = 0.f;
    for (int t = 0; t < K; t += 16) {
        As[threadIdx.y][threadIdx.x] = (r < M && t + threadIdx.x < K) ? A[(size_t)r * K + t + threadIdx.x] : 0.f;
        Bs[threadIdx.y][threadIdx.x] = (c < N && t + threadIdx.y < K) ? B[(size_t)(t + threadIdx.y) * N + c] : 0.f;
        __syncthreads();
        for (int i = 0; i < 16; i++) s += As[threadIdx.y][i] * Bs[i][threadIdx.x];
        __syncthreads();
    }
    if (r < M && c < N) C[(size_t)r * N + c] = s;
}

// per row of length n: y = x / rms(x) * w   (one block per row)
__global__ void rmsnorm_f32(const float* x, const float* w, float* y, int n) {
    __shared__ float red[32];
    const float* xr = x + (size_t)blockIdx.x * n;
    float s = 0.f;
    for (int i = threadIdx.x; i < n; i += blockDim.x) s += xr[i] * xr[i];
    for (int o = 16; o > 0; o /= 2) s += __shfl_down_sync(0xffffffff, s, o);
    if (threadIdx.x % 32 == 0) red[threadIdx.x / 32] = s;
    __syncthreads();
    if (threadIdx.x < 32) {
        s = threadIdx.x < blockDim.x / 32 ? red[threadIdx.x] : 0.f;
        for (int o = 16; o > 0; o /= 2) s += __shfl_down_sync(0xffffffff, s, o);
        if (threadIdx.x == 0) red[0] = rsqrtf(s / n + 1e-6f);
    }
    __syncthreads();
    for (int i = threadIdx.x; i < n; i += blockDim.x) y[(size_t)blockIdx.x * n + i] = xr[i] * red[0] * w[i];
}

// layer norm without affine, then adaLN modulation: y = norm(x) * (1 + scale) + shift
__global__ void adaln_f32(const float* x, const float* shift, const float* scale, float* y, int n) {
    __shared__ float red[2][32];
    const float* xr = x + (size_t)blockIdx.x * n;
    float s = 0.f, q = 0.f;
    for (int i = threadIdx.x; i < n; i += blockDim.x) { s += xr[i]; q += xr[i] * xr[i]; }
    for (int o = 16; o > 0; o /= 2) { s += __shfl_down_sync(0xffffffff, s, o); q += __shfl_down_sync(0xffffffff, q, o); }
    if (threadIdx.x % 32 == 0) { red[0][threadIdx.x / 32] = s; red[1][threadIdx.x / 32] = q; }
    __syncthreads();
    if (threadIdx.x < 32) {
        s = threadIdx.x < blockDim.x / 32 ? red[0][threadIdx.x] : 0.f;
        q = threadIdx.x < blockDim.x / 32 ? red[1][threadIdx.x] : 0.f;
        for (int o = 16; o > 0; o /= 2) { s += __shfl_down_sync(0xffffffff, s, o); q += __shfl_down_sync(0xffffffff, q, o); }
        if (threadIdx.x == 0) { float m = s / n; red[0][0] = m; red[1][0] = rsqrtf(q / n - m * m + 1e-6f); }
    }
    __syncthreads();
    for (int i = threadIdx.x; i < n; i += blockDim.x)
        y[(size_t)blockIdx.x * n + i] = (xr[i] - red[0][0]) * red[1][0] * (1.f + scale[i]) + shift[i];
}

// decode attention: one query (dim d) over the first len+1 rows of a KV cache, one block
__global__ void attn_decode_f32(const float* q, const float* K, const float* V, float* out, const int* len, int d) {
    extern __shared__ float sc[];
    int n = *len + 1;
    float scale = rsqrtf((float)d);
    for (int t = threadIdx.x; t < n; t += blockDim.x) {
        float s = 0.f;
        for (int i = 0; i < d; i++) s += q[i] * K[(size_t)t * d + i];
        sc[t] = s * scale;
    }
    __syncthreads();
    __shared__ float mx, sum;
    if (threadIdx.x == 0) {
        mx = -1e30f; for (int t = 0; t < n; t++) mx = fmaxf(mx, sc[t]);
        sum = 0.f; for (int t = 0; t < n; t++) { sc[t] = __expf(sc[t] - mx); sum += sc[t]; }
    }
    __syncthreads();
    for (int i = threadIdx.x; i < d; i += blockDim.x) {
        float o = 0.f;
        for (int t = 0; t < n; t++) o += sc[t] * V[(size_t)t * d + i];
        out[i] = o / sum;
    }
}

// full attention for the DiT: rows of Q over all rows of K/V (seq x d), one block per query row
__global__ void attn_full_f32(const float* Q, const float* K, const float* V, float* O, int seq, int d) {
    extern __shared__ float sc[];
    const float* q = Q + (size_t)blockIdx.x * d;
    float scale = rsqrtf((float)d);
    for (int t = threadIdx.x; t < seq; t += blockDim.x) {
        float s = 0.f;
        for (int i = 0; i < d; i++) s += q[i] * K[(size_t)t * d + i];
        sc[t] = s * scale;
    }
    __syncthreads();
    __shared__ float mx, sum;
    if (threadIdx.x == 0) {
        mx = -1e30f; for (int t = 0; t < seq; t++) mx = fmaxf(mx, sc[t]);
        sum = 0.f; for (int t = 0; t < seq; t++) { sc[t] = __expf(sc[t] - mx); sum += sc[t]; }
    }
    __syncthreads();
    for (int i = threadIdx.x; i < d; i += blockDim.x) {
        float o = 0.f;
        for (int t = 0; t < seq; t++) o += sc[t] * V[(size_t)t * d + i];
        O[(size_t)blockIdx.x * d + i] = o / sum;
    }
}

// write the k and v vectors at row *pos of the caches
__global__ void kv_append_f32(const float* k, const float* v, float* K, float* V, const int* pos, int d) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < d) { K[(size_t)(*pos) * d + i] = k[i]; V[(size_t)(*pos) * d + i] = v[i]; }
}

// a = a + b (residual add), n elements
__global__ void add_f32(float* a, const float* b, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) a[i] += b[i];
}

// a = a + g * b (gated residual of adaLN)
__global__ void gated_add_f32(float* a, const float* g, const float* b, int n, int d) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) a[i] += g[i % d] * b[i];
}

// SwiGLU-ish MLP activation: y = silu(x)
__global__ void silu_f32(const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) { float v = x[i]; y[i] = v / (1.f + __expf(-v)); }
}

// y = gelu(x) (tanh approximation)
__global__ void gelu_f32(const float* x, float* y, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) { float v = x[i]; y[i] = 0.5f * v * (1.f + tanhf(0.7978845608f * (v + 0.044715f * v * v * v))); }
}

// greedy sampling: *tok = argmax(logits[0..n)); then advance *pos (one block)
__global__ void argmax_f32(const float* logits, int* tok, int* pos, int n) {
    __shared__ float bv[256]; __shared__ int bi[256];
    float v = -1e30f; int idx = 0;
    for (int i = threadIdx.x; i < n; i += blockDim.x) if (logits[i] > v) { v = logits[i]; idx = i; }
    bv[threadIdx.x] = v; bi[threadIdx.x] = idx;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s /= 2) {
        if (threadIdx.x < s && bv[threadIdx.x + s] > bv[threadIdx.x]) { bv[threadIdx.x] = bv[threadIdx.x + s]; bi[threadIdx.x] = bi[threadIdx.x + s]; }
        __syncthreads();
    }
    if (threadIdx.x == 0) { *tok = bi[0]; *pos = *pos + 1; }
}

// x = E[*tok] (embedding lookup of the token just sampled)
__global__ void embed_f32(const float* E, const int* tok, float* x, int d) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < d) x[i] = E[(size_t)(*tok) * d + i];
}

// codes → features: x[c, t] = E[codes[t], c]
__global__ void code_embed_f32(const float* E, const int* codes, float* x, int C, int T) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < C * T) { int c = i / T, t = i % T; x[i] = E[(size_t)codes[t] * C + c]; }
}

// 1-D convolution, same padding, leaky ReLU: y[co, t] = lrelu(sum_ci,k w[co,ci,k] x[ci, t+k-r])
__global__ void conv1d_f32(const float* x, const float* w, float* y, int Ci, int Co, int T, int Kw) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= Co * T) return;
    int co = i / T, t = i % T, r = Kw / 2;
    float s = 0.f;
    for (int ci = 0; ci < Ci; ci++)
        for (int k = 0; k < Kw; k++) { int tt = t + k - r; if (tt >= 0 && tt < T) s += w[((size_t)co * Ci + ci) * Kw + k] * x[(size_t)ci * T + tt]; }
    y[i] = s > 0.f ? s : 0.1f * s;
}

// nearest upsampling along time by f: y[c, t] = x[c, t / f]
__global__ void upsample1d_f32(const float* x, float* y, int C, int T, int f) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int To = T * f;
    if (i < C * To) { int c = i / To, t = i % To; y[i] = x[(size_t)c * T + t / f]; }
}

// 3x3 convolution, same padding, SiLU: x [Ci,H,W] → y [Co,H,W]
__global__ void conv2d_f32(const float* x, const float* w, float* y, int Ci, int Co, int H, int W) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= Co * H * W) return;
    int co = i / (H * W), h = (i / W) % H, ww = i % W;
    float s = 0.f;
    for (int ci = 0; ci < Ci; ci++)
        for (int kh = 0; kh < 3; kh++)
            for (int kw = 0; kw < 3; kw++) {
                int hh = h + kh - 1, w2 = ww + kw - 1;
                if (hh >= 0 && hh < H && w2 >= 0 && w2 < W) s += w[(((size_t)co * Ci + ci) * 3 + kh) * 3 + kw] * x[((size_t)ci * H + hh) * W + w2];
            }
    y[i] = s / (1.f + __expf(-s));
}

// nearest 2x upsampling of [C,H,W]
__global__ void upsample2d_f32(const float* x, float* y, int C, int H, int W) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    int Ho = 2 * H, Wo = 2 * W;
    if (i < C * Ho * Wo) { int c = i / (Ho * Wo), h = (i / Wo) % Ho, w = i % Wo; y[i] = x[((size_t)c * H + h / 2) * W + w / 2]; }
}

// scheduler step with classifier-free guidance: lat -= dt * (eu + g * (ec - eu))
__global__ void cfg_step_f32(float* lat, const float* ec, const float* eu, float g, float dt, int n) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) lat[i] -= dt * (eu[i] + g * (ec[i] - eu[i]));
}

// fill with a deterministic pseudo-random pattern (weights and latents)
__global__ void fill_f32(float* x, int n, unsigned seed, float scale) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) { unsigned h = (i + 1) * 2654435761u ^ seed; h ^= h >> 13; h *= 0x5bd1e995; h ^= h >> 15; x[i] = scale * ((h & 0xffff) / 32768.f - 1.f); }
}

}  // extern "C"
