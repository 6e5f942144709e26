#include "authlog/log_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace hostward::authlog {

namespace {
bool acceptable(const struct stat& st, bool named_by_user) {
  return S_ISREG(st.st_mode) || (named_by_user && S_ISFIFO(st.st_mode));
}
}  // namespace

int open_log(const std::string& path, bool named_by_user, std::vector<std::string>& errors,
             struct stat* st_out) {
  struct stat before {};
  const int r = named_by_user ? ::stat(path.c_str(), &before) : ::lstat(path.c_str(), &before);
  if (r != 0) {
    errors.push_back(path + ": " + std::strerror(errno));
    return -1;
  }
  if (!acceptable(before, named_by_user)) {
    errors.push_back(
        path + (S_ISLNK(before.st_mode) ? ": a symlink, not followed" : ": not a regular file"));
    return -1;
  }
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK |
                                          (named_by_user ? 0 : O_NOFOLLOW));
  if (fd < 0) {
    errors.push_back(path + ": " + std::strerror(errno));
    return -1;
  }
  struct stat st {};
  // Swapped between the check and the open: refuse.
  if (::fstat(fd, &st) != 0 || !acceptable(st, named_by_user) || st.st_dev != before.st_dev ||
      st.st_ino != before.st_ino) {
    errors.push_back(path + ": changed while being opened");
    ::close(fd);
    return -1;
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  if (st_out) *st_out = st;
  return fd;
}

}  // namespace hostward::authlog
