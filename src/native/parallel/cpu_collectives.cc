#include "parallel/cpu_collectives.h"

#include <algorithm>
#include <cstring>

namespace gm::parallel {

CpuGroup::CpuGroup(int ranks) : sendPtr(ranks), recvPtr(ranks), scalar(ranks), ranks_(ranks) {
  if (ranks < 1) throw std::invalid_argument("CpuGroup: need at least 1 rank");
}

void CpuGroup::barrier() {
  std::unique_lock<std::mutex> lock(mu_);
  if (aborted_) throw RankAborted(why_);
  const long gen = generation_;
  if (++arrived_ == ranks_) {
    arrived_ = 0;
    generation_++;
    cv_.notify_all();
    return;
  }
  cv_.wait(lock, [&] { return generation_ != gen || aborted_; });
  if (generation_ == gen) throw RankAborted(why_);
}

void CpuGroup::abort(const std::string& why) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!aborted_) {  // the first failure is the one reported
    aborted_ = true;
    why_ = why;
  }
  cv_.notify_all();
}

bool CpuGroup::aborted() const {
  std::lock_guard<std::mutex> lock(mu_);
  return aborted_;
}

std::string CpuGroup::abortReason() const {
  std::lock_guard<std::mutex> lock(mu_);
  return why_;
}

CpuCollectives::CpuCollectives(std::shared_ptr<CpuGroup> group, int rank) : group_(std::move(group)), rank_(rank) {
  if (rank < 0 || rank >= group_->ranks()) throw std::invalid_argument("CpuCollectives: rank out of range");
}

// Each rank sums its 1/size chunk across all ranks' buffers (in rank order) into
// scratch; after a barrier (all reads done) it writes that chunk into every buffer.
void CpuCollectives::allReduceSum(float* buf, size_t n, void*) {
  CpuGroup& g = *group_;
  const int R = g.ranks();
  g.recvPtr[rank_] = buf;
  g.barrier();
  const size_t chunk = (n + R - 1) / R, lo = std::min(n, chunk * rank_), hi = std::min(n, lo + chunk);
  scratch_.assign(hi - lo, 0.0f);
  for (int k = 0; k < R; k++) {
    const float* src = g.recvPtr[k];
    for (size_t i = lo; i < hi; i++) scratch_[i - lo] += src[i];
  }
  g.barrier();
  for (int k = 0; k < R; k++) std::memcpy(g.recvPtr[k] + lo, scratch_.data(), (hi - lo) * sizeof(float));
  g.barrier();
}

void CpuCollectives::reduceScatterSum(const float* send, float* recv, size_t perRank, void*) {
  CpuGroup& g = *group_;
  const int R = g.ranks();
  g.sendPtr[rank_] = send;
  g.barrier();
  const size_t lo = perRank * rank_;
  std::fill(recv, recv + perRank, 0.0f);
  for (int k = 0; k < R; k++) {
    const float* src = g.sendPtr[k] + lo;
    for (size_t i = 0; i < perRank; i++) recv[i] += src[i];
  }
  g.barrier();  // no rank reuses its send buffer while others still read it
}

void CpuCollectives::allGather(const float* send, float* recv, size_t perRank, void*) {
  CpuGroup& g = *group_;
  g.sendPtr[rank_] = send;
  g.barrier();
  for (int k = 0; k < g.ranks(); k++) std::memcpy(recv + perRank * k, g.sendPtr[k], perRank * sizeof(float));
  g.barrier();
}

void CpuCollectives::broadcast(float* buf, size_t n, int root, void*) {
  CpuGroup& g = *group_;
  if (root < 0 || root >= g.ranks()) throw std::invalid_argument("broadcast: root out of range");
  g.sendPtr[rank_] = buf;
  g.barrier();
  if (rank_ != root) std::memcpy(buf, g.sendPtr[root], n * sizeof(float));
  g.barrier();
}

double CpuCollectives::allReduceScalar(double x) {
  CpuGroup& g = *group_;
  g.scalar[rank_] = x;
  g.barrier();
  double s = 0;
  for (int k = 0; k < g.ranks(); k++) s += g.scalar[k];
  g.barrier();
  return s;
}

}  // namespace gm::parallel
