// The CUDA engine (see cuda_engine.h): every matmul through cuBLAS (bf16 operands,
// fp32 accumulation; loaded at run time), everything else in our kernels (kernels.cu).
// The structure follows the CPU engine step for step (src/native/engine/engine.cc) so
// the two can be read side by side; attention is batched GEMM + causal softmax.
#include "cuda/cuda_engine.h"

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "cuda/cublas_loader.h"
#include "cuda/kernels.h"

namespace gm::cuda {

namespace {
void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw EngineFailure(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(e));
}
}  // namespace

DeviceInfo probeDevices() {
  DeviceInfo info;
  int n = 0;
  cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    info.error = cudaGetErrorString(e);
    cudaGetLastError();  // clear the sticky-free error so later calls start clean
    return info;
  }
  info.count = n;
  if (n == 0) {
    info.error = "no CUDA device";
    return info;
  }
  cudaDeviceProp p;
  if (cudaGetDeviceProperties(&p, 0) == cudaSuccess) {
    info.name = p.name;
    info.major = p.major;
    info.minor = p.minor;
    info.memoryBytes = p.totalGlobalMem;
  }
  return info;
}

struct CudaModel::Impl {
  const ModelShape s;
  const int64_t B, T, N;
  const ParamLayout& L;
  int device = 0;
  bool flash = false;
  cudaStream_t stream = nullptr;
  cublasHandle_t handle = nullptr;
  const CublasApi* api = nullptr;
  std::vector<void*> allocations;
  size_t bytes = 0;

  float *params = nullptr, *grads = nullptr, *adamM = nullptr, *adamV = nullptr;
  float* dpPadded = nullptr;  // trainStepDataParallel: the gradient padded to ranks × shard (allocated on first use)
  bf16* wb = nullptr;  // bf16 copy of params (GEMM operands)
  void* workspace = nullptr;

  struct LayerActs {
    float *xIn, *rstd1, *x2, *rstd2;
    bf16 *h1, *q, *k, *v, *probs, *att, *h2, *gate, *up, *act;
    float* lse;  // flash path: log-sum-exp of every (b, h, i) score row [B,H,T]
  };
  std::vector<LayerActs> acts;
  float *xFinal, *rstdF;
  bf16* hF;
  float *scores, *dx, *dh, *dact, *dq, *dk, *dv, *normPartial, *logits, *ropeCos, *ropeSin;
  bf16 *dS, *dxb, *dg, *du, *datt, *dqb, *dkb, *dvb, *dlogits;
  double *rowLoss, *ssPartial;
  float* flashD = nullptr;  // flash path: <dO, O> per (b, h, i)
  int32_t *tokens, *targets;
  int32_t *embRows, *embSegStart, *embSegToken;  // rows grouped by token (embedding backward)
  int64_t embSegments = 0;
  std::vector<int32_t> hostGroups;                // staging for the three arrays above
  int64_t rowsPerBlock = 0;

  Impl(const ModelShape& shape, int64_t batch, int64_t seq, const ParamLayout& layout, int dev, bool useFlash)
      : s(shape), B(batch), T(seq), N(batch * seq), L(layout), device(dev), flash(useFlash) {}

  ~Impl() {
    cudaSetDevice(device);
    if (stream) cudaStreamSynchronize(stream);
    for (void* p : allocations) cudaFree(p);
    if (handle && api) api->destroy(handle);
    if (stream) cudaStreamDestroy(stream);
  }

  template <typename T_>
  T_* alloc(size_t count) {
    void* p = nullptr;
    const size_t n = std::max<size_t>(count * sizeof(T_), 256);
    cudaError_t e = cudaMalloc(&p, n);
    if (e != cudaSuccess) {
      cudaGetLastError();
      throw EngineFailure("out of GPU memory allocating " + std::to_string(n) + " bytes (" + std::to_string(bytes) +
                          " already allocated by this engine)");
    }
    allocations.push_back(p);
    bytes += n;
    return static_cast<T_*>(p);
  }

  void setup() {
    api = &cublas();  // throws a clear error when libcublas cannot be loaded
    check(cudaSetDevice(device), "cudaSetDevice");
    check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
    if (api->create(&handle) != 0) throw EngineFailure("cublasCreate failed (is the device usable?)");
    api->setStream(handle, stream);
    api->setMathMode(handle, CUBLAS_DEFAULT_MATH);
    if (api->setWorkspace) {
      const size_t ws = size_t(32) << 20;
      workspace = alloc<char>(ws);
      api->setWorkspace(handle, workspace, ws);
    }
    const size_t P = L.total, d = s.dim, kv = s.kvDim(), f = s.ffn, H = s.heads, V = s.vocab;
    params = alloc<float>(P);
    grads = alloc<float>(P);
    adamM = alloc<float>(P);
    adamV = alloc<float>(P);
    wb = alloc<bf16>(P);
    acts.resize(s.layers);
    for (auto& a : acts) {
      a.xIn = alloc<float>(N * d);
      a.rstd1 = alloc<float>(N);
      a.h1 = alloc<bf16>(N * d);
      a.q = alloc<bf16>(N * d);
      a.k = alloc<bf16>(N * kv);
      a.v = alloc<bf16>(N * kv);
      a.probs = flash ? nullptr : alloc<bf16>(B * H * T * T);
      a.lse = flash ? alloc<float>(B * H * T) : nullptr;
      a.att = alloc<bf16>(N * d);
      a.x2 = alloc<float>(N * d);
      a.rstd2 = alloc<float>(N);
      a.h2 = alloc<bf16>(N * d);
      a.gate = alloc<bf16>(N * f);
      a.up = alloc<bf16>(N * f);
      a.act = alloc<bf16>(N * f);
    }
    xFinal = alloc<float>(N * d);
    rstdF = alloc<float>(N);
    hF = alloc<bf16>(N * d);
    scores = flash ? nullptr : alloc<float>(B * H * T * T);
    dS = flash ? nullptr : alloc<bf16>(B * H * T * T);
    if (flash) flashD = alloc<float>(B * H * T);
    dx = alloc<float>(N * d);
    dxb = alloc<bf16>(N * d);
    dh = alloc<float>(N * d);
    dact = alloc<float>(N * f);
    dg = alloc<bf16>(N * f);
    du = alloc<bf16>(N * f);
    datt = alloc<bf16>(N * d);
    dq = alloc<float>(N * d);
    dk = alloc<float>(N * kv);
    dv = alloc<float>(N * kv);
    dqb = alloc<bf16>(N * d);
    dkb = alloc<bf16>(N * kv);
    dvb = alloc<bf16>(N * kv);
    normPartial = alloc<float>(kNormSlices * d);
    // Logit rows per block: at most 2^26 fp32 values (256 MB) plus their bf16 gradient.
    rowsPerBlock = std::max<int64_t>(1, std::min<int64_t>(N, (int64_t(1) << 26) / (int64_t)V));
    logits = alloc<float>(rowsPerBlock * V);
    dlogits = alloc<bf16>(rowsPerBlock * V);
    rowLoss = alloc<double>(N);
    ssPartial = alloc<double>(kSumBlocks);
    tokens = alloc<int32_t>(N);
    targets = alloc<int32_t>(N);
    embRows = alloc<int32_t>(N);
    embSegStart = alloc<int32_t>(N + 1);
    embSegToken = alloc<int32_t>(N);
    // RoPE tables, as the CPU engine: angles in float64, rounded once to float32.
    const int64_t half = s.headDim() / 2;
    std::vector<float> c(T * half), sn(T * half);
    for (int64_t t = 0; t < T; t++)
      for (int64_t i = 0; i < half; i++) {
        double invFreq = 1.0 / std::pow(s.ropeTheta, (double)(2 * i) / (double)s.headDim());
        double ang = (double)t * invFreq;
        c[t * half + i] = (float)std::cos(ang);
        sn[t * half + i] = (float)std::sin(ang);
      }
    ropeCos = alloc<float>(T * half);
    ropeSin = alloc<float>(T * half);
    check(cudaMemcpyAsync(ropeCos, c.data(), c.size() * sizeof(float), cudaMemcpyHostToDevice, stream), "rope upload");
    check(cudaMemcpyAsync(ropeSin, sn.data(), sn.size() * sizeof(float), cudaMemcpyHostToDevice, stream), "rope upload");
    check(cudaMemsetAsync(grads, 0, P * sizeof(float), stream), "memset");
    check(cudaMemsetAsync(adamM, 0, P * sizeof(float), stream), "memset");
    check(cudaMemsetAsync(adamV, 0, P * sizeof(float), stream), "memset");
    sync("setup");  // the rope tables' host vectors die with this scope
  }

  // CUDA's current device is per host thread and calls may come from worker threads
  // (the N-API addon), so every public entry point selects the engine's device.
  void current() const { check(cudaSetDevice(device), "cudaSetDevice"); }

  void sync(const char* what) const {
    check(cudaGetLastError(), what);
    check(cudaStreamSynchronize(stream), what);
  }

  // Row-major C[M,N] = alpha op(A) op(B) + beta C with bf16 A, B and C of type ct. cuBLAS
  // is column-major: a row-major X is a column-major X^T, so we compute
  // C^T = op(B)^T op(A)^T by swapping the operands.
  void gemm(bool tA, bool tB, int64_t M, int64_t Nn, int64_t K, float alpha, const bf16* A, int64_t lda,
            const bf16* Bm, int64_t ldb, float beta, void* C, cudaDataType_t ct, int64_t ldc) {
    cublasStatus_t st = api->gemmEx(handle, tB ? CUBLAS_OP_T : CUBLAS_OP_N, tA ? CUBLAS_OP_T : CUBLAS_OP_N, (int)Nn,
                                    (int)M, (int)K, &alpha, Bm, CUDA_R_16BF, (int)ldb, A, CUDA_R_16BF, (int)lda, &beta,
                                    C, ct, (int)ldc, CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    if (st != 0) throwCublas(st, "cublasGemmEx");
  }
  void gemmBatched(bool tA, bool tB, int64_t M, int64_t Nn, int64_t K, float alpha, const bf16* A, int64_t lda,
                   int64_t sA, const bf16* Bm, int64_t ldb, int64_t sB, float beta, void* C, cudaDataType_t ct,
                   int64_t ldc, int64_t sC, int64_t count) {
    cublasStatus_t st = api->gemmStridedBatchedEx(
        handle, tB ? CUBLAS_OP_T : CUBLAS_OP_N, tA ? CUBLAS_OP_T : CUBLAS_OP_N, (int)Nn, (int)M, (int)K, &alpha, Bm,
        CUDA_R_16BF, (int)ldb, sB, A, CUDA_R_16BF, (int)lda, sA, &beta, C, ct, (int)ldc, sC, (int)count,
        CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT);
    if (st != 0) throwCublas(st, "cublasGemmStridedBatchedEx");
  }
  [[noreturn]] void throwCublas(cublasStatus_t st, const char* what) const {
    std::string msg = api->statusString ? api->statusString(st) : ("status " + std::to_string(st));
    throw EngineFailure(std::string(what) + " failed: " + msg);
  }
  // y[N,out] (=|+=) x[N,in] W^T
  void linearForward(const bf16* x, const bf16* W, void* y, cudaDataType_t yt, int64_t n, int64_t in, int64_t out,
                     bool accumulate) {
    gemm(false, true, n, out, in, 1.f, x, in, W, in, accumulate ? 1.f : 0.f, y, yt, out);
  }
  // dx[N,in] (=|+=) dy W (fp32), dW[out,in] += dy^T x (fp32)
  void linearBackward(const bf16* x, const bf16* W, const bf16* dy, float* dxOut, float* dW, int64_t n, int64_t in,
                      int64_t out, bool accumulateDx) {
    gemm(false, false, n, in, out, 1.f, dy, out, W, in, accumulateDx ? 1.f : 0.f, dxOut, CUDA_R_32F, in);
    gemm(true, false, out, in, n, 1.f, dy, out, x, in, 1.f, dW, CUDA_R_32F, in);
  }

  const bf16* W(size_t off) const { return wb + off; }

  void forward(int64_t nSeq) {
    const int64_t n = nSeq * T, d = s.dim, kv = s.kvDim(), f = s.ffn, H = s.heads, KV = s.kvHeads, hd = s.headDim();
    const int64_t rep = H / KV;
    const float scale = 1.0f / std::sqrt((float)hd), eps = (float)s.normEps;
    embeddingForward(tokens, params + L.embed, acts[0].xIn, n, d, stream);
    for (int64_t l = 0; l < s.layers; l++) {
      auto& a = acts[l];
      const auto& o = L.layers[l];
      rmsnormForward(a.xIn, params + o.attnNorm, a.h1, a.rstd1, n, d, eps, stream);
      linearForward(a.h1, W(o.wq), a.q, CUDA_R_16BF, n, d, d, false);
      linearForward(a.h1, W(o.wk), a.k, CUDA_R_16BF, n, d, kv, false);
      linearForward(a.h1, W(o.wv), a.v, CUDA_R_16BF, n, d, kv, false);
      ropeForward(a.q, n, T, H, hd, ropeCos, ropeSin, stream);
      ropeForward(a.k, n, T, KV, hd, ropeCos, ropeSin, stream);
      if (flash) {
        flashAttentionForward(a.q, a.k, a.v, a.att, a.lse, nSeq, T, H, KV, hd, scale, stream);
      } else {
      // Per sequence b and query offset r within a KV group, one strided batch over the
      // KV heads g (query head h = g*rep + r): S = scale Q K^T, then O = P V.
      for (int64_t b = 0; b < nSeq; b++)
        for (int64_t r = 0; r < rep; r++)
          gemmBatched(false, true, T, T, hd, scale, a.q + b * T * d + r * hd, d, rep * hd, a.k + b * T * kv, kv, hd,
                      0.f, scores + (b * H + r) * T * T, CUDA_R_32F, T, rep * T * T, KV);
      causalSoftmax(scores, a.probs, nSeq * H * T, T, stream);
      for (int64_t b = 0; b < nSeq; b++)
        for (int64_t r = 0; r < rep; r++)
          gemmBatched(false, false, T, hd, T, 1.f, a.probs + (b * H + r) * T * T, T, rep * T * T, a.v + b * T * kv,
                      kv, hd, 0.f, a.att + b * T * d + r * hd, CUDA_R_16BF, d, rep * hd, KV);
      }
      check(cudaMemcpyAsync(a.x2, a.xIn, n * d * sizeof(float), cudaMemcpyDeviceToDevice, stream), "copy");
      linearForward(a.att, W(o.wo), a.x2, CUDA_R_32F, n, d, d, true);
      rmsnormForward(a.x2, params + o.mlpNorm, a.h2, a.rstd2, n, d, eps, stream);
      linearForward(a.h2, W(o.wgate), a.gate, CUDA_R_16BF, n, d, f, false);
      linearForward(a.h2, W(o.wup), a.up, CUDA_R_16BF, n, d, f, false);
      swigluForward(a.gate, a.up, a.act, n * f, stream);
      float* next = (l + 1 < s.layers) ? acts[l + 1].xIn : xFinal;
      check(cudaMemcpyAsync(next, a.x2, n * d * sizeof(float), cudaMemcpyDeviceToDevice, stream), "copy");
      linearForward(a.act, W(o.wdown), next, CUDA_R_32F, n, f, d, true);
    }
    rmsnormForward(xFinal, params + L.finalNorm, hF, rstdF, n, d, eps, stream);
  }

  // Loss rows through blocks of logits; with backward, dh = dloss/dhF and the head's
  // weight gradient is accumulated. Leaves rowLoss on the device.
  void headLoss(int64_t nSeq, bool backward, float invCount) {
    const int64_t n = nSeq * T, d = s.dim, V = s.vocab;
    const bf16* Wh = W(L.lmHead);
    for (int64_t r0 = 0; r0 < n; r0 += rowsPerBlock) {
      const int64_t rows = std::min(rowsPerBlock, n - r0);
      gemm(false, true, rows, V, d, 1.f, hF + r0 * d, d, Wh, d, 0.f, logits, CUDA_R_32F, V);
      crossEntropyRows(logits, targets + r0, rows, V, rowLoss + r0, backward ? dlogits : nullptr, invCount, stream);
      if (backward) {
        gemm(false, false, rows, d, V, 1.f, dlogits, V, Wh, d, 0.f, dh + r0 * d, CUDA_R_32F, d);
        gemm(true, false, V, d, rows, 1.f, dlogits, V, hF + r0 * d, d, 1.f, grads + L.lmHead, CUDA_R_32F, d);
      }
    }
  }

  void backward() {
    const int64_t n = N, d = s.dim, kv = s.kvDim(), f = s.ffn, H = s.heads, KV = s.kvHeads, hd = s.headDim();
    const int64_t rep = H / KV;
    const float scale = 1.0f / std::sqrt((float)hd);
    float* G = grads;
    rmsnormBackward(xFinal, params + L.finalNorm, rstdF, dh, dx, G + L.finalNorm, normPartial, n, d, false, stream);
    for (int64_t l = s.layers - 1; l >= 0; l--) {
      auto& a = acts[l];
      const auto& o = L.layers[l];
      // MLP: out = x2 + down(silu(gate) * up); dx = dloss/dout.
      castToBf16(dx, dxb, n * d, stream);
      linearBackward(a.act, W(o.wdown), dxb, dact, G + o.wdown, n, f, d, false);
      swigluBackward(a.gate, a.up, dact, dg, du, n * f, stream);
      linearBackward(a.h2, W(o.wgate), dg, dh, G + o.wgate, n, d, f, false);
      linearBackward(a.h2, W(o.wup), du, dh, G + o.wup, n, d, f, true);
      rmsnormBackward(a.x2, params + o.mlpNorm, a.rstd2, dh, dx, G + o.mlpNorm, normPartial, n, d, true, stream);
      // Attention: x2 = xIn + o_proj(att); dx = dloss/dx2.
      castToBf16(dx, dxb, n * d, stream);
      gemm(false, false, n, d, d, 1.f, dxb, d, W(o.wo), d, 0.f, datt, CUDA_R_16BF, d);  // datt = dx Wo
      gemm(true, false, d, d, n, 1.f, dxb, d, a.att, d, 1.f, G + o.wo, CUDA_R_32F, d);  // dWo += dx^T att
      if (flash) {
        flashAttentionBackward(a.q, a.k, a.v, a.att, datt, a.lse, flashD, dq, dk, dv, B, T, H, KV, hd, scale, stream);
      } else {
      check(cudaMemsetAsync(dk, 0, n * kv * sizeof(float), stream), "memset");
      check(cudaMemsetAsync(dv, 0, n * kv * sizeof(float), stream), "memset");
      for (int64_t b = 0; b < B; b++)
        for (int64_t r = 0; r < rep; r++) {
          const bf16* P = a.probs + (b * H + r) * T * T;
          const bf16* dO = datt + b * T * d + r * hd;
          // dP = dO V^T ; dV += P^T dO
          gemmBatched(false, true, T, T, hd, 1.f, dO, d, rep * hd, a.v + b * T * kv, kv, hd, 0.f,
                      scores + (b * H + r) * T * T, CUDA_R_32F, T, rep * T * T, KV);
          gemmBatched(true, false, T, hd, T, 1.f, P, T, rep * T * T, dO, d, rep * hd, 1.f, dv + b * T * kv,
                      CUDA_R_32F, kv, hd, KV);
        }
      causalSoftmaxBackward(a.probs, scores, dS, B * H * T, T, scale, stream);
      for (int64_t b = 0; b < B; b++)
        for (int64_t r = 0; r < rep; r++) {
          const bf16* dSb = dS + (b * H + r) * T * T;
          // dQ = dS K ; dK += dS^T Q
          gemmBatched(false, false, T, hd, T, 1.f, dSb, T, rep * T * T, a.k + b * T * kv, kv, hd, 0.f,
                      dq + b * T * d + r * hd, CUDA_R_32F, d, rep * hd, KV);
          gemmBatched(true, false, T, hd, T, 1.f, dSb, T, rep * T * T, a.q + b * T * d + r * hd, d, rep * hd, 1.f,
                      dk + b * T * kv, CUDA_R_32F, kv, hd, KV);
        }
      }
      ropeBackwardCast(dq, dqb, n, T, H, hd, ropeCos, ropeSin, stream);
      ropeBackwardCast(dk, dkb, n, T, KV, hd, ropeCos, ropeSin, stream);
      castToBf16(dv, dvb, n * kv, stream);
      linearBackward(a.h1, W(o.wq), dqb, dh, G + o.wq, n, d, d, false);
      linearBackward(a.h1, W(o.wk), dkb, dh, G + o.wk, n, d, kv, true);
      linearBackward(a.h1, W(o.wv), dvb, dh, G + o.wv, n, d, kv, true);
      rmsnormBackward(a.xIn, params + o.attnNorm, a.rstd1, dh, dx, G + o.attnNorm, normPartial, n, d, true, stream);
    }
    embeddingBackward(embRows, embSegStart, embSegToken, embSegments, dx, G + L.embed, d, stream);
  }

  void upload(const int32_t* in, const int32_t* tg, int64_t nSeq) {
    check(cudaMemcpyAsync(tokens, in, nSeq * T * sizeof(int32_t), cudaMemcpyHostToDevice, stream), "token upload");
    if (tg) check(cudaMemcpyAsync(targets, tg, nSeq * T * sizeof(int32_t), cudaMemcpyHostToDevice, stream), "target upload");
  }

  // Groups the rows by token id (stable, so each token's rows stay in row order) and
  // uploads them for embeddingBackward.
  void groupTokens(const int32_t* in) {
    std::vector<int32_t> order(N);
    for (int64_t i = 0; i < N; i++) order[i] = (int32_t)i;
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return in[a] < in[b]; });
    hostGroups.assign(3 * N + 1, 0);
    int32_t* rows = hostGroups.data();
    int32_t* start = rows + N;
    int32_t* tok = start + N + 1;
    int64_t u = 0;
    for (int64_t i = 0; i < N; i++) {
      rows[i] = order[i];
      if (i == 0 || in[order[i]] != in[order[i - 1]]) {
        start[u] = (int32_t)i;
        tok[u] = in[order[i]];
        u++;
      }
    }
    start[u] = (int32_t)N;
    embSegments = u;
    check(cudaMemcpyAsync(embRows, rows, N * sizeof(int32_t), cudaMemcpyHostToDevice, stream), "upload");
    check(cudaMemcpyAsync(embSegStart, start, (u + 1) * sizeof(int32_t), cudaMemcpyHostToDevice, stream), "upload");
    check(cudaMemcpyAsync(embSegToken, tok, u * sizeof(int32_t), cudaMemcpyHostToDevice, stream), "upload");
  }

  void checkTokens(const int32_t* inputs, const int32_t* tg, int64_t nSeq) const {
    if (nSeq < 1 || nSeq > B) throw EngineFailure("nSeq must be in 1.." + std::to_string(B) + ", got " + std::to_string(nSeq));
    const int64_t n = nSeq * T, V = s.vocab;
    for (int64_t i = 0; i < n; i++) {
      if (inputs[i] < 0 || inputs[i] >= V)
        throw EngineFailure("inputs[" + std::to_string(i) + "] = " + std::to_string(inputs[i]) + " is not a token id in [0, " + std::to_string(V) + ")");
      if (tg && tg[i] != -100 && (tg[i] < 0 || tg[i] >= V))
        throw EngineFailure("targets[" + std::to_string(i) + "] = " + std::to_string(tg[i]) + " is neither -100 nor a token id in [0, " + std::to_string(V) + ")");
    }
  }
};

bool CudaModel::flashPreferred(const ModelShape& s) { return flashUsesTensorCores(s.headDim()); }

CudaModel::CudaModel(const ModelShape& s, int64_t b, int64_t t, int device, bool flash)
    : shape((s.validate(), s)), batch(b), seqLen(t), layout(ParamLayout::build(s)), flashAttention(flash) {
  if (flash && s.headDim() > 128) throw EngineFailure("flash attention: head dimension above 128 is not supported");
  if (b <= 0 || t <= 0 || b * t > (int64_t)1 << 24) throw EngineFailure("batch and seqLen must be positive (batch*seqLen <= 2^24)");
  DeviceInfo info = probeDevices();
  if (info.count == 0) throw EngineFailure("no CUDA device: " + info.error);
  if (device < 0 || device >= info.count) throw EngineFailure("CUDA device index out of range");
  impl_ = std::make_unique<Impl>(shape, b, t, layout, device, flash);
  impl_->setup();
}

CudaModel::~CudaModel() = default;

void CudaModel::initParams(uint64_t seed) {
  impl_->current();
  std::vector<float> host(layout.total);
  initParamsInto(layout, seed, host.data());
  setParams(host.data());
  check(cudaMemsetAsync(impl_->adamM, 0, layout.total * sizeof(float), impl_->stream), "memset");
  check(cudaMemsetAsync(impl_->adamV, 0, layout.total * sizeof(float), impl_->stream), "memset");
  impl_->sync("initParams");
  adamStep = 0;
}

void CudaModel::setParams(const float* host) {
  impl_->current();
  check(cudaMemcpyAsync(impl_->params, host, layout.total * sizeof(float), cudaMemcpyHostToDevice, impl_->stream), "param upload");
  castToBf16(impl_->params, impl_->wb, layout.total, impl_->stream);
  impl_->sync("setParams");
}
void CudaModel::getParams(float* host) const {
  impl_->current();
  impl_->sync("getParams");
  check(cudaMemcpyAsync(host, impl_->params, layout.total * sizeof(float), cudaMemcpyDeviceToHost, impl_->stream), "param download");
  impl_->sync("getParams");
}
void CudaModel::getGrads(float* host) const {
  impl_->current();
  impl_->sync("getGrads");
  check(cudaMemcpyAsync(host, impl_->grads, layout.total * sizeof(float), cudaMemcpyDeviceToHost, impl_->stream), "grad download");
  impl_->sync("getGrads");
}
void CudaModel::setGrads(const float* host) {
  impl_->current();
  impl_->sync("setGrads");
  check(cudaMemcpyAsync(impl_->grads, host, layout.total * sizeof(float), cudaMemcpyHostToDevice, impl_->stream), "grad upload");
  impl_->sync("setGrads");
}
void CudaModel::getAdamState(float* m, float* v) const {
  impl_->current();
  impl_->sync("getAdamState");
  check(cudaMemcpyAsync(m, impl_->adamM, layout.total * sizeof(float), cudaMemcpyDeviceToHost, impl_->stream), "adam download");
  check(cudaMemcpyAsync(v, impl_->adamV, layout.total * sizeof(float), cudaMemcpyDeviceToHost, impl_->stream), "adam download");
  impl_->sync("getAdamState");
}
void CudaModel::setAdamState(const float* m, const float* v, int64_t step) {
  impl_->current();
  impl_->sync("setAdamState");
  check(cudaMemcpyAsync(impl_->adamM, m, layout.total * sizeof(float), cudaMemcpyHostToDevice, impl_->stream), "adam upload");
  check(cudaMemcpyAsync(impl_->adamV, v, layout.total * sizeof(float), cudaMemcpyHostToDevice, impl_->stream), "adam upload");
  impl_->sync("setAdamState");
  adamStep = step;
}

double CudaModel::forwardBackward(const int32_t* inputs, const int32_t* targets) {
  impl_->current();
  Impl& m = *impl_;
  m.checkTokens(inputs, targets, batch);
  int64_t count = 0;
  for (int64_t i = 0; i < m.N; i++) count += targets[i] != -100;
  if (count == 0) throw EngineFailure("every target is -100 (ignored): the loss is undefined");
  check(cudaMemsetAsync(m.grads, 0, layout.total * sizeof(float), m.stream), "memset");
  m.upload(inputs, targets, batch);
  m.groupTokens(inputs);
  m.forward(batch);
  m.headLoss(batch, true, 1.0f / (float)count);
  m.backward();
  std::vector<double> rows(m.N);
  check(cudaMemcpyAsync(rows.data(), m.rowLoss, m.N * sizeof(double), cudaMemcpyDeviceToHost, m.stream), "loss download");
  m.sync("forwardBackward");
  double total = 0.0;
  for (double r : rows) total += r;
  const double loss = total / (double)count;
  if (!std::isfinite(loss)) throw EngineFailure("non-finite loss (parameters diverged or contain NaN/Inf)");
  return loss;
}

void CudaModel::evalLoss(const int32_t* inputs, const int32_t* targets, int64_t nSeq, float* out) {
  impl_->current();
  Impl& m = *impl_;
  m.checkTokens(inputs, targets, nSeq);
  m.upload(inputs, targets, nSeq);
  m.forward(nSeq);
  m.headLoss(nSeq, false, 0.f);
  std::vector<double> rows(nSeq * seqLen);
  check(cudaMemcpyAsync(rows.data(), m.rowLoss, rows.size() * sizeof(double), cudaMemcpyDeviceToHost, m.stream), "loss download");
  m.sync("evalLoss");
  for (int64_t b = 0; b < nSeq; b++) {
    double sum = 0.0;
    int64_t c = 0;
    for (int64_t t = 0; t < seqLen; t++) {
      sum += rows[b * seqLen + t];
      c += targets[b * seqLen + t] != -100;
    }
    out[b] = c ? (float)(sum / (double)c) : std::numeric_limits<float>::quiet_NaN();
    if (c && !std::isfinite(out[b])) throw EngineFailure("non-finite loss for sequence " + std::to_string(b) + " (parameters diverged?)");
  }
}

double CudaModel::gradNorm() {
  impl_->current();
  Impl& m = *impl_;
  sumSquares(m.grads, layout.total, m.ssPartial, m.stream);
  std::vector<double> part(kSumBlocks);
  check(cudaMemcpyAsync(part.data(), m.ssPartial, kSumBlocks * sizeof(double), cudaMemcpyDeviceToHost, m.stream), "norm download");
  m.sync("gradNorm");
  double ss = 0.0;
  for (double p : part) ss += p;
  return std::sqrt(ss);
}

double CudaModel::clipGradNorm(double maxNorm) {
  if (!(maxNorm > 0)) throw EngineFailure("clipGradNorm: maxNorm must be a positive number");
  const double norm = gradNorm();
  if (!std::isfinite(norm)) throw EngineFailure("clipGradNorm: the gradient norm is not finite");
  if (norm > maxNorm) scaleInPlace(impl_->grads, layout.total, (float)(maxNorm / (norm + 1e-6)), impl_->stream);
  return norm;
}

void CudaModel::adamw(const AdamW& h) {
  impl_->current();
  if (!(h.lr >= 0) || !(h.beta1 >= 0 && h.beta1 < 1) || !(h.beta2 >= 0 && h.beta2 < 1) || !(h.eps > 0) || !(h.weightDecay >= 0) ||
      !std::isfinite(h.lr) || !std::isfinite(h.weightDecay))
    throw EngineFailure("adamw: need lr >= 0, 0 <= beta1, beta2 < 1, eps > 0, weightDecay >= 0 (all finite)");
  Impl& m = *impl_;
  adamStep += 1;
  const double bc1 = 1.0 - std::pow(h.beta1, (double)adamStep);
  const double bc2 = 1.0 - std::pow(h.beta2, (double)adamStep);
  const float stepSize = (float)(h.lr / bc1), invSqrtBc2 = (float)(1.0 / std::sqrt(bc2));
  for (const auto& e : layout.entries) {
    const float decay = e.matrix ? (float)(1.0 - h.lr * h.weightDecay) : 1.0f;
    adamwUpdate(m.params + e.offset, m.grads + e.offset, m.adamM + e.offset, m.adamV + e.offset, m.wb + e.offset,
                (int64_t)e.numel, decay, stepSize, invSqrtBc2, (float)h.beta1, (float)h.beta2, (float)h.eps, m.stream);
  }
  m.sync("adamw");
}

double CudaModel::trainStep(const int32_t* inputs, const int32_t* targets, double maxNorm, const AdamW& h) {
  const double loss = forwardBackward(inputs, targets);
  // clipGradNorm refuses a non-finite norm; without clipping check it here, so NaN or
  // Inf gradients never reach the weights.
  const double norm = maxNorm > 0 ? clipGradNorm(maxNorm) : gradNorm();
  if (!std::isfinite(norm)) throw EngineFailure("trainStep: the gradient norm is not finite");
  adamw(h);
  return loss;
}

double CudaModel::trainStepDataParallel(const int32_t* inputs, const int32_t* targets, double maxNorm, const AdamW& h,
                                        parallel::Collectives& comm, double weight) {
  if (!(weight > 0) || !std::isfinite(weight)) throw EngineFailure("trainStepDataParallel: weight must be a positive number");
  const double loss = forwardBackward(inputs, targets);
  Impl& m = *impl_;
  const size_t P = layout.total, R = (size_t)comm.size(), r = (size_t)comm.rank(), S = (P + R - 1) / R;
  if (weight != 1.0) scaleInPlace(m.grads, (int64_t)P, (float)weight, m.stream);
  if (S * R == P) {
    // In place (NCCL allows it): rank r's shard is its own slice of the gradient buffer.
    comm.reduceScatterSum(m.grads, m.grads + r * S, S, m.stream);
    comm.allGather(m.grads + r * S, m.grads, S, m.stream);
  } else {
    if (!m.dpPadded) {
      m.dpPadded = m.alloc<float>(S * R);
      check(cudaMemsetAsync(m.dpPadded, 0, S * R * sizeof(float), m.stream), "cudaMemsetAsync");
    }
    check(cudaMemcpyAsync(m.dpPadded, m.grads, P * sizeof(float), cudaMemcpyDeviceToDevice, m.stream), "cudaMemcpyAsync");
    comm.reduceScatterSum(m.dpPadded, m.dpPadded + r * S, S, m.stream);
    comm.allGather(m.dpPadded + r * S, m.dpPadded, S, m.stream);
    check(cudaMemcpyAsync(m.grads, m.dpPadded, P * sizeof(float), cudaMemcpyDeviceToDevice, m.stream), "cudaMemcpyAsync");
  }
  const double total = comm.allReduceScalar(loss * weight);
  const double norm = maxNorm > 0 ? clipGradNorm(maxNorm) : gradNorm();
  if (!std::isfinite(norm)) throw EngineFailure("trainStepDataParallel: the gradient norm is not finite");
  adamw(h);
  return total;
}

double CudaModel::flashAttentionSelfCheck() {
  impl_->current();
  Impl& m = *impl_;
  const int64_t n = m.N, d = shape.dim, H = shape.heads, KV = shape.kvHeads, hd = shape.headDim();
  if (hd > 128) throw EngineFailure("flash attention kernel: head dim > 128");
  bf16* o = nullptr;
  float* lse = nullptr;
  check(cudaMalloc(&o, n * d * sizeof(bf16)), "cudaMalloc");
  check(cudaMalloc(&lse, batch * H * seqLen * sizeof(float)), "cudaMalloc");
  const auto& a = m.acts[0];
  flashAttentionForward(a.q, a.k, a.v, o, lse, batch, seqLen, H, KV, hd, 1.0f / std::sqrt((float)hd), m.stream);
  std::vector<bf16> ho(n * d), ha(n * d);
  check(cudaMemcpyAsync(ho.data(), o, n * d * sizeof(bf16), cudaMemcpyDeviceToHost, m.stream), "download");
  check(cudaMemcpyAsync(ha.data(), a.att, n * d * sizeof(bf16), cudaMemcpyDeviceToHost, m.stream), "download");
  m.sync("flashAttentionSelfCheck");
  cudaFree(o);
  cudaFree(lse);
  double num = 0, den = 0;
  for (int64_t i = 0; i < n * d; i++) {
    const double x = __bfloat162float(ho[i]), y = __bfloat162float(ha[i]);
    num += (x - y) * (x - y);
    den += y * y;
  }
  if (!std::isfinite(num)) return std::numeric_limits<double>::infinity();
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}

CudaModel::PhaseTimes CudaModel::profileTrainStep(const int32_t* inputs, const int32_t* targets, double maxNorm,
                                                  const AdamW& h) {
  impl_->current();
  Impl& m = *impl_;
  m.checkTokens(inputs, targets, batch);
  int64_t count = 0;
  for (int64_t i = 0; i < m.N; i++) count += targets[i] != -100;
  if (count == 0) throw EngineFailure("every target is -100 (ignored): the loss is undefined");
  cudaEvent_t ev[5];
  for (auto& e : ev) check(cudaEventCreate(&e), "cudaEventCreate");
  PhaseTimes t;
  try {
    check(cudaMemsetAsync(m.grads, 0, layout.total * sizeof(float), m.stream), "memset");
    m.upload(inputs, targets, batch);
    m.groupTokens(inputs);
    check(cudaEventRecord(ev[0], m.stream), "event");
    m.forward(batch);
    check(cudaEventRecord(ev[1], m.stream), "event");
    m.headLoss(batch, true, 1.0f / (float)count);
    check(cudaEventRecord(ev[2], m.stream), "event");
    m.backward();
    check(cudaEventRecord(ev[3], m.stream), "event");
    std::vector<double> rows(m.N);
    check(cudaMemcpyAsync(rows.data(), m.rowLoss, m.N * sizeof(double), cudaMemcpyDeviceToHost, m.stream), "loss download");
    const double norm = maxNorm > 0 ? clipGradNorm(maxNorm) : gradNorm();
    if (!std::isfinite(norm)) throw EngineFailure("trainStep: the gradient norm is not finite");
    adamw(h);
    check(cudaEventRecord(ev[4], m.stream), "event");
    m.sync("profileTrainStep");
    double total = 0.0;
    for (double r : rows) total += r;
    t.loss = total / (double)count;
    float ms[4];
    for (int i = 0; i < 4; i++) check(cudaEventElapsedTime(&ms[i], ev[i], ev[i + 1]), "cudaEventElapsedTime");
    t.forward = ms[0];
    t.head = ms[1];
    t.backward = ms[2];
    t.optimizer = ms[3];
    t.total = ms[0] + ms[1] + ms[2] + ms[3];
  } catch (...) {
    for (auto& e : ev) cudaEventDestroy(e);
    throw;
  }
  for (auto& e : ev) cudaEventDestroy(e);
  return t;
}

void CudaModel::synchronize() const {
  impl_->current(); impl_->sync("synchronize"); }
size_t CudaModel::deviceBytes() const { return impl_->bytes; }

}  // namespace gm::cuda
