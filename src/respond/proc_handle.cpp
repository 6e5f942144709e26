#include "respond/proc_handle.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "host/proc_fs.h"

namespace hostward::respond {

namespace {

// glibc 2.36's <sys/pidfd.h> lacks C linkage for C++: call the kernel directly.
int pidfd_open(int pid, unsigned flags) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, flags));
}
int pidfd_send_signal(int pidfd, int sig, siginfo_t* info, unsigned flags) {
  return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags));
}

}  // namespace

std::optional<host::StatFields> read_stat(int pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  char buf[1024];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  return host::parse_stat(std::string_view(buf, static_cast<size_t>(n)));
}

unsigned long long start_ticks_of(int pid) {
  const auto st = read_stat(pid);
  return st ? st->starttime : 0;
}

std::vector<host::StatFields> read_all_stats() {
  std::vector<host::StatFields> out;
  for (int pid : host::list_pids()) {
    if (auto st = read_stat(pid)) out.push_back(std::move(*st));
  }
  return out;
}

std::optional<PidHandle> PidHandle::open(const ProcKey& key, std::string& error) {
  if (key.pid <= 0) {
    error = "no such process";
    return std::nullopt;
  }
  const int fd = pidfd_open(key.pid, 0);
  if (fd < 0) {
    error = errno == ESRCH ? "gone before it could be held" : std::strerror(errno);
    return std::nullopt;
  }
  PidHandle h;
  h.key_ = key;
  h.fd_ = fd;
  // The pidfd names whatever has the PID now; the start time proves it is ours.
  if (!h.still_ours()) {
    error = "gone, or its PID now belongs to another process";
    return std::nullopt;
  }
  return h;
}

PidHandle& PidHandle::operator=(PidHandle&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    key_ = o.key_;
    fd_ = o.fd_;
    o.fd_ = -1;
  }
  return *this;
}

PidHandle::~PidHandle() {
  if (fd_ >= 0) ::close(fd_);
}

bool PidHandle::send(int sig, std::string& error) const {
  if (pidfd_send_signal(fd_, sig, nullptr, 0) == 0) return true;
  error = errno == ESRCH ? "already gone" : std::strerror(errno);
  return false;
}

bool PidHandle::exited() const {
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1;
}

bool PidHandle::still_ours() const {
  if (exited()) return false;
  return start_ticks_of(key_.pid) == key_.start_ticks;
}

}  // namespace hostward::respond
