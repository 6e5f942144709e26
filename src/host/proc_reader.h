#pragma once
#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "host/process.h"

namespace hostward::host {

// Facts about the running kernel every per-process conversion needs.
struct ClockFacts {
  long long boot_time = 0;  // epoch seconds, btime of /proc/stat
  long ticks_per_second = 100;
  long page_kb = 4;
  double uptime_s = 0;  // at the start of the collection
};

ClockFacts read_clock_facts(const std::string& proc_root = "/proc");

double monotonic_seconds();

// Reads one /proc/PID directory into a ProcessInfo. Facts about executables
// (deleted? replaced? its directories) are cached per mount namespace and
// inode, so 5,000 copies of one binary cost one check.
class ProcessReader {
 public:
  ProcessReader(ClockFacts clock, std::map<uint32_t, std::string> users,
                std::string proc_root = "/proc");

  // nullopt when the process vanished while being read: callers skip it.
  std::optional<ProcessInfo> read(int pid);

  // Re-reads utime+stime of a process already read; nullopt when it is gone or
  // the pid now belongs to another process (start time differs).
  std::optional<unsigned long long> read_cpu_ticks(int pid, unsigned long long start_ticks) const;

 private:
  struct ExeFacts {
    ExeState state = ExeState::unknown;
    std::string path;
    std::vector<DirFact> dirs;
  };
  using ExeKey = std::tuple<uint64_t, std::string, uint64_t, uint64_t>;

  void read_exe(int dirfd, ProcessInfo& p);
  ExeFacts check_exe(int dirfd, const std::string& link, uint64_t dev, uint64_t ino,
                     unsigned nlink);
  std::vector<DirFact> dir_chain(int dirfd, const std::string& path);

  ClockFacts clock_;
  std::map<uint32_t, std::string> users_;
  std::string proc_root_;
  std::map<ExeKey, ExeFacts> exe_cache_;
};

}  // namespace hostward::host
