#include "engine/sharded.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

namespace gm {

ShardedTrainer::ShardedTrainer(const ModelShape& shape, int ranks_, int64_t batch_, int64_t seqLen_, uint64_t seed,
                               int stage)
    : DataParallelTrainer(ranks_, batch_, seqLen_), stage_(stage), layout_(ParamLayout::build(shape)) {
  if (ranks < 1 || ranks > 64) throw EngineFailure("sharded engine: ranks must be 1..64, got " + std::to_string(ranks));
  if (batch % ranks != 0)
    throw EngineFailure("sharded engine: batch " + std::to_string(batch) + " does not split evenly over " +
                        std::to_string(ranks) + " ranks");
  shard_ = (layout_.total + ranks - 1) / ranks;
  rank_.resize(ranks);
  for (int r = 0; r < ranks; r++) {
    Rank& k = rank_[r];
    k.model = std::make_unique<Model>(shape, batch / ranks, seqLen);
    k.model->initParams(seed);  // (zeroes the Model's own moments: release them only after)
    // The Model's full-size moments are never used here: each rank keeps only its
    // shard, which is the point of ZeRO-1. Release them.
    k.model->adamM = std::make_shared<FloatBuffer>(0);
    k.model->adamV = std::make_shared<FloatBuffer>(0);
    k.gradShard.assign(shard_, 0.0f);
    k.m.assign(shard_, 0.0f);
    k.v.assign(shard_, 0.0f);
  }
}

ShardedTrainer::StepResult ShardedTrainer::trainStep(const int32_t* inputs, const int32_t* targets, const AdamW& h,
                                                     double clip, int failRank) {
  if (broken_) throw EngineFailure("sharded engine: a previous step failed (" + brokenWhy_ + "); create a new engine");
  if (!(clip > 0)) throw EngineFailure("sharded engine: gradClip must be positive");
  const size_t perRank = (size_t)(batch / ranks) * seqLen;
  const std::vector<double> weights = rankLossWeights(targets, ranks, perRank);
  for (int r = 0; r < ranks; r++) rank_[r].model->checkTokens(inputs + perRank * r, targets + perRank * r, batch / ranks);

  std::vector<StepResult> results(ranks);
  try {
    runRankThreads(ranks, [&](int r, parallel::Collectives& comm) {
      runRank(r, comm, inputs + perRank * r, targets + perRank * r, weights[r], h, clip,
              failRank, &results[r]);
    });
  } catch (const RankFailure& e) {
    broken_ = true;
    brokenWhy_ = e.reason;
    throw;
  }
  adamStep_ += 1;
  return results[0];
}

void ShardedTrainer::runRank(int r, parallel::Collectives& comm, const int32_t* inputs, const int32_t* targets,
                             double weight, const AdamW& h, double clip, int failRank, StepResult* out) {
  Rank& k = rank_[r];
  Model& m = *k.model;
  const size_t T = layout_.total, S = shard_, lo = S * r, hi = std::min(T, lo + S);
  double loss;
  {
    std::lock_guard<std::mutex> lock(rankComputeMutex());
    loss = m.forwardBackward(inputs, targets);
  }
  if (r == failRank) throw EngineFailure("injected failure after backward");
  // Weighted gradient, padded to ranks * S, then reduce-scattered: rank r owns [lo, hi).
  std::vector<float> padded(S * ranks, 0.0f);
  const float w = (float)weight;
  const float* G = m.grads->data;
  for (size_t i = 0; i < T; i++) padded[i] = G[i] * w;
  comm.reduceScatterSum(padded.data(), k.gradShard.data(), S);
  padded = std::vector<float>();  // ZeRO-2: only the shard of the gradient stays
  const double lossSum = comm.allReduceScalar(loss * weight);

  double ss = 0;
  for (size_t i = 0; i < hi - lo; i++) ss += (double)k.gradShard[i] * (double)k.gradShard[i];
  const double norm = std::sqrt(comm.allReduceScalar(ss));
  if (!std::isfinite(norm)) throw EngineFailure("the gradient norm is not finite");
  const float c = norm > clip ? (float)(clip / (norm + 1e-6)) : 1.0f;

  // AdamW on this rank's shard (Model::adamw's arithmetic).
  const int64_t step = adamStep_ + 1;
  std::vector<float> pShard(S, 0.0f);
  float* P = m.params->data;
  std::copy(P + lo, P + hi, pShard.begin());
  adamwSpan(layout_, lo, hi, pShard.data(), k.gradShard.data(), k.m.data(), k.v.data(), c, h, step);
  std::vector<float> full(S * ranks);
  comm.allGather(pShard.data(), full.data(), S);
  std::memcpy(P, full.data(), T * sizeof(float));
  m.adamStep = step;
  *out = StepResult{lossSum, norm};
}

void ShardedTrainer::gatherShards(float* out, std::vector<float> Rank::*field) const {
  const size_t T = layout_.total;
  for (int r = 0; r < ranks; r++) {
    const size_t lo = shard_ * r, hi = std::min(T, lo + shard_);
    if (lo < hi) std::memcpy(out + lo, (rank_[r].*field).data(), (hi - lo) * sizeof(float));
  }
}

void ShardedTrainer::params(float* out) const { std::memcpy(out, rank_[0].model->params->data, layout_.total * sizeof(float)); }
void ShardedTrainer::setParams(const float* in) {
  for (auto& k : rank_) std::memcpy(k.model->params->data, in, layout_.total * sizeof(float));
}
DataParallelTrainer::ParamMemory ShardedTrainer::paramMemory() const {
  // Every rank holds the whole model (fp32 weights and a full-size gradient buffer);
  // only the optimiser state and the reduced gradient are sharded.
  const size_t model = layout_.total * sizeof(float);
  size_t largest = 0;
  for (const auto& u : layout_.units) largest = std::max(largest, u.numel * sizeof(float));
  // Gradients: the Model's full buffer, the weighted padded copy sent to the
  // reduce-scatter, and the shard received.
  const size_t grads = model + (shard_ * ranks + shard_) * sizeof(float);
  return {model, model, model, model, largest, grads};
}

void ShardedTrainer::grads(float* out) const { gatherShards(out, &Rank::gradShard); }
void ShardedTrainer::adamM(float* out) const { gatherShards(out, &Rank::m); }
void ShardedTrainer::adamV(float* out) const { gatherShards(out, &Rank::v); }

}  // namespace gm
