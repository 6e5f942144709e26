#include "probe/protocols/resp.h"

#include "probe/service_result.h"

namespace hostward::probe {

namespace {

constexpr size_t kMaxArrayItems = 1 << 20;

RespValue invalid(std::string why) {
  RespValue v;
  v.text = std::move(why);
  return v;
}

// "-1", "0", "42": an optional minus and at most 18 digits.
bool parse_decimal(std::string_view s, long long& out) {
  const bool negative = !s.empty() && s.front() == '-';
  if (negative) s.remove_prefix(1);
  if (s.empty() || s.size() > 18) return false;
  long long v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  out = negative ? -v : v;
  return true;
}

std::optional<RespValue> parse_at(std::string_view bytes, size_t at, int depth);

// A bulk string or array whose header line `line` ended at `body`.
std::optional<RespValue> parse_sized(std::string_view bytes, size_t at, char type,
                                     std::string_view line, size_t body, int depth) {
  long long n = 0;
  if (!parse_decimal(line, n) || n < -1) return invalid("bad length " + abridge(line, 40));
  RespValue v;
  if (n == -1) {
    v.type = RespType::null;
    v.consumed = body - at;
    return v;
  }
  if (type == '$') {
    if (static_cast<size_t>(n) > kRespMaxBulkLength) {
      return invalid("bulk string of " + std::to_string(n) + " bytes, more than 16 MiB");
    }
    const size_t len = static_cast<size_t>(n);
    if (bytes.size() - body < len + 2) return std::nullopt;
    if (bytes.substr(body + len, 2) != "\r\n") return invalid("bulk string not ended by CRLF");
    v.type = RespType::bulk_string;
    v.text = std::string(bytes.substr(body, len));
    v.consumed = body + len + 2 - at;
    return v;
  }
  if (static_cast<size_t>(n) > kMaxArrayItems) {
    return invalid("array of " + std::to_string(n) + " elements");
  }
  if (depth >= kRespMaxArrayDepth) return invalid("arrays nested deeper than 8");
  v.type = RespType::array;
  size_t pos = body;
  for (long long i = 0; i < n; ++i) {
    auto item = parse_at(bytes, pos, depth + 1);
    if (!item) return std::nullopt;
    if (item->type == RespType::invalid) return item;
    pos += item->consumed;
    v.items.push_back(std::move(*item));
  }
  v.consumed = pos - at;
  return v;
}

std::optional<RespValue> parse_at(std::string_view bytes, size_t at, int depth) {
  if (at >= bytes.size()) return std::nullopt;
  const char type = bytes[at];
  if (type != '+' && type != '-' && type != ':' && type != '$' && type != '*') {
    return invalid("not RESP: starts with " + abridge(bytes.substr(at, 1)));
  }
  const size_t eol = bytes.find("\r\n", at + 1);
  const std::string_view line =
      bytes.substr(at + 1, eol == std::string_view::npos ? std::string_view::npos : eol - at - 1);
  // CR and LF only ever come together; a lone one means another protocol.
  const size_t stray = line.find_first_of("\r\n");
  if (stray != std::string_view::npos &&
      !(eol == std::string_view::npos && stray == line.size() - 1 && line.back() == '\r')) {
    return invalid("line broken by a lone CR or LF");
  }
  if (eol == std::string_view::npos) return std::nullopt;
  const size_t body = eol + 2;

  if (type == '$' || type == '*') return parse_sized(bytes, at, type, line, body, depth);
  RespValue v;
  v.consumed = body - at;
  v.text = std::string(line);
  if (type == '+') {
    v.type = RespType::simple_string;
  } else if (type == '-') {
    v.type = RespType::error;
  } else {
    long long n = 0;
    if (!parse_decimal(line, n)) return invalid("bad integer " + abridge(line, 40));
    v.type = RespType::integer;
  }
  return v;
}

}  // namespace

std::optional<RespValue> parse_resp(std::string_view bytes) { return parse_at(bytes, 0, 0); }

}  // namespace hostward::probe
