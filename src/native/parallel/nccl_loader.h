// NCCL loaded at run time, like cuBLAS (cuda/cublas_loader.h): no NCCL headers or
// libraries exist at build time here, so the entry points the collectives use are
// declared from NCCL's public API (nccl.h: signatures and enum values as NVIDIA
// documents them) and resolved with dlopen/dlsym from libnccl.so.2, which the device
// image's PyTorch ships. A build never links NCCL; a process without it gets an
// error naming every path tried when it asks for the NCCL backend.
#pragma once
#include <cstddef>
#include <string>

namespace gm::parallel {

typedef struct ncclComm* ncclComm_t;
typedef int ncclResult_t;  // ncclSuccess = 0
typedef void* ncclStream_t;  // a cudaStream_t; declared opaque so no CUDA header is needed
enum : int { ncclFloat32 = 7, ncclFloat64 = 8, ncclBfloat16 = 9 };  // ncclDataType_t
enum : int { ncclSum = 0 };                                          // ncclRedOp_t
enum : int { NCCL_UNIQUE_ID_BYTES = 128 };
struct ncclUniqueId {
  char internal[NCCL_UNIQUE_ID_BYTES];
};

struct NcclApi {
  ncclResult_t (*getVersion)(int*) = nullptr;
  ncclResult_t (*getUniqueId)(ncclUniqueId*) = nullptr;
  ncclResult_t (*commInitAll)(ncclComm_t*, int ndev, const int* devlist) = nullptr;
  ncclResult_t (*commInitRank)(ncclComm_t*, int nranks, ncclUniqueId, int rank) = nullptr;
  ncclResult_t (*commDestroy)(ncclComm_t) = nullptr;
  ncclResult_t (*commAbort)(ncclComm_t) = nullptr;
  ncclResult_t (*allReduce)(const void*, void*, size_t, int dtype, int op, ncclComm_t, ncclStream_t) = nullptr;
  ncclResult_t (*reduceScatter)(const void*, void*, size_t recvcount, int dtype, int op, ncclComm_t, ncclStream_t) = nullptr;
  ncclResult_t (*allGather)(const void*, void*, size_t sendcount, int dtype, ncclComm_t, ncclStream_t) = nullptr;
  ncclResult_t (*broadcast)(const void*, void*, size_t, int dtype, int root, ncclComm_t, ncclStream_t) = nullptr;
  ncclResult_t (*groupStart)() = nullptr;
  ncclResult_t (*groupEnd)() = nullptr;
  const char* (*errorString)(ncclResult_t) = nullptr;
  std::string libraryPath;
};

// Loads libnccl once per process (thread-safe). Search order: $GM_NCCL_PATH (a file,
// or a folder holding libnccl.so.2), then the dynamic loader's own search for
// libnccl.so.2 and libnccl.so. Throws std::runtime_error naming every path tried.
const NcclApi& nccl();

// Non-throwing probe: empty string when NCCL loads, else the reason.
std::string ncclLoadError();

}  // namespace gm::parallel
