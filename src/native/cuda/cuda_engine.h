// gradmesh CUDA training engine: the same model, parameter layout, init, loss, grad
// clipping and AdamW as the CPU engine (src/native/engine, docs/engine.md), computed
// in bf16 with fp32 master weights, fp32 gradients and fp32 AdamW state on one GPU.
// This header has no CUDA types, so plain C++ (tests, the N-API binding) can include
// it; everything device-side lives behind the Impl pointer.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "parallel/collectives.h"

namespace gm::cuda {

struct DeviceInfo {
  int count = 0;            // visible CUDA devices (0 when none or no driver)
  std::string name;         // device 0's name
  int major = 0, minor = 0;  // compute capability of device 0
  size_t memoryBytes = 0;
  std::string error;        // why count is 0 (driver missing, no device ...)
};
// Never throws; safe on machines without a GPU or driver.
DeviceInfo probeDevices();

class CudaModel {
 public:
  // Throws EngineFailure when there is no device, cuBLAS cannot be loaded, the shape
  // is invalid or device memory runs out.
  // flashAttention: attention by the fused flash kernels (forward and backward, no
  // [B,H,T,T] buffers; head_dim <= 128) instead of batched GEMM + softmax.
  // flashPreferred(shape) says which the callers pick by default.
  CudaModel(const ModelShape& shape, int64_t batch, int64_t seqLen, int device = 0, bool flashAttention = false);
  // True where the head dim runs on the flash tensor-core kernels (16, 32, 64, 128):
  // there flash is faster than the GEMM path and needs far less memory (H200, 150m:
  // 71 vs 93 ms a step, 12.3 vs 19.7 GiB). Other head dims keep the GEMM path.
  static bool flashPreferred(const ModelShape& shape);
  ~CudaModel();
  CudaModel(const CudaModel&) = delete;
  CudaModel& operator=(const CudaModel&) = delete;

  const ModelShape shape;
  const int64_t batch, seqLen;
  const ParamLayout layout;
  const bool flashAttention;
  int64_t adamStep = 0;

  // Same bits as Model::initParams (computed on the host, uploaded); zeroes AdamW.
  void initParams(uint64_t seed);
  // Host <-> device copies of the fp32 buffers (layout.total floats each).
  void setParams(const float* host);
  void getParams(float* host) const;
  void getGrads(float* host) const;
  void setGrads(const float* host);
  void getAdamState(float* m, float* v) const;
  void setAdamState(const float* m, const float* v, int64_t step);

  // Mean loss over targets != -100; gradients are overwritten. Throws on bad tokens,
  // all targets ignored, or a non-finite loss.
  double forwardBackward(const int32_t* inputs, const int32_t* targets);
  // Per-sequence mean loss (NaN for a sequence with every target ignored).
  void evalLoss(const int32_t* inputs, const int32_t* targets, int64_t nSeq, float* out);
  double gradNorm();
  double clipGradNorm(double maxNorm);
  void adamw(const AdamW& h);
  // forwardBackward + clipGradNorm (maxNorm > 0) + adamw, returns the loss; throws
  // before touching the weights when the gradient norm is not finite.
  double trainStep(const int32_t* inputs, const int32_t* targets, double maxNorm, const AdamW& h);
  // One data-parallel step over `comm` (parallel/collectives.h: NCCL across the local
  // GPUs), this engine being rank comm.rank() with its slice of the batch: forwardBackward,
  // the gradient scaled by `weight` (this slice's share of the whole batch's target
  // tokens), reduce-scattered so that rank r owns the shard [r·S, (r+1)·S) of the sum
  // (S = ceil(total / ranks)) and all-gathered back on the engine's stream (the ZeRO-2
  // gradient exchange; AdamW still runs on the whole model here), then clip + AdamW as
  // trainStep. Returns the whole batch's mean loss. With one rank it is trainStep plus
  // the cost of that machinery, which bench/gpu/run.sh's nccl_1rank stage measures.
  // When total is not a multiple of the ranks it allocates a padded buffer on first use.
  double trainStepDataParallel(const int32_t* inputs, const int32_t* targets, double maxNorm, const AdamW& h,
                               parallel::Collectives& comm, double weight);
  void synchronize() const;
  // One trainStep timed by CUDA events per phase (milliseconds), for the benchmark.
  struct PhaseTimes {
    double forward = 0, head = 0, backward = 0, optimizer = 0, total = 0, loss = 0;
  };
  PhaseTimes profileTrainStep(const int32_t* inputs, const int32_t* targets, double maxNorm, const AdamW& h);
  // Runs the fused flash-style attention forward on layer 0's q/k/v of the last
  // forward pass and returns its relative L2 difference from the attention output
  // the engine stored (a test hook: meaningful for the batched-GEMM path).
  double flashAttentionSelfCheck();
  size_t deviceBytes() const;  // device memory this engine allocated

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gm::cuda
