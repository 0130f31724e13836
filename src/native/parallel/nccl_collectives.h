// NCCL backend of the collectives: one communicator per miner across its local GPUs,
// one thread per GPU in one process (ncclCommInitAll; docs/cuda.md says why).
// Buffers are device pointers; every call is enqueued on the given CUDA stream.
#pragma once
#include <functional>
#include <vector>

#include "parallel/collectives.h"
#include "parallel/nccl_loader.h"

namespace gm::parallel {

// Creates the communicators of devices[0..n) (ncclCommInitAll); rank i drives devices[i].
std::vector<ncclComm_t> ncclInitAll(const std::vector<int>& devices);

class NcclCollectives final : public Collectives {
 public:
  // scalarSum sums one double over ranks through device memory (the CUDA engine
  // owns the scratch and the copies; NCCL itself only sees device pointers).
  NcclCollectives(ncclComm_t comm, int rank, int size, std::function<double(double)> scalarSum);
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  void allReduceSum(float* buf, size_t n, void* stream) override;
  void reduceScatterSum(const float* send, float* recv, size_t perRank, void* stream) override;
  void allGather(const float* send, float* recv, size_t perRank, void* stream) override;
  void broadcast(float* buf, size_t n, int root, void* stream) override;
  double allReduceScalar(double x) override { return scalarSum_(x); }
  // ncclCommAbort: every rank blocked in a collective of this communicator returns.
  void abort(const std::string& why) override;

 private:
  ncclComm_t comm_;
  const int rank_, size_;
  std::function<double(double)> scalarSum_;
};

}  // namespace gm::parallel
