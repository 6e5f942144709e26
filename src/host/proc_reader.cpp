#include "host/proc_reader.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "host/proc_fs.h"
#include "host/proc_parse.h"

namespace hostward::host {

namespace {

constexpr size_t kMaxCmdline = 32 * 1024;
constexpr std::string_view kDeletedMark = " (deleted)";

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// stat of `path` as the process sees it, through its /proc/PID/root.
// lstat of `path` as the process sees it: resolved inside its /proc/PID/root,
// following no symlink on the way, so a link planted at the path (or a
// directory swapped for a link) is seen as the link it is.
int stat_in_root(int dirfd, const std::string& path, struct stat& st) {
  Fd root(::openat(dirfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.valid()) return -1;
  struct open_how how {};
  how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  Fd fd(static_cast<int>(::syscall(SYS_openat2, root.get(), path.c_str(), &how, sizeof how)));
  if (fd.valid()) return ::fstat(fd.get(), &st);
  // No openat2 (before 5.6), or a seccomp filter that refuses it.
  if (errno != ENOSYS && errno != EPERM) return -1;
  const std::string rel = "root" + path;  // kernels before 5.6
  return ::fstatat(dirfd, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW);
}

}  // namespace

double monotonic_seconds() {
  struct timespec ts {};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

const char* to_string(ExeState s) {
  switch (s) {
    case ExeState::unknown:
      return "unknown";
    case ExeState::none:
      return "none";
    case ExeState::present:
      return "present";
    case ExeState::deleted:
      return "deleted";
    case ExeState::replaced:
      return "replaced";
    case ExeState::memfd:
      return "memfd";
  }
  return "unknown";
}

std::optional<ExeState> parse_exe_state(const std::string& s) {
  for (auto st : {ExeState::unknown, ExeState::none, ExeState::present, ExeState::deleted,
                  ExeState::replaced, ExeState::memfd}) {
    if (s == to_string(st)) return st;
  }
  return std::nullopt;
}

ClockFacts read_clock_facts(const std::string& proc_root) {
  ClockFacts c;
  c.ticks_per_second = sysconf(_SC_CLK_TCK);
  if (c.ticks_per_second <= 0) c.ticks_per_second = 100;
  const long page = sysconf(_SC_PAGESIZE);
  c.page_kb = page > 0 ? page / 1024 : 4;
  Fd root(::open(proc_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (auto stat = read_file_at(root.get(), "stat", 1 << 20)) {
    if (auto bt = parse_boot_time(*stat)) c.boot_time = *bt;
  }
  if (auto up = read_file_at(root.get(), "uptime", 256)) {
    c.uptime_s = std::strtod(up->c_str(), nullptr);
  }
  return c;
}

ProcessReader::ProcessReader(ClockFacts clock, std::map<uint32_t, std::string> users,
                             std::string proc_root)
    : clock_(clock), users_(std::move(users)), proc_root_(std::move(proc_root)) {}

std::optional<ProcessInfo> ProcessReader::read(int pid) {
  const std::string dir = proc_root_ + "/" + std::to_string(pid);
  Fd dirfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!dirfd.valid()) return std::nullopt;

  const auto stat_text = read_file_at(dirfd.get(), "stat", 4096);
  if (!stat_text) return std::nullopt;
  const auto st = parse_stat(*stat_text);
  if (!st) return std::nullopt;

  ProcessInfo p;
  p.cpu_read_at = monotonic_seconds();
  p.pid = pid;
  p.ppid = st->ppid;
  p.pgrp = st->pgrp;
  p.session = st->session;
  p.state = std::string(1, st->state);
  p.comm = st->comm;
  p.kernel_thread = (st->flags & kPfKthread) != 0;
  p.start_ticks = st->starttime;
  p.start_time = clock_.boot_time + static_cast<long long>(st->starttime / clock_.ticks_per_second);
  p.cpu_ticks = st->utime + st->stime;
  p.threads = st->num_threads;
  p.rss_kb =
      st->rss_pages > 0 ? static_cast<unsigned long long>(st->rss_pages) * clock_.page_kb : 0;
  const double age = clock_.uptime_s - static_cast<double>(st->starttime) / clock_.ticks_per_second;
  if (age > 0.5) {
    p.cpu_percent = 100.0 * (static_cast<double>(p.cpu_ticks) / clock_.ticks_per_second) / age;
  }

  if (auto status = read_file_at(dirfd.get(), "status", 16384)) {
    if (auto s = parse_status(*status); s && s->has_uid) {
      p.uid = s->uid[0];
      p.euid = s->uid[1];
      p.gid = s->gid[0];
      p.egid = s->gid[1];
    }
  } else if (errno == ESRCH || errno == ENOENT) {
    return std::nullopt;
  }
  if (auto it = users_.find(p.uid); it != users_.end()) p.user = it->second;

  if (p.kernel_thread) {
    p.exe_state = ExeState::none;
    return p;
  }

  if (auto cmdline = read_file_at(dirfd.get(), "cmdline", kMaxCmdline, &p.argv_truncated)) {
    p.argv = split_cmdline(*cmdline);
  }
  const std::pair<const char*, uint64_t*> ns_links[] = {{"ns/pid", &p.ns.pid},
                                                        {"ns/mnt", &p.ns.mnt},
                                                        {"ns/net", &p.ns.net},
                                                        {"ns/user", &p.ns.user},
                                                        {"ns/cgroup", &p.ns.cgroup}};
  for (const auto& [name, dst] : ns_links) {
    if (auto link = read_link_at(dirfd.get(), name)) {
      if (auto ino = parse_ns_link(*link)) *dst = *ino;
    }
  }
  read_exe(dirfd.get(), p);
  if (auto cwd = read_link_at(dirfd.get(), "cwd")) p.cwd = std::move(*cwd);
  if (auto cg = read_file_at(dirfd.get(), "cgroup", 16384)) {
    auto info = parse_cgroup(*cg);
    p.cgroup = std::move(info.path);
    p.container_id = std::move(info.container_id);
    p.container_runtime = std::move(info.runtime);
  }
  return p;
}

void ProcessReader::read_exe(int dirfd, ProcessInfo& p) {
  auto link = read_link_at(dirfd, "exe");
  if (!link) {
    const int err = errno;
    p.exe_state = (err == ENOENT) ? ExeState::none : ExeState::unknown;
    if (err != ENOENT) p.exe_error = strerrorname_np(err) ? strerrorname_np(err) : "error";
    struct stat image {};
    // A path longer than PATH_MAX hides the name, not the image: still tell deleted from present.
    if (err == ENAMETOOLONG && ::fstatat(dirfd, "exe", &image, 0) == 0) {
      p.exe = "(path longer than PATH_MAX)";
      p.exe_dev = image.st_dev;
      p.exe_ino = image.st_ino;
      p.exe_uid = image.st_uid;
      p.exe_state = image.st_nlink == 0 ? ExeState::deleted : ExeState::present;
    }
    return;
  }
  p.exe = std::move(*link);
  struct stat image {};
  if (::fstatat(dirfd, "exe", &image, 0) != 0) {
    p.exe_state = ExeState::unknown;
    p.exe_path = p.exe;
    return;
  }
  p.exe_dev = image.st_dev;
  p.exe_ino = image.st_ino;
  p.exe_uid = image.st_uid;
  const ExeKey key{p.ns.mnt, p.exe, image.st_dev, image.st_ino};
  auto it = exe_cache_.find(key);
  if (it == exe_cache_.end()) {
    it = exe_cache_
             .emplace(key, check_exe(dirfd, p.exe, image.st_dev, image.st_ino,
                                     static_cast<unsigned>(image.st_nlink)))
             .first;
  }
  p.exe_state = it->second.state;
  p.exe_path = it->second.path;
  p.exe_dirs = it->second.dirs;
}

ProcessReader::ExeFacts ProcessReader::check_exe(int dirfd, const std::string& link, uint64_t dev,
                                                 uint64_t ino, unsigned nlink) {
  ExeFacts f;
  f.path = link;
  auto same_file = [&](const std::string& path, int& err) {
    struct stat st {};
    if (stat_in_root(dirfd, path, st) != 0) {
      err = errno;
      return false;
    }
    err = 0;
    return st.st_dev == dev && st.st_ino == ino;
  };

  if (nlink == 0 && link.rfind("/memfd:", 0) == 0) {
    f.state = ExeState::memfd;
    return f;
  }
  int err = 0;
  if (!ends_with(link, kDeletedMark) || same_file(link, err)) {
    // No mark, or a file whose real name ends with " (deleted)".
    f.state = nlink == 0 ? ExeState::deleted : ExeState::present;
  } else {
    f.path = link.substr(0, link.size() - kDeletedMark.size());
    if (same_file(f.path, err) && nlink > 0) {
      f.state = ExeState::present;
    } else if (err == ENOENT || err == ENOTDIR) {
      f.state = ExeState::deleted;
    } else if (err == 0) {
      f.state = ExeState::replaced;
    } else {
      f.state = nlink == 0 ? ExeState::deleted : ExeState::present;
    }
  }
  f.dirs = dir_chain(dirfd, f.path);
  return f;
}

std::vector<DirFact> ProcessReader::dir_chain(int dirfd, const std::string& path) {
  std::vector<DirFact> dirs;
  if (path.empty() || path[0] != '/') return dirs;
  std::vector<std::string> prefixes = {"/"};
  for (size_t i = path.find('/', 1); i != std::string::npos; i = path.find('/', i + 1)) {
    prefixes.push_back(path.substr(0, i));
  }
  for (const auto& dir : prefixes) {
    struct stat st {};
    if (stat_in_root(dirfd, dir, st) != 0) break;
    dirs.push_back({dir, st.st_uid, st.st_mode});
    if (S_ISLNK(st.st_mode)) break;  // nothing below a link is what the kernel ran
  }
  return dirs;
}

std::optional<unsigned long long> ProcessReader::read_cpu_ticks(
    int pid, unsigned long long start_ticks) const {
  const std::string path = proc_root_ + "/" + std::to_string(pid) + "/stat";
  const auto text = read_file_at(AT_FDCWD, path.c_str(), 4096);
  if (!text) return std::nullopt;
  const auto st = parse_stat(*text);
  if (!st || st->starttime != start_ticks) return std::nullopt;
  return st->utime + st->stime;
}

}  // namespace hostward::host
