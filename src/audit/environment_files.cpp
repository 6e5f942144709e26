#include <cstring>
#include <map>

#include "audit/docker_daemon.h"
#include "audit/docker_text.h"

namespace hostward::audit {

namespace {

using namespace docker_text;

constexpr size_t kMaxSettings = 10000;  // assignments read from one unit

class EnvFileParser {
 public:
  explicit EnvFileParser(bool shell) : shell_(shell) {}

  std::vector<EnvAssignment> parse(std::string_view text) {
    for (size_t i = 0; i < text.size() && out_.size() < kMaxSettings; ++i) {
      step(text, i);
      if (text[i] == '\n') ++line_;
    }
    if (state_ != State::pre_key && state_ != State::comment && state_ != State::skip_line)
      finish();
    return out_;
  }

 private:
  enum class State {
    pre_key,
    key,
    pre_value,
    value,
    value_escape,
    single_quote,
    double_quote,
    double_quote_escape,
    comment,
    comment_escape,
    skip_line
  };

  void step(std::string_view text, size_t& i) {
    const char c = text[i];
    switch (state_) {
      case State::pre_key:
        if (c == '#' || c == ';') {
          state_ = State::comment;
        } else if (!is_space(c)) {
          state_ = State::key;
          key_.assign(1, c);
          key_line_ = line_;
        }
        break;
      case State::key:
        if (c == '\n') {
          state_ = State::pre_key;  // no '=': not an assignment
        } else if (c == '=') {
          key_ = std::string(trim(key_));
          value_.clear();
          trim_from_ = std::string::npos;
          state_ = State::pre_value;
        } else if (shell_ && is_space(c) && key_ == "export") {
          state_ = State::pre_key;
        } else {
          key_ += c;
        }
        break;
      case State::pre_value:
        if (shell_ && is_space(c) && c != '\n') {
          finish();
          state_ = State::skip_line;  // "A= cmd" runs cmd; nothing is assigned for later
        } else if (c == '\'') {
          state_ = State::single_quote;
        } else if (c == '"') {
          state_ = State::double_quote;
        } else if (!is_space(c) || c == '\n') {
          state_ = State::value;
          value_char(text, i);
        }
        break;
      case State::value:
        value_char(text, i);
        break;
      case State::value_escape:
        if (c != '\n') append(c);  // backslash-newline continues the value
        state_ = State::value;
        break;
      case State::single_quote:
        if (c == '\'')
          state_ = after_quote();
        else
          append(c);
        break;
      case State::double_quote:
        if (c == '"') {
          state_ = after_quote();
        } else if (c == '\\') {
          state_ = State::double_quote_escape;
        } else if (shell_ && c == '$') {
          expand(text, i);
        } else {
          append(c);
        }
        break;
      case State::double_quote_escape:
        if (c == '"' || c == '\\' || c == '`' || c == '$') {
          append(c);
        } else if (c != '\n') {
          append('\\');
          append(c);
        }
        state_ = State::double_quote;
        break;
      case State::comment:
        if (c == '\\')
          state_ = State::comment_escape;
        else if (c == '\n')
          state_ = State::pre_key;
        break;
      case State::comment_escape:  // since systemd 254 a comment does not continue
        state_ = c == '\n' ? State::pre_key : State::comment;
        break;
      case State::skip_line:
        if (c == '\n') state_ = State::pre_key;
        break;
    }
  }

  void value_char(std::string_view text, size_t& i) {
    const char c = text[i];
    if (c == '\n') {
      finish();
      state_ = State::pre_key;
    } else if (c == '\\') {
      state_ = State::value_escape;
    } else if (shell_ && c == '\'') {  // systemd takes quotes literally after the first character
      state_ = State::single_quote;
    } else if (shell_ && c == '"') {
      state_ = State::double_quote;
    } else if (shell_ && c == '$') {
      expand(text, i);
    } else if (shell_ && is_space(c)) {
      finish();
      state_ = State::skip_line;
    } else if (is_space(c)) {
      if (trim_from_ == std::string::npos) trim_from_ = value_.size();
      value_ += c;
    } else {
      append(c);
    }
  }

  // systemd goes on as before the value (whitespace skipped); a shell's word goes on.
  State after_quote() const { return shell_ ? State::value : State::pre_value; }

  void append(char c) {
    if (value_.size() < kMaxValue) value_ += c;
    trim_from_ = std::string::npos;
  }

  // A shell's $NAME or ${NAME}: earlier assignments of the same file.
  void expand(std::string_view text, size_t& i) {
    size_t j = i + 1;
    const bool braced = j < text.size() && text[j] == '{';
    if (braced) ++j;
    size_t end = j;
    while (end < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_'))
      ++end;
    if (end == j || (braced && (end >= text.size() || text[end] != '}'))) {
      append('$');
      return;
    }
    const auto it = seen_.find(std::string(text.substr(j, end - j)));
    if (it != seen_.end() && value_.size() < kMaxValue) {  // a full value takes no more
      value_.append(it->second, 0, kMaxValue - value_.size());
      trim_from_ = std::string::npos;
    }
    i = braced ? end : end - 1;
  }

  void finish() {
    if (trim_from_ != std::string::npos) value_.resize(trim_from_);
    if (is_env_name(key_)) {
      out_.push_back({key_, value_, key_line_});
      seen_[key_] = value_;
    }
    key_.clear();
    value_.clear();
    trim_from_ = std::string::npos;
  }

  bool shell_;
  State state_ = State::pre_key;
  std::string key_, value_;
  size_t trim_from_ = std::string::npos;  // where trailing unquoted whitespace starts
  int line_ = 1, key_line_ = 1;
  std::vector<EnvAssignment> out_;
  std::map<std::string, std::string> seen_;
};

}  // namespace

std::vector<EnvAssignment> parse_environment_file(std::string_view text, bool shell) {
  return EnvFileParser(shell).parse(text);
}

}  // namespace hostward::audit
