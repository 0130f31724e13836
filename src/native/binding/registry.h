// Each binding file registers its exports with a static Registrar, so parts of the
// engine are added without a central list (and without edit conflicts).
#pragma once
#include <napi.h>
#include <vector>

namespace gm {
using RegisterFn = void (*)(Napi::Env, Napi::Object);

inline std::vector<RegisterFn>& registry() {
  static std::vector<RegisterFn> fns;
  return fns;
}

struct Registrar {
  explicit Registrar(RegisterFn fn) { registry().push_back(fn); }
};
}  // namespace gm
