// The NCCL collectives with one rank against the plain CUDA engine (issue 19's device
// check, bench/gpu/run.sh stage nccl_1rank): two engines from the same init take the
// same step, one by CudaModel::trainStep, the other by trainStepDataParallel over an
// NCCL communicator of one GPU (reduce-scatter + all-gather of the gradient, the loss
// summed through NCCL). They must agree (loss, gradient, update) within the engine's
// own run-to-run noise; then both are timed, interleaved, and the tokens/s ratio
// (target >= 0.97: the cost of the sharding machinery) is reported.
//   gm_nccl_check --model config/models/150m.json --batch 16 --seq 1024 [--steps 8] [--warmup 2] [--require-cuda]
// Prints a table and, last, one JSON line. Exit 0 = the steps agree (the ratio is
// reported, not judged); 1 = they differ or something failed; 3 = no CUDA device or
// no libnccl.so.2 (a clean skip; with --require-cuda that is 1).
#include <cuda_runtime.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cuda/cuda_engine.h"
#include "fixture.h"
#include "parallel/nccl_collectives.h"
#include "parallel/nccl_loader.h"

using namespace gm;

namespace {

double relL2(const std::vector<float>& a, const std::vector<float>& b) {
  double d = 0, n = 0;
  for (size_t i = 0; i < a.size(); i++) {
    d += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    n += (double)a[i] * a[i];
  }
  return n > 0 ? std::sqrt(d / n) : std::sqrt(d);
}

}  // namespace

int main(int argc, char** argv) {
  std::string model = "config/models/150m.json";
  int64_t B = 16, T = 1024;
  int steps = 8, warmup = 2;
  bool require = false;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (a == "--require-cuda") { require = true; continue; }
    if (i + 1 >= argc) { std::fprintf(stderr, "%s needs a value\n", a.c_str()); return 2; }
    std::string v = argv[++i];
    if (a == "--model") model = v;
    else if (a == "--batch") B = std::stoll(v);
    else if (a == "--seq") T = std::stoll(v);
    else if (a == "--steps") steps = std::stoi(v);
    else if (a == "--warmup") warmup = std::stoi(v);
    else { std::fprintf(stderr, "unknown option %s\n", a.c_str()); return 2; }
  }
  if (steps < 1 || warmup < 0) { std::fprintf(stderr, "--steps must be >= 1 and --warmup >= 0\n"); return 2; }
  const int skip = require ? 1 : 3;

  cuda::DeviceInfo info = cuda::probeDevices();
  if (info.count == 0) {
    std::printf("NCCL check: no CUDA device (%s): skipped\n{\"bench\":\"nccl_1rank\",\"skipped\":\"no CUDA device\"}\n", info.error.c_str());
    return skip;
  }
  const std::string ncclErr = parallel::ncclLoadError();
  if (!ncclErr.empty()) {
    std::printf("NCCL check: libnccl does not load: %s\n{\"bench\":\"nccl_1rank\",\"skipped\":\"no libnccl.so.2\"}\n", ncclErr.c_str());
    return skip;
  }
  int ncclVersion = 0;
  parallel::nccl().getVersion(&ncclVersion);

  try {
    const ModelShape s = tests::loadShape(model);
    const bool flash = cuda::CudaModel::flashPreferred(s);
    cuda::CudaModel plain(s, B, T, 0, flash), ranked(s, B, T, 0, flash);
    plain.initParams(1);
    ranked.initParams(1);
    std::vector<int32_t> inputs, targets;
    tests::makeTokens(B, T, s.vocab, 3, inputs, targets);
    const AdamW h{3e-4, 0.9, 0.95, 1e-8, 0.1};

    // One communicator over GPU 0; the loss is summed through NCCL too (a double on the device).
    std::vector<parallel::ncclComm_t> comms = parallel::ncclInitAll({0});
    parallel::ncclComm_t comm = comms[0];
    double* dScalar = nullptr;
    cudaStream_t side = nullptr;
    if (cudaMalloc(&dScalar, sizeof(double)) != cudaSuccess || cudaStreamCreate(&side) != cudaSuccess)
      throw std::runtime_error("cudaMalloc / cudaStreamCreate for the scalar sum failed");
    auto scalarSum = [&](double x) {
      cudaMemcpyAsync(dScalar, &x, sizeof(double), cudaMemcpyHostToDevice, side);
      const parallel::ncclResult_t r = parallel::nccl().allReduce(dScalar, dScalar, 1, parallel::ncclFloat64, parallel::ncclSum, comm, side);
      if (r != 0) throw std::runtime_error("ncclAllReduce (scalar) failed: " + std::to_string(r));
      cudaMemcpyAsync(&x, dScalar, sizeof(double), cudaMemcpyDeviceToHost, side);
      if (cudaStreamSynchronize(side) != cudaSuccess) throw std::runtime_error("scalar sum: cudaStreamSynchronize failed");
      return x;
    };
    parallel::NcclCollectives coll(comm, 0, 1, scalarSum);

    // The same step on both.
    const size_t P = plain.layout.total;
    std::vector<float> before(P), pa(P), pb(P), ga(P), gb(P);
    plain.getParams(before.data());
    const double lossA = plain.trainStep(inputs.data(), targets.data(), 1.0, h);
    const double lossB = ranked.trainStepDataParallel(inputs.data(), targets.data(), 1.0, h, coll, 1.0);
    plain.getParams(pa.data());
    ranked.getParams(pb.data());
    plain.getGrads(ga.data());
    ranked.getGrads(gb.data());
    std::vector<float> ua(P), ub(P);
    for (size_t i = 0; i < P; i++) {
      ua[i] = pa[i] - before[i];
      ub[i] = pb[i] - before[i];
    }
    const double lossRel = std::fabs(lossA - lossB) / std::fabs(lossA);
    const double gradRel = relL2(ga, gb), updateRel = relL2(ua, ub);
    // bf16 compute with fp32 accumulation: two runs of the same step may differ by the
    // order of atomics (flash backward); far below these bounds. Equal bits are typical.
    const bool same = lossRel <= 1e-5 && gradRel <= 1e-3 && updateRel <= 1e-2;

    // Throughput, interleaved so that clocks and thermals fall on both alike.
    for (int i = 0; i < warmup; i++) {
      plain.trainStep(inputs.data(), targets.data(), 1.0, h);
      ranked.trainStepDataParallel(inputs.data(), targets.data(), 1.0, h, coll, 1.0);
    }
    double secA = 0, secB = 0;
    for (int rep = 0; rep < 2; rep++) {
      plain.synchronize();
      auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < steps; i++) plain.trainStep(inputs.data(), targets.data(), 1.0, h);
      plain.synchronize();
      auto t1 = std::chrono::steady_clock::now();
      for (int i = 0; i < steps; i++) ranked.trainStepDataParallel(inputs.data(), targets.data(), 1.0, h, coll, 1.0);
      ranked.synchronize();
      auto t2 = std::chrono::steady_clock::now();
      secA += std::chrono::duration<double>(t1 - t0).count();
      secB += std::chrono::duration<double>(t2 - t1).count();
    }
    const double tokens = (double)B * T * steps * 2;
    const double tpsA = tokens / secA, tpsB = tokens / secB, ratio = tpsB / tpsA;
    parallel::nccl().commDestroy(comm);
    cudaFree(dScalar);
    cudaStreamDestroy(side);

    std::printf("| %s %s, B×T %lldx%lld, NCCL %d | plain CUDA engine | NCCL, 1 rank |\n|---|---|---|\n", info.name.c_str(),
                model.c_str(), (long long)B, (long long)T, ncclVersion);
    std::printf("| loss of the first step | %.6f | %.6f |\n", lossA, lossB);
    std::printf("| tokens/s (%d steps, twice) | %.0f | %.0f |\n", steps, tpsA, tpsB);
    std::printf("step agreement: loss rel %.2e, gradient rel L2 %.2e, update rel L2 %.2e: %s\n", lossRel, gradRel, updateRel,
                same ? "SAME" : "DIFFERENT");
    std::printf("tokens/s ratio (1 rank / plain) %.4f: target >= 0.97 %s\n", ratio, ratio >= 0.97 ? "met" : "NOT met");
    std::printf("{\"bench\":\"nccl_1rank\",\"device\":\"%s\",\"model\":\"%s\",\"batch\":%lld,\"seq\":%lld,\"nccl_version\":%d,"
                "\"loss_plain\":%.6f,\"loss_nccl\":%.6f,\"loss_rel_diff\":%.3e,\"grad_rel_l2\":%.3e,\"update_rel_l2\":%.3e,"
                "\"same_step\":%s,\"tokens_per_s_plain\":%.1f,\"tokens_per_s_nccl\":%.1f,\"ratio\":%.4f}\n",
                info.name.c_str(), model.c_str(), (long long)B, (long long)T, ncclVersion, lossA, lossB, lossRel, gradRel,
                updateRel, same ? "true" : "false", tpsA, tpsB, ratio);
    return same ? 0 : 1;
  } catch (const std::exception& e) {
    std::printf("NCCL check failed: %s\n{\"bench\":\"nccl_1rank\",\"error\":\"see above\"}\n", e.what());
    return 1;
  }
}
