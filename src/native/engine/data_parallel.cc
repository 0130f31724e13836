#include "engine/data_parallel.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "parallel/cpu_collectives.h"

namespace gm {

std::mutex& rankComputeMutex() {
  static std::mutex m;
  return m;
}

std::vector<double> rankLossWeights(const int32_t* targets, int ranks, size_t perRank) {
  std::vector<double> w(ranks);
  double total = 0;
  for (int r = 0; r < ranks; r++) {
    int64_t c = 0;
    for (size_t i = 0; i < perRank; i++) c += targets[perRank * r + i] != -100;
    if (c == 0) throw EngineFailure("sharded engine: rank " + std::to_string(r) + "'s slice of the batch has no target tokens");
    w[r] = (double)c;
    total += w[r];
  }
  for (double& x : w) x /= total;
  return w;
}

void runRankThreads(int ranks, const std::function<void(int, parallel::Collectives&)>& body) {
  auto group = std::make_shared<parallel::CpuGroup>(ranks);
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; r++) {
    threads.emplace_back([&, r] {
      parallel::CpuCollectives comm(group, r);
      try {
        body(r, comm);
      } catch (const parallel::RankAborted&) {
        // stopped because another rank failed: that rank's error is the one reported
      } catch (const std::exception& e) {
        comm.abort("rank " + std::to_string(r) + ": " + e.what());
      } catch (...) {
        comm.abort("rank " + std::to_string(r) + ": unknown failure");
      }
    });
  }
  for (auto& t : threads) t.join();
  if (group->aborted())
    throw RankFailure("sharded step failed on " + group->abortReason() + " (all " + std::to_string(ranks) +
                          " ranks stopped)",
                      group->abortReason());
}

void adamwSpan(const ParamLayout& layout, size_t lo, size_t hi, float* p, const float* g, float* m, float* v,
               float clipScale, const AdamW& h, int64_t step) {
  const double bc1 = 1.0 - std::pow(h.beta1, (double)step), bc2 = 1.0 - std::pow(h.beta2, (double)step);
  const float stepSize = (float)(h.lr / bc1), invSqrtBc2 = (float)(1.0 / std::sqrt(bc2));
  const float b1 = (float)h.beta1, b2 = (float)h.beta2, eps = (float)h.eps;
  for (const auto& e : layout.entries) {
    const size_t a = std::max(lo, e.offset), b = std::min(hi, e.offset + e.numel);
    if (a >= b) continue;
    const float decay = e.matrix ? (float)(1.0 - h.lr * h.weightDecay) : 1.0f;
    for (size_t j = a; j < b; j++) {
      const size_t i = j - lo;
      float gg = g[i];
      if (clipScale != 1.0f) gg *= clipScale;
      const float mm = b1 * m[i] + (1.0f - b1) * gg;
      const float vv = b2 * v[i] + (1.0f - b2) * gg * gg;
      m[i] = mm;
      v[i] = vv;
      const float pp = p[i] * decay;
      p[i] = pp - stepSize * mm / (std::sqrt(vv) * invSqrtBc2 + eps);
    }
  }
}

}  // namespace gm
