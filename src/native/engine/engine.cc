// Forward and backward of the LLaMA model. Every matmul (attention included) goes
// through cblas_sgemm; elementwise, norm, RoPE and softmax kernels are OpenMP loops.
// Linear weights are [out, in] (PyTorch layout): y = x W^T.
#include "engine/engine.h"
#include "engine/vecmath.h"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <tuple>

namespace gm {

namespace {
// Row-major C[M,N] = alpha * op(A) op(B) + beta * C; recorded into `log` when the
// calling engine is being profiled (null otherwise).
void gemm(GemmLog* log, bool tA, bool tB, int M, int N, int K, float alpha, const float* A, int lda,
          const float* B, int ldb, float beta, float* C, int ldc) {
  if (!log) {
    cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans,
                M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    return;
  }
  log->calls.push_back({tA, tB, M, N, K, 1});
  auto t0 = std::chrono::steady_clock::now();
  cblas_sgemm(CblasRowMajor, tA ? CblasTrans : CblasNoTrans, tB ? CblasTrans : CblasNoTrans,
              M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
  log->seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// y[N,out] = x[N,in] W^T (+ y if accumulate)
void linearForward(GemmLog* log, const float* x, const float* W, float* y, int N, int in, int out, bool accumulate) {
  gemm(log, false, true, N, out, in, 1.0f, x, in, W, in, accumulate ? 1.0f : 0.0f, y, out);
}
// dx[N,in] (+)= dy[N,out] W ; dW[out,in] += dy^T x
void linearBackward(GemmLog* log, const float* x, const float* W, const float* dy, float* dx, float* dW,
                    int N, int in, int out, bool accumulateDx) {
  gemm(log, false, false, N, in, out, 1.0f, dy, out, W, in, accumulateDx ? 1.0f : 0.0f, dx, in);
  gemm(log, true, false, out, in, N, 1.0f, dy, out, x, in, 1.0f, dW, in);
}

void rmsnormForward(const float* x, const float* w, float* y, float* rstd, int64_t N, int64_t d, double eps) {
#pragma omp parallel for schedule(static)
  for (int64_t n = 0; n < N; n++) {
    const float* xr = x + n * d;
    float* yr = y + n * d;
    float ss = 0.0f;
    for (int64_t j = 0; j < d; j++) ss += xr[j] * xr[j];
    float r = 1.0f / std::sqrt(ss / (float)d + (float)eps);
    rstd[n] = r;
    for (int64_t j = 0; j < d; j++) yr[j] = w[j] * (xr[j] * r);
  }
}

// dx (+)= d/dx of y = w * x * r(x); dw += sum_n dy * x * r. The dw reduction is split
// by columns so the result does not depend on the thread count.
void rmsnormBackward(const float* x, const float* w, const float* rstd, const float* dy, float* dx,
                     float* dw, int64_t N, int64_t d, bool accumulate) {
#pragma omp parallel for schedule(static)
  for (int64_t n = 0; n < N; n++) {
    const float* xr = x + n * d;
    const float* dyr = dy + n * d;
    float* dxr = dx + n * d;
    float r = rstd[n];
    float dot = 0.0f;
    for (int64_t j = 0; j < d; j++) dot += w[j] * dyr[j] * xr[j];
    float c = r * r * r * dot / (float)d;
    for (int64_t j = 0; j < d; j++) {
      float g = r * w[j] * dyr[j] - c * xr[j];
      dxr[j] = accumulate ? dxr[j] + g : g;
    }
  }
#pragma omp parallel for schedule(static)
  for (int64_t j = 0; j < d; j++) {
    float s = 0.0f;
    for (int64_t n = 0; n < N; n++) s += dy[n * d + j] * x[n * d + j] * rstd[n];
    dw[j] += s;
  }
}

// HF rotate_half RoPE on [N, nh*hd] rows; sign = +1 forward, -1 for the backward
// (the transpose of a rotation is the rotation by the opposite angle).
void rope(float* x, int64_t nSeq, int64_t T, int64_t nh, int64_t hd, const float* cosT, const float* sinT, float sign) {
  const int64_t half = hd / 2, width = nh * hd;
#pragma omp parallel for schedule(static)
  for (int64_t n = 0; n < nSeq * T; n++) {
    const int64_t t = n % T;
    const float* c = cosT + t * half;
    const float* s = sinT + t * half;
    for (int64_t h = 0; h < nh; h++) {
      float* v = x + n * width + h * hd;
      for (int64_t i = 0; i < half; i++) {
        float a = v[i], b = v[i + half], si = sign * s[i];
        v[i] = a * c[i] - b * si;
        v[i + half] = b * c[i] + a * si;
      }
    }
  }
}
}  // namespace

FloatBuffer::FloatBuffer(size_t n) : size(n) {
  size_t bytes = ((n * sizeof(float) + 63) / 64) * 64;
  if (bytes == 0) bytes = 64;
  data = static_cast<float*>(std::aligned_alloc(64, bytes));
  if (!data) throw EngineFailure("out of memory allocating " + std::to_string(bytes) + " bytes");
  std::memset(data, 0, bytes);
}
FloatBuffer::~FloatBuffer() { std::free(data); }

void ModelShape::validate() const {
  if (vocab <= 0 || dim <= 0 || ffn <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0)
    throw EngineFailure("model shape: every size must be positive");
  if (dim % heads != 0) throw EngineFailure("model shape: hidden_size must be divisible by num_attention_heads");
  if (heads % kvHeads != 0) throw EngineFailure("model shape: num_attention_heads must be divisible by num_key_value_heads");
  if (headDim() % 2 != 0) throw EngineFailure("model shape: head dimension must be even for RoPE");
  if (!(normEps > 0) || !(ropeTheta > 0)) throw EngineFailure("model shape: rms_norm_eps and rope_theta must be positive");
  if (vocab > Limits::vocab || dim > Limits::dim || ffn > Limits::ffn || layers > Limits::layers || heads > Limits::heads)
    throw EngineFailure("model shape: size out of range");
}

ParamLayout ParamLayout::build(const ModelShape& s) {
  ParamLayout L;
  size_t off = 0;
  auto add = [&](size_t numel, bool matrix) {
    L.entries.push_back({off, numel, matrix});
    size_t at = off;
    off += numel;
    return at;
  };
  const size_t d = s.dim, kv = s.kvDim(), f = s.ffn, V = s.vocab;
  L.embed = add(V * d, true);
  for (int64_t l = 0; l < s.layers; l++) {
    LayerOffsets o;
    o.attnNorm = add(d, false);
    o.wq = add(d * d, true);
    o.wk = add(kv * d, true);
    o.wv = add(kv * d, true);
    o.wo = add(d * d, true);
    o.mlpNorm = add(d, false);
    o.wgate = add(f * d, true);
    o.wup = add(f * d, true);
    o.wdown = add(d * f, true);
    L.layers.push_back(o);
  }
  L.finalNorm = add(d, false);
  L.lmHead = s.tied ? L.embed : add(V * d, true);
  L.total = off;
  L.units.push_back({L.embed, V * d});
  for (const auto& o : L.layers) L.units.push_back({o.attnNorm, o.wdown + d * f - o.attnNorm});
  L.units.push_back({L.finalNorm, L.total - L.finalNorm});
  L.headUnit = s.tied ? 0 : L.finalUnit();
  L.headInUnit = s.tied ? 0 : d;
  return L;
}

LayerOffsets ParamLayout::layerInUnit(int64_t l) const {
  LayerOffsets o = layers[l];
  const size_t b = o.attnNorm;
  for (size_t* f : {&o.attnNorm, &o.wq, &o.wk, &o.wv, &o.wo, &o.mlpNorm, &o.wgate, &o.wup, &o.wdown}) *f -= b;
  return o;
}

Model::Model(const ModelShape& s, int64_t B, int64_t T, bool ownsWeights)
    : shape((s.validate(), s)), batch(B), seqLen(T), layout(ParamLayout::build(s)), ownsWeights_(ownsWeights) {
  if (B <= 0 || T <= 0 || B * T > (int64_t)1 << 24) throw EngineFailure("batch and seqLen must be positive (batch*seqLen <= 2^24)");
  const size_t weights = ownsWeights ? layout.total : 0;
  params = std::make_shared<FloatBuffer>(weights);
  grads = std::make_shared<FloatBuffer>(weights);
  adamM = std::make_shared<FloatBuffer>(weights);
  adamV = std::make_shared<FloatBuffer>(weights);
  const size_t N = B * T, d = s.dim, kv = s.kvDim(), f = s.ffn, H = s.heads;
  acts_.resize(s.layers);
  for (auto& a : acts_) {
    a.xIn.resize(N * d);
    a.rstd1.resize(N);
    a.h1.resize(N * d);
    a.q.resize(N * d);
    a.k.resize(N * kv);
    a.v.resize(N * kv);
    a.probs.resize(B * H * T * T);
    a.att.resize(N * d);
    a.x2.resize(N * d);
    a.rstd2.resize(N);
    a.h2.resize(N * d);
    a.gate.resize(N * f);
    a.up.resize(N * f);
    a.act.resize(N * f);
  }
  xFinal_.resize(N * d);
  rstdF_.resize(N);
  hF_.resize(N * d);
  dx_.resize(N * d);
  dh_.resize(N * d);
  dq_.resize(N * d);
  dk_.resize(N * kv);
  dv_.resize(N * kv);
  datt_.resize(N * d);
  dgate_.resize(N * f);
  dup_.resize(N * f);
  dact_.resize(N * f);
  dprobs_.resize(B * H * T * T);
  // The head's logits are computed for a block of rows at a time into a scratch of
  // at most ~16M floats (64 MB), so the [N, V] probabilities are never all stored.
  rowsPerBlock_ = std::max<int64_t>(1, std::min<int64_t>((int64_t)N, ((int64_t)1 << 24) / s.vocab));
  logitBlock_.resize(rowsPerBlock_ * s.vocab);
  rowLoss_.resize(N);
  // RoPE tables; angles in float64, rounded once to float32.
  const int64_t half = s.headDim() / 2;
  ropeCos_.resize(T * half);
  ropeSin_.resize(T * half);
  for (int64_t t = 0; t < T; t++)
    for (int64_t i = 0; i < half; i++) {
      double invFreq = 1.0 / std::pow(s.ropeTheta, (double)(2 * i) / (double)s.headDim());
      double ang = (double)t * invFreq;
      ropeCos_[t * half + i] = (float)std::cos(ang);
      ropeSin_[t * half + i] = (float)std::sin(ang);
    }
}

const float* Model::unitParams(int unit) {
  if (store_) return store_->acquireParams(unit);
  if (!ownsWeights_) throw EngineFailure("this engine holds no weights and has no parameter store");
  return params->data + layout.units[unit].start;
}
void Model::releaseUnit(int unit) {
  if (store_) store_->releaseParams(unit);
}
float* Model::unitGrads(int unit) {
  if (store_) return store_->acquireGrads(unit);
  return grads->data + layout.units[unit].start;
}
void Model::unitGradsDone(int unit) {
  if (store_) store_->gradsDone(unit);
}

void Model::checkTokens(const int32_t* inputs, const int32_t* targets, int64_t nSeq) const {
  if (nSeq < 1 || nSeq > batch) throw EngineFailure("nSeq must be in 1.." + std::to_string(batch) + ", got " + std::to_string(nSeq));
  const int64_t n = nSeq * seqLen, V = shape.vocab;
  for (int64_t i = 0; i < n; i++) {
    if (inputs[i] < 0 || inputs[i] >= V)
      throw EngineFailure("inputs[" + std::to_string(i) + "] = " + std::to_string(inputs[i]) + " is not a token id in [0, " + std::to_string(V) + ")");
    if (targets && targets[i] != -100 && (targets[i] < 0 || targets[i] >= V))
      throw EngineFailure("targets[" + std::to_string(i) + "] = " + std::to_string(targets[i]) + " is neither -100 nor a token id in [0, " + std::to_string(V) + ")");
  }
}

void Model::forward(const int32_t* inputs, int64_t nSeq) {
  const int64_t T = seqLen, N = nSeq * T, d = shape.dim, kv = shape.kvDim(), f = shape.ffn;
  const int64_t H = shape.heads, hd = shape.headDim(), rep = shape.heads / shape.kvHeads;
  const float scale = 1.0f / std::sqrt((float)hd);
  {
    float* x0 = acts_[0].xIn.data();
    const float* E = unitParams(0);
#pragma omp parallel for schedule(static)
    for (int64_t n = 0; n < N; n++) std::memcpy(x0 + n * d, E + (int64_t)inputs[n] * d, d * sizeof(float));
    releaseUnit(0);
  }
  for (int64_t l = 0; l < shape.layers; l++) {
    auto& a = acts_[l];
    // Each layer's tensors are read from its unit, offsets relative to the unit.
    const LayerOffsets o = layout.layerInUnit(l);
    const float* P = unitParams(1 + (int)l);
    rmsnormForward(a.xIn.data(), P + o.attnNorm, a.h1.data(), a.rstd1.data(), N, d, shape.normEps);
    linearForward(gemmLog_, a.h1.data(), P + o.wq, a.q.data(), N, d, d, false);
    linearForward(gemmLog_, a.h1.data(), P + o.wk, a.k.data(), N, d, kv, false);
    linearForward(gemmLog_, a.h1.data(), P + o.wv, a.v.data(), N, d, kv, false);
    rope(a.q.data(), nSeq, T, H, hd, ropeCos_.data(), ropeSin_.data(), 1.0f);
    rope(a.k.data(), nSeq, T, shape.kvHeads, hd, ropeCos_.data(), ropeSin_.data(), 1.0f);
    // Scores S = scale * Q K^T per (sequence, head); the causal mask is applied by
    // the softmax, which writes zeros above the diagonal.
    for (int64_t b = 0; b < nSeq; b++)
      for (int64_t h = 0; h < H; h++) {
        const int64_t g = h / rep;
        gemm(gemmLog_, false, true, T, T, hd, scale, a.q.data() + b * T * d + h * hd, d,
             a.k.data() + b * T * kv + g * hd, kv, 0.0f, a.probs.data() + (b * H + h) * T * T, T);
      }
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < nSeq * H * T; r++) {
      const int64_t i = r % T;
      float* row = a.probs.data() + r * T;
      float mx = row[0];
#pragma omp simd reduction(max : mx)
      for (int64_t j = 1; j <= i; j++) mx = std::max(mx, row[j]);
      float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
      for (int64_t j = 0; j <= i; j++) {
        row[j] = fastExp(row[j] - mx);
        sum += row[j];
      }
      float inv = 1.0f / sum;
#pragma omp simd
      for (int64_t j = 0; j <= i; j++) row[j] *= inv;
      for (int64_t j = i + 1; j < T; j++) row[j] = 0.0f;
    }
    for (int64_t b = 0; b < nSeq; b++)
      for (int64_t h = 0; h < H; h++) {
        const int64_t g = h / rep;
        gemm(gemmLog_, false, false, T, hd, T, 1.0f, a.probs.data() + (b * H + h) * T * T, T,
             a.v.data() + b * T * kv + g * hd, kv, 0.0f, a.att.data() + b * T * d + h * hd, d);
      }
    std::memcpy(a.x2.data(), a.xIn.data(), N * d * sizeof(float));
    linearForward(gemmLog_, a.att.data(), P + o.wo, a.x2.data(), N, d, d, true);
    rmsnormForward(a.x2.data(), P + o.mlpNorm, a.h2.data(), a.rstd2.data(), N, d, shape.normEps);
    linearForward(gemmLog_, a.h2.data(), P + o.wgate, a.gate.data(), N, d, f, false);
    linearForward(gemmLog_, a.h2.data(), P + o.wup, a.up.data(), N, d, f, false);
    {
      const float* g = a.gate.data();
      const float* u = a.up.data();
      float* act = a.act.data();
#pragma omp parallel for simd schedule(static)
      for (int64_t i = 0; i < N * f; i++) act[i] = g[i] / (1.0f + fastExp(-g[i])) * u[i];
    }
    float* next = (l + 1 < shape.layers) ? acts_[l + 1].xIn.data() : xFinal_.data();
    std::memcpy(next, a.x2.data(), N * d * sizeof(float));
    linearForward(gemmLog_, a.act.data(), P + o.wdown, next, N, f, d, true);
    releaseUnit(1 + (int)l);
  }
  const int fu = layout.finalUnit();
  rmsnormForward(xFinal_.data(), unitParams(fu), hF_.data(), rstdF_.data(), N, d, shape.normEps);  // final norm: offset 0
  releaseUnit(fu);
}

double Model::headLoss(const int32_t* targets, int64_t nSeq, bool backward, float* perSeq) {
  const int64_t T = seqLen, N = nSeq * T, d = shape.dim, V = shape.vocab;
  int64_t count = 0;
  for (int64_t n = 0; n < N; n++) count += targets[n] != -100;
  if (backward && count == 0) throw EngineFailure("every target is -100 (ignored): the loss is undefined");
  const float invCount = backward ? 1.0f / (float)count : 0.0f;
  const float* W = unitParams(layout.headUnit) + layout.headInUnit;
  // The head's gradient stays open: backward adds the final norm's (untied) or the
  // embedding's (tied) to the same unit before it is done.
  float* gW = backward ? unitGrads(layout.headUnit) + layout.headInUnit : nullptr;
  float* L = logitBlock_.data();
  for (int64_t r0 = 0; r0 < N; r0 += rowsPerBlock_) {
    const int64_t rows = std::min(rowsPerBlock_, N - r0);
    gemm(gemmLog_, false, true, rows, V, d, 1.0f, hF_.data() + r0 * d, d, W, d, 0.0f, L, V);
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < rows; i++) {
      float* row = L + i * V;
      const int32_t t = targets[r0 + i];
      if (t == -100) {
        rowLoss_[r0 + i] = 0.0;
        if (backward) std::memset(row, 0, V * sizeof(float));
        continue;
      }
      float mx = row[0];
#pragma omp simd reduction(max : mx)
      for (int64_t j = 1; j < V; j++) mx = std::max(mx, row[j]);
      const float target = row[t];
      // Sum of exponentials: vectorised float partial sums over chunks of 512,
      // accumulated in double.
      double sum = 0.0;
      for (int64_t j0 = 0; j0 < V; j0 += 512) {
        const int64_t j1 = std::min<int64_t>(V, j0 + 512);
        float part = 0.0f;
#pragma omp simd reduction(+ : part)
        for (int64_t j = j0; j < j1; j++) {
          float e = fastExp(row[j] - mx);
          row[j] = e;
          part += e;
        }
        sum += part;
      }
      rowLoss_[r0 + i] = std::log(sum) + (double)mx - (double)target;
      if (backward) {
        // dloss/dlogit = (softmax - onehot) / count, written over the logits.
        const float scaleRow = (float)(1.0 / sum) * invCount;
#pragma omp simd
        for (int64_t j = 0; j < V; j++) row[j] *= scaleRow;
        row[t] -= invCount;
      }
    }
    if (backward) {
      gemm(gemmLog_, false, false, rows, d, V, 1.0f, L, V, W, d, 0.0f, dh_.data() + r0 * d, d);
      gemm(gemmLog_, true, false, V, d, rows, 1.0f, L, V, hF_.data() + r0 * d, d, 1.0f, gW, d);
    }
  }
  releaseUnit(layout.headUnit);
  double total = 0.0;
  for (int64_t n = 0; n < N; n++) total += rowLoss_[n];
  if (perSeq) {
    for (int64_t b = 0; b < nSeq; b++) {
      double s = 0.0;
      int64_t c = 0;
      for (int64_t t = 0; t < T; t++) {
        s += rowLoss_[b * T + t];
        c += targets[b * T + t] != -100;
      }
      perSeq[b] = c ? (float)(s / (double)c) : std::numeric_limits<float>::quiet_NaN();
      if (c && !std::isfinite(perSeq[b])) throw EngineFailure("non-finite loss for sequence " + std::to_string(b) + " (parameters diverged?)");
    }
  }
  return count ? total / (double)count : 0.0;
}

void Model::backward(const int32_t* inputs) {
  const int64_t nSeq = batch, T = seqLen, N = nSeq * T, d = shape.dim, kv = shape.kvDim(), f = shape.ffn;
  const int64_t H = shape.heads, hd = shape.headDim(), rep = shape.heads / shape.kvHeads;
  const float scale = 1.0f / std::sqrt((float)hd);
  {
    // dh_ holds d loss / d hF (written by headLoss). The final norm is at offset 0 of its unit.
    const int fu = layout.finalUnit();
    rmsnormBackward(xFinal_.data(), unitParams(fu), rstdF_.data(), dh_.data(), dx_.data(), unitGrads(fu), N, d, false);
    releaseUnit(fu);
    unitGradsDone(fu);
  }
  for (int64_t l = shape.layers - 1; l >= 0; l--) {
    auto& a = acts_[l];
    const LayerOffsets o = layout.layerInUnit(l);
    const float* P = unitParams(1 + (int)l);
    float* G = unitGrads(1 + (int)l);
    // MLP: out = x2 + down(silu(gate) * up); dx_ = d loss / d out.
    linearBackward(gemmLog_, a.act.data(), P + o.wdown, dx_.data(), dact_.data(), G + o.wdown, N, f, d, false);
    {
      const float* g = a.gate.data();
      const float* u = a.up.data();
      const float* da = dact_.data();
      float* dg = dgate_.data();
      float* du = dup_.data();
#pragma omp parallel for simd schedule(static)
      for (int64_t i = 0; i < N * f; i++) {
        float s = 1.0f / (1.0f + fastExp(-g[i]));
        float silu = g[i] * s;
        du[i] = da[i] * silu;
        dg[i] = da[i] * u[i] * s * (1.0f + g[i] * (1.0f - s));
      }
    }
    linearBackward(gemmLog_, a.h2.data(), P + o.wgate, dgate_.data(), dh_.data(), G + o.wgate, N, d, f, false);
    linearBackward(gemmLog_, a.h2.data(), P + o.wup, dup_.data(), dh_.data(), G + o.wup, N, d, f, true);
    rmsnormBackward(a.x2.data(), P + o.mlpNorm, a.rstd2.data(), dh_.data(), dx_.data(), G + o.mlpNorm, N, d, true);
    // Attention: x2 = xIn + o_proj(att); dx_ = d loss / d x2.
    linearBackward(gemmLog_, a.att.data(), P + o.wo, dx_.data(), datt_.data(), G + o.wo, N, d, d, false);
    std::memset(dk_.data(), 0, N * kv * sizeof(float));
    std::memset(dv_.data(), 0, N * kv * sizeof(float));
    for (int64_t b = 0; b < nSeq; b++)
      for (int64_t h = 0; h < H; h++) {
        const int64_t g = h / rep;
        const float* probs = a.probs.data() + (b * H + h) * T * T;
        const float* dO = datt_.data() + b * T * d + h * hd;
        gemm(gemmLog_, false, true, T, T, hd, 1.0f, dO, d, a.v.data() + b * T * kv + g * hd, kv, 0.0f,
             dprobs_.data() + (b * H + h) * T * T, T);
        gemm(gemmLog_, true, false, T, hd, T, 1.0f, probs, T, dO, d, 1.0f, dv_.data() + b * T * kv + g * hd, kv);
      }
    // Softmax backward, with the score scale folded in: dS = scale * P (dP - <P, dP>).
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < nSeq * H * T; r++) {
      const int64_t i = r % T;
      const float* p = a.probs.data() + r * T;
      float* dp = dprobs_.data() + r * T;
      float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
      for (int64_t j = 0; j <= i; j++) dot += p[j] * dp[j];
#pragma omp simd
      for (int64_t j = 0; j <= i; j++) dp[j] = scale * p[j] * (dp[j] - dot);
      for (int64_t j = i + 1; j < T; j++) dp[j] = 0.0f;
    }
    for (int64_t b = 0; b < nSeq; b++)
      for (int64_t h = 0; h < H; h++) {
        const int64_t g = h / rep;
        const float* dS = dprobs_.data() + (b * H + h) * T * T;
        gemm(gemmLog_, false, false, T, hd, T, 1.0f, dS, T, a.k.data() + b * T * kv + g * hd, kv, 0.0f,
             dq_.data() + b * T * d + h * hd, d);
        gemm(gemmLog_, true, false, T, hd, T, 1.0f, dS, T, a.q.data() + b * T * d + h * hd, d, 1.0f,
             dk_.data() + b * T * kv + g * hd, kv);
      }
    rope(dq_.data(), nSeq, T, H, hd, ropeCos_.data(), ropeSin_.data(), -1.0f);
    rope(dk_.data(), nSeq, T, shape.kvHeads, hd, ropeCos_.data(), ropeSin_.data(), -1.0f);
    linearBackward(gemmLog_, a.h1.data(), P + o.wq, dq_.data(), dh_.data(), G + o.wq, N, d, d, false);
    linearBackward(gemmLog_, a.h1.data(), P + o.wk, dk_.data(), dh_.data(), G + o.wk, N, d, kv, true);
    linearBackward(gemmLog_, a.h1.data(), P + o.wv, dv_.data(), dh_.data(), G + o.wv, N, d, kv, true);
    rmsnormBackward(a.xIn.data(), P + o.attnNorm, a.rstd1.data(), dh_.data(), dx_.data(), G + o.attnNorm, N, d, true);
    releaseUnit(1 + (int)l);
    unitGradsDone(1 + (int)l);
  }
  // Embedding: scatter-add rows; split by columns so no two threads write one float
  // and the sum order is fixed.
  float* gE = unitGrads(0);
  const float* dx = dx_.data();
#pragma omp parallel
  {
    const int nt = omp_get_num_threads(), id = omp_get_thread_num();
    const int64_t j0 = d * id / nt, j1 = d * (id + 1) / nt;
    for (int64_t n = 0; n < N; n++) {
      float* dst = gE + (int64_t)inputs[n] * d;
      const float* src = dx + n * d;
      for (int64_t j = j0; j < j1; j++) dst[j] += src[j];
    }
  }
  unitGradsDone(0);
}

double Model::forwardBackward(const int32_t* inputs, const int32_t* targets) {
  checkTokens(inputs, targets, batch);
  if (!store_) std::memset(grads->data, 0, layout.total * sizeof(float));  // a store zeroes each unit's own
  forward(inputs, batch);
  double loss = headLoss(targets, batch, true, nullptr);
  if (!std::isfinite(loss)) throw EngineFailure("non-finite loss (parameters diverged or contain NaN/Inf)");
  backward(inputs);
  return loss;
}

void Model::evalLoss(const int32_t* inputs, const int32_t* targets, int64_t nSeq, float* out) {
  checkTokens(inputs, targets, nSeq);
  forward(inputs, nSeq);
  headLoss(targets, nSeq, false, out);
}

void Model::logits(const int32_t* inputs, int64_t nSeq, float* out) {
  checkTokens(inputs, nullptr, nSeq);
  forward(inputs, nSeq);
  const float* W = unitParams(layout.headUnit) + layout.headInUnit;
  gemm(gemmLog_, false, true, nSeq * seqLen, shape.vocab, shape.dim, 1.0f, hF_.data(), shape.dim, W, shape.dim, 0.0f, out, shape.vocab);
  releaseUnit(layout.headUnit);
}

Model::StepProfile Model::profileStep(const int32_t* inputs, const int32_t* targets) {
  GemmLog log;
  StepProfile prof;
  gemmLog_ = &log;
  auto t0 = std::chrono::steady_clock::now();
  try {
    forwardBackward(inputs, targets);
  } catch (...) {
    gemmLog_ = nullptr;
    throw;
  }
  gemmLog_ = nullptr;
  prof.stepSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  prof.gemmSeconds = log.seconds;
  std::map<std::tuple<bool, bool, int, int, int>, long> counts;
  for (auto& c : log.calls) counts[{c.transA, c.transB, c.m, c.n, c.k}]++;
  for (auto& [k, n] : counts) prof.shapes.push_back({std::get<0>(k), std::get<1>(k), std::get<2>(k), std::get<3>(k), std::get<4>(k), n});
  return prof;
}

double benchSgemm(const std::vector<GemmShape>& shapes, int repeats, double* seconds) {
  size_t maxA = 0, maxB = 0, maxC = 0;
  for (auto& s : shapes) {
    maxA = std::max(maxA, (size_t)s.m * s.k);
    maxB = std::max(maxB, (size_t)s.k * s.n);
    maxC = std::max(maxC, (size_t)s.m * s.n);
  }
  std::vector<float> A(maxA, 0.01f), B(maxB, 0.02f), C(maxC, 0.0f);
  double flops = 0.0;
  auto run = [&](bool count) {
    for (auto& s : shapes)
      for (long i = 0; i < s.count; i++) {
        int lda = s.transA ? s.m : s.k, ldb = s.transB ? s.k : s.n;
        cblas_sgemm(CblasRowMajor, s.transA ? CblasTrans : CblasNoTrans, s.transB ? CblasTrans : CblasNoTrans,
                    s.m, s.n, s.k, 1.0f, A.data(), lda, B.data(), ldb, 0.0f, C.data(), s.n);
        if (count) flops += 2.0 * s.m * s.n * s.k;
      }
  };
  run(false);  // warm-up
  auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < repeats; r++) run(true);
  double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (seconds) *seconds = sec;
  return flops / sec / 1e9;
}

}  // namespace gm
