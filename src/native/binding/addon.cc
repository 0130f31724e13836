#include "binding/boundary.h"
#include "binding/registry.h"
#include <omp.h>
#include <cblas.h>

namespace {
namespace nb = gm::boundary;

// Thread count for our own kernels (OpenMP) and for OpenBLAS together.
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  const int n = (int)nb::integer(info[0], "setThreads", "n", 1, 1024);
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
  return info.Env().Undefined();
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}

// testing.throwNative(kind, where): throws a C++ exception of `kind` ('bad_alloc',
// 'length_error', 'runtime_error', 'invalid_argument', 'non_std' or 'none') in the
// call itself ('sync'), on the worker thread ('execute', returns a promise) or while
// the promise's result is built on the JS thread ('result'). For the tests of the
// exception boundary (test/engine/native-exceptions.test.ts): no engine call can be
// made to throw each of these on demand.
void throwKind(const std::string& kind) {
  if (kind == "bad_alloc") throw std::bad_alloc();
  if (kind == "length_error") throw std::length_error("probe length_error");
  if (kind == "runtime_error") throw std::runtime_error("probe runtime_error");
  if (kind == "invalid_argument") throw std::invalid_argument("probe invalid_argument");
  if (kind == "non_std") throw 42;
}

Napi::Value ThrowNative(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* call = "throwNative";
  auto oneOf = [&](const Napi::Value& v, const char* name, std::initializer_list<const char*> allowed) {
    std::string rule = "one of";
    for (const char* a : allowed) {
      rule += std::string(" '") + a + "'";
      if (v.IsString() && v.As<Napi::String>().Utf8Value() == a) return std::string(a);
    }
    nb::fail(env, false, call, name, rule, v);
  };
  const std::string kind = oneOf(info[0], "kind", {"bad_alloc", "length_error", "runtime_error", "invalid_argument", "non_std", "none"});
  const std::string where = oneOf(info[1], "where", {"sync", "execute", "result"});
  if (where == "sync") {
    throwKind(kind);
    return env.Undefined();
  }
  if (where == "execute")
    return nb::PromiseWorker::Start(env, call, [kind] { throwKind(kind); }, [](Napi::Env e) { return e.Undefined(); });
  return nb::PromiseWorker::Start(env, call, [] {}, [kind](Napi::Env e) -> Napi::Value {
    throwKind(kind);
    return e.Undefined();
  });
}
}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("setThreads", nb::function(env, "setThreads", SetThreads));
  exports.Set("getThreads", nb::function(env, "getThreads", GetThreads));
  exports.Set("backend", Napi::String::New(env, "cpu"));
  Napi::Object testing = Napi::Object::New(env);
  testing.Set("throwNative", nb::function(env, "throwNative", ThrowNative));
  exports.Set("testing", testing);
  for (auto fn : gm::registry()) fn(env, exports);
  return exports;
}

NODE_API_MODULE(gradmesh_native, Init)
