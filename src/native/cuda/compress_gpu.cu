// GPU SparseLoCo compression (see compress_gpu.h). Exactness: the update
// fl(fl(beta*e) + delta) and the subtraction use __fmul_rn/__fadd_rn/__fsub_rn, which
// nvcc never contracts into an FMA; the top-k order is a total order on
// (|x| bits descending, position ascending), the CPU's rule.
#include "cuda/compress_gpu.h"

#include <cuda_runtime.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/engine.h"

namespace gm::cuda {

namespace {
constexpr int kMaxChunk = 4096;
constexpr int kThreadsPerChunk = 512;

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw EngineFailure(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(e));
}

// One block per chunk: EF update, bitonic sort of keys (|x| bits << 16 | (0xFFFF - pos))
// descending, then the first k positions are written ascending with their values.
__global__ void feedbackTopKKernel(float* e, const float* delta, float beta, int64_t offset, int64_t cols, int64_t br,
                                   int64_t bc, int64_t gc, int64_t k, uint16_t* idxOut, float* valOut, int* bad) {
  __shared__ unsigned long long keys[kMaxChunk];
  __shared__ unsigned char kept[kMaxChunk];
  const int64_t c = blockIdx.x, n = br * bc;
  int64_t size = 1;
  while (size < n) size <<= 1;
  const int64_t base = offset + (c / gc) * br * cols + (c % gc) * bc;
  for (int64_t p = threadIdx.x; p < size; p += blockDim.x) {
    unsigned long long key = 0;
    if (p < n) {
      const int64_t at = base + (p / bc) * cols + (p % bc);
      const float x = __fadd_rn(__fmul_rn(beta, e[at]), delta[at]);
      if (!(fabsf(x) <= 3.402823466e38f)) atomicExch(bad, 1);
      e[at] = x;
      const unsigned bits = __float_as_uint(x) & 0x7fffffffu;
      key = ((unsigned long long)bits << 16) | (unsigned long long)(0xFFFFu - (unsigned)p);
      kept[p] = 0;
    }
    keys[p] = key;
  }
  __syncthreads();
  // Bitonic sort, descending.
  for (int64_t len = 2; len <= size; len <<= 1) {
    for (int64_t stride = len >> 1; stride > 0; stride >>= 1) {
      for (int64_t i = threadIdx.x; i < size; i += blockDim.x) {
        const int64_t j = i ^ stride;
        if (j > i) {
          const bool desc = (i & len) == 0;
          const unsigned long long a = keys[i], b = keys[j];
          if (desc ? (a < b) : (a > b)) {
            keys[i] = b;
            keys[j] = a;
          }
        }
      }
      __syncthreads();
    }
  }
  for (int64_t r = threadIdx.x; r < k; r += blockDim.x) kept[0xFFFFu - (unsigned)(keys[r] & 0xFFFFu)] = 1;
  __syncthreads();
  // Warp 0 compacts the kept positions in ascending order.
  if (threadIdx.x < 32) {
    const unsigned lane = threadIdx.x;
    int64_t count = 0;
    for (int64_t p0 = 0; p0 < n; p0 += 32) {
      const int64_t p = p0 + lane;
      const bool flag = p < n && kept[p];
      const unsigned mask = __ballot_sync(0xffffffffu, flag);
      if (flag) {
        const int64_t slot = count + __popc(mask & ((1u << lane) - 1u));
        idxOut[c * k + slot] = (uint16_t)p;
        valOut[c * k + slot] = e[base + (p / bc) * cols + (p % bc)];
      }
      count += __popc(mask);
    }
  }
}

__global__ void subtractKernel(float* e, int64_t offset, int64_t cols, int64_t br, int64_t bc, int64_t gc, int64_t k,
                               int64_t chunks, const uint16_t* idx, const uint8_t* codes, float l0, float l1, float l2,
                               float l3) {
  const int64_t total = chunks * k;
  for (int64_t v = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; v < total; v += (int64_t)gridDim.x * blockDim.x) {
    const int64_t c = v / k, p = idx[v];
    const int64_t at = offset + (c / gc) * br * cols + (c % gc) * bc + (p / bc) * cols + (p % bc);
    const uint8_t code = codes[v];
    const float l = code == 0 ? l0 : code == 1 ? l1 : code == 2 ? l2 : l3;
    e[at] = __fsub_rn(e[at], l);
  }
}

// The CPU's quantise() (docs/compression.md step 3), same operations in the same order.
void quantiseHost(const float* vals, int64_t n, float* quant, uint8_t* codes) {
  double sum = 0.0;
  for (int64_t i = 0; i < n; i++) sum += (double)vals[i];
  const float shift = (float)(sum / (double)n);
  double sq = 0.0;
  for (int64_t i = 0; i < n; i++) {
    const double d = (double)vals[i] - (double)shift;
    sq += d * d;
  }
  const double sigma = std::sqrt(sq / (double)n);
  const float scale = (float)(1.5 * sigma);
  const float e1 = shift - scale, e2 = shift, e3 = shift + scale;
  double binSum[4] = {0, 0, 0, 0};
  int64_t binCount[4] = {0, 0, 0, 0};
  for (int64_t i = 0; i < n; i++) {
    const float v = vals[i];
    const uint8_t c = (uint8_t)((v >= e1 ? 1 : 0) + (v >= e2 ? 1 : 0) + (v >= e3 ? 1 : 0));
    codes[i] = c;
    binSum[c] += (double)v;
    binCount[c]++;
  }
  quant[0] = shift;
  quant[1] = scale;
  for (int b = 0; b < 4; b++) quant[2 + b] = binCount[b] ? (float)(binSum[b] / (double)binCount[b]) : 0.0f;
  for (int i = 0; i < 6; i++)
    if (!(std::fabs(quant[i]) <= compress::kMaxAbsValue))
      throw EngineFailure("compressed values exceed the wire format bound (|value| <= 1e6)");
}
}  // namespace

struct GpuCompressor::Impl {
  compress::ModelGeom g;
  cudaStream_t stream = nullptr;
  uint16_t* idx = nullptr;
  float* vals = nullptr;
  uint8_t* codes = nullptr;
  int* bad = nullptr;
  float *hostE = nullptr, *hostDelta = nullptr;  // device staging for compressHost
  ~Impl() {
    if (stream) cudaStreamSynchronize(stream);
    cudaFree(idx);
    cudaFree(vals);
    cudaFree(codes);
    cudaFree(bad);
    cudaFree(hostE);
    cudaFree(hostDelta);
    if (stream) cudaStreamDestroy(stream);
  }
};

GpuCompressor::GpuCompressor(const compress::ModelGeom& g) : impl_(std::make_unique<Impl>()) {
  if (g.demo) throw EngineFailure("GPU compression: DeMo mode is CPU-only");
  for (const auto& t : g.tensors)
    if (t.chunkElems() > kMaxChunk) throw EngineFailure("GPU compression: chunks above 4096 elements are CPU-only");
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess || n == 0) {
    cudaGetLastError();
    throw EngineFailure("GPU compression: no CUDA device");
  }
  Impl& m = *impl_;
  m.g = g;
  check(cudaStreamCreateWithFlags(&m.stream, cudaStreamNonBlocking), "cudaStreamCreate");
  const size_t V = std::max<int64_t>(1, g.totalValues);
  check(cudaMalloc(&m.idx, V * sizeof(uint16_t)), "cudaMalloc");
  check(cudaMalloc(&m.vals, V * sizeof(float)), "cudaMalloc");
  check(cudaMalloc(&m.codes, V), "cudaMalloc");
  check(cudaMalloc(&m.bad, sizeof(int)), "cudaMalloc");
}

GpuCompressor::~GpuCompressor() = default;

void GpuCompressor::compressWithFeedback(float* e, const float* delta, float beta, compress::Compressed& out) {
  Impl& m = *impl_;
  const auto& g = m.g;
  out.quant.assign(6 * g.tensors.size(), 0.0f);
  out.indices.assign((size_t)g.totalValues, 0);
  out.codes.assign((size_t)g.totalValues, 0);
  std::vector<float> vals((size_t)g.totalValues);
  check(cudaMemsetAsync(m.bad, 0, sizeof(int), m.stream), "memset");
  for (const auto& t : g.tensors)
    feedbackTopKKernel<<<(unsigned)t.chunks(), kThreadsPerChunk, 0, m.stream>>>(
        e, delta, beta, t.offset, t.cols, t.br, t.bc, t.gc, t.k, m.idx + t.valueOffset, m.vals + t.valueOffset, m.bad);
  int bad = 0;
  check(cudaGetLastError(), "feedbackTopK launch");
  check(cudaMemcpyAsync(&bad, m.bad, sizeof(int), cudaMemcpyDeviceToHost, m.stream), "download");
  check(cudaMemcpyAsync(out.indices.data(), m.idx, g.totalValues * sizeof(uint16_t), cudaMemcpyDeviceToHost, m.stream), "download");
  check(cudaMemcpyAsync(vals.data(), m.vals, g.totalValues * sizeof(float), cudaMemcpyDeviceToHost, m.stream), "download");
  check(cudaStreamSynchronize(m.stream), "feedbackTopK");
  if (bad) throw EngineFailure("non-finite value in the error buffer or delta");
  for (size_t ti = 0; ti < g.tensors.size(); ti++) {
    const auto& t = g.tensors[ti];
    quantiseHost(vals.data() + t.valueOffset, t.values(), out.quant.data() + 6 * ti, out.codes.data() + t.valueOffset);
  }
  check(cudaMemcpyAsync(m.codes, out.codes.data(), g.totalValues, cudaMemcpyHostToDevice, m.stream), "upload");
  for (size_t ti = 0; ti < g.tensors.size(); ti++) {
    const auto& t = g.tensors[ti];
    const float* q = out.quant.data() + 6 * ti;
    const int64_t total = t.values();
    const unsigned blocks = (unsigned)std::min<int64_t>((total + 255) / 256, 65535);
    subtractKernel<<<blocks, 256, 0, m.stream>>>(e, t.offset, t.cols, t.br, t.bc, t.gc, t.k, t.chunks(),
                                                 m.idx + t.valueOffset, m.codes + t.valueOffset, q[2], q[3], q[4], q[5]);
  }
  check(cudaGetLastError(), "subtract launch");
  check(cudaStreamSynchronize(m.stream), "subtract");
}

void GpuCompressor::compressHost(float* e, const float* delta, float beta, compress::Compressed& out) {
  Impl& m = *impl_;
  const size_t bytes = (size_t)m.g.totalParams * sizeof(float);
  if (!m.hostE) {
    check(cudaMalloc(&m.hostE, std::max<size_t>(bytes, 4)), "cudaMalloc");
    check(cudaMalloc(&m.hostDelta, std::max<size_t>(bytes, 4)), "cudaMalloc");
  }
  check(cudaMemcpyAsync(m.hostE, e, bytes, cudaMemcpyHostToDevice, m.stream), "upload");
  check(cudaMemcpyAsync(m.hostDelta, delta, bytes, cudaMemcpyHostToDevice, m.stream), "upload");
  compressWithFeedback(m.hostE, m.hostDelta, beta, out);
  check(cudaMemcpyAsync(e, m.hostE, bytes, cudaMemcpyDeviceToHost, m.stream), "download");
  check(cudaStreamSynchronize(m.stream), "download");
}

}  // namespace gm::cuda
