#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/finding.h"
#include "host/proc_reader.h"

namespace hostward::watch {

// What was read of a process at its exec, and the process rules' findings on
// it. Read at once: the process may be gone a moment later.
struct ExecResult {
  host::ProcessInfo process;
  std::vector<Finding> findings;
};

// Reads a process and its ancestors from /proc and runs the process rules
// on it, as `hostward scan` would for that one process.
class ExecChecker {
 public:
  ExecChecker(HuntConfig config, std::string hostname, std::string proc_root = "/proc");

  // nullopt when the process was gone before it could be read.
  std::optional<ExecResult> check(int pid);

  // Every process now, for a rescan: pid -> start ticks.
  std::map<int, unsigned long long> list_processes();

 private:
  // An ancestor as last read: parents are long-lived (a shell, make, the
  // CI agent), so at 200 execs/s they are read again only when their pid
  // now belongs to another process (its start time in /proc/PID/stat).
  std::optional<host::ProcessInfo> ancestor(int pid);
  std::optional<unsigned long long> start_ticks(int pid) const;

  HuntConfig config_;
  std::string hostname_;
  std::map<int, host::ProcessInfo> ancestors_;
  std::string proc_root_;
  host::ClockFacts clock_;
  host::ProcessReader reader_;
};

// The start time (clock ticks since boot) of a process, from /proc/PID/stat;
// nullopt when it is gone. Tells a pid's process from a later one.
std::optional<unsigned long long> read_start_ticks(const std::string& proc_root, int pid);

}  // namespace hostward::watch
