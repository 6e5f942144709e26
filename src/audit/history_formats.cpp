#include <algorithm>
#include <string>

#include "audit/history_text.h"
#include "audit/shell_history.h"

namespace hostward::audit {

namespace {

using namespace history_text;

template <typename F>
void for_each_line(std::string_view text, F f) {
  size_t start = 0, number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == kNpos) end = text.size();
    f(++number, text.substr(start, end - start));
    start = end + 1;
  }
}

// bash and readline write "#<seconds>" before a command when timestamps are on.
bool is_timestamp_line(std::string_view line) {
  return line.size() > 1 && line[0] == '#' &&
         std::all_of(line.begin() + 1, line.end(), [](char c) { return is_digit(c); });
}

class EntrySink {
 public:
  explicit EntrySink(const std::function<void(const HistoryEntry&)>& each) : each_(each) {}
  void emit(size_t line, std::string text) {
    if (text.empty()) return;
    if (text.size() > kMaxHistoryEntry) {
      ++skipped_;
      return;
    }
    each_(HistoryEntry{line, std::move(text)});
  }
  void too_long() { ++skipped_; }
  size_t skipped() const { return skipped_; }

 private:
  const std::function<void(const HistoryEntry&)>& each_;
  size_t skipped_ = 0;
};

// Physical lines joined into one entry, bounded: an entry that grows past the
// cap is dropped (counted once) and the rest of it is not kept.
class PendingEntry {
 public:
  bool empty() const { return !open_; }
  void append(size_t line, std::string_view text) {
    if (!open_) {
      open_ = true;
      line_ = line;
      too_long_ = false;
      text_.clear();
    }
    if (too_long_) return;
    if (text_.size() + text.size() > kMaxHistoryEntry) {
      too_long_ = true;
      text_.clear();
      text_.shrink_to_fit();
      return;
    }
    text_.append(text);
  }
  template <typename Decode>
  void finish(EntrySink& sink, Decode decode) {
    if (!open_) return;
    open_ = false;
    if (too_long_) {
      sink.too_long();
      return;
    }
    sink.emit(line_, decode(std::move(text_)));
    text_ = {};
  }

 private:
  bool open_ = false, too_long_ = false;
  size_t line_ = 0;
  std::string text_;
};

size_t trailing_backslashes(std::string_view line) {
  size_t n = 0;
  while (n < line.size() && line[line.size() - 1 - n] == '\\') ++n;
  return n;
}

// bash: a line that ends in an unescaped backslash goes on; the backslash and
// the newline stay, so the shell lexer reads them as a line continuation.
void parse_sh(std::string_view text, EntrySink& sink) {
  PendingEntry entry;
  const auto keep = [](std::string s) { return s; };
  for_each_line(text, [&](size_t number, std::string_view line) {
    if (entry.empty() && is_timestamp_line(line)) return;
    const bool continued = trailing_backslashes(line) % 2 == 1;
    entry.append(number, line);
    if (continued) {
      entry.append(number, "\n");
      return;
    }
    entry.finish(sink, keep);
  });
  entry.finish(sink, keep);
}

// zsh stores bytes 0x83-0x9f... metafied: Meta (0x83), then the byte xor 32.
std::string unmetafy(std::string s) {
  size_t out = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) == 0x83 && i + 1 < s.size())
      s[out++] = static_cast<char>(s[++i] ^ 32);
    else
      s[out++] = s[i];
  }
  s.resize(out);
  return s;
}

// ": 1700000000:0;cmd" (EXTENDED_HISTORY): the command follows the first ';'.
std::string strip_zsh_extended(std::string s) {
  if (!starts_with(s, ": ")) return s;
  const size_t semicolon = s.find(';');
  return semicolon == kNpos ? std::string() : s.substr(semicolon + 1);
}

void parse_zsh(std::string_view text, EntrySink& sink) {
  PendingEntry entry;
  const auto decode = [](std::string s) { return strip_zsh_extended(unmetafy(std::move(s))); };
  for_each_line(text, [&](size_t number, std::string_view line) {
    // readhistline: a trailing backslash becomes the newline it stood for.
    if (!line.empty() && line.back() == '\\') {
      entry.append(number, line.substr(0, line.size() - 1));
      entry.append(number, "\n");
      return;
    }
    entry.append(number, line);
    entry.finish(sink, decode);
  });
  entry.finish(sink, decode);
}

// fish's unescape_yaml_fish_2_0: "\\" is a backslash, "\n" a newline, any
// other backslash stays as it is.
std::string unescape_fish(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && (s[i + 1] == '\\' || s[i + 1] == 'n')) {
      out += s[i + 1] == 'n' ? '\n' : '\\';
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

void parse_fish(std::string_view text, EntrySink& sink) {
  for_each_line(text, [&](size_t number, std::string_view line) {
    constexpr std::string_view kCmd = "- cmd: ";
    if (!starts_with(line, kCmd)) return;  // when:, paths: and their items
    if (line.size() - kCmd.size() > kMaxHistoryEntry) return sink.too_long();
    sink.emit(number, unescape_fish(line.substr(kCmd.size())));
  });
}

char control_of(char c) { return c == '?' ? '\177' : static_cast<char>(c & 037); }

// strunvis(3) for what libedit's history_save writes with strvis(VIS_WHITE).
std::string unvis(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char d = s[++i];
    if (d >= '0' && d <= '7') {
      unsigned value = 0;
      size_t digits = 0;
      for (; digits < 3 && i < s.size() && s[i] >= '0' && s[i] <= '7'; ++digits, ++i)
        value = value * 8 + static_cast<unsigned>(s[i] - '0');
      out += static_cast<char>(value & 0xff);
      --i;
    } else if (d == 'M' && i + 2 < s.size() && (s[i + 1] == '-' || s[i + 1] == '^')) {
      const char c = s[i + 1] == '-' ? s[i + 2] : control_of(s[i + 2]);
      out += static_cast<char>(static_cast<unsigned char>(c) | 0x80);
      i += 2;
    } else if (d == '^' && i + 1 < s.size()) {
      out += control_of(s[++i]);
    } else {
      static constexpr std::string_view kFrom = "ntrbavfsE", kTo = "\n\t\r\b\a\v\f \033";
      const size_t at = kFrom.find(d);
      if (at != kNpos)
        out += kTo[at];
      else if (d != '\n' && d != '$')
        out += d;  // \<newline> and \$ stand for nothing
    }
  }
  return out;
}

// psql and mysql: libedit ("_HiStOrY_V2_" first) or readline (plain lines).
void parse_client(std::string_view text, bool psql, EntrySink& sink) {
  bool libedit = false;
  for_each_line(text, [&](size_t number, std::string_view line) {
    if (number == 1 && line == "_HiStOrY_V2_") {
      libedit = true;
      return;
    }
    if (!libedit && is_timestamp_line(line)) return;
    if (line.size() > kMaxHistoryEntry) return sink.too_long();
    std::string entry = libedit ? unvis(line) : std::string(line);
    if (psql) std::replace(entry.begin(), entry.end(), '\x01', '\n');  // psql's NL_IN_HISTORY
    sink.emit(number, std::move(entry));
  });
}

void parse_plain(std::string_view text, EntrySink& sink) {
  for_each_line(text, [&](size_t number, std::string_view line) {
    if (line.size() > kMaxHistoryEntry) return sink.too_long();
    sink.emit(number, std::string(line));
  });
}

}  // namespace

size_t for_each_history_entry(HistoryFormat format, std::string_view text,
                              const std::function<void(const HistoryEntry&)>& each) {
  EntrySink sink(each);
  switch (format) {
    case HistoryFormat::sh:
      parse_sh(text, sink);
      break;
    case HistoryFormat::zsh:
      parse_zsh(text, sink);
      break;
    case HistoryFormat::fish:
      parse_fish(text, sink);
      break;
    case HistoryFormat::psql:
    case HistoryFormat::mysql:
      parse_client(text, format == HistoryFormat::psql, sink);
      break;
    case HistoryFormat::redis:
      parse_plain(text, sink);
      break;
  }
  return sink.skipped();
}

std::vector<HistoryEntry> parse_history(HistoryFormat format, std::string_view text) {
  std::vector<HistoryEntry> out;
  for_each_history_entry(format, text, [&out](const HistoryEntry& e) { out.push_back(e); });
  return out;
}

}  // namespace hostward::audit
