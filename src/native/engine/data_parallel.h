// What the data-parallel trainers share: the interface the binding drives (ZeRO-1/2
// in engine/sharded.h, ZeRO-3 in engine/fsdp.h), the thread-per-rank driver over the
// CPU collectives, and AdamW over one span of the canonical flat layout.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "parallel/collectives.h"

namespace gm {

class DataParallelTrainer {
 public:
  DataParallelTrainer(int ranks_, int64_t batch_, int64_t seqLen_) : ranks(ranks_), batch(batch_), seqLen(seqLen_) {}
  virtual ~DataParallelTrainer() = default;
  const int ranks;
  const int64_t batch, seqLen;

  struct StepResult {
    double loss, gradNorm;
  };
  // One step on the whole batch [batch, seqLen]. failRank >= 0 makes that rank fail
  // after its backward (for the test that one failing rank stops all of them).
  virtual StepResult trainStep(const int32_t* inputs, const int32_t* targets, const AdamW& h, double clip,
                               int failRank = -1) = 0;
  virtual int zeroStage() const = 0;
  virtual size_t numParams() const = 0;
  virtual size_t shardSize() const = 0;  // floats of θ (and of each moment) one rank owns
  // Canonical flat copies (numParams floats).
  virtual void params(float* out) const = 0;
  virtual void setParams(const float* in) = 0;
  virtual void grads(float* out) const = 0;  // the reduced gradient of the last step, before clipping
  virtual void adamM(float* out) const = 0;
  virtual void adamV(float* out) const = 0;
  virtual int64_t adamStep() const = 0;
  // Optimiser-state bytes one rank holds (its shard of m and v).
  size_t stateBytesPerRank() const { return 2 * shardSize() * sizeof(float); }

  // fp32 parameter bytes one rank holds, largest over the ranks, from counters the
  // trainer keeps (ZeRO-1/2: every rank holds the whole model, always).
  struct ParamMemory {
    size_t modelBytes;       // the whole model, numParams floats
    size_t shardBytes;       // what a rank keeps between steps
    size_t peakBytes;        // the most held at once during the last step
    size_t peakLayerBytes;   // the most held while a transformer layer ran (forward or backward)
    size_t largestUnitBytes; // the largest unit gathered whole (embedding, a layer, the head)
    size_t peakGradBytes;    // the most gradient bytes held at once (full-size buffers and shards)
  };
  virtual ParamMemory paramMemory() const = 0;
};

// The error of a step that a rank failed; `reason` is "rank R: <its error>".
struct RankFailure : EngineFailure {
  RankFailure(const std::string& what, std::string why) : EngineFailure(what), reason(std::move(why)) {}
  std::string reason;
};

// Runs body(rank, comm) on one thread per rank over a fresh CPU collectives group.
// When a rank throws, every rank still in (or later entering) a collective stops, and
// this throws RankFailure naming the first failing rank and its error.
void runRankThreads(int ranks, const std::function<void(int rank, parallel::Collectives& comm)>& body);

// One AdamW step (Model::adamw's arithmetic: decay on 2-D tensors only) over the
// canonical span [lo, hi): p, g, m, v hold that span's elements (index i = j - lo).
// g is multiplied by clipScale first, as clipGradNorm would have scaled it.
void adamwSpan(const ParamLayout& layout, size_t lo, size_t hi, float* p, const float* g, float* m, float* v,
               float clipScale, const AdamW& h, int64_t step);

// The CPU ranks take turns in forward/backward: OpenBLAS's threaded build is not safe
// to call from several caller threads at once, and on a CPU the ranks share the same
// cores anyway. Collectives and the optimiser run concurrently.
std::mutex& rankComputeMutex();

// Each rank's weight in the batch's mean loss: its share of the batch's target tokens
// (not -100), so that the ranks' token-mean losses, weighted and summed, are the mean
// over the whole batch as one rank has it. A rank whose slice has no target is an error.
std::vector<double> rankLossWeights(const int32_t* targets, int ranks, size_t perRank);

}  // namespace gm
