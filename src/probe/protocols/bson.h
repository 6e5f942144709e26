#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

// Just enough BSON for MongoDB commands and their replies.
namespace hostward::probe {

// Builds one flat document, elements in the order added (a command's name
// must come first).
class BsonWriter {
 public:
  BsonWriter& add_int32(std::string_view key, int32_t value);
  BsonWriter& add_bool(std::string_view key, bool value);
  BsonWriter& add_string(std::string_view key, std::string_view value);
  std::string document() const;  // int32 size, elements, 0x00

 private:
  std::string elements_;
};

inline constexpr int kBsonMaxDepth = 32;
inline constexpr size_t kBsonMaxSize = 16 << 20;

// The document at the start of `bytes` (its declared size may be less than
// bytes.size()) as JSON: double, string, document, array, bool, int32, int64
// and null as themselves; ObjectId as 24 hex digits; datetime, timestamp as
// integers; binary, regex, decimal128, code and the like as null. nullopt when
// malformed: a size past the end, no terminating NUL, an unknown type, nesting
// deeper than 32.
std::optional<nlohmann::json> parse_bson(std::string_view bytes);

}  // namespace hostward::probe
