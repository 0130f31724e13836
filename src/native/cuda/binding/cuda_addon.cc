// N-API addon gradmesh_cuda.node: the CUDA engine for Node. Built by CMake (never by
// node-gyp) where nvcc and Node's headers exist. Unlike the CPU addon the parameters
// live on the GPU, so buffers are copied explicitly (getParams/setParams/...), not
// shared; long calls run in AsyncWorkers and return Promises; one call at a time per
// engine ("engine busy", naming the call in flight). Every argument is checked and
// every C++ exception (EngineFailure, std::bad_alloc, anything) becomes a JS Error
// naming the call (binding/boundary.h, shared with the CPU addon).
#include <napi.h>

#include <atomic>
#include <cmath>
#include <functional>
#include <memory>

#include "binding/boundary.h"
#include "cuda/cublas_loader.h"
#include "cuda/cuda_engine.h"

namespace {

using gm::EngineFailure;
using gm::Limits;
using gm::cuda::CudaModel;
namespace nb = gm::boundary;

// AdamW hyper-parameters (lr, beta1, beta2, eps, weightDecay) at info[at..at+4].
gm::AdamW adamwArgs(const Napi::CallbackInfo& info, size_t at, const char* call) {
  return gm::AdamW{nb::nonNegative(info[at], call, "lr"), nb::unitInterval(info[at + 1], call, "beta1"),
                   nb::unitInterval(info[at + 2], call, "beta2"), nb::positive(info[at + 3], call, "eps"),
                   nb::nonNegative(info[at + 4], call, "weightDecay")};
}

// Copies of a typed array's contents (the JS thread may reuse the array meanwhile).
template <typename T, typename A>
std::shared_ptr<std::vector<T>> copyOf(const Napi::Value& v, size_t expect, const char* what) {
  if (!v.IsTypedArray()) throw Napi::TypeError::New(v.Env(), std::string(what) + " must be a typed array");
  A a = v.As<A>();
  if (a.ElementLength() != expect)
    throw Napi::RangeError::New(v.Env(), std::string(what) + " must hold " + std::to_string(expect) + " elements");
  return std::make_shared<std::vector<T>>(a.Data(), a.Data() + expect);
}

class CudaEngine : public nb::GuardedWrap<CudaEngine> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "CudaEngine",
                       {Method<&CudaEngine::NumParams>("numParams"),
                        Method<&CudaEngine::InitParams>("initParams"),
                        Method<&CudaEngine::GetParams>("getParams"),
                        Method<&CudaEngine::SetParams>("setParams"),
                        Method<&CudaEngine::GetGrads>("getGrads"),
                        Method<&CudaEngine::GetAdamState>("getAdamState"),
                        Method<&CudaEngine::SetAdamState>("setAdamState"),
                        Method<&CudaEngine::GetAdamStep>("getAdamStep"),
                        Method<&CudaEngine::DeviceBytes>("deviceBytes"),
                        Method<&CudaEngine::ForwardBackward>("forwardBackward"),
                        Method<&CudaEngine::TrainStep>("trainStep"),
                        Method<&CudaEngine::EvalLoss>("evalLoss"),
                        Method<&CudaEngine::ClipGradNorm>("clipGradNorm"),
                        Method<&CudaEngine::Adamw>("adamw"),
                        Method<&CudaEngine::Dispose>("dispose")});
  }

  // new CudaEngine({vocab, dim, ffn, layers, heads, kvHeads, normEps, ropeTheta, tied}, batch, seqLen,
  //                device = 0, {flashAttention})  (unset: flash where the head dim runs on tensor cores)
  explicit CudaEngine(const Napi::CallbackInfo& info) : nb::GuardedWrap<CudaEngine>(info) {
    nb::guard(info.Env(), "CudaEngine", [&] { Construct(info); });
  }

 private:
  std::shared_ptr<CudaModel> model_;
  // The name of the async call in flight (a string literal), or null; shared with the
  // worker, which clears it when the promise settles.
  std::shared_ptr<std::atomic<const char*>> busy_ = std::make_shared<std::atomic<const char*>>(nullptr);

  void Construct(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const char* call = "CudaEngine";
    if (!info[0].IsObject()) nb::fail(env, false, call, "shape", "an object", info[0]);
    Napi::Object o = info[0].As<Napi::Object>();
    auto field = [&](const char* k, int64_t hi) { return nb::integer(o.Get(k), call, std::string("shape.") + k, 1, hi); };
    gm::ModelShape s;
    s.vocab = field("vocab", Limits::vocab);
    s.dim = field("dim", Limits::dim);
    s.ffn = field("ffn", Limits::ffn);
    s.layers = field("layers", Limits::layers);
    s.heads = field("heads", Limits::heads);
    s.kvHeads = field("kvHeads", Limits::heads);
    s.normEps = nb::positive(o.Get("normEps"), call, "shape.normEps");
    s.ropeTheta = nb::positive(o.Get("ropeTheta"), call, "shape.ropeTheta");
    s.tied = o.Get("tied").ToBoolean();
    const int64_t batch = nb::integer(info[1], call, "batch", 1, Limits::batch);
    const int64_t seqLen = nb::integer(info[2], call, "seqLen", 1, Limits::seqLen);
    const int device = info[3].IsUndefined() ? 0 : (int)nb::integer(info[3], call, "device", 0, 1023);
    // flashAttention unset: the fused kernels where they run on tensor cores (faster and
    // smaller than batched GEMM + softmax, measured on an H200), else the GEMM path.
    Napi::Value flashOpt = info[4].IsObject() ? info[4].As<Napi::Object>().Get("flashAttention") : env.Undefined();
    const bool flash = flashOpt.IsUndefined() || flashOpt.IsNull() ? CudaModel::flashPreferred(s) : flashOpt.ToBoolean();
    model_ = std::make_shared<CudaModel>(s, batch, seqLen, device, flash);
  }

  // The model, for a call that must not overlap an async call on this engine.
  CudaModel& ready(Napi::Env env, const char* what) {
    if (!model_) throw Napi::Error::New(env, std::string(what) + ": engine disposed");
    if (const char* running = busy_->load())
      throw Napi::Error::New(env, std::string(what) + ": engine busy: " + running + " is still running; await it first");
    return *model_;
  }
  // Marks the engine busy with `call` until the promise settles.
  Napi::Value Start(Napi::Env env, const char* call, std::function<void()> work, nb::PromiseWorker::Result result) {
    auto busy = busy_;
    busy->store(call);
    try {
      return nb::PromiseWorker::Start(env, call, std::move(work), std::move(result), [busy] { busy->store(nullptr); });
    } catch (...) {
      busy->store(nullptr);
      throw;
    }
  }
  size_t total() const { return model_->layout.total; }

  Napi::Value NumParams(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), (double)ready(info.Env(), "numParams").layout.total);
  }
  // initParams(lo32, hi32): the 64-bit seed as two unsigned 32-bit halves (as the CPU addon).
  Napi::Value InitParams(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "initParams");
    const uint64_t seed = (uint64_t)nb::integer(info[0], "initParams", "seedLow", 0, 0xffffffffLL) |
                          ((uint64_t)nb::integer(info[1], "initParams", "seedHigh", 0, 0xffffffffLL) << 32);
    m.initParams(seed);
    return info.Env().Undefined();
  }
  Napi::Value GetParams(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "getParams");
    Napi::Float32Array out = Napi::Float32Array::New(info.Env(), total());
    m.getParams(out.Data());
    return out;
  }
  Napi::Value SetParams(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "setParams");
    auto p = copyOf<float, Napi::Float32Array>(info[0], total(), "params");
    m.setParams(p->data());
    return info.Env().Undefined();
  }
  Napi::Value GetGrads(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "getGrads");
    Napi::Float32Array out = Napi::Float32Array::New(info.Env(), total());
    m.getGrads(out.Data());
    return out;
  }
  Napi::Value GetAdamState(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "getAdamState");
    Napi::Float32Array a = Napi::Float32Array::New(info.Env(), total()), b = Napi::Float32Array::New(info.Env(), total());
    m.getAdamState(a.Data(), b.Data());
    Napi::Object o = Napi::Object::New(info.Env());
    o.Set("m", a);
    o.Set("v", b);
    o.Set("step", (double)m.adamStep);
    return o;
  }
  Napi::Value SetAdamState(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "setAdamState");
    auto a = copyOf<float, Napi::Float32Array>(info[0], total(), "m");
    auto b = copyOf<float, Napi::Float32Array>(info[1], total(), "v");
    const int64_t step = nb::integer(info[2], "setAdamState", "step", 0, 9007199254740991);
    m.setAdamState(a->data(), b->data(), step);
    return info.Env().Undefined();
  }
  Napi::Value GetAdamStep(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), (double)ready(info.Env(), "getAdamStep").adamStep);
  }
  // Device memory this engine allocated (the addon's calls allocate all of it at
  // construction, so it may be read while a step runs: the status API asks at any time).
  Napi::Value DeviceBytes(const Napi::CallbackInfo& info) {
    if (!model_) throw Napi::Error::New(info.Env(), "deviceBytes: engine disposed");
    return Napi::Number::New(info.Env(), (double)model_->deviceBytes());
  }
  Napi::Value ForwardBackward(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "forwardBackward");
    const size_t n = m.batch * m.seqLen;
    auto in = copyOf<int32_t, Napi::Int32Array>(info[0], n, "inputs");
    auto tg = copyOf<int32_t, Napi::Int32Array>(info[1], n, "targets");
    auto loss = std::make_shared<double>(0);
    auto model = model_;
    return Start(info.Env(), "forwardBackward", [=] { *loss = model->forwardBackward(in->data(), tg->data()); },
                 [=](Napi::Env env) { return Napi::Number::New(env, *loss); });
  }
  // trainStep(inputs, targets, lr, beta1, beta2, eps, weightDecay, gradClip) -> {loss, gradNorm}
  Napi::Value TrainStep(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "trainStep");
    const size_t n = m.batch * m.seqLen;
    auto in = copyOf<int32_t, Napi::Int32Array>(info[0], n, "inputs");
    auto tg = copyOf<int32_t, Napi::Int32Array>(info[1], n, "targets");
    const gm::AdamW h = adamwArgs(info, 2, "trainStep");
    // 0: no clipping (the norm is still computed and checked).
    const double clip = nb::nonNegative(info[7], "trainStep", "gradClip");
    auto out = std::make_shared<std::pair<double, double>>(0, 0);
    auto model = model_;
    return Start(info.Env(), "trainStep",
                 [=] {
                   out->first = model->forwardBackward(in->data(), tg->data());
                   out->second = clip > 0 ? model->clipGradNorm(clip) : model->gradNorm();
                   // NaN never reaches the weights, with or without clipping.
                   if (!std::isfinite(out->second)) throw EngineFailure("trainStep: the gradient norm is not finite");
                   model->adamw(h);
                 },
                 [=](Napi::Env env) {
                   Napi::Object o = Napi::Object::New(env);
                   o.Set("loss", out->first);
                   o.Set("gradNorm", out->second);
                   return o;
                 });
  }
  Napi::Value EvalLoss(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "evalLoss");
    const int64_t nSeq = nb::integer(info[2], "evalLoss", "nSeq", 1, m.batch);
    const size_t n = nSeq * m.seqLen;
    auto in = copyOf<int32_t, Napi::Int32Array>(info[0], n, "inputs");
    auto tg = copyOf<int32_t, Napi::Int32Array>(info[1], n, "targets");
    auto out = std::make_shared<std::vector<float>>(nSeq);
    auto model = model_;
    return Start(info.Env(), "evalLoss", [=] { model->evalLoss(in->data(), tg->data(), nSeq, out->data()); },
                 [=](Napi::Env env) {
                   Napi::Float32Array a = Napi::Float32Array::New(env, out->size());
                   std::copy(out->begin(), out->end(), a.Data());
                   return a;
                 });
  }
  Napi::Value ClipGradNorm(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "clipGradNorm");
    const double mx = nb::positive(info[0], "clipGradNorm", "maxNorm");
    return Napi::Number::New(info.Env(), m.clipGradNorm(mx));
  }
  Napi::Value Adamw(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "adamw");
    const gm::AdamW h = adamwArgs(info, 0, "adamw");
    m.adamw(h);
    return info.Env().Undefined();
  }
  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    ready(info.Env(), "dispose");
    model_.reset();  // frees the device memory now (a running worker holds its own reference)
    return info.Env().Undefined();
  }
};

// probe() -> {count, name, major, minor, memoryBytes, error, cublasError}; never throws.
Napi::Value Probe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  gm::cuda::DeviceInfo d = gm::cuda::probeDevices();
  Napi::Object o = Napi::Object::New(env);
  o.Set("count", d.count);
  o.Set("name", d.name);
  o.Set("major", d.major);
  o.Set("minor", d.minor);
  o.Set("memoryBytes", (double)d.memoryBytes);
  o.Set("error", d.error);
  o.Set("cublasError", d.count > 0 ? gm::cuda::cublasLoadError() : std::string());
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("backend", Napi::String::New(env, "cuda"));
  exports.Set("probe", nb::function(env, "probe", Probe));
  exports.Set("CudaEngine", CudaEngine::Define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(gradmesh_cuda, Init)
