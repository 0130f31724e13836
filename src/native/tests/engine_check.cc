// CUDA vs CPU engine agreement (no Node). For each test shape: init both backends from
// the same bits, run forwardBackward on the same tokens, compare loss and every
// tensor's gradient (relative L2 error within bf16 tolerance), evalLoss, gradNorm /
// clip / AdamW on identical gradients, and that NaN parameters and all-ignored
// targets are refused. Optionally writes fixtures for bench/gpu/torch_llama.py.
//   gm_engine_check [--dump DIR] [--require-cuda] [--tol 1e-2]
// Exit 0 = PASS; 1 = a check failed; 2 = CUDA required but absent.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "fixture.h"
#ifdef GM_HAVE_CUDA
#include "cuda/cublas_loader.h"
#include "cuda/cuda_engine.h"
#endif

using namespace gm;

namespace {
int failures = 0;
void expect(bool ok, const std::string& what) {
  std::printf("  %s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) failures++;
}
bool allFinite(const std::vector<float>& v) {
  for (float x : v)
    if (!std::isfinite(x)) return false;
  return true;
}
// ||a - b|| / ||b|| over [off, off+n), in float64.
double relL2(const float* a, const float* b, size_t n) {
  double num = 0, den = 0;
  for (size_t i = 0; i < n; i++) {
    const double d = (double)a[i] - (double)b[i];
    num += d * d;
    den += (double)b[i] * (double)b[i];
  }
  if (!std::isfinite(num)) return std::numeric_limits<double>::infinity();
  return den > 0 ? std::sqrt(num / den) : std::sqrt(num);
}
bool throws(const std::function<void()>& f) {
  try {
    f();
  } catch (const EngineFailure&) {
    return true;
  }
  return false;
}

struct Case {
  const char* name;
  ModelShape shape;
  int64_t B, T;
};
}  // namespace

int main(int argc, char** argv) {
  std::string dumpDir;
  bool requireCuda = false;
  double tol = 1e-2;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--dump" && i + 1 < argc) dumpDir = argv[++i];
    else if (a == "--require-cuda") requireCuda = true;
    else if (a == "--tol" && i + 1 < argc) tol = std::stod(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--dump DIR] [--require-cuda] [--tol X]\n", argv[0]);
      return 2;
    }
  }

  // 1: `tiny` as configured (tied head, grouped-query attention 4 heads / 2 KV, V=50304).
  // 2: untied head, multi-head attention, T = 128 so the softmax spans several warps.
  std::vector<Case> cases;
  {
    ModelShape s;
    s.vocab = 50304; s.dim = 64; s.ffn = 176; s.layers = 2; s.heads = 4; s.kvHeads = 2; s.tied = true;
    cases.push_back({"tiny-gqa-tied", s, 2, 32});
    ModelShape u;
    u.vocab = 1000; u.dim = 128; u.ffn = 352; u.layers = 2; u.heads = 4; u.kvHeads = 4; u.tied = false;
    cases.push_back({"mha-untied", u, 2, 128});
    // 3: head dim 64 (the tensor-core flash kernels' 150m path), grouped-query heads,
    // and T = 100, which leaves a partial 64-row tile.
    ModelShape w;
    w.vocab = 1000; w.dim = 256; w.ffn = 688; w.layers = 2; w.heads = 4; w.kvHeads = 2; w.tied = false;
    cases.push_back({"gqa-hd64-t100", w, 2, 100});
  }

  bool haveCuda = false;
#ifdef GM_HAVE_CUDA
  {
    cuda::DeviceInfo info = cuda::probeDevices();
    if (info.count == 0) {
      std::printf("CUDA: no device (%s)\n", info.error.c_str());
    } else {
      std::string err = cuda::cublasLoadError();
      std::printf("CUDA: %d device(s), %s (sm_%d%d, %.1f GiB); cuBLAS: %s\n", info.count, info.name.c_str(), info.major,
                  info.minor, info.memoryBytes / 1073741824.0, err.empty() ? cuda::cublas().libraryPath.c_str() : err.c_str());
      haveCuda = err.empty();
      if (!err.empty()) failures++;
    }
  }
#else
  std::printf("CUDA: backend not compiled in (no nvcc at build time)\n");
#endif
  // Without a usable CUDA backend the CPU half still runs (and its fixtures are still
  // written for the PyTorch reference); --require-cuda turns the absence into exit 2.
  const bool missingCuda = requireCuda && !haveCuda;

  for (const Case& c : cases) {
    std::printf("case %s: V=%lld d=%lld L=%lld H=%lld KV=%lld tied=%d B=%lld T=%lld\n", c.name, (long long)c.shape.vocab,
                (long long)c.shape.dim, (long long)c.shape.layers, (long long)c.shape.heads, (long long)c.shape.kvHeads,
                (int)c.shape.tied, (long long)c.B, (long long)c.T);
    Model cpu(c.shape, c.B, c.T);
    cpu.initParams(7);
    const size_t P = cpu.layout.total;
    std::vector<int32_t> inputs, targets;
    tests::makeTokens(c.B, c.T, c.shape.vocab, 11, inputs, targets);
    std::vector<float> params0(cpu.params->data, cpu.params->data + P);
    const double cpuLoss = cpu.forwardBackward(inputs.data(), targets.data());
    std::vector<float> cpuGrads(cpu.grads->data, cpu.grads->data + P);
    std::printf("  cpu loss %.6f (ln V = %.6f)\n", cpuLoss, std::log((double)c.shape.vocab));
    expect(std::isfinite(cpuLoss) && allFinite(cpuGrads), "cpu loss and gradients are finite");
    std::vector<float> cpuEval(c.B);
    cpu.evalLoss(inputs.data(), targets.data(), c.B, cpuEval.data());
    std::vector<tests::BackendResult> results{{1, cpuLoss, cpuGrads}};

#ifdef GM_HAVE_CUDA
    for (const bool flash : {false, true}) {
    if (!haveCuda) break;
    std::printf("  -- cuda, attention: %s\n", flash ? "flash kernels" : "batched GEMM + softmax");
    {
      try {
        cuda::CudaModel gpu(c.shape, c.B, c.T, 0, flash);
        gpu.initParams(7);
        std::vector<float> gp(P);
        gpu.getParams(gp.data());
        expect(std::memcmp(gp.data(), params0.data(), P * sizeof(float)) == 0, "initParams gives the CPU's bits");
        const double gpuLoss = gpu.forwardBackward(inputs.data(), targets.data());
        std::vector<float> gpuGrads(P);
        gpu.getGrads(gpuGrads.data());
        const double lossErr = std::fabs(gpuLoss - cpuLoss) / std::fabs(cpuLoss);
        std::printf("  cuda loss %.6f (relative error %.2e)\n", gpuLoss, lossErr);
        expect(std::isfinite(gpuLoss) && lossErr <= tol, "loss agrees within tol");
        expect(allFinite(gpuGrads), "cuda gradients are finite");
        const double total = relL2(gpuGrads.data(), cpuGrads.data(), P);
        double worst = 0;
        size_t worstIdx = 0;
        for (size_t i = 0; i < cpu.layout.entries.size(); i++) {
          const auto& e = cpu.layout.entries[i];
          const double r = relL2(gpuGrads.data() + e.offset, cpuGrads.data() + e.offset, e.numel);
          if (r > worst || !std::isfinite(r)) { worst = r; worstIdx = i; }
        }
        std::printf("  gradients: relative L2 error all %.2e, worst tensor #%zu %.2e\n", total, worstIdx, worst);
        expect(total <= tol, "all gradients agree within tol (relative L2)");
        expect(worst <= 3 * tol, "every tensor's gradient agrees within 3*tol");
        results.push_back({flash ? 3 : 2, gpuLoss, gpuGrads});
        if (!flash) {
          const double flashErr = gpu.flashAttentionSelfCheck();
          expect(flashErr <= tol, "flash attention forward = GEMM+softmax attention (relative " + std::to_string(flashErr) + ")");
        }

        std::vector<float> gpuEval(c.B);
        gpu.evalLoss(inputs.data(), targets.data(), c.B, gpuEval.data());
        double evalErr = 0;
        for (int64_t b = 0; b < c.B; b++) evalErr = std::max(evalErr, std::fabs((double)gpuEval[b] - cpuEval[b]) / cpuEval[b]);
        expect(evalErr <= tol, "evalLoss per sequence agrees (" + std::to_string(evalErr) + ")");
        {
          // A shorter batch, and a sequence whose targets are all ignored (NaN, no throw).
          std::vector<int32_t> tg1(targets.begin(), targets.begin() + c.T);
          for (int64_t t = 0; t < c.T; t++) tg1[t] = -100;
          float one = 0;
          const bool threw = throws([&] { gpu.evalLoss(inputs.data(), tg1.data(), 1, &one); });
          expect(!threw && std::isnan(one), "evalLoss of an all-ignored sequence is NaN");
          gpu.evalLoss(inputs.data(), targets.data(), 1, &one);
          expect(std::fabs((double)one - cpuEval[0]) <= tol * cpuEval[0], "evalLoss with nSeq = 1 agrees");
        }

        // Optimizer on identical gradients: fp32 on both sides, so tight agreement.
        // The CPU model is shared by both attention passes and the first pass clipped its
        // gradients and stepped its params/moments: restore its post-forwardBackward state
        // (the GPU's: params0, cpuGrads, zero moments, step 0) so the second pass compares
        // like with like.
        std::memcpy(cpu.params->data, params0.data(), P * sizeof(float));
        std::memcpy(cpu.grads->data, cpuGrads.data(), P * sizeof(float));
        std::memset(cpu.adamM->data, 0, P * sizeof(float));
        std::memset(cpu.adamV->data, 0, P * sizeof(float));
        cpu.adamStep = 0;
        gpu.setGrads(cpuGrads.data());
        const double nG = gpu.gradNorm(), nC = cpu.gradNorm();
        expect(std::fabs(nG - nC) <= 1e-6 * nC, "gradNorm agrees on identical gradients");
        const double clip = nC / 2;
        gpu.clipGradNorm(clip);
        cpu.clipGradNorm(clip);
        AdamW h{1e-3, 0.9, 0.95, 1e-8, 0.1};
        for (int step = 0; step < 2; step++) {
          gpu.adamw(h);
          cpu.adamw(h);
        }
        gpu.getParams(gp.data());
        std::vector<float> dG(P), dC(P);
        for (size_t i = 0; i < P; i++) { dG[i] = gp[i] - params0[i]; dC[i] = cpu.params->data[i] - params0[i]; }
        const double updErr = relL2(dG.data(), dC.data(), P);
        expect(updErr <= 1e-4, "clip + 2 AdamW steps: same update (relative " + std::to_string(updErr) + ")");

        // NaN never passes: a NaN weight must make forwardBackward throw.
        std::vector<float> bad = params0;
        bad[cpu.layout.layers[0].wq + 5] = std::numeric_limits<float>::quiet_NaN();
        gpu.setParams(bad.data());
        expect(throws([&] { gpu.forwardBackward(inputs.data(), targets.data()); }), "NaN parameter -> EngineFailure");
        std::vector<int32_t> ignored(targets.size(), -100);
        expect(throws([&] { gpu.forwardBackward(inputs.data(), ignored.data()); }), "all targets ignored -> EngineFailure");
        std::vector<int32_t> badTok = inputs;
        badTok[0] = (int32_t)c.shape.vocab;
        expect(throws([&] { gpu.forwardBackward(badTok.data(), targets.data()); }), "token id out of range -> EngineFailure");
      } catch (const EngineFailure& e) {
        expect(false, std::string("cuda backend threw: ") + e.what());
      }
    }
    }
#endif
    // The CPU refuses NaN too (the reference side of the same rule).
    cpu.params->data[cpu.layout.layers[0].wq + 5] = std::numeric_limits<float>::quiet_NaN();
    expect(throws([&] { cpu.forwardBackward(inputs.data(), targets.data()); }), "cpu: NaN parameter -> EngineFailure");

    if (!dumpDir.empty()) {
      const std::string path = dumpDir + "/" + c.name + ".fix";
      tests::writeFixture(path, c.shape, c.B, c.T, inputs, targets, params0, results);
      std::printf("  wrote %s (%zu backend result(s))\n", path.c_str(), results.size());
    }
  }
  if (missingCuda) {
    std::printf("FAIL: --require-cuda but the CUDA backend is not usable\n");
    return 2;
  }
  std::printf("%s (%d failure(s))\n", failures ? "FAIL" : "PASS", failures);
  return failures ? 1 : 0;
}
