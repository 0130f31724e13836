// The flash attention kernels against a float64 reference on the host, shape by shape:
// forward output and log-sum-exp, and dq, dk, dv for a random upstream gradient. The
// shapes cover every tensor-core head dim (16, 32, 64, 128), the row-per-warp fallback
// (48), grouped-query heads, one token, and sequence lengths that leave a partial last
// tile (T = 1, 100, 130, 257). The backward runs twice and must give the same bits.
// It also prints the kernels' time at two training shapes (information, not a check).
//   gm_flash_check [--require-cuda] [--tol X]   exit 0 PASS, 1 FAIL, 2 CUDA required but absent
#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cuda/cuda_engine.h"
#include "cuda/kernels.h"

using namespace gm;
using gm::cuda::bf16;

namespace {
int failures = 0;
void expect(bool ok, const std::string& what) {
  std::printf("  %s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) failures++;
}
void must(cudaError_t e, const char* what) {
  if (e != cudaSuccess) {
    std::printf("FAIL %s: %s\n", what, cudaGetErrorString(e));
    std::exit(1);
  }
}

struct Shape {
  int64_t B, T, H, KV, hd;
};

// Deterministic normal samples (LCG + Box-Muller), rounded to bf16: the reference then
// sees exactly the values the kernels see.
struct Normal {
  uint64_t st;
  double uniform() {
    st = st * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((double)(st >> 11) + 0.5) * (1.0 / 9007199254740992.0);
  }
  float next() { return (float)(std::sqrt(-2.0 * std::log(uniform())) * std::cos(6.283185307179586 * uniform())); }
};
void fill(std::vector<bf16>& dev, std::vector<double>& ref, size_t n, Normal& rng, float sd) {
  dev.resize(n);
  ref.resize(n);
  for (size_t i = 0; i < n; i++) {
    dev[i] = __float2bfloat16(rng.next() * sd);
    ref[i] = (double)__bfloat162float(dev[i]);
  }
}

double relL2(const std::vector<float>& got, const std::vector<double>& want) {
  double num = 0, den = 0;
  for (size_t i = 0; i < want.size(); i++) {
    const double e = (double)got[i] - want[i];
    num += e * e;
    den += want[i] * want[i];
  }
  return std::isfinite(num) ? std::sqrt(num / (den > 0 ? den : 1)) : INFINITY;
}

template <typename T>
T* upload(const std::vector<T>& h) {
  T* p = nullptr;
  must(cudaMalloc(&p, h.size() * sizeof(T) + 16), "cudaMalloc");
  must(cudaMemcpy(p, h.data(), h.size() * sizeof(T), cudaMemcpyHostToDevice), "upload");
  return p;
}
template <typename T>
std::vector<T> download(const T* p, size_t n) {
  std::vector<T> h(n);
  must(cudaMemcpy(h.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost), "download");
  return h;
}

void checkShape(const Shape& s, double tol) {
  const int64_t B = s.B, T = s.T, H = s.H, KV = s.KV, hd = s.hd, rep = H / KV, d = H * hd, kvd = KV * hd;
  std::printf("shape B=%lld T=%lld H=%lld KV=%lld hd=%lld (%s)\n", (long long)B, (long long)T, (long long)H,
              (long long)KV, (long long)hd, cuda::flashUsesTensorCores(hd) ? "tensor cores" : "row-per-warp fallback");
  Normal rng{(uint64_t)(T * 131 + hd * 7 + H)};
  std::vector<bf16> q, k, v, dO;
  std::vector<double> qr, kr, vr, dOr;
  // sd 1.5 on q and k: scores of a few units, so softmax rows are neither flat nor one-hot.
  fill(q, qr, B * T * d, rng, 1.5f);
  fill(k, kr, B * T * kvd, rng, 1.5f);
  fill(v, vr, B * T * kvd, rng, 1.0f);
  fill(dO, dOr, B * T * d, rng, 1.0f);
  const double scale = 1.0 / std::sqrt((double)hd);

  // float64 reference: o, lse, then D = <dO, o>, dS = p (dP - D), dq/dk/dv.
  std::vector<double> o(B * T * d, 0), lse(B * H * T), dq(B * T * d, 0), dk(B * T * kvd, 0), dv(B * T * kvd, 0);
  std::vector<double> p(T);
  for (int64_t b = 0; b < B; b++)
    for (int64_t h = 0; h < H; h++) {
      const int64_t g = h / rep;
      for (int64_t i = 0; i < T; i++) {
        const double* qi = &qr[(b * T + i) * d + h * hd];
        double mx = -INFINITY;
        for (int64_t j = 0; j <= i; j++) {
          const double* kj = &kr[(b * T + j) * kvd + g * hd];
          double sdot = 0;
          for (int64_t e = 0; e < hd; e++) sdot += qi[e] * kj[e];
          p[j] = sdot * scale;
          mx = std::max(mx, p[j]);
        }
        double sum = 0;
        for (int64_t j = 0; j <= i; j++) sum += (p[j] = std::exp(p[j] - mx));
        lse[(b * H + h) * T + i] = mx + std::log(sum);
        double* oi = &o[(b * T + i) * d + h * hd];
        for (int64_t j = 0; j <= i; j++) {
          p[j] /= sum;
          const double* vj = &vr[(b * T + j) * kvd + g * hd];
          for (int64_t e = 0; e < hd; e++) oi[e] += p[j] * vj[e];
        }
        const double* gi = &dOr[(b * T + i) * d + h * hd];
        double D = 0;
        for (int64_t e = 0; e < hd; e++) D += gi[e] * oi[e];
        for (int64_t j = 0; j <= i; j++) {
          const double* vj = &vr[(b * T + j) * kvd + g * hd];
          const double* kj = &kr[(b * T + j) * kvd + g * hd];
          double dp = 0;
          for (int64_t e = 0; e < hd; e++) dp += gi[e] * vj[e];
          const double ds = p[j] * (dp - D);
          for (int64_t e = 0; e < hd; e++) {
            dq[(b * T + i) * d + h * hd + e] += scale * ds * kj[e];
            dk[(b * T + j) * kvd + g * hd + e] += scale * ds * qi[e];
            dv[(b * T + j) * kvd + g * hd + e] += p[j] * gi[e];
          }
        }
      }
    }

  bf16 *dq_ = upload(q), *dk_ = upload(k), *dv_ = upload(v), *ddO = upload(dO);
  bf16* dOut = nullptr;
  float *dLse = nullptr, *dD = nullptr, *gq = nullptr, *gk = nullptr, *gv = nullptr;
  must(cudaMalloc(&dOut, B * T * d * sizeof(bf16)), "cudaMalloc");
  must(cudaMalloc(&dLse, B * H * T * sizeof(float)), "cudaMalloc");
  must(cudaMalloc(&dD, B * H * T * sizeof(float)), "cudaMalloc");
  must(cudaMalloc(&gq, B * T * d * sizeof(float)), "cudaMalloc");
  must(cudaMalloc(&gk, B * T * kvd * sizeof(float)), "cudaMalloc");
  must(cudaMalloc(&gv, B * T * kvd * sizeof(float)), "cudaMalloc");
  // NaN-filled outputs: a row the kernels forget to write shows up as NaN.
  must(cudaMemset(gq, 0xff, B * T * d * sizeof(float)), "memset");
  must(cudaMemset(gk, 0xff, B * T * kvd * sizeof(float)), "memset");
  must(cudaMemset(gv, 0xff, B * T * kvd * sizeof(float)), "memset");
  must(cudaMemset(dOut, 0xff, B * T * d * sizeof(bf16)), "memset");

  cuda::flashAttentionForward(dq_, dk_, dv_, dOut, dLse, B, T, H, KV, hd, (float)scale, 0);
  cuda::flashAttentionBackward(dq_, dk_, dv_, dOut, ddO, dLse, dD, gq, gk, gv, B, T, H, KV, hd, (float)scale, 0);
  must(cudaGetLastError(), "launch");
  must(cudaDeviceSynchronize(), "kernels");

  const std::vector<bf16> oh = download(dOut, B * T * d);
  std::vector<float> of(oh.size());
  for (size_t i = 0; i < oh.size(); i++) of[i] = __bfloat162float(oh[i]);
  const std::vector<float> lseh = download(dLse, B * H * T), gqh = download(gq, B * T * d),
                           gkh = download(gk, B * T * kvd), gvh = download(gv, B * T * kvd);
  double lseErr = 0;
  for (size_t i = 0; i < lse.size(); i++) lseErr = std::max(lseErr, std::fabs((double)lseh[i] - lse[i]));
  if (!std::isfinite(lseErr)) lseErr = INFINITY;
  char buf[160];
  std::snprintf(buf, sizeof buf, "forward: o relative L2 %.2e, lse max abs %.2e", relL2(of, o), lseErr);
  expect(relL2(of, o) <= tol && lseErr <= 1e-3, buf);
  const double eq = relL2(gqh, dq), ek = relL2(gkh, dk), ev = relL2(gvh, dv);
  std::snprintf(buf, sizeof buf, "backward: dq %.2e, dk %.2e, dv %.2e (relative L2)", eq, ek, ev);
  expect(eq <= tol && ek <= tol && ev <= tol, buf);

  // Same inputs again (outputs reset to NaN): the same bits.
  must(cudaMemset(gq, 0xff, B * T * d * sizeof(float)), "memset");
  must(cudaMemset(gk, 0xff, B * T * kvd * sizeof(float)), "memset");
  must(cudaMemset(gv, 0xff, B * T * kvd * sizeof(float)), "memset");
  cuda::flashAttentionBackward(dq_, dk_, dv_, dOut, ddO, dLse, dD, gq, gk, gv, B, T, H, KV, hd, (float)scale, 0);
  must(cudaDeviceSynchronize(), "kernels");
  const bool same = download(gq, B * T * d) == gqh && download(gk, B * T * kvd) == gkh &&
                    download(gv, B * T * kvd) == gvh;
  expect(same, "backward repeated: identical bits");
  for (void* ptr : {(void*)dq_, (void*)dk_, (void*)dv_, (void*)ddO, (void*)dOut, (void*)dLse, (void*)dD, (void*)gq,
                    (void*)gk, (void*)gv})
    cudaFree(ptr);
}

// Forward + backward time of the tensor-core kernels at a training shape (information).
void timeShape(const Shape& s) {
  const int64_t B = s.B, T = s.T, H = s.H, KV = s.KV, hd = s.hd, d = H * hd, kvd = KV * hd;
  Normal rng{3};
  std::vector<bf16> q, k;
  std::vector<double> unused;
  fill(q, unused, B * T * d, rng, 1.f);
  fill(k, unused, B * T * kvd, rng, 1.f);
  bf16 *dq_ = upload(q), *dk_ = upload(k), *dv_ = upload(k), *ddO = upload(q), *dOut = upload(q);
  float *dLse, *dD, *gq, *gk, *gv;
  must(cudaMalloc(&dLse, B * H * T * sizeof(float)), "cudaMalloc");
  must(cudaMalloc(&dD, B * H * T * sizeof(float)), "cudaMalloc");
  must(cudaMalloc(&gq, B * T * d * sizeof(float)), "cudaMalloc");
  must(cudaMalloc(&gk, B * T * kvd * sizeof(float)), "cudaMalloc");
  must(cudaMalloc(&gv, B * T * kvd * sizeof(float)), "cudaMalloc");
  const float scale = 1.f / std::sqrt((float)hd);
  cudaEvent_t e0, e1, e2;
  cudaEventCreate(&e0);
  cudaEventCreate(&e1);
  cudaEventCreate(&e2);
  float fwd = 0, bwd = 0;
  const int reps = 10;
  for (int it = 0; it < reps + 2; it++) {
    cudaEventRecord(e0);
    cuda::flashAttentionForward(dq_, dk_, dv_, dOut, dLse, B, T, H, KV, hd, scale, 0);
    cudaEventRecord(e1);
    cuda::flashAttentionBackward(dq_, dk_, dv_, dOut, ddO, dLse, dD, gq, gk, gv, B, T, H, KV, hd, scale, 0);
    cudaEventRecord(e2);
    must(cudaEventSynchronize(e2), "timing");
    float a, c;
    cudaEventElapsedTime(&a, e0, e1);
    cudaEventElapsedTime(&c, e1, e2);
    if (it >= 2) fwd += a / reps, bwd += c / reps;
  }
  // Causal attention: forward 2 GEMMs and backward 5 over half of the T×T square.
  const double flopF = 4.0 * B * H * T * T * hd / 2, flopB = 2.5 * flopF;
  std::printf("time B=%lld T=%lld H=%lld hd=%lld: forward %.3f ms (%.0f TFLOP/s), backward %.3f ms (%.0f TFLOP/s)\n",
              (long long)B, (long long)T, (long long)H, (long long)hd, fwd, flopF / fwd / 1e9, bwd, flopB / bwd / 1e9);
  for (void* ptr : {(void*)dq_, (void*)dk_, (void*)dv_, (void*)ddO, (void*)dOut, (void*)dLse, (void*)dD, (void*)gq,
                    (void*)gk, (void*)gv})
    cudaFree(ptr);
}
}  // namespace

int main(int argc, char** argv) {
  bool requireCuda = false;
  double tol = 1e-2;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    if (a == "--require-cuda") requireCuda = true;
    else if (a == "--tol" && i + 1 < argc) tol = std::stod(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--require-cuda] [--tol X]\n", argv[0]);
      return 2;
    }
  }
  const cuda::DeviceInfo info = cuda::probeDevices();
  if (info.count == 0) {
    std::printf("CUDA: no device (%s)\n", info.error.c_str());
    return requireCuda ? 2 : 0;
  }
  std::printf("CUDA: %d device(s), %s\n", info.count, info.name.c_str());
  const Shape shapes[] = {
      {2, 100, 4, 2, 64},  {1, 200, 2, 2, 128}, {2, 128, 4, 4, 32}, {1, 1, 2, 1, 16},
      {1, 130, 3, 1, 16},  {2, 257, 2, 2, 64},  {1, 70, 2, 1, 48},
  };
  for (const Shape& s : shapes) checkShape(s, tol);
  timeShape({16, 1024, 16, 16, 64});   // 150m
  timeShape({8, 1024, 16, 16, 128});   // a 2048-wide model with 128-wide heads
  std::printf("%s (%d failure(s))\n", failures ? "FAIL" : "PASS", failures);
  return failures ? 1 : 0;
}
