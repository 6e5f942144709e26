#pragma once
#include <cctype>
#include <string>
#include <string_view>

// Character tests shared by the history decoders, the shell lexer and the
// secret detectors.
namespace hostward::audit::history_text {

constexpr size_t kNpos = std::string::npos;

inline bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
inline bool is_alpha(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }
inline bool is_name_char(char c) { return is_alnum(c) || c == '_'; }
inline int hex_digit(char c) { return is_digit(c) ? c - '0' : (c | 32) - 'a' + 10; }
inline bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

}  // namespace hostward::audit::history_text
