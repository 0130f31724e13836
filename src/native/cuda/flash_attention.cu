// Fused causal attention without a T×T matrix (kernels.h declares the two entry points).
//
// Head dims 16, 32, 64 and 128 run on tensor cores (mma.sync bf16, fp32 accumulate),
// FlashAttention-2 style: a block of 4 warps owns a 64-row tile, each warp 16 rows of
// it; the other operand streams through shared memory, double-buffered with cp.async.
//   forward: per (b, h, query tile), key tiles in order, online softmax in registers.
//   dK, dV:  per (b, kv group, key tile), over the group's query heads and the query
//            rows at or below the diagonal (32 a step); accumulators stay in registers.
//   dQ:      per (b, h, query tile), over key tiles.
// dQ gets its own pass (recomputing S and dP) instead of FlashAttention-2's atomic adds,
// so every result is summed in a fixed order and training is bit-reproducible.
// Other even head dims <= 128 use the one-warp-per-row kernels further down (exact,
// slow, kept as the fallback).
#include <cfloat>
#include <cmath>

#include "cuda/kernels.h"
#include "cuda/warp.cuh"

namespace gm::cuda {

namespace {

// ---------------------------------------------------------------- tensor-core path
// Raw mma.sync m16n8k16 (bf16 in, fp32 accumulate) with ldmatrix loads: unlike WMMA its
// register layout is documented (PTX ISA, "Matrix Fragments for mma.m16n8k16"), so the
// softmax runs on the accumulators in registers and a score tile becomes the next
// product's A operand without a trip through shared memory. In a warp, lane = 4g + t:
// an accumulator tile 16x8 gives the lane rows g and g+8, columns 2t and 2t+1.
constexpr int kTile = 64;        // query rows of a forward / dQ block, key rows of a dK/dV block
constexpr int kSub = 32;         // query rows per step of the dK/dV kernel (bounds its registers)
constexpr int kWarps = 4;        // 16 rows of the block's tile each
constexpr int kTcThreads = kWarps * 32;

__device__ __forceinline__ uint32_t smemAddr(const void* p) { return (uint32_t)__cvta_generic_to_shared(p); }
// Four 8x8 bf16 matrices; lanes 8m..8m+7 give the row addresses of matrix m.
__device__ __forceinline__ void ldsm4(uint32_t (&r)[4], const bf16* p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smemAddr(p)));
}
__device__ __forceinline__ void ldsm4T(uint32_t (&r)[4], const bf16* p) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0,%1,%2,%3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(smemAddr(p)));
}
// c += a (16x16, row) · b (16x8, col)
__device__ __forceinline__ void mma(float (&c)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) {
  asm volatile(
      "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, {%0,%1,%2,%3};\n"
      : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
      : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
}
__device__ __forceinline__ uint32_t packBf16(float lo, float hi) {
  __nv_bfloat162 v = __floats2bfloat162_rn(lo, hi);
  return *reinterpret_cast<uint32_t*>(&v);
}
// 16-byte global -> shared copy that does not block; src_size 0 writes zeros (rows past T).
__device__ __forceinline__ void cpAsync16(void* dst, const void* src, bool valid) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(smemAddr(dst)), "l"(src), "r"(valid ? 16 : 0));
}
__device__ __forceinline__ void cpAsyncCommit() { asm volatile("cp.async.commit_group;\n"); }
template <int N>
__device__ __forceinline__ void cpAsyncWait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

template <int HD>
struct TcDims {
  static constexpr int kLd = HD + 8;  // bf16 row pitch: 16-byte aligned rows, 8 rows hit 32 banks
  static constexpr size_t kRowsBytes = (size_t)kLd * sizeof(bf16);
  // forward: Q tile, two K and two V tiles; dQ: Q and dO tiles, two K and two V tiles;
  // dK/dV: K and V tiles, two Q and two dO sub-tiles
  static constexpr size_t kForward = 5 * kTile * kRowsBytes;
  static constexpr size_t kDq = 6 * kTile * kRowsBytes;
  static constexpr size_t kDkDv = (2 * kTile + 4 * kSub) * kRowsBytes;
  static_assert(HD % 16 == 0 && HD <= 128, "tensor-core head dims: multiples of 16 up to 128");
};

// Rows row0 .. row0+ROWS-1 of a [T, stride] bf16 matrix (columns 0..HD of `src`) into
// shared memory, asynchronously; rows at or past T become zeros. Every row start is a
// multiple of 8 elements (stride and head offsets are multiples of HD).
template <int HD, int ROWS>
__device__ __forceinline__ void loadTileAsync(bf16* dst, const bf16* src, int64_t stride, int64_t row0, int64_t T) {
  constexpr int kVec = HD / 8;
  for (int idx = threadIdx.x; idx < ROWS * kVec; idx += blockDim.x) {
    const int r = idx / kVec, c = (idx % kVec) * 8;
    const bool valid = row0 + r < T;
    cpAsync16(dst + r * TcDims<HD>::kLd + c, valid ? src + (row0 + r) * stride + c : src, valid);
  }
}

// ldmatrix addresses of lane `lane` (matrix lane / 8, row lane % 8) for the 16x16 A
// block at (row0, col0) of a row-major tile, in the order a0..a3 wants: (r, c), (r+8, c),
// (r, c+8), (r+8, c+8); and for the B operands of two 16x8 blocks n0 and n0+8:
//   B stored as [n][k] (K in Q K^T), plain load: (n, k), (n, k+8), (n+8, k), (n+8, k+8)
//   B stored as [k][n] (V in P V), transposed load: (k, n), (k+8, n), (k, n+8), (k+8, n+8)
template <int HD>
__device__ __forceinline__ const bf16* aAddr(const bf16* tile, int row0, int col0, int lane) {
  const int m = lane >> 3;
  return tile + (row0 + (m & 1) * 8 + (lane & 7)) * TcDims<HD>::kLd + col0 + (m >> 1) * 8;
}
template <int HD>
__device__ __forceinline__ const bf16* bNkAddr(const bf16* tile, int n0, int k0, int lane) {
  const int m = lane >> 3;
  return tile + (n0 + (m >> 1) * 8 + (lane & 7)) * TcDims<HD>::kLd + k0 + (m & 1) * 8;
}
template <int HD>
__device__ __forceinline__ const bf16* bKnAddr(const bf16* tile, int k0, int n0, int lane) {
  const int m = lane >> 3;
  return tile + (k0 + (m & 1) * 8 + (lane & 7)) * TcDims<HD>::kLd + n0 + (m >> 1) * 8;
}

// acc[NB] (16 x 8·NB) = A (16 rows at aRow of tile A) · B^T, B rows bRow.. of tile B
// (both [rows][HD]): the score products Q K^T, dO V^T, K Q^T, V dO^T.
template <int HD, int NB>
__device__ __forceinline__ void scoreTile(float (&acc)[NB][4], const bf16* A, int aRow, const bf16* B, int lane) {
#pragma unroll
  for (int nb = 0; nb < NB; nb++) acc[nb][0] = acc[nb][1] = acc[nb][2] = acc[nb][3] = 0.f;
#pragma unroll
  for (int kk = 0; kk < HD; kk += 16) {
    uint32_t a[4];
    ldsm4(a, aAddr<HD>(A, aRow, kk, lane));
#pragma unroll
    for (int np = 0; np < NB / 2; np++) {
      uint32_t b[4];
      ldsm4(b, bNkAddr<HD>(B, np * 16, kk, lane));
      mma(acc[2 * np], a, b[0], b[1]);
      mma(acc[2 * np + 1], a, b[2], b[3]);
    }
  }
}
// out[HD/8] (16 x HD) += P (16 x 8·NB, accumulator layout, as bf16) · B (8·NB rows of a
// [rows][HD] tile): P V, dS K, P^T dO, dS^T Q.
template <int HD, int NB>
__device__ __forceinline__ void accumulatePV(float (&out)[HD / 8][4], const float (&p)[NB][4], const bf16* B, int lane) {
#pragma unroll
  for (int kb = 0; kb < NB / 2; kb++) {
    // Two 16x8 accumulator tiles side by side are one 16x16 A operand.
    const uint32_t a[4] = {packBf16(p[2 * kb][0], p[2 * kb][1]), packBf16(p[2 * kb][2], p[2 * kb][3]),
                           packBf16(p[2 * kb + 1][0], p[2 * kb + 1][1]), packBf16(p[2 * kb + 1][2], p[2 * kb + 1][3])};
#pragma unroll
    for (int np = 0; np < HD / 16; np++) {
      uint32_t b[4];
      ldsm4T(b, bKnAddr<HD>(B, kb * 16, np * 16, lane));
      mma(out[2 * np], a, b[0], b[1]);
      mma(out[2 * np + 1], a, b[2], b[3]);
    }
  }
}
// Rows r0 = row0 + g and r0 + 8 of an fp32 [T, stride] matrix from a 16 x HD accumulator.
template <int HD>
__device__ __forceinline__ void storeAccRows(float* dst, int64_t stride, int64_t row0, int64_t T,
                                             const float (&acc)[HD / 8][4], float mul, int lane) {
  const int g = lane >> 2, t = lane & 3;
#pragma unroll
  for (int half = 0; half < 2; half++) {
    const int64_t row = row0 + g + 8 * half;
    if (row >= T) continue;
    float* out = dst + row * stride + 2 * t;
#pragma unroll
    for (int nb = 0; nb < HD / 8; nb++)
      *reinterpret_cast<float2*>(out + nb * 8) = make_float2(acc[nb][2 * half] * mul, acc[nb][2 * half + 1] * mul);
  }
}

// The K/V stream of the forward and dQ kernels (two buffers each, tile kt in buffer
// kt & 1, tile 0 already requested): starts loading tile kt + 1 into the other buffer
// unless kt is the last, waits for tile kt, syncs the block; returns kt's buffer. The
// end-of-iteration __syncthreads in the callers keeps a buffer from being refilled
// while another warp still reads it.
template <int HD>
__device__ __forceinline__ int nextKvTile(bf16* Ks, bf16* Vs, const bf16* kb, const bf16* vb, int64_t kvd, int64_t kt,
                                          int64_t last, int64_t T) {
  constexpr int LD = TcDims<HD>::kLd;
  const int cur = (int)(kt & 1);
  if (kt < last) {
    loadTileAsync<HD, kTile>(Ks + (cur ^ 1) * kTile * LD, kb, kvd, (kt + 1) * kTile, T);
    loadTileAsync<HD, kTile>(Vs + (cur ^ 1) * kTile * LD, vb, kvd, (kt + 1) * kTile, T);
    cpAsyncCommit();
    cpAsyncWait<1>();
  } else {
    cpAsyncWait<0>();
  }
  __syncthreads();
  return cur;
}

template <int HD>
__global__ void __launch_bounds__(kTcThreads) flashForwardTc(const bf16* __restrict__ q, const bf16* __restrict__ k,
                                                             const bf16* __restrict__ v, bf16* __restrict__ o,
                                                             float* __restrict__ lse, int64_t T, int64_t H,
                                                             int64_t KV, float scale) {
  constexpr int LD = TcDims<HD>::kLd;
  extern __shared__ __align__(128) unsigned char smem[];
  bf16* Qs = reinterpret_cast<bf16*>(smem);
  bf16* Ks = Qs + kTile * LD;      // two buffers
  bf16* Vs = Ks + 2 * kTile * LD;  // two buffers

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  // Largest (most key tiles) query tiles first, so the causal triangle's long blocks
  // do not end up last on the SMs.
  const int64_t qt = gridDim.x - 1 - blockIdx.x, bh = blockIdx.y, b = bh / H, h = bh % H, grp = h / (H / KV);
  const int64_t d = H * HD, kvd = KV * HD, q0 = qt * kTile;
  const bf16* kb = k + b * T * kvd + grp * HD;
  const bf16* vb = v + b * T * kvd + grp * HD;
  loadTileAsync<HD, kTile>(Qs, q + b * T * d + h * HD, d, q0, T);
  loadTileAsync<HD, kTile>(Ks, kb, kvd, 0, T);
  loadTileAsync<HD, kTile>(Vs, vb, kvd, 0, T);
  cpAsyncCommit();

  const int64_t rowA = q0 + warp * 16 + g, rows[2] = {rowA, rowA + 8};  // this lane's query rows
  float out[HD / 8][4] = {};
  float m[2] = {-INFINITY, -INFINITY}, l[2] = {0.f, 0.f};
  for (int64_t kt = 0; kt <= qt; kt++) {
    const int cur = nextKvTile<HD>(Ks, Vs, kb, vb, kvd, kt, qt, T);
    float s[8][4];
    scoreTile<HD, 8>(s, Qs, warp * 16, Ks + cur * kTile * LD, lane);
    const int64_t k0 = kt * kTile;
    float mx[2] = {-INFINITY, -INFINITY};
#pragma unroll
    for (int nb = 0; nb < 8; nb++)
#pragma unroll
      for (int e = 0; e < 4; e++) {
        const int64_t j = k0 + nb * 8 + 2 * t + (e & 1), i = rows[e >> 1];
        s[nb][e] = (j <= i && j < T) ? s[nb][e] * scale : -INFINITY;
        mx[e >> 1] = fmaxf(mx[e >> 1], s[nb][e]);
      }
    float corr[2];
#pragma unroll
    for (int r = 0; r < 2; r++) {
      // The four lanes of a row group hold its 64 columns.
      mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 1));
      mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 2));
      // Every row sees a live key in every tile it visits (key 0..q0-1, or q0 on the
      // diagonal), so the new max is finite; exp(-inf) = 0 on the first tile.
      const float mNew = fmaxf(m[r], mx[r]);
      corr[r] = __expf(m[r] - mNew);
      m[r] = mNew;
      l[r] *= corr[r];
    }
#pragma unroll
    for (int nb = 0; nb < 8; nb++)
#pragma unroll
      for (int e = 0; e < 4; e++) {
        s[nb][e] = __expf(s[nb][e] - m[e >> 1]);  // masked: exp(-inf) = 0
        l[e >> 1] += s[nb][e];  // this lane's columns; the row group sums at the end
      }
#pragma unroll
    for (int nb = 0; nb < HD / 8; nb++) {
      out[nb][0] *= corr[0];
      out[nb][1] *= corr[0];
      out[nb][2] *= corr[1];
      out[nb][3] *= corr[1];
    }
    accumulatePV<HD, 8>(out, s, Vs + cur * kTile * LD, lane);
    __syncthreads();  // this K/V buffer is refilled two iterations on
  }
#pragma unroll
  for (int r = 0; r < 2; r++) {
    l[r] += __shfl_xor_sync(0xffffffffu, l[r], 1);
    l[r] += __shfl_xor_sync(0xffffffffu, l[r], 2);
    const int64_t i = rows[r];
    if (i >= T) continue;
    const float inv = 1.f / l[r];
    bf16* og = o + (b * T + i) * d + h * HD + 2 * t;
#pragma unroll
    for (int nb = 0; nb < HD / 8; nb++)
      *reinterpret_cast<__nv_bfloat162*>(og + nb * 8) =
          __floats2bfloat162_rn(out[nb][2 * r] * inv, out[nb][2 * r + 1] * inv);
    if (t == 0) lse[bh * T + i] = m[r] + logf(l[r]);
  }
}

// dQ of one query tile of head h: sums over key tiles at or below the diagonal, in order.
template <int HD>
__global__ void __launch_bounds__(kTcThreads) flashBackwardDqTc(
    const bf16* __restrict__ q, const bf16* __restrict__ k, const bf16* __restrict__ v, const bf16* __restrict__ dO,
    const float* __restrict__ lse, const float* __restrict__ Dd, float* __restrict__ dq, int64_t T, int64_t H,
    int64_t KV, float scale) {
  constexpr int LD = TcDims<HD>::kLd;
  extern __shared__ __align__(128) unsigned char smem[];
  bf16* Qs = reinterpret_cast<bf16*>(smem);
  bf16* dOs = Qs + kTile * LD;
  bf16* Ks = dOs + kTile * LD;     // two buffers
  bf16* Vs = Ks + 2 * kTile * LD;  // two buffers

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const int64_t qt = gridDim.x - 1 - blockIdx.x, bh = blockIdx.y, b = bh / H, h = bh % H, grp = h / (H / KV);
  const int64_t d = H * HD, kvd = KV * HD, q0 = qt * kTile;
  const bf16* kb = k + b * T * kvd + grp * HD;
  const bf16* vb = v + b * T * kvd + grp * HD;
  loadTileAsync<HD, kTile>(Qs, q + b * T * d + h * HD, d, q0, T);
  loadTileAsync<HD, kTile>(dOs, dO + b * T * d + h * HD, d, q0, T);
  loadTileAsync<HD, kTile>(Ks, kb, kvd, 0, T);
  loadTileAsync<HD, kTile>(Vs, vb, kvd, 0, T);
  cpAsyncCommit();

  const int64_t rowA = q0 + warp * 16 + g, rows[2] = {rowA, rowA + 8};
  float L[2], Di[2];
#pragma unroll
  for (int r = 0; r < 2; r++) {
    L[r] = rows[r] < T ? lse[bh * T + rows[r]] : 0.f;
    Di[r] = rows[r] < T ? Dd[bh * T + rows[r]] : 0.f;
  }
  float acc[HD / 8][4] = {};
  for (int64_t kt = 0; kt <= qt; kt++) {
    const int cur = nextKvTile<HD>(Ks, Vs, kb, vb, kvd, kt, qt, T);
    const bf16* Kc = Ks + cur * kTile * LD;
    float s[8][4], dp[8][4];
    scoreTile<HD, 8>(s, Qs, warp * 16, Kc, lane);                  // S  = Q K^T
    scoreTile<HD, 8>(dp, dOs, warp * 16, Vs + cur * kTile * LD, lane);  // dP = dO V^T
    const int64_t k0 = kt * kTile;
#pragma unroll
    for (int nb = 0; nb < 8; nb++)
#pragma unroll
      for (int e = 0; e < 4; e++) {
        const int64_t j = k0 + nb * 8 + 2 * t + (e & 1), i = rows[e >> 1];
        const float p = (j <= i && i < T && j < T) ? __expf(s[nb][e] * scale - L[e >> 1]) : 0.f;
        s[nb][e] = p * (dp[nb][e] - Di[e >> 1]);  // dS
      }
    accumulatePV<HD, 8>(acc, s, Kc, lane);  // dQ += dS K
    __syncthreads();
  }
  storeAccRows<HD>(dq + b * T * d + h * HD, d, q0 + warp * 16, T, acc, scale, lane);
}

// dK and dV of one key tile of KV group grp: sums over the group's query heads and every
// query row at or below the diagonal, 32 rows a step, in order.
template <int HD>
__global__ void __launch_bounds__(kTcThreads) flashBackwardDkDvTc(
    const bf16* __restrict__ q, const bf16* __restrict__ k, const bf16* __restrict__ v, const bf16* __restrict__ dO,
    const float* __restrict__ lse, const float* __restrict__ Dd, float* __restrict__ dk, float* __restrict__ dv,
    int64_t T, int64_t H, int64_t KV, float scale) {
  constexpr int LD = TcDims<HD>::kLd;
  extern __shared__ __align__(128) unsigned char smem[];
  bf16* Ks = reinterpret_cast<bf16*>(smem);
  bf16* Vs = Ks + kTile * LD;
  bf16* Qs = Vs + kTile * LD;     // two buffers of kSub rows
  bf16* dOs = Qs + 2 * kSub * LD;  // two buffers of kSub rows

  const int warp = threadIdx.x >> 5, lane = threadIdx.x & 31, g = lane >> 2, t = lane & 3;
  const int64_t kt = blockIdx.x, bg = blockIdx.y, b = bg / KV, grp = bg % KV, rep = H / KV;
  const int64_t d = H * HD, kvd = KV * HD, k0 = kt * kTile;
  const int64_t steps = (T - k0 + kSub - 1) / kSub, total = rep * steps;  // per head, then heads
  auto issue = [&](int64_t it, int buf) {
    const int64_t h = grp * rep + it / steps, q0 = k0 + (it % steps) * kSub;
    loadTileAsync<HD, kSub>(Qs + buf * kSub * LD, q + b * T * d + h * HD, d, q0, T);
    loadTileAsync<HD, kSub>(dOs + buf * kSub * LD, dO + b * T * d + h * HD, d, q0, T);
  };
  loadTileAsync<HD, kTile>(Ks, k + b * T * kvd + grp * HD, kvd, k0, T);
  loadTileAsync<HD, kTile>(Vs, v + b * T * kvd + grp * HD, kvd, k0, T);
  issue(0, 0);
  cpAsyncCommit();

  const int64_t rowA = k0 + warp * 16 + g, rows[2] = {rowA, rowA + 8};  // this lane's key rows
  float dK[HD / 8][4] = {}, dV[HD / 8][4] = {};
  for (int64_t it = 0; it < total; it++) {
    const int cur = (int)(it & 1);
    if (it + 1 < total) {
      issue(it + 1, cur ^ 1);
      cpAsyncCommit();
      cpAsyncWait<1>();
    } else {
      cpAsyncWait<0>();
    }
    __syncthreads();
    const int64_t h = grp * rep + it / steps, q0 = k0 + (it % steps) * kSub;
    const bf16* Qc = Qs + cur * kSub * LD;
    const bf16* dOc = dOs + cur * kSub * LD;
    float s[kSub / 8][4], dp[kSub / 8][4];
    scoreTile<HD, kSub / 8>(s, Ks, warp * 16, Qc, lane);    // S^T  = K Q^T
    scoreTile<HD, kSub / 8>(dp, Vs, warp * 16, dOc, lane);  // dP^T = V dO^T
    const float* lseH = lse + (b * H + h) * T;
    const float* DH = Dd + (b * H + h) * T;
#pragma unroll
    for (int nb = 0; nb < kSub / 8; nb++)
#pragma unroll
      for (int c = 0; c < 2; c++) {
        const int64_t i = q0 + nb * 8 + 2 * t + c;  // query of columns e = c and c + 2
        const float Li = i < T ? __ldg(lseH + i) : 0.f, Dq = i < T ? __ldg(DH + i) : 0.f;
#pragma unroll
        for (int r = 0; r < 2; r++) {
          const int e = 2 * r + c;
          const int64_t j = rows[r];
          const float p = (i >= j && i < T && j < T) ? __expf(s[nb][e] * scale - Li) : 0.f;
          s[nb][e] = p;
          dp[nb][e] = p * (dp[nb][e] - Dq);  // dS^T
        }
      }
    accumulatePV<HD, kSub / 8>(dV, s, dOc, lane);  // dV += P^T dO
    accumulatePV<HD, kSub / 8>(dK, dp, Qc, lane);  // dK += dS^T Q
    __syncthreads();
  }
  storeAccRows<HD>(dv + b * T * kvd + grp * HD, kvd, k0 + warp * 16, T, dV, 1.f, lane);
  storeAccRows<HD>(dk + b * T * kvd + grp * HD, kvd, k0 + warp * 16, T, dK, scale, lane);
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
  cudaFuncSetAttribute(flashBackwardDkDvTc<HD>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)TcDims<HD>::kDkDv);
  cudaFuncSetAttribute(flashBackwardDqTc<HD>, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)TcDims<HD>::kDq);
  const unsigned tiles = (unsigned)((T + kTile - 1) / kTile);
  // Key tiles in order: tile 0 has the most query rows below it, so it starts first.
  flashBackwardDkDvTc<HD><<<dim3(tiles, (unsigned)(B * KV)), kTcThreads, TcDims<HD>::kDkDv, s>>>(
      q, k, v, dO, lse, D, dk, dv, T, H, KV, scale);
  flashBackwardDqTc<HD><<<dim3(tiles, (unsigned)(B * H)), kTcThreads, TcDims<HD>::kDq, s>>>(q, k, v, dO, lse, D, dq,
                                                                                            T, H, KV, scale);
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
