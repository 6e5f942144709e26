#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

// Little-endian integers in byte strings, as MySQL and MongoDB put them on the
// wire. Readers take an offset the caller has checked against the size.
namespace hostward::probe::wire {

inline uint32_t le_uint(std::string_view bytes, size_t at, size_t width) {
  uint32_t v = 0;
  for (size_t i = 0; i < width; ++i) {
    v |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  }
  return v;
}

inline int32_t le_int32(std::string_view bytes, size_t at) {
  return static_cast<int32_t>(le_uint(bytes, at, 4));
}

inline int64_t le_int64(std::string_view bytes, size_t at) {
  const uint64_t low = le_uint(bytes, at, 4);
  const uint64_t high = le_uint(bytes, at + 4, 4);
  return static_cast<int64_t>(low | (high << 32));
}

inline void append_le(std::string& out, uint32_t v, size_t width) {
  for (size_t i = 0; i < width; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace hostward::probe::wire
