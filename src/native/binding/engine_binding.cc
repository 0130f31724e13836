// N-API binding of the training engine: class NativeEngine. Parameters, gradients
// and AdamW moments are external ArrayBuffers over the engine's own memory (no
// copies); each buffer holds a reference to its memory so it stays valid while JS
// holds a view, even after dispose(). Long calls run in PromiseWorkers; while one
// runs the engine refuses every other call, naming the one in flight (the buffer
// rules JS must keep are in docs/engine.md). Every argument is checked and every C++
// exception becomes a JS error (binding/boundary.h).
#include <cblas.h>
#include <omp.h>

#include <atomic>
#include <functional>
#include <memory>

#include "binding/boundary.h"
#include "binding/model_shape_arg.h"
#include "binding/registry.h"
#include "engine/engine.h"

namespace {

using gm::Limits;
using gm::Model;
namespace nb = gm::boundary;

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

// AdamW hyper-parameters (lr, beta1, beta2, eps, weightDecay) at info[at..at+4].
gm::AdamW adamwArgs(const Napi::CallbackInfo& info, size_t at, const char* call) {
  return gm::AdamW{nb::nonNegative(info[at], call, "lr"), nb::unitInterval(info[at + 1], call, "beta1"),
                   nb::unitInterval(info[at + 2], call, "beta2"), nb::positive(info[at + 3], call, "eps"),
                   nb::nonNegative(info[at + 4], call, "weightDecay")};
}

class NativeEngine : public nb::GuardedWrap<NativeEngine> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NativeEngine",
                       {
                           Method<&NativeEngine::Buffers>("buffers"),
                           Method<&NativeEngine::NumParams>("numParams"),
                           Method<&NativeEngine::GetAdamStep>("getAdamStep"),
                           Method<&NativeEngine::SetAdamStep>("setAdamStep"),
                           Method<&NativeEngine::InitParams>("initParams"),
                           Method<&NativeEngine::ForwardBackward>("forwardBackward"),
                           Method<&NativeEngine::TrainStep>("trainStep"),
                           Method<&NativeEngine::EvalLoss>("evalLoss"),
                           Method<&NativeEngine::Logits>("logits"),
                           Method<&NativeEngine::ClipGradNorm>("clipGradNorm"),
                           Method<&NativeEngine::Adamw>("adamw"),
                           Method<&NativeEngine::ProfileStep>("profileStep"),
                           Method<&NativeEngine::Dispose>("dispose"),
                       });
  }

  // new NativeEngine(config, batch, seqLen, threads)  (threads 0: the process default)
  explicit NativeEngine(const Napi::CallbackInfo& info) : nb::GuardedWrap<NativeEngine>(info) {
    Napi::Env env = info.Env();
    nb::guard(env, "NativeEngine", [&] { Construct(info); });
  }

 private:
  std::shared_ptr<Model> model_;
  Napi::ObjectReference buffers_;
  // The name of the async call in flight (a string literal), or null. Shared so that
  // the worker can clear it even if this object is collected while the call runs.
  std::shared_ptr<std::atomic<const char*>> busy_ = std::make_shared<std::atomic<const char*>>(nullptr);
  int threads_ = 0;

  void Construct(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const char* call = "NativeEngine";
    const gm::ModelShape s = nb::modelShapeArg(info[0], call);
    const int64_t batch = nb::integer(info[1], call, "batch", 1, Limits::batch);
    const int64_t seqLen = nb::integer(info[2], call, "seqLen", 1, Limits::seqLen);
    threads_ = (int)nb::integer(info[3], call, "threads", 0, Limits::threads);
    model_ = std::make_shared<Model>(s, batch, seqLen);
    Napi::Object bufs = Napi::Object::New(env);
    bufs.Set("params", External(env, model_->params));
    bufs.Set("grads", External(env, model_->grads));
    bufs.Set("adamM", External(env, model_->adamM));
    bufs.Set("adamV", External(env, model_->adamV));
    buffers_ = Napi::Persistent(bufs);
  }

  static Napi::ArrayBuffer External(Napi::Env env, const std::shared_ptr<gm::FloatBuffer>& buf) {
    auto* hold = new std::shared_ptr<gm::FloatBuffer>(buf);
    return Napi::ArrayBuffer::New(
        env, buf->data, buf->size * sizeof(float),
        [](Napi::Env, void*, std::shared_ptr<gm::FloatBuffer>* h) { delete h; }, hold);
  }

  // The model, for a call that must not overlap an async call on this engine.
  Model& live(Napi::Env env, const char* call) {
    if (!model_) throw Napi::Error::New(env, std::string(call) + ": engine was disposed");
    if (const char* running = busy_->load())
      throw Napi::Error::New(env, std::string(call) + ": engine busy: " + running + " is still running; await it first");
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

  // Marks the engine busy with `call` until the promise settles.
  Napi::Value Run(Napi::Env env, const char* call, std::function<void()> work, nb::PromiseWorker::Result result) {
    const int threads = callerThreads(threads_);
    auto busy = busy_;
    busy->store(call);
    try {
      return nb::PromiseWorker::Start(
          env, call,
          [threads, work = std::move(work)] {
            // OpenMP thread counts are per calling thread; set this worker thread's.
            omp_set_num_threads(threads);
            openblas_set_num_threads(threads);
            work();
          },
          std::move(result), [busy] { busy->store(nullptr); });
    } catch (...) {
      busy->store(nullptr);
      throw;
    }
  }

  static Napi::Value Float32Result(Napi::Env env, const std::vector<float>& v) {
    auto a = Napi::Float32Array::New(env, v.size());
    std::copy(v.begin(), v.end(), a.Data());
    return a;
  }

  Napi::Value Buffers(const Napi::CallbackInfo& info) {
    live(info.Env(), "buffers");
    return buffers_.Value();
  }
  Napi::Value NumParams(const Napi::CallbackInfo& info) {
    if (!model_) throw Napi::Error::New(info.Env(), "numParams: engine was disposed");
    return Napi::Number::New(info.Env(), (double)model_->layout.total);
  }
  // Not refused while a call runs: a read-only call (evalLoss) leaves the step alone,
  // and the Engine (src/train/engine.ts) refuses it during trainStep.
  Napi::Value GetAdamStep(const Napi::CallbackInfo& info) {
    if (!model_) throw Napi::Error::New(info.Env(), "getAdamStep: engine was disposed");
    return Napi::Number::New(info.Env(), (double)model_->adamStep);
  }
  Napi::Value SetAdamStep(const Napi::CallbackInfo& info) {
    Model& m = live(info.Env(), "setAdamStep");
    m.adamStep = nb::integer(info[0], "setAdamStep", "adamStep", 0, 9007199254740991);
    return info.Env().Undefined();
  }

  // initParams(seedLow, seedHigh): the 64-bit seed as two unsigned 32-bit halves.
  Napi::Value InitParams(const Napi::CallbackInfo& info) {
    Model& m = live(info.Env(), "initParams");
    const uint64_t lo = (uint64_t)nb::integer(info[0], "initParams", "seedLow", 0, 0xffffffffLL);
    const uint64_t hi = (uint64_t)nb::integer(info[1], "initParams", "seedHigh", 0, 0xffffffffLL);
    ThreadScope scope(callerThreads(threads_));
    m.initParams((hi << 32) | lo);
    return info.Env().Undefined();
  }

  Napi::Value ForwardBackward(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model& m = live(env, "forwardBackward");
    size_t n = m.batch * m.seqLen;
    auto in = std::make_shared<std::vector<int32_t>>(tokensArg(env, info[0], "inputs", n));
    auto tg = std::make_shared<std::vector<int32_t>>(tokensArg(env, info[1], "targets", n));
    checkTokens(env, m, in->data(), tg->data(), m.batch);
    auto model = model_;
    auto loss = std::make_shared<double>(0.0);
    return Run(env, "forwardBackward", [=] { *loss = model->forwardBackward(in->data(), tg->data()); },
               [=](Napi::Env e) { return Napi::Number::New(e, *loss); });
  }

  // trainStep(inputs, targets, lr, beta1, beta2, eps, weightDecay, gradClip)
  Napi::Value TrainStep(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model& m = live(env, "trainStep");
    size_t n = m.batch * m.seqLen;
    auto in = std::make_shared<std::vector<int32_t>>(tokensArg(env, info[0], "inputs", n));
    auto tg = std::make_shared<std::vector<int32_t>>(tokensArg(env, info[1], "targets", n));
    const gm::AdamW h = adamwArgs(info, 2, "trainStep");
    const double clip = nb::positive(info[7], "trainStep", "gradClip");
    checkTokens(env, m, in->data(), tg->data(), m.batch);
    auto model = model_;
    auto out = std::make_shared<std::pair<double, double>>();
    return Run(
        env, "trainStep",
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

  Napi::Value EvalLoss(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model& m = live(env, "evalLoss");
    const int64_t nSeq = nb::integer(info[2], "evalLoss", "nSeq", 1, m.batch);
    size_t n = nSeq * m.seqLen;
    auto in = std::make_shared<std::vector<int32_t>>(tokensArg(env, info[0], "inputs", n, m.batch * m.seqLen));
    auto tg = std::make_shared<std::vector<int32_t>>(tokensArg(env, info[1], "targets", n, m.batch * m.seqLen));
    checkTokens(env, m, in->data(), tg->data(), nSeq);
    auto model = model_;
    auto out = std::make_shared<std::vector<float>>(nSeq);
    return Run(env, "evalLoss", [=] { model->evalLoss(in->data(), tg->data(), nSeq, out->data()); },
               [=](Napi::Env e) { return Float32Result(e, *out); });
  }

  Napi::Value Logits(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model& m = live(env, "logits");
    const int64_t nSeq = nb::integer(info[1], "logits", "nSeq", 1, m.batch);
    size_t n = nSeq * m.seqLen;
    auto in = std::make_shared<std::vector<int32_t>>(tokensArg(env, info[0], "inputs", n, m.batch * m.seqLen));
    checkTokens(env, m, in->data(), nullptr, nSeq);
    auto model = model_;
    auto out = std::make_shared<std::vector<float>>(n * m.shape.vocab);
    return Run(env, "logits", [=] { model->logits(in->data(), nSeq, out->data()); },
               [=](Napi::Env e) { return Float32Result(e, *out); });
  }

  Napi::Value ClipGradNorm(const Napi::CallbackInfo& info) {
    Model& m = live(info.Env(), "clipGradNorm");
    const double maxNorm = nb::positive(info[0], "clipGradNorm", "maxNorm");
    ThreadScope scope(callerThreads(threads_));
    return Napi::Number::New(info.Env(), m.clipGradNorm(maxNorm));
  }

  // adamw(lr, beta1, beta2, eps, weightDecay)
  Napi::Value Adamw(const Napi::CallbackInfo& info) {
    Model& m = live(info.Env(), "adamw");
    const gm::AdamW h = adamwArgs(info, 0, "adamw");
    ThreadScope scope(callerThreads(threads_));
    m.adamw(h);
    return info.Env().Undefined();
  }

  // profileStep(inputs, targets): runs one forwardBackward (synchronously, for the
  // benchmark) and returns { shapes, gemmSeconds, stepSeconds }: the distinct sgemm
  // shapes it issued with their call counts, and the time spent inside sgemm.
  Napi::Value ProfileStep(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    Model& m = live(env, "profileStep");
    size_t n = m.batch * m.seqLen;
    auto in = tokensArg(env, info[0], "inputs", n);
    auto tg = tokensArg(env, info[1], "targets", n);
    ThreadScope scope(callerThreads(threads_));
    const Model::StepProfile prof = m.profileStep(in.data(), tg.data());
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
    live(env, "dispose");
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
  const char* call = "benchSgemm";
  if (!info[0].IsArray()) nb::fail(env, false, call, "shapes", "an array", info[0]);
  Napi::Array arr = info[0].As<Napi::Array>();
  constexpr int64_t kMaxInt = 2147483647;
  std::vector<gm::GemmShape> shapes;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    const std::string at = "shapes[" + std::to_string(i) + "]";
    Napi::Value v = arr.Get(i);
    if (!v.IsObject()) nb::fail(env, false, call, at, "an object", v);
    Napi::Object o = v.As<Napi::Object>();
    const int m = (int)nb::integer(o.Get("m"), call, at + ".m", 1, kMaxInt);
    const int n = (int)nb::integer(o.Get("n"), call, at + ".n", 1, kMaxInt);
    const int k = (int)nb::integer(o.Get("k"), call, at + ".k", 1, kMaxInt);
    const long count = (long)nb::integer(o.Get("count"), call, at + ".count", 0, kMaxInt);
    // Each operand is allocated once (benchSgemm sizes them for the largest shape).
    if ((double)m * n > 1e9 || (double)m * k > 1e9 || (double)k * n > 1e9)
      throw Napi::RangeError::New(env, std::string(call) + ": " + at + " is too large (m*n, m*k and k*n must each be <= 1e9)");
    shapes.push_back({o.Get("transA").ToBoolean().Value(), o.Get("transB").ToBoolean().Value(), m, n, k, count});
  }
  const int repeats = (int)nb::integer(info[1], call, "repeats", 1, kMaxInt);
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
  exports.Set("benchSgemm", nb::function(env, "benchSgemm", BenchSgemm));
}

gm::Registrar reg(&Register);

}  // namespace
