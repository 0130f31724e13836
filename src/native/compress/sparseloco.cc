// SparseLoCo: chunking, top-k, 2-bit quantisation with error feedback, dense
// decompression, and the deterministic aggregation every node runs.
#include "compress/sparseloco.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <functional>
#include <stdexcept>

namespace gm::compress {

int64_t largestDivisorAtMost(int64_t n, int64_t target) {
  for (int64_t d = std::min(n, target); d > 1; d--) {
    if (n % d == 0) return d;
  }
  return 1;
}

ModelGeom makeGeom(const double* meta, size_t tensorCount, int64_t target, int64_t k, bool demo) {
  if (target < 1 || target > 128) throw std::invalid_argument("chunk target must be in 1..128");
  if (k < 2 || k % 2 != 0 || k > target * target) {
    throw std::invalid_argument("k must be even, >= 2 and <= chunk*chunk");
  }
  ModelGeom g;
  g.target = target;
  g.k = k;
  g.demo = demo;
  int64_t valueOffset = 0, expectOffset = 0;
  for (size_t t = 0; t < tensorCount; t++) {
    const double off = meta[3 * t], rows = meta[3 * t + 1], cols = meta[3 * t + 2];
    if (!(off >= 0 && rows >= 1 && cols >= 1 && off < 9.0e15 && rows < 9.0e15 && cols < 9.0e15) ||
        off != std::floor(off) || rows != std::floor(rows) || cols != std::floor(cols)) {
      throw std::invalid_argument("tensor meta must be non-negative integers");
    }
    TensorGeom tg;
    tg.offset = static_cast<int64_t>(off);
    tg.rows = static_cast<int64_t>(rows);
    tg.cols = static_cast<int64_t>(cols);
    if (tg.offset != expectOffset) throw std::invalid_argument("tensor offsets must be contiguous in canonical order");
    tg.br = largestDivisorAtMost(tg.rows, target);
    tg.bc = largestDivisorAtMost(tg.cols, target);
    tg.gr = tg.rows / tg.br;
    tg.gc = tg.cols / tg.bc;
    tg.k = std::min<int64_t>(k, tg.chunkElems());
    tg.valueOffset = valueOffset;
    valueOffset += tg.values();
    expectOffset += tg.rows * tg.cols;
    g.tensors.push_back(tg);
  }
  g.totalValues = valueOffset;
  g.totalParams = expectOffset;
  return g;
}

namespace {

// Parallel regions only pay off on big tensors; on small ones their barriers cost
// more than the work (badly so on a busy machine).
inline bool worthThreads(const TensorGeom& t) { return t.rows * t.cols >= (int64_t{1} << 18); }

// Index of a chunk's first element in the flat buffer.
inline int64_t chunkBase(const TensorGeom& t, int64_t chunk) {
  const int64_t ci = chunk / t.gc, cj = chunk % t.gc;
  return t.offset + ci * t.br * t.cols + cj * t.bc;
}

// Index of chunk-local position p (row-major within the chunk), given chunkBase.
inline int64_t elementAt(const TensorGeom& t, int64_t base, uint32_t p) {
  const uint32_t bc = static_cast<uint32_t>(t.bc);
  return base + static_cast<int64_t>(p / bc) * t.cols + static_cast<int64_t>(p % bc);
}


inline uint32_t absBits(float x) {
  uint32_t b;
  std::memcpy(&b, &x, 4);
  return b & 0x7fffffffu;
}

constexpr int kHistShift = 21;  // 1024 bins: exponent and the top 2 mantissa bits of |v|
constexpr int kHistBins = 1 << (31 - kHistShift);

// Top k of |v| with ties broken by the lower index; indices written ascending.
// The k-th largest |v| (the threshold) is found by a radix step: for finite
// non-negative floats the bit pattern orders like the value, so a histogram of the
// top bits finds the bin holding the threshold and only that bin is partially sorted.
// Every element above the threshold is kept, then equal ones by ascending index.
void selectTopK(const float* v, int64_t n, int64_t k, float* scratch, uint32_t* hist, uint16_t* out) {
  if (k >= n) {
    for (int64_t i = 0; i < n; i++) out[i] = static_cast<uint16_t>(i);
    return;
  }
  std::fill(hist, hist + kHistBins, 0u);
  for (int64_t i = 0; i < n; i++) hist[absBits(v[i]) >> kHistShift]++;
  int64_t above = 0;
  uint32_t bin = kHistBins - 1;
  for (;; bin--) {
    if (above + hist[bin] >= k || bin == 0) break;
    above += hist[bin];
  }
  int64_t m = 0;
  for (int64_t i = 0; i < n; i++) {
    if ((absBits(v[i]) >> kHistShift) == bin) scratch[m++] = std::fabs(v[i]);
  }
  const int64_t need = k - above;  // 1..m
  std::nth_element(scratch, scratch + (need - 1), scratch + m, std::greater<float>());
  const float thr = scratch[need - 1];
  int64_t greater = above;
  for (int64_t i = 0; i < m; i++) greater += scratch[i] > thr ? 1 : 0;
  int64_t ties = k - greater, j = 0;
  for (int64_t i = 0; i < n; i++) {
    const float a = std::fabs(v[i]);
    if (a > thr) {
      out[j++] = static_cast<uint16_t>(i);
    } else if (a == thr && ties > 0) {
      out[j++] = static_cast<uint16_t>(i);
      ties--;
    }
  }
}

// Quantisation of one tensor's kept values (in kept order): shift = mean,
// scale = 6*sigma/4 (population sigma), bin edges shift-scale, shift, shift+scale
// (computed in fp32), code = number of edges <= v, LUT = mean of the values per bin
// (0 for an empty bin). All sums in float64, sequential.
void quantise(const float* vals, int64_t n, float* quant, uint8_t* codes) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; i++) sum += static_cast<double>(vals[i]);
  const float shift = static_cast<float>(sum / static_cast<double>(n));
  double sq = 0.0;
  for (int64_t i = 0; i < n; i++) {
    const double d = static_cast<double>(vals[i]) - static_cast<double>(shift);
    sq += d * d;
  }
  const double sigma = std::sqrt(sq / static_cast<double>(n));
  const float scale = static_cast<float>(1.5 * sigma);
  const float e1 = shift - scale, e2 = shift, e3 = shift + scale;
  double binSum[4] = {0, 0, 0, 0};
  int64_t binCount[4] = {0, 0, 0, 0};
  for (int64_t i = 0; i < n; i++) {
    const float v = vals[i];
    const uint8_t c = static_cast<uint8_t>((v >= e1 ? 1 : 0) + (v >= e2 ? 1 : 0) + (v >= e3 ? 1 : 0));
    codes[i] = c;
    binSum[c] += static_cast<double>(v);
    binCount[c]++;
  }
  quant[0] = shift;
  quant[1] = scale;
  for (int b = 0; b < 4; b++) {
    quant[2 + b] = binCount[b] ? static_cast<float>(binSum[b] / static_cast<double>(binCount[b])) : 0.0f;
  }
  for (int i = 0; i < 6; i++) {
    if (!(std::fabs(quant[i]) <= kMaxAbsValue)) {
      throw std::domain_error("compressed values exceed the wire format bound (|value| <= 1e6)");
    }
  }
}

}  // namespace

void compressWithFeedback(const ModelGeom& g, float* e, const float* delta, float beta, Compressed& out) {
  out.quant.assign(6 * g.tensors.size(), 0.0f);
  out.indices.assign(static_cast<size_t>(g.totalValues), 0);
  out.codes.assign(static_cast<size_t>(g.totalValues), 0);
  std::vector<float> vals(static_cast<size_t>(g.totalValues));
  bool nonFinite = false;
  for (size_t ti = 0; ti < g.tensors.size(); ti++) {
    const TensorGeom& t = g.tensors[ti];
    const int64_t n = t.chunkElems(), k = t.k, chunks = t.chunks();
    uint16_t* idx = out.indices.data() + t.valueOffset;
    float* tv = vals.data() + t.valueOffset;
#pragma omp parallel if (worthThreads(t))
    {
      std::vector<float> buf(static_cast<size_t>(n)), scratch(static_cast<size_t>(n));
      std::vector<uint32_t> hist(kHistBins);
      bool localBad = false;
#pragma omp for schedule(static)
      for (int64_t c = 0; c < chunks; c++) {
        const int64_t base = chunkBase(t, c);
        for (int64_t r = 0; r < t.br; r++) {
          float* er = e + base + r * t.cols;
          const float* dr = delta + base + r * t.cols;
          float* b = buf.data() + r * t.bc;
          bool rowBad = false;
          for (int64_t col = 0; col < t.bc; col++) {
            const float x = beta * er[col] + dr[col];
            rowBad |= !(std::fabs(x) <= FLT_MAX);
            er[col] = x;
            b[col] = x;
          }
          if (rowBad) localBad = true;
        }
        if (localBad) continue;
        if (g.demo) dctForward(t.br, t.bc, buf.data());
        selectTopK(buf.data(), n, k, scratch.data(), hist.data(), idx + c * k);
        for (int64_t j = 0; j < k; j++) tv[c * k + j] = buf[idx[c * k + j]];
      }
      if (localBad) {
#pragma omp critical
        nonFinite = true;
      }
    }
    if (nonFinite) throw std::domain_error("non-finite value in the error buffer or delta");
    float* q = out.quant.data() + 6 * ti;
    uint8_t* codes = out.codes.data() + t.valueOffset;
    quantise(tv, t.values(), q, codes);
    const float lut[4] = {q[2], q[3], q[4], q[5]};
    // e <- e - decompress(C), in the parameter domain.
#pragma omp parallel if (worthThreads(t))
    {
      std::vector<float> buf(static_cast<size_t>(n));
#pragma omp for schedule(static)
      for (int64_t c = 0; c < chunks; c++) {
        const int64_t base = chunkBase(t, c);
        if (!g.demo) {
          for (int64_t j = 0; j < k; j++) {
            e[elementAt(t, base, idx[c * k + j])] -= lut[codes[c * k + j]];
          }
        } else {
          std::fill(buf.begin(), buf.end(), 0.0f);
          for (int64_t j = 0; j < k; j++) buf[idx[c * k + j]] = lut[codes[c * k + j]];
          dctInverse(t.br, t.bc, buf.data());
          for (int64_t r = 0; r < t.br; r++) {
            float* er = e + base + r * t.cols;
            const float* b = buf.data() + r * t.bc;
            for (int64_t col = 0; col < t.bc; col++) er[col] -= b[col];
          }
        }
      }
    }
  }
}

void decompressInto(const ModelGeom& g, const PayloadView& pv, float* out) {
  for (size_t ti = 0; ti < g.tensors.size(); ti++) {
    const TensorGeom& t = g.tensors[ti];
    const int64_t n = t.chunkElems(), k = t.k, chunks = t.chunks();
    const float* q = pv.quant + 6 * ti;
    const uint16_t* idx = pv.indices + t.valueOffset;
    const uint8_t* codes = pv.codes + t.valueOffset;
#pragma omp parallel if (worthThreads(t))
    {
      std::vector<float> buf(static_cast<size_t>(n));
#pragma omp for schedule(static)
      for (int64_t c = 0; c < chunks; c++) {
        std::fill(buf.begin(), buf.end(), 0.0f);
        for (int64_t j = 0; j < k; j++) buf[idx[c * k + j]] = q[2 + codes[c * k + j]];
        if (g.demo) dctInverse(t.br, t.bc, buf.data());
        const int64_t base = chunkBase(t, c);
        for (int64_t r = 0; r < t.br; r++) {
          float* o = out + base + r * t.cols;
          const float* b = buf.data() + r * t.bc;
          for (int64_t col = 0; col < t.bc; col++) o[col] = b[col];
        }
      }
    }
  }
}

void tensorNorms(const ModelGeom& g, const PayloadView& pv, float* normsOut) {
  for (size_t ti = 0; ti < g.tensors.size(); ti++) {
    const TensorGeom& t = g.tensors[ti];
    const uint8_t* codes = pv.codes + t.valueOffset;
    int64_t count[4] = {0, 0, 0, 0};
    for (int64_t i = 0; i < t.values(); i++) count[codes[i] & 3]++;
    double s = 0.0;
    for (int b = 0; b < 4; b++) {
      const double l = static_cast<double>(pv.quant[6 * ti + 2 + b]);
      s += static_cast<double>(count[b]) * (l * l);
    }
    normsOut[ti] = static_cast<float>(std::sqrt(s));
  }
}

void medianOfNorms(const float* norms, size_t payloads, size_t tensors, float* out) {
  std::vector<float> col(payloads);
  for (size_t t = 0; t < tensors; t++) {
    if (payloads == 0) {
      out[t] = 0.0f;
      continue;
    }
    for (size_t p = 0; p < payloads; p++) col[p] = norms[p * tensors + t];
    std::sort(col.begin(), col.end());
    out[t] = col[(payloads - 1) / 2];
  }
}

namespace {

// Adds each payload's dequantised values of chunk c into sum and counts them, in the
// given (uid) order, with each payload's clipped LUT. The order fixes the float sums,
// so every node gets the same bits.
void scatterChunk(const TensorGeom& t, int64_t c, const std::vector<PayloadView>& ps, const std::vector<float>& clut,
                  float* sum, uint32_t* count) {
  const int64_t k = t.k;
  for (size_t p = 0; p < ps.size(); p++) {
    const uint16_t* idx = ps[p].indices + t.valueOffset + c * k;
    const uint8_t* codes = ps[p].codes + t.valueOffset + c * k;
    const float* l = clut.data() + 4 * p;
    for (int64_t j = 0; j < k; j++) {
      sum[idx[j]] += l[codes[j]];
      count[idx[j]]++;
    }
  }
}

// Plain mode touches only the positions some payload chose (G*k of them, not the
// whole chunk): clear them, scatter in uid order, then take each one's mean once.
// The per-position arithmetic is the same as the DeMo path's, so are the bits.
bool sparseChunkPass(const TensorGeom& t, int64_t c, const std::vector<PayloadView>& ps, const std::vector<float>& clut,
                     float* params, float lr, bool apply, float* sum, uint32_t* count) {
  const int64_t k = t.k;
  for (size_t p = 0; p < ps.size(); p++) {
    const uint16_t* idx = ps[p].indices + t.valueOffset + c * k;
    for (int64_t j = 0; j < k; j++) {
      sum[idx[j]] = 0.0f;
      count[idx[j]] = 0;
    }
  }
  scatterChunk(t, c, ps, clut, sum, count);
  bool finite = true;
  const int64_t base = chunkBase(t, c);
  for (size_t p = 0; p < ps.size(); p++) {
    const uint16_t* idx = ps[p].indices + t.valueOffset + c * k;
    for (int64_t j = 0; j < k; j++) {
      const uint16_t i = idx[j];
      if (count[i] == 0) continue;  // already taken
      const float a = count[i] > 1 ? sum[i] / static_cast<float>(count[i]) : sum[i];
      count[i] = 0;
      if (!apply) {
        if (!std::isfinite(a)) finite = false;
        continue;
      }
      float& w = params[elementAt(t, base, i)];
      w = w - lr * a;
    }
  }
  return finite;
}

// mode 0: report whether the chunk's aggregate is finite; mode 1: apply it.
// DeMo mode: the mean over the whole chunk goes through the inverse DCT first, so
// every position of the chunk moves.
bool chunkPass(const TensorGeom& t, int64_t c, const std::vector<PayloadView>& ps,
               const std::vector<float>& clut, float* params, float lr, bool demo, bool apply,
               std::vector<float>& sum, std::vector<uint32_t>& count) {
  if (!demo) return sparseChunkPass(t, c, ps, clut, params, lr, apply, sum.data(), count.data());
  const int64_t n = t.chunkElems();
  std::fill(sum.begin(), sum.begin() + n, 0.0f);
  std::fill(count.begin(), count.begin() + n, 0u);
  scatterChunk(t, c, ps, clut, sum.data(), count.data());
  for (int64_t i = 0; i < n; i++) {
    if (count[i] > 1) sum[i] = sum[i] / static_cast<float>(count[i]);
  }
  dctInverse(t.br, t.bc, sum.data());
  bool finite = true;
  const int64_t base = chunkBase(t, c);
  for (int64_t p = 0; p < n; p++) {
    const float a = sum[p];
    if (!apply) {
      if (!std::isfinite(a)) finite = false;
      continue;
    }
    float& w = params[elementAt(t, base, static_cast<uint32_t>(p))];
    w = w - lr * a;
  }
  return finite;
}

}  // namespace

void aggregateAndStep(const ModelGeom& g, float* params, const std::vector<PayloadView>& ps,
                      const float* thresholdsIn, double clipScale, float lr, uint8_t* skipped, float* normsOut,
                      float* thresholds) {
  const size_t G = ps.size(), T = g.tensors.size();
  float* norms = normsOut;
  for (size_t p = 0; p < G; p++) tensorNorms(g, ps[p], norms + p * T);
  if (thresholdsIn) {
    std::copy(thresholdsIn, thresholdsIn + T, thresholds);
  } else {
    medianOfNorms(norms, G, T, thresholds);
    for (size_t t = 0; t < T; t++) thresholds[t] = static_cast<float>(static_cast<double>(thresholds[t]) * clipScale);
  }
  int64_t maxN = 1;
  for (const auto& t : g.tensors) maxN = std::max(maxN, t.chunkElems());
  for (size_t ti = 0; ti < T; ti++) {
    skipped[ti] = 0;
    if (G == 0) continue;
    const TensorGeom& t = g.tensors[ti];
    // Clip each payload to the threshold: factor thr/norm when norm > thr.
    std::vector<float> clut(4 * G);
    double bound = 0.0;
    bool lutFinite = true;
    for (size_t p = 0; p < G; p++) {
      const float norm = norms[p * T + ti], thr = thresholds[ti];
      const bool clip = norm > thr;
      const float f = clip ? thr / norm : 1.0f;
      for (int b = 0; b < 4; b++) {
        const float l = ps[p].quant[6 * ti + 2 + b];
        const float v = clip ? l * f : l;
        clut[4 * p + b] = v;
        if (!std::isfinite(v)) lutFinite = false;
        bound = std::max(bound, std::fabs(static_cast<double>(v)));
      }
    }
    // A sum of G finite values of magnitude <= bound cannot overflow if G*bound
    // (times the chunk size, for the inverse DCT) stays well below FLT_MAX; only
    // then is the separate finiteness pass skipped (it would find nothing).
    const double worst = bound * static_cast<double>(G) * (g.demo ? static_cast<double>(t.chunkElems()) : 1.0);
    const bool surelyFinite = lutFinite && worst < static_cast<double>(FLT_MAX) / 4.0;
    bool finite = true;
    if (!surelyFinite) {
#pragma omp parallel if (worthThreads(t))
      {
        std::vector<float> sum(static_cast<size_t>(maxN));
        std::vector<uint32_t> count(static_cast<size_t>(maxN));
        bool localFinite = true;
#pragma omp for schedule(static)
        for (int64_t c = 0; c < t.chunks(); c++) {
          if (!chunkPass(t, c, ps, clut, params, lr, g.demo, false, sum, count)) localFinite = false;
        }
        if (!localFinite) {
#pragma omp critical
          finite = false;
        }
      }
    }
    if (!finite) {
      skipped[ti] = 1;
      continue;
    }
#pragma omp parallel if (worthThreads(t))
    {
      std::vector<float> sum(static_cast<size_t>(maxN));
      std::vector<uint32_t> count(static_cast<size_t>(maxN));
#pragma omp for schedule(static)
      for (int64_t c = 0; c < t.chunks(); c++) chunkPass(t, c, ps, clut, params, lr, g.demo, true, sum, count);
    }
  }
}

}  // namespace gm::compress
