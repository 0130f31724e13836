// GPU vs CPU SparseLoCo compression: the same e and delta through
// gm::compress::compressWithFeedback (CPU) and gm::cuda::GpuCompressor must give the
// same bits — quant floats, indices, codes and the updated error buffer — over a few
// rounds of error feedback. Geometry: the `tiny` model's tensors plus a 50×176 tensor
// (chunks 50×44, k = 64 < 2200) and a 6×10 one (k >= chunk: all kept).
//   gm_compress_check [--require-cuda]      exit 0 PASS, 1 FAIL, 2 CUDA required but absent
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "compress/sparseloco.h"
#include "engine/engine.h"
#ifdef GM_HAVE_CUDA
#include "cuda/compress_gpu.h"
#include "cuda/cuda_engine.h"
#endif

using namespace gm;

int main(int argc, char** argv) {
  const bool requireCuda = argc > 1 && std::string(argv[1]) == "--require-cuda";
  ModelShape s;
  s.vocab = 50304; s.dim = 64; s.ffn = 176; s.layers = 2; s.heads = 4; s.kvHeads = 2; s.tied = true;
  const int64_t d = s.dim, kv = s.kvDim(), f = s.ffn;
  std::vector<double> meta;
  int64_t off = 0;
  auto add = [&](int64_t r, int64_t c) { meta.insert(meta.end(), {(double)off, (double)r, (double)c}); off += r * c; };
  add(s.vocab, d);
  for (int l = 0; l < s.layers; l++) {
    add(1, d); add(d, d); add(kv, d); add(kv, d); add(d, d); add(1, d); add(f, d); add(f, d); add(d, f);
  }
  add(1, d);
  add(50, 176);
  add(6, 10);
  const compress::ModelGeom g = compress::makeGeom(meta.data(), meta.size() / 3, 64, 64, false);
  std::vector<float> eCpu(g.totalParams, 0.0f), delta(g.totalParams);
  uint64_t st = 5;
  auto uni = [&]() {
    st = st * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)((double)(st >> 11) * (1.0 / 9007199254740992.0) - 0.5);
  };
  int failures = 0;
#ifdef GM_HAVE_CUDA
  cuda::DeviceInfo info = cuda::probeDevices();
  const bool haveCuda = info.count > 0;
  std::printf("CUDA: %s\n", haveCuda ? (std::to_string(info.count) + " device(s), " + info.name).c_str()
                                     : ("no device (" + info.error + ")").c_str());
#else
  const bool haveCuda = false;
  std::printf("CUDA: backend not compiled in\n");
#endif
  std::vector<float> eGpu = eCpu;
  for (int round = 0; round < 3; round++) {
    for (auto& x : delta) x = uni() * 0.01f;
    // A few exact ties and zeros so the tie rule is exercised.
    for (int64_t i = 0; i < 64; i++) delta[i] = 0.004f;
    compress::Compressed cpu;
    compress::compressWithFeedback(g, eCpu.data(), delta.data(), 0.9f, cpu);
    std::printf("round %d: cpu kept %lld values\n", round, (long long)g.totalValues);
#ifdef GM_HAVE_CUDA
    if (haveCuda) {
      try {
        cuda::GpuCompressor gpuC(g);
        compress::Compressed gpu;
        gpuC.compressHost(eGpu.data(), delta.data(), 0.9f, gpu);
        const bool q = std::memcmp(gpu.quant.data(), cpu.quant.data(), cpu.quant.size() * 4) == 0;
        const bool ix = gpu.indices == cpu.indices, cd = gpu.codes == cpu.codes;
        const bool ee = std::memcmp(eGpu.data(), eCpu.data(), eCpu.size() * 4) == 0;
        std::printf("  %s quant %d indices %d codes %d error buffer %d (1 = identical bits)\n",
                    q && ix && cd && ee ? "ok  " : "FAIL", q, ix, cd, ee);
        if (!(q && ix && cd && ee)) failures++;
      } catch (const EngineFailure& e) {
        std::printf("  FAIL GPU compression threw: %s\n", e.what());
        failures++;
      }
    }
#endif
  }
  if (requireCuda && !haveCuda) {
    std::printf("FAIL: --require-cuda but no CUDA device\n");
    return 2;
  }
  std::printf("%s (%d failure(s))\n", failures ? "FAIL" : "PASS", failures);
  return failures ? 1 : 0;
}
