// cuBLAS loaded at run time. This machine (and CI) has nvcc but no cuBLAS headers or
// libraries, so the few entry points we use are declared here from cuBLAS's public
// API (function signatures and enum values as documented by NVIDIA) and resolved
// with dlopen/dlsym. A build therefore never links cuBLAS; a process that cannot find
// it gets a clear error when it creates a CUDA engine.
#pragma once
#include <cuda_runtime.h>
#include <library_types.h>  // cudaDataType_t (CUDA_R_32F, CUDA_R_16BF): part of cudart

#include <string>

namespace gm::cuda {

// Opaque handle and the enum values we need (cublas_api.h).
typedef struct CublasContext* cublasHandle_t;
typedef int cublasStatus_t;          // CUBLAS_STATUS_SUCCESS = 0
enum : int { CUBLAS_OP_N = 0, CUBLAS_OP_T = 1 };
enum : int { CUBLAS_DEFAULT_MATH = 0, CUBLAS_TF32_TENSOR_OP_MATH = 3 };
enum : int { CUBLAS_COMPUTE_32F = 68 };
enum : int { CUBLAS_GEMM_DEFAULT = -1 };

struct CublasApi {
  cublasStatus_t (*create)(cublasHandle_t*) = nullptr;                // cublasCreate_v2
  cublasStatus_t (*destroy)(cublasHandle_t) = nullptr;                // cublasDestroy_v2
  cublasStatus_t (*setStream)(cublasHandle_t, cudaStream_t) = nullptr;  // cublasSetStream_v2
  cublasStatus_t (*setMathMode)(cublasHandle_t, int) = nullptr;       // cublasSetMathMode
  cublasStatus_t (*setWorkspace)(cublasHandle_t, void*, size_t) = nullptr;  // cublasSetWorkspace_v2 (optional)
  cublasStatus_t (*gemmEx)(cublasHandle_t, int transa, int transb, int m, int n, int k, const void* alpha,
                           const void* A, cudaDataType_t Atype, int lda, const void* B, cudaDataType_t Btype, int ldb,
                           const void* beta, void* C, cudaDataType_t Ctype, int ldc, int computeType,
                           int algo) = nullptr;
  cublasStatus_t (*gemmStridedBatchedEx)(cublasHandle_t, int transa, int transb, int m, int n, int k,
                                         const void* alpha, const void* A, cudaDataType_t Atype, int lda,
                                         long long strideA, const void* B, cudaDataType_t Btype, int ldb,
                                         long long strideB, const void* beta, void* C, cudaDataType_t Ctype,
                                         int ldc, long long strideC, int batchCount, int computeType,
                                         int algo) = nullptr;
  const char* (*statusString)(cublasStatus_t) = nullptr;  // cublasGetStatusString (optional)
  std::string libraryPath;                                // the file that was loaded
};

// Loads libcublas once per process (thread-safe). Search order: $GM_CUBLAS_PATH (a
// file, or a folder holding libcublas.so*), then the dynamic loader's own search
// (LD_LIBRARY_PATH, ld.so.cache) for libcublas.so.13, .so.12, .so.11, .so. Throws
// EngineFailure with every path tried when none loads or a symbol is missing.
const CublasApi& cublas();

// Non-throwing probe: empty string when cuBLAS loads, else the reason.
std::string cublasLoadError();

}  // namespace gm::cuda
