#pragma once
#include <algorithm>
#include <cctype>
#include <string_view>

// Character and word tests shared by the crontab parser, the job command lexer
// and the scheduled-jobs rule.
namespace hostward::audit::job_text {

// How deep sh -c inside sh -c (and $(...) inside it) is followed.
constexpr int kMaxShellDepth = 4;

inline bool is_blank(char c) { return c == ' ' || c == '\t'; }
inline bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
inline bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

inline bool starts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}
inline bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

inline bool all_digits(std::string_view s) { return std::all_of(s.begin(), s.end(), is_digit); }

inline bool is_name_start(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
inline bool is_name_char(char c) { return is_alnum(c) || c == '_'; }

inline bool is_assignment(std::string_view word) {
  const size_t eq = word.find('=');
  if (eq == std::string_view::npos || eq == 0 || !is_name_start(word[0])) return false;
  return std::all_of(word.begin(), word.begin() + static_cast<long>(eq), is_name_char);
}

}  // namespace hostward::audit::job_text
