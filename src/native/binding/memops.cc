// O(parameters) passes over memory, run on libuv's worker threads so that the event
// loop stays free while a node copies θ, forms a miner's Δ or hashes a buffer that a
// JS worker cannot see (the engine's own parameters are an external ArrayBuffer, not
// shared memory). At `small` (30M floats) each pass is 120 MB of memory traffic:
// 20-100 ms of CPU that used to be sliced on the JS thread (docs/engine.md, "Off the
// event loop").
//
// Buffer rule, as for every async native call: the caller must not write (or, for
// arrays this call writes, read) the arrays until the promise settles. The TypeScript
// wrappers (src/train/compress/offload.ts) enforce it with claims (claims.ts); the JS
// objects are held by references until then, so they cannot be collected under the
// worker.
//
// SHA-256 comes from the OpenSSL that Node itself links and exports (the headers ship
// with Node's, in include/node/openssl), so the digest is the one node:crypto gives.
#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "binding/boundary.h"
#include "binding/registry.h"

namespace {
namespace nb = gm::boundary;

// A typed array's bytes, as napi_get_typedarray_info reports them (this works for
// views over a SharedArrayBuffer too, where Napi::ArrayBuffer would not).
struct Span {
  uint8_t* data = nullptr;
  size_t bytes = 0;
  size_t length = 0;
  napi_typedarray_type type = napi_uint8_array;
};

Span spanArg(const Napi::CallbackInfo& info, Napi::Value v, const char* call, const std::string& name) {
  if (!v.IsTypedArray()) nb::fail(info.Env(), false, call, name, "a typed array", v);
  napi_typedarray_type type;
  size_t length = 0;
  void* data = nullptr;
  napi_value ab;
  size_t offset = 0;
  if (napi_get_typedarray_info(info.Env(), v, &type, &length, &data, &ab, &offset) != napi_ok) {
    throw Napi::Error::New(info.Env(), std::string(call) + ": cannot read " + name);
  }
  Span s;
  s.data = static_cast<uint8_t*>(data);
  s.length = length;
  s.type = type;
  s.bytes = length * v.As<Napi::TypedArray>().ElementSize();
  return s;
}

Span floatArg(const Napi::CallbackInfo& info, size_t i, const char* call, const char* name) {
  Span s = spanArg(info, info[i], call, name);
  if (s.type != napi_float32_array) nb::fail(info.Env(), false, call, name, "a Float32Array", info[i]);
  return s;
}

// Queues `work` on a libuv thread; the promise resolves to what `result` builds. The
// arrays in `keep` are referenced until then.
Napi::Value start(Napi::Env env, const char* call, std::function<void()> work, std::function<Napi::Value(Napi::Env)> result,
                  const std::vector<Napi::Value>& keep) {
  auto refs = std::make_shared<std::vector<Napi::ObjectReference>>();
  for (const auto& v : keep) refs->push_back(Napi::Persistent(v.As<Napi::Object>()));
  return nb::PromiseWorker::Start(env, call, std::move(work), [refs, result = std::move(result)](Napi::Env e) { return result(e); });
}

// copyAsync(dst, src) -> Promise<void>: dst's bytes = src's bytes (same byte length,
// any typed arrays; they must not overlap).
Napi::Value CopyAsync(const Napi::CallbackInfo& info) {
  const char* call = "copyAsync";
  Span dst = spanArg(info, info[0], call, "dst");
  Span src = spanArg(info, info[1], call, "src");
  if (dst.bytes != src.bytes) {
    throw Napi::RangeError::New(info.Env(), std::string(call) + ": dst has " + std::to_string(dst.bytes) + " bytes, src " +
                                                std::to_string(src.bytes));
  }
  if (dst.bytes > 0 && dst.data < src.data + src.bytes && src.data < dst.data + dst.bytes) {
    throw Napi::RangeError::New(info.Env(), std::string(call) + ": dst and src overlap");
  }
  return start(
      info.Env(), call, [dst, src] { if (dst.bytes) std::memcpy(dst.data, src.data, dst.bytes); },
      [](Napi::Env e) { return e.Undefined(); }, {info[0], info[1]});
}

// deltaAndRestoreAsync(delta, base, trained) -> Promise<void>:
//   delta[i] = base[i] - trained[i] (float32, as JS computes it), then trained[i] = base[i].
Napi::Value DeltaAndRestoreAsync(const Napi::CallbackInfo& info) {
  const char* call = "deltaAndRestoreAsync";
  Span d = floatArg(info, 0, call, "delta");
  Span b = floatArg(info, 1, call, "base");
  Span t = floatArg(info, 2, call, "trained");
  if (d.length != b.length || t.length != b.length) {
    throw Napi::RangeError::New(info.Env(), std::string(call) + ": delta, base and trained must have the same length (" +
                                                std::to_string(d.length) + ", " + std::to_string(b.length) + ", " +
                                                std::to_string(t.length) + ")");
  }
  auto overlap = [](const Span& x, const Span& y) { return x.bytes > 0 && x.data < y.data + y.bytes && y.data < x.data + x.bytes; };
  if (overlap(d, b) || overlap(d, t) || overlap(b, t)) throw Napi::RangeError::New(info.Env(), std::string(call) + ": the arrays overlap");
  return start(
      info.Env(), call,
      [d, b, t] {
        float* delta = reinterpret_cast<float*>(d.data);
        const float* base = reinterpret_cast<const float*>(b.data);
        float* trained = reinterpret_cast<float*>(t.data);
        // Blocks that stay in cache between the two passes over `trained`.
        constexpr size_t kBlock = 1 << 14;
        for (size_t i = 0; i < b.length; i += kBlock) {
          const size_t end = std::min(b.length, i + kBlock);
          for (size_t j = i; j < end; j++) delta[j] = base[j] - trained[j];
          std::memcpy(trained + i, base + i, (end - i) * sizeof(float));
        }
      },
      [](Napi::Env e) { return e.Undefined(); }, {info[0], info[1], info[2]});
}

// sha256Async(parts: TypedArray[]) -> Promise<string>: SHA-256 (lowercase hex) of the
// parts' bytes in order.
Napi::Value Sha256Async(const Napi::CallbackInfo& info) {
  const char* call = "sha256Async";
  if (info.Length() < 1 || !info[0].IsArray()) nb::fail(info.Env(), false, call, "parts", "an array of typed arrays", info[0]);
  auto arr = info[0].As<Napi::Array>();
  std::vector<Span> parts;
  std::vector<Napi::Value> keep;
  for (uint32_t i = 0; i < arr.Length(); i++) {
    Napi::Value v = arr.Get(i);
    parts.push_back(spanArg(info, v, call, "parts[" + std::to_string(i) + "]"));
    keep.push_back(v);
  }
  auto hex = std::make_shared<std::string>();
  return start(
      info.Env(), call,
      [parts, hex] {
        std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
        if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) throw std::runtime_error("SHA-256 init failed");
        for (const Span& p : parts) {
          if (p.bytes && EVP_DigestUpdate(ctx.get(), p.data, p.bytes) != 1) throw std::runtime_error("SHA-256 update failed");
        }
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        if (EVP_DigestFinal_ex(ctx.get(), md, &n) != 1) throw std::runtime_error("SHA-256 final failed");
        static const char* digits = "0123456789abcdef";
        hex->resize(2 * n);
        for (unsigned int i = 0; i < n; i++) {
          (*hex)[2 * i] = digits[md[i] >> 4];
          (*hex)[2 * i + 1] = digits[md[i] & 15];
        }
      },
      [hex](Napi::Env e) { return Napi::String::New(e, *hex); }, keep);
}

void Register(Napi::Env env, Napi::Object exports) {
  auto m = Napi::Object::New(env);
  m.Set("copyAsync", nb::function(env, "copyAsync", CopyAsync));
  m.Set("deltaAndRestoreAsync", nb::function(env, "deltaAndRestoreAsync", DeltaAndRestoreAsync));
  m.Set("sha256Async", nb::function(env, "sha256Async", Sha256Async));
  exports.Set("memops", m);
}

static gm::Registrar reg(&Register);
}  // namespace
