#include "lint/shell_lexer.h"

#include <array>
#include <cctype>

namespace hostward::lint {

namespace {

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Lexer {
 public:
  Lexer(std::string_view s, size_t max_tokens) : s_(s), max_(max_tokens) {}

  ShellTokens run() {
    ShellTokens out;
    while (i_ < s_.size()) {
      if (out.tokens.size() >= max_) {
        out.truncated = true;
        break;
      }
      const char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\r') {
        ++i_;
      } else if (size_t n = continuation(i_); n > 0) {
        i_ += n;
      } else if (c == '\n') {
        out.tokens.push_back(op_token("\n"));
        ++i_;
        skip_heredoc_bodies();
      } else if (c == '#') {
        while (i_ < s_.size() && s_[i_] != '\n') ++i_;
      } else if (auto op = read_operator(); !op.empty()) {
        if ((op == "<<" || op == "<<-") && want_heredoc_word_ == false) {
          want_heredoc_word_ = true;
          strip_tabs_ = op == "<<-";
        }
        out.tokens.push_back(op_token(std::move(op)));
      } else {
        ShellToken t;
        t.word = read_word();
        if (want_heredoc_word_) {
          heredocs_.push_back({t.word.text, strip_tabs_});
          want_heredoc_word_ = false;
        }
        out.tokens.push_back(std::move(t));
      }
    }
    return out;
  }

 private:
  struct Heredoc {
    std::string delimiter;
    bool strip_tabs;
  };

  // A backslash-newline (also before CRLF) joins lines: its length, else 0.
  size_t continuation(size_t at) const {
    if (at >= s_.size() || s_[at] != '\\') return 0;
    if (at + 1 < s_.size() && s_[at + 1] == '\n') return 2;
    if (at + 2 < s_.size() && s_[at + 1] == '\r' && s_[at + 2] == '\n') return 3;
    return 0;
  }

  static ShellToken op_token(std::string op) {
    ShellToken t;
    t.kind = ShellToken::Kind::op;
    t.op = std::move(op);
    return t;
  }

  std::string read_operator() {
    size_t j = i_;
    while (j < s_.size() && std::isdigit(static_cast<unsigned char>(s_[j]))) ++j;
    if (j < s_.size() && j > i_ && s_[j] != '<' && s_[j] != '>') return {};
    if (j < s_.size() && (s_[j] == '<' || s_[j] == '>') && j + 1 < s_.size() && s_[j + 1] == '(')
      return {};  // process substitution is a word
    static constexpr std::array<std::string_view, 21> kOps = {
        "&>>", "&>", "<<<", "<<-", "<<", ">>", ">&", "<&", ">|", "<>", "||",
        "&&",  "|&", ";;",  "|",   ";",  "&",  "(",  ")",  "<",  ">"};
    for (auto op : kOps) {
      if (s_.substr(j, op.size()) == op) {
        std::string out(s_.substr(i_, j - i_ + op.size()));
        i_ = j + op.size();
        // "2>&1", ">&2": the fd after >& belongs to the operator
        if (op == ">&" || op == "<&") {
          while (i_ < s_.size() &&
                 (std::isdigit(static_cast<unsigned char>(s_[i_])) || s_[i_] == '-'))
            out += s_[i_++];
        }
        return out;
      }
    }
    return {};
  }

  void skip_heredoc_bodies() {
    for (const auto& h : heredocs_) {
      while (i_ < s_.size()) {
        size_t eol = s_.find('\n', i_);
        if (eol == std::string_view::npos) eol = s_.size();
        std::string_view line = s_.substr(i_, eol - i_);
        if (h.strip_tabs)
          while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        i_ = eol < s_.size() ? eol + 1 : eol;
        if (line == h.delimiter) break;
      }
    }
    heredocs_.clear();
  }

  // Index just past the `close` matching the `open` at s_[from], skipping
  // quoted text; the end of the script when unterminated.
  size_t matching(size_t from, char open, char close) const {
    int depth = 0;
    for (size_t j = from; j < s_.size(); ++j) {
      const char c = s_[j];
      if (c == '\\') {
        ++j;
      } else if (c == '\'' && open != '{') {
        const size_t q = s_.find('\'', j + 1);
        if (q == std::string_view::npos) return s_.size();
        j = q;
      } else if (c == '"') {
        for (++j; j < s_.size() && s_[j] != '"'; ++j)
          if (s_[j] == '\\') ++j;
        if (j >= s_.size()) return s_.size();
      } else if (c == open) {
        ++depth;
      } else if (c == close) {
        if (--depth == 0) return j + 1;
      }
    }
    return s_.size();
  }

  void read_dollar(ShellWord& w) {
    const size_t start = i_;
    const char next = i_ + 1 < s_.size() ? s_[i_ + 1] : '\0';
    if (next == '\'') {  // $'…' with C escapes
      i_ += 2;
      w.quoted = true;
      while (i_ < s_.size() && s_[i_] != '\'') {
        if (s_[i_] == '\\' && i_ + 1 < s_.size()) {
          const char e = s_[i_ + 1];
          w.text += e == 'n' ? '\n' : e == 't' ? '\t' : e;
          i_ += 2;
        } else {
          w.text += s_[i_++];
        }
      }
      if (i_ < s_.size()) ++i_;
      return;
    }
    if (next == '"') {
      ++i_;
      read_double_quoted(w);
      return;
    }
    if (next == '{') {
      if (i_ + 2 < s_.size() && s_[i_ + 2] == '{') {  // GitHub ${{ … }}
        const size_t close = s_.find("}}", i_ + 3);
        i_ = close == std::string_view::npos ? s_.size() : close + 2;
      } else {
        i_ = matching(i_ + 1, '{', '}');
      }
      w.text.append(s_.substr(start, i_ - start));
      return;
    }
    if (next == '(') {
      if (i_ + 2 < s_.size() && s_[i_ + 2] == '(') {  // $(( arithmetic ))
        i_ = matching(i_ + 1, '(', ')');
      } else {
        i_ = matching(i_ + 1, '(', ')');
        std::string_view body = s_.substr(start + 2, i_ > start + 2 ? i_ - start - 3 : 0);
        if (i_ == s_.size() && (s_.empty() || s_.back() != ')')) body = s_.substr(start + 2);
        if (!is_macro(body)) w.substitutions.emplace_back(body);
      }
      w.text.append(s_.substr(start, i_ - start));
      return;
    }
    if (next == '[') {  // Azure $[ runtime expression ]
      i_ = matching(i_ + 1, '[', ']');
      w.text.append(s_.substr(start, i_ - start));
      return;
    }
    ++i_;
    if (i_ < s_.size() && (is_name_char(s_[i_]))) {
      while (i_ < s_.size() && is_name_char(s_[i_])) ++i_;
    } else if (i_ < s_.size() &&
               std::string_view("@*#?$!-").find(s_[i_]) != std::string_view::npos) {
      ++i_;
    }
    w.text.append(s_.substr(start, i_ - start));
  }

  // Azure Pipelines' $(name) macros are replaced before the shell runs.
  static bool is_macro(std::string_view body) {
    if (body.empty()) return false;
    for (char c : body)
      if (!is_name_char(c) && c != '.') return false;
    return !std::isdigit(static_cast<unsigned char>(body.front()));
  }

  void read_backtick(ShellWord& w) {
    const size_t start = i_++;
    std::string body;
    while (i_ < s_.size() && s_[i_] != '`') {
      if (s_[i_] == '\\' && i_ + 1 < s_.size()) {
        body += s_[i_ + 1];
        i_ += 2;
      } else {
        body += s_[i_++];
      }
    }
    if (i_ < s_.size()) ++i_;
    w.substitutions.push_back(std::move(body));
    w.text.append(s_.substr(start, i_ - start));
  }

  void read_double_quoted(ShellWord& w) {
    ++i_;  // opening quote
    w.quoted = true;
    while (i_ < s_.size() && s_[i_] != '"') {
      const char c = s_[i_];
      if (c == '\\' && i_ + 1 < s_.size()) {
        const char e = s_[i_ + 1];
        if (e == '\n') {
        } else if (e == '$' || e == '`' || e == '"' || e == '\\') {
          w.text += e;
        } else {
          w.text += c;
          w.text += e;
        }
        i_ += 2;
      } else if (c == '$') {
        read_dollar(w);
      } else if (c == '`') {
        read_backtick(w);
      } else {
        w.text += c;
        ++i_;
      }
    }
    if (i_ < s_.size()) ++i_;
  }

  ShellWord read_word() {
    ShellWord w;
    w.begin = i_;
    while (i_ < s_.size()) {
      const char c = s_[i_];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') break;
      if ((c == '<' || c == '>') && i_ + 1 < s_.size() && s_[i_ + 1] == '(') {
        const size_t start = i_;
        i_ = matching(i_ + 1, '(', ')');
        const size_t body_end = (i_ > start + 2 && s_[i_ - 1] == ')') ? i_ - 1 : i_;
        w.substitutions.emplace_back(s_.substr(start + 2, body_end - start - 2));
        w.process_substitution = w.begin == start;
        w.text.append(s_.substr(start, i_ - start));
        continue;
      }
      if (c == '|' || c == '&' || c == ';' || c == '(' || c == ')' || c == '<' || c == '>') break;
      if (c == '\\') {
        if (const size_t n = continuation(i_); n > 0) {
          i_ += n;
          continue;
        }
        if (i_ + 1 < s_.size()) w.text += s_[i_ + 1];
        w.quoted = true;
        i_ += 2;
      } else if (c == '\'') {
        const size_t close = s_.find('\'', i_ + 1);
        const size_t end = close == std::string_view::npos ? s_.size() : close;
        w.text.append(s_.substr(i_ + 1, end - i_ - 1));
        w.quoted = true;
        i_ = close == std::string_view::npos ? s_.size() : close + 1;
      } else if (c == '"') {
        read_double_quoted(w);
      } else if (c == '$') {
        read_dollar(w);
      } else if (c == '`') {
        read_backtick(w);
      } else {
        w.text += c;
        ++i_;
      }
    }
    if (i_ > s_.size()) i_ = s_.size();
    w.end = i_;
    return w;
  }

  std::string_view s_;
  size_t max_;
  size_t i_ = 0;
  bool want_heredoc_word_ = false;
  bool strip_tabs_ = false;
  std::vector<Heredoc> heredocs_;
};

}  // namespace

ShellTokens tokenize_shell(std::string_view script, size_t max_tokens) {
  return Lexer(script, max_tokens).run();
}

}  // namespace hostward::lint
