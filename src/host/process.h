#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hostward::host {

// What the exe link says about the running image, decided from the link and a
// stat of the image itself (st_nlink == 0 means unlinked), never from the
// " (deleted)" suffix alone: a file may literally be named "x (deleted)".
enum class ExeState {
  unknown,   // link unreadable (permission, vanished)
  none,      // kernel thread or zombie: no executable
  present,   // the image is a linked file
  deleted,   // unlinked, the path no longer exists in the process's root
  replaced,  // unlinked, but the path exists again with another inode (package upgrade)
  memfd,     // an anonymous memfd
};

const char* to_string(ExeState s);
std::optional<ExeState> parse_exe_state(const std::string& s);

// One directory on the way from / to the executable, as seen from the process's root.
struct DirFact {
  std::string path;
  uint32_t uid = 0;
  uint32_t mode = 0;  // st_mode
};

struct Namespaces {
  // uts and ipc are left out: they tell nothing the others do not, and cost a syscall each.
  uint64_t pid = 0, mnt = 0, net = 0, user = 0, cgroup = 0;
};

struct ProcessInfo {
  int pid = 0;
  int ppid = 0;
  int pgrp = 0;
  int session = 0;
  std::string state = "?";  // R, S, D, Z, T, ...
  bool kernel_thread = false;
  std::string comm;
  std::vector<std::string> argv;
  bool argv_truncated = false;

  std::string exe;       // the link text as the kernel gives it
  std::string exe_path;  // the path, without the kernel's " (deleted)" mark
  ExeState exe_state = ExeState::unknown;
  std::string exe_error;  // why the link could not be read: EACCES, ENAMETOOLONG, ...
  uint64_t exe_dev = 0;
  uint64_t exe_ino = 0;
  uint32_t exe_uid = 0;
  std::vector<DirFact> exe_dirs;  // "/" first, the exe's own directory last

  uint32_t uid = 0, euid = 0, gid = 0, egid = 0;
  std::string user;  // name of uid on this host, empty when unknown

  long long start_time = 0;            // epoch seconds
  unsigned long long start_ticks = 0;  // since boot, identifies the process with its pid
  unsigned long long cpu_ticks = 0;    // utime + stime
  double cpu_percent = 0;  // of one core: sampled over the window, else lifetime average
  bool cpu_sampled = false;
  double cpu_read_at = 0;  // CLOCK_MONOTONIC seconds when cpu_ticks was read; not in snapshots
  unsigned long long rss_kb = 0;
  int threads = 0;
  std::string cwd;

  std::string cgroup;  // the unified (v2) path, else the first hierarchy's
  std::string container_id;
  std::string container_runtime;  // docker, containerd, cri-o, podman, kubernetes
  Namespaces ns;
};

// A PID that answers kill(pid, 0) or a /proc lookup but was in neither listing
// of /proc. A thread's id answers too; tgid tells which process it belongs to.
struct UnlistedPid {
  int pid = 0;
  int tgid = 0;
  std::string comm;
  std::string how;  // which probe found it
};

}  // namespace hostward::host
