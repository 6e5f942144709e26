#pragma once
#include <sys/stat.h>

#include <string>
#include <vector>

namespace hostward::authlog {

// Opens a log, wtmp or journal for reading (O_RDONLY, close-on-exec, never a
// controlling tty) without side effects: the path is checked with (l)stat
// before open, so a device (a planted /var/log/wtmp.1 -> /dev/watchdog) is
// never opened, and checked again on the open file. A file hostward found
// itself must be a regular file and no symlink; one the user named may be a
// symlink, a pipe or a FIFO (`--file <(zcat …)`). Returns -1 with an entry in
// `errors` otherwise.
int open_log(const std::string& path, bool named_by_user, std::vector<std::string>& errors,
             struct stat* st_out = nullptr);

}  // namespace hostward::authlog
