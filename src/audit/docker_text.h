#pragma once
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "audit/docker_daemon.h"

// Limits and text helpers shared by the dockerd flag, daemon.json, ExecStart=
// and environment file parsers and the Docker rules.
namespace hostward::audit::docker_text {

constexpr size_t kMaxWords = 4096;       // words of one command line
constexpr size_t kMaxValue = 64 * 1024;  // one expanded variable or word
constexpr size_t kMaxHosts = 256;

inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

inline bool all_digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

inline bool is_env_name(std::string_view s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

inline std::string where(const Origin& o) {
  return o.line > 0 ? fmt::format("{}:{}", o.path, o.line) : o.path;
}

// A value fit for a message: no control characters, no credentials before '@'.
inline std::string printable(std::string_view s) {
  std::string out;
  if (const size_t at = s.rfind('@'); at != std::string_view::npos) {
    const size_t scheme = s.find("://");
    const size_t from = scheme == std::string_view::npos ? 0 : scheme + 3;
    if (at >= from) {
      out = std::string(s.substr(0, from)) + "...";
      s = s.substr(at);
    }
  }
  for (const char c : s.substr(0, 200))
    out += std::iscntrl(static_cast<unsigned char>(c)) ? '?' : c;
  return out;
}

// systemd's split of a value into words (extract_first_word, relaxed), at most kMaxWords.
std::vector<std::string> split_words(std::string_view s, bool cunescape);

}  // namespace hostward::audit::docker_text
