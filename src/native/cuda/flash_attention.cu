// Fused causal attention without a T×T matrix (kernels.h declares the two entry points).
//
// Head dims 16, 32, 64 and 128 run on tensor cores (WMMA bf16 16×16×16, fp32
// accumulate), FlashAttention-2 style: a block of 4 warps owns a 64-row tile, each warp
// 16 rows of it, and the other operand streams through shared memory 64 rows at a time.
//   forward: per (b, h, query tile), keys in order, online softmax; O kept in fp32 in
//            shared memory so each new tile can rescale it.
//   dK, dV:  per (b, kv group, key tile), over the group's query heads and the query
//            tiles at or below the diagonal; accumulators stay in registers.
//   dQ:      per (b, h, query tile), over key tiles.
// dQ gets its own pass (recomputing S and dP) instead of FlashAttention-2's atomic adds,
// so every result is summed in a fixed order and training is bit-reproducible.
// Other even head dims <= 128 use the one-warp-per-row kernels further down (exact,
// slow, kept as the fallback).
#include <mma.h>

#include <cfloat>
#include <cmath>

#include "cuda/kernels.h"

namespace gm::cuda {

namespace {
namespace wmma = nvcuda::wmma;

__device__ __forceinline__ float warpSum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// ---------------------------------------------------------------- tensor-core path
constexpr int kTile = 64;         // rows per tile (query and key tiles alike)
constexpr int kWarps = 4;         // 16 rows of the block's tile each
constexpr int kTcThreads = kWarps * 32;
constexpr int kLdS = kTile + 4;   // fp32 score rows (WMMA needs ld % 4 == 0; +4 skews banks)
constexpr int kLdP = kTile + 8;   // bf16 probability rows (ld % 8 == 0)

template <int HD>
struct TcDims {
  static constexpr int kLdH = HD + 8;  // bf16 q/k/v/dO rows
  static constexpr int kLdO = HD + 4;  // fp32 output rows
  static constexpr size_t kTileBytes = (size_t)kTile * kLdH * sizeof(bf16);
  static constexpr size_t kScoreBytes = (size_t)kWarps * 16 * kLdS * sizeof(float);
  static constexpr size_t kProbBytes = (size_t)kWarps * 16 * kLdP * sizeof(bf16);
  static constexpr size_t kOutBytes = (size_t)kWarps * 16 * kLdO * sizeof(float);
  // forward: Q, K, V tiles, scores, probabilities, fp32 O
  static constexpr size_t kForward = 3 * kTileBytes + kScoreBytes + kProbBytes + kOutBytes;
  // backward: two bf16 tile pairs, scores and dP (each warp's pair also stages its
  // output: 2 * 16 * kLdS >= 16 * kLdO for HD <= 128), P and dS, lse and D of a tile
  static constexpr size_t kBackward = 4 * kTileBytes + 2 * kScoreBytes + 2 * kProbBytes + 2 * kTile * sizeof(float);
  static_assert(HD % 16 == 0 && HD <= 128, "tensor-core head dims: multiples of 16 up to 128");
  static_assert(2 * kLdS >= kLdO, "output staging must fit in a warp's score pair");
};

using FragA = wmma::fragment<wmma::matrix_a, 16, 16, 16, bf16, wmma::row_major>;
using FragBRow = wmma::fragment<wmma::matrix_b, 16, 16, 16, bf16, wmma::row_major>;
using FragBCol = wmma::fragment<wmma::matrix_b, 16, 16, 16, bf16, wmma::col_major>;
using FragC = wmma::fragment<wmma::accumulator, 16, 16, 16, float>;

// Rows row0 .. row0+63 of a [T, stride] bf16 matrix (columns 0..HD of `src`) into
// shared memory; rows at or past T read as zeros. 16-byte loads: every row start is a
// multiple of 16 elements (stride and head offsets are multiples of HD).
template <int HD>
__device__ __forceinline__ void loadTile(bf16* dst, const bf16* src, int64_t stride, int64_t row0, int64_t T) {
  constexpr int kVec = HD / 8;
  for (int idx = threadIdx.x; idx < kTile * kVec; idx += blockDim.x) {
    const int r = idx / kVec, c = (idx % kVec) * 8;
    uint4 val = make_uint4(0, 0, 0, 0);
    if (row0 + r < T) val = *reinterpret_cast<const uint4*>(src + (row0 + r) * stride + c);
    *reinterpret_cast<uint4*>(dst + r * TcDims<HD>::kLdH + c) = val;
  }
}
// Per-row floats (lse or D) of a tile; zeros past T.
__device__ __forceinline__ void loadRowValues(float* dst, const float* src, int64_t row0, int64_t T) {
  for (int r = threadIdx.x; r < kTile; r += blockDim.x) dst[r] = row0 + r < T ? src[row0 + r] : 0.f;
}

// out[16 x 64] = A[16 x HD] · B^T where B is a [64 x HD] tile (both row-major in shared
// memory): scores Q K^T, K Q^T, dO V^T, V dO^T.
template <int HD>
__device__ __forceinline__ void gemmABt(float* out, const bf16* A, const bf16* Bt) {
  constexpr int ld = TcDims<HD>::kLdH;
#pragma unroll
  for (int n = 0; n < kTile / 16; n++) {
    FragC acc;
    wmma::fill_fragment(acc, 0.f);
#pragma unroll
    for (int kk = 0; kk < HD; kk += 16) {
      FragA a;
      FragBCol b;
      wmma::load_matrix_sync(a, A + kk, ld);
      wmma::load_matrix_sync(b, Bt + n * 16 * ld + kk, ld);
      wmma::mma_sync(acc, a, b, acc);
    }
    wmma::store_matrix_sync(out + n * 16, acc, kLdS, wmma::mem_row_major);
  }
}
// acc[n] += A[16 x 64] (bf16, ld kLdP) · B[64 x HD] (a row-major tile), n over HD/16.
template <int HD>
__device__ __forceinline__ void gemmAccumulate(FragC (&acc)[HD / 16], const bf16* A, const bf16* B) {
  constexpr int ld = TcDims<HD>::kLdH;
#pragma unroll
  for (int kk = 0; kk < kTile; kk += 16) {
    FragA a;
    wmma::load_matrix_sync(a, A + kk, kLdP);
#pragma unroll
    for (int n = 0; n < HD / 16; n++) {
      FragBRow b;
      wmma::load_matrix_sync(b, B + kk * ld + n * 16, ld);
      wmma::mma_sync(acc[n], a, b, acc[n]);
    }
  }
}
// Writes a warp's 16 x HD accumulators, times `mul`, to rows row0.. (< T) of a
// [T, stride] fp32 matrix, staged through `stage` (16 x kLdO floats).
template <int HD>
__device__ __forceinline__ void storeRows(float* dst, int64_t stride, int64_t row0, int64_t T, FragC (&acc)[HD / 16],
                                          float* stage, float mul) {
  constexpr int ldo = TcDims<HD>::kLdO;
#pragma unroll
  for (int n = 0; n < HD / 16; n++) {
#pragma unroll
    for (int e = 0; e < acc[n].num_elements; e++) acc[n].x[e] *= mul;
    wmma::store_matrix_sync(stage + n * 16, acc[n], ldo, wmma::mem_row_major);
  }
  __syncwarp();
  const int lane = threadIdx.x & 31;
  for (int idx = lane; idx < 16 * HD; idx += 32) {
    const int r = idx / HD, c = idx % HD;
    if (row0 + r < T) dst[(row0 + r) * stride + c] = stage[r * ldo + c];
  }
  __syncwarp();
}

// Element-wise passes give each lane one row (lane / 2) and half of its 64 columns
// (lane % 2); `skew` rotates the column order per lane so the 32 lanes hit 32
// different shared-memory banks (kLdS = 68 puts row r at bank 4r).
__device__ __forceinline__ int skewed(int c, int lane) { return (c + (lane >> 1) + (lane & 1) * 16) & 31; }

template <int HD>
__global__ void __launch_bounds__(kTcThreads) flashForwardTc(const bf16* __restrict__ q, const bf16* __restrict__ k,
                                                             const bf16* __restrict__ v, bf16* __restrict__ o,
                                                             float* __restrict__ lse, int64_t T, int64_t H,
                                                             int64_t KV, float scale) {
  using D = TcDims<HD>;
  extern __shared__ __align__(128) unsigned char smem[];
  bf16* Qs = reinterpret_cast<bf16*>(smem);
  bf16* Ks = Qs + kTile * D::kLdH;
  bf16* Vs = Ks + kTile * D::kLdH;
  float* Ss = reinterpret_cast<float*>(Vs + kTile * D::kLdH);
  bf16* Ps = reinterpret_cast<bf16*>(Ss + kWarps * 16 * kLdS);
  float* Os = reinterpret_cast<float*>(Ps + kWarps * 16 * kLdP);

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  // Largest (most key tiles) query tiles first, so the causal triangle's long blocks
  // do not end up last on the SMs.
  const int64_t qt = gridDim.x - 1 - blockIdx.x, bh = blockIdx.y, b = bh / H, h = bh % H, g = h / (H / KV);
  const int64_t d = H * HD, kvd = KV * HD, q0 = qt * kTile;
  const bf16* kb = k + b * T * kvd + g * HD;
  const bf16* vb = v + b * T * kvd + g * HD;
  loadTile<HD>(Qs, q + b * T * d + h * HD, d, q0, T);

  float* S = Ss + warp * 16 * kLdS;
  bf16* P = Ps + warp * 16 * kLdP;
  float* O = Os + warp * 16 * D::kLdO;
  for (int idx = lane; idx < 16 * D::kLdO; idx += 32) O[idx] = 0.f;
  const bf16* Qw = Qs + warp * 16 * D::kLdH;
  const int r = lane >> 1, half = lane & 1;
  const int64_t i = q0 + warp * 16 + r;  // this lane's query row
  float m = -INFINITY, l = 0.f;

  for (int64_t kt = 0; kt <= qt; kt++) {
    const int64_t k0 = kt * kTile;
    __syncthreads();  // the previous K/V tile is no longer read (and Q is loaded)
    loadTile<HD>(Ks, kb, kvd, k0, T);
    loadTile<HD>(Vs, vb, kvd, k0, T);
    __syncthreads();
    gemmABt<HD>(S, Qw, Ks);
    __syncwarp();
    // Online softmax over this tile's 32 columns of the lane's row, then the pair's.
    const float* srow = S + r * kLdS + half * 32;
    bf16* prow = P + r * kLdP + half * 32;
    float mx = -INFINITY;
    for (int c0 = 0; c0 < 32; c0++) {
      const int c = skewed(c0, lane);
      const int64_t j = k0 + half * 32 + c;
      if (j <= i && j < T) mx = fmaxf(mx, srow[c] * scale);
    }
    mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, 1));
    const float mNew = fmaxf(m, mx);
    // Every row sees key 0 in tile 0, so mNew is finite; m is -inf only before it.
    const float corr = m == -INFINITY ? 0.f : __expf(m - mNew);
    float sum = 0.f;
    for (int c0 = 0; c0 < 32; c0++) {
      const int c = skewed(c0, lane);
      const int64_t j = k0 + half * 32 + c;
      const float p = (j <= i && j < T) ? __expf(srow[c] * scale - mNew) : 0.f;
      prow[c] = __float2bfloat16(p);
      sum += p;
    }
    sum += __shfl_xor_sync(0xffffffffu, sum, 1);
    l = l * corr + sum;
    m = mNew;
    float* orow = O + r * D::kLdO + half * (HD / 2);
    for (int c0 = 0; c0 < HD / 2; c0++) orow[(c0 + lane) % (HD / 2)] *= corr;
    __syncwarp();
    // O += P V, through accumulators loaded from and stored back to shared memory.
#pragma unroll
    for (int n = 0; n < HD / 16; n++) {
      FragC acc;
      wmma::load_matrix_sync(acc, O + n * 16, D::kLdO, wmma::mem_row_major);
#pragma unroll
      for (int kk = 0; kk < kTile; kk += 16) {
        FragA a;
        FragBRow bv;
        wmma::load_matrix_sync(a, P + kk, kLdP);
        wmma::load_matrix_sync(bv, Vs + kk * D::kLdH + n * 16, D::kLdH);
        wmma::mma_sync(acc, a, bv, acc);
      }
      wmma::store_matrix_sync(O + n * 16, acc, D::kLdO, wmma::mem_row_major);
    }
    __syncwarp();
  }
  if (i < T) {
    const float inv = 1.f / l;
    const float* orow = O + r * D::kLdO + half * (HD / 2);
    bf16* og = o + (b * T + i) * d + h * HD + half * (HD / 2);
    for (int c = 0; c < HD / 2; c++) og[c] = __float2bfloat16(orow[c] * inv);
    if (half == 0) lse[bh * T + i] = m + logf(l);
  }
}

// dK and dV of one key tile of KV group g: sums over the group's query heads and every
// query tile at or below the diagonal, in order.
template <int HD>
__global__ void __launch_bounds__(kTcThreads) flashBackwardDkDvTc(
    const bf16* __restrict__ q, const bf16* __restrict__ k, const bf16* __restrict__ v, const bf16* __restrict__ dO,
    const float* __restrict__ lse, const float* __restrict__ Dd, float* __restrict__ dk, float* __restrict__ dv,
    int64_t T, int64_t H, int64_t KV, float scale) {
  using D = TcDims<HD>;
  extern __shared__ __align__(128) unsigned char smem[];
  bf16* Ks = reinterpret_cast<bf16*>(smem);
  bf16* Vs = Ks + kTile * D::kLdH;
  bf16* Qs = Vs + kTile * D::kLdH;
  bf16* dOs = Qs + kTile * D::kLdH;
  float* Sbuf = reinterpret_cast<float*>(dOs + kTile * D::kLdH);  // per warp: S^T then dP^T
  bf16* Pbuf = reinterpret_cast<bf16*>(Sbuf + 2 * kWarps * 16 * kLdS);  // per warp: P^T then dS^T
  float* lseS = reinterpret_cast<float*>(Pbuf + 2 * kWarps * 16 * kLdP);
  float* Drow = lseS + kTile;  // D = <dO, O> per query row

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int64_t nTiles = gridDim.x, kt = blockIdx.x, bg = blockIdx.y, b = bg / KV, g = bg % KV, rep = H / KV;
  const int64_t d = H * HD, kvd = KV * HD, k0 = kt * kTile;
  loadTile<HD>(Ks, k + b * T * kvd + g * HD, kvd, k0, T);
  loadTile<HD>(Vs, v + b * T * kvd + g * HD, kvd, k0, T);

  float* St = Sbuf + warp * 2 * 16 * kLdS;
  float* dPt = St + 16 * kLdS;
  bf16* Pt = Pbuf + warp * 2 * 16 * kLdP;
  bf16* dSt = Pt + 16 * kLdP;
  const bf16* Kw = Ks + warp * 16 * D::kLdH;
  const bf16* Vw = Vs + warp * 16 * D::kLdH;
  FragC dKacc[HD / 16], dVacc[HD / 16];
#pragma unroll
  for (int n = 0; n < HD / 16; n++) {
    wmma::fill_fragment(dKacc[n], 0.f);
    wmma::fill_fragment(dVacc[n], 0.f);
  }
  const int r = lane >> 1, half = lane & 1;
  const int64_t j = k0 + warp * 16 + r;  // this lane's key row

  for (int64_t rr = 0; rr < rep; rr++) {
    const int64_t h = g * rep + rr;
    const bf16* qb = q + b * T * d + h * HD;
    const bf16* db = dO + b * T * d + h * HD;
    for (int64_t qt = kt; qt < nTiles; qt++) {
      const int64_t q0 = qt * kTile;
      __syncthreads();  // the previous Q/dO tile is no longer read
      loadTile<HD>(Qs, qb, d, q0, T);
      loadTile<HD>(dOs, db, d, q0, T);
      loadRowValues(lseS, lse + (b * H + h) * T, q0, T);
      loadRowValues(Drow, Dd + (b * H + h) * T, q0, T);
      __syncthreads();
      gemmABt<HD>(St, Kw, Qs);   // S^T  = K Q^T   [16 keys x 64 queries]
      gemmABt<HD>(dPt, Vw, dOs); // dP^T = V dO^T
      __syncwarp();
      for (int c0 = 0; c0 < 32; c0++) {
        const int c = half * 32 + skewed(c0, lane);
        const int64_t i = q0 + c;
        const bool live = i >= j && i < T && j < T;
        const float p = live ? __expf(St[r * kLdS + c] * scale - lseS[c]) : 0.f;
        Pt[r * kLdP + c] = __float2bfloat16(p);
        dSt[r * kLdP + c] = __float2bfloat16(p * (dPt[r * kLdS + c] - Drow[c]));
      }
      __syncwarp();
      gemmAccumulate<HD>(dVacc, Pt, dOs);  // dV += P^T dO
      gemmAccumulate<HD>(dKacc, dSt, Qs);  // dK += dS^T Q
    }
  }
  storeRows<HD>(dv + b * T * kvd + g * HD, kvd, k0 + warp * 16, T, dVacc, St, 1.f);
  storeRows<HD>(dk + b * T * kvd + g * HD, kvd, k0 + warp * 16, T, dKacc, St, scale);
}

// dQ of one query tile of head h: sums over key tiles at or below the diagonal, in order.
template <int HD>
__global__ void __launch_bounds__(kTcThreads) flashBackwardDqTc(
    const bf16* __restrict__ q, const bf16* __restrict__ k, const bf16* __restrict__ v, const bf16* __restrict__ dO,
    const float* __restrict__ lse, const float* __restrict__ Dd, float* __restrict__ dq, int64_t T, int64_t H,
    int64_t KV, float scale) {
  using D = TcDims<HD>;
  extern __shared__ __align__(128) unsigned char smem[];
  bf16* Qs = reinterpret_cast<bf16*>(smem);
  bf16* dOs = Qs + kTile * D::kLdH;
  bf16* Ks = dOs + kTile * D::kLdH;
  bf16* Vs = Ks + kTile * D::kLdH;
  float* Sbuf = reinterpret_cast<float*>(Vs + kTile * D::kLdH);
  bf16* Pbuf = reinterpret_cast<bf16*>(Sbuf + 2 * kWarps * 16 * kLdS);
  float* lseS = reinterpret_cast<float*>(Pbuf + 2 * kWarps * 16 * kLdP);
  float* Drow = lseS + kTile;  // D = <dO, O> per query row

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31;
  const int64_t qt = gridDim.x - 1 - blockIdx.x, bh = blockIdx.y, b = bh / H, h = bh % H, g = h / (H / KV);
  const int64_t d = H * HD, kvd = KV * HD, q0 = qt * kTile;
  loadTile<HD>(Qs, q + b * T * d + h * HD, d, q0, T);
  loadTile<HD>(dOs, dO + b * T * d + h * HD, d, q0, T);
  loadRowValues(lseS, lse + bh * T, q0, T);
  loadRowValues(Drow, Dd + bh * T, q0, T);
  const bf16* kb = k + b * T * kvd + g * HD;
  const bf16* vb = v + b * T * kvd + g * HD;

  float* S = Sbuf + warp * 2 * 16 * kLdS;
  float* dP = S + 16 * kLdS;
  bf16* dSw = Pbuf + warp * 2 * 16 * kLdP;
  const bf16* Qw = Qs + warp * 16 * D::kLdH;
  const bf16* dOw = dOs + warp * 16 * D::kLdH;
  FragC dQacc[HD / 16];
#pragma unroll
  for (int n = 0; n < HD / 16; n++) wmma::fill_fragment(dQacc[n], 0.f);
  const int r = lane >> 1, half = lane & 1, rowInTile = warp * 16 + r;
  const int64_t i = q0 + rowInTile;

  for (int64_t kt = 0; kt <= qt; kt++) {
    const int64_t k0 = kt * kTile;
    __syncthreads();
    loadTile<HD>(Ks, kb, kvd, k0, T);
    loadTile<HD>(Vs, vb, kvd, k0, T);
    __syncthreads();
    gemmABt<HD>(S, Qw, Ks);    // S  = Q K^T
    gemmABt<HD>(dP, dOw, Vs);  // dP = dO V^T
    __syncwarp();
    const float L = lseS[rowInTile], Di = Drow[rowInTile];
    for (int c0 = 0; c0 < 32; c0++) {
      const int c = half * 32 + skewed(c0, lane);
      const int64_t j = k0 + c;
      const bool live = j <= i && i < T && j < T;
      const float p = live ? __expf(S[r * kLdS + c] * scale - L) : 0.f;
      dSw[r * kLdP + c] = __float2bfloat16(p * (dP[r * kLdS + c] - Di));
    }
    __syncwarp();
    gemmAccumulate<HD>(dQacc, dSw, Ks);  // dQ += dS K
  }
  storeRows<HD>(dq + b * T * d + h * HD, d, q0 + warp * 16, T, dQacc, S, scale);
}

template <int HD>
void launchForwardTc(const bf16* q, const bf16* k, const bf16* v, bf16* o, float* lse, int64_t B, int64_t T, int64_t H,
                     int64_t KV, float scale, cudaStream_t s) {
  constexpr size_t bytes = TcDims<HD>::kForward;
  // Opting in to more than 48 KiB of shared memory; set at every launch (a host-side
  // call of microseconds) so it holds on whichever device is current.
  cudaFuncSetAttribute(flashForwardTc<HD>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)bytes);
  const dim3 grid((unsigned)((T + kTile - 1) / kTile), (unsigned)(B * H));
  flashForwardTc<HD><<<grid, kTcThreads, bytes, s>>>(q, k, v, o, lse, T, H, KV, scale);
}
template <int HD>
void launchBackwardTc(const bf16* q, const bf16* k, const bf16* v, const bf16* dO, const float* lse, const float* D,
                      float* dq, float* dk, float* dv, int64_t B, int64_t T, int64_t H, int64_t KV, float scale,
                      cudaStream_t s) {
  constexpr size_t bytes = TcDims<HD>::kBackward;
  cudaFuncSetAttribute(flashBackwardDkDvTc<HD>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)bytes);
  cudaFuncSetAttribute(flashBackwardDqTc<HD>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)bytes);
  const unsigned tiles = (unsigned)((T + kTile - 1) / kTile);
  flashBackwardDkDvTc<HD><<<dim3(tiles, (unsigned)(B * KV)), kTcThreads, bytes, s>>>(q, k, v, dO, lse, D, dk, dv, T, H,
                                                                                     KV, scale);
  flashBackwardDqTc<HD><<<dim3(tiles, (unsigned)(B * H)), kTcThreads, bytes, s>>>(q, k, v, dO, lse, D, dq, T, H, KV,
                                                                                  scale);
}

// ---------------------------------------------------------------- row-per-warp fallback
// One warp per query row (b, h, i); each lane holds hd/32 (<= 4) of q and of the
// running output. Keys 0..i are visited in order with an online softmax.
__global__ void rowFlashForwardKernel(const bf16* q, const bf16* k, const bf16* v, bf16* o, float* lse, int64_t B,
                                   int64_t T, int64_t H, int64_t KV, int64_t hd, float scale) {
  const int lane = threadIdx.x & 31;
  const int64_t row = blockIdx.x * (int64_t)(blockDim.x >> 5) + (threadIdx.x >> 5);
  if (row >= B * H * T) return;
  const int64_t i = row % T, h = (row / T) % H, b = row / (T * H), g = h / (H / KV);
  const int64_t d = H * hd, kvd = KV * hd;
  const int per = (int)((hd + 31) / 32);
  float qr[4], acc[4];
  for (int c = 0; c < per; c++) {
    const int64_t e = lane + 32 * c;
    qr[c] = e < hd ? __bfloat162float(q[(b * T + i) * d + h * hd + e]) * scale : 0.f;
    acc[c] = 0.f;
  }
  float m = -FLT_MAX, l = 0.f;
  for (int64_t j = 0; j <= i; j++) {
    const bf16* kr = k + (b * T + j) * kvd + g * hd;
    float s = 0.f;
    for (int c = 0; c < per; c++) {
      const int64_t e = lane + 32 * c;
      if (e < hd) s += qr[c] * __bfloat162float(kr[e]);
    }
    s = warpSum(s);
    const float mNew = fmaxf(m, s), corr = __expf(m - mNew), p = __expf(s - mNew);
    l = l * corr + p;
    const bf16* vr = v + (b * T + j) * kvd + g * hd;
    for (int c = 0; c < per; c++) {
      const int64_t e = lane + 32 * c;
      acc[c] = acc[c] * corr + (e < hd ? p * __bfloat162float(vr[e]) : 0.f);
    }
    m = mNew;
  }
  for (int c = 0; c < per; c++) {
    const int64_t e = lane + 32 * c;
    if (e < hd) o[(b * T + i) * d + h * hd + e] = __float2bfloat16(acc[c] / l);
  }
  if (lane == 0) lse[(b * H + h) * T + i] = m + logf(l);
}

__global__ void flashRowDotKernel(const bf16* o, const bf16* dO, float* D, int64_t B, int64_t T, int64_t H,
                                  int64_t hd) {
  const int lane = threadIdx.x & 31;
  const int64_t row = blockIdx.x * (int64_t)(blockDim.x >> 5) + (threadIdx.x >> 5);
  if (row >= B * H * T) return;
  const int64_t i = row % T, h = (row / T) % H, b = row / (T * H), d = H * hd;
  const int64_t base = (b * T + i) * d + h * hd;
  float acc = 0.f;
  for (int64_t e = lane; e < hd; e += 32) acc += __bfloat162float(o[base + e]) * __bfloat162float(dO[base + e]);
  acc = warpSum(acc);
  if (lane == 0) D[(b * H + h) * T + i] = acc;
}

__global__ void rowFlashBackwardDqKernel(const bf16* q, const bf16* k, const bf16* v, const bf16* dO, const float* lse,
                                      const float* D, float* dq, int64_t B, int64_t T, int64_t H, int64_t KV,
                                      int64_t hd, float scale) {
  const int lane = threadIdx.x & 31;
  const int64_t row = blockIdx.x * (int64_t)(blockDim.x >> 5) + (threadIdx.x >> 5);
  if (row >= B * H * T) return;
  const int64_t i = row % T, h = (row / T) % H, b = row / (T * H), g = h / (H / KV);
  const int64_t d = H * hd, kvd = KV * hd, qbase = (b * T + i) * d + h * hd;
  const int per = (int)((hd + 31) / 32);
  float qr[4], dor[4], acc[4];
  for (int c = 0; c < per; c++) {
    const int64_t e = lane + 32 * c;
    qr[c] = e < hd ? __bfloat162float(q[qbase + e]) * scale : 0.f;
    dor[c] = e < hd ? __bfloat162float(dO[qbase + e]) : 0.f;
    acc[c] = 0.f;
  }
  const float L = lse[(b * H + h) * T + i], Di = D[(b * H + h) * T + i];
  for (int64_t j = 0; j <= i; j++) {
    const bf16* kr = k + (b * T + j) * kvd + g * hd;
    const bf16* vr = v + (b * T + j) * kvd + g * hd;
    float sdot = 0.f, pdot = 0.f;
    for (int c = 0; c < per; c++) {
      const int64_t e = lane + 32 * c;
      if (e < hd) {
        sdot += qr[c] * __bfloat162float(kr[e]);
        pdot += dor[c] * __bfloat162float(vr[e]);
      }
    }
    sdot = warpSum(sdot);
    pdot = warpSum(pdot);
    const float ds = __expf(sdot - L) * (pdot - Di);
    for (int c = 0; c < per; c++) {
      const int64_t e = lane + 32 * c;
      if (e < hd) acc[c] += ds * __bfloat162float(kr[e]);
    }
  }
  for (int c = 0; c < per; c++) {
    const int64_t e = lane + 32 * c;
    if (e < hd) dq[qbase + e] = acc[c] * scale;
  }
}

__global__ void rowFlashBackwardDkDvKernel(const bf16* q, const bf16* k, const bf16* v, const bf16* dO, const float* lse,
                                        const float* D, float* dk, float* dv, int64_t B, int64_t T, int64_t H,
                                        int64_t KV, int64_t hd, float scale) {
  const int lane = threadIdx.x & 31;
  const int64_t row = blockIdx.x * (int64_t)(blockDim.x >> 5) + (threadIdx.x >> 5);
  if (row >= B * KV * T) return;
  const int64_t j = row % T, g = (row / T) % KV, b = row / (T * KV), rep = H / KV;
  const int64_t d = H * hd, kvd = KV * hd, kbase = (b * T + j) * kvd + g * hd;
  const int per = (int)((hd + 31) / 32);
  float kr[4], vr[4], dka[4], dva[4];
  for (int c = 0; c < per; c++) {
    const int64_t e = lane + 32 * c;
    kr[c] = e < hd ? __bfloat162float(k[kbase + e]) : 0.f;
    vr[c] = e < hd ? __bfloat162float(v[kbase + e]) : 0.f;
    dka[c] = dva[c] = 0.f;
  }
  for (int64_t r = 0; r < rep; r++) {
    const int64_t h = g * rep + r;
    for (int64_t i = j; i < T; i++) {
      const int64_t qbase = (b * T + i) * d + h * hd;
      float sdot = 0.f, pdot = 0.f;
      for (int c = 0; c < per; c++) {
        const int64_t e = lane + 32 * c;
        if (e < hd) {
          sdot += __bfloat162float(q[qbase + e]) * kr[c];
          pdot += __bfloat162float(dO[qbase + e]) * vr[c];
        }
      }
      sdot = warpSum(sdot) * scale;
      pdot = warpSum(pdot);
      const float p = __expf(sdot - lse[(b * H + h) * T + i]);
      const float ds = p * (pdot - D[(b * H + h) * T + i]);
      for (int c = 0; c < per; c++) {
        const int64_t e = lane + 32 * c;
        if (e < hd) {
          dva[c] += p * __bfloat162float(dO[qbase + e]);
          dka[c] += ds * __bfloat162float(q[qbase + e]);
        }
      }
    }
  }
  for (int c = 0; c < per; c++) {
    const int64_t e = lane + 32 * c;
    if (e < hd) {
      dk[kbase + e] = dka[c] * scale;
      dv[kbase + e] = dva[c];
    }
  }
}

}  // namespace

void flashAttentionForward(const bf16* q, const bf16* k, const bf16* v, bf16* o, float* lse, int64_t B, int64_t T,
                           int64_t H, int64_t KV, int64_t hd, float scale, cudaStream_t s) {
  switch (hd) {
    case 16: return launchForwardTc<16>(q, k, v, o, lse, B, T, H, KV, scale, s);
    case 32: return launchForwardTc<32>(q, k, v, o, lse, B, T, H, KV, scale, s);
    case 64: return launchForwardTc<64>(q, k, v, o, lse, B, T, H, KV, scale, s);
    case 128: return launchForwardTc<128>(q, k, v, o, lse, B, T, H, KV, scale, s);
    default: break;
  }
  const int64_t rows = B * H * T;
  rowFlashForwardKernel<<<(unsigned)((rows + 7) / 8), 256, 0, s>>>(q, k, v, o, lse, B, T, H, KV, hd, scale);
}
void flashAttentionBackward(const bf16* q, const bf16* k, const bf16* v, const bf16* o, const bf16* dO,
                            const float* lse, float* D, float* dq, float* dk, float* dv, int64_t B, int64_t T,
                            int64_t H, int64_t KV, int64_t hd, float scale, cudaStream_t s) {
  const int64_t qRows = B * H * T, kRows = B * KV * T;
  flashRowDotKernel<<<(unsigned)((qRows + 7) / 8), 256, 0, s>>>(o, dO, D, B, T, H, hd);
  switch (hd) {
    case 16: return launchBackwardTc<16>(q, k, v, dO, lse, D, dq, dk, dv, B, T, H, KV, scale, s);
    case 32: return launchBackwardTc<32>(q, k, v, dO, lse, D, dq, dk, dv, B, T, H, KV, scale, s);
    case 64: return launchBackwardTc<64>(q, k, v, dO, lse, D, dq, dk, dv, B, T, H, KV, scale, s);
    case 128: return launchBackwardTc<128>(q, k, v, dO, lse, D, dq, dk, dv, B, T, H, KV, scale, s);
    default: break;
  }
  rowFlashBackwardDqKernel<<<(unsigned)((qRows + 7) / 8), 256, 0, s>>>(q, k, v, dO, lse, D, dq, B, T, H, KV, hd, scale);
  rowFlashBackwardDkDvKernel<<<(unsigned)((kRows + 7) / 8), 256, 0, s>>>(q, k, v, dO, lse, D, dk, dv, B, T, H, KV, hd,
                                                                        scale);
}
bool flashUsesTensorCores(int64_t hd) { return hd == 16 || hd == 32 || hd == 64 || hd == 128; }

}  // namespace gm::cuda
