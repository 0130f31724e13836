// dlopen-based NCCL loader (see nccl_loader.h).
#include "parallel/nccl_loader.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace gm::parallel {

namespace {
struct Loaded {
  NcclApi api;
  std::string error;
};

template <typename F>
bool resolve(void* lib, const char* name, F& slot, std::string& error) {
  slot = reinterpret_cast<F>(dlsym(lib, name));
  if (!slot) error += std::string(error.empty() ? "" : "; ") + "symbol " + name + " missing";
  return slot != nullptr;
}

Loaded load() {
  Loaded out;
  const char* names[] = {"libnccl.so.2", "libnccl.so"};
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("GM_NCCL_PATH"); env && *env) {
    std::string p(env);
    struct stat st;
    if (stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
      for (const char* n : names) candidates.push_back(p + "/" + n);
    } else {
      candidates.push_back(p);
    }
  }
  for (const char* n : names) candidates.push_back(n);
  std::string tried;
  for (const auto& c : candidates) {
    void* lib = dlopen(c.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      const char* e = dlerror();
      tried += "\n  " + c + ": " + (e ? e : "not found");
      continue;
    }
    std::string err;
    NcclApi& a = out.api;
    bool ok = resolve(lib, "ncclGetVersion", a.getVersion, err) & resolve(lib, "ncclGetUniqueId", a.getUniqueId, err) &
              resolve(lib, "ncclCommInitAll", a.commInitAll, err) & resolve(lib, "ncclCommInitRank", a.commInitRank, err) &
              resolve(lib, "ncclCommDestroy", a.commDestroy, err) & resolve(lib, "ncclCommAbort", a.commAbort, err) &
              resolve(lib, "ncclAllReduce", a.allReduce, err) & resolve(lib, "ncclReduceScatter", a.reduceScatter, err) &
              resolve(lib, "ncclAllGather", a.allGather, err) & resolve(lib, "ncclBroadcast", a.broadcast, err) &
              resolve(lib, "ncclGroupStart", a.groupStart, err) & resolve(lib, "ncclGroupEnd", a.groupEnd, err) &
              resolve(lib, "ncclGetErrorString", a.errorString, err);
    if (!ok) {
      tried += "\n  " + c + ": " + err;
      dlclose(lib);
      out.api = NcclApi{};
      continue;
    }
    a.libraryPath = c;
    return out;
  }
  out.error = "NCCL could not be loaded (set GM_NCCL_PATH to libnccl.so.2 or its folder); tried:" + tried;
  return out;
}

const Loaded& loaded() {
  static std::once_flag once;
  static Loaded l;
  std::call_once(once, [] { l = load(); });
  return l;
}
}  // namespace

const NcclApi& nccl() {
  const Loaded& l = loaded();
  if (!l.error.empty()) throw std::runtime_error(l.error);
  return l.api;
}

std::string ncclLoadError() { return loaded().error; }

}  // namespace gm::parallel
