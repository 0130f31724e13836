// SparseLoCo compression, wire format v1 records and deterministic aggregation.
//
// Everything here works on plain fp32 buffers in the canonical parameter layout
// (src/train/model-config.ts); nothing depends on the training engine.
//
// Determinism: every result that other nodes must reproduce (decoded values,
// aggregation, the DCT used by DeMo decompression) uses only IEEE-754 basic
// operations (+ - * / sqrt) in a fixed order. binding.gyp compiles this code with
// -ffp-contract=off -fno-fast-math, so the compiler neither fuses a*b+c into an FMA
// nor reassociates sums; std::fma and libm transcendental functions are not used.
// Parallel loops only split work over disjoint chunks, so the bits do not depend on
// the thread count.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace gm::compress {

// Largest divisor of n that is <= target (>= 1).
int64_t largestDivisorAtMost(int64_t n, int64_t target);

// One tensor's chunk geometry. A 1-D tensor is treated as one row.
struct TensorGeom {
  int64_t offset = 0;  // in floats, into the flat parameter buffer
  int64_t rows = 1, cols = 1;
  int64_t br = 1, bc = 1;  // chunk (block) rows and cols
  int64_t gr = 1, gc = 1;  // chunk grid rows and cols
  int64_t k = 0;           // kept values per chunk = min(k, br*bc)
  int64_t valueOffset = 0; // first kept value of this tensor in the model-wide arrays
  int64_t chunkElems() const { return br * bc; }
  int64_t chunks() const { return gr * gc; }
  int64_t values() const { return chunks() * k; }
};

struct ModelGeom {
  std::vector<TensorGeom> tensors;
  int64_t target = 64;
  int64_t k = 0;
  bool demo = false;
  int64_t totalValues = 0;
  int64_t totalParams = 0;
};

// meta: per tensor [offset, rows, cols]. Throws std::invalid_argument on bad input.
ModelGeom makeGeom(const double* meta, size_t tensorCount, int64_t target, int64_t k, bool demo);

// A compressed model: per tensor 6 floats (shift, scale, lut[4]); per kept value a
// chunk-local index (sorted ascending within each chunk) and a 2-bit code (0..3).
struct Compressed {
  std::vector<float> quant;       // 6 * tensors
  std::vector<uint16_t> indices;  // totalValues
  std::vector<uint8_t> codes;     // totalValues
};

// e <- beta*e + delta; C = Q(TopK(chunk(e))); e <- e - decompress(C).
// Writes into out (quant/indices/codes sized by the caller or resized here).
// Throws std::domain_error if e or delta holds a non-finite value (e is then
// partly updated and must be reset by the caller).
void compressWithFeedback(const ModelGeom& g, float* e, const float* delta, float beta, Compressed& out);

// Views of one payload's arrays (compressed or decoded), for aggregation and decompression.
struct PayloadView {
  const float* quant;
  const uint16_t* indices;
  const uint8_t* codes;
};

// Dense decompression into out (the whole model, zeros where nothing was kept).
void decompressInto(const ModelGeom& g, const PayloadView& p, float* out);

// Per tensor L2 norm of the dequantised values: sqrt(sum_b count_b * lut_b^2),
// summed over b = 0..3 in float64, rounded to float32.
void tensorNorms(const ModelGeom& g, const PayloadView& p, float* normsOut);

// The lower-middle median of norms over payloads, per tensor.
// norms: [payload][tensor]; out: [tensor].
void medianOfNorms(const float* norms, size_t payloads, size_t tensors, float* out);

// Aggregation (payloads already in uid order) and the SGD step params -= lr*agg.
// thresholds: per tensor clip threshold (already multiplied by any clip scale), or
// null: then fp32(median of the norms * clipScale). Outputs: skipped (per tensor, 1
// where the aggregate was non-finite and params were left untouched), normsOut
// ([payload][tensor]) and thresholdsOut (per tensor, the thresholds used).
void aggregateAndStep(const ModelGeom& g, float* params, const std::vector<PayloadView>& payloads,
                      const float* thresholds, double clipScale, float lr, uint8_t* skipped, float* normsOut,
                      float* thresholdsOut);

// ---- wire format v1: tensor records (the payload header is handled in TypeScript) ----
constexpr float kMaxAbsValue = 1.0e6f;  // bound on |shift|, |lut|, scale

// Appends all tensor records of a compressed model to out.
void encodeRecords(const ModelGeom& g, const PayloadView& p, std::vector<uint8_t>& out);

struct DecodeError {
  std::string code;
  std::string message;
};

// Decodes the records that start at bytes[pos] and must end exactly at bytes[len].
// Returns true and fills out, or false and fills err. Never reads out of bounds and
// allocates only from sizes derived from the geometry.
bool decodeRecords(const ModelGeom& g, const uint8_t* bytes, size_t len, size_t pos, Compressed& out,
                   DecodeError& err);

// ---- DeMo: orthonormal 2-D DCT-II per chunk, with a reproducible cosine table ----
// Forward (X -> Y) and inverse (Y -> X) transforms of one br x bc chunk, in place
// on a row-major buffer. Double accumulation in fixed order, rounded to float.
void dctForward(int64_t br, int64_t bc, float* chunk);
void dctInverse(int64_t br, int64_t bc, float* chunk);
// cos(pi * num / den) from basic IEEE operations only (exposed for tests).
double reproducibleCosPi(int64_t num, int64_t den);

}  // namespace gm::compress
