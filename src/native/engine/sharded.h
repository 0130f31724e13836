// Data-parallel training with sharded optimiser states (ZeRO-1/2) over the CPU
// engine's canonical parameter layout. Each rank holds a Model for its slice of the
// batch; after backward the token-weighted gradients are reduce-scattered so each
// rank owns one contiguous shard of the flat layout, AdamW updates only that shard
// of the fp32 weights and moments, and the updated shards are all-gathered back into
// every rank's weights. What callers see (θ, gradients, moments) is gathered back to
// the canonical flat order, so the protocol never sees the sharding.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "parallel/cpu_collectives.h"

namespace gm {

class ShardedTrainer {
 public:
  // batch: the whole batch, split evenly over `ranks` (batch % ranks == 0).
  ShardedTrainer(const ModelShape& shape, int ranks, int64_t batch, int64_t seqLen, uint64_t seed);

  const int ranks;
  const int64_t batch, seqLen;
  size_t numParams() const { return layout_.total; }
  size_t shardSize() const { return shard_; }

  struct StepResult {
    double loss, gradNorm;
  };
  // One step on the whole batch [batch, seqLen]. failRank >= 0 makes that rank fail
  // after its backward (for the test that one failing rank stops all of them).
  StepResult trainStep(const int32_t* inputs, const int32_t* targets, const AdamW& h, double clip, int failRank = -1);

  // Canonical flat copies (numParams floats).
  void params(float* out) const;
  void setParams(const float* in);
  void grads(float* out) const;   // the reduced gradient of the last step, before clipping
  void adamM(float* out) const;
  void adamV(float* out) const;
  int64_t adamStep() const { return adamStep_; }
  // Optimiser-state bytes one rank holds (its shard of m and v).
  size_t stateBytesPerRank() const { return 2 * shard_ * sizeof(float); }

 private:
  struct Rank {
    std::unique_ptr<Model> model;
    std::vector<float> gradShard, m, v;
  };
  ParamLayout layout_;
  size_t shard_;  // ceil(total / ranks): the flat layout padded to ranks * shard_
  std::vector<Rank> rank_;
  int64_t adamStep_ = 0;
  bool broken_ = false;
  std::string brokenWhy_;

  void runRank(int r, parallel::Collectives& comm, const int32_t* inputs, const int32_t* targets, double weight,
               const AdamW& h, double clip, int failRank, StepResult* out);
  void gatherShards(float* out, std::vector<float> Rank::*field) const;
};

}  // namespace gm
