// Parameter init (bit-reproducible on every machine), global-norm clipping, AdamW.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "engine/engine.h"

namespace gm {

namespace {
uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

struct Xoshiro256ss {
  uint64_t s[4];
  explicit Xoshiro256ss(uint64_t seed) {
    for (auto& w : s) w = splitmix64(seed);
  }
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t next() {
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }
};
}  // namespace

// Init spec (docs/engine.md). Matrices are cut into chunks of 2^16 values (in layout
// order); chunk c of tensor i (canonical index) has its own xoshiro256** stream, its
// four state words being successive SplitMix64 outputs from the state
// seed ^ ((i+1)·0xD1B54A32D192ED03) ^ ((c+1)·0x8CB92BA72F3D8DD7) (mod 2^64). A value
// is (u1 + ... + u12 - 6) · 0.02 where every 64-bit output x gives two uniforms,
// (x >> 40)·2^-24 then ((x >> 16) & 0xFFFFFF)·2^-24 (Irwin-Hall: mean 0, variance 1),
// summed in float64 and rounded once to float32. Norm weights are 1.0. Only integer
// ops and IEEE +, -, * are used, and chunks are independent, so the bits are the
// same on every machine and for every thread count.
constexpr size_t kInitChunk = size_t(1) << 16;

void initParamsInto(const ParamLayout& layout, uint64_t seed, float* P) {
  struct Work { size_t tensor, chunk; };
  std::vector<Work> work;
  for (size_t i = 0; i < layout.entries.size(); i++) {
    const auto& e = layout.entries[i];
    if (!e.matrix) {
      for (size_t j = 0; j < e.numel; j++) P[e.offset + j] = 1.0f;
      continue;
    }
    for (size_t c = 0; c * kInitChunk < e.numel; c++) work.push_back({i, c});
  }
#pragma omp parallel for schedule(dynamic, 4)
  for (int64_t w = 0; w < (int64_t)work.size(); w++) {
    const auto& e = layout.entries[work[w].tensor];
    const size_t c = work[w].chunk;
    Xoshiro256ss rng(seed ^ ((uint64_t)(work[w].tensor + 1) * 0xD1B54A32D192ED03ULL) ^ ((uint64_t)(c + 1) * 0x8CB92BA72F3D8DD7ULL));
    float* dst = P + e.offset + c * kInitChunk;
    const size_t n = std::min(kInitChunk, e.numel - c * kInitChunk);
    for (size_t j = 0; j < n; j++) {
      double sum = 0.0;
      for (int u = 0; u < 6; u++) {
        const uint64_t x = rng.next();
        sum += (double)(x >> 40) * (1.0 / 16777216.0);
        sum += (double)((x >> 16) & 0xFFFFFFu) * (1.0 / 16777216.0);
      }
      dst[j] = (float)((sum - 6.0) * 0.02);
    }
  }
}

void Model::initParams(uint64_t seed) {
  if (!ownsWeights_) throw EngineFailure("initParams: this engine holds no weights (they are sharded)");
  initParamsInto(layout, seed, params->data);
  std::memset(adamM->data, 0, layout.total * sizeof(float));
  std::memset(adamV->data, 0, layout.total * sizeof(float));
  adamStep = 0;
}

double Model::gradNorm() const {
  const float* g = grads->data;
  const int64_t n = layout.total;
  double ss = 0.0;
#pragma omp parallel for reduction(+ : ss) schedule(static)
  for (int64_t i = 0; i < n; i++) ss += (double)g[i] * (double)g[i];
  return std::sqrt(ss);
}

double Model::clipGradNorm(double maxNorm) {
  if (!(maxNorm > 0)) throw EngineFailure("clipGradNorm: maxNorm must be a positive number");
  double norm = gradNorm();
  if (!std::isfinite(norm)) throw EngineFailure("clipGradNorm: the gradient norm is not finite");
  if (norm > maxNorm) {
    // Same rule as torch.nn.utils.clip_grad_norm_: scale by max / (norm + 1e-6).
    const float c = (float)(maxNorm / (norm + 1e-6));
    float* g = grads->data;
    const int64_t n = layout.total;
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; i++) g[i] *= c;
  }
  return norm;
}

// torch.optim.AdamW semantics: p *= 1 - lr*wd (2-D tensors only); m, v EMA updates;
// p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
void Model::adamw(const AdamW& h) {
  if (!(h.lr >= 0) || !(h.beta1 >= 0 && h.beta1 < 1) || !(h.beta2 >= 0 && h.beta2 < 1) || !(h.eps > 0) || !(h.weightDecay >= 0) ||
      !std::isfinite(h.lr) || !std::isfinite(h.weightDecay))
    throw EngineFailure("adamw: need lr >= 0, 0 <= beta1, beta2 < 1, eps > 0, weightDecay >= 0 (all finite)");
  if (!ownsWeights_) throw EngineFailure("adamw: this engine holds no weights (they are sharded)");
  adamStep += 1;
  const double bc1 = 1.0 - std::pow(h.beta1, (double)adamStep);
  const double bc2 = 1.0 - std::pow(h.beta2, (double)adamStep);
  const float stepSize = (float)(h.lr / bc1);
  const float invSqrtBc2 = (float)(1.0 / std::sqrt(bc2));
  const float b1 = (float)h.beta1, b2 = (float)h.beta2, eps = (float)h.eps;
  float* P = params->data;
  const float* G = grads->data;
  float* M = adamM->data;
  float* Vv = adamV->data;
  for (const auto& e : layout.entries) {
    const float decay = e.matrix ? (float)(1.0 - h.lr * h.weightDecay) : 1.0f;
    const int64_t off = e.offset, n = e.numel;
#pragma omp parallel for schedule(static)
    for (int64_t j = off; j < off + n; j++) {
      float g = G[j];
      float m = b1 * M[j] + (1.0f - b1) * g;
      float v = b2 * Vv[j] + (1.0f - b2) * g * g;
      M[j] = m;
      Vv[j] = v;
      float p = P[j] * decay;
      P[j] = p - stepSize * m / (std::sqrt(v) * invSqrtBc2 + eps);
    }
  }
}

}  // namespace gm
