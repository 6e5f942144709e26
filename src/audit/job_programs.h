#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/scheduled_jobs.h"

// What a scheduled command runs: interpreters and where their script is,
// wrappers that run another command, and shell builtins and keywords.
namespace hostward::audit::job_programs {

enum class Interpreter { none, shell, python, perl, ruby, php, node, run_parts };

Interpreter interpreter_of(const std::string& base);

// Where an interpreter's script is: a file, or inline code.
struct ScriptArgument {
  std::optional<std::string> script;
  std::optional<std::string> code;
  bool code_is_shell = false;
};

bool is_option(std::string_view w);

// The argument of a short option at w[k]: the rest of the cluster, else the next word.
std::string option_argument(const SimpleCommand& words, size_t& j, size_t k);

ScriptArgument script_argument(Interpreter kind, const SimpleCommand& words, size_t j);

// su and runuser (util-linux; options end at the first operand): who the
// command runs as and how. Without -c the words after the user are the
// arguments of that user's shell (`su - postgres -c CODE` is sh -c CODE).
struct UserSwitch {
  std::optional<std::string> user = "root";  // nullopt: not known exactly
  bool login = false;                        // -, -l, --login
  std::optional<std::string> code;           // -c, --command, --session-command
  bool runs_command = false;                 // runuser -u USER: words from `rest` run as is
  size_t rest = 0;                           // the first word after the options and user
};

UserSwitch user_switch(const SimpleCommand& words, size_t j);

// Programs that run the command given in their arguments.
struct Wrapper {
  std::string_view name;
  std::string_view with_arg;  // short options taking an argument
  int operands_before_command;
};

const Wrapper* wrapper_of(const std::string& base);

bool is_shell_builtin(std::string_view w);
bool is_shell_keyword(std::string_view w);
bool starts_compound(std::string_view w);

}  // namespace hostward::audit::job_programs
