// Full parameter sharding (ZeRO-3 / FSDP) over the CPU engine. Every unit of the flat
// layout (the embedding, each layer, the final norm + head: ParamLayout::units) is
// split evenly over the ranks, and a rank keeps only its piece of each unit's fp32
// weights, gradient and AdamW moments. Forward and backward reach the weights through
// a ParamStore: a unit's weights are all-gathered just before the engine uses them
// (once in forward, again in backward) and freed right after; a unit's gradient is
// reduce-scattered to its owners as soon as backward has finished it, and freed. So a
// rank holds 1/ranks of the model plus one gathered unit at a time. AdamW then runs
// on each rank's pieces with no further communication. θ, gradients and moments read
// back in canonical flat order, as the ZeRO-1/2 trainer's do.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "engine/data_parallel.h"
#include "engine/engine.h"

namespace gm {

class FullyShardedTrainer final : public DataParallelTrainer {
 public:
  // batch: the whole batch, split evenly over `ranks` (batch % ranks == 0).
  FullyShardedTrainer(const ModelShape& shape, int ranks, int64_t batch, int64_t seqLen, uint64_t seed);
  ~FullyShardedTrainer() override;

  StepResult trainStep(const int32_t* inputs, const int32_t* targets, const AdamW& h, double clip,
                       int failRank = -1) override;
  int zeroStage() const override { return 3; }
  size_t numParams() const override { return layout_.total; }
  size_t shardSize() const override { return shard_; }
  void params(float* out) const override;
  void setParams(const float* in) override;
  void grads(float* out) const override;
  void adamM(float* out) const override;
  void adamV(float* out) const override;
  int64_t adamStep() const override { return adamStep_; }
  ParamMemory paramMemory() const override;

  // A unit's piece on one rank: `per` = ceil(numel / ranks) floats, rank r holding
  // [start + r·per, start + min(numel, (r+1)·per)) of the flat layout, zero-padded.
  struct UnitSplit {
    size_t start, numel, per;
  };
  class RankStore;

 private:
  ParamLayout layout_;
  std::vector<UnitSplit> units_;
  size_t shard_ = 0;  // sum of the units' `per`: floats of θ one rank keeps
  std::vector<std::unique_ptr<RankStore>> rank_;
  int64_t adamStep_ = 0;
  bool broken_ = false;
  std::string brokenWhy_;

  void runRank(int r, parallel::Collectives& comm, const int32_t* inputs, const int32_t* targets, double weight,
               const AdamW& h, double clip, int failRank, StepResult* out);
  // Copies every rank's piece of one per-unit field into canonical order.
  void gatherField(float* out, int field) const;
};

}  // namespace gm
