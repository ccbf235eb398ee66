// Byte-level helpers of the event store's files: LEB128 varints, zigzag, little-endian words,
// CRC-32C (SSE4.2 when the CPU has it), and a bounds-checked reader that never reads past its end.
// Thread-safety: pure functions; a Reader is a plain value.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace vigil::eventstore {

inline void putVar(std::string& o, uint64_t v) {
  if (v < 0x80) {
    o.push_back(static_cast<char>(v));
    return;
  }
  while (v >= 0x80) {
    o.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  o.push_back(static_cast<char>(v));
}
inline uint64_t zigzag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t unzigzag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }
inline void putU32(std::string& o, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);  // the files are little-endian; vigil runs on x86-64 and arm64 (both LE)
  o.append(b, 4);
}
inline void putU64(std::string& o, uint64_t v) {
  char b[8];
  std::memcpy(b, &v, 8);
  o.append(b, 8);
}
inline uint32_t getU32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline uint64_t getU64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

uint32_t crc32c(const void* data, size_t size, uint32_t crc = 0);
inline uint32_t crc32c(std::string_view s) { return crc32c(s.data(), s.size()); }

// Reads varints and byte runs; any overrun sets ok = false and returns zeros/empty.
struct Reader {
  const char* p;
  const char* end;
  bool ok = true;
  explicit Reader(std::string_view s) : p(s.data()), end(s.data() + s.size()) {}
  uint64_t var() {
    uint64_t v = 0;
    for (int shift = 0; p < end && shift < 64; shift += 7) {
      const auto b = static_cast<uint8_t>(*p++);
      v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return v;
    }
    ok = false;
    return 0;
  }
  int64_t svar() { return unzigzag(var()); }
  uint8_t byte() {
    if (p >= end) {
      ok = false;
      return 0;
    }
    return static_cast<uint8_t>(*p++);
  }
  std::string_view bytes(uint64_t n) {
    if (static_cast<uint64_t>(end - p) < n) {
      ok = false;
      p = end;
      return {};
    }
    std::string_view s(p, n);
    p += n;
    return s;
  }
  bool done() const { return p == end; }
};

}  // namespace vigil::eventstore
