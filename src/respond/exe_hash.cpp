#include "respond/exe_hash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fingerprint.h"
#include "respond/proc_handle.h"

namespace hostward::respond {

std::string ExeHasher::hash(int pid, unsigned long long start_ticks) {
  const std::string path = "/proc/" + std::to_string(pid) + "/exe";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  struct stat st {};
  if (::fstat(fd, &st) != 0 || start_ticks_of(pid) != start_ticks) {
    ::close(fd);
    return {};
  }
  const auto key =
      std::make_pair(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
  if (auto it = by_file_.find(key); it != by_file_.end()) {
    ::close(fd);
    return it->second;
  }
  const auto digest = sha256_hex_of_fd(fd);
  ::close(fd);
  if (!digest) return {};
  const std::string& s = *digest;
  by_file_[key] = s;
  return s;
}

}  // namespace hostward::respond
