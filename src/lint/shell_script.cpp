#include "lint/shell_script.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace hostward::lint {

namespace {

bool is_reserved_prefix(std::string_view w) {
  static constexpr std::array<std::string_view, 13> kWords = {
      "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "{", "}", "!", "esac"};
  return std::find(kWords.begin(), kWords.end(), w) != kWords.end();
}

bool ends_command(std::string_view op) {
  return op == ";" || op == "&" || op == "&&" || op == "||" || op == "\n" || op == "(" ||
         op == ")" || op == ";;";
}

bool is_redirection(std::string_view op) {
  return !op.empty() && op.find_first_of("<>") != std::string_view::npos;
}

// A redirection such as "2>&1" or ">&-" names its target itself.
bool has_own_target(std::string_view op) {
  return op.size() >= 2 &&
         (op.find(">&") != std::string_view::npos || op.find("<&") != std::string_view::npos) &&
         (std::isdigit(static_cast<unsigned char>(op.back())) || op.back() == '-');
}

}  // namespace

bool is_assignment(std::string_view word) {
  if (word.empty() || std::isdigit(static_cast<unsigned char>(word.front()))) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    const char c = word[i];
    if (c == '=') return i > 0;
    if (c == '+' && i + 1 < word.size() && word[i + 1] == '=') return i > 0;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return false;
}

std::vector<Pipeline> split_pipelines(const ShellTokens& tokens) {
  std::vector<Pipeline> out;
  Pipeline pipeline;
  SimpleCommand cmd;
  bool skip_next_word = false;
  auto end_command = [&] {
    if (!cmd.words.empty() || !cmd.assignments.empty()) pipeline.commands.push_back(cmd);
    cmd = {};
  };
  auto end_pipeline = [&] {
    end_command();
    if (!pipeline.commands.empty()) out.push_back(std::move(pipeline));
    pipeline = {};
  };
  for (const auto& t : tokens.tokens) {
    if (t.kind == ShellToken::Kind::op) {
      if (t.op == "|" || t.op == "|&") {
        end_command();
      } else if (ends_command(t.op)) {
        end_pipeline();
      } else if (is_redirection(t.op)) {
        skip_next_word = !has_own_target(t.op);
      }
      continue;
    }
    if (skip_next_word) {
      skip_next_word = false;
      continue;
    }
    const ShellWord& w = t.word;
    if (cmd.words.empty()) {
      if (!w.quoted && is_assignment(w.text)) {
        cmd.assignments.push_back(&w);
        continue;
      }
      if (!w.quoted && is_reserved_prefix(w.text)) continue;
    }
    cmd.words.push_back(&w);
  }
  end_pipeline();
  return out;
}

std::string_view base_name(std::string_view word) {
  const size_t slash = word.rfind('/');
  return slash == std::string_view::npos ? word : word.substr(slash + 1);
}

namespace {

struct Wrapper {
  std::string_view name;
  std::string_view value_options;  // short options that take a value
  std::vector<std::string_view> long_value_options;
  int positional_before_command;  // timeout DURATION, nice has none
};

const Wrapper* find_wrapper(std::string_view name) {
  static const std::array<Wrapper, 14> kWrappers = {{
      {"sudo", "ugCDhprtUT", {"--user", "--group", "--chdir", "--prompt", "--host"}, 0},
      {"doas", "uC", {}, 0},
      {"env", "uCS", {"--unset", "--chdir", "--split-string"}, 0},
      {"nohup", "", {}, 0},
      {"exec", "a", {}, 0},
      {"time", "fo", {"--format", "--output"}, 0},
      {"command", "", {}, 0},
      {"builtin", "", {}, 0},
      {"nice", "n", {"--adjustment"}, 0},
      {"ionice", "cnp", {"--class", "--classdata", "--pid"}, 0},
      {"timeout", "sk", {"--signal", "--kill-after"}, 1},
      {"stdbuf", "ioe", {"--input", "--output", "--error"}, 0},
      {"setsid", "", {}, 0},
      {"unbuffer", "", {}, 0},
  }};
  for (const auto& w : kWrappers)
    if (w.name == name) return &w;
  return nullptr;
}

}  // namespace

size_t program_index(const SimpleCommand& cmd, std::vector<const ShellWord*>* env_assignments) {
  size_t i = 0;
  for (int depth = 0; depth < 8 && i < cmd.words.size(); ++depth) {
    const Wrapper* w = find_wrapper(base_name(cmd.words[i]->text));
    if (w == nullptr) return i;
    const bool is_env = w->name == "env";
    ++i;
    int positional = w->positional_before_command;
    while (i < cmd.words.size()) {
      const std::string_view a = cmd.words[i]->text;
      if (a == "--") {
        ++i;
        break;
      }
      if (a.size() > 1 && a[0] == '-') {
        if (a[1] == '-') {
          const bool takes = std::find(w->long_value_options.begin(), w->long_value_options.end(),
                                       a) != w->long_value_options.end();
          i += takes ? 2 : 1;
        } else {
          const bool takes = a.size() == 2 && w->value_options.find(a[1]) != std::string_view::npos;
          i += takes ? 2 : 1;
        }
        continue;
      }
      if (is_env && is_assignment(a)) {
        if (env_assignments) env_assignments->push_back(cmd.words[i]);
        ++i;
        continue;
      }
      if (positional > 0) {
        --positional;
        ++i;
        continue;
      }
      break;
    }
  }
  return std::min(i, cmd.words.size());
}

}  // namespace hostward::lint
