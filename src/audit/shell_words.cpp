#include <array>
#include <string>
#include <utility>

#include "audit/history_text.h"
#include "audit/shell_history.h"

namespace hostward::audit {

namespace {

using namespace history_text;

class ShellLexer {
 public:
  ShellLexer(std::string_view s, ShellDialect dialect)
      : s_(s), fish_(dialect == ShellDialect::fish) {}

  std::vector<ShellCommand> run() {
    while (i_ < s_.size()) step();
    end_command(false);
    return std::move(out_);
  }

 private:
  void step() {
    const char c = s_[i_];
    switch (c) {
      case ' ':
      case '\t':
      case '\r':
      case '\x01':
        end_word();
        ++i_;
        return;
      case '\n':
        end_command(false);
        ++i_;
        return;
      case '\\':
        return escaped();
      case '\'':
        return fish_ ? fish_single_quoted() : single_quoted();
      case '"':
        return double_quoted();
      case '`':
        return consume_dynamic(backtick_end(i_));
      case '$':
        return dollar(false);
      case '#':
        if (!in_word_) return comment();
        break;
      case '|':
      case '&':
      case ';':
        return control(c);
      case '(':
        if (fish_) return consume_dynamic(balanced_end(i_, '(', ')'));
        [[fallthrough]];
      case ')':
        end_command(false);
        ++i_;
        return;
      case '<':
      case '>':
        return redirection();
      default:
        break;
    }
    plain(c);
    ++i_;
  }

  void start() { in_word_ = true; }
  void plain(char c) {
    start();
    word_.text += c;
    if (all_plain_) ++word_.plain_prefix;
  }
  void quoted(char c) {
    start();
    word_.text += c;
    all_plain_ = false;
  }
  void quoted(std::string_view t) {
    start();
    word_.text += t;
    all_plain_ = false;
  }

  void end_word() {
    if (!in_word_) return;
    if (!redirect_.empty()) {
      cur_.redirections.push_back({std::move(redirect_), std::move(word_)});
      redirect_.clear();
    } else {
      cur_.words.push_back(std::move(word_));
    }
    word_ = {};
    in_word_ = false;
    all_plain_ = true;
  }

  void end_command(bool piped_next) {
    end_word();
    redirect_.clear();
    if (!cur_.words.empty() || !cur_.redirections.empty()) out_.push_back(std::move(cur_));
    cur_ = {};
    cur_.piped = piped_next;
  }

  void escaped() {
    if (i_ + 1 < s_.size() && s_[i_ + 1] == '\n') {  // a line continuation
      i_ += 2;
      return;
    }
    if (i_ + 1 < s_.size()) {
      quoted(s_[i_ + 1]);
      i_ += 2;
    } else {
      quoted('\\');
      ++i_;
    }
  }

  void single_quoted() {
    size_t end = s_.find('\'', i_ + 1);
    if (end == kNpos) end = s_.size();
    quoted(s_.substr(i_ + 1, end - i_ - 1));
    i_ = std::min(end + 1, s_.size());
  }

  // fish: \' and \\ are escapes inside single quotes.
  void fish_single_quoted() {
    start();
    all_plain_ = false;
    for (++i_; i_ < s_.size() && s_[i_] != '\''; ++i_) {
      if (s_[i_] == '\\' && i_ + 1 < s_.size() && (s_[i_ + 1] == '\'' || s_[i_ + 1] == '\\')) ++i_;
      word_.text += s_[i_];
    }
    i_ = std::min(i_ + 1, s_.size());
  }

  void double_quoted() {
    start();
    all_plain_ = false;
    const std::string_view escapable = fish_ ? "\"$\\\n" : "\"$\\`\n";
    ++i_;
    while (i_ < s_.size() && s_[i_] != '"') {
      const char c = s_[i_];
      if (c == '\\' && i_ + 1 < s_.size() && escapable.find(s_[i_ + 1]) != kNpos) {
        if (s_[i_ + 1] != '\n') word_.text += s_[i_ + 1];
        i_ += 2;
      } else if (c == '$') {
        dollar(true);
      } else if (c == '`' && !fish_) {
        consume_dynamic(backtick_end(i_));
      } else {
        word_.text += c;
        ++i_;
      }
    }
    i_ = std::min(i_ + 1, s_.size());
  }

  // bash's $'...': backslash escapes as in C.
  void ansi_c_quoted() {
    start();
    all_plain_ = false;
    for (i_ += 2; i_ < s_.size() && s_[i_] != '\''; ++i_) {
      if (s_[i_] != '\\' || i_ + 1 == s_.size()) {
        word_.text += s_[i_];
        continue;
      }
      const char d = s_[++i_];
      static constexpr std::string_view kFrom = "ntrabfveE", kTo = "\n\t\r\a\b\f\v\033\033";
      if (const size_t at = kFrom.find(d); at != kNpos) {
        word_.text += kTo[at];
      } else if (d == 'x' || (d >= '0' && d <= '7')) {
        const bool hex = d == 'x';
        unsigned value = 0;
        size_t j = hex ? i_ + 1 : i_, digits = 0;
        for (; j < s_.size() && digits < (hex ? 2u : 3u); ++j, ++digits) {
          const char h = s_[j];
          if (hex && std::isxdigit(static_cast<unsigned char>(h)))
            value = value * 16 + static_cast<unsigned>(hex_digit(h));
          else if (!hex && h >= '0' && h <= '7')
            value = value * 8 + static_cast<unsigned>(h - '0');
          else
            break;
        }
        if (digits == 0) {
          word_.text += '\\';
          word_.text += d;
        } else {
          word_.text += static_cast<char>(value & 0xff);
          i_ = j - 1;
        }
      } else {
        word_.text += d;  // \\ \' \" and the rest
      }
    }
    i_ = std::min(i_ + 1, s_.size());
  }

  // The end of a `...` command substitution starting at `at`.
  size_t backtick_end(size_t at) const {
    for (size_t j = at + 1; j < s_.size(); ++j) {
      if (s_[j] == '\\')
        ++j;
      else if (s_[j] == '`')
        return j + 1;
    }
    return s_.size();
  }

  // The end of a bracketed span starting at `at`; quotes inside are skipped.
  size_t balanced_end(size_t at, char open, char close) const {
    int depth = 0;
    for (size_t j = at; j < s_.size(); ++j) {
      const char c = s_[j];
      if (c == '\\') {
        ++j;
      } else if (c == '\'' && !fish_) {
        const size_t q = s_.find('\'', j + 1);
        if (q == kNpos) return s_.size();
        j = q;
      } else if (c == open) {
        ++depth;
      } else if (c == close && --depth == 0) {
        return j + 1;
      }
    }
    return s_.size();
  }

  void consume_dynamic(size_t end) {
    quoted(s_.substr(i_, end - i_));
    word_.dynamic = true;
    i_ = end;
  }

  void dollar(bool in_double_quotes) {
    const size_t j = i_ + 1;
    const char next = j < s_.size() ? s_[j] : '\0';
    if (next == '\'' && !in_double_quotes && !fish_) return ansi_c_quoted();
    if (next == '{') return consume_dynamic(balanced_end(j, '{', '}'));
    if (next == '(') return consume_dynamic(balanced_end(j, '(', ')'));
    if (is_alpha(next) || next == '_') {
      size_t end = j;
      while (end < s_.size() && is_name_char(s_[end])) ++end;
      return consume_dynamic(end);
    }
    if (next != '\0' && std::strchr("0123456789@*#?$!-", next) != nullptr)
      return consume_dynamic(j + 1);
    if (in_double_quotes)
      quoted('$');
    else
      plain('$');
    ++i_;
  }

  void comment() {
    const size_t end = s_.find('\n', i_);
    i_ = end == kNpos ? s_.size() : end;
  }

  void control(char c) {
    const char next = i_ + 1 < s_.size() ? s_[i_ + 1] : '\0';
    if (c == '&' && next == '>') return redirection();
    if (c == '|' && next != '|') {  // a pipe, or |& (stdout and stderr)
      end_command(true);
      i_ += next == '&' ? 2 : 1;
      return;
    }
    end_command(false);
    i_ += next == c ? 2 : 1;  // || && ;; or one of them
  }

  void redirection() {
    // "2>" and "2>&1": the digits name a descriptor, they are not a word.
    if (in_word_ && all_plain_ && !word_.text.empty() &&
        std::all_of(word_.text.begin(), word_.text.end(), [](char ch) { return is_digit(ch); })) {
      word_ = {};
      in_word_ = false;
    } else {
      end_word();
    }
    if (i_ + 1 < s_.size() && s_[i_ + 1] == '(' && s_[i_] != '&') {  // <(..) >(..)
      return consume_dynamic(balanced_end(i_ + 1, '(', ')'));
    }
    static constexpr std::array<std::string_view, 12> kOps = {"&>>", "<<<", "<<-", "&>", "<<", "<>",
                                                              "<&",  ">>",  ">&",  ">|", "<",  ">"};
    for (const auto op : kOps) {
      if (s_.substr(i_, op.size()) == op) {
        redirect_ = std::string(op);
        i_ += op.size();
        return;
      }
    }
    ++i_;
  }

  std::string_view s_;
  bool fish_;
  size_t i_ = 0;
  std::vector<ShellCommand> out_;
  ShellCommand cur_;
  ShellWord word_;
  bool in_word_ = false, all_plain_ = true;
  std::string redirect_;
};

}  // namespace

std::vector<ShellCommand> split_shell_commands(std::string_view text, ShellDialect dialect) {
  return ShellLexer(text, dialect).run();
}

}  // namespace hostward::audit
