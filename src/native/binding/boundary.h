// The N-API boundary shared by the CPU addon (node-gyp) and the CUDA addon (CMake):
// - argument checks whose errors name the call, the argument and the value
//   ("trainStep: lr must be a finite number >= 0, got NaN"), so no double reaches a
//   C++ integer cast unchecked (NaN or out-of-range casts are undefined behaviour);
// - guard(): any C++ exception (std::bad_alloc, std::length_error, a thrown int)
//   becomes a JS Error naming the call, so no exception can reach std::terminate;
// - PromiseWorker: runs work off the event loop and settles its promise whatever is
//   thrown, on the worker or while building the result.
// Both builds define NAPI_CPP_EXCEPTIONS and NODE_ADDON_API_CPP_EXCEPTIONS_ALL, so
// node-addon-api also catches what escapes a callback that forgot guard(); guard()
// adds the call's name and the JS error class.
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

namespace gm::boundary {

// How a value prints in an error message: numbers as JS prints them (NaN, 1.5,
// -Infinity), strings quoted, other types by name.
inline std::string show(const Napi::Value& v) {
  switch (v.Type()) {
    case napi_number:
      return v.ToString().Utf8Value();  // JS formatting; a Number has no user toString
    case napi_string: {
      std::string s = v.As<Napi::String>().Utf8Value();
      if (s.size() > 40) s = s.substr(0, 40) + "...";
      return "\"" + s + "\"";
    }
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return v.As<Napi::Boolean>().Value() ? "true" : "false";
    case napi_bigint: return "a bigint";
    case napi_symbol: return "a symbol";
    case napi_function: return "a function";
    default: return v.IsTypedArray() ? "a typed array" : v.IsArray() ? "an array" : "an object";
  }
}

inline std::string fmt(double d) {
  // Integral bounds print without a fraction or exponent (9007199254740991, not 9.0e15).
  if (d == std::floor(d) && std::fabs(d) < 1e16) return std::to_string(static_cast<int64_t>(d));
  return std::to_string(d);
}

[[noreturn]] inline void fail(Napi::Env env, bool range, const char* call, const std::string& name, const std::string& rule,
                              const Napi::Value& v) {
  const std::string msg = std::string(call) + ": " + name + " must be " + rule + ", got " + show(v);
  if (range) throw Napi::RangeError::New(env, msg);
  throw Napi::TypeError::New(env, msg);
}

// A JS number (any value, NaN included); TypeError otherwise.
inline double number(const Napi::Value& v, const char* call, const std::string& name) {
  if (!v.IsNumber()) fail(v.Env(), false, call, name, "a number", v);
  return v.As<Napi::Number>().DoubleValue();
}

// An integer in [lo, hi]; lo and hi within ±2^53 so that they are exact doubles.
inline int64_t integer(const Napi::Value& v, const char* call, const std::string& name, int64_t lo, int64_t hi) {
  const double d = number(v, call, name);
  if (!(d >= static_cast<double>(lo) && d <= static_cast<double>(hi) && d == std::floor(d)))
    fail(v.Env(), true, call, name, "an integer in [" + fmt(static_cast<double>(lo)) + ", " + fmt(static_cast<double>(hi)) + "]", v);
  return static_cast<int64_t>(d);
}

inline double finite(const Napi::Value& v, const char* call, const std::string& name) {
  const double d = number(v, call, name);
  if (!std::isfinite(d)) fail(v.Env(), true, call, name, "a finite number", v);
  return d;
}

inline double positive(const Napi::Value& v, const char* call, const std::string& name) {
  const double d = number(v, call, name);
  if (!(std::isfinite(d) && d > 0)) fail(v.Env(), true, call, name, "a finite number > 0", v);
  return d;
}

inline double nonNegative(const Napi::Value& v, const char* call, const std::string& name) {
  const double d = number(v, call, name);
  if (!(std::isfinite(d) && d >= 0)) fail(v.Env(), true, call, name, "a finite number >= 0", v);
  return d;
}

// [0, 1): AdamW's betas.
inline double unitInterval(const Napi::Value& v, const char* call, const std::string& name) {
  const double d = number(v, call, name);
  if (!(d >= 0 && d < 1)) fail(v.Env(), true, call, name, "a number in [0, 1)", v);
  return d;
}

// The message of a C++ exception caught at the boundary, prefixed with the call unless
// it already names it. `range` is set for the std exceptions that report a bad
// argument value (they become RangeErrors, like the argument checks).
inline std::string describe(const char* call, std::exception_ptr ep, bool* range) {
  *range = false;
  std::string what;
  try {
    std::rethrow_exception(ep);
  } catch (const std::bad_alloc&) {
    what = "out of memory (std::bad_alloc)";
  } catch (const std::invalid_argument& e) {
    *range = true;
    what = e.what();
  } catch (const std::domain_error& e) {
    *range = true;
    what = e.what();
  } catch (const std::out_of_range& e) {
    *range = true;
    what = e.what();
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
    what = "unknown C++ exception (not a std::exception)";
  }
  const std::string prefix = std::string(call) + ": ";
  return what.compare(0, prefix.size(), prefix) == 0 ? what : prefix + what;
}

inline Napi::Error jsError(Napi::Env env, const char* call, std::exception_ptr ep) {
  bool range = false;
  std::string msg;
  try {
    msg = describe(call, ep, &range);
  } catch (...) {
    msg = std::string(call) + ": out of memory";  // building the message itself failed
  }
  return range ? Napi::Error(Napi::RangeError::New(env, msg)) : Napi::Error::New(env, msg);
}

// Runs f on the JS thread; a Napi::Error (already a JS error) passes through, any
// other C++ exception becomes a JS Error naming `call`.
template <typename F>
auto guard(Napi::Env env, const char* call, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Napi::Error&) {
    throw;
  } catch (...) {
    throw jsError(env, call, std::current_exception());
  }
}

// A plain function whose every exception goes through guard(env, name).
inline Napi::Function function(Napi::Env env, const char* name, Napi::Value (*fn)(const Napi::CallbackInfo&)) {
  return Napi::Function::New(
      env, [name, fn](const Napi::CallbackInfo& info) { return guard(info.Env(), name, [&] { return fn(info); }); }, name);
}

// Base of the ObjectWrap classes: Method<&T::M>("name") registers M with guard(),
// the name travelling as the method's data.
template <typename T>
class GuardedWrap : public Napi::ObjectWrap<T> {
 public:
  explicit GuardedWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<T>(info) {}

 protected:
  using Method_ = Napi::Value (T::*)(const Napi::CallbackInfo&);
  template <Method_ M>
  static Napi::ClassPropertyDescriptor<T> Method(const char* name) {
    return Napi::ObjectWrap<T>::InstanceMethod(name, &GuardedWrap::template Call<M>, napi_default, const_cast<char*>(name));
  }

 private:
  template <Method_ M>
  Napi::Value Call(const Napi::CallbackInfo& info) {
    const char* name = static_cast<const char*>(info.Data());
    return guard(info.Env(), name, [&] { return (static_cast<T*>(this)->*M)(info); });
  }
};

// Runs `work` on a libuv worker thread and settles a promise on the JS thread:
// resolved with result(env), or rejected with a JS Error naming `call` for any
// exception thrown by work (on the worker) or by result (on the JS thread).
// `settled` runs on the JS thread just before the promise settles, either way (it
// clears the engine's busy mark so that a continuation may call the engine again).
class PromiseWorker : public Napi::AsyncWorker {
 public:
  using Work = std::function<void()>;
  using Result = std::function<Napi::Value(Napi::Env)>;

  // Queues the work; returns its promise.
  static Napi::Promise Start(Napi::Env env, const char* call, Work work, Result result, std::function<void()> settled = {}) {
    auto* w = new PromiseWorker(env, call, std::move(work), std::move(result), std::move(settled));
    Napi::Promise p = w->deferred_.Promise();
    w->Queue();
    return p;
  }

 private:
  PromiseWorker(Napi::Env env, const char* call, Work work, Result result, std::function<void()> settled)
      : Napi::AsyncWorker(env), deferred_(Napi::Promise::Deferred::New(env)), call_(call), work_(std::move(work)),
        result_(std::move(result)), settled_(std::move(settled)) {}

  // Never lets anything escape: node-addon-api's own catch only takes std::exception.
  void Execute() override {
    try {
      work_();
    } catch (...) {
      failure_ = std::current_exception();
    }
  }

  void OnOK() override {
    Napi::Env env = Env();
    Settle();
    if (failure_) {
      deferred_.Reject(jsError(env, call_, failure_).Value());
      return;
    }
    try {
      deferred_.Resolve(result_(env));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    } catch (...) {
      deferred_.Reject(jsError(env, call_, std::current_exception()).Value());
    }
  }

  // Only reached if node-addon-api itself reports a failure (Execute catches everything).
  void OnError(const Napi::Error& e) override {
    Settle();
    deferred_.Reject(e.Value());
  }

  void Settle() {
    if (!settled_) return;
    auto s = std::move(settled_);
    settled_ = nullptr;
    s();
  }

  Napi::Promise::Deferred deferred_;
  const char* call_;
  Work work_;
  Result result_;
  std::function<void()> settled_;
  std::exception_ptr failure_;
};

}  // namespace gm::boundary
