// Wire format v1 tensor records (docs/wire-format.md is the normative text):
// per tensor a 48-byte record head, the chunk-local indices as Rice-coded gaps
// (per chunk, sorted ascending, gap = index - previous - 1, previous starts at -1),
// then the 2-bit codes packed four per byte. Bits are written LSB first.
#include <cmath>
#include <cstring>
#include <string>

#include "compress/sparseloco.h"

namespace gm::compress {
namespace {

constexpr size_t kRecordHead = 48;
constexpr int kMaxRice = 15;

void putU16(std::vector<uint8_t>& o, uint32_t v) {
  o.push_back(static_cast<uint8_t>(v));
  o.push_back(static_cast<uint8_t>(v >> 8));
}
void putU32(std::vector<uint8_t>& o, uint32_t v) {
  for (int i = 0; i < 4; i++) o.push_back(static_cast<uint8_t>(v >> (8 * i)));
}
void putF32(std::vector<uint8_t>& o, float f) {
  uint32_t v;
  std::memcpy(&v, &f, 4);
  putU32(o, v);
}
uint32_t getU16(const uint8_t* p) { return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8); }
uint32_t getU32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) | (static_cast<uint32_t>(p[2]) << 16) |
         (static_cast<uint32_t>(p[3]) << 24);
}
float getF32(const uint8_t* p) {
  const uint32_t v = getU32(p);
  float f;
  std::memcpy(&f, &v, 4);
  return f;
}

class BitWriter {
 public:
  explicit BitWriter(std::vector<uint8_t>& out) : out_(out) {}
  void put(uint32_t value, int n) {  // n <= 32
    acc_ |= static_cast<uint64_t>(value) << nbits_;
    nbits_ += n;
    while (nbits_ >= 8) {
      out_.push_back(static_cast<uint8_t>(acc_));
      acc_ >>= 8;
      nbits_ -= 8;
    }
  }
  void unary(uint32_t q) {  // q zeros, then a one
    while (q >= 24) {
      put(0, 24);
      q -= 24;
    }
    put(1u << q, static_cast<int>(q) + 1);
  }
  void flush() {
    if (nbits_ > 0) out_.push_back(static_cast<uint8_t>(acc_));
    acc_ = 0;
    nbits_ = 0;
  }

 private:
  std::vector<uint8_t>& out_;
  uint64_t acc_ = 0;
  int nbits_ = 0;
};

class BitReader {
 public:
  BitReader(const uint8_t* p, size_t n) : p_(p), n_(n) {}
  enum Status { kOk, kExhausted, kTooLong };
  Status bits(int k, uint32_t& v) {
    if (k == 0) {
      v = 0;
      return kOk;
    }
    refill();
    if (nbits_ < k) return kExhausted;
    v = static_cast<uint32_t>(acc_ & ((1ull << k) - 1));
    acc_ >>= k;
    nbits_ -= k;
    return kOk;
  }
  // Counts zeros up to the next one bit; kTooLong once more than limit zeros are seen.
  Status unary(uint32_t limit, uint32_t& q) {
    q = 0;
    for (;;) {
      refill();
      if (nbits_ == 0) return kExhausted;
      if (acc_ == 0) {
        q += static_cast<uint32_t>(nbits_);
        nbits_ = 0;
        if (q > limit) return kTooLong;
        continue;
      }
      const int tz = __builtin_ctzll(acc_);
      q += static_cast<uint32_t>(tz);
      if (q > limit) return kTooLong;
      // tz + 1 may be 64 (the one is the last bit of a full word): a 64-bit shift
      // by 64 is undefined, so that case clears the word explicitly.
      acc_ = (tz + 1 >= 64) ? 0 : (acc_ >> (tz + 1));
      nbits_ -= tz + 1;
      return kOk;
    }
  }
  // True when what is left is fewer than 8 bits, all zero (the final byte's padding).
  bool onlyZeroPaddingLeft() const { return pos_ == n_ && nbits_ < 8 && acc_ == 0; }

 private:
  void refill() {
    while (nbits_ <= 56 && pos_ < n_) {
      acc_ |= static_cast<uint64_t>(p_[pos_++]) << nbits_;
      nbits_ += 8;
    }
  }
  const uint8_t* p_;
  size_t n_;
  size_t pos_ = 0;
  uint64_t acc_ = 0;
  int nbits_ = 0;
};

// The Rice parameter with the fewest total bits for these gaps (smallest on ties).
int bestRiceParam(const std::vector<uint64_t>& hist) {
  int best = 0;
  uint64_t bestCost = UINT64_MAX;
  for (int r = 0; r <= kMaxRice; r++) {
    uint64_t cost = 0;
    for (size_t gap = 0; gap < hist.size(); gap++) {
      if (hist[gap]) cost += hist[gap] * ((gap >> r) + 1 + static_cast<uint64_t>(r));
    }
    if (cost < bestCost) {
      bestCost = cost;
      best = r;
    }
  }
  return best;
}

bool fail(DecodeError& err, const char* code, const std::string& msg) {
  err.code = code;
  err.message = msg;
  return false;
}

}  // namespace

void encodeRecords(const ModelGeom& g, const PayloadView& pv, std::vector<uint8_t>& out) {
  std::vector<uint8_t> stream;
  for (size_t ti = 0; ti < g.tensors.size(); ti++) {
    const TensorGeom& t = g.tensors[ti];
    const uint16_t* idx = pv.indices + t.valueOffset;
    const uint8_t* codes = pv.codes + t.valueOffset;
    const int64_t k = t.k, chunks = t.chunks();
    std::vector<uint64_t> hist(static_cast<size_t>(t.chunkElems()), 0);
    for (int64_t c = 0; c < chunks; c++) {
      int64_t prev = -1;
      for (int64_t j = 0; j < k; j++) {
        const int64_t i = idx[c * k + j];
        hist[static_cast<size_t>(i - prev - 1)]++;
        prev = i;
      }
    }
    const int r = bestRiceParam(hist);
    stream.clear();
    BitWriter bw(stream);
    for (int64_t c = 0; c < chunks; c++) {
      int64_t prev = -1;
      for (int64_t j = 0; j < k; j++) {
        const int64_t i = idx[c * k + j];
        const uint32_t gap = static_cast<uint32_t>(i - prev - 1);
        bw.unary(gap >> r);
        bw.put(gap & ((1u << r) - 1), r);
        prev = i;
      }
    }
    bw.flush();
    putU32(out, static_cast<uint32_t>(ti));
    putU16(out, static_cast<uint32_t>(t.br));
    putU16(out, static_cast<uint32_t>(t.bc));
    putU32(out, static_cast<uint32_t>(t.gr));
    putU32(out, static_cast<uint32_t>(t.gc));
    putU16(out, static_cast<uint32_t>(t.k));
    out.push_back(static_cast<uint8_t>(r));
    out.push_back(0);
    for (int i = 0; i < 6; i++) putF32(out, pv.quant[6 * ti + i]);
    putU32(out, static_cast<uint32_t>(stream.size()));
    out.insert(out.end(), stream.begin(), stream.end());
    const int64_t n = t.values();
    const size_t base = out.size();
    out.resize(base + static_cast<size_t>((n + 3) / 4), 0);
    for (int64_t i = 0; i < n; i++) out[base + static_cast<size_t>(i / 4)] |= static_cast<uint8_t>((codes[i] & 3) << (2 * (i % 4)));
  }
}

bool decodeRecords(const ModelGeom& g, const uint8_t* bytes, size_t len, size_t pos, Compressed& out,
                   DecodeError& err) {
  out.quant.assign(6 * g.tensors.size(), 0.0f);
  out.indices.assign(static_cast<size_t>(g.totalValues), 0);
  out.codes.assign(static_cast<size_t>(g.totalValues), 0);
  if (pos > len) return fail(err, "truncated", "payload ends inside the header");
  for (size_t ti = 0; ti < g.tensors.size(); ti++) {
    const TensorGeom& t = g.tensors[ti];
    const std::string where = "tensor " + std::to_string(ti);
    if (len - pos < kRecordHead) return fail(err, "truncated", where + ": payload ends inside the record head");
    const uint8_t* h = bytes + pos;
    const uint32_t index = getU32(h);
    if (index != ti) {
      return fail(err, "tensor_set", where + ": record carries tensor index " + std::to_string(index) +
                                         " (tensors must appear once each, in canonical order)");
    }
    const uint32_t br = getU16(h + 4), bc = getU16(h + 6), gr = getU32(h + 8), gc = getU32(h + 12);
    if (br != t.br || bc != t.bc || gr != t.gr || gc != t.gc) {
      return fail(err, "chunk_grid", where + ": chunk grid " + std::to_string(gr) + "x" + std::to_string(gc) +
                                         " of " + std::to_string(br) + "x" + std::to_string(bc) + ", expected " +
                                         std::to_string(t.gr) + "x" + std::to_string(t.gc) + " of " +
                                         std::to_string(t.br) + "x" + std::to_string(t.bc));
    }
    const uint32_t k = getU16(h + 16);
    if (k != t.k) {
      return fail(err, "bad_k", where + ": k = " + std::to_string(k) + ", expected " + std::to_string(t.k));
    }
    const int r = h[18];
    if (r > kMaxRice) return fail(err, "bad_rice", where + ": Rice parameter " + std::to_string(r) + " > 15");
    if (h[19] != 0) return fail(err, "reserved", where + ": reserved byte is not zero");
    float q[6];
    for (int i = 0; i < 6; i++) {
      q[i] = getF32(h + 20 + 4 * i);
      if (!std::isfinite(q[i])) {
        static const char* names[6] = {"shift", "scale", "lut[0]", "lut[1]", "lut[2]", "lut[3]"};
        return fail(err, "non_finite", where + ": " + names[i] + " is not finite");
      }
    }
    if (!(q[1] >= 0.0f && q[1] <= kMaxAbsValue)) {
      return fail(err, "scale_out_of_bounds", where + ": scale " + std::to_string(q[1]) + " outside [0, 1e6]");
    }
    for (int i : {0, 2, 3, 4, 5}) {
      if (!(std::fabs(q[i]) <= kMaxAbsValue)) {
        return fail(err, "value_out_of_bounds", where + ": |" + (i == 0 ? "shift" : "lut value") + "| > 1e6");
      }
    }
    std::memcpy(out.quant.data() + 6 * ti, q, sizeof q);
    const uint32_t indexBytes = getU32(h + 44);
    pos += kRecordHead;
    if (indexBytes > len - pos) {
      return fail(err, "truncated", where + ": index stream of " + std::to_string(indexBytes) +
                                        " bytes runs past the end of the payload");
    }
    BitReader br_(bytes + pos, indexBytes);
    uint16_t* idx = out.indices.data() + t.valueOffset;
    const int64_t n = t.chunkElems();
    const uint32_t qLimit = static_cast<uint32_t>(n >> r);
    for (int64_t c = 0; c < t.chunks(); c++) {
      int64_t prev = -1;
      for (int64_t j = 0; j < t.k; j++) {
        uint32_t qv = 0, rem = 0;
        auto s = br_.unary(qLimit, qv);
        if (s == BitReader::kOk) s = br_.bits(r, rem);
        if (s == BitReader::kExhausted) {
          return fail(err, "index_stream", where + ": index stream ends before chunk " + std::to_string(c) +
                                               " value " + std::to_string(j));
        }
        const int64_t i = (s == BitReader::kTooLong) ? n : prev + 1 + ((static_cast<int64_t>(qv) << r) | rem);
        if (i >= n) {
          return fail(err, "index_out_of_chunk", where + ": chunk " + std::to_string(c) + " index beyond " +
                                                     std::to_string(n - 1));
        }
        idx[c * t.k + j] = static_cast<uint16_t>(i);
        prev = i;
      }
    }
    if (!br_.onlyZeroPaddingLeft()) {
      return fail(err, "index_stream", where + ": index stream has extra or non-zero trailing bits");
    }
    pos += indexBytes;
    const int64_t nv = t.values();
    const size_t codeBytes = static_cast<size_t>((nv + 3) / 4);
    if (codeBytes > len - pos) return fail(err, "truncated", where + ": payload ends inside the 2-bit codes");
    uint8_t* codes = out.codes.data() + t.valueOffset;
    const uint8_t* cb = bytes + pos;
    for (int64_t i = 0; i < nv; i++) codes[i] = static_cast<uint8_t>((cb[i / 4] >> (2 * (i % 4))) & 3);
    if (nv % 4 != 0 && (cb[codeBytes - 1] >> (2 * (nv % 4))) != 0) {
      return fail(err, "padding", where + ": non-zero padding bits after the last 2-bit code");
    }
    pos += codeBytes;
  }
  if (pos != len) {
    return fail(err, "length", std::to_string(len - pos) + " unexpected bytes after the last tensor record");
  }
  return true;
}

}  // namespace gm::compress
