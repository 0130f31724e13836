// A branch-free float exp that the compiler vectorises inside `omp simd` loops
// (glibc's expf is a scalar call). Cody-Waite range reduction x = n·ln2 + r and
// Cephes' degree-6 polynomial for e^r; max relative error ~2 ulp on [-87, 88].
#pragma once
#include <cstdint>
#include <algorithm>
#include <cstring>

namespace gm {

#pragma omp declare simd notinbranch
inline float fastExp(float x) {
  x = std::min(std::max(x, -87.0f), 88.0f);
  // Round x·log2(e) to the nearest integer with the 1.5·2^23 trick (no floor call).
  const float shifter = 12582912.0f;
  float t = x * 1.44269504088896341f + shifter;
  float n = t - shifter;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float y = p * r * r + r + 1.0f;
  // Scale by 2^n through the exponent bits.
  int32_t ni;
  std::memcpy(&ni, &t, sizeof ni);
  ni -= 0x4B400000;  // bits of the shifter: leaves n in the low bits
  int32_t bits = (ni + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return y * scale;
}

}  // namespace gm
