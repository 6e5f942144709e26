#include "probe/protocols/memcached.h"

#include <array>

namespace hostward::probe {

namespace {

constexpr std::array<std::string_view, 5> kReplyStarts = {"STAT ", "END", "ERROR", "CLIENT_ERROR",
                                                          "SERVER_ERROR"};

// Whether `partial`, a line not yet ended, could still become one memcached sends.
bool could_be_reply_line(std::string_view partial) {
  for (const auto start : kReplyStarts) {
    const size_t n = std::min(partial.size(), start.size());
    if (partial.substr(0, n) == start.substr(0, n)) return true;
  }
  return false;
}

MemcachedStats with_line(MemcachedStats::Kind kind, std::string_view line) {
  MemcachedStats s;
  s.kind = kind;
  s.line = std::string(line.substr(0, 200));
  return s;
}

bool is_error_line(std::string_view line) {
  return line == "ERROR" || line.rfind("CLIENT_ERROR", 0) == 0 ||
         line.rfind("SERVER_ERROR", 0) == 0;
}

}  // namespace

std::optional<MemcachedStats> parse_memcached_stats(std::string_view bytes) {
  MemcachedStats out;
  out.kind = MemcachedStats::Kind::stats;
  size_t pos = 0;
  while (true) {
    const size_t eol = bytes.find("\r\n", pos);
    if (eol == std::string_view::npos) {
      const std::string_view partial = bytes.substr(pos);
      if (partial.find('\n') == std::string_view::npos && could_be_reply_line(partial)) {
        return std::nullopt;
      }
      return with_line(MemcachedStats::Kind::foreign, partial);
    }
    const std::string_view line = bytes.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.find_first_of("\r\n") != std::string_view::npos) {
      return with_line(MemcachedStats::Kind::foreign, line);  // a lone CR or LF
    }
    if (line == "END") return out;
    if (line.rfind("STAT ", 0) != 0) {
      if (out.stats.empty() && is_error_line(line)) {
        return with_line(MemcachedStats::Kind::error, line);
      }
      return with_line(MemcachedStats::Kind::foreign, line);
    }
    const std::string_view rest = line.substr(5);
    const size_t space = rest.find(' ');
    if (space == 0 || space == std::string_view::npos) {
      return with_line(MemcachedStats::Kind::foreign, line);
    }
    if (out.stats.size() >= kMemcachedMaxStats) {
      return with_line(MemcachedStats::Kind::foreign, "more than 1000 STAT lines");
    }
    out.stats.emplace(std::string(rest.substr(0, space)), std::string(rest.substr(space + 1)));
  }
}

namespace {

// A counter as a JSON number when it is one, else as text.
nlohmann::json counter(const std::string& value) {
  if (!value.empty() && value.size() <= 18 &&
      value.find_first_not_of("0123456789") == std::string::npos) {
    return std::stoll(value);
  }
  return abridge(value, 40);
}

Reply on_stats(std::string_view received, bool closed, ServiceResult& r, std::vector<Step>&) {
  r.service = "memcached";
  const auto reply = parse_memcached_stats(received);
  if (!reply) {
    if (!closed) return Reply::need_more;
    r.access = Access::unknown;
    r.detail = received.empty() ? "closed the connection without answering stats"
                                : "closed the connection before END";
    return Reply::done;
  }
  switch (reply->kind) {
    case MemcachedStats::Kind::stats: {
      r.access = Access::open;
      r.detail = "answers stats without authentication";
      const auto& stats = reply->stats;
      if (const auto it = stats.find("version"); it != stats.end()) {
        r.version = abridge(it->second, 40);
      }
      for (const char* key : {"curr_items", "curr_connections"}) {
        if (const auto it = stats.find(key); it != stats.end()) r.facts[key] = counter(it->second);
      }
      break;
    }
    case MemcachedStats::Kind::error:
      if (reply->line.rfind("CLIENT_ERROR unauthenticated", 0) == 0) {
        r.access = Access::auth_required;
        r.detail = "asks for authentication: " + abridge(reply->line, 80);
      } else {
        r.access = Access::not_service;
        r.detail = "answered stats with " + abridge(reply->line, 80);
      }
      break;
    case MemcachedStats::Kind::foreign:
      r.access = Access::not_service;
      r.detail = "not memcached: " + abridge(reply->line, 80);
      break;
  }
  return Reply::done;
}

}  // namespace

std::vector<Step> memcached_steps(const ProtocolOptions&) { return {Step{"stats\r\n", on_stats}}; }

}  // namespace hostward::probe
