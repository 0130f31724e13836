// Training-step throughput of the CUDA engine (no Node): tokens/s and MFU for a model
// from config/models/*.json. Prints one JSON line.
//   gm_engine_bench --model config/models/1b.json --batch 8 --seq 1024 [--steps 10]
//                   [--warmup 2] [--peak-tflops 989] [--attention auto|gemm|flash]
// --attention auto (default) is what the engine picks: flash where the head dim runs on
// the tensor-core kernels, else GEMM + softmax.
// FLOPs per step use the formula of docs/engine.md (GEMM FLOPs, full T×T attention):
//   6·B·T·(L·(2d² + 2d·kv + 3d·f) + V·d) + 12·L·B·T²·d
// MFU = achieved / peak dense bf16 (default 989 TFLOP/s: H100 SXM and H200).
// Exit 0 = ran; 3 = no usable CUDA backend (message on stdout).
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "fixture.h"
#ifdef GM_HAVE_CUDA
#include "cuda/cuda_engine.h"
#endif

using namespace gm;

int main(int argc, char** argv) {
  std::string model = "config/models/150m.json";
  int64_t B = 8, T = 1024;
  int steps = 10, warmup = 2;
  double peak = 989.0;
  std::string attention = "auto";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i], v = argv[i + 1];
    if (a == "--model") model = v;
    else if (a == "--batch") B = std::stoll(v);
    else if (a == "--seq") T = std::stoll(v);
    else if (a == "--steps") steps = std::stoi(v);
    else if (a == "--warmup") warmup = std::stoi(v);
    else if (a == "--peak-tflops") peak = std::stod(v);
    else if (a == "--attention") {
      if (v != "auto" && v != "gemm" && v != "flash") { std::fprintf(stderr, "--attention must be auto, gemm or flash\n"); return 2; }
      attention = v;
    }
    else { std::fprintf(stderr, "unknown option %s\n", a.c_str()); return 2; }
  }
  ModelShape s = tests::loadShape(model);
  const double d = s.dim, kv = s.kvDim(), f = s.ffn, V = s.vocab, L = s.layers;
  const double flops = 6.0 * B * T * (L * (2 * d * d + 2 * d * kv + 3 * d * f) + V * d) + 12.0 * L * B * T * T * d;
#ifndef GM_HAVE_CUDA
  std::printf("{\"error\":\"CUDA backend not compiled in\"}\n");
  return 3;
#else
  cuda::DeviceInfo info = cuda::probeDevices();
  if (info.count == 0) {
    std::printf("{\"error\":\"no CUDA device: %s\"}\n", info.error.c_str());
    return 3;
  }
  try {
    const bool flash = attention == "flash" || (attention == "auto" && cuda::CudaModel::flashPreferred(s));
    cuda::CudaModel m(s, B, T, 0, flash);
    m.initParams(1);
    std::vector<int32_t> inputs, targets;
    tests::makeTokens(B, T, s.vocab, 3, inputs, targets);
    AdamW h{3e-4, 0.9, 0.95, 1e-8, 0.1};
    double loss = 0;
    for (int i = 0; i < warmup; i++) loss = m.trainStep(inputs.data(), targets.data(), 1.0, h);
    m.synchronize();
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < steps; i++) loss = m.trainStep(inputs.data(), targets.data(), 1.0, h);
    m.synchronize();
    const double sec = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / steps;
    // One more step timed per phase on the device (forward, classifier + loss,
    // backward, clip + AdamW) to show where the time goes.
    const cuda::CudaModel::PhaseTimes ph = m.profileTrainStep(inputs.data(), targets.data(), 1.0, h);
    const double tflops = flops / sec / 1e12;
    std::printf("{\"impl\":\"%s\",\"model\":\"%s\",\"device\":\"%s\",\"batch\":%lld,\"seq\":%lld,"
                "\"params\":%zu,\"step_s\":%.5f,\"tokens_per_s\":%.1f,\"tflops\":%.2f,\"mfu\":%.4f,\"loss\":%.4f,"
                "\"device_gib\":%.2f,\"phase_ms\":{\"forward\":%.2f,\"head\":%.2f,\"backward\":%.2f,"
                "\"optimizer\":%.2f,\"total\":%.2f}}\n",
                flash ? "gradmesh-cuda-flash" : "gradmesh-cuda",
                model.c_str(), info.name.c_str(), (long long)B, (long long)T, m.layout.total, sec, B * T / sec, tflops,
                tflops / peak, loss, m.deviceBytes() / 1073741824.0, ph.forward, ph.head, ph.backward, ph.optimizer,
                ph.total);
  } catch (const EngineFailure& e) {
    std::printf("{\"error\":\"%s\"}\n", e.what());
    return 1;
  }
  return 0;
#endif
}
