// Helpers shared by the C++ test and bench executables: model shapes from
// config/models/*.json and the binary fixture exchanged with bench/gpu/torch_llama.py.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace gm::tests {

// Reads the HF-named fields of a config JSON (config/models/NAME.json). Throws on a
// missing field.
ModelShape loadShape(const std::string& path);

// Fixture file (little-endian), read by bench/gpu/torch_llama.py `ref`:
//   "GMFIX001"; int64 vocab, dim, ffn, layers, heads, kvHeads, tied, batch, seqLen, total;
//   float64 normEps, ropeTheta; int32 inputs[B*T]; int32 targets[B*T]; float32 params[total];
//   then per backend present: int64 tag (1 = cpu, 2 = cuda, 3 = cuda with flash attention), float64 loss, float32 grads[total];
//   int64 0 ends the file.
struct BackendResult {
  int64_t tag;
  double loss;
  std::vector<float> grads;
};
void writeFixture(const std::string& path, const ModelShape& s, int64_t B, int64_t T, const std::vector<int32_t>& inputs,
                  const std::vector<int32_t>& targets, const std::vector<float>& params,
                  const std::vector<BackendResult>& results);

// Deterministic token ids (splitmix-based) in [0, vocab); every 7th target of the
// last sequence is -100 so the ignore index is exercised.
void makeTokens(int64_t B, int64_t T, int64_t vocab, uint64_t seed, std::vector<int32_t>& inputs,
                std::vector<int32_t>& targets);

}  // namespace gm::tests
