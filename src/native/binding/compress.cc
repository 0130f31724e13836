// N-API binding of the SparseLoCo compression core (src/native/compress).
// Every argument is checked here, so that nothing a caller passes (or a peer sends,
// through the TypeScript decoder) can make the C++ side read out of bounds; errors
// name the call and the argument, and every C++ exception becomes a JS error
// (binding/boundary.h).
#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <omp.h>
#include <stdexcept>

#include "binding/boundary.h"
#include "binding/registry.h"
#include "compress/sparseloco.h"

namespace {
using namespace gm::compress;
namespace nb = gm::boundary;

template <typename T>
T* dataOf(const Napi::TypedArrayOf<T>& a) {
  return a.Data();
}

template <typename T>
Napi::TypedArrayOf<T> typedArg(const Napi::CallbackInfo& info, size_t i, const char* what, napi_typedarray_type type) {
  if (info.Length() <= i || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != type) {
    throw Napi::TypeError::New(info.Env(), std::string(what) + " has the wrong type");
  }
  return info[i].As<Napi::TypedArrayOf<T>>();
}

// Arguments (meta: Float64Array [offset, rows, cols] per tensor, chunk, k, demo) at i..i+3.
ModelGeom geomArg(const Napi::CallbackInfo& info, size_t i, const char* call) {
  auto meta = typedArg<double>(info, i, "meta", napi_float64_array);
  if (meta.ElementLength() % 3 != 0) throw Napi::RangeError::New(info.Env(), std::string(call) + ": meta length must be a multiple of 3");
  // The ranges makeGeom accepts; it also checks that k is even and <= chunk*chunk.
  const int64_t target = nb::integer(info[i + 1], call, "chunk", 1, 128);
  const int64_t k = nb::integer(info[i + 2], call, "k", 2, 128 * 128);
  if (!info[i + 3].IsBoolean()) nb::fail(info.Env(), false, call, "demo", "a boolean", info[i + 3]);
  try {
    return makeGeom(meta.Data(), meta.ElementLength() / 3, target, k, info[i + 3].As<Napi::Boolean>().Value());
  } catch (const std::invalid_argument& e) {
    throw Napi::RangeError::New(info.Env(), std::string(call) + ": " + e.what());
  }
}

// A {quant, indices, codes} object whose sizes and ranges match the geometry.
PayloadView viewArg(Napi::Env env, const ModelGeom& g, Napi::Value v, const char* what) {
  if (!v.IsObject()) throw Napi::TypeError::New(env, std::string(what) + " must be an object");
  auto o = v.As<Napi::Object>();
  auto q = o.Get("quant"), ix = o.Get("indices"), cd = o.Get("codes");
  if (!q.IsTypedArray() || q.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
      !ix.IsTypedArray() || ix.As<Napi::TypedArray>().TypedArrayType() != napi_uint16_array ||
      !cd.IsTypedArray() || cd.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw Napi::TypeError::New(env, std::string(what) + " needs quant: Float32Array, indices: Uint16Array, codes: Uint8Array");
  }
  auto qa = q.As<Napi::Float32Array>();
  auto ia = ix.As<Napi::Uint16Array>();
  auto ca = cd.As<Napi::Uint8Array>();
  if (qa.ElementLength() != 6 * g.tensors.size() || ia.ElementLength() != static_cast<size_t>(g.totalValues) ||
      ca.ElementLength() != static_cast<size_t>(g.totalValues)) {
    throw Napi::RangeError::New(env, std::string(what) + ": array sizes do not match the layout and options");
  }
  for (const auto& t : g.tensors) {
    const uint16_t* idx = ia.Data() + t.valueOffset;
    for (int64_t i = 0; i < t.values(); i++) {
      if (idx[i] >= t.chunkElems()) throw Napi::RangeError::New(env, std::string(what) + ": index outside its chunk");
    }
  }
  for (size_t i = 0; i < ca.ElementLength(); i++) {
    if (ca.Data()[i] > 3) throw Napi::RangeError::New(env, std::string(what) + ": code > 3");
  }
  return PayloadView{qa.Data(), ia.Data(), ca.Data()};
}

Napi::Object toJs(Napi::Env env, const Compressed& c) {
  auto o = Napi::Object::New(env);
  auto q = Napi::Float32Array::New(env, c.quant.size());
  auto ix = Napi::Uint16Array::New(env, c.indices.size());
  auto cd = Napi::Uint8Array::New(env, c.codes.size());
  if (!c.quant.empty()) std::memcpy(q.Data(), c.quant.data(), c.quant.size() * sizeof(float));
  if (!c.indices.empty()) std::memcpy(ix.Data(), c.indices.data(), c.indices.size() * sizeof(uint16_t));
  if (!c.codes.empty()) std::memcpy(cd.Data(), c.codes.data(), c.codes.size());
  o.Set("quant", q);
  o.Set("indices", ix);
  o.Set("codes", cd);
  return o;
}

void needParams(Napi::Env env, const ModelGeom& g, const Napi::Float32Array& a, const char* what) {
  if (a.ElementLength() != static_cast<size_t>(g.totalParams)) {
    throw Napi::RangeError::New(env, std::string(what) + " length " + std::to_string(a.ElementLength()) +
                                         " does not match the layout (" + std::to_string(g.totalParams) + ")");
  }
}

// compressFeedback(e, delta, meta, chunk, k, demo, beta) -> {quant, indices, codes}
Napi::Value CompressFeedback(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto e = typedArg<float>(info, 0, "errorBuffer", napi_float32_array);
  auto d = typedArg<float>(info, 1, "delta", napi_float32_array);
  ModelGeom g = geomArg(info, 2, "compressFeedback");
  needParams(env, g, e, "errorBuffer");
  needParams(env, g, d, "delta");
  const double beta = nb::finite(info[6], "compressFeedback", "beta");
  Compressed c;
  try {
    compressWithFeedback(g, e.Data(), d.Data(), static_cast<float>(beta), c);
  } catch (const std::domain_error& ex) {
    throw Napi::RangeError::New(env, ex.what());
  }
  return toJs(env, c);
}

// decompressInto(meta, chunk, k, demo, payload, out)
Napi::Value DecompressInto(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ModelGeom g = geomArg(info, 0, "decompressInto");
  PayloadView pv = viewArg(env, g, info[4], "payload");
  auto out = typedArg<float>(info, 5, "out", napi_float32_array);
  needParams(env, g, out, "out");
  decompressInto(g, pv, out.Data());
  return env.Undefined();
}

// encodeRecords(meta, chunk, k, demo, payload) -> Uint8Array (the tensor records)
Napi::Value EncodeRecords(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ModelGeom g = geomArg(info, 0, "encodeRecords");
  PayloadView pv = viewArg(env, g, info[4], "payload");
  // The indices of each chunk must be strictly ascending (the gap code needs it).
  for (const auto& t : g.tensors) {
    for (int64_t c = 0; c < t.chunks(); c++) {
      const uint16_t* idx = pv.indices + t.valueOffset + c * t.k;
      for (int64_t j = 1; j < t.k; j++) {
        if (idx[j] <= idx[j - 1]) throw Napi::RangeError::New(env, "indices must be strictly ascending within each chunk");
      }
    }
  }
  for (size_t i = 0; i < 6 * g.tensors.size(); i++) {
    const float v = pv.quant[i];
    if (!std::isfinite(v) || std::fabs(v) > kMaxAbsValue || (i % 6 == 1 && v < 0)) {
      throw Napi::RangeError::New(env, "quantisation parameters must be finite, |v| <= 1e6, scale >= 0");
    }
  }
  std::vector<uint8_t> out;
  encodeRecords(g, pv, out);
  auto a = Napi::Uint8Array::New(env, out.size());
  if (!out.empty()) std::memcpy(a.Data(), out.data(), out.size());
  return a;
}

// decodeRecords(bytes, pos, meta, chunk, k, demo) -> {quant, indices, codes} | {error, message}
Napi::Value DecodeRecords(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto bytes = typedArg<uint8_t>(info, 0, "bytes", napi_uint8_array);
  const int64_t pos = nb::integer(info[1], "decodeRecords", "pos", 0, static_cast<int64_t>(bytes.ElementLength()));
  ModelGeom g = geomArg(info, 2, "decodeRecords");
  Compressed c;
  DecodeError err;
  if (!decodeRecords(g, bytes.Data(), bytes.ElementLength(), static_cast<size_t>(pos), c, err)) {
    auto o = Napi::Object::New(env);
    o.Set("error", err.code);
    o.Set("message", err.message);
    return o;
  }
  return toJs(env, c);
}

// tensorNorms(meta, chunk, k, demo, payload) -> Float32Array
Napi::Value TensorNorms(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  ModelGeom g = geomArg(info, 0, "tensorNorms");
  PayloadView pv = viewArg(env, g, info[4], "payload");
  auto out = Napi::Float32Array::New(env, g.tensors.size());
  tensorNorms(g, pv, out.Data());
  return out;
}

// Arguments shared by the sync and async aggregate calls:
// (params, meta, chunk, k, demo, payloads[], thresholds: Float32Array | null, lr, clipScale)
struct AggregateArgs {
  std::shared_ptr<ModelGeom> g;
  float* params = nullptr;
  std::shared_ptr<std::vector<PayloadView>> views = std::make_shared<std::vector<PayloadView>>();
  std::shared_ptr<std::vector<float>> thresholdsIn;  // null: medians of the payloads' norms
  double clipScale = 1.0;
  float lr = 0.0f;
  std::vector<Napi::Value> keepAlive;
};

AggregateArgs aggregateArgs(const Napi::CallbackInfo& info, const char* call) {
  Napi::Env env = info.Env();
  AggregateArgs a;
  auto params = typedArg<float>(info, 0, "params", napi_float32_array);
  a.g = std::make_shared<ModelGeom>(geomArg(info, 1, call));
  needParams(env, *a.g, params, "params");
  a.params = params.Data();
  a.keepAlive.push_back(params);
  if (info.Length() <= 5 || !info[5].IsArray()) throw Napi::TypeError::New(env, "payloads must be an array");
  auto arr = info[5].As<Napi::Array>();
  for (uint32_t i = 0; i < arr.Length(); i++) {
    a.views->push_back(viewArg(env, *a.g, arr.Get(i), "payload"));
    auto o = arr.Get(i).As<Napi::Object>();
    a.keepAlive.push_back(o.Get("quant"));
    a.keepAlive.push_back(o.Get("indices"));
    a.keepAlive.push_back(o.Get("codes"));
  }
  if (info.Length() > 6 && !info[6].IsNull() && !info[6].IsUndefined()) {
    auto thr = typedArg<float>(info, 6, "thresholds", napi_float32_array);
    if (thr.ElementLength() != a.g->tensors.size()) throw Napi::RangeError::New(env, "one threshold per tensor");
    a.thresholdsIn = std::make_shared<std::vector<float>>(thr.Data(), thr.Data() + thr.ElementLength());
    for (float t : *a.thresholdsIn) {
      if (!(t >= 0.0f) || !std::isfinite(t)) throw Napi::RangeError::New(env, "clip thresholds must be finite and >= 0");
    }
  }
  a.lr = static_cast<float>(nb::finite(info[7], call, "lr"));
  // Optional (default 1); anything given must be a number: a string is not taken as 1.
  a.clipScale = info[8].IsUndefined() ? 1.0 : nb::nonNegative(info[8], call, "clipScale");
  return a;
}

struct AggregateOut {
  std::vector<uint8_t> skipped;
  std::vector<float> norms, thresholds;
};

void runAggregate(const AggregateArgs& a, AggregateOut& out) {
  const size_t T = a.g->tensors.size();
  out.skipped.assign(T, 0);
  out.norms.assign(T * a.views->size(), 0.0f);
  out.thresholds.assign(T, 0.0f);
  aggregateAndStep(*a.g, a.params, *a.views, a.thresholdsIn ? a.thresholdsIn->data() : nullptr, a.clipScale, a.lr,
                   out.skipped.data(), out.norms.data(), out.thresholds.data());
}

Napi::Object aggregateResult(Napi::Env env, const AggregateOut& out) {
  auto o = Napi::Object::New(env);
  auto s = Napi::Uint8Array::New(env, out.skipped.size());
  auto n = Napi::Float32Array::New(env, out.norms.size());
  auto t = Napi::Float32Array::New(env, out.thresholds.size());
  if (!out.skipped.empty()) std::memcpy(s.Data(), out.skipped.data(), out.skipped.size());
  if (!out.norms.empty()) std::memcpy(n.Data(), out.norms.data(), out.norms.size() * sizeof(float));
  if (!out.thresholds.empty()) std::memcpy(t.Data(), out.thresholds.data(), out.thresholds.size() * sizeof(float));
  o.Set("skipped", s);
  o.Set("norms", n);
  o.Set("thresholds", t);
  return o;
}

// aggregateAndStep(params, meta, chunk, k, demo, payloads[], thresholds | null, lr, clipScale)
//   -> { skipped: Uint8Array, norms: Float32Array [payload][tensor], thresholds: Float32Array }
Napi::Value AggregateAndStep(const Napi::CallbackInfo& info) {
  AggregateArgs a = aggregateArgs(info, "aggregateAndStep");
  AggregateOut out;
  runAggregate(a, out);
  return aggregateResult(info.Env(), out);
}

// Runs a core call on a worker thread and settles a promise (any exception rejects
// it). The JS objects whose memory the call uses are held by references until it
// settles; the caller must not touch them meanwhile.
Napi::Value startCore(Napi::Env env, const char* call, std::function<void()> work,
                      std::function<Napi::Value(Napi::Env)> result, const std::vector<Napi::Value>& keepAlive) {
  // Created and destroyed on the JS thread: the result callback, which holds them,
  // is destroyed with the worker after the promise settled.
  auto refs = std::make_shared<std::vector<Napi::ObjectReference>>();
  for (const auto& v : keepAlive) refs->push_back(Napi::Persistent(v.As<Napi::Object>()));
  // The OpenMP thread count is per thread: carry setThreads() over to the worker.
  const int threads = omp_get_max_threads();
  return nb::PromiseWorker::Start(
      env, call,
      [threads, work = std::move(work)] {
        omp_set_num_threads(threads);
        work();
      },
      [refs, result = std::move(result)](Napi::Env e) { return result(e); });
}

// compressFeedbackAsync(...) -> Promise<{quant, indices, codes}>, same arguments as compressFeedback.
Napi::Value CompressFeedbackAsync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto e = typedArg<float>(info, 0, "errorBuffer", napi_float32_array);
  auto d = typedArg<float>(info, 1, "delta", napi_float32_array);
  auto g = std::make_shared<ModelGeom>(geomArg(info, 2, "compressFeedbackAsync"));
  needParams(env, *g, e, "errorBuffer");
  needParams(env, *g, d, "delta");
  const double beta = nb::finite(info[6], "compressFeedbackAsync", "beta");
  auto out = std::make_shared<Compressed>();
  float* ep = e.Data();
  const float* dp = d.Data();
  return startCore(
      env, "compressFeedbackAsync", [g, ep, dp, beta, out]() { compressWithFeedback(*g, ep, dp, static_cast<float>(beta), *out); },
      [out](Napi::Env env2) -> Napi::Value { return toJs(env2, *out); }, {e, d});
}

// aggregateAndStepAsync(...) -> Promise of the same result, same arguments as aggregateAndStep.
Napi::Value AggregateAndStepAsync(const Napi::CallbackInfo& info) {
  auto a = std::make_shared<AggregateArgs>(aggregateArgs(info, "aggregateAndStepAsync"));
  auto out = std::make_shared<AggregateOut>();
  auto keep = a->keepAlive;
  a->keepAlive.clear();
  return startCore(
      info.Env(), "aggregateAndStepAsync", [a, out]() { runAggregate(*a, *out); },
      [out](Napi::Env env2) -> Napi::Value { return aggregateResult(env2, *out); }, keep);
}

Napi::Value CosPi(const Napi::CallbackInfo& info) {
  const int64_t num = nb::integer(info[0], "reproducibleCosPi", "num", -1000000000, 1000000000);
  const int64_t den = nb::integer(info[1], "reproducibleCosPi", "den", 1, 1000000000);
  return Napi::Number::New(info.Env(), reproducibleCosPi(num, den));
}

void Register(Napi::Env env, Napi::Object exports) {
  auto c = Napi::Object::New(env);
  c.Set("compressFeedback", nb::function(env, "compressFeedback", CompressFeedback));
  c.Set("decompressInto", nb::function(env, "decompressInto", DecompressInto));
  c.Set("encodeRecords", nb::function(env, "encodeRecords", EncodeRecords));
  c.Set("decodeRecords", nb::function(env, "decodeRecords", DecodeRecords));
  c.Set("tensorNorms", nb::function(env, "tensorNorms", TensorNorms));
  c.Set("aggregateAndStep", nb::function(env, "aggregateAndStep", AggregateAndStep));
  c.Set("compressFeedbackAsync", nb::function(env, "compressFeedbackAsync", CompressFeedbackAsync));
  c.Set("aggregateAndStepAsync", nb::function(env, "aggregateAndStepAsync", AggregateAndStepAsync));
  c.Set("reproducibleCosPi", nb::function(env, "reproducibleCosPi", CosPi));
  exports.Set("compress", c);
}

static gm::Registrar reg(&Register);
}  // namespace
