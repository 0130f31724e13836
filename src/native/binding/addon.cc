#include "binding/registry.h"
#include <omp.h>
#include <cblas.h>

namespace {
// Thread count for our own kernels (OpenMP) and for OpenBLAS together.
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "setThreads(n): n must be a number");
  int n = info[0].As<Napi::Number>().Int32Value();
  if (n < 1 || n > 1024) throw Napi::RangeError::New(env, "setThreads(n): n must be in 1..1024");
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
  return env.Undefined();
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), omp_get_max_threads());
}
}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  exports.Set("getThreads", Napi::Function::New(env, GetThreads));
  exports.Set("backend", Napi::String::New(env, "cpu"));
  for (auto fn : gm::registry()) fn(env, exports);
  return exports;
}

NODE_API_MODULE(gradmesh_native, Init)
