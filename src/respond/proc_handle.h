#pragma once
#include <optional>
#include <string>
#include <vector>

#include "host/proc_parse.h"

// A process named by PID and start time, and a pidfd bound to it: signals go
// through the pidfd, so a PID recycled after the plan was made is never hit.
namespace hostward::respond {

struct ProcKey {
  int pid = 0;
  unsigned long long start_ticks = 0;
  auto operator<=>(const ProcKey&) const = default;
};

// /proc/PID/stat, parsed; nullopt when the process is gone.
std::optional<host::StatFields> read_stat(int pid);

// The start time of PID now, 0 when it is gone.
unsigned long long start_ticks_of(int pid);

// Every process's stat line, read with getdents64 (the caller's view of /proc).
std::vector<host::StatFields> read_all_stats();

class PidHandle {
 public:
  PidHandle() = default;
  // Opens a pidfd for key.pid and checks that the process still has key's
  // start time: afterwards the fd names exactly that process.
  static std::optional<PidHandle> open(const ProcKey& key, std::string& error);
  PidHandle(PidHandle&& o) noexcept : key_(o.key_), fd_(o.fd_) { o.fd_ = -1; }
  PidHandle& operator=(PidHandle&& o) noexcept;
  PidHandle(const PidHandle&) = delete;
  PidHandle& operator=(const PidHandle&) = delete;
  ~PidHandle();

  const ProcKey& key() const { return key_; }
  int fd() const { return fd_; }
  bool send(int sig, std::string& error) const;
  // The process has ended (a zombie counts as ended).
  bool exited() const;
  // True while key.pid still names this process (the pidfd is alive and the start time matches).
  bool still_ours() const;

 private:
  ProcKey key_;
  int fd_ = -1;
};

}  // namespace hostward::respond
