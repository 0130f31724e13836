// The collectives a data-parallel step needs, behind one interface so that the same
// sharding code (engine/sharded.cc) runs over NCCL on GPUs and over threads on the
// CPU. Buffers are fp32; `stream` is the CUDA stream for a device backend and is
// ignored by the CPU one. Every call is collective: all ranks make it, in the same
// order, with the same sizes.
#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>

namespace gm::parallel {

// Thrown on every rank still waiting in a collective when another rank failed; the
// driver reports the failing rank's own error, never this one.
struct RankAborted : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Collectives {
 public:
  virtual ~Collectives() = default;
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // buf[0..n) = sum over ranks of buf[0..n), on every rank.
  virtual void allReduceSum(float* buf, size_t n, void* stream = nullptr) = 0;
  // recv[0..perRank) = sum over ranks of send[rank*perRank .. (rank+1)*perRank).
  virtual void reduceScatterSum(const float* send, float* recv, size_t perRank, void* stream = nullptr) = 0;
  // recv[k*perRank .. (k+1)*perRank) = rank k's send[0..perRank).
  virtual void allGather(const float* send, float* recv, size_t perRank, void* stream = nullptr) = 0;
  // buf[0..n) = root's buf[0..n), on every rank.
  virtual void broadcast(float* buf, size_t n, int root, void* stream = nullptr) = 0;
  // Sum of one double over ranks (a gradient norm's squares, a token count).
  virtual double allReduceScalar(double x) = 0;
  // Stops every rank: each one waiting in (or later entering) a collective throws
  // RankAborted. Called by a rank whose own work failed.
  virtual void abort(const std::string& why) = 0;
};

}  // namespace gm::parallel
