#pragma once
#include <string>
#include <vector>

namespace hostward::host {

struct ProgramResult {
  bool ran = false;    // false: could not start (error says why)
  int exit_code = -1;  // -1 when killed (timeout) or not run
  bool timed_out = false;
  bool truncated = false;  // stdout hit the cap; the rest was discarded
  std::string out;
  std::string err;  // the first KiB of stderr
  std::string error;
};

// Runs `argv` (argv[0] an absolute path) with no shell, an empty environment
// but LC_ALL=C and a fixed PATH, stdin from /dev/null; kills it after
// `timeout_ms`. Safe to call as root: nothing from the environment is used.
ProgramResult run_program(const std::vector<std::string>& argv, int timeout_ms = 5000,
                          size_t max_output = 32u << 20);

// The first of /usr/sbin, /sbin, /usr/bin, /bin that holds an executable
// `name`, or "" when none does.
std::string find_program(const std::string& name);

}  // namespace hostward::host
