// dlopen-based cuBLAS loader (see cublas_loader.h).
#include "cuda/cublas_loader.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstdlib>
#include <mutex>
#include <vector>

#include "engine/engine.h"

namespace gm::cuda {

namespace {
struct Loaded {
  CublasApi api;
  std::string error;  // empty when loaded
};

bool isDirectory(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

template <typename F>
bool resolve(void* lib, const char* name, F& slot, bool required, std::string& error) {
  slot = reinterpret_cast<F>(dlsym(lib, name));
  if (!slot && required) {
    error += std::string(error.empty() ? "" : "; ") + "symbol " + name + " missing";
    return false;
  }
  return true;
}

Loaded load() {
  Loaded out;
  const char* names[] = {"libcublas.so.13", "libcublas.so.12", "libcublas.so.11", "libcublas.so"};
  std::vector<std::string> candidates;
  if (const char* env = std::getenv("GM_CUBLAS_PATH"); env && *env) {
    std::string p(env);
    if (isDirectory(p)) {
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
    CublasApi& a = out.api;
    bool ok = resolve(lib, "cublasCreate_v2", a.create, true, err) &
              resolve(lib, "cublasDestroy_v2", a.destroy, true, err) &
              resolve(lib, "cublasSetStream_v2", a.setStream, true, err) &
              resolve(lib, "cublasSetMathMode", a.setMathMode, true, err) &
              resolve(lib, "cublasGemmEx", a.gemmEx, true, err) &
              resolve(lib, "cublasGemmStridedBatchedEx", a.gemmStridedBatchedEx, true, err);
    resolve(lib, "cublasSetWorkspace_v2", a.setWorkspace, false, err);
    resolve(lib, "cublasGetStatusString", a.statusString, false, err);
    if (!ok) {
      tried += "\n  " + c + ": " + err;
      dlclose(lib);
      out.api = CublasApi{};
      continue;
    }
    a.libraryPath = c;
    return out;  // the library stays loaded for the life of the process
  }
  out.error =
      "cannot load cuBLAS (the CUDA engine needs libcublas at run time; set GM_CUBLAS_PATH to the file or "
      "its folder, or add the folder to LD_LIBRARY_PATH — pip's PyTorch keeps it in "
      "site-packages/nvidia/cublas/lib). Tried:" + tried;
  return out;
}

const Loaded& loaded() {
  static std::once_flag once;
  static Loaded l;
  std::call_once(once, [] { l = load(); });
  return l;
}
}  // namespace

const CublasApi& cublas() {
  const Loaded& l = loaded();
  if (!l.error.empty()) throw EngineFailure(l.error);
  return l.api;
}

std::string cublasLoadError() { return loaded().error; }

}  // namespace gm::cuda
