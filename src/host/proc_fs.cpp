#include "host/proc_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace hostward::host {

namespace {

struct LinuxDirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

template <typename F>
void for_each_entry(int fd, F&& on_name) {
  alignas(8) char buf[32768];
  while (true) {
    const long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (n <= 0) break;
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<LinuxDirent64*>(buf + off);
      on_name(d->d_name);
      off += d->d_reclen;
    }
  }
}

}  // namespace

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.release();
  }
  return *this;
}

Fd::~Fd() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<int> list_pids(const std::string& proc_root) {
  Fd fd(::open(proc_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) throw std::system_error(errno, std::generic_category(), "open " + proc_root);
  std::vector<int> pids;
  pids.reserve(1024);
  for_each_entry(fd.get(), [&](const char* name) {
    int pid = 0;
    for (const char* p = name; *p; ++p) {
      if (*p < '0' || *p > '9' || pid > 100000000) return;
      pid = pid * 10 + (*p - '0');
    }
    if (pid > 0) pids.push_back(pid);
  });
  return pids;
}

std::vector<std::string> list_dir(int dirfd, const char* name) {
  std::vector<std::string> names;
  Fd fd(::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) return names;
  for_each_entry(fd.get(), [&](const char* n) {
    if (n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0'))) return;
    names.emplace_back(n);
  });
  return names;
}

std::optional<std::string> read_file_at(int dirfd, const char* name, size_t max_bytes,
                                        bool* truncated) {
  Fd fd(::openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
  if (!fd.valid()) return std::nullopt;
  std::string out;
  size_t chunk = max_bytes < 4096 ? max_bytes + 1 : 4096;
  if (truncated) *truncated = false;
  while (true) {
    const size_t old = out.size();
    out.resize(old + chunk);
    const ssize_t n = ::read(fd.get(), out.data() + old, chunk);
    if (n < 0) {
      if (errno == EINTR) {
        out.resize(old);
        continue;
      }
      return std::nullopt;
    }
    out.resize(old + static_cast<size_t>(n));
    if (out.size() > max_bytes) {
      out.resize(max_bytes);
      if (truncated) *truncated = true;
      break;
    }
    // Only a read of 0 is the end: /proc's multi-record files (maps,
    // mountinfo, net/tcp) hand out about a page per read.
    if (n == 0) break;
    if (chunk < 65536) chunk *= 2;
  }
  return out;
}

std::optional<std::string> read_link_at(int dirfd, const char* name) {
  char buf[4096];
  const ssize_t n = ::readlinkat(dirfd, name, buf, sizeof buf);
  if (n < 0) return std::nullopt;
  if (static_cast<size_t>(n) == sizeof buf) {  // cut: never hand on a truncated path
    errno = ENAMETOOLONG;
    return std::nullopt;
  }
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace hostward::host
