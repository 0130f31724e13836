// SparseLoCo compression with error feedback on the GPU (plain mode), bit-identical to
// gm::compress::compressWithFeedback (docs/compression.md): the error-feedback update
// and the per-chunk top-k run on the device; the per-tensor quantisation statistics
// (sequential fp64 sums in kept order) run on the host over the kept values only
// (1/64 of the model at k = 64), then the device subtracts the dequantised values from
// e. Aggregation stays on the CPU. No CUDA types in this header.
#pragma once
#include <cstdint>
#include <memory>

#include "compress/sparseloco.h"

namespace gm::cuda {

class GpuCompressor {
 public:
  // Throws EngineFailure for DeMo geometries or chunks above 4096 elements, or
  // when no device is usable.
  explicit GpuCompressor(const compress::ModelGeom& g);
  ~GpuCompressor();
  GpuCompressor(const GpuCompressor&) = delete;
  GpuCompressor& operator=(const GpuCompressor&) = delete;

  // e and delta are device pointers over g.totalParams floats. e <- beta*e + delta;
  // out <- Q(TopK(chunk(e))); e <- e - decompress(out). Throws EngineFailure on a
  // non-finite value (e is then partly updated, as on the CPU).
  void compressWithFeedback(float* e, const float* delta, float beta, compress::Compressed& out);

  // Host-pointer convenience (copies e and delta in, e back out); for tests.
  void compressHost(float* e, const float* delta, float beta, compress::Compressed& out);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gm::cuda
