// Device kernels of the CUDA engine (launch wrappers; all asynchronous on `s`).
// Storage types: the residual stream, GEMM outputs that feed reductions, gradients and
// optimizer state are fp32; every GEMM operand (weights' bf16 copy, normed activations,
// q/k/v, attention probabilities, SwiGLU terms, activation gradients) is bf16. All
// arithmetic inside the kernels is fp32 (reductions of losses and norms in fp64).
#pragma once
#include <cuda_bf16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace gm::cuda {
using bf16 = __nv_bfloat16;

void castToBf16(const float* in, bf16* out, int64_t n, cudaStream_t s);
void embeddingForward(const int32_t* tok, const float* E, float* x, int64_t N, int64_t d, cudaStream_t s);
// gE[token] += sum of dx[n] over the rows n holding that token. The rows come grouped
// by token (host-side stable sort): segment u covers rows[segStart[u] .. segStart[u+1])
// of token segToken[u]; one block per segment adds them in row order, so the result
// is deterministic and no atomics are needed.
void embeddingBackward(const int32_t* rows, const int32_t* segStart, const int32_t* segToken, int64_t segments,
                       const float* dx, float* gE, int64_t d, cudaStream_t s);
void rmsnormForward(const float* x, const float* w, bf16* y, float* rstd, int64_t N, int64_t d, float eps, cudaStream_t s);
// dx (+)= d/dx of y = w * x * rstd; dw += sum_n dy * x * rstd (two-stage fixed-order
// reduction through `partial`, which holds kNormSlices * d floats).
constexpr int kNormSlices = 64;
void rmsnormBackward(const float* x, const float* w, const float* rstd, const float* dy, float* dx, float* dw,
                     float* partial, int64_t N, int64_t d, bool accumulate, cudaStream_t s);
// In-place rotate_half RoPE on bf16 rows [N, nh*hd] (position = row % T).
void ropeForward(bf16* x, int64_t N, int64_t T, int64_t nh, int64_t hd, const float* cosT, const float* sinT, cudaStream_t s);
// Inverse rotation of an fp32 gradient, written as bf16.
void ropeBackwardCast(const float* dx, bf16* out, int64_t N, int64_t T, int64_t nh, int64_t hd, const float* cosT,
                      const float* sinT, cudaStream_t s);
// Row r of [rows, T] scores is query position r % T: P = softmax over j <= i, 0 above.
void causalSoftmax(const float* S, bf16* P, int64_t rows, int64_t T, cudaStream_t s);
// dS = scale * P * (dP - <P, dP>) on the causal part, 0 above the diagonal.
void causalSoftmaxBackward(const bf16* P, const float* dP, bf16* dS, int64_t rows, int64_t T, float scale, cudaStream_t s);
// Fused flash-style causal attention (flash_attention.cu), no T×T matrix.
// Forward: q [B,T,H*hd], k/v [B,T,KV*hd] (bf16) -> o [B,T,H*hd] bf16 and the
// log-sum-exp of every (b, h, i) row in lse [B,H,T] (for the backward). hd <= 128, even;
// hd 16/32/64/128 run on tensor cores, other head dims on a slow row-per-warp fallback.
void flashAttentionForward(const bf16* q, const bf16* k, const bf16* v, bf16* o, float* lse, int64_t B, int64_t T,
                           int64_t H, int64_t KV, int64_t hd, float scale, cudaStream_t s);
// Backward, recomputing p from q, k and the forward's lse: D[b,h,i] = <dO_i, O_i>;
// dq [B,T,H*hd] and dk, dv [B,T,KV*hd] in fp32, each fully overwritten. Every sum runs
// in a fixed order (no atomics), so the result is deterministic. o and dO are bf16.
void flashAttentionBackward(const bf16* q, const bf16* k, const bf16* v, const bf16* o, const bf16* dO,
                            const float* lse, float* D, float* dq, float* dk, float* dv, int64_t B, int64_t T,
                            int64_t H, int64_t KV, int64_t hd, float scale, cudaStream_t s);
// Whether a head dim takes the tensor-core kernels (else the row-per-warp fallback).
bool flashUsesTensorCores(int64_t hd);
void swigluForward(const bf16* g, const bf16* u, bf16* act, int64_t n, cudaStream_t s);
void swigluBackward(const bf16* g, const bf16* u, const float* dact, bf16* dg, bf16* du, int64_t n, cudaStream_t s);
// Fused softmax-cross-entropy over a block of logit rows [rows, V] (fp32): rowLoss[i]
// = logsumexp - logit[target] (0 for target -100); when dlogits is set, it receives
// (softmax - onehot) * invCount as bf16 (zeros for ignored rows).
void crossEntropyRows(const float* logits, const int32_t* targets, int64_t rows, int64_t V, double* rowLoss,
                      bf16* dlogits, float invCount, cudaStream_t s);
// Sum of squares of g in fp64: partial[0..kSumBlocks) (summed on the host in order).
constexpr int kSumBlocks = 512;
void sumSquares(const float* g, int64_t n, double* partial, cudaStream_t s);
void scaleInPlace(float* g, int64_t n, float c, cudaStream_t s);
// torch.optim.AdamW element update; also refreshes the bf16 copy of p.
void adamwUpdate(float* p, const float* g, float* m, float* v, bf16* pb, int64_t n, float decay, float stepSize,
                 float invSqrtBc2, float b1, float b2, float eps, cudaStream_t s);

}  // namespace gm::cuda
