#include <charconv>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>

#include "audit/docker_daemon.h"
#include "audit/docker_text.h"

namespace hostward::audit {

namespace {

using namespace docker_text;

void append_utf8(uint32_t v, std::string& out) {
  if (v < 0x80) {
    out += static_cast<char>(v);
  } else if (v < 0x800) {
    out += static_cast<char>(0xC0 | (v >> 6));
    out += static_cast<char>(0x80 | (v & 0x3F));
  } else if (v < 0x10000) {
    out += static_cast<char>(0xE0 | (v >> 12));
    out += static_cast<char>(0x80 | ((v >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (v & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (v >> 18));
    out += static_cast<char>(0x80 | ((v >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((v >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (v & 0x3F));
  }
}

// systemd's cunescape_one: the escape after a backslash at s[0]; the bytes it
// stands for and how many characters it used, or 0 when systemd rejects it.
size_t c_unescape(std::string_view s, std::string& out) {
  if (s.empty()) return 0;
  static const std::map<char, char> simple = {{'a', '\a'}, {'b', '\b'},  {'f', '\f'}, {'n', '\n'},
                                              {'r', '\r'}, {'t', '\t'},  {'v', '\v'}, {'\\', '\\'},
                                              {'"', '"'},  {'\'', '\''}, {'s', ' '}};
  if (const auto it = simple.find(s[0]); it != simple.end()) {
    out += it->second;
    return 1;
  }
  auto number = [&](size_t digits, int base, uint32_t& value) {
    if (s.size() < 1 + digits) return false;
    const auto [ptr, ec] = std::from_chars(s.data() + 1, s.data() + 1 + digits, value, base);
    return ec == std::errc() && ptr == s.data() + 1 + digits;
  };
  uint32_t v = 0;
  if (s[0] == 'x') {
    if (!number(2, 16, v) || v == 0) return 0;
    out += static_cast<char>(v);
    return 3;
  }
  if (s[0] >= '0' && s[0] <= '7') {
    if (s.size() < 3 || !all_digits(s.substr(0, 3))) return 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + 3, v, 8);
    if (ec != std::errc() || ptr != s.data() + 3 || v == 0 || v > 255) return 0;
    out += static_cast<char>(v);
    return 3;
  }
  if (s[0] == 'u' || s[0] == 'U') {
    const size_t digits = s[0] == 'u' ? 4 : 8;
    if (!number(digits, 16, v) || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    append_utf8(v, out);
    return 1 + digits;
  }
  return 0;
}

// systemd's extract_first_word with EXTRACT_UNQUOTE (and EXTRACT_CUNESCAPE):
// the next word of `s` from `pos`; false at the end or, with `error` set, on
// unbalanced quotes or a bad escape (unless `relax`).
bool next_word(std::string_view s, size_t& pos, bool cunescape, bool relax, std::string& word,
               std::string* error) {
  while (pos < s.size() && is_space(s[pos])) ++pos;
  if (pos >= s.size()) return false;
  word.clear();
  char quote = 0;
  for (; pos < s.size(); ++pos) {
    const char c = s[pos];
    if (word.size() > kMaxValue) break;
    if (c == '\\') {
      if (pos + 1 >= s.size()) {
        if (relax) break;
        if (error) *error = "a backslash ends the line";
        return false;
      }
      if (!cunescape) {
        word += s[++pos];
        continue;
      }
      const size_t used = c_unescape(s.substr(pos + 1), word);
      if (used == 0) {
        if (!relax) {
          if (error) *error = "an escape systemd does not know";
          return false;
        }
        word += s[++pos];
        continue;
      }
      pos += used;
    } else if (quote != 0) {
      if (c == quote)
        quote = 0;
      else
        word += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (is_space(c)) {
      break;
    } else {
      word += c;
    }
  }
  if (quote != 0 && !relax) {
    if (error) *error = "unbalanced quoting";
    return false;
  }
  return true;
}

// Replaces ${NAME}, ${NAME:-default}, ${NAME:+alternative} and $$ in one word.
// `single` is set to the variable when the word is exactly one "${NAME}".
std::string replace_env(std::string_view w, const std::map<std::string, EnvValue>& env,
                        const EnvValue** single) {
  std::string out;
  *single = nullptr;
  for (size_t i = 0; i < w.size() && out.size() <= kMaxValue; ++i) {
    if (w[i] != '$' || i + 1 >= w.size()) {
      out += w[i];
      continue;
    }
    if (w[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    const size_t close = w[i + 1] == '{' ? w.find('}', i + 2) : std::string_view::npos;
    if (close == std::string_view::npos) {
      out += w[i];
      continue;
    }
    const std::string_view inside = w.substr(i + 2, close - i - 2);
    const size_t op = inside.find(':');
    const std::string name(inside.substr(0, op));
    const auto it = env.find(name);
    const bool set = it != env.end() && !it->second.value.empty();
    if (op != std::string_view::npos && op + 1 < inside.size() && inside[op + 1] == '-') {
      out += set ? it->second.value : std::string(inside.substr(op + 2));
    } else if (op != std::string_view::npos && op + 1 < inside.size() && inside[op + 1] == '+') {
      if (set) out += inside.substr(op + 2);
    } else if (it != env.end()) {
      out += it->second.value;
      if (i == 0 && close + 1 == w.size()) *single = &it->second;
    }
    i = close;
  }
  if (out.size() > kMaxValue) out.resize(kMaxValue);
  return out;
}

}  // namespace

namespace docker_text {

std::vector<std::string> split_words(std::string_view s, bool cunescape) {
  std::vector<std::string> out;
  std::string word;
  size_t pos = 0;
  while (out.size() < kMaxWords && next_word(s, pos, cunescape, true, word, nullptr))
    out.push_back(word);
  return out;
}

}  // namespace docker_text

std::optional<std::vector<Command>> split_exec_commands(std::string_view value,
                                                        std::string* error) {
  std::string text;
  for (size_t i = 0; i < value.size(); ++i) {  // specifiers: only %% matters here
    text += value[i];
    if (value[i] == '%' && i + 1 < value.size() && value[i + 1] == '%') ++i;
  }
  std::vector<Command> commands(1);
  size_t pos = 0;
  std::string word;
  while (pos < text.size() && commands.size() < kMaxWords && commands.back().size() < kMaxWords) {
    while (pos < text.size() && is_space(text[pos])) ++pos;
    const auto separator_at = [&](size_t at) { return at >= text.size() || is_space(text[at]); };
    if (pos < text.size() && text[pos] == ';' && separator_at(pos + 1)) {
      ++pos;
      if (!commands.back().empty()) commands.emplace_back();
      continue;
    }
    if (pos + 1 < text.size() && text[pos] == '\\' && text[pos + 1] == ';' &&
        separator_at(pos + 2)) {
      pos += 2;
      commands.back().push_back(";");
      continue;
    }
    std::string why;
    if (!next_word(text, pos, true, false, word, &why)) {
      if (why.empty()) break;
      if (error) *error = why;
      return std::nullopt;
    }
    commands.back().push_back(word);
  }
  if (commands.back().empty()) commands.pop_back();
  for (auto& c : commands) {
    size_t skip = 0;
    bool at_sign = false;
    while (skip < c[0].size() && std::strchr("-@:+!", c[0][skip]) != nullptr) {
      at_sign = at_sign || c[0][skip] == '@';
      ++skip;
    }
    c[0] = c[0].substr(skip);
    // With '@' the second word is only argv[0]; the program is the first.
    if (at_sign && c.size() >= 2) c.erase(c.begin() + 1);
  }
  return commands;
}

std::vector<Word> expand_exec_words(const std::vector<std::string>& words,
                                    const std::map<std::string, EnvValue>& env,
                                    const Origin& exec_line) {
  std::vector<Word> out;
  for (const auto& w : words) {
    if (out.size() >= kMaxWords) break;
    // "$NAME" as a word of its own: the value split at whitespace, quotes
    // removed; nothing when unset (systemd.service, "Command lines").
    if (!w.empty() && w[0] == '$' && (w.size() == 1 || (w[1] != '{' && w[1] != '$'))) {
      const auto it = env.find(w.substr(1));
      if (it == env.end()) continue;
      Origin o = it->second.origin;
      o.via = fmt::format("{} in {}", w, where(exec_line));
      for (auto& part : split_words(it->second.value, false))
        if (out.size() < kMaxWords) out.push_back({std::move(part), o});
      continue;
    }
    const EnvValue* single = nullptr;
    std::string text = replace_env(w, env, &single);
    Origin o = exec_line;
    if (single != nullptr) {
      o = single->origin;
      o.via = fmt::format("{} in {}", w, where(exec_line));
    }
    out.push_back({std::move(text), o});
  }
  return out;
}

}  // namespace hostward::audit
