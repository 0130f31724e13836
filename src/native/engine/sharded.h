// Data-parallel training with sharded optimiser states (ZeRO-1/2) over the CPU
// engine's canonical parameter layout. Each rank holds a Model for its slice of the
// batch; after backward the token-weighted gradients are reduce-scattered so each
// rank owns one contiguous shard of the flat layout, AdamW updates only that shard
// of the fp32 weights and moments, and the updated shards are all-gathered back into
// every rank's weights. What callers see (θ, gradients, moments) is gathered back to
// the canonical flat order, so the protocol never sees the sharding. Full parameter
// sharding (ZeRO-3) is engine/fsdp.h.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "engine/data_parallel.h"
#include "engine/engine.h"

namespace gm {

class ShardedTrainer final : public DataParallelTrainer {
 public:
  // batch: the whole batch, split evenly over `ranks` (batch % ranks == 0). stage 1
  // and 2 run the same code (the Model keeps its full gradient buffer; the reduced
  // gradient is sharded); the stage is only reported back.
  ShardedTrainer(const ModelShape& shape, int ranks, int64_t batch, int64_t seqLen, uint64_t seed, int stage = 2);

  StepResult trainStep(const int32_t* inputs, const int32_t* targets, const AdamW& h, double clip,
                       int failRank = -1) override;
  int zeroStage() const override { return stage_; }
  size_t numParams() const override { return layout_.total; }
  size_t shardSize() const override { return shard_; }
  void params(float* out) const override;
  void setParams(const float* in) override;
  void grads(float* out) const override;
  void adamM(float* out) const override;
  void adamV(float* out) const override;
  int64_t adamStep() const override { return adamStep_; }
  ParamMemory paramMemory() const override;

 private:
  struct Rank {
    std::unique_ptr<Model> model;
    std::vector<float> gradShard, m, v;
  };
  const int stage_;
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
