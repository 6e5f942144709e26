#include <cstring>
#include <string>
#include <vector>

#include "audit/job_text.h"
#include "audit/scheduled_jobs.h"

namespace hostward::audit {

namespace {

using namespace job_text;

constexpr size_t kMaxWords = 512;
constexpr size_t kMaxCommands = 256;

// A POSIX-ish sh lexer, enough to find the programs a cron command runs.
class ShellLexer {
 public:
  ShellLexer(std::string_view script, const JobEnvironment& env, int depth,
             std::vector<SimpleCommand>& out)
      : s_(script), env_(env), depth_(depth), out_(out) {}

  void run() {
    while (i_ < s_.size()) step();
    finish_command();
  }

 private:
  void step() {
    const char c = s_[i_];
    if (is_blank(c) || c == '\r') {
      finish_word();
      ++i_;
    } else if (c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' || c == ')') {
      finish_command();
      ++i_;
    } else if (c == '<' || c == '>') {
      redirection();
    } else if (c == '#' && !in_word_) {
      while (i_ < s_.size() && s_[i_] != '\n') ++i_;
    } else if (c == '~' && !in_word_) {
      tilde();
    } else {
      in_word_ = true;
      word_char(c);
    }
  }

  void word_char(char c) {
    if (c == '\'') {
      const size_t end = s_.find('\'', i_ + 1);
      const size_t stop = end == std::string_view::npos ? s_.size() : end;
      append(s_.substr(i_ + 1, stop - i_ - 1));
      i_ = stop + 1;
    } else if (c == '"') {
      double_quoted();
    } else if (c == '\\') {
      if (i_ + 1 < s_.size() && s_[i_ + 1] != '\n') append(s_[i_ + 1]);
      i_ += 2;
    } else if (c == '$') {
      dollar();
    } else if (c == '`') {
      backquoted();
    } else {
      if (c == '*' || c == '?' || c == '[') word_.exact = false;
      append(c);
      ++i_;
    }
  }

  void double_quoted() {
    ++i_;
    while (i_ < s_.size() && s_[i_] != '"') {
      const char c = s_[i_];
      if (c == '\\' && i_ + 1 < s_.size() &&
          std::string_view("$`\"\\\n").find(s_[i_ + 1]) != std::string_view::npos) {
        if (s_[i_ + 1] != '\n') append(s_[i_ + 1]);
        i_ += 2;
      } else if (c == '$') {
        dollar();
      } else if (c == '`') {
        backquoted();
      } else {
        append(c);
        ++i_;
      }
    }
    ++i_;
  }

  // A word longer than kMaxWordBytes is not a path we can judge: what
  // follows is dropped, so "$X$X$X..." of a long X stays small.
  void append(std::string_view text) {
    if (word_.text.size() + text.size() > kMaxWordBytes) {
      word_.exact = false;
      return;
    }
    word_.text.append(text);
  }
  void append(char c) { append(std::string_view(&c, 1)); }

  void tilde() {
    in_word_ = true;
    const char next = i_ + 1 < s_.size() ? s_[i_ + 1] : '\0';
    const auto home = env_.find("HOME");
    if ((next == '/' || next == '\0' || is_blank(next)) && home != env_.end()) {
      append(home->second);
    } else {
      word_.exact = false;  // ~user, or no HOME
      append('~');
    }
    ++i_;
  }

  // $NAME, ${NAME}, $(...), $((...)), $1, $? ...
  void dollar() {
    ++i_;
    const char c = i_ < s_.size() ? s_[i_] : '\0';
    if (c == '(' && i_ + 1 < s_.size() && s_[i_ + 1] == '(') {
      word_.exact = false;  // $((arithmetic)): no command inside
      i_ = matching_paren(i_);
    } else if (c == '(') {
      substitute(matching_paren(i_));
    } else if (c == '{') {
      const size_t end = s_.find('}', i_);
      const size_t stop = end == std::string_view::npos ? s_.size() : end;
      expand(s_.substr(i_ + 1, stop - i_ - 1));
      i_ = stop + 1;
    } else if (is_name_start(c)) {
      const size_t start = i_;
      while (i_ < s_.size() && is_name_char(s_[i_])) ++i_;
      expand(s_.substr(start, i_ - start));
    } else if (c != '\0' && !is_blank(c) && c != '"') {
      word_.exact = false;  // $1, $?, $$, ...
      ++i_;
    } else {
      append('$');
    }
  }

  void expand(std::string_view name) {
    const auto it = env_.find(std::string(name));
    const bool plain = !name.empty() && is_name_start(name[0]) &&
                       std::all_of(name.begin(), name.end(), is_name_char);
    if (!plain || it == env_.end() || it->second.find_first_of(" \t\n*?[") != std::string::npos) {
      word_.exact = false;
      return;
    }
    append(it->second);
  }

  // The index just past the ')' closing the '(' at `open`, skipping quotes.
  size_t matching_paren(size_t open) const {
    int level = 0;
    for (size_t k = open; k < s_.size(); ++k) {
      const char c = s_[k];
      if (c == '\\') {
        ++k;
      } else if (c == '\'') {
        const size_t end = s_.find('\'', k + 1);
        if (end == std::string_view::npos) return s_.size();
        k = end;
      } else if (c == '(') {
        ++level;
      } else if (c == ')' && --level == 0) {
        return k + 1;
      }
    }
    return s_.size();
  }

  void substitute(size_t end) {
    const size_t close = end > 0 && end <= s_.size() && s_[end - 1] == ')' ? end - 1 : end;
    nested(s_.substr(i_ + 1, close > i_ + 1 ? close - i_ - 1 : 0));
    i_ = end;
  }

  void backquoted() {
    std::string inner;
    size_t k = i_ + 1;
    for (; k < s_.size() && s_[k] != '`'; ++k) {
      if (s_[k] == '\\' && k + 1 < s_.size()) ++k;
      inner += s_[k];
    }
    nested(inner);
    i_ = k + 1;
  }

  void nested(std::string_view inner) {
    word_.exact = false;
    if (depth_ >= kMaxShellDepth) return;
    ShellLexer sub(inner, env_, depth_ + 1, out_);
    sub.run();
  }

  void redirection() {
    // The digits before > are the descriptor (2>/dev/null), not a word.
    if (in_word_ && word_.exact && all_digits(word_.text)) {
      word_ = {};
      in_word_ = false;
    } else {
      finish_word();
    }
    while (i_ < s_.size() && std::string_view("<>&|").find(s_[i_]) != std::string_view::npos) ++i_;
    skip_next_word_ = true;  // the redirection's target
  }

  void finish_word() {
    if (!in_word_) return;
    if (skip_next_word_)
      skip_next_word_ = false;
    else if (command_.size() < kMaxWords)
      command_.push_back(std::move(word_));
    word_ = {};
    in_word_ = false;
  }

  void finish_command() {
    finish_word();
    skip_next_word_ = false;
    if (!command_.empty() && out_.size() < kMaxCommands) out_.push_back(std::move(command_));
    command_.clear();
  }

  std::string_view s_;
  const JobEnvironment& env_;
  int depth_;
  std::vector<SimpleCommand>& out_;
  size_t i_ = 0;
  SimpleCommand command_;
  CronWord word_;
  bool in_word_ = false;
  bool skip_next_word_ = false;
};

}  // namespace

std::vector<SimpleCommand> split_job_commands(std::string_view script, const JobEnvironment& env) {
  std::vector<SimpleCommand> out;
  ShellLexer(script, env, 0, out).run();
  return out;
}

std::vector<SimpleCommand> parse_exec_value(std::string_view value) {
  // systemd.service(5) "Command lines": words split at whitespace, "..." and
  // '...' quoting, C-style backslash escapes, a lone ";" between commands.
  // A quote left open is systemd's "Unbalanced quoting, ignoring": that
  // command and the rest of the line are dropped (systemd-analyze verify).
  // Without a "-" prefix systemd also refuses the unit; the commands before
  // are still judged, as a fixed unit would run them.
  std::vector<SimpleCommand> commands(1);
  size_t i = 0;
  bool unbalanced = false;
  while (i < value.size() && commands.size() <= kMaxCommands && !unbalanced) {
    while (i < value.size() && is_space(value[i])) ++i;
    if (i >= value.size()) break;
    CronWord word;
    bool quoted = false;
    while (i < value.size() && !is_space(value[i])) {
      const char c = value[i];
      if (c == '"' || c == '\'') {
        // Inside either quote a backslash escapes the next character (\" too).
        quoted = true;
        size_t k = i + 1;
        for (; k < value.size() && value[k] != c; ++k) {
          if (value[k] == '\\' && k + 1 < value.size()) ++k;
          word.text += value[k];
        }
        if (k >= value.size()) {
          unbalanced = true;
          break;
        }
        i = k + 1;
        continue;
      }
      if (c == '\\' && i + 1 < value.size()) {
        word.text += value[i + 1];
        i += 2;
        continue;
      }
      if (c == '$' || c == '%') word.exact = false;  // $VAR, %h: known at run time only
      word.text += c;
      ++i;
    }
    if (unbalanced) {
      commands.pop_back();
      break;
    }
    if (!quoted && word.text == ";") {
      commands.emplace_back();
      continue;
    }
    if (commands.back().size() < kMaxWords) commands.back().push_back(std::move(word));
  }
  std::vector<SimpleCommand> out;
  for (auto& cmd : commands) {
    if (cmd.empty()) continue;
    std::string& program = cmd.front().text;
    bool argv0_follows = false;
    size_t prefix = 0;
    while (prefix < program.size() && std::strchr("-@:+!|", program[prefix]) != nullptr) {
      argv0_follows = argv0_follows || program[prefix] == '@';
      ++prefix;
    }
    program.erase(0, prefix);
    if (argv0_follows && cmd.size() > 1) cmd.erase(cmd.begin() + 1);
    if (!program.empty()) out.push_back(std::move(cmd));
  }
  return out;
}

}  // namespace hostward::audit
