#include "respond/quiet_exit.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "host/proc_fs.h"

namespace hostward::respond {

namespace {

std::vector<int> thread_ids(int pid) {
  std::vector<int> tids;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  for (const auto& name : host::list_dir(AT_FDCWD, dir.c_str())) {
    char* end = nullptr;
    const long tid = std::strtol(name.c_str(), &end, 10);
    if (end != name.c_str() && *end == '\0' && tid > 0) tids.push_back(static_cast<int>(tid));
  }
  return tids;
}

// Waits (at most two seconds: a thread in D state, or a vfork parent, may
// never get there) for a seized thread's PTRACE_INTERRUPT stop. A signal that
// arrives first is passed on, then the thread is interrupted again.
bool wait_stopped(int tid, std::string& error) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    const pid_t r = ::waitpid(tid, &status, __WALL | WNOHANG);
    if (r == 0) {
      ::usleep(100);
      continue;
    }
    if (r < 0) {
      if (errno == EINTR) continue;
      error = std::string("waitpid: ") + std::strerror(errno);
      return false;
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      error = "ended while being stopped";
      return false;
    }
    if (!WIFSTOPPED(status)) continue;
    if ((status >> 16) == PTRACE_EVENT_STOP) return true;
    const long sig = WSTOPSIG(status);
    ::ptrace(PTRACE_CONT, tid, nullptr, reinterpret_cast<void*>(sig));
    ::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr);
  }
  error = "did not stop within 2 s";
  return false;
}

}  // namespace

bool QuietExit::supported() {
#if defined(__x86_64__)
  return true;
#else
  return false;
#endif
}

QuietExit::~QuietExit() {
  std::vector<int> pids;
  for (const auto& [pid, tids] : threads_) pids.push_back(pid);
  for (int pid : pids) let_go(pid);
}

bool QuietExit::stop_thread(int tid, std::string& error) {
  if (::ptrace(PTRACE_SEIZE, tid, nullptr, nullptr) != 0) {
    error = errno == ESRCH   ? "gone"
            : errno == EPERM ? "cannot be traced (another tracer holds it, or no permission)"
                             : std::string("ptrace: ") + std::strerror(errno);
    return false;
  }
  if (::ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) != 0 || !wait_stopped(tid, error)) {
    if (error.empty()) error = std::string("ptrace interrupt: ") + std::strerror(errno);
    ::ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
    return false;
  }
  return true;
}

bool QuietExit::hold(const PidHandle& h, std::string& error) {
  if (!supported()) {
    error = "ending a process by exit(1) is implemented for x86_64 only";
    return false;
  }
  const int pid = h.key().pid;
  auto& held = threads_[pid];
  // Threads can be born while others are being stopped: list until none is new.
  for (int round = 0; round < 100; ++round) {
    bool fresh = false;
    for (int tid : thread_ids(pid)) {
      if (std::find(held.begin(), held.end(), tid) != held.end()) continue;
      fresh = true;
      std::string why;
      if (!stop_thread(tid, why)) {
        if (tid == pid || !held.empty()) {
          // The leader failed, or a thread refused: give everything back.
          if (tid == pid)
            error = why;
          else
            error = "thread " + std::to_string(tid) + ": " + why;
          let_go(pid);
          return false;
        }
        continue;
      }
      held.push_back(tid);
    }
    if (!fresh) break;
  }
  // Seized by PID: prove it is the process the plan named before acting on it.
  if (!h.still_ours()) {
    error = "its PID now belongs to another process";
    let_go(pid);
    return false;
  }
  return true;
}

void QuietExit::let_go(int pid) {
  auto it = threads_.find(pid);
  if (it == threads_.end()) return;
  for (int tid : it->second) ::ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
  threads_.erase(it);
}

bool QuietExit::end(int pid, std::string& status) {
  auto it = threads_.find(pid);
  if (it == threads_.end()) {
    status = "not held";
    return false;
  }
#if defined(__x86_64__)
  user_regs_struct regs{};
  if (::ptrace(PTRACE_GETREGS, pid, nullptr, &regs) != 0) {
    status = std::string("read registers: ") + std::strerror(errno);
    return false;
  }
  const user_regs_struct saved = regs;
  const bool compat = regs.cs == 0x23;  // a 32-bit process: int 0x80, exit_group is 252
  const unsigned long insn = compat ? 0x80cd : 0x050f;
  // Stopped in a system call, the instruction before rip is one already:
  // nothing needs writing. Else one is written at rip, in the process's
  // private copy of the page.
  errno = 0;
  const long before =
      ::ptrace(PTRACE_PEEKTEXT, pid, reinterpret_cast<void*>(regs.rip - 2), nullptr);
  const bool in_syscall = errno == 0 && (static_cast<unsigned long>(before) & 0xffff) == insn;
  const unsigned long long site = in_syscall ? regs.rip - 2 : regs.rip;
  regs.rip = site;
  regs.orig_rax = static_cast<unsigned long long>(-1);  // no system call restart on resume
  regs.rax = compat ? 252 : SYS_exit_group;
  regs.rdi = kQuietStatus;
  regs.rbx = kQuietStatus;
  if (::ptrace(PTRACE_SETREGS, pid, nullptr, &regs) != 0) {
    status = std::string("write registers: ") + std::strerror(errno);
    return false;
  }
  if (!in_syscall) {
    errno = 0;
    const long word = ::ptrace(PTRACE_PEEKTEXT, pid, reinterpret_cast<void*>(site), nullptr);
    const bool read = errno == 0;
    if (!read || ::ptrace(PTRACE_POKETEXT, pid, reinterpret_cast<void*>(site),
                          reinterpret_cast<void*>((static_cast<unsigned long>(word) & ~0xffffUL) |
                                                  insn)) != 0) {
      status = std::string("write code: ") + std::strerror(errno);
      ::ptrace(PTRACE_SETREGS, pid, nullptr, &saved);  // left as it was, still held
      return false;
    }
  }
#endif
  std::vector<int> tids = it->second;
  threads_.erase(it);
  if (::ptrace(PTRACE_CONT, pid, nullptr, nullptr) != 0) {
    status = std::string("resume: ") + std::strerror(errno);
    for (int tid : tids) ::ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
    return false;
  }
  // A group leader reports its end only after its other threads are reaped,
  // and they are traced by us: collect every thread's notification.
  bool ok = false;
  status = "did not end";
  std::vector<int> pending = tids;
  for (int spins = 0; !pending.empty() && spins < 50000; ++spins) {
    bool progress = false;
    for (size_t i = 0; i < pending.size();) {
      const int tid = pending[i];
      int ws = 0;
      const pid_t r = ::waitpid(tid, &ws, __WALL | WNOHANG);
      if (r == 0) {
        ++i;
        continue;
      }
      progress = true;
      if (r < 0 || WIFEXITED(ws) || WIFSIGNALED(ws)) {
        if (tid == pid && r > 0) {
          ok = WIFEXITED(ws) && WEXITSTATUS(ws) == kQuietStatus;
          status = WIFEXITED(ws) ? "exited " + std::to_string(WEXITSTATUS(ws))
                                 : "killed by signal " + std::to_string(WTERMSIG(ws));
        }
        pending.erase(pending.begin() + static_cast<long>(i));
        continue;
      }
      // Stopped again on the way out (a pending signal): suppress it, go on.
      if (WIFSTOPPED(ws)) ::ptrace(PTRACE_CONT, tid, nullptr, nullptr);
      ++i;
    }
    if (!progress) ::usleep(100);
  }
  return ok;
}

}  // namespace hostward::respond
