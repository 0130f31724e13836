// gradmesh CPU training engine: a LLaMA (as Hugging Face's LlamaForCausalLM defines
// it) with forward, backward, fused softmax-cross-entropy, grad clipping and AdamW.
// Plain C++17 + OpenBLAS + OpenMP; knows nothing about N-API or JS.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace gm {

// Thrown for every failure the caller can cause (bad input, non-finite loss);
// the binding turns it into a JS EngineError.
struct EngineFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The largest sizes an engine accepts (checked by ModelShape::validate and, with the
// argument names, by the N-API bindings): far above any model trained here, low
// enough that sizes and offsets computed from them cannot overflow 64 bits.
struct Limits {
  static constexpr int64_t vocab = int64_t{1} << 30, dim = int64_t{1} << 20, ffn = int64_t{1} << 22;
  static constexpr int64_t layers = 4096, heads = int64_t{1} << 20;
  static constexpr int64_t batch = 65536, seqLen = int64_t{1} << 20, threads = 1024;
};

struct ModelShape {
  int64_t vocab = 0, dim = 0, ffn = 0, layers = 0, heads = 0, kvHeads = 0;
  double normEps = 1e-5, ropeTheta = 10000.0;
  bool tied = true;
  int64_t headDim() const { return dim / heads; }
  int64_t kvDim() const { return kvHeads * headDim(); }
  void validate() const;
};

// Offsets (in floats) of every tensor in the canonical flat layout; the same
// order as parameterLayout() in src/train/model-config.ts.
struct LayerOffsets {
  size_t attnNorm, wq, wk, wv, wo, mlpNorm, wgate, wup, wdown;
};
// A unit is a contiguous range of the flat layout that forward and backward fetch
// as one piece (the granularity at which ZeRO-3 gathers weights): unit 0 is the
// embedding, unit 1+l is layer l (attnNorm..wdown), the last unit is the final norm
// followed, when untied, by the lm head. A tied head is read from unit 0.
struct ParamUnit {
  size_t start, numel;
};
struct ParamLayout {
  size_t embed = 0, finalNorm = 0, lmHead = 0, total = 0;
  std::vector<LayerOffsets> layers;
  // (offset, numel, is2D) of each tensor in canonical order.
  struct Entry { size_t offset, numel; bool matrix; };
  std::vector<Entry> entries;
  std::vector<ParamUnit> units;
  int headUnit = 0;         // the unit holding the lm head's weight
  size_t headInUnit = 0;    // its offset inside that unit
  int finalUnit() const { return (int)units.size() - 1; }
  // Layer l's offsets relative to the start of its unit (1 + l).
  LayerOffsets layerInUnit(int64_t l) const;
  static ParamLayout build(const ModelShape& s);
};

// Where forward and backward get a unit's weights and put its gradient. Without one
// (the default) a Model reads its own flat `params` and writes its own `grads`; the
// fully sharded trainer (engine/fsdp.h) supplies one that all-gathers a unit's
// weights on acquire, frees them on release and reduce-scatters its gradient when
// done. Calls come in the same order on every rank (the order of the computation).
class ParamStore {
 public:
  virtual ~ParamStore() = default;
  // The unit's numel weights in layout order, valid until releaseParams(unit).
  virtual const float* acquireParams(int unit) = 0;
  virtual void releaseParams(int unit) = 0;
  // The unit's gradient accumulator (numel floats, zero at its first acquire in a
  // step; a second acquire before gradsDone returns the same buffer).
  virtual float* acquireGrads(int unit) = 0;
  // The unit's gradient is complete for this step.
  virtual void gradsDone(int unit) = 0;
};

struct AdamW {
  double lr, beta1, beta2, eps, weightDecay;
};

// One sgemm call shape, recorded while a step runs so that the benchmark can time
// OpenBLAS on exactly the shapes the step issues.
struct GemmShape {
  bool transA, transB;
  int m, n, k;
  long count;
};

// The sgemm calls of one profiled step. Each Model records into its own log (never a
// process-wide one), so engines stepping on other threads meanwhile are not recorded.
struct GemmLog {
  std::vector<GemmShape> calls;
  double seconds = 0.0;
};

// Aligned float buffer owned by the engine (shared with JS without copies).
struct FloatBuffer {
  float* data = nullptr;
  size_t size = 0;
  explicit FloatBuffer(size_t n);
  ~FloatBuffer();
  FloatBuffer(const FloatBuffer&) = delete;
  FloatBuffer& operator=(const FloatBuffer&) = delete;
};

class Model {
 public:
  // ownsWeights = false: params, grads and the moments are left empty (a ParamStore
  // must be set before any forward), so a fully sharded rank never holds the model.
  Model(const ModelShape& shape, int64_t batch, int64_t seqLen, bool ownsWeights = true);

  const ModelShape shape;
  const int64_t batch, seqLen;
  const ParamLayout layout;
  // Shared so the JS ArrayBuffers over them can outlive the Model object.
  std::shared_ptr<FloatBuffer> params, grads, adamM, adamV;
  int64_t adamStep = 0;

  void initParams(uint64_t seed);
  // Checks lengths and ranges; throws EngineFailure. targets may be null (logits/eval).
  void checkTokens(const int32_t* inputs, const int32_t* targets, int64_t nSeq) const;
  // Mean loss over non-ignored targets (-100 = ignore); grads are overwritten.
  double forwardBackward(const int32_t* inputs, const int32_t* targets);
  // Per-sequence mean loss over rows 0..nSeq-1, no gradients. A sequence whose
  // targets are all ignored gets NaN.
  void evalLoss(const int32_t* inputs, const int32_t* targets, int64_t nSeq, float* out);
  // Full logits [nSeq, T, vocab] into out.
  void logits(const int32_t* inputs, int64_t nSeq, float* out);
  double clipGradNorm(double maxNorm);
  double gradNorm() const;
  void adamw(const AdamW& h);

  // Runs one forwardBackward recording the sgemm shapes it issues and the time
  // spent inside sgemm (for the benchmark).
  struct StepProfile {
    std::vector<GemmShape> shapes;
    double gemmSeconds = 0, stepSeconds = 0;
  };
  StepProfile profileStep(const int32_t* inputs, const int32_t* targets);

  // Forward and backward fetch weights and put gradients through `store` (not owned;
  // null = this Model's own buffers).
  void setParamStore(ParamStore* store) { store_ = store; }

 private:
  // Activations, preallocated for (batch, seqLen).
  struct LayerActs {
    std::vector<float> xIn;    // residual stream entering the layer [N, d]
    std::vector<float> rstd1;  // 1/rms of xIn [N]
    std::vector<float> h1;     // normed * weight [N, d]
    std::vector<float> q, k, v;  // after RoPE for q,k [N, d], [N, kv], [N, kv]
    std::vector<float> probs;  // softmax [B, H, T, T]
    std::vector<float> att;    // attention output before o_proj [N, d]
    std::vector<float> x2;     // residual after attention [N, d]
    std::vector<float> rstd2;  // [N]
    std::vector<float> h2;     // [N, d]
    std::vector<float> gate, up, act;  // [N, f]
  };
  std::vector<LayerActs> acts_;
  std::vector<float> xFinal_, rstdF_, hF_;  // final residual, 1/rms, normed [N, d]
  std::vector<float> ropeCos_, ropeSin_;     // [T, hd/2]
  // Scratch for backward.
  std::vector<float> dx_, dh_, dq_, dk_, dv_, datt_, dgate_, dup_, dact_, dprobs_;
  std::vector<float> logitBlock_;  // [rowsPerBlock, V]
  std::vector<double> rowLoss_;    // loss of each row [N]
  int64_t rowsPerBlock_ = 0;
  // Set only while profileStep runs on this engine.
  GemmLog* gemmLog_ = nullptr;
  ParamStore* store_ = nullptr;
  const bool ownsWeights_;
  const float* unitParams(int unit);
  void releaseUnit(int unit);
  float* unitGrads(int unit);
  void unitGradsDone(int unit);

  void forward(const int32_t* inputs, int64_t nSeq);
  // Loss over rows via logits blocks. mode 0: loss + dlogits backward (accumulates
  // dX into dh_ and into the head gradient); mode 1: per-sequence loss only.
  double headLoss(const int32_t* targets, int64_t nSeq, bool backward, float* perSeq);
  void backward(const int32_t* inputs);
};

// The parameter init of docs/engine.md into P (layout.total floats); used by every
// backend so that all of them start from the same bits.
void initParamsInto(const ParamLayout& layout, uint64_t seed, float* P);

// Times cblas_sgemm on the given shapes; returns GFLOP/s (2·m·n·k per call).
double benchSgemm(const std::vector<GemmShape>& shapes, int repeats, double* seconds);

}  // namespace gm
