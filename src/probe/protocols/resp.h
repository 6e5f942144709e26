#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

// RESP2, the Redis serialization protocol, as far as a probe reads it.
namespace hostward::probe {

enum class RespType { simple_string, error, integer, bulk_string, null, array, invalid };

struct RespValue {
  RespType type = RespType::invalid;
  // The simple string, the error line ("NOAUTH Authentication required."),
  // the integer's digits, the bulk string; for `invalid`, what is wrong.
  std::string text;
  std::vector<RespValue> items;  // the elements of an array
  size_t consumed = 0;           // bytes of the input this value spans
};

inline constexpr size_t kRespMaxBulkLength = 16 << 20;
inline constexpr int kRespMaxArrayDepth = 8;

// The first value in `bytes`; nullopt while it is incomplete. Bytes that cannot
// be RESP give type `invalid` as soon as they are seen, so a foreign service is
// told apart without waiting for a timeout.
std::optional<RespValue> parse_resp(std::string_view bytes);

}  // namespace hostward::probe
