// Orthonormal 2-D DCT-II per chunk (DeMo mode) with a cosine table that every
// machine computes to the same bits: the angle is reduced with integer arithmetic
// to [0, pi/4], then a fixed-length Taylor series is evaluated with IEEE basic
// operations only (no libm, no FMA: binding.gyp passes -ffp-contract=off).
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "compress/sparseloco.h"

namespace gm::compress {
namespace {

// pi rounded to double.
constexpr double kPi = 3.141592653589793115997963468544185161590576171875;

// Taylor series on |x| <= pi/4; 14 terms reach far below double precision there.
double taylorCos(double x) {
  const double x2 = x * x;
  double term = 1.0, sum = 1.0;
  for (int n = 1; n <= 14; n++) {
    term = term * x2 / static_cast<double>((2 * n - 1) * (2 * n));
    sum = (n % 2 == 1) ? sum - term : sum + term;
  }
  return sum;
}

double taylorSin(double x) {
  const double x2 = x * x;
  double term = x, sum = x;
  for (int n = 1; n <= 14; n++) {
    term = term * x2 / static_cast<double>((2 * n) * (2 * n + 1));
    sum = (n % 2 == 1) ? sum - term : sum + term;
  }
  return sum;
}

// One DCT-II basis matrix C[k][n] = s_k cos(pi (2n+1) k / (2N)), s_0 = sqrt(1/N),
// s_k = sqrt(2/N), row-major, cached per N.
const std::vector<double>& basis(int64_t n) {
  static std::mutex mu;
  static std::map<int64_t, std::unique_ptr<std::vector<double>>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(n);
  if (it != cache.end()) return *it->second;
  auto m = std::make_unique<std::vector<double>>(static_cast<size_t>(n * n));
  const double s0 = std::sqrt(1.0 / static_cast<double>(n));
  const double s1 = std::sqrt(2.0 / static_cast<double>(n));
  for (int64_t k = 0; k < n; k++) {
    for (int64_t i = 0; i < n; i++) {
      (*m)[static_cast<size_t>(k * n + i)] = (k == 0 ? s0 : s1) * reproducibleCosPi((2 * i + 1) * k, 2 * n);
    }
  }
  auto& ref = *m;
  cache.emplace(n, std::move(m));
  return ref;
}

}  // namespace

double reproducibleCosPi(int64_t num, int64_t den) {
  // cos has period 2*den in units of pi/den.
  int64_t m = num % (2 * den);
  if (m < 0) m += 2 * den;
  if (m > den) m = 2 * den - m;  // cos(2pi - x) = cos(x); now m in [0, den]
  double sign = 1.0;
  if (2 * m > den) {  // cos(pi - x) = -cos(x); now m in [0, den/2]
    m = den - m;
    sign = -1.0;
  }
  if (4 * m > den) {  // cos(x) = sin(pi/2 - x), with pi/2 - x in [0, pi/4]
    const double y = kPi * static_cast<double>(den - 2 * m) / static_cast<double>(2 * den);
    return sign * taylorSin(y);
  }
  const double x = kPi * static_cast<double>(m) / static_cast<double>(den);
  return sign * taylorCos(x);
}

// Y = Cr X Cc^T. Sums run in ascending index order in double; rows of zeros are
// skipped, which does not change any bit (adding +-0 to a sum started at +0 is exact).
void dctForward(int64_t br, int64_t bc, float* chunk) {
  const auto& cr = basis(br);
  const auto& cc = basis(bc);
  std::vector<double> tmp(static_cast<size_t>(br * bc), 0.0);
  for (int64_t r = 0; r < br; r++) {
    const float* x = chunk + r * bc;
    for (int64_t kc = 0; kc < bc; kc++) {
      const double* c = cc.data() + kc * bc;
      double s = 0.0;
      for (int64_t j = 0; j < bc; j++) s += static_cast<double>(x[j]) * c[j];
      tmp[static_cast<size_t>(r * bc + kc)] = s;
    }
  }
  for (int64_t kr = 0; kr < br; kr++) {
    const double* c = cr.data() + kr * br;
    for (int64_t kc = 0; kc < bc; kc++) {
      double s = 0.0;
      for (int64_t r = 0; r < br; r++) s += c[r] * tmp[static_cast<size_t>(r * bc + kc)];
      chunk[kr * bc + kc] = static_cast<float>(s);
    }
  }
}

// X = Cr^T Y Cc: tmp[kr][c] = sum_kc Y[kr][kc] Cc[kc][c]; X[r][c] = sum_kr Cr[kr][r] tmp[kr][c].
void dctInverse(int64_t br, int64_t bc, float* chunk) {
  const auto& cr = basis(br);
  const auto& cc = basis(bc);
  std::vector<double> tmp(static_cast<size_t>(br * bc), 0.0);
  std::vector<char> rowUsed(static_cast<size_t>(br), 0);
  for (int64_t kr = 0; kr < br; kr++) {
    const float* y = chunk + kr * bc;
    double* t = tmp.data() + kr * bc;
    for (int64_t kc = 0; kc < bc; kc++) {
      if (y[kc] == 0.0f) continue;
      rowUsed[static_cast<size_t>(kr)] = 1;
      const double yv = static_cast<double>(y[kc]);
      const double* c = cc.data() + kc * bc;
      for (int64_t j = 0; j < bc; j++) t[j] += yv * c[j];
    }
  }
  for (int64_t r = 0; r < br; r++) {
    for (int64_t j = 0; j < bc; j++) {
      double s = 0.0;
      for (int64_t kr = 0; kr < br; kr++) {
        if (!rowUsed[static_cast<size_t>(kr)]) continue;
        s += cr[static_cast<size_t>(kr * br + r)] * tmp[static_cast<size_t>(kr * bc + j)];
      }
      chunk[r * bc + j] = static_cast<float>(s);
    }
  }
}

}  // namespace gm::compress
