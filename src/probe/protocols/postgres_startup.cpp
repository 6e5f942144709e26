#include "probe/protocols/postgres_startup.h"

#include <cstdint>

namespace hostward::probe {

namespace {

void put32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

uint32_t get32(std::string_view s, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(s[at + i]);
  return v;
}

}  // namespace

std::string pg_startup_message(const std::string& user, const std::string& database) {
  std::string body;
  put32(body, 196608);  // protocol 3.0
  for (const auto& [k, v] : {std::pair<std::string, std::string>{"user", user},
                             {"database", database},
                             {"application_name", "hostward-probe"}}) {
    body += k;
    body.push_back('\0');
    body += v;
    body.push_back('\0');
  }
  body.push_back('\0');
  std::string out;
  put32(out, static_cast<uint32_t>(body.size() + 4));
  return out + body;
}

std::optional<PgAuthReply> parse_pg_auth_reply(std::string_view data) {
  PgAuthReply r;
  if (data.empty()) return std::nullopt;
  const char type = data[0];
  if (type != 'R' && type != 'E') return r;  // not_postgres
  if (data.size() < 5) return std::nullopt;
  const uint32_t len = get32(data, 1);
  if (len < 4 || len > 65536) return r;
  if (data.size() < 1 + static_cast<size_t>(len)) return std::nullopt;
  const std::string_view body = data.substr(5, len - 4);
  if (type == 'E') {
    r.kind = PgAuthReply::error;
    size_t at = 0;
    while (at < body.size() && body[at] != '\0') {
      const char field = body[at++];
      const size_t end = body.find('\0', at);
      if (end == std::string_view::npos) break;
      const std::string_view value = body.substr(at, std::min<size_t>(end - at, 512));
      if (field == 'C') r.sqlstate = value;
      if (field == 'M') r.message = value;
      at = end + 1;
    }
    return r;
  }
  if (body.size() < 4) return r;
  r.code = static_cast<int>(get32(body, 0));
  switch (r.code) {
    case 0:
      r.kind = PgAuthReply::ok;
      break;
    case 3:
      r.kind = PgAuthReply::cleartext;
      break;
    case 5:
      r.kind = PgAuthReply::md5;
      break;
    case 10: {
      r.kind = PgAuthReply::sasl;
      size_t at = 4;
      while (at < body.size() && body[at] != '\0' && r.mechanisms.size() < 8) {
        const size_t end = body.find('\0', at);
        if (end == std::string_view::npos) break;
        r.mechanisms.emplace_back(body.substr(at, std::min<size_t>(end - at, 64)));
        at = end + 1;
      }
      break;
    }
    default:
      r.kind = PgAuthReply::other_auth;
  }
  return r;
}

}  // namespace hostward::probe
