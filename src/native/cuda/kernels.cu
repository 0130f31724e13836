// Device kernels of the CUDA engine (see kernels.h).
#include <cfloat>

#include "cuda/kernels.h"
#include "cuda/warp.cuh"

namespace gm::cuda {

namespace {
constexpr int kThreads = 256;

inline unsigned blocksFor(int64_t n, int threads = kThreads) {
  int64_t b = (n + threads - 1) / threads;
  return (unsigned)(b < 65535 * 16 ? b : 65535 * 16);  // grid-stride loops cover the rest
}

// Block-wide reductions (blockDim.x a multiple of 32, <= 1024); every thread gets the result.
template <typename T, T (*Warp)(T)>
__device__ T blockReduce(T v, T* shared) {
  const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5, nw = blockDim.x >> 5;
  v = Warp(v);
  __syncthreads();
  if (lane == 0) shared[wid] = v;
  __syncthreads();
  if (wid == 0) {
    T x = lane < nw ? shared[lane] : shared[0];
    if (lane >= nw) x = T(0);
    x = Warp(x);
    if (lane == 0) shared[0] = x;
  }
  __syncthreads();
  return shared[0];
}
__device__ float blockMax(float v, float* shared) {
  const int lane = threadIdx.x & 31, wid = threadIdx.x >> 5, nw = blockDim.x >> 5;
  v = warpMax(v);
  __syncthreads();
  if (lane == 0) shared[wid] = v;
  __syncthreads();
  if (wid == 0) {
    float x = lane < nw ? shared[lane] : -FLT_MAX;
    x = warpMax(x);
    if (lane == 0) shared[0] = x;
  }
  __syncthreads();
  return shared[0];
}

__global__ void castKernel(const float* in, bf16* out, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
    out[i] = __float2bfloat16(in[i]);
}

__global__ void embeddingForwardKernel(const int32_t* tok, const float* E, float* x, int64_t d) {
  const int64_t n = blockIdx.x;
  const float* src = E + (int64_t)tok[n] * d;
  for (int64_t j = threadIdx.x; j < d; j += blockDim.x) x[n * d + j] = src[j];
}

__global__ void embeddingBackwardKernel(const int32_t* rows, const int32_t* segStart, const int32_t* segToken,
                                        const float* dx, float* gE, int64_t d) {
  const int64_t u = blockIdx.x;
  const int32_t r0 = segStart[u], r1 = segStart[u + 1];
  float* dst = gE + (int64_t)segToken[u] * d;
  for (int64_t j = threadIdx.x; j < d; j += blockDim.x) {
    float acc = dst[j];
    for (int32_t r = r0; r < r1; r++) acc += dx[(int64_t)rows[r] * d + j];
    dst[j] = acc;
  }
}

__global__ void rmsnormForwardKernel(const float* x, const float* w, bf16* y, float* rstd, int64_t d, float eps) {
  __shared__ float sh[32];
  const int64_t n = blockIdx.x;
  const float* xr = x + n * d;
  float ss = 0.f;
  for (int64_t j = threadIdx.x; j < d; j += blockDim.x) ss += xr[j] * xr[j];
  ss = blockReduce<float, warpSum>(ss, sh);
  const float r = rsqrtf(ss / (float)d + eps);
  if (threadIdx.x == 0) rstd[n] = r;
  for (int64_t j = threadIdx.x; j < d; j += blockDim.x) y[n * d + j] = __float2bfloat16(w[j] * (xr[j] * r));
}

__global__ void rmsnormBackwardKernel(const float* x, const float* w, const float* rstd, const float* dy, float* dx,
                                      int64_t d, bool accumulate) {
  __shared__ float sh[32];
  const int64_t n = blockIdx.x;
  const float* xr = x + n * d;
  const float* dyr = dy + n * d;
  float* dxr = dx + n * d;
  const float r = rstd[n];
  float dot = 0.f;
  for (int64_t j = threadIdx.x; j < d; j += blockDim.x) dot += w[j] * dyr[j] * xr[j];
  dot = blockReduce<float, warpSum>(dot, sh);
  const float c = r * r * r * dot / (float)d;
  for (int64_t j = threadIdx.x; j < d; j += blockDim.x) {
    float g = r * w[j] * dyr[j] - c * xr[j];
    dxr[j] = accumulate ? dxr[j] + g : g;
  }
}

// Stage 1: slice s of the rows, column j -> partial[s * d + j]. Stage 2: dw[j] += sum_s.
__global__ void normWeightPartialKernel(const float* x, const float* rstd, const float* dy, float* partial, int64_t N,
                                        int64_t d) {
  const int64_t j = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
  if (j >= d) return;
  const int64_t s = blockIdx.y, n0 = N * s / kNormSlices, n1 = N * (s + 1) / kNormSlices;
  float acc = 0.f;
  for (int64_t n = n0; n < n1; n++) acc += dy[n * d + j] * x[n * d + j] * rstd[n];
  partial[s * d + j] = acc;
}
__global__ void normWeightFinishKernel(const float* partial, float* dw, int64_t d) {
  const int64_t j = blockIdx.x * (int64_t)blockDim.x + threadIdx.x;
  if (j >= d) return;
  float acc = 0.f;
  for (int s = 0; s < kNormSlices; s++) acc += partial[s * d + j];
  dw[j] += acc;
}

__global__ void ropeForwardKernel(bf16* x, int64_t N, int64_t T, int64_t nh, int64_t hd, const float* cosT,
                                  const float* sinT) {
  const int64_t half = hd / 2, total = N * nh * half;
  for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < total; idx += (int64_t)gridDim.x * blockDim.x) {
    const int64_t i = idx % half, h = (idx / half) % nh, n = idx / (half * nh), t = n % T;
    bf16* v = x + n * nh * hd + h * hd;
    const float c = cosT[t * half + i], sn = sinT[t * half + i];
    const float a = __bfloat162float(v[i]), b = __bfloat162float(v[i + half]);
    v[i] = __float2bfloat16(a * c - b * sn);
    v[i + half] = __float2bfloat16(b * c + a * sn);
  }
}
__global__ void ropeBackwardCastKernel(const float* dx, bf16* out, int64_t N, int64_t T, int64_t nh, int64_t hd,
                                       const float* cosT, const float* sinT) {
  const int64_t half = hd / 2, total = N * nh * half;
  for (int64_t idx = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; idx < total; idx += (int64_t)gridDim.x * blockDim.x) {
    const int64_t i = idx % half, h = (idx / half) % nh, n = idx / (half * nh), t = n % T;
    const int64_t base = n * nh * hd + h * hd;
    const float c = cosT[t * half + i], sn = -sinT[t * half + i];
    const float a = dx[base + i], b = dx[base + i + half];
    out[base + i] = __float2bfloat16(a * c - b * sn);
    out[base + i + half] = __float2bfloat16(b * c + a * sn);
  }
}

__global__ void causalSoftmaxKernel(const float* S, bf16* P, int64_t T) {
  __shared__ float sh[32];
  const int64_t r = blockIdx.x, i = r % T;
  const float* row = S + r * T;
  bf16* out = P + r * T;
  float mx = -FLT_MAX;
  for (int64_t j = threadIdx.x; j <= i; j += blockDim.x) mx = fmaxf(mx, row[j]);
  mx = blockMax(mx, sh);
  float sum = 0.f;
  for (int64_t j = threadIdx.x; j <= i; j += blockDim.x) sum += __expf(row[j] - mx);
  sum = blockReduce<float, warpSum>(sum, sh);
  const float inv = 1.f / sum;
  for (int64_t j = threadIdx.x; j < T; j += blockDim.x)
    out[j] = __float2bfloat16(j <= i ? __expf(row[j] - mx) * inv : 0.f);
}

__global__ void causalSoftmaxBackwardKernel(const bf16* P, const float* dP, bf16* dS, int64_t T, float scale) {
  __shared__ float sh[32];
  const int64_t r = blockIdx.x, i = r % T;
  const bf16* p = P + r * T;
  const float* dp = dP + r * T;
  bf16* out = dS + r * T;
  float dot = 0.f;
  for (int64_t j = threadIdx.x; j <= i; j += blockDim.x) dot += __bfloat162float(p[j]) * dp[j];
  dot = blockReduce<float, warpSum>(dot, sh);
  for (int64_t j = threadIdx.x; j < T; j += blockDim.x)
    out[j] = __float2bfloat16(j <= i ? scale * __bfloat162float(p[j]) * (dp[j] - dot) : 0.f);
}

__global__ void swigluForwardKernel(const bf16* g, const bf16* u, bf16* act, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
    const float x = __bfloat162float(g[i]);
    act[i] = __float2bfloat16(x / (1.f + __expf(-x)) * __bfloat162float(u[i]));
  }
}
__global__ void swigluBackwardKernel(const bf16* g, const bf16* u, const float* dact, bf16* dg, bf16* du, int64_t n) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) {
    const float x = __bfloat162float(g[i]), up = __bfloat162float(u[i]), da = dact[i];
    const float sg = 1.f / (1.f + __expf(-x));
    du[i] = __float2bfloat16(da * x * sg);
    dg[i] = __float2bfloat16(da * up * sg * (1.f + x * (1.f - sg)));
  }
}

__global__ void crossEntropyKernel(const float* logits, const int32_t* targets, int64_t V, double* rowLoss,
                                   bf16* dlogits, float invCount) {
  __shared__ float sh[32];
  __shared__ double shd[32];
  const int64_t r = blockIdx.x;
  const float* row = logits + r * V;
  const int32_t t = targets[r];
  if (t == -100) {
    if (threadIdx.x == 0) rowLoss[r] = 0.0;
    if (dlogits)
      for (int64_t j = threadIdx.x; j < V; j += blockDim.x) dlogits[r * V + j] = __float2bfloat16(0.f);
    return;
  }
  float mx = -FLT_MAX;
  for (int64_t j = threadIdx.x; j < V; j += blockDim.x) mx = fmaxf(mx, row[j]);
  mx = blockMax(mx, sh);
  float part = 0.f;
  for (int64_t j = threadIdx.x; j < V; j += blockDim.x) part += __expf(row[j] - mx);
  const double sum = blockReduce<double, warpSumD>((double)part, shd);
  if (threadIdx.x == 0) rowLoss[r] = log(sum) + (double)mx - (double)row[t];
  if (dlogits) {
    const float scaleRow = (float)(1.0 / sum) * invCount;
    for (int64_t j = threadIdx.x; j < V; j += blockDim.x) {
      float gr = __expf(row[j] - mx) * scaleRow;
      if (j == t) gr -= invCount;
      dlogits[r * V + j] = __float2bfloat16(gr);
    }
  }
}

__global__ void sumSquaresKernel(const float* g, int64_t n, double* partial) {
  __shared__ double shd[32];
  double acc = 0.0;
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x)
    acc += (double)g[i] * (double)g[i];
  acc = blockReduce<double, warpSumD>(acc, shd);
  if (threadIdx.x == 0) partial[blockIdx.x] = acc;
}

__global__ void scaleKernel(float* g, int64_t n, float c) {
  for (int64_t i = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; i < n; i += (int64_t)gridDim.x * blockDim.x) g[i] *= c;
}

__global__ void adamwKernel(float* P, const float* G, float* M, float* Vv, bf16* Pb, int64_t n, float decay,
                            float stepSize, float invSqrtBc2, float b1, float b2, float eps) {
  for (int64_t j = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; j < n; j += (int64_t)gridDim.x * blockDim.x) {
    const float g = G[j];
    const float m = b1 * M[j] + (1.f - b1) * g;
    const float v = b2 * Vv[j] + (1.f - b2) * g * g;
    M[j] = m;
    Vv[j] = v;
    const float p = P[j] * decay - stepSize * m / (sqrtf(v) * invSqrtBc2 + eps);
    P[j] = p;
    Pb[j] = __float2bfloat16(p);
  }
}
}  // namespace

void castToBf16(const float* in, bf16* out, int64_t n, cudaStream_t s) {
  if (n > 0) castKernel<<<blocksFor(n), kThreads, 0, s>>>(in, out, n);
}
void embeddingForward(const int32_t* tok, const float* E, float* x, int64_t N, int64_t d, cudaStream_t s) {
  embeddingForwardKernel<<<(unsigned)N, kThreads, 0, s>>>(tok, E, x, d);
}
void embeddingBackward(const int32_t* rows, const int32_t* segStart, const int32_t* segToken, int64_t segments,
                       const float* dx, float* gE, int64_t d, cudaStream_t s) {
  if (segments > 0) embeddingBackwardKernel<<<(unsigned)segments, kThreads, 0, s>>>(rows, segStart, segToken, dx, gE, d);
}
void rmsnormForward(const float* x, const float* w, bf16* y, float* rstd, int64_t N, int64_t d, float eps, cudaStream_t s) {
  rmsnormForwardKernel<<<(unsigned)N, kThreads, 0, s>>>(x, w, y, rstd, d, eps);
}
void rmsnormBackward(const float* x, const float* w, const float* rstd, const float* dy, float* dx, float* dw,
                     float* partial, int64_t N, int64_t d, bool accumulate, cudaStream_t s) {
  rmsnormBackwardKernel<<<(unsigned)N, kThreads, 0, s>>>(x, w, rstd, dy, dx, d, accumulate);
  dim3 grid((unsigned)((d + 127) / 128), kNormSlices);
  normWeightPartialKernel<<<grid, 128, 0, s>>>(x, rstd, dy, partial, N, d);
  normWeightFinishKernel<<<(unsigned)((d + 127) / 128), 128, 0, s>>>(partial, dw, d);
}
void ropeForward(bf16* x, int64_t N, int64_t T, int64_t nh, int64_t hd, const float* cosT, const float* sinT, cudaStream_t s) {
  ropeForwardKernel<<<blocksFor(N * nh * hd / 2), kThreads, 0, s>>>(x, N, T, nh, hd, cosT, sinT);
}
void ropeBackwardCast(const float* dx, bf16* out, int64_t N, int64_t T, int64_t nh, int64_t hd, const float* cosT,
                      const float* sinT, cudaStream_t s) {
  ropeBackwardCastKernel<<<blocksFor(N * nh * hd / 2), kThreads, 0, s>>>(dx, out, N, T, nh, hd, cosT, sinT);
}
void causalSoftmax(const float* S, bf16* P, int64_t rows, int64_t T, cudaStream_t s) {
  causalSoftmaxKernel<<<(unsigned)rows, T >= 256 ? 256 : 64, 0, s>>>(S, P, T);
}
void causalSoftmaxBackward(const bf16* P, const float* dP, bf16* dS, int64_t rows, int64_t T, float scale, cudaStream_t s) {
  causalSoftmaxBackwardKernel<<<(unsigned)rows, T >= 256 ? 256 : 64, 0, s>>>(P, dP, dS, T, scale);
}
void swigluForward(const bf16* g, const bf16* u, bf16* act, int64_t n, cudaStream_t s) {
  swigluForwardKernel<<<blocksFor(n), kThreads, 0, s>>>(g, u, act, n);
}
void swigluBackward(const bf16* g, const bf16* u, const float* dact, bf16* dg, bf16* du, int64_t n, cudaStream_t s) {
  swigluBackwardKernel<<<blocksFor(n), kThreads, 0, s>>>(g, u, dact, dg, du, n);
}
void crossEntropyRows(const float* logits, const int32_t* targets, int64_t rows, int64_t V, double* rowLoss,
                      bf16* dlogits, float invCount, cudaStream_t s) {
  crossEntropyKernel<<<(unsigned)rows, 1024, 0, s>>>(logits, targets, V, rowLoss, dlogits, invCount);
}
void sumSquares(const float* g, int64_t n, double* partial, cudaStream_t s) {
  sumSquaresKernel<<<kSumBlocks, kThreads, 0, s>>>(g, n, partial);
}
void scaleInPlace(float* g, int64_t n, float c, cudaStream_t s) { scaleKernel<<<blocksFor(n), kThreads, 0, s>>>(g, n, c); }
void adamwUpdate(float* p, const float* g, float* m, float* v, bf16* pb, int64_t n, float decay, float stepSize,
                 float invSqrtBc2, float b1, float b2, float eps, cudaStream_t s) {
  if (n > 0) adamwKernel<<<blocksFor(n), kThreads, 0, s>>>(p, g, m, v, pb, n, decay, stepSize, invSqrtBc2, b1, b2, eps);
}

}  // namespace gm::cuda
