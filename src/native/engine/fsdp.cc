#include "engine/fsdp.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>

namespace gm {

// One rank: its Model (which holds activations only) and its pieces of every unit's
// weights, gradient and moments, plus the unit buffers gathered during a step.
class FullyShardedTrainer::RankStore final : public ParamStore {
 public:
  RankStore(const std::vector<UnitSplit>& units, int ranks, int layers, std::unique_ptr<Model> m)
      : model(std::move(m)), units_(units), ranks_(ranks), layers_(layers) {
    const size_t n = units.size();
    for (auto* f : {&p, &g, &mom1, &mom2}) {
      f->resize(n);
      for (size_t u = 0; u < n; u++) (*f)[u].assign(units[u].per, 0.0f);
    }
    liveParams_.resize(n);
    liveGrads_.resize(n);
    for (const auto& u : units) shardBytes_ += u.per * sizeof(float);
    heldParam_ = peakParam_ = heldGrad_ = peakGrad_ = shardBytes_;
    model->setParamStore(this);
  }

  std::unique_ptr<Model> model;
  // Per unit: this rank's piece (`per` floats, zero past the unit's end).
  std::vector<std::vector<float>> p, g, mom1, mom2;

  // Set for one step: the rank's collectives, the compute lock it holds while the
  // engine runs (released around each collective, so the other ranks can reach it),
  // and its share of the batch's targets, which weights its gradient.
  void beginStep(parallel::Collectives* comm, std::unique_lock<std::mutex>* compute, float weight) {
    comm_ = comm;
    compute_ = compute;
    weight_ = weight;
    heldParam_ = peakParam_ = shardBytes_;
    peakLayer_ = 0;
    heldGrad_ = peakGrad_ = shardBytes_;  // the reduced gradient's pieces
  }
  void endStep() {
    comm_ = nullptr;
    compute_ = nullptr;
  }
  // After a failed step: drop whatever was gathered.
  void dropGathered() {
    for (auto& b : liveParams_) std::vector<float>().swap(b);
    for (auto& b : liveGrads_) std::vector<float>().swap(b);
  }

  const float* acquireParams(int u) override {
    std::vector<float>& buf = liveParams_.at(u);
    if (!buf.empty()) throw EngineFailure("fully sharded engine: unit " + std::to_string(u) + " gathered twice");
    const size_t per = units_[u].per;
    buf.resize(per * ranks_);
    collective([&] { comm_->allGather(p[u].data(), buf.data(), per); });
    heldParam_ += buf.size() * sizeof(float);
    peakParam_ = std::max(peakParam_, heldParam_);
    if (u >= 1 && u <= layers_) peakLayer_ = std::max(peakLayer_, heldParam_);
    return buf.data();
  }
  void releaseParams(int u) override {
    std::vector<float>& buf = liveParams_.at(u);
    heldParam_ -= buf.size() * sizeof(float);
    std::vector<float>().swap(buf);  // really frees: the point of ZeRO-3
  }
  float* acquireGrads(int u) override {
    std::vector<float>& buf = liveGrads_.at(u);
    if (buf.empty()) {
      buf.assign(units_[u].per * ranks_, 0.0f);
      heldGrad_ += buf.size() * sizeof(float);
      peakGrad_ = std::max(peakGrad_, heldGrad_);
    }
    return buf.data();
  }
  void gradsDone(int u) override {
    std::vector<float>& buf = liveGrads_.at(u);
    if (buf.empty()) throw EngineFailure("fully sharded engine: unit " + std::to_string(u) + " has no gradient open");
    // The rank's gradient is the mean over its own targets; weighted by its share of
    // the batch's, the sum over ranks is the whole-batch mean (as in ZeRO-1/2).
    const size_t n = units_[u].numel;
    for (size_t i = 0; i < n; i++) buf[i] *= weight_;
    collective([&] { comm_->reduceScatterSum(buf.data(), g[u].data(), units_[u].per); });
    heldGrad_ -= buf.size() * sizeof(float);
    std::vector<float>().swap(buf);
  }

  size_t shardBytes() const { return shardBytes_; }
  size_t peakParam() const { return peakParam_; }
  size_t peakLayer() const { return peakLayer_; }
  size_t peakGrad() const { return peakGrad_; }

 private:
  const std::vector<UnitSplit>& units_;
  const int ranks_, layers_;
  parallel::Collectives* comm_ = nullptr;
  std::unique_lock<std::mutex>* compute_ = nullptr;
  float weight_ = 1.0f;
  std::vector<std::vector<float>> liveParams_, liveGrads_;
  size_t shardBytes_ = 0, heldParam_ = 0, peakParam_ = 0, peakLayer_ = 0, heldGrad_ = 0, peakGrad_ = 0;

  template <class F>
  void collective(F&& f) {
    if (!comm_) throw EngineFailure("fully sharded engine: the engine ran outside a step");
    if (compute_) compute_->unlock();
    try {
      f();
    } catch (...) {
      if (compute_) compute_->lock();
      throw;
    }
    if (compute_) compute_->lock();
  }
};

FullyShardedTrainer::FullyShardedTrainer(const ModelShape& shape, int ranks_, int64_t batch_, int64_t seqLen_,
                                         uint64_t seed)
    : DataParallelTrainer(ranks_, batch_, seqLen_), layout_((shape.validate(), ParamLayout::build(shape))) {
  if (ranks < 1 || ranks > 64) throw EngineFailure("sharded engine: ranks must be 1..64, got " + std::to_string(ranks));
  if (batch % ranks != 0)
    throw EngineFailure("sharded engine: batch " + std::to_string(batch) + " does not split evenly over " +
                        std::to_string(ranks) + " ranks");
  for (const auto& u : layout_.units) {
    const size_t per = (u.numel + ranks - 1) / ranks;
    units_.push_back({u.start, u.numel, per});
    shard_ += per;
  }
  for (int r = 0; r < ranks; r++)
    rank_.push_back(std::make_unique<RankStore>(units_, ranks, (int)shape.layers,
                                                std::make_unique<Model>(shape, batch / ranks, seqLen, false)));
  // The initial θ is made whole once (in host memory, where the protocol keeps its
  // canonical θ anyway) and split; no rank keeps more than its pieces.
  std::vector<float> theta(layout_.total);
  initParamsInto(layout_, seed, theta.data());
  setParams(theta.data());
}

FullyShardedTrainer::~FullyShardedTrainer() = default;

DataParallelTrainer::StepResult FullyShardedTrainer::trainStep(const int32_t* inputs, const int32_t* targets,
                                                               const AdamW& h, double clip, int failRank) {
  if (broken_) throw EngineFailure("sharded engine: a previous step failed (" + brokenWhy_ + "); create a new engine");
  if (!(clip > 0)) throw EngineFailure("sharded engine: gradClip must be positive");
  const size_t perRank = (size_t)(batch / ranks) * seqLen;
  const std::vector<double> weights = rankLossWeights(targets, ranks, perRank);
  for (int r = 0; r < ranks; r++) rank_[r]->model->checkTokens(inputs + perRank * r, targets + perRank * r, batch / ranks);

  std::vector<StepResult> results(ranks);
  try {
    runRankThreads(ranks, [&](int r, parallel::Collectives& comm) {
      runRank(r, comm, inputs + perRank * r, targets + perRank * r, weights[r], h, clip,
              failRank, &results[r]);
    });
  } catch (const RankFailure& e) {
    broken_ = true;
    brokenWhy_ = e.reason;
    for (auto& k : rank_) k->dropGathered();
    throw;
  }
  adamStep_ += 1;
  return results[0];
}

void FullyShardedTrainer::runRank(int r, parallel::Collectives& comm, const int32_t* inputs, const int32_t* targets,
                                  double weight, const AdamW& h, double clip, int failRank, StepResult* out) {
  RankStore& k = *rank_[r];
  double loss;
  {
    std::unique_lock<std::mutex> lock(rankComputeMutex());
    k.beginStep(&comm, &lock, (float)weight);
    try {
      loss = k.model->forwardBackward(inputs, targets);  // gathers and reduce-scatters as it goes
    } catch (...) {
      k.endStep();
      throw;
    }
    k.endStep();
  }
  if (r == failRank) throw EngineFailure("injected failure after backward");
  const double lossSum = comm.allReduceScalar(loss * weight);

  // The clip norm over every rank's pieces; then AdamW on each piece, no communication.
  double ss = 0;
  for (size_t u = 0; u < units_.size(); u++) {
    const UnitSplit& s = units_[u];
    const size_t n = std::min(s.numel, s.per * (r + 1)) - std::min(s.numel, s.per * r);
    for (size_t i = 0; i < n; i++) ss += (double)k.g[u][i] * (double)k.g[u][i];
  }
  const double norm = std::sqrt(comm.allReduceScalar(ss));
  if (!std::isfinite(norm)) throw EngineFailure("the gradient norm is not finite");
  const float c = norm > clip ? (float)(clip / (norm + 1e-6)) : 1.0f;
  const int64_t step = adamStep_ + 1;
  for (size_t u = 0; u < units_.size(); u++) {
    const UnitSplit& s = units_[u];
    const size_t lo = s.start + std::min(s.numel, s.per * r), hi = s.start + std::min(s.numel, s.per * (r + 1));
    if (lo < hi) adamwSpan(layout_, lo, hi, k.p[u].data(), k.g[u].data(), k.mom1[u].data(), k.mom2[u].data(), c, h, step);
  }
  k.model->adamStep = step;
  *out = StepResult{lossSum, norm};
}

void FullyShardedTrainer::gatherField(float* out, int field) const {
  for (int r = 0; r < ranks; r++) {
    const RankStore& k = *rank_[r];
    const auto& f = field == 0 ? k.p : field == 1 ? k.g : field == 2 ? k.mom1 : k.mom2;
    for (size_t u = 0; u < units_.size(); u++) {
      const UnitSplit& s = units_[u];
      const size_t a = std::min(s.numel, s.per * r), b = std::min(s.numel, s.per * (r + 1));
      if (a < b) std::memcpy(out + s.start + a, f[u].data(), (b - a) * sizeof(float));
    }
  }
}

void FullyShardedTrainer::params(float* out) const { gatherField(out, 0); }
void FullyShardedTrainer::grads(float* out) const { gatherField(out, 1); }
void FullyShardedTrainer::adamM(float* out) const { gatherField(out, 2); }
void FullyShardedTrainer::adamV(float* out) const { gatherField(out, 3); }

void FullyShardedTrainer::setParams(const float* in) {
  for (int r = 0; r < ranks; r++) {
    RankStore& k = *rank_[r];
    for (size_t u = 0; u < units_.size(); u++) {
      const UnitSplit& s = units_[u];
      const size_t a = std::min(s.numel, s.per * r), b = std::min(s.numel, s.per * (r + 1));
      std::fill(k.p[u].begin(), k.p[u].end(), 0.0f);
      if (a < b) std::memcpy(k.p[u].data(), in + s.start + a, (b - a) * sizeof(float));
    }
  }
}

DataParallelTrainer::ParamMemory FullyShardedTrainer::paramMemory() const {
  ParamMemory m{layout_.total * sizeof(float), rank_[0]->shardBytes(), 0, 0, 0, 0};
  for (const auto& u : units_) m.largestUnitBytes = std::max(m.largestUnitBytes, u.per * ranks * sizeof(float));
  for (const auto& k : rank_) {
    m.peakBytes = std::max(m.peakBytes, k->peakParam());
    m.peakLayerBytes = std::max(m.peakLayerBytes, k->peakLayer());
    m.peakGradBytes = std::max(m.peakGradBytes, k->peakGrad());
  }
  return m;
}

}  // namespace gm
