// N-API binding of the training engine: class NativeEngine. Parameters, gradients
// and AdamW moments are external ArrayBuffers over the engine's own memory (no
// copies); each buffer holds a reference to its memory so it stays valid while JS
// holds a view, even after dispose(). Long calls run in AsyncWorkers.
#include <cblas.h>
#include <omp.h>

#include <atomic>
#include <functional>
#include <memory>

#include "binding/registry.h"
#include "engine/engine.h"

namespace {

using gm::EngineFailure;
using gm::Model;

int callerThreads(int fixed) { return fixed > 0 ? fixed : omp_get_max_threads(); }

// Applies an engine's thread count to a synchronous call on the JS thread and
// restores the previous OpenMP and OpenBLAS settings afterwards, so one engine's
// `threads` option does not leak into the process-wide default (setThreads).
class ThreadScope {
 public:
  explicit ThreadScope(int n) : ompPrev_(omp_get_max_threads()), blasPrev_(openblas_get_num_threads()) {
    omp_set_num_threads(n);
    openblas_set_num_threads(n);
  }
  ~ThreadScope() {
    omp_set_num_threads(ompPrev_);
    openblas_set_num_threads(blasPrev_);
  }

 private:
  int ompPrev_, blasPrev_;
};

// Runs `work` on a libuv worker thread, settles a promise with `result` on the JS
// thread, and clears the engine's busy flag in both outcomes.
class EngineWorker : public Napi::AsyncWorker {
 public:
  EngineWorker(Napi::Env env, std::shared_ptr<std::atomic<bool>> busy, int threads, std::function<void()> work,
               std::function<Napi::Value(Napi::Env)> result)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), busy_(busy), threads_(threads),
        work_(std::move(work)), result_(std::move(result)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    // OpenMP thread counts are per calling thread; set this worker thread's.
    omp_set_num_threads(threads_);
    openblas_set_num_threads(threads_);
    try {
      work_();
    } catch (const std::exception& e) {
      SetError(e.what());
    } catch (...) {
      SetError("unknown native engine failure");
    }
  }
  void OnOK() override {
    busy_->store(false);
    Napi::Env env = Env();
    try {
      deferred_.Resolve(result_(env));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }
  void OnError(const Napi::Error& e) override {
    busy_->store(false);
    deferred_.Reject(e.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  // Shared so that the flag outlives a NativeEngine collected while a call runs.
  std::shared_ptr<std::atomic<bool>> busy_;
  int threads_;
  std::function<void()> work_;
  std::function<Napi::Value(Napi::Env)> result_;
};

int64_t intField(Napi::Object o, const char* name) {
  Napi::Value v = o.Get(name);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("model config field ") + name + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 1 && d <= 9007199254740991.0) || d != (double)(int64_t)d)
    throw Napi::RangeError::New(o.Env(), std::string("model config field ") + name + " must be a positive integer");
  return (int64_t)d;
}

// Copies the first `expected` tokens; the array must hold exactly `expected`, or
// `alsoAccepted` (a whole batch of which the leading rows are used).
std::vector<int32_t> tokensArg(Napi::Env env, Napi::Value v, const char* what, size_t expected, size_t alsoAccepted = 0) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(env, std::string(what) + " must be an Int32Array");
  auto a = v.As<Napi::Int32Array>();
  if (a.ElementLength() != expected && (alsoAccepted == 0 || a.ElementLength() != alsoAccepted))
    throw Napi::RangeError::New(env, std::string(what) + " has " + std::to_string(a.ElementLength()) +
                                         " elements, expected " + std::to_string(expected) +
                                         (alsoAccepted ? " or " + std::to_string(alsoAccepted) : std::string()));
  return std::vector<int32_t>(a.Data(), a.Data() + expected);
}

double numberArg(Napi::Env env, Napi::Value v, const char* what) {
  if (!v.IsNumber()) throw Napi::TypeError::New(env, std::string(what) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

class NativeEngine : public Napi::ObjectWrap<NativeEngine> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeEngine",
                       {
                           InstanceMethod<&NativeEngine::Buffers>("buffers"),
                           InstanceMethod<&NativeEngine::NumParams>("numParams"),
                           InstanceMethod<&NativeEngine::GetAdamStep>("getAdamStep"),
                           InstanceMethod<&NativeEngine::SetAdamStep>("setAdamStep"),
                           InstanceMethod<&NativeEngine::InitParams>("initParams"),
                           InstanceMethod<&NativeEngine::ForwardBackward>("forwardBackward"),
                           InstanceMethod<&NativeEngine::TrainStep>("trainStep"),
                           InstanceMethod<&NativeEngine::EvalLoss>("evalLoss"),
                           InstanceMethod<&NativeEngine::Logits>("logits"),
                           InstanceMethod<&NativeEngine::ClipGradNorm>("clipGradNorm"),
                           InstanceMethod<&NativeEngine::Adamw>("adamw"),
                           InstanceMethod<&NativeEngine::ProfileStep>("profileStep"),
                           InstanceMethod<&NativeEngine::Dispose>("dispose"),
                       });
  }

  // new NativeEngine(config, batch, seqLen, threads)
  explicit NativeEngine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<NativeEngine>(info) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsObject()) throw Napi::TypeError::New(env, "NativeEngine(config, batch, seqLen, threads)");
    Napi::Object c = info[0].As<Napi::Object>();
    gm::ModelShape s;
    s.vocab = intField(c, "vocab_size");
    s.dim = intField(c, "hidden_size");
    s.ffn = intField(c, "intermediate_size");
    s.layers = intField(c, "num_hidden_layers");
    s.heads = intField(c, "num_attention_heads");
    s.kvHeads = intField(c, "num_key_value_heads");
    s.normEps = numberArg(env, c.Get("rms_norm_eps"), "rms_norm_eps");
    s.ropeTheta = numberArg(env, c.Get("rope_theta"), "rope_theta");
    s.tied = c.Get("tie_word_embeddings").ToBoolean().Value();
    int64_t batch = (int64_t)numberArg(env, info[1], "batch");
    int64_t seqLen = (int64_t)numberArg(env, info[2], "seqLen");
    threads_ = (int)numberArg(env, info[3], "threads");
    try {
      model_ = std::make_shared<Model>(s, batch, seqLen);
    } catch (const std::bad_alloc&) {
      throw Napi::Error::New(env, "out of memory allocating the engine");
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, e.what());
    }
    Napi::Object bufs = Napi::Object::New(env);
    bufs.Set("params", External(env, model_->params));
    bufs.Set("grads", External(env, model_->grads));
    bufs.Set("adamM", External(env, model_->adamM));
    bufs.Set("adamV", External(env, model_->adamV));
    buffers_ = Napi::Persistent(bufs);
  }

 private:
  std::shared_ptr<Model> model_;
  Napi::ObjectReference buffers_;
  std::shared_ptr<std::atomic<bool>> busy_ = std::make_shared<std::atomic<bool>>(false);
  int threads_ = 0;

  static Napi::ArrayBuffer External(Napi::Env env, const std::shared_ptr<gm::FloatBuffer>& buf) {
    auto* hold = new std::shared_ptr<gm::FloatBuffer>(buf);
    return Napi::ArrayBuffer::New(
        env, buf->data, buf->size * sizeof(float),
        [](Napi::Env, void*, std::shared_ptr<gm::FloatBuffer>* h) { delete h; }, hold);
  }

  Model& live(Napi::Env env) {
    if (!model_) throw Napi::Error::New(env, "engine was disposed");
    if (busy_->load()) throw Napi::Error::New(env, "engine busy: another call on this engine is still running");
    return *model_;
  }

  // Model::checkTokens on the JS thread, so bad input fails before any work starts.
  static void checkTokens(Napi::Env env, const Model& m, const int32_t* in, const int32_t* tg, int64_t nSeq) {
    try {
      m.checkTokens(in, tg, nSeq);
    } catch (const std::exception& e) {
      throw Napi::RangeError::New(env, e.what());
    }
  }

  Napi::Value Run(Napi::Env env, std::function<void()> work, std::function<Napi::Value(Napi::Env)> result) {
    busy_->store(true);
    auto* w = new EngineWorker(env, busy_, callerThreads(threads_), std::move(work), std::move(result));
    Napi::Promise p = w->Promise();
    w->Queue();
    return p;
  }

  Napi::Value Buffers(const Napi::CallbackInfo& info) { return buffers_.Value(); }
  Napi::Value NumParams(const Napi::CallbackInfo& info) {
    if (!model_) throw Napi::Error::New(info.Env(), "engine was disposed");
    return Napi::Number::New(info.Env(), (double)model_->layout.total);
  }
  Napi::Value GetAdamStep(const Napi::CallbackInfo& info) {
    if (!model_) throw Napi::Error::New(info.Env(), "engine was disposed");
    return Napi::Number::New(info.Env(), (double)model_->adamStep);
  }
  Napi::Value SetAdamStep(const Napi::CallbackInfo& info) {
    Model& m = live(info.Env());
    double v = numberArg(info.Env(), info[0], "adamStep");
    if (!(v >= 0 && v <= 9007199254740991.0) || v != (double)(int64_t)v) throw Napi::RangeError::New(info.Env(), "adamStep must be a non-negative integer");
    m.adamStep = (int64_t)v;
    return info.Env().Undefined();
  }

  // initParams(seedLow32, seedHigh32): the seed is a 64-bit integer split in two.
  Napi::Value InitParams(const Napi::CallbackInfo& info) {
    Model& m = live(info.Env());
    uint64_t lo = (uint32_t)numberArg(info.Env(), info[0], "seed (low)");
    uint64_t hi = (uint32_t)numberArg(info.Env(), info[1], "seed (high)");
    ThreadScope scope(callerThreads(threads_));
    m.initParams((hi << 32) | lo);
    return info.Env().Undefined();
  }

  Napi::Value ForwardBackward(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model& m = live(env);
    size_t n = m.batch * m.seqLen;
    auto in = std::make_shared<std::vector<int32_t>>(tokensArg(env, info[0], "inputs", n));
    auto tg = std::make_shared<std::vector<int32_t>>(tokensArg(env, info[1], "targets", n));
    checkTokens(env, m, in->data(), tg->data(), m.batch);
    auto model = model_;
    auto loss = std::make_shared<double>(0.0);
    return Run(env, [=] { *loss = model->forwardBackward(in->data(), tg->data()); },
               [=](Napi::Env e) { return Napi::Number::New(e, *loss); });
  }

  // trainStep(inputs, targets, lr, beta1, beta2, eps, weightDecay, gradClip)
  Napi::Value TrainStep(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model& m = live(env);
    size_t n = m.batch * m.seqLen;
    auto in = std::make_shared<std::vector<int32_t>>(tokensArg(env, info[0], "inputs", n));
    auto tg = std::make_shared<std::vector<int32_t>>(tokensArg(env, info[1], "targets", n));
    gm::AdamW h{numberArg(env, info[2], "lr"), numberArg(env, info[3], "beta1"), numberArg(env, info[4], "beta2"),
                numberArg(env, info[5], "eps"), numberArg(env, info[6], "weightDecay")};
    double clip = numberArg(env, info[7], "gradClip");
    if (!(clip > 0)) throw Napi::RangeError::New(env, "gradClip must be a positive number");
    checkTokens(env, m, in->data(), tg->data(), m.batch);
    auto model = model_;
    auto out = std::make_shared<std::pair<double, double>>();
    return Run(
        env,
        [=] {
          out->first = model->forwardBackward(in->data(), tg->data());
          out->second = model->clipGradNorm(clip);
          model->adamw(h);
        },
        [=](Napi::Env e) {
          Napi::Object o = Napi::Object::New(e);
          o.Set("loss", out->first);
          o.Set("gradNorm", out->second);
          return o;
        });
  }

  int64_t nSeqArg(Napi::Env env, Napi::Value v, const Model& m) {
    double d = numberArg(env, v, "nSeq");
    if (!(d >= 1 && d <= (double)m.batch) || d != (double)(int64_t)d)
      throw Napi::RangeError::New(env, "nSeq must be an integer in 1.." + std::to_string(m.batch));
    return (int64_t)d;
  }

  Napi::Value EvalLoss(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model& m = live(env);
    int64_t nSeq = nSeqArg(env, info[2], m);
    size_t n = nSeq * m.seqLen;
    auto in = std::make_shared<std::vector<int32_t>>(tokensArg(env, info[0], "inputs", n, m.batch * m.seqLen));
    auto tg = std::make_shared<std::vector<int32_t>>(tokensArg(env, info[1], "targets", n, m.batch * m.seqLen));
    checkTokens(env, m, in->data(), tg->data(), nSeq);
    auto model = model_;
    auto out = std::make_shared<std::vector<float>>(nSeq);
    return Run(env, [=] { model->evalLoss(in->data(), tg->data(), nSeq, out->data()); },
               [=](Napi::Env e) {
                 auto a = Napi::Float32Array::New(e, out->size());
                 std::copy(out->begin(), out->end(), a.Data());
                 return a;
               });
  }

  Napi::Value Logits(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model& m = live(env);
    int64_t nSeq = nSeqArg(env, info[1], m);
    size_t n = nSeq * m.seqLen;
    auto in = std::make_shared<std::vector<int32_t>>(tokensArg(env, info[0], "inputs", n, m.batch * m.seqLen));
    checkTokens(env, m, in->data(), nullptr, nSeq);
    auto model = model_;
    auto out = std::make_shared<std::vector<float>>(n * m.shape.vocab);
    return Run(env, [=] { model->logits(in->data(), nSeq, out->data()); },
               [=](Napi::Env e) {
                 auto a = Napi::Float32Array::New(e, out->size());
                 std::copy(out->begin(), out->end(), a.Data());
                 return a;
               });
  }

  Napi::Value ClipGradNorm(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model& m = live(env);
    double maxNorm = numberArg(env, info[0], "maxNorm");
    ThreadScope scope(callerThreads(threads_));
    try {
      return Napi::Number::New(env, m.clipGradNorm(maxNorm));
    } catch (const EngineFailure& e) {
      throw Napi::Error::New(env, e.what());
    }
  }

  Napi::Value Adamw(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model& m = live(env);
    gm::AdamW h{numberArg(env, info[0], "lr"), numberArg(env, info[1], "beta1"), numberArg(env, info[2], "beta2"),
                numberArg(env, info[3], "eps"), numberArg(env, info[4], "weightDecay")};
    ThreadScope scope(callerThreads(threads_));
    try {
      m.adamw(h);
    } catch (const EngineFailure& e) {
      throw Napi::Error::New(env, e.what());
    }
    return env.Undefined();
  }

  // profileStep(inputs, targets): runs one forwardBackward (synchronously, for the
  // benchmark) and returns { shapes, gemmSeconds, stepSeconds }: the distinct sgemm
  // shapes it issued with their call counts, and the time spent inside sgemm.
  Napi::Value ProfileStep(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model& m = live(env);
    size_t n = m.batch * m.seqLen;
    auto in = tokensArg(env, info[0], "inputs", n);
    auto tg = tokensArg(env, info[1], "targets", n);
    ThreadScope scope(callerThreads(threads_));
    Model::StepProfile prof;
    try {
      prof = m.profileStep(in.data(), tg.data());
    } catch (const std::exception& e) {
      throw Napi::Error::New(env, e.what());
    }
    const auto& shapes = prof.shapes;
    Napi::Array arr = Napi::Array::New(env, shapes.size());
    for (size_t i = 0; i < shapes.size(); i++) {
      Napi::Object o = Napi::Object::New(env);
      o.Set("transA", shapes[i].transA);
      o.Set("transB", shapes[i].transB);
      o.Set("m", shapes[i].m);
      o.Set("n", shapes[i].n);
      o.Set("k", shapes[i].k);
      o.Set("count", (double)shapes[i].count);
      arr.Set(i, o);
    }
    Napi::Object out = Napi::Object::New(env);
    out.Set("shapes", arr);
    out.Set("gemmSeconds", prof.gemmSeconds);
    out.Set("stepSeconds", prof.stepSeconds);
    return out;
  }

  // Detaches the JS views (they become empty) and drops the engine's memory once
  // nothing else refers to it.
  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!model_) return env.Undefined();
    if (busy_->load()) throw Napi::Error::New(env, "engine busy: cannot dispose while a call is running");
    Napi::Object bufs = buffers_.Value();
    for (const char* k : {"params", "grads", "adamM", "adamV"}) {
      Napi::ArrayBuffer ab = bufs.Get(k).As<Napi::ArrayBuffer>();
      if (!ab.IsDetached()) ab.Detach();
    }
    model_.reset();
    return env.Undefined();
  }
};

// benchSgemm(shapes, repeats) -> { gflops, seconds }
Napi::Value BenchSgemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsArray()) throw Napi::TypeError::New(env, "benchSgemm(shapes, repeats)");
  Napi::Array arr = info[0].As<Napi::Array>();
  std::vector<gm::GemmShape> shapes;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Object o = arr.Get(i).As<Napi::Object>();
    shapes.push_back({o.Get("transA").ToBoolean().Value(), o.Get("transB").ToBoolean().Value(),
                      (int)numberArg(env, o.Get("m"), "m"), (int)numberArg(env, o.Get("n"), "n"),
                      (int)numberArg(env, o.Get("k"), "k"), (long)numberArg(env, o.Get("count"), "count")});
    const auto& s = shapes.back();
    if (s.m < 1 || s.n < 1 || s.k < 1 || s.count < 0 || (double)s.m * s.n > 1e9 || (double)s.m * s.k > 1e9 || (double)s.k * s.n > 1e9)
      throw Napi::RangeError::New(env, "benchSgemm: bad shape");
  }
  int repeats = (int)numberArg(env, info[1], "repeats");
  if (repeats < 1) throw Napi::RangeError::New(env, "repeats must be >= 1");
  openblas_set_num_threads(omp_get_max_threads());
  double seconds = 0;
  double gflops = gm::benchSgemm(shapes, repeats, &seconds);
  Napi::Object o = Napi::Object::New(env);
  o.Set("gflops", gflops);
  o.Set("seconds", seconds);
  return o;
}

void Register(Napi::Env env, Napi::Object exports) {
  exports.Set("NativeEngine", NativeEngine::Define(env));
  exports.Set("benchSgemm", Napi::Function::New(env, BenchSgemm));
}

gm::Registrar reg(&Register);

}  // namespace
