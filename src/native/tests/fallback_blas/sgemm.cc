// A plain OpenMP sgemm for the fallback cblas.h (row-major only, as the engine uses
// it). Slow but exact enough for the small models of the correctness tests.
#include "cblas.h"

#include <vector>

extern "C" void cblas_sgemm(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE tA, enum CBLAS_TRANSPOSE tB, int M, int N, int K,
                            float alpha, const float* A, int lda, const float* B, int ldb, float beta, float* C,
                            int ldc) {
  const bool ta = tA == CblasTrans, tb = tB == CblasTrans;
#pragma omp parallel for schedule(static)
  for (int i = 0; i < M; i++) {
    std::vector<float> acc(N, 0.0f);
    for (int p = 0; p < K; p++) {
      const float a = ta ? A[(long)p * lda + i] : A[(long)i * lda + p];
      if (a == 0.0f) continue;
      if (tb)
        for (int j = 0; j < N; j++) acc[j] += a * B[(long)j * ldb + p];
      else
        for (int j = 0; j < N; j++) acc[j] += a * B[(long)p * ldb + j];
    }
    float* c = C + (long)i * ldc;
    for (int j = 0; j < N; j++) c[j] = alpha * acc[j] + (beta == 0.0f ? 0.0f : beta * c[j]);
  }
}
