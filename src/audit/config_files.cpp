#include "audit/config_files.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cctype>

namespace hostward::audit {

namespace {

constexpr size_t kMaxBytes = 4u << 20;

int open_confined(const std::string& root, const std::string& path) {
  const int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
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

}  // namespace

std::optional<std::string> ConfigFiles::read(const std::string& path) const {
  if (!memory.empty()) {
    const auto it = memory.find(path);
    if (it == memory.end()) return std::nullopt;
    return it->second;
  }
  const int fd = open_confined(root, path);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (owner && st.st_uid != *owner)) {
    ::close(fd);
    return std::nullopt;
  }
  std::string text;
  char buf[65536];
  ssize_t n;
  while (text.size() < kMaxBytes && (n = ::read(fd, buf, sizeof buf)) > 0)
    text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  if (text.size() > kMaxBytes) text.resize(kMaxBytes);
  return text;
}

std::vector<std::string> ConfigFiles::glob(const std::string& pattern) const {
  std::vector<std::string> out;
  if (!memory.empty()) {
    for (const auto& [path, content] : memory)  // a map is already in lexical order
      if (fnmatch(pattern.c_str(), path.c_str(), FNM_PATHNAME) == 0) out.push_back(path);
    return out;
  }
  // Names only: whatever they resolve to is read through read(), inside the root.
  glob_t g{};
  if (::glob((root + pattern).c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i)
      out.push_back(std::string(g.gl_pathv[i]).substr(root.size()));
  }
  globfree(&g);
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
