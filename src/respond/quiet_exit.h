#pragma once
#include <map>
#include <string>
#include <vector>

#include "respond/proc_handle.h"

// Ending a process without a signal death, for children of a database
// server: every thread is held in a ptrace stop (which is also how these
// processes are frozen), then the process is made to call exit_group(1).
// PostgreSQL's postmaster takes a child's death by signal for a crashed
// backend and restarts every session; an exit status of 0 or 1 it lets pass.
namespace hostward::respond {

// The exit status: PostgreSQL's postmaster takes 0 and 1 alike as a normal
// end (1 is a backend's FATAL); a direct parent that checks it (the archiver
// running archive_command, a COPY ... TO PROGRAM) sees a failure, not a success.
inline constexpr int kQuietStatus = 1;
inline constexpr const char* kQuietAction = "exit(1) through ptrace";

class QuietExit {
 public:
  QuietExit() = default;
  QuietExit(const QuietExit&) = delete;
  QuietExit& operator=(const QuietExit&) = delete;
  ~QuietExit();  // detaches from whatever is still held (it runs on)

  // Seizes and stops every thread of the process. False (and nothing held) when
  // it cannot be traced: another tracer, or it ended.
  bool hold(const PidHandle& h, std::string& error);
  // Makes a held process call exit_group(kQuietStatus) and waits for it to end.
  // `status` is "exited 1" or what happened instead.
  bool end(int pid, std::string& status);
  // Lets a held process go on running.
  void let_go(int pid);
  bool holds(int pid) const { return threads_.count(pid) > 0; }

  static bool supported();

 private:
  bool stop_thread(int tid, std::string& error);
  std::map<int, std::vector<int>> threads_;  // process -> its held threads
};

}  // namespace hostward::respond
