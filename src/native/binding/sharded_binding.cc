// N-API binding of the data-parallel sharded trainers over the CPU collectives:
// class ShardedEngine, ZeRO-1/2 (engine/sharded.h) or ZeRO-3 (engine/fsdp.h). trainStep runs on a worker thread (which starts
// one thread per rank); the getters return canonical flat copies (θ, the reduced
// gradient, the AdamW moments gathered from every rank's shard).
#include <atomic>
#include <memory>

#include "binding/boundary.h"
#include "binding/model_shape_arg.h"
#include "binding/registry.h"
#include "engine/fsdp.h"
#include "engine/sharded.h"

namespace {

using gm::Limits;
using gm::DataParallelTrainer;
namespace nb = gm::boundary;

class ShardedEngine : public nb::GuardedWrap<ShardedEngine> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "ShardedEngine",
                       {
                           Method<&ShardedEngine::TrainStep>("trainStep"),
                           Method<&ShardedEngine::Params>("params"),
                           Method<&ShardedEngine::SetParams>("setParams"),
                           Method<&ShardedEngine::Grads>("grads"),
                           Method<&ShardedEngine::AdamM>("adamM"),
                           Method<&ShardedEngine::AdamV>("adamV"),
                           Method<&ShardedEngine::Info>("info"),
                       });
  }

  // new ShardedEngine(config, ranks, batch, seqLen, seed, zero = 2)
  explicit ShardedEngine(const Napi::CallbackInfo& info) : nb::GuardedWrap<ShardedEngine>(info) {
    nb::guard(info.Env(), "ShardedEngine", [&] { Construct(info); });
  }

 private:
  std::shared_ptr<DataParallelTrainer> t_;
  std::shared_ptr<std::atomic<const char*>> busy_ = std::make_shared<std::atomic<const char*>>(nullptr);

  void Construct(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const char* call = "ShardedEngine";
    const gm::ModelShape s = nb::modelShapeArg(info[0], call);
    const int ranks = (int)nb::integer(info[1], call, "ranks", 1, 64);
    const int64_t batch = nb::integer(info[2], call, "batch", 1, Limits::batch);
    const int64_t seqLen = nb::integer(info[3], call, "seqLen", 1, Limits::seqLen);
    const int64_t seed = nb::integer(info[4], call, "seed", 0, int64_t{1} << 52);
    const int zero = info[5].IsUndefined() ? 2 : (int)nb::integer(info[5], call, "zero", 1, 3);
    if (batch % ranks != 0)
      nb::fail(env, true, call, "batch", "a multiple of ranks (" + std::to_string(ranks) + ")", info[2]);
    if (zero == 3)
      t_ = std::make_shared<gm::FullyShardedTrainer>(s, ranks, batch, seqLen, (uint64_t)seed);
    else
      t_ = std::make_shared<gm::ShardedTrainer>(s, ranks, batch, seqLen, (uint64_t)seed, zero);
  }

  DataParallelTrainer& live(Napi::Env env, const char* call) {
    if (const char* running = busy_->load())
      throw Napi::Error::New(env, std::string(call) + ": engine busy: " + running + " is still running; await it first");
    return *t_;
  }

  std::vector<int32_t> tokens(Napi::Env env, Napi::Value v, const char* what, size_t n) {
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
      throw Napi::TypeError::New(env, std::string(what) + " must be an Int32Array");
    auto a = v.As<Napi::Int32Array>();
    if (a.ElementLength() != n)
      throw Napi::RangeError::New(env, std::string(what) + " has " + std::to_string(a.ElementLength()) +
                                           " elements, expected " + std::to_string(n));
    return std::vector<int32_t>(a.Data(), a.Data() + n);
  }

  // trainStep(inputs, targets, lr, beta1, beta2, eps, weightDecay, gradClip, failRank = -1)
  Napi::Value TrainStep(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    const char* call = "trainStep";
    DataParallelTrainer& t = live(env, call);
    const size_t n = t.batch * t.seqLen;
    auto in = std::make_shared<std::vector<int32_t>>(tokens(env, info[0], "inputs", n));
    auto tg = std::make_shared<std::vector<int32_t>>(tokens(env, info[1], "targets", n));
    const gm::AdamW h{nb::nonNegative(info[2], call, "lr"), nb::unitInterval(info[3], call, "beta1"),
                      nb::unitInterval(info[4], call, "beta2"), nb::positive(info[5], call, "eps"),
                      nb::nonNegative(info[6], call, "weightDecay")};
    const double clip = nb::positive(info[7], call, "gradClip");
    const int failRank = info[8].IsUndefined() ? -1 : (int)nb::integer(info[8], call, "failRank", -1, t.ranks - 1);
    auto trainer = t_;
    auto out = std::make_shared<DataParallelTrainer::StepResult>();
    auto busy = busy_;
    busy->store(call);
    try {
      return nb::PromiseWorker::Start(
          env, call, [=] { *out = trainer->trainStep(in->data(), tg->data(), h, clip, failRank); },
          [=](Napi::Env e) {
            Napi::Object o = Napi::Object::New(e);
            o.Set("loss", out->loss);
            o.Set("gradNorm", out->gradNorm);
            return o;
          },
          [busy] { busy->store(nullptr); });
    } catch (...) {
      busy->store(nullptr);
      throw;
    }
  }

  Napi::Value Flat(Napi::Env env, const char* call, void (DataParallelTrainer::*get)(float*) const) {
    DataParallelTrainer& t = live(env, call);
    auto a = Napi::Float32Array::New(env, t.numParams());
    (t.*get)(a.Data());
    return a;
  }
  Napi::Value Params(const Napi::CallbackInfo& info) { return Flat(info.Env(), "params", &DataParallelTrainer::params); }
  Napi::Value Grads(const Napi::CallbackInfo& info) { return Flat(info.Env(), "grads", &DataParallelTrainer::grads); }
  Napi::Value AdamM(const Napi::CallbackInfo& info) { return Flat(info.Env(), "adamM", &DataParallelTrainer::adamM); }
  Napi::Value AdamV(const Napi::CallbackInfo& info) { return Flat(info.Env(), "adamV", &DataParallelTrainer::adamV); }

  Napi::Value SetParams(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    DataParallelTrainer& t = live(env, "setParams");
    if (!info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      throw Napi::TypeError::New(env, "setParams: params must be a Float32Array");
    auto a = info[0].As<Napi::Float32Array>();
    if (a.ElementLength() != t.numParams())
      throw Napi::RangeError::New(env, "setParams: params has " + std::to_string(a.ElementLength()) + " elements, expected " +
                                           std::to_string(t.numParams()));
    t.setParams(a.Data());
    return env.Undefined();
  }

  Napi::Value Info(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    DataParallelTrainer& t = live(env, "info");
    Napi::Object o = Napi::Object::New(env);
    o.Set("ranks", t.ranks);
    o.Set("numParams", (double)t.numParams());
    o.Set("shardSize", (double)t.shardSize());
    o.Set("stateBytesPerRank", (double)t.stateBytesPerRank());
    o.Set("adamStep", (double)t.adamStep());
    o.Set("zero", t.zeroStage());
    const auto m = t.paramMemory();
    Napi::Object mem = Napi::Object::New(env);
    mem.Set("modelBytes", (double)m.modelBytes);
    mem.Set("shardBytes", (double)m.shardBytes);
    mem.Set("peakBytes", (double)m.peakBytes);
    mem.Set("peakLayerBytes", (double)m.peakLayerBytes);
    mem.Set("largestUnitBytes", (double)m.largestUnitBytes);
    mem.Set("peakGradBytes", (double)m.peakGradBytes);
    o.Set("paramMemory", mem);
    return o;
  }
};

void Register(Napi::Env env, Napi::Object exports) { exports.Set("ShardedEngine", ShardedEngine::Define(env)); }

gm::Registrar reg(&Register);

}  // namespace

// ncclProbe(): '' when libnccl.so.2 loads (with the version), else the loader's error
// naming every path it tried. The CPU addon only loads the library, never uses a GPU.
#include "parallel/nccl_loader.h"
namespace {
Napi::Value NcclProbe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  const std::string err = gm::parallel::ncclLoadError();
  o.Set("error", err);
  int version = 0;
  if (err.empty()) gm::parallel::nccl().getVersion(&version);
  o.Set("version", version);
  return o;
}
void RegisterProbe(Napi::Env env, Napi::Object exports) { exports.Set("ncclProbe", nb::function(env, "ncclProbe", NcclProbe)); }
gm::Registrar regProbe(&RegisterProbe);
}  // namespace
