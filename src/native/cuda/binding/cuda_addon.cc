// N-API addon gradmesh_cuda.node: the CUDA engine for Node. Built by CMake (never by
// node-gyp) where nvcc and Node's headers exist. Unlike the CPU addon the parameters
// live on the GPU, so buffers are copied explicitly (getParams/setParams/...), not
// shared; long calls run in AsyncWorkers and return Promises; one call at a time per
// engine ("engine busy"). Every failure is a JS Error whose message comes from
// gm::EngineFailure.
#include <napi.h>

#include <atomic>
#include <cmath>
#include <functional>
#include <memory>

#include "cuda/cublas_loader.h"
#include "cuda/cuda_engine.h"

namespace {

using gm::EngineFailure;
using gm::cuda::CudaModel;

class Worker : public Napi::AsyncWorker {
 public:
  Worker(Napi::Env env, std::shared_ptr<std::atomic<bool>> busy, std::function<void()> work,
         std::function<Napi::Value(Napi::Env)> result)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), busy_(std::move(busy)),
        work_(std::move(work)), result_(std::move(result)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      work_();
    } catch (const std::exception& e) {
      SetError(e.what());
    }
  }
  void OnOK() override {
    busy_->store(false);
    deferred_.Resolve(result_(Env()));
  }
  void OnError(const Napi::Error& e) override {
    busy_->store(false);
    deferred_.Reject(e.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<std::atomic<bool>> busy_;
  std::function<void()> work_;
  std::function<Napi::Value(Napi::Env)> result_;
};

// Copies of a typed array's contents (the JS thread may reuse the array meanwhile).
template <typename T, typename A>
std::shared_ptr<std::vector<T>> copyOf(const Napi::Value& v, size_t expect, const char* what) {
  if (!v.IsTypedArray()) throw Napi::TypeError::New(v.Env(), std::string(what) + " must be a typed array");
  A a = v.As<A>();
  if (a.ElementLength() != expect)
    throw Napi::RangeError::New(v.Env(), std::string(what) + " must hold " + std::to_string(expect) + " elements");
  return std::make_shared<std::vector<T>>(a.Data(), a.Data() + expect);
}

class CudaEngine : public Napi::ObjectWrap<CudaEngine> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "CudaEngine",
                       {InstanceMethod<&CudaEngine::NumParams>("numParams"),
                        InstanceMethod<&CudaEngine::InitParams>("initParams"),
                        InstanceMethod<&CudaEngine::GetParams>("getParams"),
                        InstanceMethod<&CudaEngine::SetParams>("setParams"),
                        InstanceMethod<&CudaEngine::GetGrads>("getGrads"),
                        InstanceMethod<&CudaEngine::GetAdamState>("getAdamState"),
                        InstanceMethod<&CudaEngine::SetAdamState>("setAdamState"),
                        InstanceMethod<&CudaEngine::GetAdamStep>("getAdamStep"),
                        InstanceMethod<&CudaEngine::ForwardBackward>("forwardBackward"),
                        InstanceMethod<&CudaEngine::TrainStep>("trainStep"),
                        InstanceMethod<&CudaEngine::EvalLoss>("evalLoss"),
                        InstanceMethod<&CudaEngine::ClipGradNorm>("clipGradNorm"),
                        InstanceMethod<&CudaEngine::Adamw>("adamw"),
                        InstanceMethod<&CudaEngine::Dispose>("dispose")});
  }

  // new CudaEngine({vocab, dim, ffn, layers, heads, kvHeads, normEps, ropeTheta, tied}, batch, seqLen,
  //                device = 0, {flashAttention})  (unset: flash where the head dim runs on tensor cores)
  explicit CudaEngine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<CudaEngine>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 3 || !info[0].IsObject()) throw Napi::TypeError::New(env, "CudaEngine(shape, batch, seqLen, device?)");
    Napi::Object o = info[0].As<Napi::Object>();
    auto num = [&](const char* k) {
      Napi::Value v = o.Get(k);
      if (!v.IsNumber()) throw Napi::TypeError::New(env, std::string("shape.") + k + " must be a number");
      return v.As<Napi::Number>().DoubleValue();
    };
    gm::ModelShape s;
    s.vocab = (int64_t)num("vocab");
    s.dim = (int64_t)num("dim");
    s.ffn = (int64_t)num("ffn");
    s.layers = (int64_t)num("layers");
    s.heads = (int64_t)num("heads");
    s.kvHeads = (int64_t)num("kvHeads");
    s.normEps = num("normEps");
    s.ropeTheta = num("ropeTheta");
    s.tied = o.Get("tied").ToBoolean();
    const int device = info.Length() > 3 && info[3].IsNumber() ? info[3].As<Napi::Number>().Int32Value() : 0;
    // flashAttention unset: the fused kernels where they run on tensor cores (faster and
    // smaller than batched GEMM + softmax, measured on an H200), else the GEMM path.
    Napi::Value flashOpt = info.Length() > 4 && info[4].IsObject() ? info[4].As<Napi::Object>().Get("flashAttention") : env.Undefined();
    const bool flash = flashOpt.IsUndefined() || flashOpt.IsNull() ? CudaModel::flashPreferred(s) : flashOpt.ToBoolean();
    try {
      model_ = std::make_shared<CudaModel>(s, info[1].ToNumber().Int64Value(), info[2].ToNumber().Int64Value(), device, flash);
    } catch (const EngineFailure& e) {
      throw Napi::Error::New(env, e.what());
    }
  }

 private:
  std::shared_ptr<CudaModel> model_;
  std::shared_ptr<std::atomic<bool>> busy_ = std::make_shared<std::atomic<bool>>(false);

  CudaModel& ready(Napi::Env env, const char* what) {
    if (!model_) throw Napi::Error::New(env, std::string(what) + ": engine disposed");
    if (busy_->load()) throw Napi::Error::New(env, std::string("engine busy: ") + what + " while a call runs");
    return *model_;
  }
  template <typename F>
  auto guard(Napi::Env env, F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const EngineFailure& e) {
      throw Napi::Error::New(env, e.what());
    }
  }
  Napi::Value Start(Napi::Env env, std::function<void()> work, std::function<Napi::Value(Napi::Env)> result) {
    busy_->store(true);
    auto* w = new Worker(env, busy_, std::move(work), std::move(result));
    Napi::Promise p = w->Promise();
    w->Queue();
    return p;
  }
  size_t total() const { return model_->layout.total; }

  Napi::Value NumParams(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), (double)ready(info.Env(), "numParams").layout.total);
  }
  // initParams(lo32, hi32): the 64-bit seed as two unsigned 32-bit halves (as the CPU addon).
  Napi::Value InitParams(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "initParams");
    const uint64_t seed = (uint64_t)info[0].ToNumber().Uint32Value() | ((uint64_t)info[1].ToNumber().Uint32Value() << 32);
    guard(info.Env(), [&] { m.initParams(seed); });
    return info.Env().Undefined();
  }
  Napi::Value GetParams(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "getParams");
    Napi::Float32Array out = Napi::Float32Array::New(info.Env(), total());
    guard(info.Env(), [&] { m.getParams(out.Data()); });
    return out;
  }
  Napi::Value SetParams(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "setParams");
    auto p = copyOf<float, Napi::Float32Array>(info[0], total(), "params");
    guard(info.Env(), [&] { m.setParams(p->data()); });
    return info.Env().Undefined();
  }
  Napi::Value GetGrads(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "getGrads");
    Napi::Float32Array out = Napi::Float32Array::New(info.Env(), total());
    guard(info.Env(), [&] { m.getGrads(out.Data()); });
    return out;
  }
  Napi::Value GetAdamState(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "getAdamState");
    Napi::Float32Array a = Napi::Float32Array::New(info.Env(), total()), b = Napi::Float32Array::New(info.Env(), total());
    guard(info.Env(), [&] { m.getAdamState(a.Data(), b.Data()); });
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
    const double step = info[2].ToNumber().DoubleValue();
    if (!(step >= 0) || step != (double)(int64_t)step) throw Napi::RangeError::New(info.Env(), "step must be a non-negative integer");
    guard(info.Env(), [&] { m.setAdamState(a->data(), b->data(), (int64_t)step); });
    return info.Env().Undefined();
  }
  Napi::Value GetAdamStep(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), (double)ready(info.Env(), "getAdamStep").adamStep);
  }
  Napi::Value ForwardBackward(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "forwardBackward");
    const size_t n = m.batch * m.seqLen;
    auto in = copyOf<int32_t, Napi::Int32Array>(info[0], n, "inputs");
    auto tg = copyOf<int32_t, Napi::Int32Array>(info[1], n, "targets");
    auto loss = std::make_shared<double>(0);
    auto model = model_;
    return Start(info.Env(), [=] { *loss = model->forwardBackward(in->data(), tg->data()); },
                 [=](Napi::Env env) { return Napi::Number::New(env, *loss); });
  }
  // trainStep(inputs, targets, lr, beta1, beta2, eps, weightDecay, gradClip) -> {loss, gradNorm}
  Napi::Value TrainStep(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "trainStep");
    const size_t n = m.batch * m.seqLen;
    auto in = copyOf<int32_t, Napi::Int32Array>(info[0], n, "inputs");
    auto tg = copyOf<int32_t, Napi::Int32Array>(info[1], n, "targets");
    gm::AdamW h{info[2].ToNumber().DoubleValue(), info[3].ToNumber().DoubleValue(), info[4].ToNumber().DoubleValue(),
                info[5].ToNumber().DoubleValue(), info[6].ToNumber().DoubleValue()};
    const double clip = info[7].ToNumber().DoubleValue();
    auto out = std::make_shared<std::pair<double, double>>(0, 0);
    auto model = model_;
    return Start(info.Env(),
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
    const int64_t nSeq = info[2].ToNumber().Int64Value();
    if (nSeq < 1 || nSeq > m.batch) throw Napi::RangeError::New(info.Env(), "nSeq out of range");
    const size_t n = nSeq * m.seqLen;
    auto in = copyOf<int32_t, Napi::Int32Array>(info[0], n, "inputs");
    auto tg = copyOf<int32_t, Napi::Int32Array>(info[1], n, "targets");
    auto out = std::make_shared<std::vector<float>>(nSeq);
    auto model = model_;
    return Start(info.Env(), [=] { model->evalLoss(in->data(), tg->data(), nSeq, out->data()); },
                 [=](Napi::Env env) {
                   Napi::Float32Array a = Napi::Float32Array::New(env, out->size());
                   std::copy(out->begin(), out->end(), a.Data());
                   return a;
                 });
  }
  Napi::Value ClipGradNorm(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "clipGradNorm");
    const double mx = info[0].ToNumber().DoubleValue();
    return Napi::Number::New(info.Env(), guard(info.Env(), [&] { return m.clipGradNorm(mx); }));
  }
  Napi::Value Adamw(const Napi::CallbackInfo& info) {
    CudaModel& m = ready(info.Env(), "adamw");
    gm::AdamW h{info[0].ToNumber().DoubleValue(), info[1].ToNumber().DoubleValue(), info[2].ToNumber().DoubleValue(),
                info[3].ToNumber().DoubleValue(), info[4].ToNumber().DoubleValue()};
    guard(info.Env(), [&] { m.adamw(h); });
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
  exports.Set("probe", Napi::Function::New(env, Probe));
  exports.Set("CudaEngine", CudaEngine::Define(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(gradmesh_cuda, Init)
