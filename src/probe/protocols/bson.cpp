#include "probe/protocols/bson.h"

#include <cstring>

#include "probe/protocols/wire_bytes.h"

namespace hostward::probe {

namespace {

using nlohmann::json;

void add_key(std::string& out, char type, std::string_view key) {
  out.push_back(type);
  out.append(key);
  out.push_back('\0');
}

// Reads the elements of one document; every read is checked against `end`.
class BsonReader {
 public:
  explicit BsonReader(std::string_view bytes) : bytes_(bytes) {}

  // The document at `at`; sets `at` past it.
  std::optional<json> document(size_t& at, bool as_array, int depth) {
    if (depth > kBsonMaxDepth || !fits(at, 5)) return std::nullopt;
    const int32_t size = wire::le_int32(bytes_, at);
    if (size < 5 || !fits(at, static_cast<size_t>(size))) return std::nullopt;
    const size_t end = at + static_cast<size_t>(size) - 1;  // the terminating 0x00
    if (bytes_[end] != '\0') return std::nullopt;
    json out = as_array ? json::array() : json::object();
    size_t pos = at + 4;
    while (pos < end) {
      const char type = bytes_[pos++];
      const size_t key_end = bytes_.find('\0', pos);
      if (key_end == std::string_view::npos || key_end >= end) return std::nullopt;
      const std::string key(bytes_.substr(pos, key_end - pos));
      pos = key_end + 1;
      auto value = element(type, pos, end, depth);
      if (!value) return std::nullopt;
      if (as_array) {
        out.push_back(std::move(*value));
      } else {
        out[key] = std::move(*value);
      }
    }
    if (pos != end) return std::nullopt;
    at = end + 1;
    return out;
  }

 private:
  bool fits(size_t at, size_t n) const { return at <= bytes_.size() && n <= bytes_.size() - at; }
  bool fits(size_t at, size_t n, size_t end) const { return at <= end && n <= end - at; }

  // int32 length (with its NUL), bytes, NUL.
  std::optional<std::string> string_at(size_t& pos, size_t end) {
    if (!fits(pos, 4, end)) return std::nullopt;
    const int32_t len = wire::le_int32(bytes_, pos);
    if (len < 1 || !fits(pos + 4, static_cast<size_t>(len), end)) return std::nullopt;
    const size_t nul = pos + 4 + static_cast<size_t>(len) - 1;
    if (bytes_[nul] != '\0') return std::nullopt;
    std::string s(bytes_.substr(pos + 4, static_cast<size_t>(len) - 1));
    pos = nul + 1;
    return s;
  }

  bool skip(size_t& pos, size_t n, size_t end) {
    if (!fits(pos, n, end)) return false;
    pos += n;
    return true;
  }

  bool skip_cstring(size_t& pos, size_t end) {
    const size_t nul = bytes_.find('\0', pos);
    if (nul == std::string_view::npos || nul >= end) return false;
    pos = nul + 1;
    return true;
  }

  std::optional<json> element(char type, size_t& pos, size_t end, int depth) {
    switch (static_cast<unsigned char>(type)) {
      case 0x01: {  // double
        if (!fits(pos, 8, end)) return std::nullopt;
        const uint64_t bits = static_cast<uint64_t>(wire::le_int64(bytes_, pos));
        double d = 0;
        static_assert(sizeof d == sizeof bits);
        std::memcpy(&d, &bits, sizeof d);
        pos += 8;
        return json(d);
      }
      case 0x02:    // string
      case 0x0D:    // JavaScript code
      case 0x0E: {  // symbol
        auto s = string_at(pos, end);
        if (!s) return std::nullopt;
        return json(std::move(*s));
      }
      case 0x03:    // document
      case 0x04: {  // array
        if (pos >= end) return std::nullopt;
        auto doc = document(pos, type == 0x04, depth + 1);
        if (!doc || pos > end) return std::nullopt;
        return doc;
      }
      case 0x05: {  // binary: int32 length, subtype, bytes
        if (!fits(pos, 4, end)) return std::nullopt;
        const int32_t len = wire::le_int32(bytes_, pos);
        if (len < 0 || !skip(pos, 5 + static_cast<size_t>(len), end)) return std::nullopt;
        return json(nullptr);
      }
      case 0x06:  // undefined
      case 0x0A:  // null
      case 0x7F:  // max key
      case 0xFF:  // min key
        return json(nullptr);
      case 0x07: {  // ObjectId
        if (!fits(pos, 12, end)) return std::nullopt;
        static const char kHex[] = "0123456789abcdef";
        std::string hex;
        for (size_t i = 0; i < 12; ++i) {
          const auto b = static_cast<unsigned char>(bytes_[pos + i]);
          hex += kHex[b >> 4];
          hex += kHex[b & 0xf];
        }
        pos += 12;
        return json(std::move(hex));
      }
      case 0x08: {  // bool
        if (!fits(pos, 1, end)) return std::nullopt;
        const char b = bytes_[pos++];
        if (b != 0 && b != 1) return std::nullopt;
        return json(b == 1);
      }
      case 0x09:    // UTC datetime, ms
      case 0x11:    // timestamp
      case 0x12: {  // int64
        if (!fits(pos, 8, end)) return std::nullopt;
        const int64_t v = wire::le_int64(bytes_, pos);
        pos += 8;
        if (type == 0x11) return json(static_cast<uint64_t>(v));
        return json(v);
      }
      case 0x0B:  // regex: pattern, options
        if (!skip_cstring(pos, end) || !skip_cstring(pos, end)) return std::nullopt;
        return json(nullptr);
      case 0x0C:  // DBPointer: string, 12-byte id
        if (!string_at(pos, end) || !skip(pos, 12, end)) return std::nullopt;
        return json(nullptr);
      case 0x0F: {  // code with scope: int32 total size, string, document
        if (!fits(pos, 4, end)) return std::nullopt;
        const int32_t len = wire::le_int32(bytes_, pos);
        if (len < 14 || !skip(pos, static_cast<size_t>(len), end)) return std::nullopt;
        return json(nullptr);
      }
      case 0x10: {  // int32
        if (!fits(pos, 4, end)) return std::nullopt;
        const int32_t v = wire::le_int32(bytes_, pos);
        pos += 4;
        return json(v);
      }
      case 0x13:  // decimal128
        if (!skip(pos, 16, end)) return std::nullopt;
        return json(nullptr);
      default:
        return std::nullopt;
    }
  }

  std::string_view bytes_;
};

}  // namespace

BsonWriter& BsonWriter::add_int32(std::string_view key, int32_t value) {
  add_key(elements_, 0x10, key);
  wire::append_le(elements_, static_cast<uint32_t>(value), 4);
  return *this;
}

BsonWriter& BsonWriter::add_bool(std::string_view key, bool value) {
  add_key(elements_, 0x08, key);
  elements_.push_back(value ? 1 : 0);
  return *this;
}

BsonWriter& BsonWriter::add_string(std::string_view key, std::string_view value) {
  add_key(elements_, 0x02, key);
  wire::append_le(elements_, static_cast<uint32_t>(value.size() + 1), 4);
  elements_.append(value);
  elements_.push_back('\0');
  return *this;
}

std::string BsonWriter::document() const {
  std::string out;
  wire::append_le(out, static_cast<uint32_t>(4 + elements_.size() + 1), 4);
  out += elements_;
  out.push_back('\0');
  return out;
}

std::optional<nlohmann::json> parse_bson(std::string_view bytes) {
  if (bytes.size() >= 4 && static_cast<uint32_t>(wire::le_int32(bytes, 0)) > kBsonMaxSize) {
    return std::nullopt;
  }
  size_t at = 0;
  return BsonReader(bytes).document(at, false, 0);
}

}  // namespace hostward::probe
