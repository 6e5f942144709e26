#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

// Hand-built BSON for tests: every element type the replies use, byte by byte.
namespace hostward::probe::bson_doc {

inline std::string le(uint64_t v, size_t width) {
  std::string out;
  for (size_t i = 0; i < width; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return out;
}

inline std::string head(char type, std::string_view key) {
  return std::string(1, type) + std::string(key) + '\0';
}

inline std::string doc(const std::string& elements) {
  return le(4 + elements.size() + 1, 4) + elements + '\0';
}

inline std::string f64(std::string_view key, double v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  return head(0x01, key) + le(bits, 8);
}
inline std::string str(std::string_view key, std::string_view v) {
  return head(0x02, key) + le(v.size() + 1, 4) + std::string(v) + '\0';
}
inline std::string sub(std::string_view key, const std::string& document) {
  return head(0x03, key) + document;
}
inline std::string arr(std::string_view key, const std::string& document) {
  return head(0x04, key) + document;
}
inline std::string oid(std::string_view key, std::string_view twelve) {
  return head(0x07, key) + std::string(twelve);
}
inline std::string boolean(std::string_view key, bool v) {
  return head(0x08, key) + std::string(1, v ? 1 : 0);
}
inline std::string datetime(std::string_view key, int64_t ms) {
  return head(0x09, key) + le(static_cast<uint64_t>(ms), 8);
}
inline std::string i32(std::string_view key, int32_t v) {
  return head(0x10, key) + le(static_cast<uint32_t>(v), 4);
}
inline std::string timestamp(std::string_view key, uint32_t seconds, uint32_t increment) {
  return head(0x11, key) + le(increment, 4) + le(seconds, 4);
}
inline std::string i64(std::string_view key, int64_t v) {
  return head(0x12, key) + le(static_cast<uint64_t>(v), 8);
}
inline std::string binary(std::string_view key, char subtype, std::string_view data) {
  return head(0x05, key) + le(data.size(), 4) + std::string(1, subtype) + std::string(data);
}

}  // namespace hostward::probe::bson_doc
