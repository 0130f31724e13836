#include "fixture.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace gm::tests {

namespace {
double field(const std::string& json, const std::string& key, bool* isBool = nullptr) {
  const std::string k = "\"" + key + "\"";
  size_t at = json.find(k);
  if (at == std::string::npos) throw std::runtime_error("config is missing " + key);
  at = json.find(':', at + k.size());
  size_t v = json.find_first_not_of(" \t\r\n", at + 1);
  if (json.compare(v, 4, "true") == 0) { if (isBool) *isBool = true; return 1; }
  if (json.compare(v, 5, "false") == 0) { if (isBool) *isBool = true; return 0; }
  return std::stod(json.substr(v, 32));
}
}  // namespace

ModelShape loadShape(const std::string& path) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  const std::string j = ss.str();
  ModelShape s;
  s.vocab = (int64_t)field(j, "vocab_size");
  s.dim = (int64_t)field(j, "hidden_size");
  s.ffn = (int64_t)field(j, "intermediate_size");
  s.layers = (int64_t)field(j, "num_hidden_layers");
  s.heads = (int64_t)field(j, "num_attention_heads");
  s.kvHeads = (int64_t)field(j, "num_key_value_heads");
  s.normEps = field(j, "rms_norm_eps");
  s.ropeTheta = field(j, "rope_theta");
  s.tied = field(j, "tie_word_embeddings") != 0;
  s.validate();
  return s;
}

void makeTokens(int64_t B, int64_t T, int64_t vocab, uint64_t seed, std::vector<int32_t>& inputs,
                std::vector<int32_t>& targets) {
  inputs.resize(B * T);
  targets.resize(B * T);
  uint64_t st = seed;
  auto next = [&]() {
    uint64_t z = (st += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  for (int64_t i = 0; i < B * T; i++) inputs[i] = (int32_t)(next() % (uint64_t)vocab);
  for (int64_t b = 0; b < B; b++)
    for (int64_t t = 0; t < T; t++) {
      const int64_t i = b * T + t;
      targets[i] = t + 1 < T ? inputs[i + 1] : (int32_t)(next() % (uint64_t)vocab);
      if (b == B - 1 && t % 7 == 3) targets[i] = -100;
    }
}

void writeFixture(const std::string& path, const ModelShape& s, int64_t B, int64_t T, const std::vector<int32_t>& inputs,
                  const std::vector<int32_t>& targets, const std::vector<float>& params,
                  const std::vector<BackendResult>& results) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path);
  std::fwrite("GMFIX001", 1, 8, f);
  const int64_t hdr[10] = {s.vocab, s.dim, s.ffn, s.layers, s.heads, s.kvHeads, s.tied ? 1 : 0, B, T, (int64_t)params.size()};
  std::fwrite(hdr, sizeof(int64_t), 10, f);
  const double fl[2] = {s.normEps, s.ropeTheta};
  std::fwrite(fl, sizeof(double), 2, f);
  std::fwrite(inputs.data(), sizeof(int32_t), inputs.size(), f);
  std::fwrite(targets.data(), sizeof(int32_t), targets.size(), f);
  std::fwrite(params.data(), sizeof(float), params.size(), f);
  for (const auto& r : results) {
    std::fwrite(&r.tag, sizeof(int64_t), 1, f);
    std::fwrite(&r.loss, sizeof(double), 1, f);
    std::fwrite(r.grads.data(), sizeof(float), r.grads.size(), f);
  }
  const int64_t end = 0;
  std::fwrite(&end, sizeof(int64_t), 1, f);
  if (std::fclose(f) != 0) throw std::runtime_error("cannot write " + path);
}

}  // namespace gm::tests
