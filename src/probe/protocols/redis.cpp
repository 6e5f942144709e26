#include "probe/protocols/redis.h"

namespace hostward::probe {

namespace {

bool starts_with_word(const std::string& line, std::string_view word) {
  return line.rfind(word, 0) == 0 && (line.size() == word.size() || line[word.size()] == ' ');
}

Reply on_info(std::string_view received, bool closed, ServiceResult& r) {
  const auto v = parse_resp(received);
  if (!v && !closed) return Reply::need_more;
  // Access was settled by PING; INFO only adds what it can.
  if (!v || v->type != RespType::bulk_string) {
    r.detail += v && v->type == RespType::error ? "; INFO refused: " + abridge(v->text, 80)
                                                : "; INFO reply unreadable";
    return Reply::done;
  }
  const auto info = parse_redis_info(v->text);
  for (const char* key : {"redis_version", "os", "redis_mode"}) {
    const auto it = info.find(key);
    if (it != info.end()) r.facts[key] = abridge(it->second, 100);
  }
  if (const auto it = info.find("redis_version"); it != info.end()) {
    r.version = abridge(it->second, 40);
  }
  return Reply::done;
}

Reply on_ping(std::string_view received, bool closed, ServiceResult& r, std::vector<Step>& next) {
  r.service = "redis";
  const auto v = parse_resp(received);
  if (!v) {
    if (!closed) return Reply::need_more;
    r.access = Access::unknown;
    r.detail = received.empty() ? "closed the connection without answering PING"
                                : "closed the connection in the middle of a reply";
    return Reply::done;
  }
  if (v->type == RespType::simple_string && v->text == "PONG") {
    r.access = Access::open;
    r.detail = "answers PING without a password";
    next.push_back(Step{"INFO server\r\n", [](std::string_view in, bool c, ServiceResult& res,
                                              std::vector<Step>&) { return on_info(in, c, res); }});
    return Reply::done;
  }
  if (v->type == RespType::error) {
    const std::string said = abridge(v->text, 120);
    if (starts_with_word(v->text, "NOAUTH") || starts_with_word(v->text, "NOPERM")) {
      r.access = Access::auth_required;
      r.detail = "asks for a password: " + said;
    } else if (starts_with_word(v->text, "DENIED")) {
      r.access = Access::refused;
      r.detail = "protected mode refuses remote clients: " + said;
    } else if (starts_with_word(v->text, "LOADING") || starts_with_word(v->text, "BUSY") ||
               starts_with_word(v->text, "MASTERDOWN")) {
      r.access = Access::unknown;
      r.detail = "Redis is not ready: " + said;
    } else {
      r.access = Access::not_service;
      r.detail = "answered PING with an error: " + said;
    }
    return Reply::done;
  }
  r.access = Access::not_service;
  r.detail = v->type == RespType::invalid ? "not Redis: " + v->text
                                          : "answered PING with something other than PONG";
  return Reply::done;
}

}  // namespace

std::map<std::string, std::string> parse_redis_info(std::string_view text) {
  std::map<std::string, std::string> out;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    out.emplace(std::string(line.substr(0, colon)), std::string(line.substr(colon + 1)));
  }
  return out;
}

std::vector<Step> redis_steps(const ProtocolOptions&) { return {Step{"PING\r\n", on_ping}}; }

}  // namespace hostward::probe
