#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "lint/shell_lexer.h"

namespace hostward::lint {

// A simple command: NAME=value assignments, then the words (redirections and
// their targets left out).
struct SimpleCommand {
  std::vector<const ShellWord*> assignments;
  std::vector<const ShellWord*> words;
};

struct Pipeline {
  std::vector<SimpleCommand> commands;  // a | b | c
};

// The pipelines of a tokenized script, in order. The words point into
// `tokens`, which must outlive the result.
std::vector<Pipeline> split_pipelines(const ShellTokens& tokens);

// Index of the word naming the program, past wrappers that run another
// command (sudo, env, nohup, exec, time, nice, timeout, stdbuf, setsid, command)
// and their options; words.size() when none. Assignments given to `env`
// are appended to `env_assignments` when not null.
size_t program_index(const SimpleCommand& cmd,
                     std::vector<const ShellWord*>* env_assignments = nullptr);

// "bash" for "/usr/bin/bash", "docker" for "docker".
std::string_view base_name(std::string_view word);

bool is_assignment(std::string_view word);

}  // namespace hostward::lint
