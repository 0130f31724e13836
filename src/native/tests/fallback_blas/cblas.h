// Minimal CBLAS declarations for machines without OpenBLAS (the lent GPU machine may
// have none): only what the CPU engine calls. Used by CMake only when OpenBLAS is not
// found; the values of the enums are CBLAS's.
#pragma once
#ifdef __cplusplus
extern "C" {
#endif
enum CBLAS_ORDER { CblasRowMajor = 101, CblasColMajor = 102 };
enum CBLAS_TRANSPOSE { CblasNoTrans = 111, CblasTrans = 112 };
void cblas_sgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE tA, enum CBLAS_TRANSPOSE tB, int M, int N, int K,
                 float alpha, const float* A, int lda, const float* B, int ldb, float beta, float* C, int ldc);
#ifdef __cplusplus
}
#endif
