// CPU backend of the collectives: one thread per rank in one process, exchanging
// through pointers each rank publishes in a shared table, ordered by a barrier.
// It exists so that the sharding logic is tested (2-4 ranks) on a machine without
// a GPU. Sums always add ranks in rank order, so a run is bit-for-bit repeatable.
#pragma once
#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "parallel/collectives.h"

namespace gm::parallel {

// What the ranks of one CPU group share.
class CpuGroup {
 public:
  explicit CpuGroup(int ranks);
  int ranks() const { return ranks_; }
  // Blocks until every rank arrived; throws RankAborted once the group was aborted.
  void barrier();
  void abort(const std::string& why);
  bool aborted() const;
  std::string abortReason() const;
  // One published pointer and one double per rank.
  std::vector<const float*> sendPtr;
  std::vector<float*> recvPtr;
  std::vector<double> scalar;

 private:
  const int ranks_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;
  long generation_ = 0;
  bool aborted_ = false;
  std::string why_;
};

class CpuCollectives final : public Collectives {
 public:
  CpuCollectives(std::shared_ptr<CpuGroup> group, int rank);
  int rank() const override { return rank_; }
  int size() const override { return group_->ranks(); }
  void allReduceSum(float* buf, size_t n, void* stream = nullptr) override;
  void reduceScatterSum(const float* send, float* recv, size_t perRank, void* stream = nullptr) override;
  void allGather(const float* send, float* recv, size_t perRank, void* stream = nullptr) override;
  void broadcast(float* buf, size_t n, int root, void* stream = nullptr) override;
  double allReduceScalar(double x) override;
  void abort(const std::string& why) override { group_->abort(why); }

 private:
  std::shared_ptr<CpuGroup> group_;
  const int rank_;
  std::vector<float> scratch_;
};

}  // namespace gm::parallel
