#include "audit/config_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <functional>

namespace hostward::audit {

namespace {

constexpr size_t kMaxBytes = 4u << 20;

int open_confined(const std::string& root, const std::string& path,
                  int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY,
                  bool follow_links = true) {
  if (!follow_links) {
    open_how how{};
    how.flags = static_cast<uint64_t>(flags);
    how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    if (root.empty())
      return static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how));
    const int dir = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return -1;
    how.resolve |= RESOLVE_IN_ROOT;
    const std::string rel = path.empty() || path[0] != '/' ? path : path.substr(1);
    const int fd = static_cast<int>(::syscall(SYS_openat2, dir, rel.c_str(), &how, sizeof how));
    ::close(dir);
    return fd;
  }
  if (root.empty()) return ::open(path.c_str(), flags);
  const int dir = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return -1;
  open_how how{};
  how.flags = static_cast<uint64_t>(flags);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const std::string rel = path.empty() || path[0] != '/' ? path : path.substr(1);
  const int fd = static_cast<int>(::syscall(SYS_openat2, dir, rel.c_str(), &how, sizeof how));
  ::close(dir);
  return fd;
}

// Reads the regular file `at` (an O_PATH descriptor, closed here) names,
// when `acceptable` says yes to its facts.
std::optional<std::string> read_looked_at(
    const std::string& root, int at, const std::string& path, bool last_may_be_link,
    const std::function<bool(const struct stat&)>& acceptable) {
  // Looked at before it is opened for reading: opening a device or a FIFO
  // can have effects (a watchdog, a blocked writer), so only a regular file
  // is reopened, through the descriptor that names it.
  if (at < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(at, &st) != 0 || !S_ISREG(st.st_mode) || !acceptable(st)) {
    ::close(at);
    return std::nullopt;
  }
  const std::string self = "/proc/self/fd/" + std::to_string(at);
  int fd = ::open(self.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  ::close(at);
  if (fd < 0 && errno == ENOENT) {
    // No /proc (a rescue chroot): open by name, and keep it only if it is
    // still the file that was looked at.
    fd = open_confined(
        root, path,
        O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (last_may_be_link ? 0 : O_NOFOLLOW));
    struct stat again {};
    if (fd >= 0 &&
        (::fstat(fd, &again) != 0 || again.st_dev != st.st_dev || again.st_ino != st.st_ino)) {
      ::close(fd);
      fd = -1;
    }
  }
  if (fd < 0) return std::nullopt;
  std::string text;
  char buf[65536];
  ssize_t n;
  while (text.size() < kMaxBytes && (n = ::read(fd, buf, sizeof buf)) > 0)
    text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  if (text.size() > kMaxBytes) text.resize(kMaxBytes);
  return text;
}

}  // namespace

bool ConfigFiles::skipped(const std::string& raw) const {
  if (skipped_mounts.empty()) return false;
  // Compared as a normalised absolute path: "//" and "." collapse, ".."
  // climbs (a link on the way is not resolved: see docs/design-notes.md).
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= raw.size()) {
    const size_t slash = raw.find('/', start);
    const std::string part =
        raw.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  std::string path;
  for (const auto& part : parts) path += "/" + part;
  if (path.empty()) path = "/";
  for (const auto& m : skipped_mounts)
    if (path == m || (path.size() > m.size() && path.compare(0, m.size(), m) == 0 &&
                      (m == "/" || path[m.size()] == '/')))
      return true;
  return false;
}

std::optional<std::string> ConfigFiles::read(const std::string& path, bool follow_links) const {
  if (!memory.empty()) {
    const auto it = memory.find(path);
    if (it == memory.end()) return std::nullopt;
    return it->second;
  }
  if (skipped(path)) return std::nullopt;
  const int at = open_confined(root, path, O_PATH | O_CLOEXEC, follow_links);
  return read_looked_at(root, at, path, follow_links,
                        [this](const struct stat& st) { return !owner || st.st_uid == *owner; });
}

std::optional<std::string> ConfigFiles::read_users_file(const std::string& path,
                                                        unsigned uid) const {
  if (!memory.empty()) return read(path);
  if (skipped(path)) return std::nullopt;
  const int at = open_confined(root, path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  return read_looked_at(root, at, path, false, [uid](const struct stat& st) {
    return st.st_uid == uid || (st.st_uid == 0 && st.st_nlink == 1);
  });
}

namespace {

constexpr size_t kMaxGlobMatches = 10000;

bool has_glob_magic(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

}  // namespace

std::vector<std::string> ConfigFiles::glob(const std::string& pattern) const {
  std::vector<std::string> out;
  if (!memory.empty()) {
    for (const auto& [path, content] : memory)  // a map is already in lexical order
      if (fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0) out.push_back(path);
    return out;
  }
  // One component at a time through list() and stat(), so that a link in a
  // tree is resolved inside it (glob(3) on ROOT/pattern would follow an
  // absolute link out to the host) and skipped mounts stay unread.
  std::vector<std::string> paths = {""};
  // As glob(3): a pattern ending in "/" matches directories only.
  const bool directories_only = !pattern.empty() && pattern.back() == '/';
  size_t start = 0;
  while (start < pattern.size() && !paths.empty()) {
    const size_t slash = pattern.find('/', start);
    const std::string part =
        pattern.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    start = slash == std::string::npos ? pattern.size() : slash + 1;
    if (part.empty()) continue;
    std::vector<std::string> next;
    for (const auto& dir : paths) {
      if (!has_glob_magic(part)) {
        if (stat(dir + "/" + part)) next.push_back(dir + "/" + part);
        continue;
      }
      for (const auto& name : list(dir.empty() ? "/" : dir)) {
        if (name[0] == '.' && part[0] != '.') continue;  // as glob(3): no leading dot
        if (fnmatch(part.c_str(), name.c_str(), 0) == 0 && next.size() < kMaxGlobMatches)
          next.push_back(dir + "/" + name);
      }
    }
    paths = std::move(next);
  }
  for (auto& p : paths) {
    if (p.empty()) continue;
    if (directories_only) {
      const auto facts = stat(p);
      if (!facts || (!facts->is_dir() && !(S_ISLNK(facts->mode) && !list(p).empty()))) continue;
    }
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool FileFacts::is_dir() const { return S_ISDIR(mode); }
bool FileFacts::is_regular() const { return S_ISREG(mode); }
bool FileFacts::world_writable() const { return !S_ISLNK(mode) && (mode & S_IWOTH) != 0; }

std::optional<FileFacts> ConfigFiles::stat(const std::string& path) const {
  if (!memory.empty()) {
    if (const auto it = memory_facts.find(path); it != memory_facts.end()) return it->second;
    if (memory.count(path)) return FileFacts{S_IFREG | 0644, 0, 0};
    const std::string prefix = path == "/" ? path : path + "/";
    const auto it = memory.lower_bound(prefix);
    if (it != memory.end() && it->first.compare(0, prefix.size(), prefix) == 0)
      return FileFacts{S_IFDIR | 0755, 0, 0};
    return std::nullopt;
  }
  if (skipped(path)) return std::nullopt;
  const int fd = open_confined(root, path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  const int rc = ::fstat(fd, &st);
  ::close(fd);
  if (rc != 0) return std::nullopt;
  return FileFacts{st.st_mode, st.st_uid, st.st_gid};
}

std::optional<std::string> ConfigFiles::read_link(const std::string& path) const {
  if (!memory.empty()) {
    const auto f = memory_facts.find(path);
    const auto it = memory.find(path);
    if (f == memory_facts.end() || !S_ISLNK(f->second.mode) || it == memory.end())
      return std::nullopt;
    return it->second;
  }
  if (skipped(path)) return std::nullopt;
  const int fd = open_confined(root, path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  char buf[4096];
  const ssize_t n = ::readlinkat(fd, "", buf, sizeof buf);
  ::close(fd);
  if (n <= 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

std::vector<std::string> ConfigFiles::list(const std::string& dir) const {
  std::vector<std::string> out;
  if (!memory.empty()) {
    const std::string prefix = dir == "/" ? dir : dir + "/";
    for (auto it = memory.lower_bound(prefix);
         it != memory.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      const std::string rest = it->first.substr(prefix.size());
      const std::string name = rest.substr(0, rest.find('/'));
      if (!name.empty()) out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }
  if (skipped(dir)) return out;
  const int fd = open_confined(root, dir, O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return out;
  DIR* d = ::fdopendir(fd);
  if (d == nullptr) {
    ::close(fd);
    return out;
  }
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") out.push_back(name);
    if (out.size() >= 100000) break;
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::string lowercase(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string relative_to(const std::string& including_file, const std::string& name) {
  if (name.empty() || name[0] == '/') return name;
  const size_t slash = including_file.rfind('/');
  if (slash == std::string::npos) return name;
  return including_file.substr(0, slash == 0 ? 1 : slash) + (slash == 0 ? "" : "/") + name;
}

}  // namespace hostward::audit
