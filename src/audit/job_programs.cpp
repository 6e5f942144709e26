#include "audit/job_programs.h"

#include <algorithm>
#include <map>
#include <set>

#include "audit/job_text.h"

namespace hostward::audit::job_programs {

namespace {

using namespace job_text;

ScriptArgument operand(const SimpleCommand& words, size_t j) {
  if (j >= words.size() || !words[j].exact) return {};
  return {words[j].text, std::nullopt, false};
}

// sh [-abefhmnuvx] [-o option] [-c command_string | -s | file]
ScriptArgument shell_script_argument(const SimpleCommand& words, size_t j) {
  bool command_string = false;
  for (; j < words.size(); ++j) {
    const std::string& w = words[j].text;
    if (w == "--") {
      ++j;
      break;
    }
    if (w == "-") return {};  // the script is stdin
    if (w.size() < 2 || (w[0] != '-' && w[0] != '+')) break;
    if (starts_with(w, "--")) {
      if (w == "--rcfile" || w == "--init-file") ++j;
      continue;
    }
    for (size_t k = 1; k < w.size(); ++k) {
      if (w[k] == 'c') command_string = true;
      if (w[k] == 's') return {};
      if (w[k] == 'o' || w[k] == 'O') {
        ++j;
        break;
      }
    }
  }
  if (!command_string) return operand(words, j);
  if (j >= words.size() || !words[j].exact) return {};
  return {std::nullopt, words[j].text, true};
}

// Short options of an interpreter: which end in inline code, which take an
// argument (attached or the next word), which name the script; the first
// other word is the script.
struct InterpreterOptions {
  std::string_view code;       // -c CODE, -e CODE
  std::string_view with_arg;   // -W arg, -I dir
  std::string_view no_script;  // -m module: no script file
  std::string_view script;     // php -f FILE
};

ScriptArgument generic_script_argument(const SimpleCommand& words, size_t j,
                                       const InterpreterOptions& o) {
  for (; j < words.size(); ++j) {
    const std::string& w = words[j].text;
    if (w == "--") {
      ++j;
      break;
    }
    if (w == "-") return {};
    if (!is_option(w)) break;
    if (starts_with(w, "--")) {  // node's long options
      if (w == "--eval" || w == "--print")
        return j + 1 < words.size() ? ScriptArgument{std::nullopt, words[j + 1].text, false}
                                    : ScriptArgument{};
      if (w == "--require" || w == "--import" || w == "--loader" || w == "--input-type") ++j;
      continue;
    }
    for (size_t k = 1; k < w.size(); ++k) {
      const char c = w[k];
      if (o.code.find(c) != std::string_view::npos)
        return {std::nullopt, option_argument(words, j, k), false};
      if (o.no_script.find(c) != std::string_view::npos) return {};
      if (o.script.find(c) != std::string_view::npos)
        return {option_argument(words, j, k), std::nullopt, false};
      if (o.with_arg.find(c) != std::string_view::npos) {
        option_argument(words, j, k);
        break;
      }
    }
  }
  return operand(words, j);
}

}  // namespace

Interpreter interpreter_of(const std::string& base) {
  static const std::set<std::string_view> kShells = {"sh",  "bash", "dash", "zsh",
                                                     "ksh", "mksh", "ash",  "busybox"};
  if (kShells.count(base)) return Interpreter::shell;
  auto versioned = [&](std::string_view stem) {
    return starts_with(base, stem) &&
           std::all_of(base.begin() + static_cast<long>(stem.size()), base.end(),
                       [](char c) { return is_digit(c) || c == '.'; });
  };
  if (versioned("python") || versioned("pypy")) return Interpreter::python;
  if (versioned("perl")) return Interpreter::perl;
  if (versioned("ruby")) return Interpreter::ruby;
  if (versioned("php")) return Interpreter::php;
  if (base == "node" || base == "nodejs") return Interpreter::node;
  if (base == "run-parts") return Interpreter::run_parts;
  return Interpreter::none;
}

bool is_option(std::string_view w) { return w.size() > 1 && w[0] == '-'; }

std::string option_argument(const SimpleCommand& words, size_t& j, size_t k) {
  const std::string& w = words[j].text;
  if (k + 1 < w.size()) return w.substr(k + 1);
  if (j + 1 < words.size()) return words[++j].text;
  return "";
}

ScriptArgument script_argument(Interpreter kind, const SimpleCommand& words, size_t j) {
  switch (kind) {
    case Interpreter::shell:
      return shell_script_argument(words, j);
    case Interpreter::python:
      return generic_script_argument(words, j, {"c", "WXQ", "m", ""});
    case Interpreter::perl:
      return generic_script_argument(words, j, {"eE", "I", "", ""});
    case Interpreter::ruby:
      return generic_script_argument(words, j, {"e", "rICE", "", ""});
    case Interpreter::php:
      return generic_script_argument(words, j, {"rBRE", "cdzt", "", "fF"});
    case Interpreter::node:
      return generic_script_argument(words, j, {"ep", "rC", "", ""});
    default:
      return {};
  }
}

namespace {

// An option's argument: attached ("-cCODE", "--command=CODE"), else the next word.
std::optional<CronWord> next_argument(const SimpleCommand& words, size_t& j,
                                      std::string_view attached) {
  if (!attached.empty()) return CronWord{std::string(attached), words[j].exact};
  if (j + 1 < words.size()) return words[++j];
  return std::nullopt;
}

void take_switch_option(UserSwitch& u, char name, const std::optional<CronWord>& arg) {
  if (name == 'l') u.login = true;
  if (name == 'c')
    u.code = arg && arg->exact ? std::optional<std::string>(arg->text) : std::nullopt;
  if (name == 'u') {
    u.runs_command = true;
    u.user = arg && arg->exact ? std::optional<std::string>(arg->text) : std::nullopt;
  }
}

}  // namespace

UserSwitch user_switch(const SimpleCommand& words, size_t j) {
  static const std::map<std::string_view, char> kLong = {
      {"command", 'c'}, {"session-command", 'c'}, {"user", 'u'},  {"login", 'l'},
      {"group", 'g'},   {"supp-group", 'G'},      {"shell", 's'}, {"whitelist-environment", 'w'}};
  constexpr std::string_view kWithArgument = "cgGsuw";
  UserSwitch u;
  for (; j < words.size(); ++j) {
    const std::string& w = words[j].text;
    if (w == "--") {
      ++j;
      break;
    }
    if (!is_option(w)) break;  // "-" too: the login operand
    if (starts_with(w, "--")) {
      const size_t eq = w.find('=');
      const auto it = kLong.find(
          std::string_view(w).substr(2, eq == std::string::npos ? std::string::npos : eq - 2));
      if (it == kLong.end()) continue;
      std::optional<CronWord> arg;
      if (kWithArgument.find(it->second) != std::string_view::npos)
        arg = next_argument(words, j,
                            eq == std::string::npos ? "" : std::string_view(w).substr(eq + 1));
      take_switch_option(u, it->second, arg);
      continue;
    }
    for (size_t k = 1; k < w.size(); ++k) {
      if (kWithArgument.find(w[k]) == std::string_view::npos) {
        take_switch_option(u, w[k], std::nullopt);
        continue;
      }
      const std::string attached = w.substr(k + 1);
      take_switch_option(u, w[k], next_argument(words, j, attached));
      break;
    }
  }
  if (j < words.size() && words[j].text == "-") {
    u.login = true;
    ++j;
  }
  if (!u.runs_command && j < words.size()) {
    u.user = words[j].exact ? std::optional<std::string>(words[j].text) : std::nullopt;
    ++j;
  }
  u.rest = j;
  return u;
}

const Wrapper* wrapper_of(const std::string& base) {
  static const Wrapper kWrappers[] = {
      {"nice", "n", 0},   {"ionice", "cnp", 0},       {"nohup", "", 0},        {"setsid", "", 0},
      {"chronic", "", 0}, {"cronic", "", 0},          {"timeout", "sk", 1},    {"stdbuf", "ioe", 0},
      {"time", "fo", 0},  {"sudo", "ugCDhpRrtTU", 0}, {"doas", "uC", 0},       {"env", "uCS", 0},
      {"flock", "wE", 1}, {"unbuffer", "", 0},        {"systemd-cat", "tp", 0}};
  for (const auto& w : kWrappers)
    if (w.name == base) return &w;
  return nullptr;
}

bool is_shell_builtin(std::string_view w) {
  static const std::set<std::string_view> kBuiltins = {
      "cd",    "echo",     "test",   "[",     "true",   "false", ":",       "export", "set",
      "unset", "exit",     "return", "read",  "printf", "eval",  "trap",    "umask",  "wait",
      "shift", "ulimit",   "kill",   "alias", "type",   "hash",  "getopts", "local",  "readonly",
      "break", "continue", "[[",     "let",   "pwd",    "shopt", "declare", "typeset"};
  return kBuiltins.count(w) != 0;
}

bool is_shell_keyword(std::string_view w) {
  static const std::set<std::string_view> kKeywords = {"if", "then", "else",  "elif",  "fi",
                                                       "do", "done", "while", "until", "!",
                                                       "{",  "}",    "time",  "esac",  "]]"};
  return kKeywords.count(w) != 0;
}

bool starts_compound(std::string_view w) {
  return w == "for" || w == "case" || w == "select" || w == "function";
}

}  // namespace hostward::audit::job_programs
